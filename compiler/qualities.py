"""qualities: the quality part of a chord symbol (`m7b5`, `7(#9,b13)`, `-^9`, `13sus`) -> its chord tones.

A quality is read the way a player reads it, part by part:

- the third: major unless the symbol says minor (`m` `-` `min` `mi`); `sus`/`sus4`/`sus2` or the
  power chord `5` have none;
- a head number: `6`, `7`, `9` (7th and 9th), `11` (7th, 9th, 11th), `13` (7th, 9th and 13th: a 13
  needs no 11), `2` (`C2` = `Cadd2`), `5`; `69` is a 6 with an added 9;
- what kind of 7th: major after `maj` `M` `ma` `^` `Δ`, diminished after `dim`/`o`, and `h`/`ø`
  for half-diminished (`m7b5`); `aug`/`+` raises the 5th;
- then, in any order, with or without parentheses and commas: alterations `b5 #5 b6 b9 #9 #11 b13`
  (also written `-5 +5 -9 +9 +11 -13`), additions `add2 add3 add4 add6 add9 add11 add13` (and
  `addb9`, `add#11` …), a natural extension in parentheses (`7(13)` adds the 13 to a 7th chord),
  `maj7` after a minor head (`m(maj7)`, `m9(maj7)`), `sus`, `alt`, and omissions `no3`/`no5`.

What players leave out is left out: the 3rd under a natural 11 on a dominant or major 7th (`C11`
sounds as C9sus4), the 11 in a 13th chord, the 5th in `7alt` (1 3 b7 b9 #9 b13). Two parts that
name the same note (`m7#9`: the #9 is the minor third) are an error rather than a guess.

Tones are semitones above the root in 0..23, so extensions keep their octave: 9 = 14, 11 = 17,
13 = 21, b9 = 13, #9 = 15, #11 = 18, b13 = 20. Every set of tones has one canonical name
(`canonical_name`): the common names of `QUALITIES`, otherwise built part by part; it reads back as
the same tones, so `song fmt` can print any accepted spelling in its canonical form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

# Canonical quality -> (chord tones, tensions), in order of frequency in 1,382 jazz standards, then
# the spellings added later (below). Tensions are what a comping player may add; they never repeat
# a chord tone's pitch class. Qualities not listed get their name and tensions from the rules below.
QUALITIES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
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
    # The rest of the iReal Pro vocabulary: ø9, -^9, -#5 above, 7#9b13 and friends come from the rules.
    "m9b5": ((0, 3, 6, 10, 14), (17, 20)),
    "m(maj9)": ((0, 3, 7, 11, 14), (17,)),
    "add2": ((0, 2, 4, 7), ()),
}
NO_CHORD = "N.C."

_UNICODE = str.maketrans({"♭": "b", "♯": "#", "Δ": "^", "∆": "^", "△": "^", "ø": "h", "Ø": "h", "°": "o",
                          "º": "o", "−": "-", "–": "-"})
# Words in any case (Maj7, MIN, Sus4); the one-letter marks m and M keep theirs.
_WORDS = re.compile(r"maj|min|dim|aug|sus|alt|add|omit|ma(?=\d|\()|mi(?=\d|\(|$)", re.IGNORECASE)
_TOKEN = re.compile(r"""
     (?P<sep>[(),/ ])
    |(?P<word>maj|min|dim|aug|sus[24]?|alt|add|omit|no(?=[35])|ma(?=\d|\()|mi(?=\d|\(|$))
    |(?P<alter>[b#+-](?:13|11|9|6|5|4))
    |(?P<num>13|11|9|7|6|5|4|3|2)
    |(?P<mark>[mM^oh+-])
""", re.VERBOSE)
_ALTERATIONS = {"b5": 6, "#5": 8, "b6": 8, "b9": 13, "#9": 15, "#11": 18, "b13": 20}
_ADDED = {"2": 2, "3": 4, "4": 5, "6": 9, "9": 14, "11": 17, "13": 21, "b9": 13, "#9": 15, "#11": 18, "b13": 20}
_DEGREE = {0: "1", 2: "2", 3: "b3", 4: "3", 5: "4", 6: "b5", 7: "5", 8: "#5", 9: "6", 10: "b7", 11: "7",
           13: "b9", 14: "9", 15: "#9", 17: "11", 18: "#11", 20: "b13", 21: "13"}
_ALT = frozenset({0, 4, 10, 13, 15, 20})


class QualityError(ValueError):
    """A quality that cannot be read; `start`/`end` are offsets in the quality text."""

    def __init__(self, message: str, start: int, end: int, help: str | None = None) -> None:
        super().__init__(message)
        self.message, self.start, self.end, self.help = message, start, end, help


@dataclass(frozen=True)
class Quality:
    """A read quality: its canonical name, chord tones and tensions (semitones above the root)."""

    name: str
    intervals: tuple[int, ...]
    tensions: tuple[int, ...]


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class _Reading:
    """The parts of a quality as written, before they become tones."""

    minor: bool = False
    implied_minor: bool = False      # a lowercase Roman numeral: minor unless the quality says otherwise
    kind: str | None = None          # "maj", "dim", "half", "aug"
    head: int | None = None          # 2, 5, 6, 7, 9, 11, 13
    major_seventh: bool = False      # maj7 written after a minor or diminished head: m(maj7)
    sus: int | None = None           # 4 or 2
    alt: bool = False
    alterations: dict[str, _Token] = field(default_factory=dict)
    added: dict[int, _Token] = field(default_factory=dict)
    omitted: set[int] = field(default_factory=set)


@lru_cache(maxsize=4096)
def read_quality(text: str, minor: bool = False) -> Quality:
    """The quality `text` (what follows the root); `minor` for a lowercase Roman numeral.

    Raises:
        QualityError: with the offsets of the part that cannot be read.

    Example:
        >>> q = read_quality("7(#9,b13)")
        >>> q.name, q.intervals
        ('7#9b13', (0, 4, 7, 10, 15, 20))
        >>> read_quality("-^9").name, read_quality("h7").name, read_quality("13").intervals
        ('m(maj9)', 'm7b5', (0, 4, 7, 10, 14, 21))
    """
    tokens = _tokens(text)
    reading = _read(tokens, text, minor)
    tones = _tones(reading, text)
    intervals = tuple(sorted(tones))
    name = canonical_name(intervals)
    known = QUALITIES.get(name)
    tensions = known[1] if known is not None and known[0] == intervals else _rule_tensions(tones)
    return Quality(name, intervals, tensions)


def normalise(text: str) -> str:
    """Unicode marks as ASCII (Δ -> ^, ø -> h, ° -> o, ♭ -> b) and words lowercased; the length stays."""
    return _WORDS.sub(lambda word: word.group().lower(), text.translate(_UNICODE))


def _tokens(text: str) -> list[_Token]:
    normal = normalise(text)
    found, pos = [], 0
    while pos < len(normal):
        if pos == 0 and normal[0] in "-+":  # at the start, - is minor and + augmented
            found.append(_Token("mark", normal[0], 0, 1))
            pos = 1
            continue
        match = _TOKEN.match(normal, pos)
        if match is None:
            raise QualityError(f"unknown chord quality '{text}'", 0, len(text))
        found.append(_Token(match.lastgroup, match.group(), pos, match.end()))
        pos = match.end()
    return found


# -- reading the parts -------------------------------------------------------------------------------
def _read(tokens: list[_Token], text: str, minor: bool) -> _Reading:
    reading = _Reading(implied_minor=minor)
    rest = _read_head(tokens, reading, text)
    _read_modifiers(rest, reading, text)
    return reading


def _read_head(tokens: list[_Token], r: _Reading, text: str) -> list[_Token]:
    """The minor mark, the kind (maj, dim, h, aug) and the head number; returns the tokens after them."""
    i = 0
    if i < len(tokens) and (tokens[i].text in ("m", "-", "min", "mi")):
        r.minor, i = True, i + 1
    kinds = {"maj": "maj", "ma": "maj", "M": "maj", "^": "maj", "dim": "dim", "o": "dim", "h": "half",
             "aug": "aug", "+": "aug"}
    if i < len(tokens) and tokens[i].text in kinds and tokens[i].kind in ("word", "mark"):
        kind = kinds[tokens[i].text]
        if r.minor and kind in ("dim", "half"):
            raise _error(f"'{tokens[i].text}' is already a minor chord; leave out the 'm'", tokens[i], text)
        if (r.minor or r.implied_minor) and kind == "maj":
            r.major_seventh = True
        else:
            r.kind = kind
        i += 1
        if r.kind == "aug" and i < len(tokens) and tokens[i].text in ("maj", "ma", "M", "^"):
            r.major_seventh, i = True, i + 1
    if r.kind == "aug" and i < len(tokens) and tokens[i].text == "5":
        i += 1  # C+5 is the augmented triad
    if i < len(tokens) and tokens[i].kind == "num":
        r.head, i = _head_number(tokens[i], r, text), i + 1
        six_nine = [t.text for t in tokens[i:i + 2]]
        if r.head == 6 and six_nine[:1] == ["9"] and tokens[i].start == tokens[i - 1].end:
            r.added[14], i = tokens[i], i + 1  # 69
        elif r.head == 6 and six_nine == ["/", "9"]:
            r.added[14], i = tokens[i + 1], i + 2  # 6/9
    elif r.major_seventh or r.kind == "maj" and tokens[i - 1].text == "^":
        r.head = 7  # `^`, `-^` and `m^` alone are the major 7th
    return tokens[i:]


def _head_number(token: _Token, r: _Reading, text: str) -> int:
    number = int(token.text)
    allowed = {None: (2, 5, 6, 7, 9, 11, 13), "maj": (6, 7, 9, 11, 13), "dim": (7, 9), "half": (7, 9, 11),
               "aug": (7, 9, 13)}[r.kind if not r.major_seventh else "maj"]
    if number not in allowed or r.minor and number in (2, 5):
        if token.start == 0:
            raise QualityError(f"unknown chord quality '{text}'", 0, len(text))
        raise _error(f"'{token.text}' cannot follow '{text[:token.start]}'", token, text)
    if number == 6 and r.kind == "maj":
        r.kind = None  # maj6 is the 6 chord
    return number


def _read_modifiers(tokens: list[_Token], r: _Reading, text: str) -> None:
    depth, after_separator = 0, False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.kind == "sep":
            depth += {"(": 1, ")": -1}.get(token.text, 0)
            if depth < 0:
                raise _error("')' without '('", token, text)
            if token.text == ")" and tokens[i - 1].text == "(":
                raise _error("empty parentheses", tokens[i - 1], text, "put alterations in them, e.g. 7(b9,#11)")
            after_separator = True
            i += 1
            continue
        i += _modifier(token, following, r, text, after_separator)
        after_separator = False
    if depth:
        raise QualityError(f"'(' is not closed in '{text}'", len(text), len(text), help="close it with ')'")


def _modifier(token: _Token, following: _Token | None, r: _Reading, text: str, after_separator: bool) -> int:
    """Read one modifier; returns how many tokens it took."""
    if token.kind == "alter" or token.text in ("+", "aug") and (following is None or following.kind != "num"):
        name = _alteration_name(token, text)
        if name in r.alterations:
            raise _error(f"'{name}' is written twice", token, text, "write it once")
        r.alterations[name] = token
        return 1
    if token.text.startswith("sus"):
        if r.sus is not None:
            raise _error("'sus' is written twice", token, text, "write it once")
        r.sus = 2 if token.text == "sus2" else 4
        if following is not None and following.kind == "num" and r.head is None and following.text in "7 9 13".split():
            r.head = int(following.text)  # Csus7
            return 2
        return 1
    if token.text == "alt":
        r.alt = True
        return 1
    if token.text in ("add", "omit", "no"):
        return _add_or_omit(token, following, r, text)
    if token.text in ("maj", "ma", "M", "^") and following is not None and following.text in ("7", "9", "11", "13"):
        if r.head == 7 or r.major_seventh or r.kind == "maj":
            raise _error("the chord already has its 7th", token, text)
        r.major_seventh = True
        if following.text != "7" or r.head is None:
            r.head = max(r.head or 7, int(following.text))
        return 2
    if token.kind == "num" and after_separator and token.text in _ADDED:
        _add(_ADDED[token.text] if not (token.text == "6" and r.head) else 21, token, r, text)
        return 1
    raise _error(f"unexpected '{token.text}' in '{text}'", token, text)


def _alteration_name(token: _Token, text: str) -> str:
    if token.text in ("+", "aug"):
        return "#5"
    accidental = "b" if token.text[0] in "b-" else "#"
    name = accidental + token.text[1:]
    if name not in _ALTERATIONS:
        hint = {"#4": "#11", "b11": "3 (or sus)", "#13": "b7", "#6": "b7", "b4": "3", "b6": "b6"}.get(name)
        raise _error(f"'{token.text}' is not an alteration", token, text,
                     f"write {hint}" if hint else "alterations are b5 #5 b6 b9 #9 #11 b13")
    return name


def _add_or_omit(token: _Token, following: _Token | None, r: _Reading, text: str) -> int:
    if following is None or following.kind not in ("num", "alter"):
        example = "no3 or no5" if token.text != "add" else "add9, add11, add13, add2, add4 or addb9"
        raise _error(f"'{token.text}' needs a degree", token, text, f"write e.g. {example}")
    degree = following.text.replace("+", "#").replace("-", "b")
    if token.text != "add":
        if degree not in ("3", "5"):
            raise _error(f"'{token.text}{following.text}' cannot be left out", following, text, "write no3 or no5")
        r.omitted.add(int(degree))
        return 2
    if degree not in _ADDED:
        raise _error(f"'add{following.text}' is not a degree to add", following, text,
                     "add 2, 3, 4, 6, 9, 11, 13, b9, #9, #11 or b13")
    _add(_ADDED[degree], following, r, text)
    return 2


def _add(tone: int, token: _Token, r: _Reading, text: str) -> None:
    if tone in r.added:
        raise _error(f"'{token.text}' is added twice", token, text, "write it once")
    r.added[tone] = token


def _error(message: str, token: _Token, text: str, help: str | None = None) -> QualityError:
    return QualityError(message, token.start, token.end, help)


# -- parts -> tones --------------------------------------------------------------------------------------
def _tones(r: _Reading, text: str) -> set[int]:
    """Chord tones of a reading: third, fifth, seventh or sixth, extensions, alterations, additions."""
    _check_combination(r, text)
    if r.alt:
        tones = set(_ALT)
    else:
        tones = {0, *_third(r), *_fifth(r), *_seventh(r), *_extensions(r)}
    for name, token in r.alterations.items():
        tones = _altered(tones, name, token, r, text)
    for tone, token in r.added.items():
        same = next((t for t in sorted(tones) if t % 12 == tone % 12), None)
        if same is not None:
            raise _error(f"'add{token.text}' is the same note as the chord's {_DEGREE.get(same, same)}", token, text,
                         f"leave out the 'add{token.text}'")
        tones.add(tone)
    if 3 in r.omitted:
        tones -= {2, 3, 4, 5}
    if 5 in r.omitted:
        tones -= {6, 7, 8}
    _check_distinct(tones, text)
    return tones


def _check_combination(r: _Reading, text: str) -> None:
    whole = _Token("quality", text, 0, len(text))
    if r.sus and (r.minor or r.kind in ("dim", "half")):
        raise _error("a sus chord has no third, so it cannot also be minor or diminished", whole, text,
                     "leave out the 'm', or the 'sus'")
    if r.alt and (r.minor or r.sus or r.kind not in (None,) or r.head not in (None, 7)):
        raise _error("'alt' is a dominant 7th: write it after the root or a 7", whole, text, "write e.g. C7alt")
    if r.head == 5 and (r.kind or r.sus or r.alt):
        raise _error("a power chord (5) has no third to change", whole, text, "write e.g. C5")


def _third(r: _Reading) -> tuple[int, ...]:
    if r.sus:
        return (5,) if r.sus == 4 else (2,)
    if r.head == 5:
        return ()
    if r.minor or r.implied_minor or r.kind in ("dim", "half"):
        return (3,)
    if r.head == 11 and r.kind in (None, "maj"):
        return ()  # the 11 of a dominant or major 11th replaces the 3rd, as players voice it
    return (4,)


def _fifth(r: _Reading) -> tuple[int, ...]:
    if r.kind in ("dim", "half"):
        return (6,)
    if r.kind == "aug":
        return (8,)
    return (7,)


def _seventh(r: _Reading) -> tuple[int, ...]:
    if r.head == 5:
        return ()
    if r.head == 2:
        return (2,)  # C2: the added 2nd
    if r.head == 6:
        return (9,)
    if r.head is None and r.kind != "half" and not r.major_seventh and not r.alt:
        return ()
    if r.major_seventh or r.kind == "maj":
        return (11,)
    if r.kind == "dim":
        return (9,)
    return (10,)


def _extensions(r: _Reading) -> tuple[int, ...]:
    return {9: (14,), 11: (14, 17), 13: (14, 21)}.get(r.head or 0, ())


def _altered(tones: set[int], name: str, token: _Token, r: _Reading, text: str) -> set[int]:
    """Apply one alteration: b5/#5 replace the 5th, b9/#9 the 9th, #11 the 11th, b13 the 13th."""
    replaced = {"b5": 7, "#5": 7, "b9": 14, "#9": 14, "#11": 17, "b13": 21}.get(name)
    if replaced is not None and r.head is not None and {9: 14, 11: 17, 13: 21}.get(r.head) == replaced:
        natural = {14: "7", 17: "9", 21: "9"}[replaced]
        raise _error(f"'{name}' replaces the {r.head} the symbol is named after", token, text,
                     f"write {natural}{name}")
    tone = _ALTERATIONS[name]
    if name in ("b5", "#5") and not (tones & {6, 8} and r.kind in ("dim", "half", "aug")):
        tones = tones - {7}
    elif replaced is not None:
        tones = tones - {replaced}
    same = next((t for t in sorted(tones) if t % 12 == tone % 12), None)
    if same is not None:
        raise _error(f"'{name}' is the same note as the chord's {_DEGREE.get(same, same)}", token, text,
                     f"leave out the '{name}'")
    return tones | {tone}


def _check_distinct(tones: set[int], text: str) -> None:
    """No pitch class twice, and one kind of 9th, 11th and 13th (b9 and #9 may go together)."""
    for natural, altered in ((14, {13, 15}), (17, {18}), (21, {20})):
        if natural in tones and tones & altered:
            names = " and ".join(_DEGREE[t] for t in sorted({natural} | (tones & altered)))
            raise QualityError(f"'{text}' has both a {names}: a chord has one kind of each", 0, len(text),
                               help="leave out one of them")
    seen: dict[int, int] = {}
    for tone in sorted(tones):
        if tone % 12 in seen:
            first, second = _DEGREE.get(seen[tone % 12], str(seen[tone % 12])), _DEGREE.get(tone, str(tone))
            raise QualityError(f"'{text}' names one note twice: its {first} and its {second}", 0, len(text),
                               help=f"leave out the {second}")
        seen[tone % 12] = tone


# -- names and tensions -----------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def canonical_name(intervals: tuple[int, ...]) -> str:
    """The one name of a set of chord tones: a common name from `QUALITIES`, else built part by part.

    Example:
        >>> canonical_name((0, 3, 6, 10, 14, 17)), canonical_name((0, 4, 7, 10, 15, 20))
        ('m11b5', '7#9b13')
    """
    for name, (tones, _) in QUALITIES.items():
        if tones == intervals:
            return name
    rest = set(intervals)
    base = _base_name(rest)
    return _wrapped(base + "".join(_rest_names(rest, set(intervals), base == "7alt")))


def _base_name(tones: set[int]) -> str:
    """The head of the name (m7b5, maj9, 13, m(maj7), 69, dim7 …); the tones it names are removed."""
    def take(*names: int) -> bool:
        if set(names) <= tones:
            tones.difference_update(names)
            return True
        return False

    tones.discard(0)
    if _ALT <= tones | {0} and not tones & {7, 14, 21}:
        take(4, 10, 13, 15, 20)
        return "7alt"
    if 3 in tones and 6 in tones and 7 not in tones:  # the diminished family
        take(3, 6)
        if take(9):
            return "dim7"
        if take(11):
            return "dim(maj7)"
        if take(10):
            return "m11b5" if take(14, 17) else "m9b5" if take(14) else "m7b5"
        return "dim"
    minor = take(3)
    major = not minor and take(4)
    seventh = "b7" if take(10) else "maj" if take(11) else None
    if seventh is None:
        return ("m" if minor else "") + ("69" if take(9, 14) else "6" if take(9) else "")
    if not minor and not major and {14, 17} <= tones:
        take(14, 17)
        return "11" if seventh == "b7" else "maj11"
    number = "13" if take(14, 21) else "11" if minor and take(14, 17) else "9" if take(14) else "7"
    if seventh == "maj":
        return f"m(maj{number})" if minor else f"maj{number}"
    return ("m" if minor else "") + number


def _rest_names(rest: set[int], tones: set[int], altered: bool) -> list[str]:
    """Fifths, alterations, sus, additions and omissions, in that order, for the tones `rest` the
    head of the name left over (`tones` are all of them; `altered`: the head is 7alt, which has no 5th)."""
    parts = []
    if 6 in rest:
        parts.append("b5")
    if 8 in rest:
        parts.append("b6" if 7 in tones else "#5")
    parts += [name for name, tone in (("b9", 13), ("#9", 15), ("#11", 18), ("b13", 20)) if tone in rest]
    thirdless = not tones & {3, 4}
    if thirdless and 5 in rest:
        parts.append("sus")
        rest = rest - {5}
    elif thirdless and 2 in rest:
        parts.append("sus2")
        rest = rest - {2}
    additions = {2: "add2", 4: "add3", 5: "add4", 9: "add6", 14: "add9", 17: "add11", 21: "add13"}
    parts += [additions[tone] for tone in sorted(rest) if tone in additions]
    if thirdless and not tones & {2, 5} and not ({10, 11} & tones and {14, 17} <= tones):
        parts.append("no3")
    if not tones & {6, 7, 8} and not altered:
        parts.append("no5")
    return parts


def _wrapped(name: str) -> str:
    """A name that would read as part of the root (`Cb5`, `C#11`) goes in parentheses: `C(b5)`."""
    return f"({name})" if name[:1] in ("b", "#") else name


def _rule_tensions(tones: set[int]) -> tuple[int, ...]:
    """Tensions for a quality outside the table: the 9th, the 11th of a minor chord, the 13th of a
    7th chord (or b9 #9 b13 on an altered dominant), none repeating a chord tone's pitch class."""
    found = []
    dominant = 4 in tones and 10 in tones
    altered = dominant and bool(tones & {6, 8, 13, 15, 20})
    if altered:
        found += [13, 15, 20]
    elif not tones & {2, 13, 14, 15}:
        found.append(14)
    if 3 in tones and not tones & {5, 17, 18}:
        found.append(17)
    if tones & {10, 11} and not altered and not tones & {8, 9, 20, 21} and 3 not in tones:
        found.append(21)
    pcs = {tone % 12 for tone in tones}
    return tuple(sorted(t for t in set(found) if t % 12 not in pcs and t not in tones))
