"""lsp.rename: textDocument/prepareRename and textDocument/rename for what the document defines itself —
a section, a melody, a pattern, a style or a track — at every place the document names it (`A.2` in a
form keeps its `.2`). A name the document only uses (a bundled style, the style's intro) is not renamed
here: its definition is elsewhere."""

from __future__ import annotations

import re

from lsprotocol import types as T

from ..source import Span
from .documents import Analysed
from .names import Name
from .navigation import name_under, target_of

RENAMABLE = ("section", "melody", "pattern", "style", "track")
# A new name must read back as one NAME word of the grammar (grammar/song.lark).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.'#+\-]*")


def prepare_rename(doc: Analysed, position: T.Position) -> T.Range | None:
    found = _renamable(doc, position)
    if found is None:
        return None
    name, wanted = found
    return doc.lines.range(_label(name.span, wanted))


def rename(doc: Analysed, position: T.Position, new_name: str) -> T.WorkspaceEdit | None:
    """Every place renamed, or None (nothing to rename here, or a new name that is not one word)."""
    found = _renamable(doc, position)
    if found is None or not _NAME.fullmatch(new_name):
        return None
    name, wanted = found
    _, names = name_under(doc, position)
    places = [other for other in names if other.kind == name.kind and target_of(doc, other) == wanted]
    edits = [T.TextEdit(range=doc.lines.range(_label(other.span, wanted)), new_text=new_name) for other in places]
    return T.WorkspaceEdit(changes={doc.uri: edits})


def _renamable(doc: Analysed, position: T.Position) -> tuple[Name, str] | None:
    name, names = name_under(doc, position)
    if name is None or name.kind not in RENAMABLE:
        return None
    wanted = target_of(doc, name)
    defined_here = any(other.defines and other.kind == name.kind and other.text == wanted for other in names)
    return (name, wanted) if defined_here else None


def _label(span: Span, wanted: str) -> Span:
    """The part of a word that names `wanted`: all of it, or `A` of a form's `A.2`."""
    end = span.col + len(wanted)
    return Span(span.path, span.line, span.col, span.line, end, span.start, span.start + len(wanted))
