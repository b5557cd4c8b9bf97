"""lsp.server: the `song lsp` process — a pygls LanguageServer over stdio; each request is answered
by the feature module beside this one, from the document's analysis (`documents.Analysed`).

Diagnostics are published on open at once and on change after a short quiet spell (`DEBOUNCE_S`), so
a burst of edits (a paste, a client that sends each keystroke) is checked once, for its last version.
One `Library` serves the session: the stdlib is parsed once, and a `use`d file again only when it
changes on disk (the client's didChangeWatchedFiles, or a save, re-checks the open documents).
"""

from __future__ import annotations

import asyncio
import logging
import sys

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..library import Library
from .actions import code_actions
from .completion import completions
from .diagnostics import lsp_diagnostics
from .documents import Analysed, analyse_document
from .formatting import format_document, format_range
from .hover import hover as hover_at
from .navigation import definition as definition_at
from .navigation import document_links
from .navigation import references as references_at
from .rename import prepare_rename, rename
from .symbols import document_symbols, folding_ranges
from .tokens import LEGEND, semantic_tokens

DEBOUNCE_S = 0.01


class SongServer(LanguageServer):
    """The server and what it keeps between requests: one Library, each open document's analysis."""

    def __init__(self) -> None:
        super().__init__("songspec", __version__, text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.library = Library()
        self.analysed_documents: dict[str, Analysed] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}

    def analysed(self, uri: str) -> Analysed:
        """The document's analysis for its current version (made now if the version is new)."""
        document = self.workspace.get_text_document(uri)
        kept = self.analysed_documents.get(uri)
        if kept is None or kept.version != document.version:
            encoding = self.workspace.position_encoding or T.PositionEncodingKind.Utf16
            kept = analyse_document(uri, document.version, document.source, self.library, encoding)
            self.analysed_documents[uri] = kept
        return kept

    def publish(self, uri: str) -> None:
        doc = self.analysed(uri)
        self.text_document_publish_diagnostics(
            T.PublishDiagnosticsParams(uri=uri, diagnostics=lsp_diagnostics(doc), version=doc.version))

    def publish_soon(self, uri: str) -> None:
        """Publish once no change has come for DEBOUNCE_S (each change restarts the wait)."""
        if (waiting := self.pending.pop(uri, None)) is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_S, self._publish_pending, uri)

    def _publish_pending(self, uri: str) -> None:
        self.pending.pop(uri, None)
        if uri in self.workspace.text_documents:  # not closed while waiting
            self.publish(uri)

    def recheck_all(self) -> None:
        """A file on disk changed: every open document may `use` it."""
        self.analysed_documents.clear()
        for uri in list(self.workspace.text_documents):
            self.publish(uri)


server = SongServer()


@server.feature(T.INITIALIZED)
def initialized(ls: SongServer, params: T.InitializedParams) -> None:
    """Ask the client to tell us when a `.song` file changes on disk (a `use`d style file), if it can."""
    watching = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
    if watching and watching.dynamic_registration:
        watcher = T.FileSystemWatcher(glob_pattern="**/*.song")
        ls.client_register_capability(T.RegistrationParams(registrations=[T.Registration(
            id="songspec-song-files", method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=T.DidChangeWatchedFilesRegistrationOptions(watchers=[watcher]))]))


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SongServer, params: T.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SongServer, params: T.DidChangeTextDocumentParams) -> None:
    ls.publish_soon(params.text_document.uri)


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: SongServer, params: T.DidSaveTextDocumentParams) -> None:
    ls.recheck_all()  # the saved file may be one the others `use`


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SongServer, params: T.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.analysed_documents.pop(uri, None)
    if (waiting := ls.pending.pop(uri, None)) is not None:
        waiting.cancel()
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: SongServer, params: T.DidChangeWatchedFilesParams) -> None:
    ls.recheck_all()


@server.feature(T.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: SongServer, params: T.DocumentFormattingParams) -> list[T.TextEdit] | None:
    return format_document(ls.analysed(params.text_document.uri))


@server.feature(T.TEXT_DOCUMENT_RANGE_FORMATTING)
def range_formatting(ls: SongServer, params: T.DocumentRangeFormattingParams) -> list[T.TextEdit] | None:
    return format_range(ls.analysed(params.text_document.uri), params.range)


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def symbols(ls: SongServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol]:
    return document_symbols(ls.analysed(params.text_document.uri))


@server.feature(T.TEXT_DOCUMENT_FOLDING_RANGE)
def folding(ls: SongServer, params: T.FoldingRangeParams) -> list[T.FoldingRange]:
    return folding_ranges(ls.analysed(params.text_document.uri))


@server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=[" ", "|"]))
def completion(ls: SongServer, params: T.CompletionParams) -> T.CompletionList:
    items = completions(ls.analysed(params.text_document.uri), params.position)
    return T.CompletionList(is_incomplete=False, items=items)


@server.feature(T.TEXT_DOCUMENT_HOVER)
def hover(ls: SongServer, params: T.HoverParams) -> T.Hover | None:
    return hover_at(ls.analysed(params.text_document.uri), params.position)


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def definition(ls: SongServer, params: T.DefinitionParams) -> list[T.Location]:
    return definition_at(ls.analysed(params.text_document.uri), params.position)


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_LINK, T.DocumentLinkOptions(resolve_provider=False))
def links(ls: SongServer, params: T.DocumentLinkParams) -> list[T.DocumentLink]:
    return document_links(ls.analysed(params.text_document.uri))


@server.feature(T.TEXT_DOCUMENT_REFERENCES)
def references(ls: SongServer, params: T.ReferenceParams) -> list[T.Location]:
    return references_at(ls.analysed(params.text_document.uri), params.position, params.context.include_declaration)


@server.feature(T.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_renaming(ls: SongServer, params: T.PrepareRenameParams) -> T.Range | None:
    return prepare_rename(ls.analysed(params.text_document.uri), params.position)


@server.feature(T.TEXT_DOCUMENT_RENAME)
def renaming(ls: SongServer, params: T.RenameParams) -> T.WorkspaceEdit | None:
    return rename(ls.analysed(params.text_document.uri), params.position, params.new_name)


@server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix]))
def actions(ls: SongServer, params: T.CodeActionParams) -> list[T.CodeAction]:
    return code_actions(ls.analysed(params.text_document.uri), params)


@server.feature(T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)
def tokens(ls: SongServer, params: T.SemanticTokensParams) -> T.SemanticTokens:
    return semantic_tokens(ls.analysed(params.text_document.uri))


class OneLine(logging.Formatter):
    """A log record as one line on stderr, its exception as `Type: message` — never a traceback (pygls
    logs one for a message it cannot read; the editor shows stderr as the server's log)."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"song lsp: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            line += f": {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        return line.splitlines()[0] if line else line


def run() -> int:
    """Serve on stdin/stdout until the client says exit. Logging goes to stderr (stdout is the protocol)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLine())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    server.start_io()
    return 0
