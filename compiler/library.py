"""library: finds and loads style files — the song's `use`d files first, then the bundled stdlib/."""

from __future__ import annotations

from pathlib import Path

from . import syntax as S
from .parse import parse
from .resources import data_dir
from .source import Source


class Library:
    """Loads .song library files once each and remembers their text for diagnostics.

    A style named `family.name` lives in `stdlib/family.song`, so finding one style reads one file.
    """

    def __init__(self, stdlib: Path | None = None) -> None:
        self.stdlib = (stdlib or data_dir("stdlib")).resolve()
        self.sources: dict[str, Source] = {}
        self._files: dict[Path, S.SongFile] = {}

    def load(self, path: Path) -> S.SongFile:
        """Parse a library file (cached). Raises ParseError; its diagnostics point into that file."""
        path = path.resolve()
        if path not in self._files:
            source = Source.read(path)
            self.sources[source.path] = source
            self._files[path] = parse(source)
        return self._files[path]

    def stdlib_file(self, style: str) -> Path | None:
        candidate = self.stdlib / f"{style.split('.')[0]}.song"
        return candidate if candidate.is_file() else None

    def stdlib_files(self) -> list[Path]:
        return sorted(self.stdlib.glob("*.song"))

    def is_stdlib(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.stdlib)

    def stdlib_styles(self) -> list[tuple[str, str, Path]]:
        """(name, description, file) of every bundled style, sorted by name."""
        found = []
        for path in self.stdlib_files():
            for statement in self.load(path).statements:
                if isinstance(statement, S.StyleDef):
                    found.append((statement.name.text, statement.description.text, path))
        return sorted(found)
