"""harmony: a chord in words — its tones spelled from its root, and its Roman numeral in a key.

Used where a musician reads about a chord (the language server's hover). Each tone takes the letter
its interval above the root calls for — the third two letters up, the seventh six — so D7 is
D F# A C in any key and a diminished seventh's top note is a double flat.

>>> from .chords import parse_chord
>>> from .pitch import Key
>>> bb = Key("Bb", "major")
>>> chord = parse_chord("Cm7", bb)
>>> " ".join(chord_tones(chord)), roman_numeral(chord, bb)
('C Eb G Bb', 'ii7')
>>> " ".join(chord_tones(parse_chord("D7", bb))), roman_numeral(parse_chord("Ab7", bb), bb)
('D F# A C', 'bVII7')
"""

from __future__ import annotations

from .chords import ChordSpec, numeral_quality
from .pitch import LETTERS, Key, parse_note_name, spell_with_letter

# Letters above the root for each interval (semitones, 0..23): 3 and 4 are a third (2 letters up),
# 6-8 a fifth (4), 9 a sixth (5), 10-11 a seventh (6); 13-15 a ninth, 17-18 an eleventh, 20-21 a 13th.
_LETTER_STEPS = (0, 1, 1, 2, 2, 3, 4, 4, 4, 5, 6, 6, 0, 1, 1, 1, 2, 3, 3, 4, 5, 5, 6, 6)
_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII")


def chord_tones(chord: ChordSpec) -> list[str]:
    """The chord tones from the root up, each on its interval's letter (then the slash bass, if not a tone)."""
    root_letter = LETTERS.index(chord.root[0])
    names = []
    for interval in chord.intervals:
        steps = 6 if interval == 9 and _is_diminished_seventh(chord) else _LETTER_STEPS[interval % 24]
        pc = (chord.root_pc + interval) % 12
        names.append(spell_with_letter(LETTERS[(root_letter + steps) % 7], pc) or chord.root)
    if chord.bass is not None and chord.bass not in names:
        names.append(f"(bass {chord.bass})")
    return names


def _is_diminished_seventh(chord: ChordSpec) -> bool:
    return set(chord.intervals) >= {0, 3, 6, 9} and 10 not in chord.intervals and 11 not in chord.intervals


def roman_numeral(chord: ChordSpec, key: Key) -> str:
    """The root's degree in `key` (with a flat or sharp if it is off the scale), lower case for a minor
    or diminished chord, then the quality as a numeral takes it (`ii7`, `bVII7`, `viio7`)."""
    degree = (LETTERS.index(chord.root[0]) - LETTERS.index(key.tonic[0])) % 7
    on_scale = key.scale_pcs[degree]
    alteration = (chord.root_pc - on_scale + 6) % 12 - 6
    minor = 3 in chord.intervals and 4 not in chord.intervals
    numeral = _NUMERALS[degree].lower() if minor else _NUMERALS[degree]
    accidental = "b" * -alteration if alteration < 0 else "#" * alteration
    bass = f"/{chord.bass}" if chord.bass else ""
    return f"{accidental}{numeral}{numeral_quality(chord.quality, minor)}{bass}"


def spelled_name(chord: ChordSpec) -> str:
    """The chord with letters: `ii7` in Bb major is Cm7."""
    return f"{parse_note_name(chord.root)[0]}{chord.quality}" + (f"/{chord.bass}" if chord.bass else "")
