"""export: `song export FILE --to musicxml|chordpro|ireal [-o PATH]` — a checked song out as a lead sheet.

The song goes through the compiler's front end (so what is written is what it plays: Roman numerals
read, the style's intro and ending in), becomes a `from_song.LeadSheet`, and one writer writes it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable

from ..atomic import atomic_output
from ..errors import Diagnostic
from ..source import Span
from . import chordpro_writer, ireal_writer, musicxml_writer
from .from_song import LeadSheet, lead_sheet
from .model import ChartProblem, offset_span

# Each format: its writer and the suffix of the file it writes beside the song by default.
FORMATS: dict[str, tuple[Callable[[LeadSheet], str], str]] = {
    "musicxml": (musicxml_writer.write, ".musicxml"),
    "chordpro": (chordpro_writer.write, ".cho"),
    "ireal": (ireal_writer.write, ".ireal.txt"),
}


def add_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", metavar="FILE", help="a .song file")
    sub.add_argument("--to", required=True, choices=sorted(FORMATS), help="the lead-sheet format")
    sub.add_argument("-o", "--out", metavar="PATH", help="the file to write (default: FILE with the format's "
                     "suffix: .musicxml, .cho, .ireal.txt; `-` for stdout)")
    sub.add_argument("--force", action="store_true", help="overwrite the lead sheet if it exists")


def run(args: argparse.Namespace) -> int:
    from ..cli import EXIT_DIAGNOSTICS, EXIT_OK, compile_front, report_diagnostics

    song, diagnostics, sources = compile_front(args.file)
    if song is None:
        report_diagnostics(diagnostics, sources, "human")
        return EXIT_DIAGNOSTICS
    target = None if args.out == "-" else _target(args, sources)
    write, _ = FORMATS[args.to]
    try:
        text = write(lead_sheet(song, args.file))
    except ChartProblem as problem:
        source = sources.get(args.file)
        span = Span(args.file, 1, 1, 1, 1, 0, 0) if problem.offset is None or source is None else \
            offset_span(source, problem.offset)
        report_diagnostics([Diagnostic(problem.code, problem.message, span, problem.help)], sources, "human")
        return EXIT_DIAGNOSTICS
    if diagnostics:  # warnings: the song builds, and is exported
        report_diagnostics(diagnostics, sources, "human")
    if target is None:
        print(text)
        return EXIT_OK
    with atomic_output(target) as tmp:
        tmp.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    print(f"wrote {target}")
    return EXIT_OK


def _target(args: argparse.Namespace, sources: dict) -> Path:
    """Where the lead sheet goes. A song file, or any file the song reads, is never written over (a
    slip of `-o` must not cost the song), and another existing file only with --force.

    Raises:
        UsageError: the target is a source, or exists without --force.
    """
    from ..cli import UsageError

    target = Path(args.out) if args.out else Path(args.file).with_suffix(FORMATS[args.to][1])
    read = {Path(name).resolve() for name in sources} | {Path(args.file).resolve()}
    if target.suffix == ".song" or target.resolve() in read:
        raise UsageError(f"will not write the lead sheet over {target}: it is a song; give -o a "
                         f"{FORMATS[args.to][1]} file")
    if target.exists() and not args.force:
        raise UsageError(f"{target} exists; use --force to overwrite it, or -o for another file")
    return target
