"""resolve.patterns: syntax.Pattern -> ir.PatternDef. Step grids checked against their role's alphabet;
levels, the fill and their variations."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .. import ir
from .. import syntax as S
from ..errors import DiagnosticSink
from ..instruments import drum_piece_names, find_drum_piece
from ..suggest import suggestion_text
from ..words import Words
from .variations import read_variation, read_weight

# What each step character means, per role (documented in docs/language.md).
STEP_ALPHABETS: dict[str, str] = {
    "drums": "xXo.",
    "bass": "R3578WAg-.",
    "comp": "xXo-.>123456789du",
    "pad": "xXo-.>123456789",
    "melody": "xXo-.",
}
LEVELS = 3


def read_pattern(pattern: S.Pattern, sink: DiagnosticSink) -> ir.PatternDef | None:
    """`pattern walking bass` with lanes, `level N` blocks, a `fill` block, `vary` blocks and options."""
    words = Words(pattern.values, sink, pattern.name.span)
    role_word = words.choice("role", f"pattern {pattern.name.text} drums", ir.ROLES)
    if role_word is None:
        return None
    role = role_word.text
    common = _Part()
    levels: list[_Part | None] = [None] * LEVELS
    fill: _Part | None = None
    build: ir.Build | None = None
    two_feel_head = False
    swing: Fraction | None = None
    ostinato: tuple[int, str] | None = None
    for line in pattern.lines:
        if _read_part_line(line, role, common, sink, TOP_LINES):
            continue
        if line.name.text == "level":
            number = _level_number(line, sink)
            if number is not None:
                levels[number - 1] = _block_part(line, role, sink)
        elif line.name.text == "fill":
            fill = _block_part(line, role, sink)
        elif line.name.text == "build":
            build = _build(line, role, sink)
        elif line.name.text == "two-feel":
            two_feel_head = Words(line.values, sink, line.name.span).choice(
                "word after `two-feel`", "two-feel head", ("head",)) is not None
        elif line.name.text == "swing":
            swing = _swing(line, sink)
        elif line.name.text == "ostinato":
            ostinato = _ostinato(line, sink)
    bound, reason = ostinato or (None, "")
    return ir.PatternDef(name=pattern.name.text, role=role, levels=_levels(common, levels),
                         fill=fill.frozen() if fill and (fill.lanes or fill.variations) else None, build=build,
                         two_feel_head=two_feel_head, swing=swing,
                         ostinato=bound, ostinato_reason=reason, span=pattern.name.span)


@dataclass
class _Part:
    """A level, the fill or the lanes outside them, as read: lanes, variations and the plain weight."""

    lanes: list[ir.Lane] = field(default_factory=list)
    variations: list[ir.Variation] = field(default_factory=list)
    weight: int | None = None

    def frozen(self, default_weight: int | None = None, common: _Part | None = None) -> ir.PatternPart:
        """The part with `common`'s lanes and variations first; its weight, else the default, else 1."""
        base = common or _Part()
        weight = next(w for w in (self.weight, default_weight, 1) if w is not None)
        return ir.PatternPart(lanes=tuple(base.lanes + self.lanes), weight=weight,
                              variations=tuple(base.variations + self.variations))


# Lines a pattern may hold outside its blocks, besides lanes, `vary` and `weight`.
TOP_LINES = ("level", "fill", "build", "two-feel", "swing", "ostinato")
BUILD_BARS = (1, 2, 4)
BUILD_EXAMPLE = "build before chorus"


def _read_part_line(line: S.Lane | S.PatternBlock, role: str, part: _Part, sink: DiagnosticSink,
                    others: tuple[str, ...] = ()) -> bool:
    """Read a lane, a `vary` block or a `weight` line into `part`; False for a line in `others`."""
    if isinstance(line, S.Lane):
        part.lanes += _lane(line, role, sink)
    elif line.name.text == "vary":
        found = read_variation(line, lambda lane: _lane(lane, role, sink), sink)
        if found is not None and _new_name(found, part, line, sink):
            part.variations.append(found)
    elif line.name.text == "weight":
        part.weight = read_weight(line, sink)
    elif line.name.text in others:
        return False
    else:
        sink.error("E014", f"unknown pattern line `{line.name.text}`", line.name.span,
                   suggestion_text(line.name.text, (*others, "vary", "weight"))
                   or "a pattern holds lanes (`kick | x . x . |`), `level N` blocks, `fill`, `vary` and `swing N%`")
    return True


def _new_name(variation: ir.Variation, part: _Part, line: S.PatternBlock, sink: DiagnosticSink) -> bool:
    if any(v.name == variation.name for v in part.variations):
        sink.error("E013", f"the variation `{variation.name}` is defined twice here", line.span,
                   "give each `vary` block of a level its own name")
        return False
    return True


def _levels(common: _Part, levels: list[_Part | None]) -> tuple:
    """Common lanes and variations join every level; a level nobody wrote stays None (the arranger
    falls back)."""
    if all(level is None for level in levels):
        levels = [_Part(), None, None]
    return tuple(level.frozen(common.weight, common) if level is not None else None for level in levels)


def _level_number(line: S.PatternBlock, sink: DiagnosticSink) -> int | None:
    value = Words(line.values, sink, line.name.span).number("an energy level", "level 2", 1, LEVELS)
    return int(value) if value is not None else None


def _ostinato(line: S.PatternBlock, sink: DiagnosticSink) -> tuple[int, str] | None:
    """`ostinato 3 "why"`: the part's own lower bound of distinct bar rhythms per 32 bars, and why."""
    words = Words(line.values, sink, line.name.span)
    example = 'ostinato 3 "the skank on 2 and 4 is the groove"'
    bound = words.number("a number of distinct bar rhythms", example, 1, 8)
    reason = words.string("the reason, in quotes", example) if bound is not None else None
    if bound is None or reason is None:
        return None
    if bound.denominator != 1:
        sink.error("E012", "an ostinato's bound is a whole number of bar rhythms", line.name.span, f"write `{example}`")
        return None
    return int(bound), reason


def _swing(line: S.PatternBlock, sink: DiagnosticSink) -> Fraction | None:
    value = Words(line.values, sink, line.name.span).number("a swing amount", "swing 50%", 50, 75, units=("%",))
    return value / 100 if value is not None else None


def _block_part(block: S.PatternBlock, role: str, sink: DiagnosticSink) -> _Part:
    """A `level N` or `fill` block: lanes, `vary` blocks and a `weight` line."""
    part = _Part()
    for line in block.lines:
        if isinstance(line, S.PatternBlock) and line.name.text not in ("vary", "weight"):
            sink.error("E014", f"`{line.name.text}` cannot stand inside `{block.name.text}`", line.name.span,
                       "a level or fill block holds lanes (`snare | . . x . |`), `vary` blocks and `weight N`")
            continue
        _read_part_line(line, role, part, sink)
    return part


def _build(block: S.PatternBlock, role: str, sink: DiagnosticSink) -> ir.Build | None:
    """`build [before LABEL…]` and its lanes, 1, 2 or 4 bars each; None (after E076) if bad."""
    words = Words(block.values, sink, block.name.span)
    labels: list[str] = []
    if not words.done():
        if words.choice("word after `build`", BUILD_EXAMPLE, ("before",), code="E076") is None:
            return None
        while not words.done():
            label = words.name("a section label", "build before chorus drop")
            if label is None:
                return None
            labels.append(label.text)
        if not labels:
            sink.error("E076", "`build before` names no section", block.name.span,
                       "name the sections it builds into, e.g. `build before chorus drop`")
            return None
    part = _block_part(block, role, sink)
    counts = {len(lane.steps) for lane in part.lanes}
    if len(counts) != 1 or next(iter(counts)) not in BUILD_BARS:
        found = ", ".join(str(c) for c in sorted(counts)) or "no lanes"
        sink.error("E076", f"a build-up is 1, 2 or 4 bars, every lane as long; here: {found}", block.name.span,
                   "give every lane of the build the same number of bars, e.g. `snare | x . x . | x x x x |`")
        return None
    return ir.Build(before=tuple(dict.fromkeys(labels)), part=part.frozen(), bars=next(iter(counts)),
                    span=block.name.span)


def _lane(lane: S.Lane, role: str, sink: DiagnosticSink) -> list[ir.Lane]:
    if not _lane_name_ok(lane, role, sink):
        return []
    alphabet = STEP_ALPHABETS[role]
    bars: list[str] = []
    for bar in lane.bars:
        steps = "".join(cell.text for cell in bar.cells)
        bad = next((c for c in bar.cells if any(ch not in alphabet for ch in c.text)), None)
        if bad is not None:
            char = next(ch for ch in bad.text if ch not in alphabet)
            sink.error("E045", f"`{char}` is not a {role} step", bad.span, f"{role} steps are: {' '.join(alphabet)}")
            return []
        bars.append(steps)
    return [ir.Lane(name=lane.name.text, steps=tuple(bars), span=lane.name.span)]


def _lane_name_ok(lane: S.Lane, role: str, sink: DiagnosticSink) -> bool:
    name = lane.name.text
    if role == "drums":
        if find_drum_piece(name) is None:
            sink.error("E045", f"unknown drum piece `{name}`", lane.name.span,
                       suggestion_text(name, drum_piece_names()) or "pieces include kick, snare, rim, hat, pedal, open, ride, crash")
            return False
        return True
    if name != role:
        sink.error("E045", f"a {role} pattern's lanes are named `{role}`", lane.name.span, f"write `{role} | … |`")
        return False
    return True
