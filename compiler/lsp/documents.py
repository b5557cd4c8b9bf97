"""lsp.documents: an open document as the compiler sees it — its Source, its `pipeline.Analysis` and
the positions of its text — made once per version of the document and reused by every request."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pygls.uris import from_fs_path, to_fs_path

from ..errors import Diagnostic
from ..library import Library
from ..pipeline import Analysis, analyse
from ..source import MAX_FILE_BYTES, Source, Span
from .names import Name, names_in
from .positions import Lines

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analysed:
    """One version of one document, analysed. `lines` converts its spans; `library` has the text of
    every file it `use`s (and the stdlib files it reached), for their spans."""

    uri: str
    version: int | None
    source: Source
    analysis: Analysis
    lines: Lines
    library: Library
    failure: str | None = None  # why the text was not checked (too large; a compiler bug)
    carriage_returns: bool = False  # the editor's text ends lines with CR LF (or CR): `source` has LF

    def lines_of(self, path: str) -> Lines | None:
        """The lines of this document or of a library file it reached (None if unknown)."""
        if path == self.source.path:
            return self.lines
        other = self.library.sources.get(path)
        return Lines(other.text, self.lines.encoding) if other is not None else None

    def uri_of(self, path: str) -> str:
        return self.uri if path == self.source.path else (from_fs_path(path) or path)

    def location(self, span: Span):
        """An LSP Location for a span in this document or a library file, or None."""
        from lsprotocol import types as T

        lines = self.lines_of(span.path)
        return T.Location(uri=self.uri_of(span.path), range=lines.range(span)) if lines is not None else None

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.analysis.diagnostics

    @cached_property
    def names(self) -> list[Name]:
        """Every name the document writes (`names.names_in`), indexed once per version."""
        return names_in(self.analysis.tree)


def resolved(path: Path) -> Path | None:
    """The absolute path, or None for a name no file can have (a NUL in a fuzzed `use` line)."""
    try:
        return path.resolve()
    except (OSError, ValueError):
        return None


def path_of(uri: str) -> str:
    """The file a URI names; an unsaved (`untitled:`) document is a file in the working folder."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return path or str(Path.cwd() / Path(uri.rpartition(":")[2] or "untitled").name)


def analyse_document(uri: str, version: int | None, text: str, library: Library, encoding: str) -> Analysed:
    """Run the front end over the editor's text (CRLF and CR read as LF, as `Source.read` does).
    Never raises: a compiler failure is the analysis's `failure`, shown as one diagnostic."""
    source = Source(path_of(uri), normalised(text))
    lines = Lines(source.text, encoding)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:  # as `song check` refuses to read it
        return _unchecked(uri, version, source, lines, library, f"songspec reads files up to {MAX_FILE_BYTES:,} "
                          "bytes (a chart is a few kilobytes); this one is not checked")
    try:
        return Analysed(uri, version, source, analyse(source, library), lines, library,
                        carriage_returns="\r" in text)
    except Exception as err:  # noqa: BLE001 — a compiler bug must not take the editor's server down
        reason = f"internal error: {type(err).__name__}: {err}".splitlines()[0]
        log.error("%s in %s", reason, uri)
        return _unchecked(uri, version, source, lines, library, reason + " (please report it with this file)")


def _unchecked(uri: str, version: int | None, source: Source, lines: Lines, library: Library,
               reason: str) -> Analysed:
    return Analysed(uri, version, source, Analysis(None, None, ()), lines, library, failure=reason)


def normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
