"""`song lsp` end to end (pytest-lsp: a real client talking to the server process over stdio):
diagnostics on open and change, UTF-16 columns, a file with ten errors, a `use`d file edited on disk,
formatting, document symbols and folding ranges."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as T
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient

from bench.lsp_client import (CONFIG, apply_edits, change_document, diagnostics_of, forget_published, open_document,
                              start_session)

from conftest import ROOT

pytestmark = pytest.mark.asyncio(loop_scope="module")

GOOD = 'title "Blue"\nstyle jazz.swing\nkey   F major\n\nsection A\n  | F7 | Bb7 | F7 | C7 |\n\nform A A\n'


def _uri(lsp_folder, name: str) -> str:
    return from_fs_path(str(lsp_folder / name))


async def _opened(client: LanguageClient, lsp_folder, path: str) -> tuple[str, str]:
    """Open a copy of a file of the repository (as a document of `lsp_folder`): its text and URI."""
    text = (ROOT / path).read_text(encoding="utf-8")
    uri = _uri(lsp_folder, path.replace("/", "_"))
    await open_document(client, uri, text)
    return text, uri


async def test_a_good_song_has_no_diagnostics(client: LanguageClient, lsp_folder):
    assert await open_document(client, _uri(lsp_folder, "good.song"), GOOD) == []


async def test_an_error_has_its_code_help_place_and_link(client: LanguageClient, lsp_folder):
    text = GOOD.replace("| Bb7 |", "| Bbx7 |")
    [diag] = await open_document(client, _uri(lsp_folder, "bad.song"), text)
    assert diag.code == "E020" and diag.source == "songspec"
    assert diag.severity == T.DiagnosticSeverity.Error
    line = text.split("\n")[5]  # the span is the quality the chord table does not know: `x7`
    assert diag.range == T.Range(start=T.Position(line=5, character=line.index("x7")),
                                 end=T.Position(line=5, character=line.index("x7") + 2))
    assert "Bbx7" in diag.message and "\nhelp: " in diag.message
    assert diag.code_description.href.endswith("docs/diagnostics.md#e020-unknown-chord")
    assert diag.code_description.href.startswith("file://")


async def test_a_change_is_checked_again(client: LanguageClient, lsp_folder):
    uri = _uri(lsp_folder, "changing.song")
    assert await open_document(client, uri, GOOD) == []
    broken = await change_document(client, uri, GOOD.replace("form A A", "form A B"), 2)
    assert [d.code for d in broken] == ["E030"]
    assert await change_document(client, uri, GOOD, 3) == []


async def test_an_incremental_change_is_applied_where_the_client_says(client: LanguageClient, lsp_folder):
    uri = _uri(lsp_folder, "incremental.song")
    await open_document(client, uri, GOOD)
    # `F7` in bar 1 (line 5, characters 4-6) becomes `Fq7`
    edit = T.TextDocumentContentChangePartial(range=T.Range(start=T.Position(line=5, character=5),
                                                            end=T.Position(line=5, character=5)), text="q")
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2), content_changes=[edit]))

    [diag] = await diagnostics_of(client, uri, 2)
    assert diag.code == "E020" and "Fq7" in diag.message
    assert (diag.range.start.line, diag.range.start.character) == (5, 5)  # at `q7`


async def test_columns_are_utf16_code_units_after_an_emoji(client: LanguageClient, lsp_folder):
    # 😀 is one code point but two UTF-16 units: the stray word after it starts one unit further right
    text = GOOD.replace('title "Blue"', 'title "Blue 😀" extra')
    [diag] = await open_document(client, _uri(lsp_folder, "emoji.song"), text)
    line = text.split("\n")[0]
    code_points = line.index("extra")
    assert diag.code == "E011"
    assert diag.range.start == T.Position(line=0, character=code_points + 1)
    assert diag.range.end == T.Position(line=0, character=code_points + 1 + len("extra"))


async def test_a_file_with_ten_errors_gets_all_ten(client: LanguageClient, lsp_folder):
    bars = " | ".join(f"Q{n}x" for n in range(10))
    text = f'style jazz.swing\nsection A\n  | {bars} |\nform A\n'
    diagnostics = await open_document(client, _uri(lsp_folder, "ten.song"), text)
    assert [d.code for d in diagnostics] == ["E020"] * 10
    starts = [d.range.start.character for d in diagnostics]
    assert starts == sorted(starts) and len(set(starts)) == 10


async def test_warnings_are_warnings_with_their_notes(client: LanguageClient, lsp_folder):
    text = GOOD + "\nsection B\n  | C7 |\n"
    [warning] = await open_document(client, _uri(lsp_folder, "warn.song"), text)
    assert warning.code == "W001" and warning.severity == T.DiagnosticSeverity.Warning
    duplicate = GOOD.replace("form A A", "section A\n  | C |\n\nform A A")
    [error] = await open_document(client, _uri(lsp_folder, "dup.song"), duplicate)
    assert error.code == "E013"
    [note] = error.related_information
    assert note.message == "first defined here" and note.location.range.start.line == 4


async def test_a_used_file_changed_on_disk_is_checked_again(client: LanguageClient, lsp_folder):
    styles = lsp_folder / "mystyles.song"
    styles.write_text(_style_file("mine.swing"), encoding="utf-8")
    uri = _uri(lsp_folder, "user.song")
    song = GOOD.replace("style jazz.swing", 'use "mystyles.song"\nstyle mine.swing')
    assert await open_document(client, uri, song) == []
    # a new size, so a new stamp however coarse the file system's clock
    styles.write_text(_style_file("mine.swing").replace("pattern walk\n", "pattern nowhere\n"), encoding="utf-8")
    forget_published(client, uri)
    client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(
        changes=[T.FileEvent(uri=from_fs_path(str(styles)), type=T.FileChangeType.Changed)]))
    diagnostics = await diagnostics_of(client, uri, 1)
    assert diagnostics, "the edited style file's error is shown"
    first = diagnostics[0]
    assert first.range.start.line == 1  # on the `use` line that brought the file in
    assert first.related_information[0].location.uri == from_fs_path(str(styles))
    styles.write_text(_style_file("mine.swing"), encoding="utf-8")
    forget_published(client, uri)
    # mended and saved from the editor this time: a save re-checks every open song too
    client.text_document_did_save(T.DidSaveTextDocumentParams(
        text_document=T.TextDocumentIdentifier(uri=from_fs_path(str(styles)))))
    assert await diagnostics_of(client, uri, 1) == []


def _style_file(name: str) -> str:
    return (f'style {name} "a small swing"\n  time 4/4\n  tempo 120\n'
            "  track bass acoustic_bass role bass pattern walk\n"
            "  pattern walk bass\n    level 1\n      bass | R - 5 - |\n")


_OPTIONS = T.FormattingOptions(tab_size=2, insert_spaces=True)
MESSY = 'title   "Blue"\nstyle jazz.swing\nsection A\n  |F7|Bb7 |   F7| C7|\nform A A'  # no newline at the end


async def test_formatting_is_song_fmt_as_edits_of_the_lines_it_changes(client: LanguageClient, lsp_folder):
    from compiler.fmt import format_source

    uri = _uri(lsp_folder, "messy.song")
    await open_document(client, uri, MESSY)
    edits = await client.text_document_formatting_async(T.DocumentFormattingParams(
        text_document=T.TextDocumentIdentifier(uri=uri), options=_OPTIONS))
    assert apply_edits(MESSY, edits) == format_source(MESSY) != MESSY
    assert sorted(e.range.start.line for e in edits) == [0, 3, 4]  # lines 1 and 2 are left as they are
    tidy = _uri(lsp_folder, "tidy.song")
    await open_document(client, tidy, GOOD)
    canonical = await client.text_document_formatting_async(T.DocumentFormattingParams(
        text_document=T.TextDocumentIdentifier(uri=tidy), options=_OPTIONS))
    assert list(canonical) == [] and format_source(GOOD) == GOOD


async def test_range_formatting_formats_the_selected_lines(client: LanguageClient, lsp_folder):
    uri = _uri(lsp_folder, "messy-range.song")
    await open_document(client, uri, MESSY)
    bar_line = T.Range(start=T.Position(line=3, character=0), end=T.Position(line=3, character=5))
    edits = await client.text_document_range_formatting_async(T.DocumentRangeFormattingParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=bar_line, options=_OPTIONS))
    [edit] = edits
    assert edit.range.start.line == 3 and edit.new_text == "  | F7 | Bb7 | F7 | C7 |\n"
    assert apply_edits(MESSY, edits).startswith('title   "Blue"\n')  # the title line is outside the range


async def test_a_broken_file_is_not_formatted(client: LanguageClient, lsp_folder):
    uri = _uri(lsp_folder, "unparsable.song")
    await open_document(client, uri, "section A\n  | C7 | F7\n")
    edits = await client.text_document_formatting_async(T.DocumentFormattingParams(
        text_document=T.TextDocumentIdentifier(uri=uri), options=_OPTIONS))
    assert not edits


async def test_document_symbols_list_sections_melodies_and_tracks(client: LanguageClient, lsp_folder):
    text, uri = await _opened(client, lsp_folder, "specs/saints_melody.song")
    symbols = await client.text_document_document_symbol_async(T.DocumentSymbolParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))
    by_kind = {}
    for symbol in symbols:
        by_kind.setdefault(symbol.kind, []).append(symbol.name)
    assert by_kind[T.SymbolKind.Namespace] and by_kind[T.SymbolKind.Function] and by_kind[T.SymbolKind.Variable]
    lines = text.split("\n")
    for symbol in symbols:
        selected = lines[symbol.selection_range.start.line]
        assert symbol.name in selected, (symbol.name, selected)
        assert symbol.range.start.line <= symbol.selection_range.start.line <= symbol.range.end.line


async def test_a_style_symbol_holds_its_tracks_sections_and_patterns(client: LanguageClient, lsp_folder):
    _, uri = await _opened(client, lsp_folder, "stdlib/jazz.song")
    symbols = await client.text_document_document_symbol_async(T.DocumentSymbolParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))
    swing = next(s for s in symbols if s.name == "jazz.swing")
    assert swing.kind == T.SymbolKind.Class and swing.detail
    kinds = {child.kind for child in swing.children}
    assert {T.SymbolKind.Variable, T.SymbolKind.Namespace, T.SymbolKind.Struct} <= kinds


async def test_folding_ranges_cover_each_block(client: LanguageClient, lsp_folder):
    text, uri = await _opened(client, lsp_folder, "specs/medium_swing.song")
    ranges = await client.text_document_folding_range_async(T.FoldingRangeParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))
    lines = text.split("\n")
    starts = {lines[r.start_line].split()[0]: (r.start_line, r.end_line) for r in ranges}
    assert starts["arrange"] == (35, 43)            # `arrange` to its last mark line
    assert set(starts) >= {"section", "arrange", "mix"}
    section_a = next(r for r in ranges if lines[r.start_line].startswith("section A "))
    assert lines[section_a.end_line].strip().startswith("ending 2")


async def test_the_server_asks_the_client_to_watch_song_files(client: LanguageClient, lsp_folder):
    for _ in range(1000):  # the request follows `initialized`, which the client sent without waiting
        if client.registrations:
            break
        await asyncio.sleep(0.01)
    [registration] = client.registrations
    assert registration.method == T.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert [w["globPattern"] for w in registration.register_options["watchers"]] == ["**/*.song"]


async def test_a_client_that_counts_code_points_gets_code_points(lsp_folder):
    """Positions follow the encoding the client asked for (here UTF-32: the emoji is one unit)."""
    other = await CONFIG.start()
    try:
        result = await start_session(other, from_fs_path(str(lsp_folder)), encodings=(T.PositionEncodingKind.Utf32,))
        assert result.capabilities.position_encoding == T.PositionEncodingKind.Utf32
        text = GOOD.replace('title "Blue"', 'title "Blue 😀" extra')
        [diag] = await open_document(other, _uri(lsp_folder, "emoji32.song"), text)
        assert diag.range.start.character == text.split("\n")[0].index("extra")
        await other.shutdown_session()
    finally:
        await other.stop()


async def test_a_burst_of_changes_is_checked_once_for_its_last_version(client: LanguageClient, lsp_folder):
    uri = _uri(lsp_folder, "burst.song")
    await open_document(client, uri, GOOD)
    for version in range(2, 7):  # five keystrokes sent at once, as a fast typist's editor would
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text=GOOD.replace("F7 |", f"F{version} |"))]))
    await diagnostics_of(client, uri, 6)
    published = [version for (published_uri, version) in client.published if published_uri == uri]
    assert published[-1] == 6 and len(published) < 6, published  # open + fewer than five checks
