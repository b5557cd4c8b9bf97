"""lsp.names: every name a song writes, with its kind and place — sections, melodies, patterns, styles,
tracks and instruments, as definitions and as uses — read off the syntax tree. Definition, references,
hover and semantic tokens all ask this one index what stands under the cursor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Literal

from .. import syntax as S
from ..resolve.form import MARK_WORDS, PASS_WORDS, SPECIALS
from ..source import Span

Kind = Literal["section", "melody", "pattern", "style", "track", "instrument", "file", "mark"]
_ENDING = re.compile(r"^(.+)\.(\d+)$")  # `A.2` in a form: section A, its ending 2
STYLE_SECTIONS = ("intro", "ending")  # sections a form may take from the style; `tag` and `vamp` replay bars
_NOT_SECTIONS = tuple(word for word in SPECIALS if word not in STYLE_SECTIONS)


@dataclass(frozen=True)
class Name:
    """One name written in the file. `defines`: this is the definition (`section A`), not a use."""

    kind: Kind
    text: str
    span: Span
    defines: bool = False


def names_in(tree: S.SongFile | None) -> list[Name]:
    """Every name in the file, in the order written."""
    found = [name for statement in (tree.statements if tree else ()) for name in _statement_names(statement)]
    return sorted(found, key=lambda name: name.span.start)


def name_at(names: list[Name], line: int, col: int) -> Name | None:
    """The name whose span holds the 1-based `line` and `col` (or ends just before it)."""
    for name in names:
        span = name.span
        if span.line == line and span.col <= col <= span.end_col:
            return name
    return None


def section_label(form_word: str, defined: set[str]) -> str:
    """The section a form word plays: `A.2` is A (with ending 2) unless a section is named `A.2`."""
    ending = _ENDING.match(form_word)
    return ending.group(1) if ending and form_word not in defined else form_word


def _statement_names(node) -> Iterator[Name]:
    if isinstance(node, S.Section):
        yield from _named(node.name, "section", defines=True)
    elif isinstance(node, S.Melody):
        yield from _named(node.name, "melody", defines=True)
        if len(node.values) >= 2 and node.values[0].text == "for":
            yield from _named(node.values[1], "section")
    elif isinstance(node, S.Pattern):
        yield from _named(node.name, "pattern", defines=True)
    elif isinstance(node, S.StyleDef):
        yield from _named(node.name, "style", defines=True)
        for item in node.items:
            yield from _statement_names(item)
    elif isinstance(node, S.StyleUse):
        yield from _named(node.name, "style")
    elif isinstance(node, S.Track):
        yield from _track_names(node)
    elif isinstance(node, S.Form):
        yield from _form_names(node.items)
    elif isinstance(node, S.Arrange):
        for line in node.lines:
            yield from _arrange_names(line)
    elif isinstance(node, S.Setting) and node.name.text == "use":
        yield from _named(node.values[0] if node.values else None, "file")


def _named(word: S.Word | None, kind: Kind, defines: bool = False) -> Iterator[Name]:
    if word is not None and word.span is not None:
        yield Name(kind, word.text, word.span, defines)


def _track_names(track: S.Track) -> Iterator[Name]:
    """`track bass acoustic_bass pattern walk melody theme`: the track, its instrument, what it plays."""
    yield from _named(track.name, "track", defines=True)
    values = track.values
    if values and values[0].kind == "name" and not _is_option(values[0].text):
        yield from _named(values[0], "instrument")
    for option, value in zip(values, values[1:]):
        if option.text in ("pattern", "melody"):
            yield from _named(value, option.text)


def _is_option(word: str) -> bool:
    from ..resolve.band import PART_OPTIONS, SOUND_OPTIONS

    return word in SOUND_OPTIONS + PART_OPTIONS


def _form_names(items: tuple[S.FormItem, ...]) -> Iterator[Name]:
    for item in items:
        if item.name is not None and item.name.text not in _NOT_SECTIONS:
            yield from _named(item.name, "section")
        yield from _form_names(item.group)


def _arrange_names(line: S.OptionLine) -> Iterator[Name]:
    """`last C ff stop 2`: the label is a section (after `first`/`last`), `style X` names a style."""
    words = (line.name, *line.values)
    label_at = 1 if line.name.text in PASS_WORDS else 0
    if label_at < len(words) and words[label_at].text not in _NOT_SECTIONS:
        yield from _named(words[label_at], "section")
    for index, word in enumerate(words[label_at + 1:], start=label_at + 1):
        if word.text in MARK_WORDS or word.text in PASS_WORDS:
            yield from _named(word, "mark")
        if words[index - 1].text == "style":
            yield from _named(word, "style")
