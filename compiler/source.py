"""source: the text of one .song file and positions inside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Span:
    """A region of one source file. Lines and columns are 1-based; `start`/`end` are offsets."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def to(self, last: "Span") -> "Span":
        """The span from the start of this one to the end of `last`."""
        return Span(self.path, self.line, self.col, last.end_line, last.end_col, self.start, last.end)


@dataclass(frozen=True, slots=True)
class Source:
    """One file's text, with the name diagnostics print for it."""

    path: str
    text: str

    def __post_init__(self) -> None:
        # A UTF-8 byte-order mark (Windows editors write one) is not part of the text.
        if self.text.startswith("\ufeff"):
            object.__setattr__(self, "text", self.text[1:])

    @classmethod
    def read(cls, path: str | Path) -> "Source":
        """The file's text; CRLF and CR line ends are read as LF."""
        p = Path(path)
        return cls(str(path), p.read_text(encoding="utf-8"))

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""
