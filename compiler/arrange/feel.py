"""arrange.feel: where each part sits against the beat, and how it shapes its dynamics, by tempo and role.

A rhythm section does not play on a grid. After JJSwing's public tempo profile: the timing jitter
is a few milliseconds whatever the tempo (so fewer ticks when slow, more when fast), halved on the
downbeats; the bass leans a hair ahead as the tempo rises, the piano sits behind the beat in a
ballad, the ride and hi-hat stay on top; at fast tempos accents flatten, velocities squeezed toward
the middle, and in a slow swing the band leans on 2 and 4. These are the defaults; a track's `timing ahead 4ms` / `timing behind 8ms` / `timing on`
(in a style or a song) replaces its role's offset. `humanize` lays the feel over a part; a part
humanized 0 % plays exactly on the grid, feel and all.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .. import ir
from ..timeline import PPQ
from .context import Hit

JITTER_MS = 12.0  # the widest move at humanize 100 % (a triangular draw: 50 % is about 2.5 ms SD)
JITTER_MAX_TICKS = PPQ // 16 - 6  # never so far that a note leaves its step
# Role offsets in ms (negative: ahead of the beat) at (slow, fast) tempos, interpolated between.
SLOW, FAST = 70, 240
ROLE_OFFSET_MS = {"bass": (0.0, -6.0), "comp": (8.0, 0.0), "pad": (4.0, 0.0)}
SQUEEZE_FROM, SQUEEZE_TO, SQUEEZE_MOST = 170, 260, 0.35  # tempo range; most a velocity is drawn in
VELOCITY_MIDDLE = 80
# A slow swing leans on 2 and 4 (the hi-hat's and the bass's backbeat), most at or below BACKBEAT_FULL
# BPM, fading to nothing by BACKBEAT_GONE, where the beats even out and then the squeeze takes over.
BACKBEAT_FULL, BACKBEAT_GONE, BACKBEAT_MOST = 70, 150, 10  # BPM, BPM, velocity steps


@dataclass(frozen=True, slots=True)
class Feel:
    """One part's feel at the song's tempo.

    Attributes:
        jitter: The widest humanize move, in ticks, at humanize 100 %.
        offset: Ticks every onset is moved (negative: ahead of the beat).
        squeeze: 1 keeps velocities; below 1 draws them toward the middle by that share.
        backbeat: Velocity steps added on beats 2 and 4 (a slow swing's accent shape; 0 otherwise).
    """

    jitter: int
    offset: int
    squeeze: float
    backbeat: int = 0

    def squeezed(self, velocity: int) -> float:
        """`velocity` drawn toward the middle by the squeeze."""
        return VELOCITY_MIDDLE + (velocity - VELOCITY_MIDDLE) * self.squeeze


ON_THE_GRID = Feel(jitter=0, offset=0, squeeze=1.0)


def feel_for(track: ir.TrackDef, tempo: Fraction, swung: bool = False) -> Feel:
    """The feel of `track` at `tempo` (quarter notes per minute); `swung`: the song swings.

    Example:
        >>> bass = ir.TrackDef(name="bass", instrument="acoustic_bass", program=32, role="bass")
        >>> feel_for(bass, Fraction(120)), feel_for(bass, Fraction(240))
        (Feel(jitter=12, offset=-2, squeeze=1.0, backbeat=0), Feel(jitter=23, offset=-12, squeeze=0.728, backbeat=0))
        >>> [feel_for(bass, Fraction(t), swung=True).backbeat for t in (60, 110, 150)]
        [10, 5, 0]
    """
    ms_per_tick = 60_000 / (float(tempo) * PPQ)
    offset_ms = float(track.timing_ms) if track.timing_ms is not None else _role_offset(track.role, float(tempo))
    return Feel(jitter=min(JITTER_MAX_TICKS, round(JITTER_MS / ms_per_tick)), offset=round(offset_ms / ms_per_tick),
                squeeze=_squeeze(float(tempo)), backbeat=_backbeat(float(tempo)) if swung else 0)


def _role_offset(role: str, tempo: float) -> float:
    slow, fast = ROLE_OFFSET_MS.get(role, (0.0, 0.0))
    share = min(1.0, max(0.0, (tempo - SLOW) / (FAST - SLOW)))
    return slow + (fast - slow) * share


def _backbeat(tempo: float) -> int:
    share = min(1.0, max(0.0, (BACKBEAT_GONE - tempo) / (BACKBEAT_GONE - BACKBEAT_FULL)))
    return round(BACKBEAT_MOST * share)


def _squeeze(tempo: float) -> float:
    share = min(1.0, max(0.0, (tempo - SQUEEZE_FROM) / (SQUEEZE_TO - SQUEEZE_FROM)))
    return round(1.0 - SQUEEZE_MOST * share, 3)
