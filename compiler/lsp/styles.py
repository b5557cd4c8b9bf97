"""lsp.styles: the styles a document can name — its own, those of the files it `use`s, the bundled ones —
with their descriptions (completion) and, resolved, their band (hover)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .. import ir
from .. import syntax as S
from ..errors import SongError
from ..library import Library
from .documents import Analysed


def style_named(doc: Analysed, name: str) -> ir.StyleDef | None:
    """The resolved style: the song's own (or one its arrange switches to), else a bundled one."""
    song = doc.analysis.song
    if song is not None:
        for style in (song.style, *song.alt_styles):
            if style.name == name:
                return style
    return bundled_styles(str(doc.library.stdlib)).get(name)


@cache
def bundled_styles(stdlib: str) -> dict[str, ir.StyleDef]:
    """Every stdlib style resolved, once per session (the stdlib does not change while it runs)."""
    from ..resolve import style_summaries

    try:
        return {style.name: style for style in style_summaries(Library(Path(stdlib)))}
    except SongError:
        return {}


def style_choices(doc: Analysed) -> dict[str, str]:
    """Name -> description of every style the document may name, its own and its `use`d files' first."""
    found: dict[str, str] = {}
    trees = [doc.analysis.tree] if doc.analysis.tree else []
    for path in list(doc.library.sources):
        if not doc.library.is_stdlib(Path(path)):
            try:
                trees.append(doc.library.load(Path(path)))
            except (SongError, OSError, UnicodeDecodeError):
                continue
    for tree in trees:
        for statement in tree.statements:
            if isinstance(statement, S.StyleDef):
                found.setdefault(statement.name.text, statement.description.text)
    for name, description, _ in doc.library.stdlib_styles():
        found.setdefault(name, description)
    return found
