"""`song lsp` never fails on any text: 1,000 fuzzed documents (bench/fuzz.py's mutations of the specs and
its token soup) sent through didChange, each answered with diagnostics and none an internal error; every
20th also gets every request the server answers, at random places."""

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
        if version % 20 == 0:
            await _every_request(client, uri, text, rng, diagnostics)
    assert not internal, internal[:3]
    assert with_errors > DOCUMENTS // 2, "the mutations break most documents, so the diagnostics are exercised"
    # The server is still answering requests after the run.
    symbols = await client.text_document_document_symbol_async(T.DocumentSymbolParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))
    assert symbols is not None
    assert not [m for m in client.log_messages if m.type == T.MessageType.Error]


async def _every_request(client: LanguageClient, uri: str, text: str, rng: random.Random,
                         diagnostics: list[T.Diagnostic]) -> None:
    """Each request at three random places of the text; any server error fails the test (pytest-lsp raises)."""
    document = T.TextDocumentIdentifier(uri=uri)
    lines = text.split("\n")
    await client.text_document_document_symbol_async(T.DocumentSymbolParams(text_document=document))
    await client.text_document_folding_range_async(T.FoldingRangeParams(text_document=document))
    await client.text_document_semantic_tokens_full_async(T.SemanticTokensParams(text_document=document))
    await client.text_document_document_link_async(T.DocumentLinkParams(text_document=document))
    options = T.FormattingOptions(tab_size=2, insert_spaces=True)
    await client.text_document_formatting_async(T.DocumentFormattingParams(text_document=document, options=options))
    for _ in range(3):
        line = rng.randrange(len(lines))
        position = T.Position(line=line, character=rng.randint(0, len(lines[line]) + 2))
        where = T.TextDocumentPositionParams(text_document=document, position=position)
        await client.text_document_completion_async(T.CompletionParams(**_fields(where)))
        await client.text_document_hover_async(T.HoverParams(**_fields(where)))
        await client.text_document_definition_async(T.DefinitionParams(**_fields(where)))
        await client.text_document_references_async(T.ReferenceParams(
            **_fields(where), context=T.ReferenceContext(include_declaration=True)))
        await client.text_document_prepare_rename_async(T.PrepareRenameParams(**_fields(where)))
        await client.text_document_rename_async(T.RenameParams(**_fields(where), new_name="X1"))
        await client.text_document_range_formatting_async(T.DocumentRangeFormattingParams(
            text_document=document, range=T.Range(start=position, end=position), options=options))
    if diagnostics:
        await client.text_document_code_action_async(T.CodeActionParams(
            text_document=document, range=diagnostics[0].range, context=T.CodeActionContext(diagnostics=diagnostics)))


def _fields(where: T.TextDocumentPositionParams) -> dict:
    return {"text_document": where.text_document, "position": where.position}
