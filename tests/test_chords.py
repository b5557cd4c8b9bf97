"""Tests for compiler.chords: qualities, Roman numerals, spelling, transposition, errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.chords import ChordError, known_qualities, parse_chord, transpose_chord
from compiler.pitch import Key

C_MAJOR = Key("C", "major")

# canonical quality, chord tones in semitones (9 = 14, 11 = 17, 13 = 21), every accepted spelling.
QUALITIES = [
    ("7", (0, 4, 7, 10), ["7"]),
    ("m7", (0, 3, 7, 10), ["m7", "-7", "min7", "mi7", "Min7"]),
    ("maj7", (0, 4, 7, 11), ["maj7", "^7", "^", "M7", "Δ7", "Δ", "ma7", "Maj7"]),
    ("6", (0, 4, 7, 9), ["6"]),
    ("7b9", (0, 4, 7, 10, 13), ["7b9", "7(b9)", "7♭9"]),
    ("m7b5", (0, 3, 6, 10), ["m7b5", "h7", "ø7", "ø", "-7b5", "min7b5", "m7(b5)"]),
    ("", (0, 4, 7), ["", "maj", "M"]),
    ("dim7", (0, 3, 6, 9), ["dim7", "o7", "°7"]),
    ("m", (0, 3, 7), ["m", "-", "min", "mi"]),
    ("m6", (0, 3, 7, 9), ["m6", "-6", "min6"]),
    ("7sus", (0, 5, 7, 10), ["7sus", "7sus4"]),
    ("7#11", (0, 4, 7, 10, 18), ["7#11", "7(#11)", "7♯11"]),
    ("7#9", (0, 4, 7, 10, 15), ["7#9", "7(#9)"]),
    ("7#5", (0, 4, 8, 10), ["7#5", "7(#5)", "7+", "+7", "aug7"]),
    ("maj7#11", (0, 4, 7, 11, 18), ["maj7#11", "maj7(#11)", "^7#11", "Δ7(#11)"]),
    ("7b13", (0, 4, 7, 10, 20), ["7b13", "7(b13)"]),
    ("9", (0, 4, 7, 10, 14), ["9"]),
    ("m9", (0, 3, 7, 10, 14), ["m9", "-9", "min9"]),
    ("13", (0, 4, 7, 10, 14, 21), ["13"]),
    ("m11", (0, 3, 7, 10, 14, 17), ["m11", "-11", "min11"]),
    ("m(maj7)", (0, 3, 7, 11), ["m(maj7)", "mMaj7", "m^7", "-^7", "mM7", "-maj7", "mmaj7", "-Δ7"]),
    ("7alt", (0, 4, 10, 13, 15, 20), ["7alt", "alt"]),
    ("69", (0, 4, 7, 9, 14), ["69", "6/9", "6add9", "6(add9)"]),
    ("9sus", (0, 5, 7, 10, 14), ["9sus", "9sus4"]),
    ("7#5#9", (0, 4, 8, 10, 15), ["7#5#9", "7(#5,#9)", "7(#9, #5)", "7+(#9)"]),
    ("maj9", (0, 4, 7, 11, 14), ["maj9", "^9", "M9", "Δ9"]),
    ("7b5", (0, 4, 6, 10), ["7b5", "7(b5)"]),
    ("13b9", (0, 4, 7, 10, 13, 21), ["13b9", "13(b9)"]),
    ("dim", (0, 3, 6), ["dim", "o", "°"]),
    ("9#11", (0, 4, 7, 10, 14, 18), ["9#11", "9(#11)"]),
    ("7b9sus", (0, 5, 7, 10, 13), ["7b9sus", "7sus(b9)", "7sus4b9"]),
    ("aug", (0, 4, 8), ["aug", "+", "(#5)"]),
    ("13sus", (0, 5, 7, 10, 14, 21), ["13sus", "13sus4"]),
    ("mb6", (0, 3, 7, 8), ["mb6", "m(b6)", "-b6"]),
    ("7b9#5", (0, 4, 8, 10, 13), ["7b9#5", "7#5b9", "7(b9,#5)", "7+(b9)"]),
    ("maj7#5", (0, 4, 8, 11), ["maj7#5", "maj7(#5)", "^7#5"]),
    ("7b5b9", (0, 4, 6, 10, 13), ["7b5b9", "7(b5,b9)"]),
    ("add9", (0, 4, 7, 14), ["add9", "(add9)"]),
    ("7b9b13", (0, 4, 7, 10, 13, 20), ["7b9b13", "7(b9,b13)"]),
    ("13#11", (0, 4, 7, 10, 14, 18, 21), ["13#11", "13(#11)"]),
    ("sus", (0, 5, 7), ["sus", "sus4"]),
    ("9#5", (0, 4, 8, 10, 14), ["9#5", "9(#5)", "9+"]),
    ("m69", (0, 3, 7, 9, 14), ["m69", "m6/9", "-69", "-6/9", "m6add9"]),
    ("7b9#11", (0, 4, 7, 10, 13, 18), ["7b9#11", "7(b9,#11)", "7(#11,b9)", "7(♭9,♯11)"]),
    ("9b5", (0, 4, 6, 10, 14), ["9b5", "9(b5)"]),
    ("m#5", (0, 3, 8), ["m#5", "m(#5)", "-#5"]),
    ("7b5#9", (0, 4, 6, 10, 15), ["7b5#9", "7(b5,#9)"]),
    ("7#9#11", (0, 4, 7, 10, 15, 18), ["7#9#11", "7(#9,#11)"]),
    ("maj9#11", (0, 4, 7, 11, 14, 18), ["maj9#11", "maj9(#11)", "^9#11"]),
    ("7b13sus", (0, 5, 7, 10, 20), ["7b13sus", "7sus(b13)"]),
    ("m7b9", (0, 3, 7, 10, 13), ["m7b9", "-7b9", "m7(b9)"]),
    ("maj13", (0, 4, 7, 11, 14, 21), ["maj13", "^13", "M13"]),
    ("7b9#9", (0, 4, 7, 10, 13, 15), ["7b9#9", "7(b9,#9)"]),
    ("13#9", (0, 4, 7, 10, 15, 21), ["13#9", "13(#9)"]),
    ("sus2", (0, 2, 7), ["sus2"]),
    ("madd9", (0, 3, 7, 14), ["madd9", "m(add9)", "-add9"]),
    ("m13", (0, 3, 7, 10, 14, 21), ["m13", "-13", "min13"]),
    ("11", (0, 7, 10, 14, 17), ["11"]),
    ("5", (0, 7), ["5"]),
    ("m7#5", (0, 3, 8, 10), ["m7#5", "m7(#5)", "-7#5", "min7#5"]),
    ("m9b5", (0, 3, 6, 10, 14), ["m9b5", "h9", "ø9", "-9b5", "m9(b5)"]),
    ("m(maj9)", (0, 3, 7, 11, 14), ["m(maj9)", "-^9", "m9(maj7)", "mMaj9", "min(maj9)"]),
    ("add2", (0, 2, 4, 7), ["add2", "2", "(add2)"]),
]
ROOTS = [("Bb", 10), ("F#", 6), ("B♭", 10), ("F♯", 6)]
QUALITY_CASES = [
    (root + spelling, name, pc, quality, intervals)
    for quality, intervals, spellings in QUALITIES
    for spelling in spellings
    for (root, pc), name in zip(ROOTS, ["Bb", "F#", "Bb", "F#"])
    # Unicode roots once per quality are enough.
    if root in ("Bb", "F#") or spelling == spellings[0]
]


@pytest.mark.parametrize("symbol, root, root_pc, quality, intervals", QUALITY_CASES)
def test_quality_spellings(symbol, root, root_pc, quality, intervals):
    spec = parse_chord(symbol, C_MAJOR)
    assert (spec.root, spec.root_pc, spec.quality) == (root, root_pc, quality)
    assert spec.intervals == intervals
    assert spec.pitch_classes == tuple(sorted({(root_pc + i) % 12 for i in intervals}))
    assert (spec.bass, spec.bass_pc, spec.symbol) == (None, None, symbol)


def test_quality_table_covers_every_known_quality():
    assert sorted(known_qualities()) == sorted(quality for quality, _, _ in QUALITIES)


@pytest.mark.parametrize("quality", known_qualities())
def test_tensions_add_new_pitch_classes(quality):
    spec = parse_chord("C" + quality, C_MAJOR)
    chord_pcs = {i % 12 for i in spec.intervals}
    assert list(spec.tensions) == sorted(set(spec.tensions))
    assert all(0 < t <= 23 and t % 12 not in chord_pcs for t in spec.tensions)
    assert spec.intervals[0] == 0 and list(spec.intervals) == sorted(set(spec.intervals))


@pytest.mark.parametrize(
    "quality, tensions",
    [
        ("7", (14, 21)), ("m7", (14, 17)), ("maj7", (14, 18, 21)), ("6", (14,)), ("m6", (14, 17)),
        ("7alt", (18,)), ("m7b5", (14, 17, 20)), ("dim7", (14, 17, 20, 23)), ("sus", (14, 21)),
        ("7sus", (14, 21)), ("13", ()),
    ],
)
def test_tensions(quality, tensions):
    assert parse_chord("C" + quality, C_MAJOR).tensions == tensions


@pytest.mark.parametrize(
    "symbol, root, quality, bass, bass_pc",
    [
        ("D7/F#", "D", "7", "F#", 6),
        ("Fm/Ab", "F", "m", "Ab", 8),
        ("C/E", "C", "", "E", 4),
        ("Bbmaj7/D", "Bb", "maj7", "D", 2),
        ("F#m7b5/C", "F#", "m7b5", "C", 0),
        ("C6/9", "C", "69", None, None),  # slash + digit is part of the quality
        ("Cm6/9", "C", "m69", None, None),
        ("F6/9/A", "F", "69", "A", 9),
        ("Ebm6/9/Gb", "Eb", "m69", "Gb", 6),
        ("E♭7/B♭", "Eb", "7", "Bb", 10),
    ],
)
def test_slash_chords(symbol, root, quality, bass, bass_pc):
    spec = parse_chord(symbol, C_MAJOR)
    assert (spec.root, spec.quality, spec.bass, spec.bass_pc) == (root, quality, bass, bass_pc)


def test_slash_bass_joins_pitch_classes():
    assert parse_chord("D7/E", C_MAJOR).pitch_classes == (0, 2, 4, 6, 9)


@pytest.mark.parametrize("symbol", ["N.C.", "NC", "N.C", "n.c."])
def test_no_chord(symbol):
    spec = parse_chord(symbol, C_MAJOR)
    assert spec.is_no_chord
    assert (spec.root, spec.intervals, spec.tensions, spec.bass) == ("", (), (), None)
    assert spec.pitch_classes == ()
    assert transpose_chord(spec, 3, Key("Eb", "major")) == spec


def test_chords_are_not_no_chord():
    assert not parse_chord("C", C_MAJOR).is_no_chord


ROMAN_CASES = [
    # key, symbol, root, quality, bass
    (("C", "major"), "I", "C", "", None),
    (("C", "major"), "ii7", "D", "m7", None),
    (("C", "major"), "iii", "E", "m", None),
    (("C", "major"), "IV", "F", "", None),
    (("C", "major"), "IV7", "F", "7", None),
    (("C", "major"), "V7", "G", "7", None),
    (("C", "major"), "vi", "A", "m", None),
    (("C", "major"), "Imaj7", "C", "maj7", None),
    (("C", "major"), "iiø7", "D", "m7b5", None),
    (("C", "major"), "viiø7", "B", "m7b5", None),
    (("C", "major"), "viio7", "B", "dim7", None),
    (("C", "major"), "vii°", "B", "dim", None),
    (("C", "major"), "viio", "B", "dim", None),
    (("C", "major"), "iv6", "F", "m6", None),
    (("C", "major"), "ivmaj7", "F", "m(maj7)", None),
    (("C", "major"), "bVII7", "Bb", "7", None),
    (("C", "major"), "♭VII7", "Bb", "7", None),
    (("C", "major"), "bIIImaj7", "Eb", "maj7", None),
    (("C", "major"), "bVI", "Ab", "", None),
    (("C", "major"), "#ivm7b5", "F#", "m7b5", None),
    (("C", "major"), "#ivø7", "F#", "m7b5", None),
    (("C", "major"), "V7/V", "D", "7", None),
    (("C", "major"), "V7/ii", "A", "7", None),
    (("C", "major"), "viio7/V", "F#", "dim7", None),
    (("C", "major"), "viio7/ii", "C#", "dim7", None),  # leading tone of D minor
    (("C", "major"), "ii7/V", "A", "m7", None),
    (("C", "major"), "V7/bVII", "F", "7", None),
    (("C", "major"), "I/E", "C", "", "E"),
    (("C", "major"), "V7/B", "G", "7", "B"),
    (("C", "major"), "V7/V/F#", "D", "7", "F#"),
    (("F", "major"), "IV", "Bb", "", None),
    (("F", "major"), "ii7", "G", "m7", None),
    (("F", "major"), "V7", "C", "7", None),
    (("F", "major"), "vii", "E", "m", None),
    (("F", "major"), "V7/V", "G", "7", None),
    (("F", "major"), "V7/vi", "A", "7", None),
    (("F", "major"), "bVII", "Eb", "", None),
    (("B", "major"), "IV", "E", "", None),
    (("B", "major"), "V/V", "C#", "", None),
    (("B", "major"), "vii", "A#", "m", None),
    (("B", "major"), "iii", "D#", "m", None),
    (("B", "major"), "vi", "G#", "m", None),
    (("B", "major"), "viio7", "A#", "dim7", None),
    (("B", "major"), "V7/ii", "G#", "7", None),
    (("B", "major"), "V7/iii", "A#", "7", None),
    (("B", "major"), "bVII7", "A", "7", None),
    (("A", "minor"), "i", "A", "m", None),
    (("A", "minor"), "iiø7", "B", "m7b5", None),
    (("A", "minor"), "III", "C", "", None),
    (("A", "minor"), "iv", "D", "m", None),
    (("A", "minor"), "iv7", "D", "m7", None),
    (("A", "minor"), "V7", "E", "7", None),
    (("A", "minor"), "V", "E", "", None),
    (("A", "minor"), "v7", "E", "m7", None),
    (("A", "minor"), "VI", "F", "", None),
    (("A", "minor"), "VII", "G", "", None),
    (("A", "minor"), "viio7", "G#", "dim7", None),  # leading-tone chord: raised 7th
    (("A", "minor"), "bVI", "F", "", None),  # accidentals are relative to A major
    (("A", "minor"), "bVII", "G", "", None),
    (("A", "minor"), "V7/iv", "A", "7", None),
    (("C", "minor"), "i", "C", "m", None),
    (("C", "minor"), "III", "Eb", "", None),
    (("C", "minor"), "bIII", "Eb", "", None),
    (("C", "minor"), "bVI", "Ab", "", None),
    (("C", "minor"), "VI", "Ab", "", None),
    (("C", "minor"), "bVII", "Bb", "", None),
    (("C", "minor"), "V7", "G", "7", None),
    (("C", "minor"), "viio7", "B", "dim7", None),
    (("C", "minor"), "iiø7", "D", "m7b5", None),
    (("C", "minor"), "iv", "F", "m", None),
    (("C", "minor"), "V7/III", "Bb", "7", None),
    (("Eb", "major"), "I", "Eb", "", None),
    (("Eb", "major"), "ii7", "F", "m7", None),
    (("Eb", "major"), "V7", "Bb", "7", None),
    (("Eb", "major"), "IV", "Ab", "", None),
    (("Eb", "major"), "vi", "C", "m", None),
    (("Eb", "major"), "iv", "Ab", "m", None),
    (("Eb", "major"), "bVII", "Db", "", None),
    (("Eb", "major"), "bVI", "Cb", "", None),
    (("Eb", "major"), "V7/V", "F", "7", None),
    (("Eb", "major"), "V7/ii", "C", "7", None),
]


@pytest.mark.parametrize("key, symbol, root, quality, bass", ROMAN_CASES)
def test_roman_numerals(key, symbol, root, quality, bass):
    spec = parse_chord(symbol, Key(*key))
    assert (spec.root, spec.quality, spec.bass, spec.symbol) == (root, quality, bass, symbol)


@pytest.mark.parametrize(
    "symbol, key, root",
    [
        ("F#7", Key("Gb", "major"), "F#"),  # letter roots keep their written spelling
        ("Gb7", Key("B", "major"), "Gb"),
        ("Bb7", Key("E", "major"), "Bb"),
        ("A#m7", Key("F", "major"), "A#"),
        ("Cb", Key("C", "major"), "Cb"),
    ],
)
def test_letter_roots_keep_their_spelling(symbol, key, root):
    assert parse_chord(symbol, key).root == root


TRANSPOSE_CASES = [
    # symbol, key, semitones, transposed key, symbol, root, bass
    ("Bb7", ("C", "major"), 2, ("D", "major"), "C7", "C", None),
    ("D7/F#", ("D", "major"), 1, ("Eb", "major"), "Eb7/G", "Eb", "G"),
    ("F#m7", ("E", "major"), 1, ("F", "major"), "Gm7", "G", None),
    ("Bbmaj7(#11)", ("F", "major"), 2, ("G", "major"), "Cmaj7(#11)", "C", None),
    ("Bb6/9", ("F", "major"), 1, ("F#", "major"), "B6/9", "B", None),
    ("Ab7", ("Ab", "major"), -1, ("G", "major"), "G7", "G", None),
    ("C#m7b5", ("D", "minor"), 1, ("Eb", "minor"), "Dm7b5", "D", None),
    ("G7", ("C", "major"), 4, ("E", "major"), "B7", "B", None),
    ("ii7", ("C", "major"), 1, ("Db", "major"), "ii7", "Eb", None),  # key moved with the chord
    ("V7/V", ("B", "major"), 1, ("C", "major"), "V7/V", "D", None),
    ("I/E", ("C", "major"), 3, ("Eb", "major"), "I/G", "Eb", "G"),
    ("V7", ("C", "major"), 2, ("C", "major"), "A7", "A", None),  # key did not move: letter root
]


@pytest.mark.parametrize("symbol, key, semitones, new_key, new_symbol, root, bass", TRANSPOSE_CASES)
def test_transpose_chord(symbol, key, semitones, new_key, new_symbol, root, bass):
    spec = parse_chord(symbol, Key(*key))
    moved = transpose_chord(spec, semitones, Key(*new_key))
    assert (moved.symbol, moved.root, moved.bass) == (new_symbol, root, bass)
    assert (moved.quality, moved.intervals, moved.tensions) == (
        spec.quality, spec.intervals, spec.tensions
    )
    assert moved.pitch_classes == tuple(sorted((pc + semitones) % 12 for pc in spec.pitch_classes))


@given(
    symbol=st.sampled_from(["Bb7", "F#m7b5/C", "Ebmaj9#11", "C#dim7", "G13b9", "Ab6/9/C", "E7alt"]),
    semitones=st.integers(-24, 24),
)
@settings(max_examples=100, deadline=None)
def test_transpose_moves_every_pitch_class(symbol, semitones):
    spec = parse_chord(symbol, C_MAJOR)
    moved = transpose_chord(spec, semitones, C_MAJOR.transposed(semitones))
    assert moved.pitch_classes == tuple(sorted((pc + semitones) % 12 for pc in spec.pitch_classes))
    assert parse_chord(moved.symbol, C_MAJOR).pitch_classes == moved.pitch_classes


ERROR_CASES = [
    # symbol, message, start, end, help (None: not checked)
    ("", "empty chord symbol", 0, 0, "write a chord such as C, Dm7 or V7"),
    ("  ", "empty chord symbol", 0, 2, None),
    ("H7", "a chord starts with a root A–G or a Roman numeral", 0, 1, None),
    ("c7", "a chord starts with a root A–G or a Roman numeral", 0, 1, None),
    ("Cmja7", "unknown chord quality 'mja7'", 1, 5, "did you mean 'Cmaj7' or 'CmMa7'?"),
    ("Bbmaj7#12", "unknown chord quality 'maj7#12'", 2, 9, "did you mean 'Bbmaj7#11'?"),
    ("F#sus3", "unexpected '3' in 'sus3'", 5, 6, "did you mean 'F#sus4' or 'F#sus2' or 'F#sus+'?"),
    ("Cxyz", "unknown chord quality 'xyz'", 1, 4,
     "write a known quality such as 7, m7, maj7, 6, 7b9, m7b5, dim7, m"),
    ("C7(b9", "'(' is not closed in '7(b9'", 5, 5, "close it with ')'"),
    ("C7b9b9", "'b9' is written twice", 4, 6, "write it once"),
    ("Cm7#9", "'#9' is the same note as the chord's b3", 3, 5, "leave out the '#9'"),
    ("C9b9", "'b9' replaces the 9 the symbol is named after", 2, 4, None),
    ("Cmsus4", "a sus chord has no third, so it cannot also be minor or diminished", 1, 6, None),
    ("C4", "unknown chord quality '4'", 1, 2, None),
    ("C/H", "'H' is not a bass note", 2, 3, "write a note name A–G after '/'"),
    ("D7/", "missing bass note after '/'", 2, 3, "write a note name A–G after '/'"),
    ("Am7/Gb/F", "'Gb/F' is not a bass note", 4, 8, None),
    ("V7/x", "'x' is not a bass note", 3, 4,
     "write a note name A–G or a Roman numeral after '/'"),
    ("V7/V/", "missing bass note after '/'", 4, 5, None),
    ("ii7#9", "lowercase numeral 'ii' makes a minor chord, but '7#9' has a major third", 0, 5,
     "write the numeral in uppercase: 'II7#9'"),
    ("IImja7", "unknown chord quality 'mja7'", 2, 6, "did you mean 'IImaj7' or 'IImMa7'?"),
    ("bVIIx", "unknown chord quality 'x'", 4, 5, None),
]


@pytest.mark.parametrize("symbol, message, start, end, help_text", ERROR_CASES)
def test_errors(symbol, message, start, end, help_text):
    with pytest.raises(ChordError) as caught:
        parse_chord(symbol, C_MAJOR)
    error = caught.value
    assert (error.message, str(error), error.start, error.end) == (message, message, start, end)
    if help_text is not None:
        assert error.help == help_text


CHORDISH = "ABCDEFGHIViv#b♭♯mMaj79136()/,+-^Δøo°susaltdNC. x"


@given(st.text(alphabet=CHORDISH, max_size=10) | st.text(max_size=6))
@settings(max_examples=400, deadline=None)
def test_parse_chord_raises_only_chord_error(text):
    for key in (C_MAJOR, Key("A", "minor")):
        try:
            spec = parse_chord(text, key)
        except ChordError as error:
            assert 0 <= error.start <= error.end <= len(text)
        else:
            assert all(0 <= pc < 12 for pc in spec.pitch_classes)


# music21's cross-check of pitch classes is in test_chord_table.py, over the whole table.


def test_import_does_not_load_music21():
    code = "import sys, compiler.chords; print('music21' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
