"""ChordPro import: hand-written songs (tests/data/charts/chordpro/) import to `.song` files that check,
build, and play the chart's chord timeline; a malformed file gets a located diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.cli import compile_front

from chart_timeline import expected, imports_plays_and_builds, played, run_import

FIXTURES = Path(__file__).resolve().parent / "data" / "charts" / "chordpro"

# The played chord timeline of each fixture, bar by bar in `.song` cell notation (`.` holds a cell);
# the songs of a songbook are joined by `;`.
PLAYED = {
    "amazing_grace.cho": "G | G7 | C | G | Em | D | G | G7 | C | G | Em | D | G",
    "verse_chorus.cho": "D | A | Bm | G | G | A | D | Bm | G | A | D"
                        " | D | A | Bm | G | G | A | D | Bm | G | A | D",
    "grid_blues.cho": "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | D7 | Gm7 | C7 | F7 D7 | Gm7 C7",
    "repeats.cho": "Dm7 | G7 | Dm7 | G7 | Dm7 | G7 | Bbmaj7 | A7alt",
    "two_endings.cho": "Ebmaj7 | Cm7 | Fm7 | Bb7 | Gm7 C7 | Fm7 Bb7 | Ebmaj7 | Cm7 | Fm7 | Bb7 | Ebmaj7"
                       " | Ebmaj7 | Abmaj7 | Abm6 | Gm7 C7 | Fm7 Bb7",
    "three_endings.cho": "Gmaj7 | Em7 | Am7 D7 | Gmaj7 | Em7 | Bm7 E7 | Gmaj7 | Em7 | Cmaj7 D7 | G6",
    "time_changes.cho": "Cmaj7 | Dm7 | Em7 | A7 | Dm7 G7 | Cmaj7",
    "slash_chords.cho": "C | G/B | Am7 Am7/G | Fmaj7 Fmaj7/E | Dm7/C | G7sus G7",
    "alternate_chords.cho": "Fmaj7 | D7 | Gm7 | C7",
    "no_chord.cho": "E7 | N.C. | E7 N.C. | A7 . . N.C.",
    "five_four.cho": "Ebm7 . . Bbm7 . | Ebm7 . . Bbm7 . | Cbmaj7 | Bb7alt",
    "seven_eight.cho": "A | G | D/F# | A",
    "twelve_eight.cho": "G | C | G D7 | G",
    "percent_repeats.cho": "Bbmaj7 | Bbmaj7 | Cm7 F7 | Dm7 G7 | Cm7 F7 | Dm7 G7 | Cm7 F7 | Bb6",
    "songbook.cho": "Cmaj7 | Dm7 G7; Am7 | E7 | Am7 D7 E7",
    "dc_al_coda.cho": "Fmaj7 | Gm7 C7 | Am7 D7 | Gm7 C7 | Bbmaj7 | Bbm6 | Am7 | D7"
                      " | Fmaj7 | Gm7 C7 | Am7 D7 | Gm7 C7 | Gm7 C7 | F6",
    "ds_al_coda.cho": "Bbmaj7 | G7 | Cm7 | F7 | Dm7 G7 | Cm7 F7 | Ebmaj7 | Ebm6 | Dm7 | G7"
                      " | Cm7 | F7 | Dm7 G7 | Cm7 F7 | Cm7 F7 | Bb6",
    "dc_al_fine.cho": "Am | Dm | E7 | Am | C | G | E7 | E7 | Am | Dm | E7 | Am",
    "held_cells.cho": "Dmaj7 . Em7 . | Em7 . F#m7 . | Gmaj7 A7 . . | A7 . Bm7 .",
    "key_change.cho": "F | Bb C7 | F | G | C D7 | G",
}


def test_there_are_fifteen_or_more_fixtures():
    assert len(PLAYED) >= 15
    assert sorted(PLAYED) == sorted(p.name for p in FIXTURES.iterdir())


@pytest.mark.parametrize("name", sorted(PLAYED))
def test_fixture_imports_plays_its_chart_and_builds(name, tmp_path, capsys):
    imports_plays_and_builds(FIXTURES / name, PLAYED[name], tmp_path, capsys)


def test_header_sections_and_the_chorus_recall(tmp_path, capsys):
    assert run_import(tmp_path, str(FIXTURES / "verse_chorus.cho")) == 0
    text = (tmp_path / "out" / "porch_light.song").read_text()
    assert 'title    "Porch Light"' in text and 'composer "The Fixture Band"' in text
    assert "key      D major" in text and "tempo    104" in text and "style" not in text
    assert "form verse chorus verse chorus" in text  # Verse 2 plays verse 1's chords: one section


def test_inline_chords_warn_that_bars_were_inferred_and_grids_do_not(tmp_path, capsys):
    path = FIXTURES / "amazing_grace.cho"
    assert run_import(tmp_path, str(path)) == 0
    assert f"{path}:9:3: warning[W201]" in capsys.readouterr().err
    assert run_import(tmp_path, str(FIXTURES / "grid_blues.cho")) == 0
    assert "W201" not in capsys.readouterr().err


def test_the_road_map_names_the_coda(tmp_path, capsys):
    assert run_import(tmp_path, str(FIXTURES / "ds_al_coda.cho")) == 0
    assert "form A A2 A3 A2 coda" in (tmp_path / "out" / "sign_post.song").read_text()


def test_a_grid_song_reads_its_grids_not_the_chords_over_its_lyrics(tmp_path, capsys):
    song = tmp_path / "both.cho"
    song.write_text("{title: Both}\n[C]Sing a [F]line\n{sog}\n| G7 . . . | C . . . |\n{eog}\n")
    assert run_import(tmp_path, str(song)) == 0
    assert played(tmp_path / "out" / "both.song") == expected("G7 | C")


@pytest.mark.parametrize("text, line, col, code", [
    ("{title: Open\n[C]la\n", 1, 1, "E207"),                          # a directive not closed
    ("{title: X}\n[C]la\n{end_of_chorus}\n", 3, 1, "E207"),          # an end with no start
    ("{sov}\n[C]la\n{soc}\n", 3, 1, "E207"),                          # an environment inside another
    ("{title: X}\n[C]la [Hm7]lo\n", 2, 8, "E202"),                    # not a chord
    ("{title: X}\n[C]la [G\n", 2, 7, "E207"),                         # a `[` not closed
    ("{time: 4/5}\n[C]la\n", 1, 1, "E207"),                           # not a time signature
    ("{key: H}\n[C]la\n", 1, 1, "E207"),                              # not a key
    ("{tempo: fast}\n[C]la\n", 1, 1, "E207"),                         # not a tempo
    ("{chorus}\n[C]la\n", 1, 1, "E207"),                              # a recall before any chorus
    ("{sog}\n| C . . | G . . . |\n{eog}\n", 2, 3, "E208"),            # three cells in a 4/4 bar
    ("{sog}\n| % | C |\n{eog}\n", 2, 3, "E202"),                      # `%` with no bar before
    ("{sog}\n| . . C . |\n{eog}\n", 2, 3, "E202"),                    # holding a chord before the first
    ("{sog}\n|: C |1 F :| G ||\n{eog}\n", 2, 4, "E204"),              # a first ending and no second
    ("[C][F][G][Am][Dm]la\n", 1, 2, "E203"),                          # five chords sharing a 4/4 bar
])
def test_a_malformed_song_gets_a_located_diagnostic_and_the_rest_of_the_songbook_imports(
        text, line, col, code, tmp_path, capsys):
    good = "{title: Good One}\n{sog}\n| C . . . | G7 . . . |\n{eog}\n"
    book = tmp_path / "book.cho"
    book.write_text(good + "{new_song}\n" + text)
    assert run_import(tmp_path, str(book)) == 1
    captured = capsys.readouterr()
    assert f"{book}:{line + 5}:{col}: error[{code}]" in captured.err and "Traceback" not in captured.err
    assert captured.out.splitlines() == [f"wrote {tmp_path / 'out' / 'good_one.song'}"]


def test_a_file_without_chords(tmp_path, capsys):
    lyrics = tmp_path / "words.chopro"
    lyrics.write_text("{title: Words}\nJust words here\n")
    assert run_import(tmp_path, str(lyrics)) == 1
    assert f"{lyrics}:1:1: error[E200]" in capsys.readouterr().err


def test_a_later_key_starts_a_section_in_that_key(tmp_path, capsys):
    assert run_import(tmp_path, str(FIXTURES / "key_change.cho")) == 0
    path = tmp_path / "out" / "truck_driver.song"
    assert "key   F major" in path.read_text() and "section chorus key G major" in path.read_text()
    song, _, _ = compile_front(str(path))
    assert [f"{bar.key.tonic} {bar.key.mode}" for bar in song.bars] == ["F major"] * 3 + ["G major"] * 3
