"""lsp.diagnostics: the compiler's diagnostics as LSP diagnostics (textDocument/publishDiagnostics).

Each carries its code, a `codeDescription` link to the code's entry in docs/diagnostics.md (the page
`song explain` prints), the `help:` line in its message, and its notes as related information. A
problem found in a `use`d file is shown on the `use` line that brought the file in, with the place
in that file as related information, since an editor shows a document's diagnostics on it alone.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from lsprotocol import types as T

from .. import syntax as S
from ..errors import CODES, Diagnostic
from ..resources import data_dir
from ..source import Span
from .documents import Analysed, resolved

SOURCE = "songspec"
_SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning}


def lsp_diagnostics(doc: Analysed) -> list[T.Diagnostic]:
    """Every diagnostic of the document's analysis, in the compiler's order."""
    if doc.failure is not None:
        return [T.Diagnostic(range=T.Range(start=T.Position(line=0, character=0), end=T.Position(line=0, character=1)),
                             message=doc.failure, severity=T.DiagnosticSeverity.Error, source=SOURCE)]
    return [_converted(diag, doc) for diag in doc.diagnostics]


def _converted(diag: Diagnostic, doc: Analysed) -> T.Diagnostic:
    related = [(span, text) for span, text in diag.notes]
    if diag.span.path == doc.source.path:
        where = doc.lines.range(diag.span)
    else:
        where = doc.lines.range(_use_line(doc, diag.span.path))
        related.insert(0, (diag.span, f"{diag.message} (in {Path(diag.span.path).name})"))
    information = [T.DiagnosticRelatedInformation(location=location, message=text)
                   for span, text in related if (location := doc.location(span)) is not None]
    message = diag.message + (f"\nhelp: {diag.help}" if diag.help else "")
    return T.Diagnostic(range=where, message=message, severity=_SEVERITY[diag.severity], code=diag.code,
                        code_description=T.CodeDescription(href=code_link(diag.code)), source=SOURCE,
                        related_information=information or None,
                        data={"help": diag.help} if diag.help else None)


def _use_line(doc: Analysed, path: str) -> Span:
    """The `use` value naming `path` (or, for a file reached through another, the first `use`)."""
    uses = [word for statement in (doc.analysis.tree.statements if doc.analysis.tree else ())
            if isinstance(statement, S.Setting) and statement.name.text == "use"
            for word in statement.values[:1] if word.span is not None]
    base = Path(doc.source.path).resolve().parent
    named = [word for word in uses if resolved(base / word.text) == resolved(Path(path))]
    chosen = (named or uses)
    return chosen[0].span if chosen else Span(doc.source.path, 1, 1, 1, 2, 0, 1)


@cache
def code_link(code: str) -> str:
    """The code's entry in the installed docs/diagnostics.md (its heading's anchor, as GitHub makes it)."""
    page = (data_dir("docs") / "diagnostics.md").resolve().as_uri()
    return f"{page}#{_anchor(code + ': ' + CODES.get(code, ''))}"


def _anchor(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens.

    >>> _anchor("E022: `%` or `.` with nothing to repeat")
    'e022--or--with-nothing-to-repeat'
    """
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
