"""fmt: canonical layout of a .song file (`song fmt`). Text -> text; keeps every comment and the meaning.

Layout rules: two spaces per block level; one space between words; header values in one column;
bars of consecutive bar lines aligned in columns; track names and instruments in columns; arrange
labels and their first mark in columns; trailing comments two spaces after the code, aligned within a
run of lines laid out together (as gofmt aligns them);
no trailing spaces, at most one blank line in a row, one newline at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from .source import Source

INDENT = "  "
DELIMITERS = ("|", "|:", ":|", ":|:")  # bar lines, with the repeat marks `spelling` joins to them
ROMAN_START = "IiVv"
BLOCK_WORDS = ("section", "form", "arrange", "melody", "mix", "master", "pattern", "style")


@dataclass
class Line:
    """One source line split into its depth, its words and its trailing comment."""

    depth: int
    words: list[str]
    comment: str | None
    block: str = ""

    @property
    def blank(self) -> bool:
        return not self.words and self.comment is None

    @property
    def is_bars(self) -> bool:
        return any(word in DELIMITERS for word in self.words)


def format_source(text: str) -> str:
    """The canonical form of `text`. Idempotent: format_source(format_source(t)) == format_source(t)."""
    lines = _collapse_blanks(_read_lines(text))
    rendered = [None] * len(lines)
    for group in _groups(lines):
        for index, out in zip(group, _render_group([lines[i] for i in group])):
            rendered[index] = out
    body = "\n".join(r.rstrip() for r in rendered).strip("\n")
    return body + "\n" if body else ""


def reformat(source: Source) -> str:
    """`song fmt` of one file, checked: the formatted text means what the file meant.

    Raises:
        ParseError: the file does not parse (fmt never rewrites a broken file).
        RuntimeError: formatting would change the meaning (a bug in fmt; nothing is written).
    """
    from .parse import parse
    from .spelling import meaning

    before = parse(source)
    formatted = format_source(source.text)
    if formatted != source.text and meaning(parse(Source(source.path, formatted))) != meaning(before):
        raise RuntimeError(f"fmt would change the meaning of {source.path}; file left untouched")
    return formatted


# -- reading -----------------------------------------------------------------------------------------
def _read_lines(text: str) -> list[Line]:
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    widths = [_indent_width(line) for line in raw]
    depths = _depths(raw, widths)
    lines = [Line(depth, *split_words(line.strip())) for line, depth in zip(raw, depths)]
    block = ""
    for line in lines:
        if line.depth == 0 and line.words:
            block = line.words[0]
        line.block = block
    _canonical_spellings(lines)
    return lines


def _canonical_spellings(lines: list[Line]) -> None:
    """Chords, repeats and keys as `spelling` writes them; chord bars are a section's (or a style's
    `section intro|ending`), never a melody's or a pattern's."""
    from . import spelling
    from .resolve.form import MARK_WORDS

    inner = ""  # the header of the depth-1 block a style's lines are in
    for line in lines:
        if not line.words:
            continue
        if line.depth == 1:
            inner = line.words[0]
        chart = line.block == "section" or line.block == "style" and inner == "section" and line.depth == 2
        if chart and "|" in line.words:
            line.words = spelling.bar_words(line.words)
        elif line.depth == 0 and line.words[0] == "form":
            line.words = spelling.form_words(line.words)
        elif line.words[0] in ("key", "section") or line.block == "arrange" and line.depth == 1:
            line.words = spelling.key_words(line.words, stop=MARK_WORDS)


def _indent_width(line: str) -> int | None:
    stripped = line.strip()
    if not stripped or stripped.startswith("#") and not _is_roman_cell(stripped, 0):
        return None
    head = line[: len(line) - len(line.lstrip(" \t"))]
    return head.count(" ") + head.count("\t") * 8


def _depths(raw: list[str], widths: list[int | None]) -> list[int]:
    """Block depth of every line; comment and blank lines take the depth of the next code line."""
    stack, depths = [0], []
    for width in widths:
        if width is None:
            depths.append(-1)
            continue
        if width > stack[-1]:
            stack.append(width)
        while width < stack[-1]:
            stack.pop()
        depths.append(len(stack) - 1)
    following = 0
    for i in range(len(depths) - 1, -1, -1):
        if depths[i] < 0:
            depths[i] = following
        else:
            following = depths[i]
    return depths


def split_words(code: str) -> tuple[list[str], str | None]:
    """Words of a line (strings kept whole, `|` separate) and its comment, as the lexer sees them."""
    words: list[str] = []
    i = 0
    while i < len(code):
        char = code[i]
        if char in " \t":
            i += 1
        elif char == "#" and not _is_roman_cell(code, i, in_bar="|" in words):
            return words, code[i:].rstrip()
        elif char == '"':
            end = code.find('"', i + 1)
            end = len(code) if end < 0 else end + 1
            words.append(code[i:end])
            i = end
        elif char == "|":
            words.append("|")
            i += 1
        else:
            end = i
            while end < len(code) and code[end] not in " \t|":
                end += 1
            words.append(code[i:end])
            i = end
    return words, None


def _is_roman_cell(code: str, i: int, in_bar: bool = False) -> bool:
    return in_bar and i + 1 < len(code) and code[i + 1] in ROMAN_START


def _collapse_blanks(lines: list[Line]) -> list[Line]:
    kept: list[Line] = []
    for line in lines:
        if line.blank and (not kept or kept[-1].blank):
            continue
        kept.append(line)
    return kept


# -- grouping and rendering ----------------------------------------------------------------------------
def _kind(line: Line) -> str:
    if line.blank or not line.words:
        return "none"
    if line.is_bars:
        return f"bars:{next(i for i, word in enumerate(line.words) if word in DELIMITERS)}"
    head = line.words[0]
    if head == "track":
        return "track"
    if line.depth == 0 and (head not in BLOCK_WORDS or head == "style" and len(line.words) == 2):
        return "setting"
    if line.depth == 1 and line.block == "arrange":
        return "arrange"
    return "plain"


def _groups(lines: list[Line]) -> list[list[int]]:
    """Runs of consecutive lines of the same kind and depth, aligned together."""
    groups: list[list[int]] = []
    for index, line in enumerate(lines):
        key = (_kind(line), line.depth)
        if groups and key[0] != "none" and key[0] != "plain" and _group_key(lines, groups[-1]) == key:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _group_key(lines: list[Line], group: list[int]) -> tuple[str, int]:
    first = lines[group[0]]
    return _kind(first), first.depth


def _render_group(lines: list[Line]) -> list[str]:
    kind = _kind(lines[0])
    if kind.startswith("bars"):
        codes = _bar_columns(lines)
    elif kind == "track":
        codes = _columns(lines, _shared_options(lines))
    elif kind == "setting":
        codes = _columns(lines, 1)
    elif kind == "arrange":
        codes = _label_column(lines)
    else:
        codes = [" ".join(line.words) for line in lines]
    return _with_comments(lines, codes)


def _shared_options(lines: list[Line]) -> int:
    """Track lines: name and instrument, then every option all lines share in the same place, form a table."""
    from .instruments import find_instrument

    if not all(len(line.words) > 2 and find_instrument(line.words[2]) for line in lines):
        return 2  # some line changes a style's track without naming an instrument
    count = 3
    while all(len(line.words) > count + 1 for line in lines) and len({line.words[count] for line in lines}) == 1:
        count += 2
    return count


def _columns(lines: list[Line], count: int) -> list[str]:
    """Pad the first `count` words of each line to their column's width."""
    widths = [max((len(l.words[i]) for l in lines if len(l.words) > i + 1), default=0) for i in range(count)]
    out = []
    for line in lines:
        words = [w.ljust(widths[i]) if i < count and i + 1 < len(line.words) else w for i, w in enumerate(line.words)]
        out.append(" ".join(words))
    return out


def _label_column(lines: list[Line]) -> list[str]:
    """Arrange lines as a table: the pass label (`C`, `last C`) padded to one column, then the first mark
    (usually the dynamic) padded to another where more marks follow it."""
    def split(words: list[str]) -> list[str]:
        size = 2 if words[0] in ("first", "last") and len(words) > 1 else 1
        return [" ".join(words[:size])] + words[size:]

    return _columns([Line(0, split(line.words), None) for line in lines], 2)


def _bar_columns(lines: list[Line]) -> list[str]:
    split = [_split_bars(line.words) for line in lines]
    widths: list[int] = []
    for _, _, bars, _ in split:
        for i, bar in enumerate(bars):
            widths += [0] * (i + 1 - len(widths))
            widths[i] = max(widths[i], len(bar))
    lead = max(len(prefix) for prefix, _, _, _ in split)
    out = []
    for prefix, delimiters, bars, trailing in split:
        parts = [delimiters[0]]
        for i, bar in enumerate(bars):
            parts += [bar.ljust(widths[i]), delimiters[i + 1]]
        body = " ".join(parts + trailing)
        out.append(f"{prefix.ljust(lead)} {body}" if lead else body)
    return out


def _split_bars(words: list[str]) -> tuple[str, list[str], list[str], list[str]]:
    """(words before the first bar line, the bar lines, the bars between them, words after the last)."""
    at = [i for i, word in enumerate(words) if word in DELIMITERS]
    bars = [" ".join(words[a + 1:b]) for a, b in zip(at, at[1:])]
    return " ".join(words[:at[0]]), [words[i] for i in at], bars, words[at[-1] + 1:]


def _with_comments(lines: list[Line], codes: list[str]) -> list[str]:
    width = max((len(code) for code, line in zip(codes, lines) if line.comment), default=0)
    out = []
    for line, code in zip(lines, codes):
        indent = INDENT * line.depth
        if line.comment is None:
            out.append(indent + code)
        elif not code:
            out.append(indent + line.comment)
        else:
            out.append(indent + code.ljust(width) + "  " + line.comment)
    return out
