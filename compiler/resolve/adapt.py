"""resolve.adapt: a style's `adapt 6/4 as 4+2` lines -> ir.MeterAdapt (how its 4/4 lanes are re-cut in bars
of another meter; `arrange.meter` plays them)."""

from __future__ import annotations

from .. import ir
from ..arrange.meter import GROUP_BEATS, SOURCE_BEATS
from ..errors import DiagnosticSink
from ..words import Words
from .chart import read_meter

EXAMPLE = "adapt 6/4 as 4+2"


def read_adapt(words: Words, sink: DiagnosticSink) -> ir.MeterAdapt | None:
    """`adapt METER as GROUPS`: a meter of x/4, then its beats as groups of 2, 3 or 4 joined by `+`."""
    meter = read_meter(words, sink)
    if meter is None:
        return None
    if words.peek_name() != "as":
        words.expected("`as` and the groups of beats", EXAMPLE)
        return None
    words.take()
    groups: list[int] = []
    while not words.done():
        size = words.number("a group of beats", EXAMPLE, 1, 32)
        if size is None:
            return None
        groups.append(int(size))
    if not groups:
        words.expected("the groups of beats", EXAMPLE)
        return None
    return ir.MeterAdapt(meter=meter, groups=tuple(groups), span=meter.span)


def check_adapts(adapts: tuple[ir.MeterAdapt, ...], written: ir.Meter, sink: DiagnosticSink) -> tuple[ir.MeterAdapt, ...]:
    """The `adapt` lines that can be played: in a style written in four quarter beats, for a meter of
    x/4 not given twice, in groups of 2, 3 or 4 beats that add up to the bar (E072 for the others)."""
    kept: dict[tuple[int, int], ir.MeterAdapt] = {}
    for adapt in adapts:
        meter, groups = adapt.meter, adapt.groups
        problem = _problem(meter, groups, written, (meter.num, meter.den) in kept)
        if problem is None:
            kept[(meter.num, meter.den)] = adapt
        else:
            message, help_text = problem
            sink.error("E072", message, adapt.span, help_text)
    return tuple(kept.values())


def _problem(meter: ir.Meter, groups: tuple[int, ...], written: ir.Meter, twice: bool) -> tuple[str, str] | None:
    shown = "+".join(map(str, groups))
    if written.quarters != SOURCE_BEATS:
        return (f"`adapt` re-cuts lanes of four quarter beats; this style is written in {written}",
                "remove the line, or write the style in 4/4")
    if meter.den != 4 or meter.num == SOURCE_BEATS:
        return (f"`adapt {meter}`: only bars of quarter beats other than 4/4 are re-cut", f"write e.g. `{EXAMPLE}`")
    if twice:
        return f"`adapt {meter}` is given twice", "keep one line per meter"
    if any(size not in GROUP_BEATS for size in groups) or sum(groups) != meter.num:
        return (f"`{shown}` does not split a bar of {meter} into groups of 2, 3 or 4 beats",
                f"write groups that add up to {meter.num}, e.g. `adapt {meter} as {_example(meter.num)}`")
    return None


def _example(beats: int) -> str:
    """A grouping of `beats` into 4s then a 2 or 3 (5: 3+2)."""
    fours, rest = divmod(beats, 4)
    if rest == 1:
        fours, rest = fours - 1, 5
    tail = {0: [], 2: [2], 3: [3], 5: [3, 2]}[rest]
    return "+".join(map(str, [4] * fours + tail))
