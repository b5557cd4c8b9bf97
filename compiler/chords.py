"""chords: chord symbols (letter roots or Roman numerals, read in a Key) -> ChordSpec.

The quality after the root (`m7b5`, `7(#9,b13)`, `-^9`) is read by `qualities`, which gives its
chord tones as semitones above the root in 0..23 and its one canonical name. A misspelt quality
gets a did-you-mean of spellings one edit from what was typed (`suggestions`), never a different
chord for a valid one; `canonical_symbol` is how `song fmt` prints a symbol.

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
import re
from dataclasses import dataclass
from functools import lru_cache

from .pitch import MINOR_MODES, NATURAL_PCS, Key, parse_note_name
from .qualities import NO_CHORD, QUALITIES, Quality, QualityError, read_quality

# Characters a quality is written with: one-edit variants of a misspelt quality are built from them.
_EDIT_ALPHABET = "0123456789b#+-^()mMajinsudohltr"

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
        quality: Canonical name (`qualities.canonical_name`); "" is the major triad, "N.C." no chord.
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
    """The common canonical quality names, most common first (any other reads too, see `qualities`)."""
    return tuple(QUALITIES)


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


def split_chord_list(text: str) -> list[tuple[int, str]]:
    """`Gm7,C7` as a chart writes two chords in one word: (offset, symbol) of each. A comma inside
    parentheses belongs to the symbol: `C7(b9,#11)` is one chord.

    >>> split_chord_list("Gm7,C7(b9,#11)")
    [(0, 'Gm7'), (4, 'C7(b9,#11)')]
    """
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text + ","):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth <= 0 and index > start:
            parts.append((start, text[start:index]))
        if char == "," and depth <= 0:
            start = index + 1
    return parts or [(0, text)]


def canonical_symbol(text: str, key: Key) -> str:
    """How `song fmt` writes a chord: ASCII accidentals, the quality's canonical name, the root and
    slash bass as spelled. Lowercase numerals leave out the `m` their case implies.

    Raises:
        ChordError: as `parse_chord`.

    Example:
        >>> c = Key("C", "major")
        >>> canonical_symbol("C-7(b5)", c), canonical_symbol("iiø7", c), canonical_symbol("B♭Δ7/D", c)
        ('Cm7b5', 'ii7b5', 'Bbmaj7/D')
    """
    spec = parse_chord(text, key)
    if spec.is_no_chord:
        return NO_CHORD
    head, tail, _ = _split_slash(text)
    if text[0] in NATURAL_PCS:
        symbol = parse_note_name(head[: _root_end(head)])[0] + spec.quality
    else:
        numeral = _ROMAN.match(text)
        symbol = _ascii(numeral.group(1)) + numeral.group(2) + numeral_quality(spec.quality, numeral.group(2).islower())
    return symbol if tail is None else f"{symbol}/{_canonical_tail(tail)}"


def numeral_quality(quality: str, lowercase: bool) -> str:
    """A quality after a numeral: a lowercase numeral already says minor (`ii7`), and `o` diminished."""
    if not lowercase:
        return quality
    if quality.startswith("m") and not quality.startswith("maj"):
        return quality[1:]
    return "o" + quality[3:] if quality.startswith("dim") else quality


def _canonical_tail(tail: str) -> str:
    """The text after the slash: a bass note, an applied numeral, or both (`V/C#`), in ASCII."""
    parts = tail.split("/")
    return "/".join(_ascii(part) if _ROMAN.fullmatch(part) else parse_note_name(part)[0] for part in parts)


def _ascii(text: str) -> str:
    return text.replace("♭", "b").replace("♯", "#")


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
    quality = _quality(head[root_end:], root_end, head[:root_end])
    bass, bass_pc = (None, None) if tail is None else _bass(tail, tail_start)
    return _spec(text, root, root_pc, quality, bass, bass_pc)


def _roman_chord(text: str, numeral: re.Match[str], key: Key) -> ChordSpec:
    head, tail, tail_start = _split_slash(text)
    home, bass, bass_pc = (key, None, None) if tail is None else _roman_tail(tail, tail_start, key)
    quality = _numeral_quality(head[numeral.end():], numeral)
    # In minor, the diminished chords on vii are leading-tone chords (harmonic minor).
    leading_tone = 3 in quality.intervals and 6 in quality.intervals
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


def _numeral_quality(text: str, numeral: re.Match[str]) -> Quality:
    """The quality after a numeral: uppercase as written, lowercase with a minor third."""
    start = numeral.end()
    if numeral.group(2).isupper():
        return _quality(text, start, numeral.group())
    try:
        quality = _quality(text, start, numeral.group(), minor=True)
    except ChordError:
        quality = None
    if quality is None or 4 in quality.intervals:
        if quality is not None or 4 in _quiet_quality(text).intervals:
            raise ChordError(
                f"lowercase numeral '{numeral.group()}' makes a minor chord, "
                f"but '{text}' has a major third",
                numeral.start(), start + len(text),
                help=f"write the numeral in uppercase: '{numeral.group().upper()}{text}'",
            )
        return _quality(text, start, numeral.group(), minor=True)
    return quality


def _quiet_quality(text: str) -> Quality:
    """The quality read as if after a letter, or one with no tones if it does not read."""
    try:
        return read_quality(text)
    except QualityError:
        return Quality("", (), ())


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


def _quality(text: str, start: int, root: str, minor: bool = False) -> Quality:
    """The quality `text`, which starts at offset `start` of the symbol, after `root`."""
    try:
        return read_quality(text, minor)
    except QualityError as error:
        raise ChordError(error.message, start + error.start, start + error.end,
                         help=_quality_help(root, text, minor, error.help)) from None


def _quality_help(root: str, text: str, minor: bool, own: str | None) -> str:
    """The reader's own advice, else a did-you-mean of spellings one edit from what was typed."""
    found = [] if own else suggestions(text, minor)
    if found:
        return "did you mean " + " or ".join(f"'{root}{q}'" for q in found) + "?"
    return own or f"write a known quality such as {', '.join([q for q in known_qualities() if q][:8])}"


def suggestions(text: str, minor: bool = False, limit: int = 3) -> list[str]:
    """Qualities one edit from `text` that read, one per chord: the chords with the fewest tones
    first (a typo rarely drops a whole part), then the common ones, then by the kind of typo (two
    characters swapped, one replaced, deleted, inserted).

    Example:
        >>> suggestions("mja7"), suggestions("sus3")
        (['maj7', 'mMa7'], ['sus4', 'sus2', 'sus+'])
    """
    order = {name: index for index, name in enumerate(QUALITIES)}
    chords: dict[tuple[int, ...], tuple[tuple, str]] = {}
    for rank, variant in _one_edit(text):
        if variant[:1] in ("b", "#"):
            continue  # after a root it would read as the root's accidental
        try:
            quality = read_quality(variant, minor)
        except QualityError:
            continue
        key = (len(quality.intervals), order.get(quality.name, len(order)), rank, len(variant), variant)
        if quality.intervals not in chords or key < chords[quality.intervals][0]:
            chords[quality.intervals] = (key, variant)
    return [variant for _, variant in sorted(chords.values())[:limit]]


def _one_edit(text: str):
    """(kind, variant) for every text one edit from `text`: swaps first, then replacements, deletions,
    insertions (the edits a typist makes most, in that order)."""
    for i in range(len(text) - 1):
        yield 0, text[:i] + text[i + 1] + text[i] + text[i + 2:]
    for i in range(len(text)):
        for char in _EDIT_ALPHABET:
            if char != text[i]:
                yield 1, text[:i] + char + text[i + 1:]
        yield 2, text[:i] + text[i + 1:]
    for i in range(len(text) + 1):
        for char in _EDIT_ALPHABET:
            yield 3, text[:i] + char + text[i:]


def _spec(
    text: str, root: str, root_pc: int, quality: Quality, bass: str | None, bass_pc: int | None
) -> ChordSpec:
    return ChordSpec(text, root, root_pc, quality.name, quality.intervals, quality.tensions, bass, bass_pc)


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
