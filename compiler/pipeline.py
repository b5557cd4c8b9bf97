"""pipeline: the only place that knows the order of the stages. Source -> ... -> files."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from . import ir
from .check import check
from .library import Library
from .parse import parse
from .resolve import resolve
from .source import Source


@dataclass(frozen=True)
class FrontOptions:
    """Practice overrides applied while resolving: `transpose` in semitones, `tempo` in BPM."""

    transpose: int = 0
    tempo: Fraction | None = None


def front_end(source: Source, library: Library, options: FrontOptions = FrontOptions()) -> ir.Song:
    """Source -> checked ir.Song. Raises SongError with every diagnostic found."""
    tree = parse(source)                                     # syntax.SongFile
    song = resolve(tree, library, transpose=options.transpose, tempo=options.tempo)  # ir.Song
    return check(song)                                       # ir.Song
