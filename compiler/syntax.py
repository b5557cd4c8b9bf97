"""syntax: the surface AST of a .song file, one class per grammar rule that matters (parse output).

Nothing here is interpreted yet: words stay words (`-2dB` is a number and a name), cells stay text.
`resolve` gives them meaning. Every node carries the `Span` it came from, left out of equality and
of `dump`. Plain frozen dataclasses rather than pydantic models: the parser builds thousands of
them and `song check` starts cold, so construction and import must be cheap; `resolve` validates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal, Union

from .source import Span

_SPAN = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Word:
    """One value word. `kind`: name, number, string (text without quotes) or symbol (% / : ,)."""

    kind: Literal["name", "number", "string", "symbol"]
    text: str
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Cell:
    """One whitespace-separated item inside a bar: a chord, a note, a step grid, `%` or `.`."""

    text: str
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Bar:
    cells: tuple[Cell, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Setting:
    """A header line such as `tempo 132` or `key G minor`."""

    name: Word
    values: tuple[Word, ...] = ()
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class StyleUse:
    name: Word
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class SectionLine:
    """A line of bars; `label` is set for `ending 1 | … |` (with `values` = the ending number);
    `repeat` is the `x3` after a closing `:|`."""

    bars: tuple[Bar, ...]
    label: Word | None = None
    values: tuple[Word, ...] = ()
    repeat: Word | None = None
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Section:
    name: Word
    values: tuple[Word, ...]
    lines: tuple[SectionLine, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class FormItem:
    """A section label, or a parenthesised group; `repeat` is the `x3` word if any."""

    name: Word | None = None
    group: tuple["FormItem", ...] = ()
    repeat: Word | None = None
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Form:
    items: tuple[FormItem, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class OptionLine:
    """A line inside arrange/mix/master: a name and its values."""

    name: Word
    values: tuple[Word, ...] = ()
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Arrange:
    lines: tuple[OptionLine, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Track:
    name: Word
    values: tuple[Word, ...] = ()
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Melody:
    name: Word
    values: tuple[Word, ...]
    lines: tuple[tuple[Bar, ...], ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Mix:
    lines: tuple[OptionLine, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Master:
    values: tuple[Word, ...] = ()
    lines: tuple[OptionLine, ...] = ()
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Lane:
    """One step-grid lane of a pattern: `ride | x . x x |`."""

    name: Word
    bars: tuple[Bar, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class PatternBlock:
    """A named part of a pattern (`level 2`, `fill`) or a pattern option line (`swing 0%`)."""

    name: Word
    values: tuple[Word, ...] = ()
    lines: tuple[Union[Lane, "PatternBlock"], ...] = ()
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Pattern:
    name: Word
    values: tuple[Word, ...]
    lines: tuple[Lane | PatternBlock, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class StyleDef:
    name: Word
    description: Word
    items: tuple[Setting | Track | Section | Pattern, ...]
    span: Span | None = _SPAN


Statement = Union[Setting, StyleUse, StyleDef, Section, Form, Arrange, Track, Melody, Mix, Master, Pattern]


@dataclass(frozen=True, slots=True)
class SongFile:
    path: str
    statements: tuple[Statement, ...]


def dump(node: object) -> object:
    """A JSON-ready form for goldens and comparisons: class name as `kind`, no spans, no empty fields."""
    if isinstance(node, tuple):
        return [dump(item) for item in node]
    if not hasattr(node, "__dataclass_fields__"):
        return node
    out: dict[str, object] = {"kind": type(node).__name__}
    for f in fields(node):
        value = getattr(node, f.name)
        if f.name not in ("span", "path") and value not in (None, ()):
            out[f.name] = dump(value)
    return out
