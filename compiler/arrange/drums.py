"""arrange.drums: kit-piece lanes -> drum hits (`x` hit, `X` accent, `o` ghost, `.` rest)."""

from __future__ import annotations

from functools import lru_cache

from ..instruments import find_drum_piece
from ..timeline import PPQ
from .context import Hit, SongContext
from .grid import bar_layout
from .patterns import BarPlan

VELOCITY = {"X": 112, "x": 92, "o": 48}
HIT_TICKS = PPQ // 4  # percussion rings by itself; the note only has to start it


def play_drums(plans: tuple[BarPlan, ...], ctx: SongContext) -> list[Hit]:
    """Every lane of every bar, each step a hit on its kit piece, scaled by the bar's dynamics."""
    hits: list[Hit] = []
    for plan, bar in zip(plans, ctx.bars):
        low, high = bar.scale  # `bar.scale_at`, inlined (the same arithmetic): a song has thousands of hits
        rise, length = high - low, bar.end - bar.start
        for lane in plan.lanes:
            piece = _piece(lane.name)
            for start, end, char, _ in bar_layout(lane.steps, lane.grid, bar, lane.swing):
                if char in VELOCITY:
                    velocity = max(1, min(127, round(VELOCITY[char] * (low + rise * start / length))))
                    hits.append(Hit(bar.start + start, min(HIT_TICKS, end - start), piece, velocity))
    return hits


@lru_cache(maxsize=128)
def _piece(name: str) -> int:
    """The GM key of a lane's kit piece (resolve has checked the name)."""
    return find_drum_piece(name)
