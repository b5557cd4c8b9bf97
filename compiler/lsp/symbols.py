"""lsp.symbols: textDocument/documentSymbol (the outline: sections, melodies, tracks, styles and what
they hold, patterns, the form and the blocks) and textDocument/foldingRange (every block), both read
off the syntax tree. A document that does not parse has no outline until it parses again."""

from __future__ import annotations

from dataclasses import fields

from lsprotocol import types as T

from .. import syntax as S
from .documents import Analysed

_KINDS = {S.Section: T.SymbolKind.Namespace, S.Melody: T.SymbolKind.Function, S.Track: T.SymbolKind.Variable,
          S.StyleDef: T.SymbolKind.Class, S.Pattern: T.SymbolKind.Struct, S.Form: T.SymbolKind.Array,
          S.Arrange: T.SymbolKind.Object, S.Mix: T.SymbolKind.Object, S.Master: T.SymbolKind.Object}
_BLOCK_WORDS = {S.Form: "form", S.Arrange: "arrange", S.Mix: "mix", S.Master: "master"}


def document_symbols(doc: Analysed) -> list[T.DocumentSymbol]:
    tree = doc.analysis.tree
    return [symbol for node in (tree.statements if tree else ()) if (symbol := _symbol(node, doc)) is not None]


def _symbol(node, doc: Analysed) -> T.DocumentSymbol | None:
    kind = _KINDS.get(type(node))
    first = _first_line(node, doc)
    if kind is None or first is None:
        return None
    name = node.name.text if hasattr(node, "name") else _BLOCK_WORDS[type(node)]
    selection = doc.lines.range(node.name.span) if hasattr(node, "name") else _line_range(doc, first, first)
    children = [child for item in getattr(node, "items", ()) if (child := _symbol(item, doc)) is not None]
    return T.DocumentSymbol(name=name, kind=kind, range=_line_range(doc, first, last_line(node)),
                            selection_range=selection, detail=_detail(node), children=children or None)


def _detail(node) -> str | None:
    if isinstance(node, S.Section):
        bars = sum(len(line.bars) for line in node.lines)
        return f"{bars} bar{'s' if bars != 1 else ''} written"
    if isinstance(node, S.Track):
        return " ".join(word.text for word in node.values[:1]) or None
    if isinstance(node, S.StyleDef):
        return node.description.text
    if isinstance(node, S.Melody) and node.values:
        return " ".join(word.text for word in node.values)
    return None


def folding_ranges(doc: Analysed) -> list[T.FoldingRange]:
    """One range per block that spans lines, nested blocks (a style's sections and patterns) too."""
    tree = doc.analysis.tree
    found: list[T.FoldingRange] = []
    for node in tree.statements if tree else ():
        _fold(node, doc, found)
    return found


def _fold(node, doc: Analysed, found: list[T.FoldingRange]) -> None:
    first, last = _first_line(node, doc), last_line(node)
    if first is not None and last > first and not isinstance(node, (S.Setting, S.Track, S.StyleUse)):
        found.append(T.FoldingRange(start_line=first - 1, end_line=last - 1, kind=T.FoldingRangeKind.Region))
    for child in getattr(node, "items", ()) + getattr(node, "lines", ()):
        if isinstance(child, (S.Section, S.Pattern, S.PatternBlock)):
            _fold(child, doc, found)


def _line_range(doc: Analysed, first: int, last: int) -> T.Range:
    """Whole lines: from the first's first word to the end of the last."""
    text = doc.lines.lines[first - 1] if first - 1 < len(doc.lines.lines) else ""
    start = doc.lines.position(first, len(text) - len(text.lstrip()) + 1)
    last_text = doc.lines.lines[last - 1] if last - 1 < len(doc.lines.lines) else ""
    return T.Range(start=start, end=doc.lines.position(last, len(last_text) + 1))


def _first_line(node, doc: Analysed) -> int | None:
    """The line of a block's header: where its name is or, for a block without one (arrange, mix), the
    line above its body that starts with the block's word."""
    anchor = getattr(node, "name", None)
    span = anchor.span if anchor is not None and anchor.span is not None else node.span
    if span is None:
        return None
    word = _BLOCK_WORDS.get(type(node))
    line = span.line
    while word and line > 1 and not doc.lines.lines[line - 1].startswith(word):
        line -= 1
    return line


def last_line(node) -> int:
    """The last line any part of `node` is on (a block's span covers its header alone)."""
    last = node.span.end_line if getattr(node, "span", None) is not None else 0
    for f in fields(node) if hasattr(node, "__dataclass_fields__") else ():
        value = getattr(node, f.name)
        for item in value if isinstance(value, tuple) else (value,):
            if hasattr(item, "__dataclass_fields__"):
                last = max(last, last_line(item))
            elif isinstance(item, tuple):
                last = max([last, *(last_line(sub) for sub in item if hasattr(sub, "__dataclass_fields__"))])
    return last
