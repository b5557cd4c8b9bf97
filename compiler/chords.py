"""chords: chord symbols (letter roots or Roman numerals, read in a Key) -> ChordSpec.

Intervals are semitones above the root in 0..23, so extensions keep their octave: 9 = 14,
11 = 17, 13 = 21, b9 = 13, #9 = 15, #11 = 18, b13 = 20. `13` chords leave out the 11th, and
`7alt` is the altered dominant without its fifth: 1 3 b7 b9 #9 b13 (#11 is offered as a tension).

Roman numerals follow the common lead-sheet convention:

- An unaltered numeral takes the key's own scale degree (in A minor III = C, VI = F, v = Em).
- An accidental is relative to the major scale of the tonic (in C minor bIII = Eb, bVI = Ab,
  bVII = Bb; in Eb major bVI = Cb).
- Uppercase means a major third, lowercase a minor third: `V` and `V7` are major triad and
  dominant 7th in any mode, `ii7` is m7, `iv6` is m6, `vii°`/`viio` is dim, `viiø7` is m7b5.
  A lowercase numeral with a major-third quality (`ii13`) is an error.
- In minor/aeolian keys a diminished or half-diminished `vii` sits on the raised leading tone
  (in A minor `viio7` = G#o7), as the harmonic minor scale has it.
- `X/Y` with a numeral after the slash is an applied chord: `X` is read in the key of `Y` (major
  for an uppercase `Y`, minor for lowercase), so `V7/ii` in C is A7. A note name after the
  slash is a slash bass (`I/E`), and both may be combined (`V7/V/C#`).

Letter roots and slash basses keep their written spelling (`Bb7` stays Bb in E major); numerals
are spelled from the key's degree letters (`vii` of B major is A#m).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from .pitch import MINOR_MODES, NATURAL_PCS, Key, parse_note_name

NO_CHORD = "N.C."

# Canonical quality -> (intervals, tensions), in order of frequency in 1,382 jazz standards,
# then the two spellings the issue lists without a count (sus2, madd9), then four more (below).
# Tensions are what a comping player may add; they never repeat a chord tone's pitch class.
_QUALITIES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "7": ((0, 4, 7, 10), (14, 21)),
    "m7": ((0, 3, 7, 10), (14, 17)),
    "maj7": ((0, 4, 7, 11), (14, 18, 21)),
    "6": ((0, 4, 7, 9), (14,)),
    "7b9": ((0, 4, 7, 10, 13), (15, 20)),
    "m7b5": ((0, 3, 6, 10), (14, 17, 20)),
    "": ((0, 4, 7), (14,)),
    "dim7": ((0, 3, 6, 9), (14, 17, 20, 23)),
    "m": ((0, 3, 7), (14, 17)),
    "m6": ((0, 3, 7, 9), (14, 17)),
    "7sus": ((0, 5, 7, 10), (14, 21)),
    "7#11": ((0, 4, 7, 10, 18), (14, 21)),
    "7#9": ((0, 4, 7, 10, 15), (13, 20)),
    "7#5": ((0, 4, 8, 10), (14, 18)),
    "maj7#11": ((0, 4, 7, 11, 18), (14, 21)),
    "7b13": ((0, 4, 7, 10, 20), (14,)),
    "9": ((0, 4, 7, 10, 14), (21,)),
    "m9": ((0, 3, 7, 10, 14), (17,)),
    "13": ((0, 4, 7, 10, 14, 21), ()),
    "m11": ((0, 3, 7, 10, 14, 17), ()),
    "m(maj7)": ((0, 3, 7, 11), (14, 17)),
    "7alt": ((0, 4, 10, 13, 15, 20), (18,)),
    "69": ((0, 4, 7, 9, 14), ()),
    "9sus": ((0, 5, 7, 10, 14), (21,)),
    "7#5#9": ((0, 4, 8, 10, 15), (13,)),
    "maj9": ((0, 4, 7, 11, 14), (18, 21)),
    "7b5": ((0, 4, 6, 10), (14, 20)),
    "13b9": ((0, 4, 7, 10, 13, 21), (15, 18)),
    "dim": ((0, 3, 6), (14, 17)),
    "9#11": ((0, 4, 7, 10, 14, 18), (21,)),
    "7b9sus": ((0, 5, 7, 10, 13), (20,)),
    "aug": ((0, 4, 8), (14,)),
    "13sus": ((0, 5, 7, 10, 14, 21), ()),
    "mb6": ((0, 3, 7, 8), (14, 17)),
    "7b9#5": ((0, 4, 8, 10, 13), (15,)),
    "maj7#5": ((0, 4, 8, 11), (14, 18)),
    "7b5b9": ((0, 4, 6, 10, 13), (15, 20)),
    "add9": ((0, 4, 7, 14), ()),
    "7b9b13": ((0, 4, 7, 10, 13, 20), (15,)),
    "13#11": ((0, 4, 7, 10, 14, 18, 21), ()),
    "sus": ((0, 5, 7), (14, 21)),
    "9#5": ((0, 4, 8, 10, 14), (18,)),
    "m69": ((0, 3, 7, 9, 14), (17,)),
    "7b9#11": ((0, 4, 7, 10, 13, 18), (15, 21)),
    "9b5": ((0, 4, 6, 10, 14), (20,)),
    "m#5": ((0, 3, 8), (14, 17)),
    "7b5#9": ((0, 4, 6, 10, 15), (13, 20)),
    "7#9#11": ((0, 4, 7, 10, 15, 18), (13, 21)),
    "maj9#11": ((0, 4, 7, 11, 14, 18), (21,)),
    "7b13sus": ((0, 5, 7, 10, 20), (14,)),
    "m7b9": ((0, 3, 7, 10, 13), (17, 20)),
    "maj13": ((0, 4, 7, 11, 14, 21), (18,)),
    "7b9#9": ((0, 4, 7, 10, 13, 15), (18, 21)),
    "13#9": ((0, 4, 7, 10, 15, 21), (13, 18)),
    "sus2": ((0, 2, 7), (21,)),
    "madd9": ((0, 3, 7, 14), (17,)),
    # Common outside the jazz count: the minor 13th, the 11th chord (its 3rd left out, as players
    # voice it: the 11 would clash with it), the power chord of rock charts, and m7#5.
    "m13": ((0, 3, 7, 10, 14, 21), (17,)),
    "11": ((0, 7, 10, 14, 17), (21,)),
    "5": ((0, 7), ()),
    "m7#5": ((0, 3, 8, 10), (14, 17)),
}


_Structure = tuple[str, tuple[str, ...]]  # (base quality, sorted alterations)


def _aliases(spellings: str, base: str, *alterations: str) -> dict[str, _Structure]:
    return {spelling: (base, alterations) for spelling in spellings.split()}


# The leading part of a quality as written -> (base, implied alterations). Alterations written
# after it (b9, #11, sus, add9, ...) are added, so "h7b9"-style combinations need no entry here.
# Spellings are as normalised: Δ -> ^, ø -> h, ° -> o, ♭ -> b, ♯ -> #, words lowercased.
_HEADS: dict[str, _Structure] = {
    "": ("", ()),
    **_aliases("maj M", ""),
    **_aliases("m - min mi", "m"),
    **_aliases("7", "7"),
    **_aliases("m7 -7 min7 mi7", "m7"),
    **_aliases("maj7 ^7 ^ M7 ma7", "maj7"),
    **_aliases("6 maj6", "6"),
    **_aliases("m6 -6 min6 mi6", "m6"),
    **_aliases("69 6/9", "6", "add9"),
    **_aliases("m69 m6/9 -69 -6/9 min69 min6/9", "m6", "add9"),
    **_aliases("9", "9"),
    **_aliases("m9 -9 min9 mi9", "m9"),
    **_aliases("maj9 ^9 M9 ma9", "maj9"),
    **_aliases("m11 -11 min11 mi11", "m11"),
    **_aliases("11", "11"),
    **_aliases("13", "13"),
    **_aliases("m13 -13 min13 mi13", "m13"),
    **_aliases("5", "5"),
    **_aliases("maj13 ^13 M13 ma13", "maj13"),
    **_aliases("dim o", "dim"),
    **_aliases("dim7 o7", "dim7"),
    **_aliases("aug +", "", "#5"),
    **_aliases("aug7 +7", "7", "#5"),
    **_aliases("h h7", "m7", "b5"),
    **_aliases("mmaj7 mM7 m^7 -^7 -maj7 minmaj7", "mmaj7"),
    **_aliases("alt", "7", "alt"),
}
_HEADS_LONGEST_FIRST = sorted(_HEADS, key=len, reverse=True)
_ALTERATION = re.compile(r"[b#](?:13|11|9|6|5)|\+|sus[24]?|add9|alt")
_TOKEN_SPELLINGS = {"sus4": "sus", "+": "#5"}
_ALTERATIONS = re.compile(f"(?:{_ALTERATION.pattern})*")
_UNICODE = str.maketrans(
    {"♭": "b", "♯": "#", "Δ": "^", "∆": "^", "ø": "h", "Ø": "h", "°": "o", "º": "o", "−": "-"}
)
_WORDS = re.compile(r"maj|min|dim|aug|sus|alt|add", re.IGNORECASE)
# Parentheses hold alterations or maj7 and close the quality: 7(b9,#11), m(maj7).
_PARENS = re.compile(r"[^(), ]*(?:\([^()]+\))?")

_ROOT_ACCIDENTALS = "#b♯♭"
_ROMAN = re.compile(r"([b#♭♯]?)(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)")
_NUMERALS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7}
_NO_CHORD = re.compile(r"N\.?C\.?", re.IGNORECASE)
# A slash followed by a digit belongs to the quality (6/9), any other slash starts a bass or target.
_SLASH = re.compile(r"/(?!\d)")


class ChordError(ValueError):
    """A chord symbol that cannot be read.

    Attributes:
        message: What is wrong.
        help: What to write instead, or None.
        start: Offset in the symbol of the first character of the bad part.
        end: Offset just past the bad part.
    """

    def __init__(self, message: str, start: int, end: int, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.help = help
        self.start = start
        self.end = end


@dataclass(frozen=True)
class ChordSpec:
    """One chord, resolved.

    Attributes:
        symbol: The symbol as written (or as rewritten by `transpose_chord`).
        root: Spelled root, e.g. "Bb"; "" for no chord.
        root_pc: Pitch class of the root; 0 for no chord, where it means nothing.
        quality: Canonical name from `known_qualities()`; "" is the major triad, "N.C." no chord.
        intervals: Chord tones in semitones above the root, ascending from 0, in 0..23.
        tensions: Further semitones above the root (same range) a comping player may add.
        bass: Spelled slash bass, or None.
        bass_pc: Pitch class of the slash bass, or None.
    """

    symbol: str
    root: str
    root_pc: int
    quality: str
    intervals: tuple[int, ...]
    tensions: tuple[int, ...]
    bass: str | None = None
    bass_pc: int | None = None

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """Sorted distinct pitch classes of the chord tones and the slash bass."""
        pcs = {(self.root_pc + interval) % 12 for interval in self.intervals}
        if self.bass_pc is not None:
            pcs.add(self.bass_pc)
        return tuple(sorted(pcs))

    @property
    def is_no_chord(self) -> bool:
        """True for N.C."""
        return self.quality == NO_CHORD


def known_qualities() -> tuple[str, ...]:
    """Canonical quality names, most common first."""
    return tuple(_QUALITIES)


@lru_cache(maxsize=4096)
def parse_chord(text: str, key: Key) -> ChordSpec:
    """Read one chord symbol in `key`.

    Args:
        text: A symbol such as "Bb13", "D7/F#", "C6/9", "iiø7", "V7/V" or "N.C.".
        key: The key Roman numerals are read in.

    Raises:
        ChordError: With the offsets of the part that cannot be read.

    Example:
        >>> spec = parse_chord("V7/V", Key("B", "major"))
        >>> spec.root, spec.quality, spec.intervals
        ('C#', '7', (0, 4, 7, 10))
    """
    if not text.strip():
        raise ChordError(
            "empty chord symbol", 0, len(text), help="write a chord such as C, Dm7 or V7"
        )
    if _NO_CHORD.fullmatch(text):
        return ChordSpec(text, "", 0, NO_CHORD, (), ())
    if text[0] in NATURAL_PCS:
        return _letter_chord(text)
    numeral = _ROMAN.match(text)
    if numeral is None:
        raise ChordError(
            "a chord starts with a root A–G or a Roman numeral", 0, 1,
            help="write e.g. C7, Bbmaj7, F#m7b5 or ii7",
        )
    return _roman_chord(text, numeral, key)


def transpose_chord(spec: ChordSpec, semitones: int, key: Key) -> ChordSpec:
    """Move `spec` up `semitones` and respell it in `key`, the already transposed key.

    Letter roots and basses are respelled with `key.spell`; the written quality is kept. A Roman
    numeral symbol stays as written when it still names the moved chord in `key` (the key moved
    with the chord); otherwise it is rewritten with a letter root and the canonical quality.

    Example:
        >>> transpose_chord(parse_chord("D7/F#", Key("D", "major")), 1, Key("Eb", "major")).symbol
        'Eb7/G'
    """
    if spec.is_no_chord:
        return spec
    root_pc = (spec.root_pc + semitones) % 12
    bass_pc = None if spec.bass_pc is None else (spec.bass_pc + semitones) % 12
    root = key.spell(root_pc)
    bass = None if bass_pc is None else key.spell(bass_pc)
    head, _, _ = _split_slash(spec.symbol)
    if head[0] in NATURAL_PCS:
        symbol = _with_bass(root + head[_root_end(head):], bass)
    else:
        reread = parse_chord(_with_bass(spec.symbol, bass), key)
        if (reread.root_pc, reread.bass_pc) == (root_pc, bass_pc):
            return reread
        symbol = _with_bass(root + spec.quality, bass)
    return dataclasses.replace(
        spec, symbol=symbol, root=root, root_pc=root_pc, bass=bass, bass_pc=bass_pc
    )


def _letter_chord(text: str) -> ChordSpec:
    head, tail, tail_start = _split_slash(text)
    root_end = _root_end(head)
    root, root_pc = parse_note_name(head[:root_end])
    quality = _quality(head[root_end:], root_end)
    bass, bass_pc = (None, None) if tail is None else _bass(tail, tail_start)
    return _spec(text, root, root_pc, quality, bass, bass_pc)


def _roman_chord(text: str, numeral: re.Match[str], key: Key) -> ChordSpec:
    head, tail, tail_start = _split_slash(text)
    home, bass, bass_pc = (key, None, None) if tail is None else _roman_tail(tail, tail_start, key)
    quality = _numeral_quality(head[numeral.end():], numeral)
    # In minor, the diminished chords on vii are leading-tone chords (harmonic minor).
    leading_tone = 3 in _QUALITIES[quality][0] and 6 in _QUALITIES[quality][0]
    root = _numeral_root(numeral, home, leading_tone)
    return _spec(text, root, parse_note_name(root)[1], quality, bass, bass_pc)


def _roman_tail(tail: str, start: int, key: Key) -> tuple[Key, str | None, int | None]:
    """The key an applied chord is read in, and the slash bass, from the text after the slash."""
    target_text, slash, bass_text = tail.partition("/")
    target = _ROMAN.fullmatch(target_text)
    if target is None:
        return (key, *_bass(tail, start, after_numeral=True))
    mode = "minor" if target.group(2).islower() else "major"
    applied = Key(_numeral_root(target, key, leading_tone=False), mode)
    if not slash:
        return applied, None, None
    return (applied, *_bass(bass_text, start + len(target_text) + 1))


def _numeral_root(numeral: re.Match[str], key: Key, leading_tone: bool) -> str:
    """Spelled root of a Roman numeral in `key` (see the module docstring for the convention)."""
    accidental, letters = numeral.groups()
    degree = _NUMERALS[letters.lower()]
    if accidental:
        return Key(key.tonic, "major").degree_name(degree, 1 if accidental in "#♯" else -1)
    if degree == 7 and leading_tone and key.mode in MINOR_MODES:
        return key.degree_name(7, 1)
    return key.degree_name(degree, 0)


def _numeral_quality(text: str, numeral: re.Match[str]) -> str:
    """Canonical quality after a numeral: uppercase as written, lowercase with a minor third."""
    start = numeral.end()
    if numeral.group(2).isupper():
        return _quality(text, start)
    minor = _resolve_quality("m" + text)
    if minor is not None:
        return minor
    quality = _quality(text, start)
    if 4 in _QUALITIES[quality][0]:
        raise ChordError(
            f"lowercase numeral '{numeral.group()}' makes a minor chord, "
            f"but '{text}' has a major third",
            numeral.start(), start + len(text),
            help=f"write the numeral in uppercase: '{numeral.group().upper()}{text}'",
        )
    return quality


def _split_slash(text: str) -> tuple[str, str | None, int]:
    """Split at the first bass/target slash: (head, tail or None, offset of the tail)."""
    slash = _SLASH.search(text)
    if slash is None:
        return text, None, len(text)
    return text[: slash.start()], text[slash.end():], slash.end()


def _bass(text: str, start: int, after_numeral: bool = False) -> tuple[str, int]:
    """Spelled slash bass and its pitch class; `text` starts at offset `start` of the symbol."""
    what = "a note name A–G or a Roman numeral" if after_numeral else "a note name A–G"
    if not text:
        raise ChordError(
            "missing bass note after '/'", start - 1, start, help=f"write {what} after '/'"
        )
    try:
        return parse_note_name(text)
    except ValueError:
        raise ChordError(
            f"'{text}' is not a bass note", start, start + len(text), help=f"write {what} after '/'"
        ) from None


def _quality(text: str, start: int) -> str:
    """Canonical name of the quality `text`, which starts at offset `start` of the symbol."""
    quality = _resolve_quality(text)
    if quality is None:
        raise ChordError(
            f"unknown chord quality '{text}'", start, start + len(text), help=_quality_help(text)
        )
    return quality


def _resolve_quality(text: str) -> str | None:
    normalized = _normalize(text)
    structure = None if normalized is None else _structure(normalized)
    return _BY_STRUCTURE.get(structure) if structure else None


def _normalize(text: str) -> str | None:
    """The quality with unicode, word case and parentheses made uniform; None if malformed."""
    text = _WORDS.sub(lambda word: word.group().lower(), text.translate(_UNICODE))
    if not _PARENS.fullmatch(text):
        return None
    return re.sub(r"[(), ]", "", text)


def _structure(text: str) -> _Structure | None:
    """(base, sorted alterations) of a normalised quality, so 7(#11,b9) and 7b9#11 agree."""
    for head in _HEADS_LONGEST_FIRST:
        rest = text[len(head):]
        if text.startswith(head) and _ALTERATIONS.fullmatch(rest):
            base, implied = _HEADS[head]
            written = (_TOKEN_SPELLINGS.get(token, token) for token in _ALTERATION.findall(rest))
            return base, tuple(sorted((*implied, *written)))
    return None


def _quality_help(text: str) -> str:
    """Did-you-mean among canonical names first, so 'mja7' suggests maj7 rather than ma7."""
    word = _normalize(text) or text
    for spellings in (_QUALITIES, _HEADS):
        matches = difflib.get_close_matches(word, [name for name in spellings if name], n=1)
        if matches:
            return f"did you mean '{matches[0]}'?"
    return f"write a known quality such as {', '.join([q for q in known_qualities() if q][:8])}"


def _spec(
    text: str, root: str, root_pc: int, quality: str, bass: str | None, bass_pc: int | None
) -> ChordSpec:
    intervals, tensions = _QUALITIES[quality]
    return ChordSpec(text, root, root_pc, quality, intervals, tensions, bass, bass_pc)


def _root_end(head: str) -> int:
    """Length of the letter root at the start of `head`: the letter and one optional accidental."""
    return 2 if head[1:2] and head[1] in _ROOT_ACCIDENTALS else 1


def _with_bass(symbol: str, bass: str | None) -> str:
    """`symbol` with its slash bass, always the last slash part, replaced by (or given) `bass`."""
    if bass is None:
        return symbol
    head, tail, _ = _split_slash(symbol)
    kept = "" if tail is None else tail[: tail.rfind("/") + 1]
    return f"{head}/{kept}{bass}"


def _build_structure_index() -> dict[_Structure, str]:
    index: dict[_Structure, str] = {}
    for name in _QUALITIES:
        structure = _structure(_normalize(name) or "")
        # Two canonical names reading the same would make one of them unreachable.
        assert structure is not None and structure not in index, name
        index[structure] = name
    return index


_BY_STRUCTURE = _build_structure_index()
