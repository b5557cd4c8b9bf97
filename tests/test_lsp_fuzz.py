"""`song lsp` never fails on any text: 1,000 fuzzed documents (bench/fuzz.py's mutations of the specs and
its token soup) sent through didChange, each answered with diagnostics and none an internal error."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types as T
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient

from bench.fuzz import SPECS, mutated
from bench.lsp_client import change_document, open_document

pytestmark = pytest.mark.asyncio(loop_scope="module")
DOCUMENTS = 1000


async def test_a_thousand_fuzzed_documents_get_diagnostics_and_no_server_error(client: LanguageClient, lsp_folder):
    rng = random.Random("lsp-fuzz-1")
    originals = [spec.read_text(encoding="utf-8") for spec in SPECS]
    uri = from_fs_path(str(lsp_folder / "fuzzed.song"))
    await open_document(client, uri, originals[0])
    internal, with_errors = [], 0
    for version in range(2, DOCUMENTS + 2):
        text = mutated(rng, originals)
        diagnostics = await change_document(client, uri, text, version)
        internal += [(text, d.message) for d in diagnostics if d.message.startswith("internal error")]
        with_errors += any(d.severity == T.DiagnosticSeverity.Error for d in diagnostics)
    assert not internal, internal[:3]
    assert with_errors > DOCUMENTS // 2, "the mutations break most documents, so the diagnostics are exercised"
    # The server is still answering requests after the run.
    symbols = await client.text_document_document_symbol_async(T.DocumentSymbolParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))
    assert symbols is not None
    assert not [m for m in client.log_messages if m.type == T.MessageType.Error]
