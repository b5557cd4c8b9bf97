"""iReal Pro import: hand-made charts (tests/data/charts/ireal/charts.txt, encoded as links in the files
beside it) import to `.song` files that check, build, and play the chart's chord timeline."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from hypothesis import given, strategies as st

from compiler.charts.ireal import MUSIC_PREFIX, unscramble

from chart_timeline import imports_plays_and_builds, run_import

FIXTURES = Path(__file__).resolve().parent / "data" / "charts" / "ireal"

# The played chord timeline of each fixture, bar by bar in `.song` cell notation (`.` holds a beat);
# a playlist's charts are joined by `;` in the order they are written.
PLAYED = {
    "blues.txt": "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | D7 | Gm7 | C7 | F7 D7 | Gm7 C7",
    "minor_blues.html": "Cm7 | Cm7 | Fm7 | Cm7 | Ab7 | G7alt",
    "endings.txt": "Ebmaj7 | Cm7 | Fm7 | Bb7 | Gm7 C7 | Fm7 Bb7 | Ebmaj7 | Cm7 | Fm7 | Bb7 | Ebmaj7 | Bbm7 Eb7"
                   " | Abmaj7 | Abm6 | Gm7 C7 | Fm7 Bb7",
    "three_endings.txt": "Gmaj7 | Em7 | Am7 D7 | Gmaj7 | Em7 | Bm7 E7 | Gmaj7 | Em7 | Cmaj7 D7 | G6",
    "repeat_count.txt": "Dm7 | G7 | Dm7 | G7 | Dm7 | G7 | Bbmaj7 | A7alt",
    "dc_al_coda.html": "Fmaj7 | Gm7 C7 | Am7 D7 | Gm7 C7 | Bbmaj7 | Bbm6 | Am7 | D7"
                       " | Fmaj7 | Gm7 C7 | Am7 D7 | Gm7 C7 | Gm7 C7 | F6",
    "ds_al_coda.txt": "Bbmaj7 | G7 | Cm7 | F7 | Dm7 G7 | Cm7 F7 | Ebmaj7 | Ebm6 | Dm7 | G7"
                      " | Cm7 | F7 | Dm7 G7 | Cm7 F7 | Cm7 F7 | Bb6",
    "dc_al_fine.txt": "Am | Dm | E7 | Am | C | G | E7 | E7 | Am | Dm | E7 | Am",
    "time_changes.txt": "Cmaj7 | Dm7 | Em7 | A7 | Dm7 G7 | Cmaj7",
    "slash_chords.txt": "C | G/B | Am7 Am7/G | Fmaj7 Fmaj7/E | Dm7/C | G7sus G7",
    "alternate_chords.html": "Fmaj7 | D7 | Gm7 | C7",
    "no_chord.txt": "E7 | N.C. | E7 N.C. | A7 . . N.C.",
    "odd_meter.txt": "Ebm7 . . Bbm7 . | Ebm7 . . Bbm7 . | Cbmaj7 | Bb7alt",
    "seven_eight.txt": "A | G | D/F# | A",
    "twelve_eight.txt": "G | C | G D7 | G",
    "beat_cells.txt": "Dmaj7 Em7 F#m7 Gmaj7 | A7 . . Bm7 | C7 | A7 . . Bm7 | C7 | Dmaj7",
    "playlist.html": "Cmaj7 | Dm7 G7; Am7 | E7b9; G | C",
    "irealbook.txt": "Abmaj7 | Fm7 | Bbm7 Eb7 | Ab6",
    "sections.txt": "G | D | G | C | Em | D | C | D | G | G | G | C | Em | D",
}


def test_there_are_fifteen_or_more_fixtures():
    assert len(PLAYED) >= 15
    assert sorted(PLAYED) == sorted(p.name for p in FIXTURES.iterdir() if p.name != "charts.txt")


@pytest.mark.parametrize("name", sorted(PLAYED))
def test_fixture_imports_plays_its_chart_and_builds(name, tmp_path, capsys):
    imports_plays_and_builds(FIXTURES / name, PLAYED[name], tmp_path, capsys)


def test_the_written_song_is_formatted_and_names_the_road_map(tmp_path, capsys):
    assert run_import(tmp_path, str(FIXTURES / "endings.txt")) == 0
    text = (tmp_path / "out" / "two_endings.song").read_text()
    from compiler.fmt import format_source
    assert format_source(text) == text
    assert "key      Eb major" in text and "style    jazz.ballad" in text and "tempo    66" in text
    assert "form A.1 A.2 B" in text


def test_minor_key_and_meter_styles():
    from compiler.charts.ireal import find_charts, read_chart
    minor = read_chart(find_charts((FIXTURES / "minor_blues.html").read_text())[0])
    assert minor.key == "C minor" and minor.tempo is None and minor.style == "jazz.swing"
    waltz = read_chart(find_charts((FIXTURES / "dc_al_fine.txt").read_text())[0])
    assert waltz.key == "A minor" and waltz.style == "jazz.waltz" and str(waltz.meter) == "3/4"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_obfuscation_is_its_own_inverse(text):
    assert unscramble(unscramble(text)) == text


def test_obfuscation_swaps_the_documented_positions():
    block = "".join(chr(65 + i % 26) + "" for i in range(52))
    scrambled = unscramble(block)
    assert scrambled[0] == block[49] and scrambled[4] == block[45] and scrambled[5] == block[5]
    assert scrambled[10] == block[39] and scrambled[23] == block[26] and scrambled[24] == block[24]
    assert scrambled[50:] == block[50:] and unscramble("x" * 51) == "x" * 51


def _link(music: str, title: str = "Bad", key: str = "C") -> str:
    return "irealb://" + quote(f"{title}=Me==Medium Swing={key}=={MUSIC_PREFIX}{unscramble(music)}==120=0", safe="")


@pytest.mark.parametrize("music, key, code, token", [
    ("[T44C^7XyQ|q7XyQZ", "C", "E202", "q7"),        # an unreadable token: at it
    ("[T44C D E F G|C^7XyQZ", "C", "E203", "G%7C"),  # five chords in a 4/4 bar: at the fifth
    ("{T44C^7XyQ|N1D-7 G7 }XyQ|C^7XyQZ", "C", "E204", "N1"),  # a first ending and no second: at N1
    ("[T44C^7XyQ|N2D-7XyQZ", "C", "E204", "N2"),     # an ending 2 with no 1: at it
    ("[T44xXyQ|C^7XyQZ", "C", "E202", "xXyQ"),       # `x` with no bar before: at it
    ("[T44C^7XyQZ", "H", "E201", ""),                # not a key
])
def test_a_malformed_chart_gets_a_located_diagnostic_and_the_rest_import(music, key, code, token, tmp_path, capsys):
    good = (FIXTURES / "blues.txt").read_text()
    playlist = tmp_path / "list.html"
    link = _link(music, key=key)
    playlist.write_text(f"<p>first</p>\n<a href='{link}'>bad</a>\n{good}")
    assert run_import(tmp_path, str(playlist)) == 1
    captured = capsys.readouterr()
    column = 10 + (link.index(token) if token else 0)
    assert f"{playlist}:2:{column}: error[{code}]" in captured.err and "Traceback" not in captured.err
    assert captured.out.splitlines() == [f"wrote {tmp_path / 'out' / 'practice_blues.song'}"]


def test_a_file_without_links_and_a_missing_file(tmp_path, capsys):
    empty = tmp_path / "notes.txt"
    empty.write_text("no charts here\n")
    assert run_import(tmp_path, str(empty)) == 1
    assert "error[E200]" in capsys.readouterr().err
    assert run_import(tmp_path, str(tmp_path / "nothere.txt")) == 2


def test_never_overwrites_without_force(tmp_path, capsys):
    fixture = str(FIXTURES / "blues.txt")
    assert run_import(tmp_path, fixture) == 0
    target = tmp_path / "out" / "practice_blues.song"
    target.write_text("# mine\n")
    assert run_import(tmp_path, fixture) == 1
    assert "error[E206]" in capsys.readouterr().err and target.read_text() == "# mine\n"
    assert run_import(tmp_path, fixture, "--force") == 0
    assert target.read_text().startswith('title    "Practice Blues"')


def test_a_link_on_the_command_line_and_a_chosen_style(tmp_path, capsys):
    assert run_import(tmp_path, _link("[T44C^7XyQ|A-7XyQZ", title="Café Tune"), "--style", "latin.bossa") == 0
    text = (tmp_path / "out" / "cafe_tune.song").read_text()
    assert "style    latin.bossa" in text


def test_an_unknown_ireal_style_warns_and_plays_the_default(tmp_path, capsys):
    link = _link("[T44C^7XyQZ").replace("Medium%20Swing", "Polka")
    assert run_import(tmp_path, link) == 0
    assert "warning[W200]" in capsys.readouterr().err
    assert "style    jazz.swing" in (tmp_path / "out" / "bad.song").read_text()


def test_a_chart_that_would_not_check_is_not_written(tmp_path, capsys):
    assert run_import(tmp_path, _link("[T44C^7XyQ|Cb9b9XyQZ")) == 1
    assert "error[E205]" in capsys.readouterr().err and not (tmp_path / "out" / "bad.song").exists()


@pytest.mark.parametrize("music, at", [
    # past the first 50 characters: a block the obfuscation leaves as it is
    ("[T44C^7XyQ|A-7XyQ|D-7XyQ|G7XyQ|C^7XyQ|A-7XyQ|D-7XyQ|G7XyQ|E-7XyQ|A7XyQ|Cb9b9XyQ|G7XyQZ", 71),
    # the `C` at 38 of the first block, which the obfuscation swaps with 49 - 38 = 11
    ("[T44C^7XyQ|A-7XyQ|D-7XyQ|G7XyQ|C^7XyQ|Cb9b9XyQ|D-7XyQ|G7XyQ|E-7XyQ|A7XyQ|C^7XyQ|G7XyQZ", 11),
])
def test_a_chord_that_does_not_check_is_shown_where_the_link_has_it(music, at, tmp_path, capsys):
    """The diagnostic points at the chord's first letter where the (scrambled, URL-encoded) link has it."""
    link = _link(music)
    head = f"Bad=Me==Medium Swing=C=={MUSIC_PREFIX}"
    scrambled = unquote(link[len("irealb://"):])[len(head):]
    assert music[:at] != scrambled[:at] or at > 50 and scrambled[at] == "C"
    page = tmp_path / "page.txt"
    page.write_text(f"charts:\n{link}\n")
    assert run_import(tmp_path, str(page)) == 1
    err = capsys.readouterr().err
    column = len("irealb://") + len(quote(head + scrambled[:at], safe="")) + 1
    assert f"{page}:2:{column}: error[E205]" in err and "unknown chord `Cb9b9`" in err, err