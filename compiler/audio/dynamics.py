"""dynamics: the pre-master mix (2, n) -> the same mix with each section's level set by its dynamic mark.

The velocities of a mark (arrange.context.DYNAMIC_SCALE) change the tone and some of the level, but how
much level depends on the style: a dense house groove gains 4-5 LU a step, a brushed ballad under 2.
So, as a mixing engineer rides the faders per section, the mix is measured per mark (the median
short-term loudness of its sections, as `song analyze --audio` measures the master) and each mark's
sections are moved so that every step of pp … ff is STEP_LU (the moves centred on zero: the master
then sets the overall level). A gain changes over RAMP_S from a section's first sample, so it lands on the downbeat
without a click. A song with one mark (or none) is left as it is. The ride is applied to the mix bus,
before the master's glue and limiter; the stems keep the band's own balance.
"""

from __future__ import annotations

import math

import numpy as np

from compiler.timeline import Timeline, clock

from . import loudness

DYNAMICS = ("pp", "p", "mp", "mf", "f", "ff")
STEP_LU = 3.0  # the master's glue and limiter take 0.2-0.5 LU off it: 2.5-2.9 in the master
RAMP_S = 0.05
MOST_MOVE_DB = 9.0  # a mark's move is kept within ±this


def ride(timeline: Timeline, audio: np.ndarray, hops: np.ndarray) -> np.ndarray:
    """Set each section's level (in place) and return the new mix's hop powers (`loudness.hop_power`)."""
    sections = _sections(timeline)
    moves = mark_gains(_measured(sections, hops))
    if not any(moves.values()):
        return hops
    rate = timeline.master.sample_rate
    curve = gain_curve(sections, moves, rate, audio.shape[1])
    ridden = loudness.hop_power(audio, rate, curve)
    audio *= curve
    return ridden


def mark_gains(measured: dict[str, float]) -> dict[str, float]:
    """The gain (dB) for each mark that puts every step STEP_LU apart, the moves centred on zero (the
    master sets the overall level) and kept within ±MOST_MOVE_DB.

    Example:
        >>> mark_gains({"mp": -30.0, "f": -22.0})  # two steps apart: 6 LU wanted, 8 measured
        {'mp': 1.0, 'f': -1.0}
    """
    if len(measured) < 2:
        return {mark: 0.0 for mark in measured}
    top = max(measured, key=DYNAMICS.index)
    moves = {mark: measured[top] - STEP_LU * (DYNAMICS.index(top) - DYNAMICS.index(mark)) - level
             for mark, level in measured.items()}
    centre = (max(moves.values()) + min(moves.values())) / 2
    return {mark: round(min(max(move - centre, -MOST_MOVE_DB), MOST_MOVE_DB), 2) for mark, move in moves.items()}


def gain_curve(sections: list[tuple[float, float, str]], gains: dict[str, float], rate: int,
               length: int) -> np.ndarray:
    """(length,) float32: each section at its mark's gain, ramped in over RAMP_S from the previous one's."""
    levels = np.zeros(length, np.float64)
    ramp = max(round(RAMP_S * rate), 1)
    previous = gains.get(sections[0][2], 0.0) if sections else 0.0
    levels[:] = previous  # the lead-in plays at the first section's level
    for start_s, _, mark in sections:
        start, level = min(round(start_s * rate), length), gains.get(mark, 0.0)
        levels[start:] = level  # up to the next section's start (the last one holds to the end)
        into = np.arange(start, min(start + ramp, length))
        levels[into] = previous + (level - previous) * (into - start) / ramp
        previous = level
    return (10 ** (levels / 20)).astype(np.float32)


def _sections(timeline: Timeline) -> list[tuple[float, float, str]]:
    """(start s, end s, dynamic mark) of each section pass, in time order."""
    tempo = clock(timeline)
    markers = sorted(timeline.markers, key=lambda m: m.tick)
    ends = [m.tick for m in markers[1:]] + [timeline.end_tick]
    return [(tempo.seconds(m.tick), tempo.seconds(end), m.dynamic) for m, end in zip(markers, ends)]


def _measured(sections: list[tuple[float, float, str]], hops: np.ndarray) -> dict[str, float]:
    """Each mark's median over its sections of their median short-term loudness (silent ones left out)."""
    per_mark: dict[str, list[float]] = {}
    for start_s, end_s, mark in sections:
        value = loudness.section_median(hops, start_s, end_s)
        if math.isfinite(value) and mark in DYNAMICS:
            per_mark.setdefault(mark, []).append(value)
    return {mark: float(np.median(values)) for mark, values in per_mark.items()}
