"""spelling: the canonical spelling `song fmt` prints for what musicians type in many ways.

Each function maps the words of one construct to its canonical words, and leaves alone what it
cannot read (the compiler reports that):

    chords      `C-7(b5)` -> `Cm7b5`, `B♭Δ7` -> `Bbmaj7`, `iiø7` -> `ii7b5`, `NC` -> `N.C.`
    chord lists `Gm7,C7` -> `Gm7 C7`;  slash notation `| Gm7 / C7 / |` -> `| Gm7 . C7 . |`
    repeats     `|:Cm7 | F7:|` -> `|: Cm7 | F7 :|`;  `x 3`, `*3`, `×3` -> `x3`
    keys        `key Gm`, `key g minor` -> `key G minor`;  `key F#m` -> `key F# minor`

`meaning` is the syntax tree with these spellings made canonical: `song fmt` checks that a file's
meaning is the same before and after it rewrites the file.
"""

from __future__ import annotations

import re

from . import syntax as S
from .chords import ChordError, canonical_symbol, split_chord_list
from .pitch import Key, parse_key

_C_MAJOR = Key("C", "major")  # numerals read the same in any key; only their spelling is printed
_REPEAT = re.compile(r"(?:x|\*|×)\s*(\d+)")


def chord_cells(cells: list[str]) -> list[str]:
    """The cells of a chord bar in canonical spelling."""
    return [_chord_cell(part) for cell in cells for _, part in split_chord_list(cell)]


def _chord_cell(text: str) -> str:
    if text in ("%", "."):
        return text
    if text == "/":
        return "."  # a bar with `/` has one cell per beat, so `.` means the same
    try:
        return canonical_symbol(text, _C_MAJOR)
    except ChordError:
        return text


def bar_words(words: list[str], cells=chord_cells) -> list[str]:
    """The words of a line of bars (`|` `:` `C` `|` `F7:` `|` …) with repeat marks joined to their bar
    lines (`|:`, `:|`) and each bar's cells passed through `cells`. Words before the first bar line
    (an ending label) and after the last (an `x3`) are kept; a line it cannot read stays as it is."""
    first = words.index("|")
    last = len(words) - 1 - words[::-1].index("|")
    bars: list[list[str]] = [[]]
    for word in words[first + 1:last]:
        bars.append([]) if word == "|" else bars[-1].append(word)
    opens = [bool(bar) and bar[0].startswith(":") for bar in bars]
    closes = [bool(bar) and bar[-1].endswith(":") for bar in bars]
    stripped = [_strip_marks(bar, o, c) for bar, o, c in zip(bars, opens, closes)]
    if not all(stripped):
        return words
    out = list(words[:first])
    for index, bar in enumerate(stripped):
        out.append((":" if index and closes[index - 1] else "") + "|" + (":" if opens[index] else ""))
        out += cells(bar)
    out.append((":" if closes[-1] else "") + "|")
    return out + form_words(words[last + 1:])  # `:| x3`, also written `:| x 3`


def _strip_marks(bar: list[str], opens: bool, closes: bool) -> list[str]:
    cells = list(bar)
    if opens:
        cells[0] = cells[0][1:]
    if closes:
        cells[-1] = cells[-1][:-1]
    return [cell for cell in cells if cell]


def repeat(text: str) -> str:
    """`x 3`, `*3`, `×3` -> `x3`; anything else as it is."""
    match = _REPEAT.fullmatch(text)
    return f"x{match.group(1)}" if match else text


def form_words(words: list[str]) -> list[str]:
    """Words with their repeats canonical (a form line, or what follows `:|`); `x 3` is two words."""
    out: list[str] = []
    for word in words:
        if out and word.isdigit() and out[-1] in ("x", "*", "×"):
            out[-1] = f"x{word}"
        else:
            out.append(repeat(word))
    return out


def key_words(words: list[str], stop: tuple[str, ...] = ()) -> list[str]:
    """Every `key TONIC [MODE]` in a line's words in canonical spelling: `key G minor`."""
    out, i = [], 0
    while i < len(words):
        out.append(words[i])
        if words[i] == "key" and i + 1 < len(words):
            taken, canonical = _key(words[i + 1:i + 3], stop)
            if taken:
                out += canonical
                i += taken
        i += 1
    return out


def _key(words: list[str], stop: tuple[str, ...]) -> tuple[int, list[str]]:
    """(how many words the key took, its canonical words); (0, []) if they are not a key."""
    for count in (2, 1):
        if len(words) < count or count == 2 and words[1] in stop:
            continue
        try:
            key = parse_key(words[0], words[1] if count == 2 else None)
        except ValueError:
            continue
        said_mode = count == 2 or key.mode != "major" or words[0][1:].endswith(("maj", "M"))
        return count, [key.tonic] + ([key.mode] if said_mode else [])
    return 0, []


def meaning(tree: S.SongFile) -> object:
    """The syntax tree (as `syntax.dump`) with chords, repeats and keys in canonical spelling."""
    return S.dump(S.SongFile(path=tree.path, statements=tuple(_statement(s) for s in tree.statements)))


def _statement(node):
    if isinstance(node, S.Section):
        return S.Section(name=node.name, values=_key_values(node.values), lines=tuple(_line(l) for l in node.lines))
    if isinstance(node, S.StyleDef):
        return S.StyleDef(name=node.name, description=node.description, items=tuple(_statement(i) for i in node.items))
    if isinstance(node, S.Setting) and node.name.text == "key":
        return S.Setting(name=node.name, values=_key_values((S.Word("name", "key"), *node.values))[1:])
    if isinstance(node, S.Form):
        return S.Form(items=tuple(_form_item(item) for item in node.items))
    if isinstance(node, S.Arrange):
        return S.Arrange(lines=tuple(S.OptionLine(name=l.name, values=_key_values(l.values)) for l in node.lines))
    return node


def _line(line: S.SectionLine) -> S.SectionLine:
    words = ["|"]
    for bar in line.bars:
        words += [cell.text for cell in bar.cells] + ["|"]
    canonical = bar_words(words)
    return S.SectionLine(bars=(S.Bar(cells=tuple(S.Cell(text=w) for w in canonical)),), label=line.label,
                         values=line.values, repeat=S.Word("name", repeat(line.repeat.text)) if line.repeat else None)


def _form_item(item: S.FormItem) -> S.FormItem:
    return S.FormItem(name=item.name, group=tuple(_form_item(i) for i in item.group),
                      repeat=S.Word("name", repeat(item.repeat.text)) if item.repeat else None)


def _key_values(values: tuple[S.Word, ...]) -> tuple[S.Word, ...]:
    return tuple(S.Word("name", word) for word in key_words([v.text for v in values]))
