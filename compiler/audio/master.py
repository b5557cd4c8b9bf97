"""master: pre-master mix, float32 (2, n) + mixspec.MasterSpec -> the mastered mix (in place) and its report.

Two steps: `prepare` (what depends on the mix alone, cacheable) and `finish` (what the master spec sets).

Chain: a 25 Hz low cut (12 dB/octave, below any instrument) -> glue compression (2:1, 30 ms attack,
250 ms release, threshold 6 dB above the mix's integrated loudness, so only the loudest moments move) ->
gain to the loudness target -> true-peak limiter.

The limiter works on a gain curve computed once for the whole song with vectorised numpy:
1. the true-peak envelope of the input (4× oversampled, per base sample), in dB and held: the highest
   level over [n - 10 ms hold, n + 3 ms look-ahead]. It does not depend on the gain, so `prepare`
   makes it once and a new loudness target only shifts it;
2. the reduction each sample needs for that level to stay under the ceiling minus a 0.3 dB margin;
3. release: the gain may rise at most 100 dB/s, e.g. 6 dB in 60 ms (a running minimum with a slope,
   via a cumulative minimum);
4. two 1.5 ms trailing averages, a smooth 3 ms attack that still reaches each needed value in time (both
   averaging windows lie inside the look-ahead, so every averaged value is itself low enough).
Limiting lowers the loudness, so the pre-limiter gain is raised by the shortfall (scaled by how much
the previous raise achieved) and the curve made again, up to five passes, until the result is within
0.2 LU of the target. The last step measures the output's true peak and, should interpolation still
put it over the ceiling, lowers the whole master by the excess.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pedalboard

from compiler.mixspec import MasterSpec

from . import loudness
from .dsp import running_min
from .effects import Biquad
from .render import THREADS

LOW_CUT_HZ = 25.0
GLUE_RATIO, GLUE_ATTACK_MS, GLUE_RELEASE_MS, GLUE_ABOVE_DB = 2.0, 30.0, 250.0, 6.0
MARGIN_DB = 0.3
LOOKAHEAD_S, HOLD_S, RELEASE_DB_PER_S = 0.003, 0.010, 100.0
TOLERANCE_LU, MAX_PASSES, MAX_EXTRA_GAIN_DB = 0.2, 5, 12.0
_CHUNK = 1 << 16
_SEGMENT = 1 << 16
_FLOOR_DB = -180.0  # the level of silence in the held envelope


@dataclass
class Prepared:
    """The master bus up to the loudness target: all of it depends on the mix alone (so it can be cached).

    `audio`: (2, n) float32 with the low cut and glue applied; `peak_db`: its held true-peak level
    (see `held_peak_db`), (n,); `premaster_lufs`/`toned_lufs`: integrated loudness before and after
    the low cut and glue.
    """

    audio: np.ndarray
    peak_db: np.ndarray
    premaster_lufs: float
    toned_lufs: float


def prepare(audio: np.ndarray, rate: int, premaster_lufs: float) -> Prepared:
    """Low cut and glue `audio` in place (the glue threshold follows `premaster_lufs`) and measure it."""
    if not math.isfinite(premaster_lufs):  # silence: nothing to shape
        return Prepared(audio, np.full(audio.shape[1], _FLOOR_DB, np.float32), premaster_lufs, premaster_lufs)
    _tone(audio, rate, premaster_lufs + GLUE_ABOVE_DB)
    toned = loudness.integrated(loudness.hop_power(audio, rate))
    return Prepared(audio, held_peak_db(loudness.true_peak_envelope(audio), rate), premaster_lufs, toned)


def finish(prepared: Prepared, spec: MasterSpec, before_change: Callable[[], object] = lambda: None) -> dict:
    """Bring `prepared.audio` (in place) to the loudness target under the true-peak ceiling; return the report.

    `before_change` is called once the gain curve is known, just before the audio is first changed.
    The report's `hops` (not written to report.json) is the master's power per 100 ms hop, which the
    sections' loudness is measured on.
    """
    audio, rate = prepared.audio, spec.sample_rate
    if not math.isfinite(prepared.toned_lufs):  # silence: nothing to normalise or limit
        before_change()
        return _report(audio, spec, loudness.hop_power(audio, rate), prepared.premaster_lufs, 0.0, 0.0, 0)
    gain_db = normalising = spec.target_lufs - prepared.toned_lufs
    previous: tuple[float, float] | None = None
    for passes in range(1, MAX_PASSES + 1):
        curve = limiter_gain(prepared.peak_db, gain_db, spec.ceiling_dbtp - MARGIN_DB, rate)
        hops = loudness.hop_power(audio, rate, curve)  # the master's own loudness, once the curve is applied
        achieved = loudness.integrated(hops)
        if abs(achieved - spec.target_lufs) <= TOLERANCE_LU or passes == MAX_PASSES:
            break
        step = _next_gain_step(spec.target_lufs - achieved, (gain_db, achieved), previous)
        # Past 12 dB more than plain normalisation the limiter is only flattening: a target this
        # signal cannot reach is missed (and reported) rather than chased up the noise floor.
        raised = min(gain_db + step, normalising + MAX_EXTRA_GAIN_DB)
        if raised == gain_db:
            break
        previous, gain_db = (gain_db, achieved), raised
    reduction = gain_db - 20 * math.log10(float(curve.min()))
    before_change()
    _apply(audio, curve)
    return _report(audio, spec, hops, prepared.premaster_lufs, gain_db, max(reduction, 0.0), passes)


def _next_gain_step(shortfall: float, current: tuple[float, float], previous: tuple[float, float] | None) -> float:
    """How much to raise the make-up gain: the shortfall, divided by how much loudness the last raise bought.

    Under heavy limiting 1 dB more gain yields well under 1 LU more loudness; the secant slope from the
    last two passes (kept within 0.25..1) corrects for that, so the target is met in a few passes.
    """
    if previous is None or current[0] == previous[0]:
        return shortfall
    slope = (current[1] - previous[1]) / (current[0] - previous[0])
    return shortfall / min(max(slope, 0.25), 1.0)


def held_peak_db(envelope: np.ndarray, rate: int) -> np.ndarray:
    """The highest level (dB) of a true-peak `envelope` over [n - hold, n + look-ahead - 1], for every n.

    What the limiter must clear at sample n: the hold keeps a reduction up for 10 ms after a peak, the
    look-ahead starts it 3 ms before. Made in segments on two threads, each segment with the context
    its window needs, so no full-length temporaries exist.
    """
    lookahead, hold = round(LOOKAHEAD_S * rate), round(HOLD_S * rate)
    held = np.empty(len(envelope), np.float32)
    floor = np.float32(10 ** (_FLOOR_DB / 20))

    def fill(start: int) -> None:
        end = min(start + _SEGMENT, len(envelope))
        lo, hi = max(start - hold, 0), min(end + lookahead - 1, len(envelope))
        level = np.log10(np.maximum(envelope[lo:hi], floor))
        level *= np.float32(-20)  # negated: the running maximum is a running minimum of the negation
        held[start:end] = running_min(level, hold, lookahead - 1)[start - lo:end - lo]
        np.negative(held[start:end], out=held[start:end])

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(fill, range(0, len(envelope), _SEGMENT)))
    return held


def limiter_gain(peak_db: np.ndarray, gain_db: float, ceiling_db: float, rate: int) -> np.ndarray:
    """The total linear gain per sample (the make-up gain `gain_db` times the limiter's reduction).

    `peak_db` is the held level from `held_peak_db`. Guarantees gain[n] × envelope[n] ≤ ceiling for
    every n (up to float rounding). Made in segments that fit the CPU cache, each with the context
    its windows need, so no full-length temporaries exist; a segment where the limiter rests (nothing
    over the ceiling, nothing carried in) is skipped.
    """
    smooth = round(LOOKAHEAD_S * rate) // 2
    slope = np.float32(RELEASE_DB_PER_S / rate)
    ramp = slope * np.arange(min(_SEGMENT, len(peak_db)), dtype=np.float32)
    headroom = np.float32(ceiling_db - gain_db)
    curve = np.zeros(len(peak_db), np.float32)  # the reduction in dB, then the total gain
    carry, history = np.float32(0), np.zeros(2 * smooth, np.float32)
    for start in range(0, len(peak_db), _SEGMENT):
        segment = peak_db[start:start + _SEGMENT]
        if carry == 0 and not history.any() and segment.max() <= headroom:
            continue
        need = np.minimum(headroom - segment, np.float32(0))
        released = _release(need, slope, ramp[:len(need)], carry)
        carry = released[-1]
        if start == 0:  # before the song, the first value holds
            history = np.full(2 * smooth, released[0], np.float32)
        extended = np.concatenate([history, released])
        history = extended[-2 * smooth:]
        curve[start:start + len(need)] = _smoothed(extended, smooth)
    curve += np.float32(gain_db)
    curve *= np.float32(math.log(10) / 20)
    return np.exp(curve, out=curve)


def _release(need_db: np.ndarray, slope: np.float32, ramp: np.ndarray, carry: np.float32) -> np.ndarray:
    """out[n] = min(carry + slope·(n + 1), min over k ≤ n of need[k] + slope·(n - k)); ramp[n] = slope·n.

    The gain recovers at `slope` dB per sample: a cumulative minimum of need[k] - slope·k, with the
    value before the segment carried in (it matters only until its ramp passes 0). Segments are
    short, so the ramp stays float32-exact to 1e-5 dB.
    """
    lowest = np.minimum.accumulate(need_db - ramp)
    lowest += ramp
    carried = min(len(lowest), math.ceil(-carry / slope) + 2)
    np.minimum(lowest[:carried], carry + slope + ramp[:carried], out=lowest[:carried])
    return lowest


def _smoothed(values: np.ndarray, length: int) -> np.ndarray:
    """Two `length`-sample trailing means in series, without the first 2·length values: float32.

    Out[j] is the mean over i in [j+2, j+2+length) of the mean of values[i .. i+length-1]; with C the
    twice-cumulated sum that is a second difference of C. float64: C reaches about 1e11 on a segment.
    """
    once = np.zeros(len(values) + 1)
    np.cumsum(values, dtype=np.float64, out=once[1:])
    twice = np.zeros(len(values) + 2)
    np.cumsum(once, out=twice[1:])
    count = len(values) - 2 * length
    out = twice[2 * length + 2:2 * length + 2 + count] - 2 * twice[length + 2:length + 2 + count]
    out += twice[2:2 + count]
    out *= 1 / (length * length)
    return out.astype(np.float32)


def _tone(audio: np.ndarray, rate: int, threshold_db: float) -> None:
    low_cut = Biquad("lowcut", LOW_CUT_HZ, 0.707, rate)
    glue = pedalboard.Compressor(threshold_db=threshold_db, ratio=GLUE_RATIO, attack_ms=GLUE_ATTACK_MS,
                                 release_ms=GLUE_RELEASE_MS)
    starts = range(0, audio.shape[1], _CHUNK)
    # Each stage runs through time in order, but the two need not wait for each other: the next
    # chunk's low cut runs on a second thread while this chunk is glued (both release the GIL).
    with ThreadPoolExecutor(1, thread_name_prefix="low-cut") as pool:
        cuts = [pool.submit(low_cut, audio[:, start:start + _CHUNK]) for start in starts[:1]]
        for start in starts:
            if start + _CHUNK < audio.shape[1]:
                cuts.append(pool.submit(low_cut, audio[:, start + _CHUNK:start + 2 * _CHUNK]))
            audio[:, start:start + _CHUNK] = glue(cuts.pop(0).result(), rate, reset=False)


def _apply(audio: np.ndarray, curve: np.ndarray) -> None:
    for start in range(0, audio.shape[1], _CHUNK):
        audio[:, start:start + _CHUNK] *= curve[start:start + _CHUNK]


def _within_ceiling(audio: np.ndarray, ceiling_db: float) -> tuple[float, float]:
    """Measure the true peak; should interpolation still overshoot the ceiling, lower everything by the excess.

    Returns the true peak of the result (a static gain moves it by exactly that gain) and the gain
    applied in dB (0 or negative).
    """
    peak = loudness.true_peak(audio)
    excess = peak - ceiling_db
    if excess <= 0:
        return peak, 0.0
    audio *= np.float32(10 ** (-(excess + 0.05) / 20))
    return peak - (excess + 0.05), -(excess + 0.05)


def _report(audio: np.ndarray, spec: MasterSpec, hops: np.ndarray, premaster_lufs: float, gain_db: float,
            reduction_db: float, passes: int) -> dict:
    """Guard the ceiling, then report the finished master.

    `hops` is the master's loudness per hop as the limiter's last pass measured it; a static gain
    from the guard scales it exactly, so the audio is not filtered once more.
    """
    true_peak, lowered_db = _within_ceiling(audio, spec.ceiling_dbtp)
    hops = hops * 10 ** (lowered_db / 10)
    value = loudness.finite_or_none
    return {
        "preset": spec.preset, "format": spec.format, "bit_depth": spec.bit_depth,
        "sample_rate": spec.sample_rate, "samples": audio.shape[1],
        "duration_s": round(audio.shape[1] / spec.sample_rate, 3),
        "target_lufs": spec.target_lufs, "ceiling_dbtp": spec.ceiling_dbtp,
        "integrated_lufs": value(loudness.integrated(hops)), "true_peak_dbtp": value(true_peak),
        "sample_peak_dbfs": value(loudness.sample_peak(audio)),
        "loudness_range_lu": value(loudness.loudness_range(hops)),
        "premaster_integrated_lufs": value(premaster_lufs), "gain_db": round(gain_db, 2),
        "max_limiter_reduction_db": round(reduction_db, 2), "limiter_passes": passes,
        "envelope": loudness.envelope(audio, hops, spec.sample_rate), "hops": hops,
    }
