"""The chord vocabulary table (tests/data/chord_table.txt): every symbol's pitch classes, every other spelling
reading the same, music21 agreeing where the table says it does (and still wrong where it says it is),
canonical names reading back, and a did-you-mean that never swaps a chord for a different one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.chords import ChordError, canonical_symbol, parse_chord, suggestions
from compiler.pitch import Key, parse_note_name
from compiler.qualities import QualityError, canonical_name, read_quality

TABLE = Path(__file__).resolve().parent / "data" / "chord_table.txt"
C_MAJOR = Key("C", "major")
DEGREES = {"1": 0, "b2": 1, "b9": 1, "2": 2, "9": 2, "#9": 3, "b3": 3, "3": 4, "4": 5, "11": 5, "#4": 6,
           "#11": 6, "b5": 6, "5": 7, "#5": 8, "b13": 8, "b6": 8, "6": 9, "13": 9, "bb7": 9, "b7": 10, "7": 11}


@dataclass(frozen=True)
class Row:
    symbol: str
    pitch_classes: tuple[int, ...]
    spellings: tuple[str, ...]
    music21: str  # "=", "= FIGURE" or "x REASON"


def _pcs(root: str, degrees: str) -> tuple[int, ...]:
    base = parse_note_name(root)[1]
    return tuple(sorted({(base + DEGREES[d]) % 12 for d in degrees.split()}))


def _rows() -> list[Row]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        quality, degrees, roots, spellings, music21 = (part.strip() for part in line.split("|"))
        if quality.startswith("slash "):
            symbol = quality.split()[1]
            rows.append(Row(symbol, _pcs(roots, degrees), tuple(spellings.split()), music21))
            continue
        for root in roots.split():
            others = tuple(root + other for other in spellings.split())
            rows.append(Row(root + quality, _pcs(root, degrees), others, music21))
    return rows


ROWS = _rows()


def test_the_table_has_at_least_300_symbols():
    assert len({row.symbol for row in ROWS}) >= 300


@pytest.mark.parametrize("row", ROWS, ids=[row.symbol for row in ROWS])
def test_symbol_and_every_spelling_give_the_pitch_classes(row):
    assert parse_chord(row.symbol, C_MAJOR).pitch_classes == row.pitch_classes
    for spelling in row.spellings:
        assert parse_chord(spelling, C_MAJOR).pitch_classes == row.pitch_classes, spelling


@pytest.mark.parametrize("row", ROWS, ids=[row.symbol for row in ROWS])
def test_canonical_symbol_reads_back_as_the_same_chord(row):
    for spelling in (row.symbol, *row.spellings):
        canonical = canonical_symbol(spelling, C_MAJOR)
        assert parse_chord(canonical, C_MAJOR).pitch_classes == row.pitch_classes, (spelling, canonical)
        assert canonical_symbol(canonical, C_MAJOR) == canonical


def _music21(figure: str) -> tuple[int, ...] | None:
    """music21's pitch classes for a figure in our spelling (flats as its '-'), None if it cannot read it."""
    harmony = pytest.importorskip("music21.harmony")
    head, _, bass = figure.partition("/")
    root_end = 2 if head[1:2] in ("#", "b") else 1
    spelled = head[:root_end].replace("b", "-") + head[root_end:] + ("/" + bass.replace("b", "-") if bass else "")
    try:
        chord = harmony.ChordSymbol(spelled)
    except Exception:  # noqa: BLE001 — music21 raises many kinds of error for a figure it cannot read
        return None
    return tuple(sorted({p.pitchClass for p in chord.pitches}))


@pytest.mark.parametrize("row", ROWS, ids=[row.symbol for row in ROWS])
def test_music21_agrees_where_the_table_says_so(row):
    mark, _, rest = row.music21.partition(" ")
    root = row.symbol[:2] if row.symbol[1:2] in ("#", "b") else row.symbol[:1]
    if mark == "=":
        figure = row.symbol if not rest else (rest if "/" in rest or rest[:1].isupper() and rest[:1] in "ABCDEFG"
                                              else root + rest)
        assert _music21(figure) == row.pitch_classes, f"music21 reads {figure} otherwise"
    else:
        assert mark == "x" and rest, "say why music21 is not the reference here"
        assert _music21(row.symbol) != row.pitch_classes, f"music21 now agrees on {row.symbol}: mark it '='"


# -- canonical names ----------------------------------------------------------------------------------------
PARTS = ["", "m", "maj", "dim", "h", "aug", "sus", "sus2", "7", "9", "11", "13", "6", "69", "b5", "#5", "b9", "#9",
         "#11", "b13", "add9", "add11", "add2", "add13", "alt", "(maj7)", "no5", "b6"]


@given(st.lists(st.sampled_from(PARTS), min_size=1, max_size=4))
@settings(max_examples=600, deadline=None)
def test_every_readable_quality_has_a_canonical_name_that_reads_back(parts):
    text = "".join(parts)
    try:
        quality = read_quality(text)
    except QualityError:
        return
    assert read_quality(quality.name).intervals == quality.intervals, (text, quality.name)
    assert canonical_name(quality.intervals) == quality.name
    assert all(t % 12 not in {i % 12 for i in quality.intervals} for t in quality.tensions)


# -- the did-you-mean --------------------------------------------------------------------------------------
def _edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): a swap of neighbours counts as one edit."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


CORRUPTION_CHARS = "0123456789b#+-^()mMajinsudohltxyzqQ,"  # a "/" would start a slash bass
SYMBOLS = sorted({row.symbol for row in ROWS if "/" not in row.symbol})


@given(st.sampled_from(SYMBOLS), st.integers(0, 50), st.sampled_from(CORRUPTION_CHARS), st.integers(0, 3))
@settings(max_examples=400, deadline=None)
def test_did_you_mean_never_swaps_in_a_distant_chord(symbol, where, char, kind):
    root_end = 2 if symbol[1:2] in ("#", "b") else 1
    quality = symbol[root_end:]
    i = where % (len(quality) + 1)
    corrupted = [quality[:i] + char + quality[i + 1:], quality[:i] + quality[i + 1:], quality[:i] + char + quality[i:],
                 quality[:i - 1] + quality[i:i + 1] + quality[i - 1:i] + quality[i + 1:] if i else quality][kind]
    try:
        read_quality(corrupted)
        return  # still a valid chord: no did-you-mean is shown for it
    except QualityError:
        pass
    original = parse_chord(symbol, C_MAJOR).pitch_classes
    for proposal in suggestions(corrupted):
        proposed = parse_chord(symbol[:root_end] + proposal, C_MAJOR).pitch_classes
        assert proposed == original or _edit_distance(proposal, corrupted) <= 1, (corrupted, proposal)


def test_a_valid_chord_is_never_corrected():
    for row in ROWS:
        for spelling in (row.symbol, *row.spellings):
            parse_chord(spelling, C_MAJOR)  # no ChordError, so no did-you-mean


def test_the_issue_examples_read():
    for symbol in ["C7#9b13", "C7(#9,b13)", "C9b13", "C13#11", "Cm9b5", "Cm11b5", "Cmaj7b5", "C6#11", "C7sus2", "C2",
                   "C7+5", "C+7", "Cmi(ma7)", "Cm9(maj7)", "C△7", "C7(13)", "Cadd11", "C/E", "Cm7/Bb", "C-^7", "Ch7",
                   "Co7", "C^9#11", "C7b9sus", "C-11", "C7alt"]:
        parse_chord(symbol, C_MAJOR)
    with pytest.raises(ChordError):
        parse_chord("Cm7#9", C_MAJOR)  # the #9 of a minor chord is its own third


# -- other programs' vocabularies -----------------------------------------------------------------------------
# Every iReal Pro quality (its own list, ASCII `h` for ø) and the canonical quality it reads as.
IREAL = {"^7": "maj7", "-7": "m7", "7": "7", "7sus": "7sus", "^": "maj7", "-": "m", "7alt": "7alt", "sus": "sus",
         "6": "6", "-6": "m6", "o7": "dim7", "ø7": "m7b5", "h7": "m7b5", "^9": "maj9", "-9": "m9", "9": "9",
         "9sus": "9sus", "^13": "maj13", "-11": "m11", "13": "13", "13sus": "13sus", "6/9": "69", "69": "69",
         "-6/9": "m69", "-69": "m69", "-^7": "m(maj7)", "-^9": "m(maj9)", "^7#11": "maj7#11", "^9#11": "maj9#11",
         "-b6": "mb6", "-#5": "m#5", "^7#5": "maj7#5", "add9": "add9", "-7b5": "m7b5", "ø9": "m9b5", "h9": "m9b5",
         "2": "add2", "5": "5", "+": "aug", "o": "dim", "ø": "m7b5", "h": "m7b5", "7b9": "7b9", "7#9": "7#9",
         "7b5": "7b5", "7#5": "7#5", "7b13": "7b13", "7#11": "7#11", "9#11": "9#11", "13#11": "13#11", "11": "11",
         "7b9sus": "7b9sus", "7b13sus": "7b13sus", "7add3sus": "7add4", "7susadd3": "7add4", "9b5": "9b5",
         "9#5": "9#5", "13b9": "13b9", "13#9": "13#9", "7b9b13": "7b9b13", "7b9#5": "7b9#5", "7b9b5": "7b5b9",
         "7b9#9": "7b9#9", "7#9#5": "7#5#9", "7#9b5": "7b5#9", "7#9#11": "7#9#11", "7b9#11": "7b9#11"}


@pytest.mark.parametrize("ireal, name", sorted(IREAL.items()))
def test_every_ireal_quality_reads(ireal, name):
    assert parse_chord("C" + ireal, C_MAJOR).quality == name


# MusicXML <kind> -> degrees as the MusicXML standard defines them, except where players leave a tone
# out (dominant/major 11th: the 3rd; every 13th: the 11th), which the docs say.
MUSICXML = {"major": "1 3 5", "minor": "1 b3 5", "augmented": "1 3 #5", "diminished": "1 b3 b5",
            "dominant": "1 3 5 b7", "major-seventh": "1 3 5 7", "minor-seventh": "1 b3 5 b7",
            "diminished-seventh": "1 b3 b5 bb7", "augmented-seventh": "1 3 #5 b7", "half-diminished": "1 b3 b5 b7",
            "major-minor": "1 b3 5 7", "major-sixth": "1 3 5 6", "minor-sixth": "1 b3 5 6",
            "dominant-ninth": "1 3 5 b7 9", "major-ninth": "1 3 5 7 9", "minor-ninth": "1 b3 5 b7 9",
            "dominant-11th": "1 5 b7 9 11", "major-11th": "1 5 7 9 11", "minor-11th": "1 b3 5 b7 9 11",
            "dominant-13th": "1 3 5 b7 9 13", "major-13th": "1 3 5 7 9 13", "minor-13th": "1 b3 5 b7 9 13",
            "suspended-second": "1 2 5", "suspended-fourth": "1 4 5", "power": "1 5", "pedal": "1",
            "Neapolitan": "1 3 5", "Italian": "1 3 b7", "French": "1 3 #4 b7", "German": "1 3 5 b7",
            "Tristan": "1 #4 b7 #9", "none": ""}  # the augmented 6th of these chords sounds as a b7


def test_the_musicxml_table_in_the_docs_is_right():
    language = (Path(__file__).resolve().parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
    table = language[language.index("**MusicXML** names a chord"):language.index("A `<degree>` changes")]
    
    rows = dict(re.findall(r"`([A-Za-z0-9-]+)` \| `([^`]+)`", table))
    assert set(rows) == set(MUSICXML)
    roots = {"Neapolitan": "Db", "Italian": "Ab", "French": "Ab", "German": "Ab", "Tristan": "F"}
    for kind, symbol in rows.items():
        expected = _pcs(roots.get(kind, "C"), MUSICXML[kind]) if MUSICXML[kind] else ()
        assert parse_chord(symbol, C_MAJOR).pitch_classes == expected, kind


def test_song_fmt_prints_every_table_spelling_canonically():
    from compiler.fmt import format_source

    spellings = sorted({s for row in ROWS for s in (row.symbol, *row.spellings)})
    text = "style jazz.swing\nsection A\n" + "".join(f"  | {s} |\n" for s in spellings)
    printed = [line.strip(" |") for line in format_source(text).splitlines()[2:]]
    assert printed == [canonical_symbol(s, C_MAJOR) for s in spellings]
