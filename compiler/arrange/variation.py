"""arrange.variation: which variation of its pattern part a track plays in each bar (seeded, balanced, placed).

A pattern part (a level, or the fill) holds its plain lanes and `vary` alternatives. Bar by bar,
the alternatives whose length and placement fit the bar are candidates, with the plain lanes
(unless their weight is 0); one is drawn by weight. The draw is balanced, a seeded smooth weighted
round robin: each candidate gains its weight in credit whenever it could be played, the drawn one
pays the candidates' total, and the seeded jitter decides among those near the top. So over a run
of bars each alternative is played close to its share, never in a fixed cycle, and another seed
gives another order. A variation of several bars is drawn at a bar of its phrase that is a
multiple of its length and plays through.
"""

from __future__ import annotations

import random
from typing import Callable, NamedTuple

from .. import ir
from .context import HITS, BarContext, SongContext

PLAIN = -1  # the candidate index of a part's own lanes


class Chosen(NamedTuple):
    """What a bar plays of its part: a variation (None: the plain lanes) and which bar of it."""

    variation: ir.Variation | None
    bar: int


NONE = Chosen(None, 0)


def choose_variations(parts: list[ir.PatternPart | None], ctx: SongContext, rng: random.Random) -> list[Chosen]:
    """The variation each bar plays, given the part each bar plays (None: not a groove bar)."""
    chosen = [NONE] * len(parts)
    credits: dict[tuple[int, int], float] = {}
    i = 0
    while i < len(parts):
        part = parts[i]
        if part is None or not part.variations:
            i += 1
            continue
        candidates = [(k, v.weight) for k, v in enumerate(part.variations) if fits(v, i, parts, ctx)]
        candidates += [(PLAIN, part.weight)] if part.weight else []
        pick = _draw(candidates, credits, id(part), rng) if candidates else PLAIN
        if pick == PLAIN:
            i += 1
            continue
        variation = part.variations[pick]
        for bar in range(variation.bars):
            chosen[i + bar] = Chosen(variation, bar)
        i += variation.bars
    return chosen


def _draw(candidates: list[tuple[int, int]], credits: dict[tuple[int, int], float], key: int,
          rng: random.Random) -> int:
    """One candidate index, drawn by weight and balanced by the credit each has gathered."""
    total = sum(weight for _, weight in candidates)
    best, best_score = PLAIN, float("-inf")
    for index, weight in candidates:
        credit = credits.get((key, index), 0.0) + weight
        credits[key, index] = credit
        score = credit + rng.random() * total
        if score > best_score:
            best, best_score = index, score
    credits[key, best] -= total
    return best


def fits(variation: ir.Variation, i: int, parts: list[ir.PatternPart | None], ctx: SongContext) -> bool:
    """Whether `variation` may start at bar `i`: its bars all play the same part in one pass, it
    starts at a multiple of its length in its phrase and ends inside the phrase, and its
    placements hold."""
    length = variation.bars
    if length == 1 and variation.every is None:  # a bar always fits its own phrase
        return all(PLACEMENT[place](ctx, i, i) for place in variation.at)
    last = i + length - 1
    if last >= len(parts) or any(parts[j] is not parts[i] for j in range(i, last + 1)):
        return False
    first, end = ctx.bars[i], ctx.bars[last]
    position, phrase = first.phrase
    if position % length or position + length > phrase or end.part is not first.part:
        return False
    if variation.every is not None and (end.bar_in_pass + 1) % variation.every:
        return False
    return all(PLACEMENT[place](ctx, i, last) for place in variation.at)


def _new_chord_at(ctx: SongContext, bar: int) -> bool:
    """Whether a new chord starts on the downbeat of bar `bar`."""
    if bar >= len(ctx.bars):
        return False
    return ctx.chord_at(ctx.bars[bar].start).start == ctx.bars[bar].start


def _section_end(ctx: SongContext, last: int) -> bool:
    """The bar ends its pass and another pass follows."""
    return last + 1 < len(ctx.bars) and ctx.bars[last + 1].part is not ctx.bars[last].part


def _after_hit(ctx: SongContext, first: int) -> bool:
    return first > 0 and ctx.bars[first - 1].mode in HITS


def _phrase_end(bar: BarContext) -> bool:
    position, phrase = bar.phrase
    return position == phrase - 1


# Each placement: does it hold for a variation over bars first..last (0-based song bars)?
PLACEMENT: dict[str, Callable[[SongContext, int, int], bool]] = {
    "phrase-start": lambda ctx, first, last: ctx.bars[first].phrase[0] == 0,
    "phrase-end": lambda ctx, first, last: _phrase_end(ctx.bars[last]),
    "section-start": lambda ctx, first, last: ctx.bars[first].bar_in_pass == 0,
    "section-end": lambda ctx, first, last: _section_end(ctx, last),
    "change": lambda ctx, first, last: _new_chord_at(ctx, first),
    "held": lambda ctx, first, last: not _new_chord_at(ctx, first),
    "before-change": lambda ctx, first, last: _new_chord_at(ctx, last + 1),
    "after-hit": lambda ctx, first, last: _after_hit(ctx, first),
    "before-hit": lambda ctx, first, last: ctx.bars[last].setup,
}
