"""pitch: note names, keys, scale-degree spelling and transposition (pitch classes 0-11, C = 0).

Spelling rules, used by `Key.spell`:

- A pitch class of the key's scale takes its scale-degree letter: Bb in F major, A# in B major,
  E# in F# major, Cb in Gb major.
- In `minor`/`aeolian` keys the raised 6th and 7th (the melodic and harmonic minor tones) also take
  their degree letters, so A minor spells G# and F#, not Ab and Gb.
- Any other pitch class is chromatic: sharp names (C# D# F# G# A#) in keys whose signature has
  sharps, flat names (Db Eb Gb Ab Bb) otherwise, which includes C major and A minor.

`Key.transposed` picks the tonic spelling whose key signature has the fewest accidentals; on a tie
(F# or Gb major, D# or Eb minor) it takes the flat one.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

LETTERS = "CDEFGAB"
NATURAL_PCS: dict[str, int] = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# Every accepted accidental spelling -> semitones; names are always written back in ASCII.
ACCIDENTALS: dict[str, int] = {
    "": 0, "#": 1, "b": -1, "##": 2, "x": 2, "bb": -2,
    "♯": 1, "♭": -1, "♯♯": 2, "♭♭": -2, "𝄪": 2, "𝄫": -2,
}
_ACCIDENTAL_TEXT = {-2: "bb", -1: "b", 0: "", 1: "#", 2: "##"}
_FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

MODES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "ionian": (0, 2, 4, 5, 7, 9, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "melodic_minor": (0, 2, 3, 5, 7, 9, 11),
}
MINOR_MODES = frozenset({"minor", "aeolian"})
_MODE_ALIASES = {"maj": "major", "min": "minor"}
# The raised 6th/7th of harmonic and melodic minor are accidentals, not part of the signature.
_SIGNATURE_MODE = {"harmonic_minor": "minor", "melodic_minor": "minor"}


def parse_note_name(text: str) -> tuple[str, int]:
    """Read a note name and return its ASCII spelling and pitch class.

    Args:
        text: A letter A-G and one optional accidental: #, b, ##, bb, x (double sharp), ♯ or ♭.

    Returns:
        `(name, pitch_class)`, with unicode and `x` accidentals rewritten as #, b, ## or bb.

    Raises:
        ValueError: If `text` is not a note name.

    Example:
        >>> parse_note_name("Bb")
        ('Bb', 10)
        >>> parse_note_name("F♯")
        ('F#', 6)
    """
    letter, alteration = _split_note(text)
    return letter + _ACCIDENTAL_TEXT[alteration], (NATURAL_PCS[letter] + alteration) % 12


def note_number(name: str, octave: int) -> int:
    """MIDI note number of a spelled note in scientific pitch notation (C4 = 60).

    The accidental may cross the octave boundary: Cb4 is 59 and B#3 is 60.

    Raises:
        ValueError: If `name` is not a note name or the note is outside MIDI's 0-127.

    Example:
        >>> note_number("A", 4)
        69
    """
    letter, alteration = _split_note(name)
    number = 12 * (octave + 1) + NATURAL_PCS[letter] + alteration
    if not 0 <= number <= 127:
        raise ValueError(f"{name}{octave} is outside the MIDI range (C-1 to G9)")
    return number


@dataclass(frozen=True)
class Key:
    """A key: a spelled tonic and a mode.

    Attributes:
        tonic: The tonic's note name, e.g. "Bb" or "F#" (unicode accidentals become ASCII).
        mode: A canonical mode name, one of `MODES`.
    """

    tonic: str
    mode: str

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(_unknown_mode_message(self.mode))
        object.__setattr__(self, "tonic", parse_note_name(self.tonic)[0])

    @cached_property
    def tonic_pc(self) -> int:
        """Pitch class of the tonic."""
        return parse_note_name(self.tonic)[1]

    @cached_property
    def scale_pcs(self) -> tuple[int, ...]:
        """Pitch classes of scale degrees 1-7, in degree order."""
        return tuple((self.tonic_pc + step) % 12 for step in MODES[self.mode])

    @cached_property
    def signature(self) -> int:
        """Accidentals in the key signature: sharps positive, flats negative (Eb major -> -3)."""
        steps = MODES[_SIGNATURE_MODE.get(self.mode, self.mode)]
        return sum(
            _alteration(self._degree_letter(degree), self.tonic_pc + step)
            for degree, step in enumerate(steps, start=1)
        )

    @cached_property
    def _spellings(self) -> dict[int, str]:
        """Pitch class -> name for every pitch class that has a scale-degree letter in this key."""
        degrees = [(degree, 0) for degree in range(1, 8)]
        if self.mode in MINOR_MODES:
            degrees += [(6, 1), (7, 1)]
        names = (self._lettered(degree, alteration) for degree, alteration in degrees)
        return {parse_note_name(name)[1]: name for name in names if name is not None}

    def spell(self, pc: int) -> str:
        """Best name for pitch class `pc` in this key (see the module docstring for the rules).

        Example:
            >>> Key("F", "major").spell(10), Key("B", "major").spell(10), Key("C", "major").spell(6)
            ('Bb', 'A#', 'Gb')
        """
        pc %= 12
        if pc in self._spellings:
            return self._spellings[pc]
        return (_SHARP_NAMES if self.signature > 0 else _FLAT_NAMES)[pc]

    def degree_name(self, degree: int, alteration: int = 0) -> str:
        """Spelled note of scale degree `degree` (1-7) raised or lowered by `alteration` semitones.

        The letter is the degree's letter; only when that would need more than a double accidental
        does the note fall back to `spell`.

        Example:
            >>> Key("F", "major").degree_name(4, 0), Key("B", "major").degree_name(7, -1)
            ('Bb', 'A')
        """
        if not 1 <= degree <= 7:
            raise ValueError(f"scale degree must be 1-7, got {degree}")
        pc = self.tonic_pc + MODES[self.mode][degree - 1] + alteration
        return self._lettered(degree, alteration) or self.spell(pc)

    def transposed(self, semitones: int) -> Key:
        """The same mode `semitones` higher, tonic spelled with the fewest signature accidentals.

        Example:
            >>> Key("B", "major").transposed(1), Key("G", "major").transposed(6)
            (Key(tonic='C', mode='major'), Key(tonic='Db', mode='major'))
        """
        pc = (self.tonic_pc + semitones) % 12
        candidates = [Key(name, self.mode) for name in _plain_spellings(pc)]
        # Ties (Gb/F# major) go to flats: False sorts before True.
        return min(candidates, key=lambda key: (abs(key.signature), key.signature > 0))

    def _degree_letter(self, degree: int) -> str:
        return LETTERS[(LETTERS.index(self.tonic[0]) + degree - 1) % 7]

    def _lettered(self, degree: int, alteration: int) -> str | None:
        """The degree spelled with its own letter, or None if that needs a triple accidental."""
        pc = self.tonic_pc + MODES[self.mode][degree - 1] + alteration
        return spell_with_letter(self._degree_letter(degree), pc)


def parse_key_text(text: str) -> Key:
    """A key as a person types it, one or two words: `Bb`, `F#m`, `E minor` (see `parse_key`).

    Raises:
        ValueError: as `parse_key`, or with an empty message for no word or more than two.

    Example:
        >>> parse_key_text("E minor"), parse_key_text("Bb")
        (Key(tonic='E', mode='minor'), Key(tonic='Bb', mode='major'))
    """
    words = text.split()
    if not 1 <= len(words) <= 2:
        raise ValueError("")
    return parse_key(words[0], words[1] if len(words) > 1 else None)


def parse_key(tonic: str, mode: str | None = None) -> Key:
    """Build a `Key` from a tonic name and a mode as written in a chart.

    Args:
        tonic: A note name, as accepted by `parse_note_name`; the letter may be lowercase when a mode
            is given (`g minor`), and a minor or major mark may be glued on as in a chord symbol
            (`Gm`, `F#m`, `Bbmin`, `Ebmaj`, `C-`).
        mode: None (major, or the glued mark), a `MODES` name, or an alias: "maj", "min", "m"
            (minor), "M" (major). Words are case-insensitive and may use spaces or hyphens ("Harmonic Minor").

    Raises:
        ValueError: For an unknown tonic or mode (the mode message suggests the closest mode name),
            a lowercase tonic without a mode (is `g` G major or, as in classical usage, G minor?),
            or a mode given twice (`Gm major`).

    Example:
        >>> parse_key("Bb", "Minor"), parse_key("F#m"), parse_key("g", "minor")
        (Key(tonic='Bb', mode='minor'), Key(tonic='F#', mode='minor'), Key(tonic='G', mode='minor'))
    """
    glued = _GLUED_MODE.fullmatch(tonic)
    if glued is not None and glued.group(3):
        if mode is not None:
            raise ValueError(f"'{tonic}' already says the mode; write '{glued.group(1).upper()}{glued.group(2)} {mode}'")
        tonic, mode = glued.group(1) + glued.group(2), "minor" if glued.group(3) in ("m", "min", "-") else "major"
    if tonic[:1].islower() and tonic[:1].upper() in NATURAL_PCS:
        if mode is None:
            name = tonic[0].upper() + tonic[1:]
            raise ValueError(f"'{tonic}' does not say major or minor; write '{name}' for {name} major or "
                             f"'{name} minor'")
        tonic = tonic[0].upper() + tonic[1:]
    name, _ = parse_note_name(tonic)
    return Key(name, _canonical_mode(mode))


_GLUED_MODE = re.compile(r"([A-Ga-g])([#b♯♭]?)(m|min|-|M|maj)?")


@lru_cache(maxsize=64)
def cached_key(tonic: str, mode: str) -> Key:
    """`Key(tonic, mode)`, built once per key: every bar of a song asks for its key."""
    return Key(tonic, mode)


def shortest_shift(from_pc: int, to_pc: int) -> int:
    """Semitones from one pitch class to another, the short way round (-5..+6).

    >>> shortest_shift(7, 3), shortest_shift(0, 6)
    (-4, 6)
    """
    steps = (to_pc - from_pc) % 12
    return steps - 12 if steps > 6 else steps


def pc_name_in_key(pc: int, key: Key) -> str:
    """Name of pitch class `pc` in `key`; the function form of `Key.spell`."""
    return key.spell(pc)


def _split_note(text: str) -> tuple[str, int]:
    """Letter and alteration in semitones of a note name."""
    letter, accidental = text[:1], text[1:]
    if letter not in NATURAL_PCS or accidental not in ACCIDENTALS:
        raise ValueError(
            f"'{text}' is not a note name; write a letter A–G with an optional #, b, ##, bb or x"
        )
    return letter, ACCIDENTALS[accidental]


def _alteration(letter: str, pc: int) -> int:
    """Semitones from `letter`'s natural to pitch class `pc`, in -6..5."""
    return (pc - NATURAL_PCS[letter] + 6) % 12 - 6


def spell_with_letter(letter: str, pc: int) -> str | None:
    """Pitch class `pc` written on `letter` (`"E"`, 3 -> "Eb"), or None if that needs a triple accidental."""
    alteration = _alteration(letter, pc)
    return letter + _ACCIDENTAL_TEXT[alteration] if abs(alteration) <= 2 else None


def _plain_spellings(pc: int) -> list[str]:
    """Names of `pc` with at most one accidental, in letter order: C and B#, never Dbb."""
    spellings = (spell_with_letter(letter, pc) for letter in LETTERS)
    return [name for name in spellings if name is not None and len(name) <= 2]


def _canonical_mode(mode: str | None) -> str:
    # One-letter aliases keep their case, as in chord symbols: "m" is minor, "M" is major.
    if mode is None or mode == "M":
        return "major"
    if mode == "m":
        return "minor"
    word = mode.strip().lower().replace(" ", "_").replace("-", "_")
    word = _MODE_ALIASES.get(word, word)
    if word not in MODES:
        raise ValueError(_unknown_mode_message(mode))
    return word


def _unknown_mode_message(mode: str) -> str:
    matches = difflib.get_close_matches(mode.lower(), MODES, n=1)
    if matches:
        return f"unknown mode '{mode}'; did you mean '{matches[0]}'?"
    return f"unknown mode '{mode}'; write one of {', '.join(MODES)}"
