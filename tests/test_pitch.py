"""Tests for compiler.pitch: note names, keys, spelling, transposition."""

from __future__ import annotations

import pytest

from compiler.pitch import MODES, Key, note_number, parse_key, parse_note_name, pc_name_in_key


@pytest.mark.parametrize(
    "text, name, pc",
    [
        ("C", "C", 0),
        ("Bb", "Bb", 10),
        ("F#", "F#", 6),
        ("E#", "E#", 5),
        ("Cb", "Cb", 11),
        ("Fx", "F##", 7),
        ("F##", "F##", 7),
        ("Ebb", "Ebb", 2),
        ("B♭", "Bb", 10),
        ("C♯", "C#", 1),
    ],
)
def test_parse_note_name(text, name, pc):
    assert parse_note_name(text) == (name, pc)


@pytest.mark.parametrize("text", ["", "H", "c", "Cbbb", "C#b", "B-", "Bb "])
def test_parse_note_name_rejects(text):
    with pytest.raises(ValueError, match="is not a note name; write a letter A–G"):
        parse_note_name(text)


@pytest.mark.parametrize(
    "name, octave, number",
    [
        ("C", 4, 60), ("A", 4, 69), ("Cb", 4, 59), ("B#", 3, 60), ("Bb", 3, 58), ("F##", 2, 43),
        ("C", -1, 0), ("G", 9, 127),
    ],
)
def test_note_number(name, octave, number):
    assert note_number(name, octave) == number


@pytest.mark.parametrize("name, octave", [("G#", 9), ("Cb", -1)])
def test_note_number_out_of_range(name, octave):
    with pytest.raises(ValueError, match="outside the MIDI range"):
        note_number(name, octave)


@pytest.mark.parametrize(
    "tonic, mode, key",
    [
        ("C", None, Key("C", "major")),
        ("A", "min", Key("A", "minor")),
        ("A", "m", Key("A", "minor")),
        ("G", "M", Key("G", "major")),
        ("F", "maj", Key("F", "major")),
        ("Bb", "Major", Key("Bb", "major")),
        ("D", "DORIAN", Key("D", "dorian")),
        ("E", "harmonic minor", Key("E", "harmonic_minor")),
        ("E", "melodic-minor", Key("E", "melodic_minor")),
        ("F♯", "minor", Key("F#", "minor")),
    ],
)
def test_parse_key(tonic, mode, key):
    assert parse_key(tonic, mode) == key


@pytest.mark.parametrize(
    "tonic, mode, message",
    [
        ("C", "minr", "unknown mode 'minr'; did you mean 'minor'?"),
        ("C", "Dorain", "unknown mode 'Dorain'; did you mean 'dorian'?"),
        ("C", "xyzzy", "unknown mode 'xyzzy'; write one of major, minor, ionian"),
        ("H", "major", "'H' is not a note name"),
    ],
)
def test_parse_key_errors(tonic, mode, message):
    with pytest.raises(ValueError) as error:
        parse_key(tonic, mode)
    assert str(error.value).startswith(message)


def test_key_checks_and_normalises_its_fields():
    assert Key("B♭", "major").tonic == "Bb"
    with pytest.raises(ValueError, match="did you mean 'major'"):
        Key("C", "Major")


@pytest.mark.parametrize(
    "tonic, mode, scale",
    [
        ("C", "major", (0, 2, 4, 5, 7, 9, 11)),
        ("A", "minor", (9, 11, 0, 2, 4, 5, 7)),
        ("D", "dorian", (2, 4, 5, 7, 9, 11, 0)),
        ("E", "phrygian", (4, 5, 7, 9, 11, 0, 2)),
        ("F", "lydian", (5, 7, 9, 11, 0, 2, 4)),
        ("G", "mixolydian", (7, 9, 11, 0, 2, 4, 5)),
        ("B", "locrian", (11, 0, 2, 4, 5, 7, 9)),
        ("A", "harmonic_minor", (9, 11, 0, 2, 4, 5, 8)),
        ("A", "melodic_minor", (9, 11, 0, 2, 4, 6, 8)),
    ],
)
def test_scale_pcs(tonic, mode, scale):
    assert Key(tonic, mode).scale_pcs == scale


def test_every_mode_has_seven_ascending_steps_from_the_tonic():
    for steps in MODES.values():
        assert len(steps) == 7 and steps[0] == 0 and list(steps) == sorted(set(steps))


@pytest.mark.parametrize(
    "tonic, mode, signature",
    [
        ("C", "major", 0), ("G", "major", 1), ("F", "major", -1), ("Eb", "major", -3),
        ("F#", "major", 6),
        ("A", "minor", 0), ("C", "minor", -3), ("E", "harmonic_minor", 1), ("D", "dorian", 0),
    ],
)
def test_signature(tonic, mode, signature):
    assert Key(tonic, mode).signature == signature


@pytest.mark.parametrize(
    "tonic, mode, pc, name",
    [
        ("F", "major", 10, "Bb"),  # diatonic: the degree letter
        ("B", "major", 10, "A#"),
        ("F#", "major", 5, "E#"),
        ("Gb", "major", 11, "Cb"),
        ("C#", "major", 0, "B#"),
        ("Cb", "major", 4, "Fb"),
        ("D", "dorian", 11, "B"),
        ("E", "phrygian", 5, "F"),
        ("C", "major", 6, "Gb"),  # chromatic in C: flats
        ("Eb", "major", 6, "Gb"),
        ("Bb", "major", 4, "E"),
        ("G", "major", 1, "C#"),  # chromatic in sharp keys: sharps
        ("D", "major", 3, "D#"),
        ("E", "major", 0, "C"),
        ("A", "minor", 8, "G#"),  # raised 7th and 6th of minor keep their letters
        ("A", "minor", 6, "F#"),
        ("A", "minor", 10, "Bb"),
        ("C", "minor", 11, "B"),
        ("C", "minor", 9, "A"),
        ("C", "minor", 1, "Db"),
        ("F", "major", -2, "Bb"),  # any integer is reduced mod 12
    ],
)
def test_spell(tonic, mode, pc, name):
    key = Key(tonic, mode)
    assert key.spell(pc) == name
    assert pc_name_in_key(pc, key) == name


@pytest.mark.parametrize(
    "tonic, mode, degree, alteration, name",
    [
        ("F", "major", 4, 0, "Bb"),
        ("B", "major", 7, 0, "A#"),
        ("B", "major", 7, -1, "A"),
        ("C", "major", 3, -1, "Eb"),
        ("C", "minor", 3, 0, "Eb"),
        ("C", "minor", 7, 1, "B"),
        ("Eb", "major", 6, -1, "Cb"),
        ("G#", "major", 7, 0, "F##"),
        ("Bbb", "major", 4, -1, "Db"),  # Ebbb would need a triple flat: falls back to spell()
    ],
)
def test_degree_name(tonic, mode, degree, alteration, name):
    assert Key(tonic, mode).degree_name(degree, alteration) == name


@pytest.mark.parametrize("degree", [0, 8])
def test_degree_name_rejects_bad_degree(degree):
    with pytest.raises(ValueError, match="scale degree must be 1-7"):
        Key("C", "major").degree_name(degree, 0)


@pytest.mark.parametrize(
    "tonic, mode, semitones, expected",
    [
        ("B", "major", 1, Key("C", "major")),
        ("G", "major", 6, Key("Db", "major")),  # Db (5 flats) over C# (7 sharps)
        ("C", "major", 6, Key("Gb", "major")),  # Gb/F# tie: flats
        ("A", "minor", 6, Key("Eb", "minor")),  # Eb/D# minor tie: flats
        ("E", "minor", 1, Key("F", "minor")),
        ("D", "major", -1, Key("Db", "major")),
        ("F#", "major", 1, Key("G", "major")),
        ("C", "major", 0, Key("C", "major")),
        ("C", "major", 14, Key("D", "major")),
        ("C", "dorian", 1, Key("C#", "dorian")),  # C# dorian (5 sharps) over Db dorian (7 flats)
        ("A", "harmonic_minor", 1, Key("Bb", "harmonic_minor")),
    ],
)
def test_transposed(tonic, mode, semitones, expected):
    assert Key(tonic, mode).transposed(semitones) == expected
