"""resolve.variations: a `vary NAME …` block of a pattern -> ir.Variation (its lanes, length, weight, placement).

    vary push weight 2 at phrase-end       # one bar, drawn twice as often as a weight-1 one
      comp | X - - . . . . > |
    vary answer at before-change           # a two-bar phrase, only where a new chord follows it
      comp | . . . x - - - - | . . x . . . > - |
"""

from __future__ import annotations

from typing import Callable

from .. import ir
from .. import syntax as S
from ..errors import DiagnosticSink
from ..words import Words

PHRASE_BARS = (1, 2, 4, 8)
MAX_WEIGHT = 100
MAX_EVERY = 64
OPTIONS = ("weight", "at", "every")


def read_variation(block: S.PatternBlock, read_lane: Callable[[S.Lane], list[ir.Lane]],
                   sink: DiagnosticSink) -> ir.Variation | None:
    """`vary NAME [weight N] [at PLACE]… [every N]` and its lanes; None (after a diagnostic) if bad."""
    words = Words(block.values, sink, block.name.span)
    name = words.name("a variation name", "vary push weight 2")
    if name is None:
        return None
    options = _options(words, sink)
    lanes = _lanes(block, read_lane, sink)
    if options is None or lanes is None:
        return None
    bars = _length(lanes, block, sink)
    if bars is None:
        return None
    weight, at, every = options
    return ir.Variation(name=name.text, lanes=tuple(lanes), bars=bars, weight=weight, at=at, every=every,
                        span=block.span)


def read_weight(line: S.PatternBlock, sink: DiagnosticSink) -> int | None:
    """`weight N`: the plain lanes' share among the variations (0: never played as they are)."""
    if line.lines:
        sink.error("E014", "`weight` holds no lanes", line.name.span, "write `weight 2` on one line")
    return _whole(Words(line.values, sink, line.name.span), "weight", (0, MAX_WEIGHT, "weight 2"), sink)


# Each numeric option: (lowest, highest, example).
RANGES = {"weight": (1, MAX_WEIGHT, "vary push weight 2"), "every": (2, MAX_EVERY, "vary lay_out every 8")}


def _options(words: Words, sink: DiagnosticSink) -> tuple[int, tuple[str, ...], int | None] | None:
    """(weight, placements, every) from the words after the name."""
    weight, at, every = 1, [], None
    while not words.done():
        option = words.choice("variation option", "vary push weight 2 at phrase-end", OPTIONS)
        if option is None:
            return None
        if option.text == "at":
            place = words.choice("placement", "at phrase-end", ir.PLACEMENTS)
            if place is None:
                return None
            at.append(place.text)
            continue
        value = _whole(words, option.text, RANGES[option.text], sink)
        if value is None:
            return None
        weight, every = (value, every) if option.text == "weight" else (weight, value)
    return weight, tuple(dict.fromkeys(at)), every


def _whole(words: Words, what: str, limits: tuple[int, int, str], sink: DiagnosticSink) -> int | None:
    """A whole number in `limits`, after a diagnostic None."""
    low, high, example = limits
    value = words.number(f"a {what}", example, low, high)
    if value is not None and value.denominator != 1:
        sink.error("E012", f"a {what} is a whole number", words.words[words.pos - 1].span, f"write `{example}`")
        return None
    return None if value is None else int(value)


def _lanes(block: S.PatternBlock, read_lane: Callable[[S.Lane], list[ir.Lane]],
           sink: DiagnosticSink) -> list[ir.Lane] | None:
    lanes: list[ir.Lane] = []
    for line in block.lines:
        if isinstance(line, S.Lane):
            lanes += read_lane(line)
        else:
            sink.error("E014", f"`{line.name.text}` cannot stand inside a variation", line.name.span,
                       "a `vary` block holds lanes only, e.g. `snare | . . x . |`")
    if not block.lines:
        sink.error("E071", f"the variation `{block.values[0].text}` has no lanes", block.name.span,
                   "indent the lanes it plays under it, e.g. `  comp | X - - x . . . . |`")
        return None
    return lanes if lanes else None


def _length(lanes: list[ir.Lane], block: S.PatternBlock, sink: DiagnosticSink) -> int | None:
    """The variation's bars: every lane has the same number, 1, 2, 4 or 8."""
    counts = {len(lane.steps) for lane in lanes}
    if len(counts) == 1 and next(iter(counts)) in PHRASE_BARS:
        return next(iter(counts))
    longest = max(lanes, key=lambda lane: len(lane.steps))
    found = ", ".join(str(c) for c in sorted(counts))
    sink.error("E071", f"a variation is one bar or a phrase of 2, 4 or 8 bars; its lanes have {found}",
               longest.span or block.name.span, "give every lane of the variation the same number of bars: 1, 2, 4 or 8")
    return None
