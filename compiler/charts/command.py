"""command: `song import PATH… [-o DIR] [--style NAME] [--force] [--part N] [--voice N]` — charts in, checked `.song` files out.

The reader is chosen by the file's suffix (ChordPro, MusicXML, compressed MusicXML); any other file, or a link, is searched
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
from functools import partial
from pathlib import Path
from typing import Callable

from ..atomic import atomic_output
from ..errors import Diagnostic, SongError
from ..library import Library
from ..source import MAX_FILE_BYTES, Source
from . import chordpro, ireal, musicxml
from ..chords import ChordError, parse_chord
from ..pitch import Key
from .model import Chart, ChartProblem, Found, offset_span
from .song_writer import write_song


def _text(path: str, most_bytes: int = MAX_FILE_BYTES) -> str:
    """A file's text; one that cannot be read is a usage error (exit 2)."""
    from ..cli import UsageError

    try:
        return Source.read(path, most_bytes).text
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None


def _mxl_text(path: str) -> str:
    """The score inside a compressed MusicXML file (ChartProblem E209 if it is not one)."""
    from ..cli import UsageError

    try:
        with open(path, "rb") as handle:
            data = handle.read(musicxml.MAX_XML_CHARS + 1)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err}") from None
    return musicxml.unzip(data)


@dataclass(frozen=True)
class Reader:
    """A chart format: how to read a file's text and its charts, and what to say when it holds none (E200)."""

    read: Callable[[str], list[Found]]
    nothing: str
    help: str
    text: Callable[[str], str] = _text


IREAL = Reader(ireal.read_text, "no iReal Pro link (irealb:// or irealbook://) here",
               "paste the link from iReal Pro's Share > Export")
CHORDPRO = Reader(chordpro.read_text, "no chords in this ChordPro file",
                  "write chords as `[C]` over the lyrics, or a {start_of_grid} of bars")
MUSICXML = Reader(musicxml.read_text, "not a MusicXML score (no <score-partwise>)",
                  "export the lead sheet from the notation program as MusicXML",
                  lambda path: _text(path, musicxml.MAX_XML_CHARS))
READERS = {suffix: CHORDPRO for suffix in chordpro.SUFFIXES}
READERS |= {suffix: MUSICXML for suffix in musicxml.SUFFIXES}
READERS[".mxl"] = replace(MUSICXML, text=_mxl_text)


def add_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("paths", nargs="+", metavar="PATH",
                     help="an iReal Pro link, a file holding links, a ChordPro or a MusicXML file")
    sub.add_argument("-o", "--out", default=".", metavar="DIR", help="folder for the .song files (default: here)")
    sub.add_argument("--style", metavar="NAME", help="a style for every chart instead of the chart's own")
    sub.add_argument("--force", action="store_true", help="overwrite .song files that exist")
    sub.add_argument("--part", type=_positive, default=1, metavar="N",
                     help="MusicXML: the melody is in the N-th part (from 1; default 1)")
    sub.add_argument("--voice", type=_positive, default=1, metavar="N",
                     help="MusicXML: the melody is the part's voice N (default 1)")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number from 1, not `{text}`")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from ..cli import EXIT_DIAGNOSTICS, EXIT_OK, report_diagnostics

    out_dir, taken = Path(args.out), set()
    library = Library()  # one for the run: the stdlib styles are parsed once, not once per chart
    diagnostics: list[Diagnostic] = []
    sources: dict[str, Source] = {}
    readers = [(path, _reader(path, args)) for path in args.paths]  # a usage error before any file is written
    for path, reader in readers:
        source, found = _charts(path, reader)
        sources[source.path] = source
        if not found:
            diagnostics.append(Diagnostic("E200", reader.nothing, offset_span(source, 0), reader.help))
        for item in found:
            diagnostics += _import_one(source, item, args, out_dir, taken, library)
    report_diagnostics(diagnostics, sources, "human")
    return EXIT_DIAGNOSTICS if any(d.severity == "error" for d in diagnostics) else EXIT_OK


def _reader(path: str, args: argparse.Namespace) -> Reader:
    """The reader for a path by its suffix; a MusicXML one reads the melody from `--part` and `--voice`,
    which no other format has (a usage error there)."""
    from ..cli import UsageError

    reader = READERS.get(Path(path).suffix.lower(), IREAL)
    if (args.part, args.voice) == (1, 1):
        return reader
    if reader.read is not musicxml.read_text:
        raise UsageError(f"--part and --voice choose a MusicXML melody; {path} is not a MusicXML file")
    return replace(reader, read=partial(musicxml.read_text, part=args.part, voice=str(args.voice)))


def _charts(path: str, reader: Reader) -> tuple[Source, list[Found]]:
    """A link given on the command line, or a file, and the charts the reader finds in it (a `.mxl`
    is shown as the score inside it; a file that cannot be read at all: exit 2)."""
    if path.startswith(("irealb://", "irealbook://")):
        source = Source("<link>", path)
        return source, reader.read(source.text)
    try:
        source = Source(path, reader.text(path))
    except ChartProblem as problem:
        return Source(path, ""), [Found(0, 1, problem=problem)]
    return source, reader.read(source.text)


def _import_one(source: Source, item: Found, args, out_dir: Path, taken: set[str],
                library: Library) -> list[Diagnostic]:
    span = offset_span(source, item.offset)
    if item.problem is not None:
        problem = item.problem
        where = span if problem.offset is None else offset_span(source, problem.offset)
        return [Diagnostic(problem.code, f"chart {item.number}: {problem.message}", where, problem.help)]
    chart, found = item.chart, []
    if args.style:
        chart = replace(chart, style=args.style)
    elif item.unknown_style:
        found.append(Diagnostic("W200", f"chart {item.number}: iReal style not in the table; playing {chart.style}",
                                span, "pick one with `song import --style NAME`", severity="warning"))
    for warning in item.warnings:
        where = span if warning.offset is None else offset_span(source, warning.offset)
        found.append(Diagnostic(warning.code, f"chart {item.number}: {warning.message}", where, warning.help,
                                severity="warning"))
    target = out_dir / _file_name(chart.title, taken)
    text = write_song(chart)
    problem = _check(text, str(target), library)
    if problem:
        offset = fault_at(chart, problem, text)
        where = span if offset is None else offset_span(source, offset)
        return found + [Diagnostic("E205", f"chart {item.number} (`{chart.title}`) imports to a song that "
                                   f"does not check: {problem.code} {problem.message}", where,
                                   "fix the chart where it was written")]
    if target.exists() and not args.force:
        return found + [Diagnostic("E206", f"{target} exists; left untouched", span,
                                   "use --force to overwrite it, or -o DIR for another folder")]
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return found


def _check(text: str, path: str, library: Library) -> Diagnostic | None:
    """The first error `song check` would report on the written text, or None."""
    from ..pipeline import FrontOptions, front_end

    try:
        front_end(Source(path, text), library, FrontOptions())
    except SongError as err:
        return err.diagnostics[0]
    return None


def fault_at(chart: Chart, problem: Diagnostic, text: str) -> int | None:
    """Where in the chart's file the chord or note is that the written song's error is about: the chord
    written where the error points (`Cb9b9`), else the first the compiler cannot read, or the melody's
    first note of the pitch written there (`A9/4`); None when the error is about neither (the chart's
    start is shown then)."""
    bars = [bar for block in chart.blocks for bar in block.bars + sum(block.endings, [])]
    chords = [chord for bar in bars for chord in bar.chords if chord.offset is not None]
    written = text[problem.span.start:problem.span.end].strip()
    named = next((chord for chord in chords if chord.symbol == written), None)
    if named is None and problem.code in _CHORD_CODES:
        named = next((chord for chord in chords if not _reads(chord.symbol, chart.key)), None)
    if named is None:
        pitch = written.split("/")[0]
        named = next((note for bar in bars for note in bar.melody if note.pitch == pitch and note.offset), None)
    return named.offset if named is not None else None


_CHORD_CODES = ("E020",)  # the written song's errors about a chord symbol


def _reads(symbol: str, key: str) -> bool:
    tonic, mode = key.split()
    try:
        parse_chord(symbol, Key(tonic, mode))
    except ChordError:
        return False
    return True


def _file_name(title: str, taken: set[str]) -> str:
    """`My Funny Valentine` -> `my_funny_valentine.song`; a second chart of the same title gets `_2`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_title.lower()).strip("_") or "chart"
    name, number = slug, 2
    while name in taken:
        name, number = f"{slug}_{number}", number + 1
    taken.add(name)
    return name + ".song"
