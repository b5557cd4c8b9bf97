"""command: `song import PATH… [-o DIR] [--style NAME] [--force]` — charts in, checked `.song` files out.

Each chart is read, written as formatted `.song` text and checked with the compiler's own front end
before its file is written, so every file it writes checks. A chart that cannot be read gets a
diagnostic at its link (file:line:col) and the others still import.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

from ..atomic import atomic_output
from ..errors import Diagnostic, SongError
from ..library import Library
from ..source import Source, Span
from .ireal import ChartProblem, RawChart, find_charts, known_style, read_chart
from .song_writer import write_song


def add_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("paths", nargs="+", metavar="PATH", help="an iReal Pro link, or a file holding links")
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
        raws = find_charts(source.text)
        if not raws:
            diagnostics.append(Diagnostic("E200", "no iReal Pro link (irealb:// or irealbook://) here",
                                          _span(source, 0), "paste the link from iReal Pro's Share > Export"))
        for raw in raws:
            diagnostics += _import_one(source, raw, args, out_dir, taken, library)
    report_diagnostics(diagnostics, sources, "human")
    return EXIT_DIAGNOSTICS if any(d.severity == "error" for d in diagnostics) else EXIT_OK


def _source(path: str) -> Source:
    """A link given on the command line, or a file's text (a file that cannot be read: exit 2)."""
    from ..cli import _read_source

    return Source("<link>", path) if path.startswith(("irealb://", "irealbook://")) else _read_source(path)


def _import_one(source: Source, raw: RawChart, args, out_dir: Path, taken: set[str],
                library: Library) -> list[Diagnostic]:
    span = _span(source, raw.offset)
    try:
        chart = read_chart(raw)
    except ChartProblem as problem:
        return [Diagnostic(problem.code, f"chart {raw.number}: {problem.message}", span, problem.help)]
    found: list[Diagnostic] = []
    if args.style:
        chart = replace(chart, style=args.style)
    elif not known_style(raw.fields[3] if raw.obfuscated else raw.fields[2]):
        found.append(Diagnostic("W200", f"chart {raw.number}: iReal style not in the table; playing {chart.style}",
                                span, "pick one with `song import --style NAME`", severity="warning"))
    target = out_dir / _file_name(chart.title, taken)
    text = write_song(chart)
    problem = _check(text, str(target), library)
    if problem:
        return found + [Diagnostic("E205", f"chart {raw.number} (`{chart.title}`) imports to a song that "
                                   f"does not check: {problem}", span, "fix the chart in iReal Pro")]
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
