"""A language client for `song lsp` over stdio (pytest-lsp's client), shared by tests/test_lsp*.py and
the didChange -> publishDiagnostics benchmark (bench/lsp.py).

Every publishDiagnostics is kept by (uri, version), and a caller can wait for one version's, so a test
or a timing never mistakes an earlier version's diagnostics for the answer to its change.
"""

from __future__ import annotations

import asyncio
import sys

from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pygls.protocol import default_converter

SERVER_COMMAND = [sys.executable, "-m", "compiler", "lsp"]
WAIT_S = 30.0


def make_client() -> LanguageClient:
    """pytest-lsp's test client, with publishDiagnostics recorded per version."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = {}  # (uri, version) -> PublishDiagnosticsParams
    client.waiting = {}    # (uri, version) -> Future
    client.registrations = []  # what the server asked to register (client/registerCapability)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _on_publish
    features[T.CLIENT_REGISTER_CAPABILITY] = _on_register
    register_lsp_features(client, features)
    return client


def _on_publish(client: LanguageClient, params: T.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    key = (params.uri, params.version)
    client.published[key] = params
    if (future := client.waiting.pop(key, None)) is not None and not future.done():
        future.set_result(params)


CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client)


def _on_register(client: LanguageClient, params: T.RegistrationParams) -> None:
    client.registrations += params.registrations


async def start_session(client: LanguageClient, root_uri: str | None = None,
                        encodings: tuple[str, ...] = (T.PositionEncodingKind.Utf16,)) -> T.InitializeResult:
    """initialize + initialized, as an editor that counts columns in `encodings` (UTF-16, the LSP default)
    and watches files for the server when asked."""
    capabilities = T.ClientCapabilities(
        text_document=T.TextDocumentClientCapabilities(
            publish_diagnostics=T.PublishDiagnosticsClientCapabilities(related_information=True,
                                                                        version_support=True,
                                                                        code_description_support=True)),
        workspace=T.WorkspaceClientCapabilities(
            did_change_watched_files=T.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)),
        general=T.GeneralClientCapabilities(position_encodings=list(encodings)))
    return await client.initialize_session(T.InitializeParams(capabilities=capabilities, root_uri=root_uri))


async def diagnostics_of(client: LanguageClient, uri: str, version: int | None) -> list[T.Diagnostic]:
    """The diagnostics the server published for this version of the document (waiting for them)."""
    key = (uri, version)
    if key not in client.published:
        future = client.waiting.setdefault(key, asyncio.get_running_loop().create_future())
        await asyncio.wait_for(future, WAIT_S)
    return list(client.published[key].diagnostics)


def forget_published(client: LanguageClient, uri: str) -> None:
    """Drop what was published for `uri`, so a later wait sees only what comes next."""
    for key in [key for key in client.published if key[0] == uri]:
        del client.published[key]


async def open_document(client: LanguageClient, uri: str, text: str, version: int = 1) -> list[T.Diagnostic]:
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=uri, language_id="song", version=version, text=text)))
    return await diagnostics_of(client, uri, version)


async def change_document(client: LanguageClient, uri: str, text: str, version: int) -> list[T.Diagnostic]:
    """Replace the whole text (a full-content change) and wait for that version's diagnostics."""
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text=text)]))
    return await diagnostics_of(client, uri, version)


def apply_edits(text: str, edits) -> str:
    """The text after the server's TextEdits, as an editor applies them (positions in UTF-16 units)."""
    lines = text.split("\n")

    def offset(position: T.Position) -> int:
        line = lines[position.line] if position.line < len(lines) else ""
        units, index = 0, 0
        while index < len(line) and units < position.character:
            units += 2 if ord(line[index]) > 0xFFFF else 1
            index += 1
        return sum(len(before) + 1 for before in lines[:position.line]) + index

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text
