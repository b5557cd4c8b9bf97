"""library: finds and loads style files — the song's `use`d files first, then the bundled stdlib/."""

from __future__ import annotations

from pathlib import Path

from . import parse_cache
from . import syntax as S
from .parse import parse
from .resources import data_dir
from .source import Source


# Parsed library files, shared by every Library in the process: a tree is immutable, so one parse of a
# file's text serves them all. `song check folder/`, each `song watch` round and each job of
# `song batch` make a Library per song, and without this each parsed the same stdlib file again
# (a third of checking a 100-bar song). Keyed by the text itself, so an edit is never missed, even
# one that keeps a file's size and lands within the file system's timestamp resolution; one entry
# per file, so a resident process does not keep every version of a file it watched being edited.
_PARSED: dict[Path, tuple[str, S.SongFile]] = {}


def parsed(path: Path, source: Source, keep: bool = False) -> S.SongFile:
    """`source` (the text of `path`) parsed, or the tree an earlier parse of the same text gave: in this
    process, or with `keep` (the stdlib) in an earlier one (`parse_cache`).
    Raises ParseError, and then forgets the file's earlier tree."""
    known = _PARSED.get(path)
    if known is not None and known[0] == source.text:
        return known[1]
    _PARSED.pop(path, None)
    tree = parse_cache.load(path, source.text) if keep else None
    if tree is None:
        tree = parse(source)
        if keep:
            parse_cache.store(path, source.text, tree)
    _PARSED[path] = (source.text, tree)
    return tree


class Library:
    """Loads .song library files once each and remembers their text for diagnostics.

    A style named `family.name` lives in `stdlib/family.song`, so finding one style reads one file.
    A file is parsed again when it changes on disk (its size or modification time), so a resident
    caller (`song lsp`) can keep one Library for a session and still see an edited `use`d file; a
    file whose text another Library has parsed already is not parsed again (`parsed`).
    """

    def __init__(self, stdlib: Path | None = None) -> None:
        self.stdlib = (stdlib or data_dir("stdlib")).resolve()
        self.sources: dict[str, Source] = {}
        self._files: dict[Path, tuple[tuple[int, int], S.SongFile]] = {}
        # Styles resolve.read_style read from these files' trees, by (tonic, mode, origin, name): the
        # tree each came from (a changed file is a new tree, so it is read again) and what it read.
        self.read_styles: dict[tuple, tuple[S.StyleDef, object]] = {}

    def load(self, path: Path) -> S.SongFile:
        """Parse a library file (cached while it is unchanged on disk). Raises ParseError; its
        diagnostics point into that file."""
        path = path.resolve()
        stamp = _stamp(path)
        cached = self._files.get(path)
        if cached is None or cached[0] != stamp:
            source = Source.read(path)
            self.sources[source.path] = source
            self._files.pop(path, None)  # a file that no longer parses is not left cached
            self._files[path] = (stamp, parsed(path, source, keep=self.is_stdlib(path)))
        return self._files[path][1]

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


def _stamp(path: Path) -> tuple[int, int]:
    """What tells an edited file from the one cached: its modification time (ns) and size.
    Raises OSError for a file that cannot be read, as reading it would."""
    status = path.stat()
    return status.st_mtime_ns, status.st_size
