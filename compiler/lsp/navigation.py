"""lsp.navigation: textDocument/definition, textDocument/references and textDocument/documentLink (and
what `rename` needs) for sections, melodies, patterns, styles, tracks and `use`d files — in the document, in the files it `use`s and in the bundled styles.

A definition outside the document is looked up in the files the analysis reached (the library knows
their text); a stdlib style the song does not use yet is found by its family's file (`jazz.song`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from lsprotocol import types as T
from pygls.uris import from_fs_path

from .. import syntax as S
from ..errors import SongError
from .documents import Analysed, resolved
from .names import STYLE_SECTIONS, Name, name_at, names_in, section_label

_DEFINED_BY = {"section": S.Section, "melody": S.Melody, "pattern": S.Pattern, "style": S.StyleDef,
               "track": S.Track}


def name_under(doc: Analysed, position: T.Position) -> tuple[Name | None, list[Name]]:
    """The name at the client's position, and every name of the document."""
    names = doc.names
    col = doc.lines.column(position.line, position.character)
    return name_at(names, position.line + 1, col), names


def definition(doc: Analysed, position: T.Position) -> list[T.Location]:
    name, _ = name_under(doc, position)
    if name is None or name.kind not in (*_DEFINED_BY, "file"):  # an instrument or a mark is defined nowhere
        return []
    if name.kind == "file":
        target = resolved(Path(doc.source.path).parent / name.text)
        start = T.Position(line=0, character=0)
        if target is None or not target.is_file():
            return []
        return [T.Location(uri=from_fs_path(str(target)), range=T.Range(start=start, end=start))]
    wanted = target_of(doc, name)
    return [location for span in _definitions(doc, name.kind, wanted) if (location := doc.location(span)) is not None][:1]


def document_links(doc: Analysed) -> list[T.DocumentLink]:
    """Each `use "file.song"` as a link to the file (when it is there)."""
    links = []
    for name in doc.names:
        target = resolved(Path(doc.source.path).parent / name.text) if name.kind == "file" else None
        if target is not None and target.is_file():
            links.append(T.DocumentLink(range=doc.lines.range(name.span), target=from_fs_path(str(target))))
    return links


def references(doc: Analysed, position: T.Position, include_declaration: bool) -> list[T.Location]:
    """Every use of the name under the cursor (and its definition, if asked): in the document and, for a
    style or a pattern, in the files it `use`s (a pattern is named by the style file's tracks)."""
    name, names = name_under(doc, position)
    if name is None or name.kind == "file":
        return []
    wanted = target_of(doc, name)
    found = [other for other in names if other.kind == name.kind and target_of(doc, other) == wanted]
    if name.kind in ("style", "pattern"):
        found += [other for tree in _used_trees(doc) for other in names_in(tree)
                  if other.kind == name.kind and other.text == wanted]
    return [location for other in found if (include_declaration or not other.defines)
            if (location := doc.location(other.span)) is not None]


def _used_trees(doc: Analysed) -> Iterator[S.SongFile]:
    """The syntax trees of the files the document `use`s (not the stdlib, whose uses are everyone's)."""
    own = resolved(Path(doc.source.path))
    for path in list(doc.library.sources):
        if not doc.library.is_stdlib(Path(path)) and resolved(Path(path)) != own:
            try:
                yield doc.library.load(Path(path))
            except (SongError, OSError, UnicodeDecodeError):
                continue


def target_of(doc: Analysed, name: Name) -> str:
    """What a name names: itself, or for a form's `A.2` the section `A` (unless a section is `A.2`)."""
    if name.kind != "section" or name.defines:
        return name.text
    defined = {n.text for n in doc.names if n.kind == "section" and n.defines}
    return section_label(name.text, defined)


def _definitions(doc: Analysed, kind: str, text: str) -> Iterator:
    """Spans of the definitions of `text` as a `kind`: in the document first, then the library's files
    (an `intro` or `ending` the song does not write is its style's)."""
    song = doc.analysis.song
    for tree in _trees(doc, kind, text):
        for node in _walk(tree.statements):
            if isinstance(node, _DEFINED_BY[kind]) and node.name.text == text and node.name.span is not None:
                if kind != "section" or tree is doc.analysis.tree or text not in STYLE_SECTIONS:
                    yield node.name.span
        if kind == "section" and text in STYLE_SECTIONS and song is not None:
            yield from _style_section(tree, song.style.name, text)


def _style_section(tree: S.SongFile, style: str, label: str) -> Iterator:
    """The style's own `section intro` (its major form first: the minor one says `minor` after it)."""
    for node in tree.statements:
        if isinstance(node, S.StyleDef) and node.name.text == style:
            found = [item for item in node.items if isinstance(item, S.Section) and item.name.text == label]
            yield from (item.name.span for item in sorted(found, key=lambda item: len(item.values)))


def _trees(doc: Analysed, kind: str, text: str) -> Iterator[S.SongFile]:
    if doc.analysis.tree is not None:
        yield doc.analysis.tree
    paths = [Path(path) for path in doc.library.sources]
    if kind == "style" and (stdlib := doc.library.stdlib_file(text)) is not None:
        paths.insert(0, stdlib)
    if doc.analysis.song is not None and doc.analysis.song.style.origin:
        paths.insert(0, Path(doc.analysis.song.style.origin))  # the song's style's own patterns first
    own = resolved(Path(doc.source.path))  # the editor's text, not the file on disk, is the document
    for path in dict.fromkeys(path for path in paths if resolved(path) != own):
        try:
            yield doc.library.load(path)
        except (SongError, OSError, UnicodeDecodeError):
            continue  # a library file that no longer reads has no definitions to go to


def _walk(nodes) -> Iterator:
    for node in nodes:
        yield node
        if isinstance(node, S.StyleDef):
            yield from _walk(node.items)
