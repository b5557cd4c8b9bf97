"""lsp.positions: spans (1-based lines, columns in code points) <-> LSP positions (0-based, in code units).

LSP counts a column in UTF-16 code units unless the client and server agreed on another encoding, so
an emoji (one code point, two UTF-16 units) before an error moves the error's range one unit right.

>>> lines = Lines("tempo 😀 x\\n", "utf-16")
>>> lines.position(1, 9)            # line 1, column 9 (the `x`, after the emoji): line 0, unit 9
0:9
>>> lines.column(0, 9)              # ... and back: column 9 in code points
9
"""

from __future__ import annotations

from lsprotocol import types as T

from ..source import Span


class Lines:
    """One text's lines, to convert its spans and the client's positions."""

    def __init__(self, text: str, encoding: str = T.PositionEncodingKind.Utf16) -> None:
        self.lines = text.split("\n")
        self.encoding = encoding

    def units(self, text: str) -> int:
        """How long `text` is in the agreed code units."""
        if self.encoding == T.PositionEncodingKind.Utf8:
            return len(text.encode("utf-8", "surrogatepass"))
        if self.encoding == T.PositionEncodingKind.Utf32:
            return len(text)
        return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)  # a pair of surrogates

    def position(self, line: int, col: int) -> T.Position:
        """A 1-based line and code-point column as an LSP position (clamped to the text)."""
        index = min(max(line - 1, 0), len(self.lines) - 1)
        return T.Position(line=index, character=self.units(self.lines[index][: max(col - 1, 0)]))

    def range(self, span: Span) -> T.Range:
        return T.Range(start=self.position(span.line, span.col), end=self.position(span.end_line, span.end_col))

    def column(self, line: int, character: int) -> int:
        """The 1-based code-point column of the client's 0-based `line` and `character` (in code units)."""
        text = self.lines[line] if 0 <= line < len(self.lines) else ""
        count = 0
        for index, char in enumerate(text):
            if count >= character:
                return index + 1
            count += self.units(char)
        return len(text) + 1

    def end(self) -> T.Position:
        """Just past the last character: a range from (0, 0) to here covers the whole text."""
        return T.Position(line=len(self.lines) - 1, character=self.units(self.lines[-1]))
