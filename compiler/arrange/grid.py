"""arrange.grid: step lanes -> steps in ticks (the grid laid over each bar, swing applied), and lane streams."""

from __future__ import annotations

import bisect
import math
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from ..timeline import PPQ
from .context import BarContext
from .patterns import BarPlan

REST = "."
HOLD = "-"
STRAIGHT = Fraction(1, 2)
EIGHTH, SIXTEENTH = PPQ // 2, PPQ // 4


class Step(NamedTuple):
    """One grid step: `start`/`end` in ticks, its character, `offset` (its unswung place in ticks
    from the bar line) and the index of its bar."""

    start: int
    end: int
    char: str
    offset: int
    bar: int


# Steps are made by the ten thousand per song: built from a tuple directly, without the namedtuple's
# keyword-taking __new__ (as its own `_make` does).
_new_step = tuple.__new__


def bar_steps(steps: str, grid: int, bar: BarContext, swing: Fraction) -> list[Step]:
    """The steps of one lane bar laid over `bar`; `grid` is the lane bar's length in ticks.

    Each step keeps its length in beats (the grid's length divided by the step count); the grid is
    cut or cycled to fill the bar. Swing applies in x/4 and x/2 bars only (compound meters are
    already triplet-based; see `bar_layout`).
    """
    first, index = bar.start, bar.index
    return [_new_step(Step, (first + start, first + end, char, offset, index))
            for start, end, char, offset in bar_layout(steps, grid, bar, swing)]


def bar_layout(steps: str, grid: int, bar: BarContext, swing: Fraction) -> tuple[tuple[int, int, str, int], ...]:
    """`layout` for `bar`: (start, end, char, offset) of each step from its bar line, with swing in
    x/4 and x/2 bars only. The drums read this directly; they need no `Step` per rest."""
    return layout(steps, grid, bar.end - bar.start, swing if bar.meter.den in (2, 4) else STRAIGHT)


def swung(tick: Fraction, size: Fraction, swing: Fraction) -> Fraction:
    """Where a step `tick` ticks after the bar line, on a grid of `size`-tick steps, is played.

    Off-beat 8ths move to `swing` of the beat; on a 16th grid the 2nd and 4th sixteenths move to
    `swing/2` and `1/2 + swing/2` of it.

    Example:
        >>> swung(Fraction(720), Fraction(240), Fraction(62, 100))  # the "and" of 2 at 62 %
        Fraction(3888, 5)
    """
    beat, within = divmod(tick, PPQ)
    if size == EIGHTH and within == EIGHTH:
        return beat * PPQ + swing * PPQ
    if size == SIXTEENTH and within in (SIXTEENTH, 3 * SIXTEENTH):
        return beat * PPQ + within - SIXTEENTH + swing * PPQ / 2
    return tick


@lru_cache(maxsize=1024)
def layout(steps: str, grid: int, length: int, swing: Fraction) -> tuple[tuple[int, int, str, int], ...]:
    """(start, end, char, offset) of each step in a bar of `length` ticks, from the bar line.

    Example:
        >>> [start for start, _, _, _ in layout("x.x.", 960, 960, Fraction(2, 3))]
        [0, 320, 480, 800]
    """
    size = Fraction(grid, len(steps))
    count = math.ceil(length / size)
    places = [i * size for i in range(count)]
    starts = [round(swung(place, size, swing)) for place in places]
    ends = starts[1:] + [length]
    return tuple((start, end, steps[i % len(steps)], round(places[i]))
                 for i, (start, end) in enumerate(zip(starts, ends)))


def lane_stream(plans: tuple[BarPlan, ...], bars: tuple[BarContext, ...], name: str) -> list[Step]:
    """The lane called `name` through the whole song, bar after bar; a bar without it is one rest."""
    stream: list[Step] = []
    for plan, bar in zip(plans, bars):
        lane = next((lane for lane in plan.lanes if lane.name == name), None)
        if lane is None:
            stream.append(Step(bar.start, bar.end, REST, 0, bar.index))
        else:
            stream += bar_steps(lane.steps, lane.grid, bar, lane.swing)
    return stream


def split(steps: list[Step], ticks: list[int]) -> list[Step]:
    """Cut every step that a tick in `ticks` falls strictly inside; the later part holds (`-`), or
    rests if the step was a rest.

    Example:
        >>> split([Step(0, 480, "x", 0, 0)], [240])
        [Step(start=0, end=240, char='x', offset=0, bar=0), Step(start=240, end=480, char='-', offset=240, bar=0)]
    """
    result: list[Step] = []
    cuts = sorted(set(ticks))
    for step in steps:
        first = bisect.bisect_right(cuts, step.start)
        last = bisect.bisect_left(cuts, step.end)
        if first >= last:  # nothing falls inside: most steps
            result.append(step)
            continue
        start, char = step.start, step.char
        for cut in cuts[first:last]:
            result.append(Step(start, cut, char, step.offset + start - step.start, step.bar))
            start, char = cut, REST if step.char == REST else HOLD
        result.append(Step(start, step.end, char, step.offset + start - step.start, step.bar))
    return result


def index_at(starts: list[int], tick: int) -> int | None:
    """Index of the step starting exactly at `tick`, given the steps' sorted `starts`, or None."""
    i = bisect.bisect_left(starts, tick)
    return i if i < len(starts) and starts[i] == tick else None
