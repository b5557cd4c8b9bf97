"""command: `song import PATH… [-o DIR] [--style NAME] [--force]` — charts in, checked `.song` files out.

The reader is chosen by the file's suffix (ChordPro, MusicXML); any other file, or a link, is searched
for iReal Pro links. Each chart is read, written as formatted `.song` text and checked with the compiler's own front end
before its file is written, so every file it writes checks. A chart that cannot be read gets a
diagnostic at its link (file:line:col) and the others still import.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ..atomic import atomic_output
from ..errors import Diagnostic, SongError
from ..library import Library
from ..source import Source, Span
from . import chordpro, ireal
from .model import Found
from .song_writer import write_song


@dataclass(frozen=True)
class Reader:
    """A chart format: how to read a file's text, and what to say when it holds no chart (E200)."""

    read: Callable[[str], list[Found]]
    nothing: str
    help: str


IREAL = Reader(ireal.read_text, "no iReal Pro link (irealb:// or irealbook://) here",
               "paste the link from iReal Pro's Share > Export")
CHORDPRO = Reader(chordpro.read_text, "no chords in this ChordPro file",
                  "write chords as `[C]` over the lyrics, or a {start_of_grid} of bars")
READERS = {suffix: CHORDPRO for suffix in chordpro.SUFFIXES}


def add_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("paths", nargs="+", metavar="PATH",
                     help="an iReal Pro link, a file holding links, or a ChordPro file")
    sub.add_argument("-o", "--out", default=".", metavar="DIR", help="folder for the .song files (default: here)")
    sub.add_argument("--style", metavar="NAME", help="a style for every chart instead of the chart's own")
    sub.add_argument("--force", action="store_true", help="overwrite .song files that exist")


def run(args: argparse.Namespace) -> int:
    from ..cli import EXIT_DIAGNOSTICS, EXIT_OK, report_diagnostics

    out_dir, taken = Path(args.out), set()
    library = Library()  # one for the run: the stdlib styles are parsed once, not once per chart
    diagnostics: list[Diagnostic] = []
    sources: dict[str, Source] = {}
    for path in args.paths:
        source = _source(path)
        sources[source.path] = source
        reader = READERS.get(Path(path).suffix.lower(), IREAL)
        found = reader.read(source.text)
        if not found:
            diagnostics.append(Diagnostic("E200", reader.nothing, _span(source, 0), reader.help))
        for item in found:
            diagnostics += _import_one(source, item, args, out_dir, taken, library)
    report_diagnostics(diagnostics, sources, "human")
    return EXIT_DIAGNOSTICS if any(d.severity == "error" for d in diagnostics) else EXIT_OK


def _source(path: str) -> Source:
    """A link given on the command line, or a file's text (a file that cannot be read: exit 2)."""
    from ..cli import _read_source

    return Source("<link>", path) if path.startswith(("irealb://", "irealbook://")) else _read_source(path)


def _import_one(source: Source, item: Found, args, out_dir: Path, taken: set[str],
                library: Library) -> list[Diagnostic]:
    span = _span(source, item.offset)
    if item.problem is not None:
        problem = item.problem
        where = span if problem.offset is None else _span(source, problem.offset)
        return [Diagnostic(problem.code, f"chart {item.number}: {problem.message}", where, problem.help)]
    chart, found = item.chart, []
    if args.style:
        chart = replace(chart, style=args.style)
    elif item.unknown_style:
        found.append(Diagnostic("W200", f"chart {item.number}: iReal style not in the table; playing {chart.style}",
                                span, "pick one with `song import --style NAME`", severity="warning"))
    for warning in item.warnings:
        where = span if warning.offset is None else _span(source, warning.offset)
        found.append(Diagnostic(warning.code, f"chart {item.number}: {warning.message}", where, warning.help,
                                severity="warning"))
    target = out_dir / _file_name(chart.title, taken)
    text = write_song(chart)
    problem = _check(text, str(target), library)
    if problem:
        return found + [Diagnostic("E205", f"chart {item.number} (`{chart.title}`) imports to a song that "
                                   f"does not check: {problem}", span, "fix the chart where it was written")]
    if target.exists() and not args.force:
        return found + [Diagnostic("E206", f"{target} exists; left untouched", span,
                                   "use --force to overwrite it, or -o DIR for another folder")]
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return found


def _check(text: str, path: str, library: Library) -> str | None:
    """The first error `song check` would report on the written text, or None."""
    from ..pipeline import FrontOptions, front_end

    try:
        front_end(Source(path, text), library, FrontOptions())
    except SongError as err:
        first = err.diagnostics[0]
        return f"{first.code} {first.message}"
    return None


def _file_name(title: str, taken: set[str]) -> str:
    """`My Funny Valentine` -> `my_funny_valentine.song`; a second chart of the same title gets `_2`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_title.lower()).strip("_") or "chart"
    name, number = slug, 2
    while name in taken:
        name, number = f"{slug}_{number}", number + 1
    taken.add(name)
    return name + ".song"


def _span(source: Source, offset: int) -> Span:
    line = source.text.count("\n", 0, offset) + 1
    col = offset - (source.text.rfind("\n", 0, offset) + 1) + 1
    end = offset + 1 if offset < len(source.text) else offset
    return Span(source.path, line, col, line, col + (end - offset), offset, end)
