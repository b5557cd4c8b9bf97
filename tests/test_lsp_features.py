"""`song lsp` end to end, the features beyond diagnostics: completion, hover, definition and references,
code actions and semantic tokens (pytest-lsp: a real client over stdio)."""

from __future__ import annotations

import pytest
from lsprotocol import types as T
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import LanguageClient

from bench.lsp_client import apply_edits, open_document

pytestmark = pytest.mark.asyncio(loop_scope="module")

SONG = """\
title "Changes"
key   Bb major
style jazz.swing

section A
  | Cm7 F7 | Bbmaj7 | D7 | Gm7 |
section B
  | Ebmaj7 | Ab7 |

form A B A

arrange
  A      mp
  last A f  fill

track bass  acoustic_bass
track piano pattern charleston
track lead  alto_sax melody tune

melody tune for A
  | Bb4/4 C5/4 D5/2 |
"""


async def _open(client: LanguageClient, lsp_folder, name: str, text: str) -> str:
    uri = from_fs_path(str(lsp_folder / name))
    await open_document(client, uri, text)
    return uri


def _at(text: str, needle: str, line_of: str | None = None, offset: int = 0) -> T.Position:
    """The position of `needle` (in the first line containing `line_of`, if given), `offset` characters in."""
    for number, line in enumerate(text.split("\n")):
        if (line.lstrip().startswith(line_of) if line_of else True) and needle in line:
            return T.Position(line=number, character=line.index(needle) + offset)
    raise AssertionError(needle)


async def _labels(client: LanguageClient, uri: str, position: T.Position) -> list[str]:
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=position))
    return [item.label for item in result.items]


async def test_the_song_checks_clean(client: LanguageClient, lsp_folder):
    uri = from_fs_path(str(lsp_folder / "changes.song"))
    assert await open_document(client, uri, SONG) == []


async def test_completion_offers_header_keywords_at_the_start_of_a_line(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "c1.song", SONG + "te")
    labels = await _labels(client, uri, T.Position(line=SONG.count("\n"), character=2))
    assert labels == ["tempo"]
    uri = await _open(client, lsp_folder, "c1b.song", SONG + "\n")
    labels = await _labels(client, uri, T.Position(line=SONG.count("\n"), character=0))
    assert {"section", "form", "arrange", "key", "title", "melody", "use"} <= set(labels)


async def test_completion_offers_styles_with_their_descriptions(client: LanguageClient, lsp_folder):
    text = "style jazz.\n"
    uri = await _open(client, lsp_folder, "c2.song", text)
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=0, character=len("style jazz."))))
    by_label = {item.label: item for item in result.items}
    assert {"jazz.swing", "jazz.ballad", "jazz.waltz"} <= set(by_label)
    assert not [label for label in by_label if not label.startswith("jazz.")]
    assert "walking bass" in by_label["jazz.swing"].detail.lower()


async def test_completion_offers_gm_instruments_and_kits_after_a_track_name(client: LanguageClient, lsp_folder):
    text = SONG + "track horn \n"
    uri = await _open(client, lsp_folder, "c3.song", text)
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=SONG.count("\n"), character=11)))
    by_label = {item.label: item for item in result.items}
    assert by_label["trumpet"].detail == "Trumpet: GM program 57"
    assert "standard_kit" in by_label and "brush_kit" in by_label
    assert "acoustic_grand" not in by_label  # aliases are read, not offered


async def test_completion_offers_patterns_and_melodies_after_their_option(client: LanguageClient, lsp_folder):
    text = SONG + "track organ pattern \ntrack flute melody \n"
    uri = await _open(client, lsp_folder, "c4.song", text)
    patterns = await _labels(client, uri, T.Position(line=SONG.count("\n"), character=len("track organ pattern ")))
    assert {"charleston", "walking"} <= set(patterns)  # jazz.swing's patterns
    melodies = await _labels(client, uri, T.Position(line=SONG.count("\n") + 1, character=len("track flute melody ")))
    assert melodies == ["tune"]


async def test_completion_offers_section_names_in_form_and_arrange(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "c5.song", SONG)
    in_form = await _labels(client, uri, _at(SONG, "B A", "form", 0))
    assert {"A", "B", "intro", "ending"} <= set(in_form)
    in_arrange = await _labels(client, uri, _at(SONG, "A      mp", offset=0))
    assert {"A", "B", "first", "last"} <= set(in_arrange)


async def test_completion_offers_marks_after_an_arrange_label(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "c6.song", SONG)
    marks = await _labels(client, uri, _at(SONG, "mp", "A      mp"))
    assert {"mp", "ff", "fill", "stop", "build", "tacet"} <= set(marks)
    assert "A" not in marks


async def test_completion_offers_chord_qualities_after_a_root(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "c7.song", SONG)
    position = _at(SONG, "D7 |", offset=1)  # after the `D` of `D7`
    labels = await _labels(client, uri, position)
    assert labels[:3] == ["D7", "Dm7", "Dmaj7"] and "Dm7b5" in labels
    numerals = await _open(client, lsp_folder, "c7b.song", "section A\n  | ii |\n")
    assert "ii7" in await _labels(client, numerals, T.Position(line=1, character=6))
    assert "iim7" not in await _labels(client, numerals, T.Position(line=1, character=6))
    assert await _labels(client, uri, _at(SONG, "Changes", offset=1)) == []  # not in a bar: nothing


async def _hover(client: LanguageClient, uri: str, position: T.Position) -> str | None:
    result = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=position))
    return result.contents.value if result is not None else None


async def test_hover_on_a_chord_spells_its_notes_and_degree(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "h1.song", SONG)
    assert await _hover(client, uri, _at(SONG, "Cm7", offset=1)) == "**Cm7** — C Eb G Bb — ii7 in Bb major"
    assert await _hover(client, uri, _at(SONG, "D7 |")) == "**D7** — D F# A C — III7 in Bb major"
    assert await _hover(client, uri, _at(SONG, "Ab7")) == "**Ab7** — Ab C Eb Gb — bVII7 in Bb major"
    held = await _open(client, lsp_folder, "h1b.song", "section A\n  | C . F G | % |\n")
    assert (await _hover(client, held, T.Position(line=1, character=6))).startswith("`.` — holds the chord")
    assert (await _hover(client, held, T.Position(line=1, character=14))).startswith("`%` — plays the bar before")


async def test_hover_on_a_style_gives_its_description_and_tracks(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "h2.song", SONG)
    text = await _hover(client, uri, _at(SONG, "jazz.swing", offset=2))
    assert text.startswith("**jazz.swing** — ") and "4/4" in text
    assert "- `bass`: acoustic_bass, bass" in text and "- `drums`:" in text


async def test_hover_on_an_instrument_gives_its_gm_program(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "h3.song", SONG)
    text = await _hover(client, uri, _at(SONG, "alto_sax"))
    assert text == "**alto_sax** — Alto Sax: GM program 66 (0-based 65), reed family"


async def test_hover_on_a_section_gives_its_bars_and_where_it_plays(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "h4.song", SONG)
    text = await _hover(client, uri, _at(SONG, "A", "section A", offset=0))
    assert text.startswith("**section A** — 4 bars, 4/4, Bb major")
    assert "plays 2 times" in text and "bars" in text
    in_form = await _hover(client, uri, _at(SONG, "B", "form A B A"))
    assert in_form.startswith("**section B** — 2 bars") and "plays 1 time:" in in_form


async def _definition(client: LanguageClient, uri: str, position: T.Position) -> list[T.Location]:
    return list(await client.text_document_definition_async(T.DefinitionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=position)) or [])


async def test_definition_of_a_section_and_a_melody(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "d1.song", SONG)
    [section] = await _definition(client, uri, _at(SONG, "B", "form A B A"))
    assert section.uri == uri and section.range.start == _at(SONG, "B", "section B")
    [melody] = await _definition(client, uri, _at(SONG, "tune", "track lead"))
    assert melody.range.start == _at(SONG, "tune", "melody tune")


async def test_definition_of_a_style_and_its_pattern_reaches_the_stdlib(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "d2.song", SONG)
    [style] = await _definition(client, uri, _at(SONG, "jazz.swing"))
    assert to_fs_path(style.uri).endswith("jazz.song")
    target = open(to_fs_path(style.uri), encoding="utf-8").read().split("\n")[style.range.start.line]
    assert target.startswith("style jazz.swing ")
    [pattern] = await _definition(client, uri, _at(SONG, "charleston"))
    line = open(to_fs_path(pattern.uri), encoding="utf-8").read().split("\n")[pattern.range.start.line]
    assert line.strip().startswith("pattern charleston")


async def test_definition_into_a_used_file(client: LanguageClient, lsp_folder):
    (lsp_folder / "lib.song").write_text('style my.feel "mine"\n  time 4/4\n  tempo 100\n'
                                     "  track bass acoustic_bass role bass pattern mine\n"
                                     "  pattern mine bass\n    level 1\n      bass | R - 5 - |\n", encoding="utf-8")
    text = 'use "lib.song"\nstyle my.feel\nsection A\n  | C |\n'
    uri = await _open(client, lsp_folder, "d3.song", text)
    [style] = await _definition(client, uri, _at(text, "my.feel"))
    assert style.uri == from_fs_path(str(lsp_folder / "lib.song")) and style.range.start.line == 0
    [file] = await _definition(client, uri, _at(text, "lib.song"))
    assert file.uri == style.uri
    [link] = await client.text_document_document_link_async(T.DocumentLinkParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))
    assert link.target == style.uri and link.range.start == _at(text, "lib.song", offset=-1)  # the quoted name
    uses = await client.text_document_references_async(T.ReferenceParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=_at(text, "my.feel"),
        context=T.ReferenceContext(include_declaration=True)))
    assert sorted((u.uri == uri, u.range.start.line) for u in uses) == [(False, 0), (True, 1)]  # its definition too


async def test_references_of_a_section(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "r1.song", SONG)
    found = await client.text_document_references_async(T.ReferenceParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=_at(SONG, "A", "section A"),
        context=T.ReferenceContext(include_declaration=True)))
    lines = sorted(location.range.start.line for location in found)
    text_lines = SONG.split("\n")
    assert [text_lines[n].split()[0] for n in lines] == ["section", "form", "form", "A", "last", "melody"]
    without = await client.text_document_references_async(T.ReferenceParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=_at(SONG, "A", "section A"),
        context=T.ReferenceContext(include_declaration=False)))
    assert len(without) == len(found) - 1


async def _actions(client: LanguageClient, uri: str, diagnostics: list[T.Diagnostic]) -> list[T.CodeAction]:
    return list(await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=diagnostics[0].range,
        context=T.CodeActionContext(diagnostics=diagnostics))) or [])


async def test_a_code_action_applies_a_single_did_you_mean(client: LanguageClient, lsp_folder):
    text = SONG.replace("form A B A", "form A Bb A").replace("section B", "section Bb")
    text = text.replace("track piano pattern charleston", "track piano pattern charlestn")
    uri = from_fs_path(str(lsp_folder / "a1.song"))
    diagnostics = await open_document(client, uri, text)
    [diagnostic] = [d for d in diagnostics if d.code == "E041"]
    [action] = await _actions(client, uri, [diagnostic])
    [edit] = action.edit.changes[uri]
    assert edit.new_text == "charleston" and action.kind == T.CodeActionKind.QuickFix
    line = text.split("\n")[edit.range.start.line]
    assert line[edit.range.start.character:edit.range.end.character] == "charlestn"


async def test_a_code_action_adds_a_missing_section(client: LanguageClient, lsp_folder):
    text = SONG.replace("form A B A", "form A B A C")
    uri = from_fs_path(str(lsp_folder / "a2.song"))
    [diagnostic] = await open_document(client, uri, text)
    assert diagnostic.code == "E030"
    actions = await _actions(client, uri, [diagnostic])
    stub = next(a for a in actions if a.title.startswith("Add a section `C`"))
    [edit] = stub.edit.changes[uri]
    lines = text.split("\n")
    fixed = "\n".join(lines[:edit.range.start.line]) + "\n" + edit.new_text + "\n".join(lines[edit.range.start.line:])
    assert await open_document(client, from_fs_path(str(lsp_folder / "a2-fixed.song")), fixed) == []


async def test_semantic_tokens_mark_chords_sections_keywords_numbers_and_comments(client: LanguageClient, lsp_folder):
    from compiler.lsp.tokens import TOKEN_TYPES

    text = 'tempo 132  # 😀 fast\nsection A\n  | Cm7 F7 | % |\nform A\n'
    uri = await _open(client, lsp_folder, "t1.song", text)
    result = await client.text_document_semantic_tokens_full_async(T.SemanticTokensParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))
    tokens, line, start = [], 0, 0
    data = result.data
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, _ = data[index:index + 5]
        line, start = line + delta_line, (start + delta_start if delta_line == 0 else delta_start)
        tokens.append((line, start, length, TOKEN_TYPES[kind]))
    assert tokens == [
        (0, 0, 5, "keyword"), (0, 6, 3, "number"), (0, 11, 9, "comment"),    # 8 code points; the emoji is 2 UTF-16 units
        (1, 0, 7, "keyword"), (1, 8, 1, "namespace"),
        (2, 4, 3, "type"), (2, 8, 2, "type"), (2, 13, 1, "operator"),
        (3, 0, 4, "keyword"), (3, 5, 1, "namespace"),
    ]


async def test_no_chords_are_offered_in_a_pattern_lane(client: LanguageClient, lsp_folder):
    text = 'style my.s "x"\n  time 4/4\n  section intro\n    | I |\n  pattern p bass\n    level 1\n      bass | A |\n'
    uri = await _open(client, lsp_folder, "c8.song", text)
    assert await _labels(client, uri, T.Position(line=6, character=13)) == []  # after the lane's `A`
    assert "I7" in await _labels(client, uri, T.Position(line=3, character=7))  # the style's section: chords


async def test_an_instrument_or_a_mark_has_no_definition(client: LanguageClient, lsp_folder):
    uri = await _open(client, lsp_folder, "d4.song", SONG)
    assert await _definition(client, uri, _at(SONG, "alto_sax")) == []
    assert await _definition(client, uri, _at(SONG, "fill")) == []


async def test_a_code_action_writes_the_word_songspec_uses(client: LanguageClient, lsp_folder):
    text = SONG.replace('key   Bb major', 'key   Bb major\nmeter 4/4')
    uri = from_fs_path(str(lsp_folder / "a3.song"))
    [diagnostic] = await open_document(client, uri, text)
    assert diagnostic.code == "E010"
    [action] = await _actions(client, uri, [diagnostic])
    [edit] = action.edit.changes[uri]
    assert (edit.new_text, edit.range.start, edit.range.end) == ("time", T.Position(line=2, character=0),
                                                                  T.Position(line=2, character=5))


async def test_the_style_s_intro_has_a_hover_and_a_definition(client: LanguageClient, lsp_folder):
    text = "style jazz.swing\nsection A\n  | C |\nform intro A ending\n"
    uri = await _open(client, lsp_folder, "i1.song", text)
    about = await _hover(client, uri, _at(text, "intro"))
    assert about == "**section intro** (from jazz.swing) — 4 bars, 4/4, C major\n\nplays 1 time: pass 1: bars 1–4"
    [where] = await _definition(client, uri, _at(text, "ending"))
    lines = open(to_fs_path(where.uri), encoding="utf-8").read().split("\n")
    assert to_fs_path(where.uri).endswith("jazz.song") and lines[where.range.start.line] == "  section ending"
    style_start = next(n for n, line in enumerate(lines) if line.startswith("style jazz.swing "))
    next_style = next(n for n, line in enumerate(lines) if n > style_start and line.startswith("style "))
    assert style_start < where.range.start.line < next_style  # jazz.swing's own ending, not another style's


async def test_completion_offers_modes_after_a_key_and_presets_after_master(client: LanguageClient, lsp_folder):
    text = "key Bb \nmaster \n"
    uri = await _open(client, lsp_folder, "c9.song", text)
    modes = await _labels(client, uri, T.Position(line=0, character=7))
    assert {"major", "minor", "dorian", "mixolydian"} <= set(modes)
    assert await _labels(client, uri, T.Position(line=1, character=7)) == ["streaming", "apple", "broadcast"]


async def test_rename_a_section_everywhere_the_song_names_it(client: LanguageClient, lsp_folder):
    text = SONG.replace("form A B A", "form A B A.2").replace(
        "| Gm7 |\n", "| Gm7 |\n  ending 1 | C7 |\n  ending 2 | F7 |\n")
    uri = from_fs_path(str(lsp_folder / "n1.song"))
    assert await open_document(client, uri, text) == []
    document = T.TextDocumentIdentifier(uri=uri)
    place = await client.text_document_prepare_rename_async(T.PrepareRenameParams(
        text_document=document, position=_at(text, "A.2", offset=1)))
    assert (place.start, place.end.character - place.start.character) == (_at(text, "A.2"), 1)  # `A` of `A.2`
    edit = await client.text_document_rename_async(T.RenameParams(
        text_document=document, position=_at(text, "A", "section A"), new_name="Verse"))
    renamed = apply_edits(text, edit.changes[uri])
    assert "section Verse" in renamed and "form Verse B Verse.2" in renamed
    assert "  Verse      mp" in renamed and "last Verse f" in renamed and "melody tune for Verse" in renamed
    assert await open_document(client, from_fs_path(str(lsp_folder / "n1-renamed.song")), renamed) == []


async def test_rename_refuses_what_the_song_does_not_define_and_a_name_that_is_not_a_word(client: LanguageClient,
                                                                                         lsp_folder):
    uri = await _open(client, lsp_folder, "n2.song", SONG)
    document = T.TextDocumentIdentifier(uri=uri)
    assert await client.text_document_prepare_rename_async(T.PrepareRenameParams(
        text_document=document, position=_at(SONG, "jazz.swing"))) is None  # a bundled style
    assert await client.text_document_rename_async(T.RenameParams(
        text_document=document, position=_at(SONG, "tune", "melody tune"), new_name="two words")) is None

