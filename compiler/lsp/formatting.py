"""lsp.formatting: textDocument/formatting is `song fmt`; textDocument/rangeFormatting is the part of it
that touches the selected lines.

The formatted text is sent as the line runs that change (difflib's opcodes over the lines), not as
one replacement of the whole document, so the editor keeps the cursor, folds and marks of the lines
fmt leaves alone. A document that does not parse is left as it is (as `song fmt` leaves a broken
file): its diagnostics say what to mend first.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from lsprotocol import types as T

from ..errors import SongError
from ..fmt import reformat
from .documents import Analysed


def format_document(doc: Analysed) -> list[T.TextEdit] | None:
    """No edit when the text is already canonical; None when it cannot be formatted. A text with CR LF
    line ends is replaced whole, as `song fmt` writes the file: every line end becomes LF."""
    formatted = _formatted(doc)
    if formatted is None:
        return None
    if doc.carriage_returns:
        return [T.TextEdit(range=T.Range(start=T.Position(line=0, character=0), end=doc.lines.end()),
                           new_text=formatted)]
    return _line_edits(doc, formatted)


def format_range(doc: Analysed, selected: T.Range) -> list[T.TextEdit] | None:
    """The edits of `song fmt` that touch the selected lines (fmt aligns a group of bar lines together,
    so an edit may reach past the selection to the rest of its group)."""
    edits = format_document(doc)
    if edits is None:
        return None
    return [edit for edit in edits
            if edit.range.start.line <= selected.end.line and selected.start.line <= max(edit.range.end.line - 1,
                                                                                            edit.range.start.line)]


def _formatted(doc: Analysed) -> str | None:
    if doc.failure is not None or doc.analysis.tree is None:
        return None
    try:
        return reformat(doc.source)
    except SongError:
        return None


def _line_edits(doc: Analysed, formatted: str) -> list[T.TextEdit]:
    """Whole-line replacements that turn the document's text into `formatted`."""
    before, after = doc.source.text.split("\n"), formatted.split("\n")
    edits = []
    for tag, first, last, new_first, new_last in SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        new = after[new_first:new_last]
        if last < len(before):
            where = T.Range(start=T.Position(line=first, character=0), end=T.Position(line=last, character=0))
            edits.append(T.TextEdit(range=where, new_text="".join(line + "\n" for line in new)))
            continue
        # The run reaches the end of the text (which may lack its last newline): it replaces everything
        # from the end of the line before it, so the newline that ends that line is the edit's to write.
        start = _end_of(doc, first - 1) if first > 0 else T.Position(line=0, character=0)
        text = "".join("\n" + line for line in new) if first > 0 else "\n".join(new)
        edits.append(T.TextEdit(range=T.Range(start=start, end=_end_of(doc, len(before) - 1)), new_text=text))
    return edits


def _end_of(doc: Analysed, index: int) -> T.Position:
    return doc.lines.position(index + 1, len(doc.lines.lines[index]) + 1)
