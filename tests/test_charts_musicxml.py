"""MusicXML import: hand-made lead sheets (tests/data/charts/musicxml/) import to `.song` files that check,
build, and play the chart's chord timeline and melody; every MusicXML 4.0 <kind> maps; a malformed file
gets a located diagnostic."""

from __future__ import annotations

import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.charts.musicxml_harmony import KINDS
from compiler.charts.song_writer import _VALUES, note_values, writable
from compiler.chords import parse_chord
from compiler.cli import compile_front, main
from compiler.pitch import Key

from chart_timeline import expected, imports_plays_and_builds, played, run_import
from test_chord_table import MUSICXML, _pcs

FIXTURES = Path(__file__).resolve().parent / "data" / "charts" / "musicxml"

# The played chord timeline of each fixture, bar by bar in `.song` cell notation (`.` holds a cell).
PLAYED = {
    "blues_head.musicxml": "F7 | Bb7 | F7 | C7 . F7b9 .",
    "repeats.musicxml": "Dm7 | G7 | Dm7 | G7 | Dm7 | G7 | Bbmaj7 | A7#5#9",
    "two_endings.musicxml": "Ebmaj7 | Cm7 | Fm7 Bb7 | Ebmaj7 | Cm7 | Eb6 | Abmaj7 | Gm7 C7",
    "three_endings.musicxml": "G | D7 | G | Em7 A7 | G | C D7 | G",
    "shared_ending.musicxml": "C | G7 | C | G7 | C | C6",
    "dc_al_coda.musicxml": "Fmaj7 | Gm7 C7 | Bbmaj7 | C7 | Fmaj7 | Gm7 C7 | Gm7 C7 | F6",
    "ds_al_coda.musicxml": "Bb | Cm7 | F7 | Ebmaj7 | F7 | Cm7 | F7 | Cm7 F7 | Bb6",
    "dc_al_fine.musicxml": "Am | E7 | C | E7 | Am | E7",
    "time_changes.musicxml": "Cmaj7 | Dm7 | Em7 | A7 | Dm7 G7 | Cmaj7",
    "slash_chords.musicxml": "C | G/B | Am7 Am7/G | Fmaj7 F/A | Dm7/C | G7sus G7",
    "alternate_chords.musicxml": "Fmaj7 | D7 | Gm7 | C7",
    "no_chord.musicxml": "E7 | N.C. | E7 N.C. | A7 . . N.C.",
    "five_four.musicxml": "Ebm7 . . Bbm7 . | Ebm7 . . Bbm7 . | Cbmaj7 | Bb7#5#9",
    "seven_eight.musicxml": "A | G | D/F# | A",
    "six_eight.musicxml": "D Bm | G A7 | D",
    "twelve_eight.musicxml": "G | C | G D7 | G",
    "rehearsal_marks.musicxml": "Cmaj7 | Am7 D7 | Cmaj7 | Am7 D7 | Fmaj7 | G7 | Cmaj7 | Am7 D7",
    "pickup_melody.musicxml": "N.C. | C6 | Dm7 G7 | C6",
    "two_parts.musicxml": "Gm | Cm7",
    "melody_in_part_two.musicxml": "Dmaj7 | Em7 A7 | D6",
    "pickup_six_eight.musicxml": "D7 | G C | D7 | G",
    "key_changes.musicxml": "Cmaj7 | Bb7 | Ebmaj7 | Fm7 G7 | C6",
    "tuplets.musicxml": "C . G7 . | Am | C",
}
C_MAJOR = Key("C", "major")
# all_kinds.musicxml: one bar per kind, in this order (MusicXML 4.0's list), on C or the root the kind implies.
FIXTURE_KINDS = ["major", "minor", "augmented", "diminished", "dominant", "major-seventh", "minor-seventh",
                 "diminished-seventh", "augmented-seventh", "half-diminished", "major-minor", "major-sixth",
                 "minor-sixth", "dominant-ninth", "major-ninth", "minor-ninth", "dominant-11th", "major-11th",
                 "minor-11th", "dominant-13th", "major-13th", "minor-13th", "suspended-second", "suspended-fourth",
                 "Neapolitan", "Italian", "French", "German", "pedal", "power", "Tristan", "other", "none"]
ROOTS = {"Neapolitan": "Db", "Italian": "Ab", "French": "Ab", "German": "Ab", "Tristan": "F"}


def _melody(path: Path) -> list[tuple[Fraction, int, Fraction]]:
    """The compiled song's melody notes: (start in quarters, MIDI pitch, length in quarters)."""
    song, diagnostics, _ = compile_front(str(path))
    assert song is not None, [d.message for d in diagnostics]
    return [(n.start, n.pitch, n.dur) for n in song.melodies[0].notes if n.pitch is not None]


def test_there_are_fifteen_or_more_fixtures():
    assert len(PLAYED) >= 15
    assert sorted(PLAYED) == sorted(p.name for p in FIXTURES.iterdir() if p.name != "all_kinds.musicxml")


@pytest.mark.parametrize("name", sorted(PLAYED))
def test_fixture_imports_plays_its_chart_and_builds(name, tmp_path, capsys):
    imports_plays_and_builds(FIXTURES / name, PLAYED[name], tmp_path, capsys)


def test_every_musicxml_kind_maps_to_its_notes(tmp_path, capsys):
    assert set(KINDS) == set(MUSICXML) | {"other"}  # MusicXML 4.0's 33 values
    assert run_import(tmp_path, str(FIXTURES / "all_kinds.musicxml")) == 0
    song, _, _ = compile_front(str(tmp_path / "out" / "every_kind.song"))
    chords = {FIXTURE_KINDS[bar.number - 1]: parse_chord(bar.slots[0].chord.symbol, C_MAJOR) for bar in song.bars}
    assert set(chords) == set(KINDS)
    for kind in FIXTURE_KINDS:
        if kind == "other":  # `other` is what its text says: `7alt`
            assert chords[kind].pitch_classes == parse_chord("C7alt", C_MAJOR).pitch_classes
        elif kind == "none":
            assert chords[kind].is_no_chord
        else:
            assert chords[kind].pitch_classes == _pcs(ROOTS.get(kind, "C"), MUSICXML[kind]), kind


def test_header_melody_and_ties(tmp_path, capsys):
    assert run_import(tmp_path, str(FIXTURES / "blues_head.musicxml")) == 0
    path = tmp_path / "out" / "blues_head.song"
    text = path.read_text()
    assert 'composer "Fixture"' in text and "tempo    132" in text and "key      F major" in text
    assert "style    jazz.swing" in text  # the words `Medium Swing` over the first bar
    q = Fraction
    assert _melody(path) == [(q(0), 65, q(1)), (q(1), 69, q(1)), (q(2), 72, q(3, 2)), (q(7, 2), 69, q(1, 2)),
                             (q(4), 70, q(3)), (q(8), 65, q(4)), (q(12), 67, q(2))]


def _bar_starts(path: Path) -> list[tuple[Fraction, Fraction, str]]:
    """Each played bar's start and length in quarters, and its key."""
    song, _, _ = compile_front(str(path))
    starts, at = [], Fraction(0)
    for bar in song.bars:
        length = sum(slot.dur for slot in bar.slots)
        starts.append((at, length, f"{bar.key.tonic} {bar.key.mode}"))
        at += length
    return starts


def test_a_pickup_bar_swing_and_a_tie_across_the_bar_line(tmp_path, capsys):
    """The implicit first measure (two eighths) is a 1/4 bar only the melody plays: the tune's first
    downbeat is the next bar's."""
    assert run_import(tmp_path, str(FIXTURES / "pickup_melody.musicxml")) == 0
    path = tmp_path / "out" / "pickup_tune.song"
    text = path.read_text()
    assert "swing    67%" in text and "tempo    160" in text and "time     4/4" in text
    assert "section pickup time 1/4\n  | N.C. |" in text and "form pickup A" in text
    assert "arrange\n  pickup break 1" in text
    q = Fraction
    assert [(start, length) for start, length, _ in _bar_starts(path)] == [(0, 1), (1, 4), (5, 4), (9, 4)]
    assert _melody(path) == [(q(0), 72, q(1, 2)), (q(1, 2), 74, q(1, 2)), (q(1), 76, q(2)), (q(3), 67, q(2)),
                             (q(5), 77, q(3, 2)), (q(13, 2), 76, q(1, 2)), (q(7), 74, q(3)), (q(10), 72, q(3))]
    assert main(["check", "--deny-warnings", str(path)]) == 0  # no W006: the band does not play the pickup


def test_a_short_first_measure_with_a_chord_is_a_pickup_the_band_plays(tmp_path, capsys):
    """An eighth before the first 6/8 bar, under D7, then a 9/8 bar: the melody keeps time across both."""
    assert run_import(tmp_path, str(FIXTURES / "pickup_six_eight.musicxml")) == 0
    path = tmp_path / "out" / "eighth_pickup.song"
    assert "section pickup time 1/8\n  | D7 |" in path.read_text() and "arrange" not in path.read_text()
    q = Fraction
    assert [(start, length) for start, length, _ in _bar_starts(path)] == [(0, q(1, 2)), (q(1, 2), 3),
                                                                          (q(7, 2), q(9, 2)), (8, 3)]
    assert _melody(path) == [(q(0), 74, q(1, 2)), (q(1, 2), 79, q(3, 2)), (q(2), 76, 1), (q(3), 74, q(1, 2)),
                             (q(7, 2), 71, q(9, 2)), (q(8), 67, 3)]


def test_a_key_change_starts_a_section_in_that_key(tmp_path, capsys):
    assert run_import(tmp_path, str(FIXTURES / "key_changes.musicxml")) == 0
    path = tmp_path / "out" / "up_a_third.song"
    assert "key   C major" in path.read_text() and "section A2 key Eb major" in path.read_text()
    assert [key for _, _, key in _bar_starts(path)] == ["C major"] * 2 + ["Eb major"] * 2 + ["C major"]
    assert [pitch for _, pitch, _ in _melody(path)] == [76, 74, 79, 80, 71, 72]


def test_the_melody_follows_the_played_order(tmp_path, capsys):
    """The form repeats A: the one melody is written out for every pass."""
    assert run_import(tmp_path, str(FIXTURES / "two_parts.musicxml")) == 0
    path = tmp_path / "out" / "two_parts.song"
    assert [pitch for _, pitch, _ in _melody(path)] == [67, 70, 74, 72]
    assert "key   G minor" in path.read_text()


def test_a_compressed_mxl_reads_the_score_its_container_names(tmp_path, capsys):
    mxl = tmp_path / "blues.mxl"
    with zipfile.ZipFile(mxl, "w") as archive:
        archive.writestr("META-INF/container.xml", '<?xml version="1.0"?><container><rootfiles>'
                         '<rootfile full-path="score/blues.musicxml"/></rootfiles></container>')
        archive.writestr("score/blues.musicxml", (FIXTURES / "blues_head.musicxml").read_text())
    assert run_import(tmp_path, str(mxl)) == 0
    assert played(tmp_path / "out" / "blues_head.song") == expected(PLAYED["blues_head.musicxml"])


SCORE = ('<?xml version="1.0"?>\n<score-partwise version="4.0">\n<part-list><score-part id="P1"/></part-list>\n'
         '<part id="P1">\n<measure number="1">\n{}\n</measure>\n</part>\n</score-partwise>\n')
C7 = "<harmony><root><root-step>C</root-step></root><kind>dominant</kind></harmony>"


@pytest.mark.parametrize("name, text, line, col, code", [
    ("broken.musicxml", SCORE.format(C7 + "<note>"), 7, 3, "E209"),           # not well-formed
    ("kind.musicxml", SCORE.format("<harmony><root><root-step>C</root-step></root><kind>superchord</kind>"
                                   "</harmony>"), 6, 1, "E210"),             # not a MusicXML kind
    ("rootless.xml", SCORE.format("<harmony><numeral><numeral-root>5</numeral-root></numeral>"
                                  "<kind>dominant</kind></harmony>"), 6, 1, "E210"),  # a numeral, no root
    ("timewise.musicxml", '<?xml version="1.0"?>\n<score-timewise/>\n', 2, 1, "E209"),
    ("lyrics.musicxml", SCORE.format('<note><rest/><duration>4</duration></note>'), 2, 1, "E200"),  # no chords
    ("page.xml", "<html><body>no score</body></html>\n", 1, 1, "E200"),
    ("bad.mxl", "not a zip file\n", 1, 1, "E209"),
    ("encoding.musicxml", '<?xml version="1.0" encoding="U0TF-8"?>\n<score-partwise/>\n', 1, 1, "E209"),  # fuzz
])
def test_a_malformed_file_gets_a_located_diagnostic_and_the_other_files_import(
        name, text, line, col, code, tmp_path, capsys):
    bad = tmp_path / name
    bad.write_text(text)
    assert run_import(tmp_path, str(bad), str(FIXTURES / "twelve_eight.musicxml")) == 1
    captured = capsys.readouterr()
    assert f"{bad}:{line}:{col}: error[{code}]" in captured.err and "Traceback" not in captured.err
    assert captured.out.splitlines() == [f"wrote {tmp_path / 'out' / 'twelve_xml.song'}"]


PART_TWO = FIXTURES / "melody_in_part_two.musicxml"


@pytest.mark.parametrize("options, melody", [
    ([], [(0, 66, 4), (4, 67, 2), (6, 67, 2), (8, 66, 4)]),                       # the piano's top voice
    (["--part", "2"], [(0, 81, 1), (1, 78, Fraction(1, 2)), (Fraction(3, 2), 76, Fraction(1, 2)), (2, 74, 2),
                       (5, 83, 1), (6, 85, 2), (8, 86, 4)]),                      # the flute's tune
    (["--voice", "2"], [(0, 50, 2), (2, 45, 2), (4, 52, 2), (6, 45, 2), (8, 50, 4)]),  # the piano's bass
])
def test_part_and_voice_choose_the_melody_and_the_chords_stay(options, melody, tmp_path, capsys):
    assert run_import(tmp_path, str(PART_TWO), *options) == 0
    path = tmp_path / "out" / "tune_below.song"
    assert _melody(path) == melody
    assert played(path) == expected(PLAYED["melody_in_part_two.musicxml"])


def test_a_part_the_score_lacks_a_voice_without_notes_and_a_part_of_another_format(tmp_path, capsys):
    assert run_import(tmp_path, str(PART_TWO), "--part", "3") == 1
    err = capsys.readouterr().err
    assert f"{PART_TWO}:4:1: error[E212]: chart 1: --part 3, but the score has 2 parts" in err
    assert not (tmp_path / "out" / "tune_below.song").exists()
    assert run_import(tmp_path, str(PART_TWO), "--voice", "4") == 0
    err = capsys.readouterr().err
    assert f"{PART_TWO}:10:3: warning[W202]: chart 1: part 1 has no notes in voice 4" in err
    assert "its voices with notes: 1, 2" in err
    assert "melody" not in (tmp_path / "out" / "tune_below.song").read_text()
    chordpro = FIXTURES.parent / "chordpro" / "repeats.cho"
    assert run_import(tmp_path, str(PART_TWO), str(chordpro), "--part", "2") == 2
    assert "is not a MusicXML file" in capsys.readouterr().err
    assert run_import(tmp_path, str(PART_TWO), "--part", "0") == 2


def test_tuplets_read_exactly_and_a_quintuplet_on_the_nearest_32nd(tmp_path, capsys):
    """6:4 sixteenths, eighth triplets and 6/8 duplets exactly; 5:4 sixteenths (a fifth of a beat each)
    rounded to 32nds inside their beat, with W203 at the first of them."""
    fixture = FIXTURES / "tuplets.musicxml"
    assert run_import(tmp_path, str(fixture)) == 0
    assert f"{fixture}:11:7: warning[W203]: chart 1: a 5:4 tuplet" in capsys.readouterr().err
    q = Fraction
    quintuplet = [(q(0), 72, q(1, 4)), (q(1, 4), 74, q(1, 8)), (q(3, 8), 76, q(1, 4)), (q(5, 8), 77, q(1, 8)),
                  (q(3, 4), 79, q(1, 4))]
    sextuplet = [(1 + q(k, 6), pitch, q(1, 6)) for k, pitch in enumerate((81, 79, 77, 76, 74, 72))]
    triplet = [(2 + q(k, 3), pitch, q(1, 3)) for k, pitch in enumerate((71, 72, 74))]
    duplets = [(q(4), 77, q(3, 4)), (q(19, 4), 76, q(3, 4)), (q(11, 2), 74, q(3, 2)), (q(7), 72, q(3))]
    assert _melody(tmp_path / "out" / "tuplet_study.song") == quintuplet + sextuplet + triplet + [(3, 76, 1)] + duplets


VALUES = [value for value, _ in _VALUES]


@given(st.lists(st.sampled_from(VALUES), min_size=1, max_size=4))
def test_a_sum_of_note_values_is_written_exactly(values):
    """Any few tied note values (triplets among them) are a length `note_values` writes exactly."""
    length = sum(values, Fraction(0))
    assert writable(length)
    assert sum((value for value, _ in note_values(length)), Fraction(0)) == length


def test_a_quintuplet_fifth_is_not_writable():
    assert not writable(Fraction(1, 20)) and not writable(Fraction(1, 96)) and writable(Fraction(11, 32))


def test_a_note_the_song_cannot_play_is_shown_at_its_note_element(tmp_path, capsys):
    """A9 is above MIDI's range: the written song does not check (E050), and E205 points at the <note>."""
    text = PART_TWO.read_text().replace("<step>D</step><octave>6</octave></pitch><duration>8</duration>",
                                        "<step>A</step><octave>9</octave></pitch><duration>8</duration>")
    high = tmp_path / "high.musicxml"
    high.write_text(text)
    line = next(number for number, row in enumerate(text.splitlines(), 1) if "<octave>9</octave>" in row)
    assert run_import(tmp_path, str(high), "--part", "2") == 1
    err = capsys.readouterr().err
    assert f"{high}:{line}:7: error[E205]" in err and "E050 A9 is outside the MIDI range" in err
