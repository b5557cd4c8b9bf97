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


MAX_FILE_BYTES = 1_000_000  # the largest .song file read (docs/language.md, Limits)


class TooLarge(OSError):
    """A file larger than songspec reads; its message is the reason (`cannot read X: …`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.strerror = reason


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
    def read(cls, path: str | Path, most_bytes: int = MAX_FILE_BYTES) -> "Source":
        """The file's text (CRLF and CR line ends are read as LF), reading at most `most_bytes` + 1
        bytes, so a larger file (or `/dev/urandom`) costs no more than that.

        Raises:
            OSError: the file cannot be read, or is larger (TooLarge); UnicodeDecodeError: not UTF-8.
        """
        with open(path, "rb") as handle:
            data = handle.read(most_bytes + 1)
        if len(data) > most_bytes:
            raise TooLarge(f"the file is larger than {most_bytes:,} bytes (a chart is a few kilobytes)")
        text = data.decode("utf-8")
        return cls(str(path), text.replace("\r\n", "\n").replace("\r", "\n"))

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""
