"""lsp.tokens: textDocument/semanticTokens/full — chords, section names, keywords, numbers, strings,
comments and the other names (styles, patterns, melodies, tracks, instruments, arrange marks), so an
editor colours a song by what the compiler reads, not by a guess of the grammar's."""

from __future__ import annotations

from dataclasses import fields
from typing import Iterator

from lsprotocol import types as T

from .. import syntax as S
from ..fmt import split_words
from ..resolve import SETTINGS, STATEMENTS
from ..resolve.form import PASS_WORDS
from .documents import Analysed

TOKEN_TYPES = ("keyword", "namespace", "type", "number", "comment", "string", "class", "function", "variable",
               "enumMember", "modifier", "operator")
LEGEND = T.SemanticTokensLegend(token_types=list(TOKEN_TYPES), token_modifiers=[])
_NAME_TYPES = {"section": "namespace", "melody": "function", "pattern": "function", "style": "class",
               "track": "variable", "instrument": "enumMember", "mark": "modifier", "file": "string"}
_LINE_KEYWORDS = frozenset(SETTINGS + STATEMENTS + PASS_WORDS + ("ending", "level", "fill", "build"))

Token = tuple[int, int, int, str]  # 1-based line, 1-based column, length (both in code points), type


def semantic_tokens(doc: Analysed) -> T.SemanticTokens:
    """Every token once (the first kind found for a place wins: names, chords, keywords, values, comments)."""
    tree = doc.analysis.tree
    chosen: dict[tuple[int, int], Token] = {}
    for token in (*_names(doc), *_chords(tree), *_keywords(doc.lines.lines), *_values(tree),
                  *_comments(doc.lines.lines)):
        chosen.setdefault(token[:2], token)
    return T.SemanticTokens(data=_encoded(sorted(chosen.values()), doc))


def _names(doc: Analysed) -> Iterator[Token]:
    for name in doc.names:
        if name.span.line == name.span.end_line:
            yield name.span.line, name.span.col, name.span.end_col - name.span.col, _NAME_TYPES[name.kind]


def _chords(tree: S.SongFile | None) -> Iterator[Token]:
    for section in _sections(tree):
        for line in section.lines:
            for cell in (cell for bar in line.bars for cell in bar.cells if cell.span is not None):
                kind = "operator" if cell.text in ("%", ".") else "type"
                yield cell.span.line, cell.span.col, len(cell.text), kind


def _sections(tree: S.SongFile | None) -> Iterator[S.Section]:
    for statement in tree.statements if tree else ():
        if isinstance(statement, S.Section):
            yield statement
        elif isinstance(statement, S.StyleDef):
            yield from (item for item in statement.items if isinstance(item, S.Section))


def _keywords(lines: list[str]) -> Iterator[Token]:
    """The word a line starts with, where it is one of the language's: `section`, `tempo`, `ending`, …"""
    for number, text in enumerate(lines, start=1):
        stripped = text.lstrip()
        word = stripped.split(maxsplit=1)[0] if stripped else ""
        if word in _LINE_KEYWORDS:
            yield number, len(text) - len(stripped) + 1, len(word), "keyword"


def _values(node) -> Iterator[Token]:
    """Numbers and strings anywhere in the tree."""
    if isinstance(node, S.Word):
        if node.kind in ("number", "string") and node.span is not None and node.span.line == node.span.end_line:
            yield node.span.line, node.span.col, node.span.end_col - node.span.col, node.kind
        return
    if isinstance(node, S.SongFile):
        node = node.statements
    if isinstance(node, tuple):
        for item in node:
            yield from _values(item)
    elif hasattr(node, "__dataclass_fields__"):
        for f in fields(node):
            if f.name != "span":
                yield from _values(getattr(node, f.name))


def _comments(lines: list[str]) -> Iterator[Token]:
    """`# …` to the end of the line, found as `song fmt` finds it (not a `#` in a chord or a string)."""
    for number, text in enumerate(lines, start=1):
        _, comment = split_words(text)
        if comment:
            start = len(text.rstrip()) - len(comment)
            yield number, start + 1, len(comment), "comment"


def _encoded(tokens: list[Token], doc: Analysed) -> list[int]:
    """LSP's relative encoding, in the agreed code units; a token overlapping the one before is left out."""
    data: list[int] = []
    last_line, last_start, last_end = 0, 0, -1
    for line, col, length, kind in tokens:
        start = doc.lines.position(line, col)
        end = doc.lines.position(line, col + length)
        if start.line == last_line and start.character < last_end or end.character <= start.character:
            continue
        delta_line = start.line - last_line
        delta_start = start.character - last_start if delta_line == 0 else start.character
        data += [delta_line, delta_start, end.character - start.character, TOKEN_TYPES.index(kind), 0]
        last_line, last_start, last_end = start.line, start.character, end.character
    return data
