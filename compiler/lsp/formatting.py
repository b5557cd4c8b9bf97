"""lsp.formatting: textDocument/formatting is `song fmt` — one edit replacing the whole document.

A document that does not parse is left as it is (as `song fmt` leaves a broken file): its
diagnostics say what to mend first.
"""

from __future__ import annotations

from lsprotocol import types as T

from ..errors import SongError
from ..fmt import reformat
from .documents import Analysed


def format_document(doc: Analysed) -> list[T.TextEdit] | None:
    """No edit when the text is already canonical; None when it cannot be formatted."""
    if doc.failure is not None or doc.analysis.tree is None:
        return None
    try:
        formatted = reformat(doc.source)
    except SongError:
        return None
    if formatted == doc.source.text:
        return []
    whole = T.Range(start=T.Position(line=0, character=0), end=doc.lines.end())
    return [T.TextEdit(range=whole, new_text=formatted)]
