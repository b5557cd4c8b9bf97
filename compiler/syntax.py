"""syntax: the surface AST of a .song file, one class per grammar rule that matters (parse output).

Nothing here is interpreted yet: words stay words (`-2dB` is a number and a name), cells stay text.
`resolve` gives them meaning. Every node carries the `Span` it came from (left out of dumps).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from .source import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    span: SkipValidation[Span | None] = Field(default=None, exclude=True, repr=False)


class Word(Node):
    """One value word. `kind`: name, number, string (text without quotes) or symbol (% / : ,)."""

    kind: Literal["name", "number", "string", "symbol"]
    text: str


class Cell(Node):
    """One whitespace-separated item inside a bar: a chord, a note, a step grid, `%` or `.`."""

    text: str


class Bar(Node):
    cells: tuple[Cell, ...]


class Setting(Node):
    """A header line such as `tempo 132` or `key G minor`."""

    kind: Literal["setting"] = "setting"
    name: Word
    values: tuple[Word, ...] = ()


class StyleUse(Node):
    kind: Literal["style_use"] = "style_use"
    name: Word


class SectionLine(Node):
    """A line of bars; `label` is set for `ending 1 | … |` (with `values` = the ending numbers)."""

    label: Word | None = None
    values: tuple[Word, ...] = ()
    bars: tuple[Bar, ...]


class Section(Node):
    kind: Literal["section"] = "section"
    name: Word
    values: tuple[Word, ...] = ()
    lines: tuple[SectionLine, ...]


class FormItem(Node):
    """A section label, or a parenthesised group; `repeat` is the `x3` word if any."""

    name: Word | None = None
    group: tuple["FormItem", ...] = ()
    repeat: Word | None = None


class Form(Node):
    kind: Literal["form"] = "form"
    items: tuple[FormItem, ...]


class OptionLine(Node):
    """A line inside arrange/mix/master: a name and its values."""

    name: Word
    values: tuple[Word, ...] = ()


class Arrange(Node):
    kind: Literal["arrange"] = "arrange"
    lines: tuple[OptionLine, ...]


class Track(Node):
    kind: Literal["track"] = "track"
    name: Word
    values: tuple[Word, ...] = ()


class Melody(Node):
    kind: Literal["melody"] = "melody"
    name: Word
    values: tuple[Word, ...] = ()
    lines: tuple[tuple[Bar, ...], ...]


class Mix(Node):
    kind: Literal["mix"] = "mix"
    lines: tuple[OptionLine, ...]


class Master(Node):
    kind: Literal["master"] = "master"
    values: tuple[Word, ...] = ()
    lines: tuple[OptionLine, ...] = ()


class Lane(Node):
    """One step-grid lane of a pattern: `ride | x . x x |`."""

    kind: Literal["lane"] = "lane"
    name: Word
    bars: tuple[Bar, ...]


class PatternBlock(Node):
    """A named part of a pattern (`level 2`, `fill`) or a pattern option line (`swing 0%`)."""

    kind: Literal["block"] = "block"
    name: Word
    values: tuple[Word, ...] = ()
    lines: tuple[Annotated[Union[Lane, "PatternBlock"], Field(discriminator="kind")], ...] = ()


PatternLine = Annotated[Union[Lane, PatternBlock], Field(discriminator="kind")]


class Pattern(Node):
    kind: Literal["pattern"] = "pattern"
    name: Word
    values: tuple[Word, ...] = ()
    lines: tuple[PatternLine, ...]


StyleItem = Annotated[Union[Setting, Track, Section, Pattern], Field(discriminator="kind")]


class StyleDef(Node):
    kind: Literal["style_def"] = "style_def"
    name: Word
    description: Word
    items: tuple[StyleItem, ...]


Statement = Annotated[
    Union[Setting, StyleUse, StyleDef, Section, Form, Arrange, Track, Melody, Mix, Master, Pattern],
    Field(discriminator="kind"),
]


class SongFile(Node):
    path: str
    statements: tuple[Statement, ...]
