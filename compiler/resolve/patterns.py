"""resolve.patterns: syntax.Pattern -> ir.PatternDef. Step grids checked against their role's alphabet."""

from __future__ import annotations

from fractions import Fraction

from .. import ir
from .. import syntax as S
from ..errors import DiagnosticSink
from ..instruments import drum_piece_names, find_drum_piece
from ..suggest import suggestion_text
from ..words import Words

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
    """`pattern walking bass` with lanes, `level N` blocks, a `fill` block and options."""
    words = Words(pattern.values, sink, pattern.name.span)
    role_word = words.choice("role", f"pattern {pattern.name.text} drums", ir.ROLES)
    if role_word is None:
        return None
    role = role_word.text
    common: list[ir.Lane] = []
    levels: list[list[ir.Lane] | None] = [None] * LEVELS
    fill: list[ir.Lane] | None = None
    swing: Fraction | None = None
    for line in pattern.lines:
        if isinstance(line, S.Lane):
            common += _lane(line, role, sink)
        elif line.name.text == "level":
            number = _level_number(line, sink)
            if number is not None:
                levels[number - 1] = _block_lanes(line, role, sink)
        elif line.name.text == "fill":
            fill = _block_lanes(line, role, sink)
        elif line.name.text == "swing":
            swing = _swing(line, sink)
        else:
            sink.error("E014", f"unknown pattern line `{line.name.text}`", line.name.span,
                       suggestion_text(line.name.text, ("level", "fill", "swing"))
                       or "a pattern holds lanes (`kick | x . x . |`), `level N` blocks, `fill` and `swing N%`")
    return ir.PatternDef(name=pattern.name.text, role=role, levels=_levels(common, levels),
                         fill=ir.PatternPart(lanes=tuple(fill)) if fill else None, swing=swing,
                         span=pattern.name.span)


def _levels(common: list[ir.Lane], levels: list[list[ir.Lane] | None]) -> tuple:
    """Common lanes join every level; a level nobody wrote stays None (the arranger falls back)."""
    if all(level is None for level in levels):
        levels = [[], None, None]
    return tuple(ir.PatternPart(lanes=tuple(common + level)) if level is not None else None for level in levels)


def _level_number(line: S.PatternBlock, sink: DiagnosticSink) -> int | None:
    value = Words(line.values, sink, line.name.span).number("an energy level", "level 2", 1, LEVELS)
    return int(value) if value is not None else None


def _swing(line: S.PatternBlock, sink: DiagnosticSink) -> Fraction | None:
    value = Words(line.values, sink, line.name.span).number("a swing amount", "swing 50%", 50, 75, units=("%",))
    return value / 100 if value is not None else None


def _block_lanes(block: S.PatternBlock, role: str, sink: DiagnosticSink) -> list[ir.Lane]:
    lanes: list[ir.Lane] = []
    for line in block.lines:
        if isinstance(line, S.Lane):
            lanes += _lane(line, role, sink)
        else:
            sink.error("E014", f"`{line.name.text}` cannot stand inside `{block.name.text}`", line.name.span,
                       "a level or fill block holds lanes only, e.g. `snare | . . x . |`")
    return lanes


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
