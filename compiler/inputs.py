"""inputs: the files a command is given — paths, folders (every `*.song` below them) and `-` for stdin.

`song check specs/ -` checks every song under `specs/` and then the text piped in. A folder is walked
in sorted order, skipping hidden folders (`.git`, `.venv`) and build output (`out/`), so the same
tree always gives the same files in the same order.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .source import Source

STDIN = "-"
STDIN_NAME = "<stdin>"
_SKIPPED_FOLDERS = {"out", "node_modules", "__pycache__"}


class InputError(Exception):
    """A path that names no song: missing, unreadable, or a folder with no `.song` file in it."""


@dataclass(frozen=True)
class Input:
    """One file to work on: its path as given (or `-`) and, once read, its text."""

    path: str

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN

    def read(self) -> Source:
        """The text, from the file or from stdin (named `<stdin>` in diagnostics)."""
        if self.is_stdin:
            return Source(STDIN_NAME, sys.stdin.read())
        try:
            return Source.read(self.path)
        except FileNotFoundError:
            raise InputError(f"no such file: {self.path}") from None
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"cannot read {self.path}: {err}") from None


def expand(paths: list[str]) -> Iterator[Input | InputError]:
    """Each path as inputs: a file or `-` as itself, a folder as its `*.song` files (sorted).

    An error is yielded in the place of its path, so a command can report it and go on with the rest.
    `-` given twice is read once.
    """
    seen_stdin = False
    for path in paths:
        if path == STDIN:
            if not seen_stdin:
                yield Input(STDIN)
            seen_stdin = True
        elif Path(path).is_dir():
            found = list(songs_under(Path(path)))
            if not found:
                yield InputError(f"no .song files in {path}")
            yield from (Input(str(song)) for song in found)
        else:
            yield Input(path)


def songs_under(folder: Path) -> Iterator[Path]:
    """Every `*.song` below `folder`, sorted, not looking into hidden folders or build output."""
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            if not (entry.name.startswith(".") or entry.name in _SKIPPED_FOLDERS):
                yield from songs_under(entry)
        elif entry.suffix == ".song" and entry.is_file():
            yield entry
