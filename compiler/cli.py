"""cli: the `song` command (also `python -m compiler`). Exit codes: 0 ok, 1 diagnostics, 2 usage/IO, 3 internal."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn, Sequence

from . import __version__
from .errors import Diagnostic, RenderError, SongError, render_human, to_json
from .limits import COUNT_IN_BARS
from .inputs import STDIN, STDIN_NAME
from .source import Source

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# The CLI uses no pydantic plugins; looking them up scans every installed distribution (~20 ms cold).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
# The audio stage runs its own two threads; BLAS threads under them (numpy's matrix products in
# audio.dsp) would only contend for the same two cores. Set before numpy is first imported, and
# forced: the thread count changes how BLAS splits a product, and so its rounding (the audio bytes).
os.environ["OPENBLAS_NUM_THREADS"] = "1"


class UsageError(Exception):
    """Bad arguments or unreadable files: exit 2."""


class _Parser(argparse.ArgumentParser):
    """Bad arguments are one line (`song: --count-in: …`), like every other usage error, not a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# The commands whose process is over when they return, every file they wrote closed: they leave without
# the interpreter's teardown, which frees every module and object one at a time and was a third of a
# cold `song check`. The resident ones (lsp, watch, batch, worker) and any unknown word exit as usual.
_QUICK_EXIT = frozenset({"check", "ir", "fmt", "styles", "build", "explain", "analyze", "report", "import"})


def run() -> NoReturn:
    """The `song` program and `python -m compiler`: `main` on the command line, then the exit."""
    argv = sys.argv[1:]
    status = main(argv)
    if _command_in(argv) not in _QUICK_EXIT:
        sys.exit(status)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`song ir x.song | head`) or stream: nothing to keep
            pass
    os._exit(status)


def _command_in(argv: Sequence[str]) -> str | None:
    """The command word: the first argument that is not an option (the top level has only options)."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser(sys.argv[1:] if argv is None else argv)
    # One command is one short batch whose trees are acyclic and freed by reference counting; the
    # cycle collector would only rescan the objects the imports made, again and again (~25 ms of a
    # 100-bar `build --midi-only`).
    gc.disable()
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except UsageError as err:
        print(f"song: {err}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK  # `song ir x.song | head` closed the pipe: not an error
    except KeyboardInterrupt:
        print("song: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 — the promise is one line, never a traceback
        print(f"internal error: {type(err).__name__}: {err}".splitlines()[0], file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        gc.enable()


def _parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """Every command, with the arguments of the one `argv` names only: some commands' arguments are
    declared in their own modules (`import`, `batch`), and importing those would cost every other
    command its start-up (`song check` imported the batch driver and with it the whole IR)."""
    chosen = _command_in(argv)
    parser = _Parser(prog="song", description="Compile .song charts into backing tracks.")
    parser.add_argument("--version", action="version", version=f"songspec {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, helptext, run in _COMMANDS:
        sub = commands.add_parser(name, help=helptext, description=helptext)
        sub.set_defaults(run=run)
        if name == chosen:
            _ARGUMENTS[name](sub)
    return parser


def _read_source(path: str) -> Source:
    try:
        return Source.read(path)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None


def report_diagnostics(diagnostics: list[Diagnostic], sources: dict[str, Source], fmt: str) -> None:
    """Print diagnostics on stderr (human, with a count of errors and warnings) or stdout (json,
    GitHub workflow commands, SARIF)."""
    if fmt == "json":
        print(json.dumps([to_json(d) for d in diagnostics], indent=2))
        return
    if fmt in ("github", "sarif"):
        from .ci_formats import github_annotations, sarif_log

        print(github_annotations(diagnostics) if fmt == "github" else json.dumps(sarif_log(diagnostics), indent=2),
              end="" if fmt == "github" else "\n")
        return
    for diag in diagnostics:
        print(render_human(diag, sources), file=sys.stderr)
    counts = [_plural(sum(1 for d in diagnostics if d.severity == severity), severity)
              for severity in ("error", "warning")]
    if diagnostics:
        counted = ", ".join(count for count in counts if not count.startswith("0 "))
        print(f"{counted}; `song explain {diagnostics[0].code}` explains a code", file=sys.stderr)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def exit_status(diagnostics: list[Diagnostic], deny_warnings: bool = False) -> int:
    """1 if there is an error (or, with --deny-warnings, a warning), else 0."""
    if any(d.severity == "error" or deny_warnings for d in diagnostics):
        return EXIT_DIAGNOSTICS
    return EXIT_OK


def compile_front(path: str | Source, options=None):
    """Read (unless given its text) and check one file: (song or None, its diagnostics — errors, or the
    song's warnings, sources)."""
    from .library import Library
    from .pipeline import FrontOptions, front_end

    source = path if isinstance(path, Source) else _read_source(path)
    library = Library()
    sources = {source.path: source}
    try:
        checked = front_end(source, library, options or FrontOptions())
    except SongError as err:
        sources.update(library.sources)
        return None, err.diagnostics, sources
    sources.update(library.sources)
    return checked.song, list(checked.warnings), sources


# -- commands --------------------------------------------------------------------------------------
def _deny_warnings(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--deny-warnings", action="store_true", help="treat warnings as errors (exit 1)")


_FILES_HELP = "a .song file, a folder (every *.song below it) or - for stdin"


def _check_args(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("files", nargs="+", metavar="FILE", help=_FILES_HELP)
    sub.add_argument("--format", choices=("human", "json", "github", "sarif"), default="human",
                     help="github: workflow commands (annotations); sarif: a SARIF 2.1.0 log")
    _deny_warnings(sub)


def _run_check(args: argparse.Namespace) -> int:
    from .inputs import InputError, expand

    all_diagnostics: list[Diagnostic] = []
    sources: dict[str, Source] = {}
    unreadable = False
    for given in expand(args.files):
        try:
            if isinstance(given, InputError):
                raise given
            _, diagnostics, file_sources = compile_front(given.read())
        except InputError as err:  # reported, and the other files are still checked
            print(f"song: {err}", file=sys.stderr)
            unreadable = True
            continue
        all_diagnostics += diagnostics
        sources.update(file_sources)
    report_diagnostics(all_diagnostics, sources, args.format)
    return EXIT_USAGE if unreadable else exit_status(all_diagnostics, args.deny_warnings)


def _ir_args(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", metavar="FILE")
    sub.add_argument("--format", choices=("human", "json"), default="human")


def _run_ir(args: argparse.Namespace) -> int:
    from .dump import ir_json

    song, diagnostics, sources = compile_front(args.file)
    if song is None:
        report_diagnostics(diagnostics, sources, args.format)
        return EXIT_DIAGNOSTICS
    if diagnostics and args.format == "human":  # warnings; the JSON on stdout is the song's
        report_diagnostics(diagnostics, sources, "human")
    print(ir_json(song))
    return EXIT_OK


def _fmt_args(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("files", nargs="+", metavar="FILE", help=_FILES_HELP + " (formatted to stdout)")
    sub.add_argument("--check", action="store_true", help="only report files that would change (exit 1)")
    sub.add_argument("--diff", action="store_true", help="print a unified diff of the changes instead of writing")


def _run_fmt(args: argparse.Namespace) -> int:
    from .fmt import reformat
    from .inputs import InputError, expand

    changed, broken = [], False
    for given in expand(args.files):
        if isinstance(given, InputError):
            raise UsageError(str(given))
        try:
            source = given.read()
        except InputError as err:
            raise UsageError(str(err)) from None
        path = source.path
        try:
            formatted = reformat(source)
        except SongError as err:
            report_diagnostics(err.diagnostics, {source.path: source}, "human")
            broken = True
            if given.is_stdin and not (args.check or args.diff):
                sys.stdout.write(source.text)  # a filter (`:%!song fmt -`) must not swallow the text
            continue
        if given.is_stdin and not (args.check or args.diff):
            sys.stdout.write(formatted)  # `song fmt -` is a filter: formatted text out, changed or not
        if formatted == source.text:
            continue
        changed.append(path)
        if args.diff:
            sys.stdout.write(unified_diff(path, source.text, formatted))
        elif not (args.check or given.is_stdin):
            _rewrite(path, formatted)
    writing = not (args.check or args.diff)
    # With --diff or formatted text on stdout, the file list goes to stderr so stdout stays a diff or a song.
    listing = sys.stderr if args.diff or (writing and STDIN in args.files) else sys.stdout
    for path in changed:
        if not (writing and path == STDIN_NAME):
            print(f"{'reformatted' if writing else 'would reformat'} {path}", file=listing)
    return EXIT_DIAGNOSTICS if broken or (args.check and changed) else EXIT_OK


def unified_diff(path: str, before: str, after: str) -> str:
    """`--diff`: what fmt would change, as `diff -u` shows it (a/ and b/ the file before and after)."""
    import difflib

    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _rewrite(path: str, text: str) -> None:
    """`song fmt` writes the file itself (symlink target, hard links, mode and owner kept)."""
    from .atomic import ReadOnly, rewrite_in_place

    try:
        rewrite_in_place(Path(path), text.encode("utf-8"))
    except ReadOnly as err:
        raise UsageError(str(err)) from None
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from None


def _styles_args(sub: argparse.ArgumentParser) -> None:
    pass


def _run_styles(args: argparse.Namespace) -> int:
    """Each bundled style: its meter, tempo and track names (what --mute and --solo take), and what it is."""
    from .library import Library
    from .resolve import style_summaries

    library = Library()
    try:
        styles = style_summaries(library)
    except SongError as err:
        report_diagnostics(err.diagnostics, library.sources, "human")
        return EXIT_DIAGNOSTICS
    rows = [(style.name, str(style.meter), f"{float(style.tempo):g} BPM", " ".join(t.name for t in style.tracks),
             style.description) for style in styles]
    widths = [max(len(row[i]) for row in rows) for i in range(4)] if rows else []
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    return EXIT_OK


def _build_args(sub: argparse.ArgumentParser) -> None:
    _build_option_args(sub)
    sub.add_argument("--midi-only", action="store_true", help="write song.mid and report.json only")


def _build_option_args(sub: argparse.ArgumentParser) -> None:
    """What `song build` and `song watch` share: the file, its output folder, practice changes, seed, format…"""
    sub.add_argument("file", metavar="FILE")
    sub.add_argument("-o", "--out", metavar="DIR", help="output folder (default: out/<file stem>/)")
    sub.add_argument("--key", type=_practice_key, help="play in this key, e.g. 'Bb', 'F#m' or 'E minor' "
                     "(chords respelled; replaces --transpose)")
    sub.add_argument("--transpose", type=_whole("--transpose", -24, 24, "semitones, e.g. --transpose -2"), default=0,
                     metavar="N", help="transpose by N semitones")
    sub.add_argument("--tempo", type=_practice_tempo, metavar="BPM", help="play at this tempo (20-400)")
    sub.add_argument("--mute", action="append", default=[], type=_names, metavar="TRACK",
                     help="mute this track (repeat it, or give several as a,b)")
    sub.add_argument("--solo", action="append", default=[], type=_names, metavar="TRACK",
                     help="mute every other track (repeat it for several soloists)")
    sub.add_argument("--count-in", type=_whole("--count-in", 0, COUNT_IN_BARS, "bars, e.g. --count-in 2"), default=0,
                     metavar="BARS", help="bars of count-in clicks")
    sub.add_argument("--seed", type=_whole("--seed", 0, 2**31 - 1, "whole number, e.g. --seed 7"),
                     help="humanization seed (overrides the song's)")
    sub.add_argument("--format", choices=("wav", "flac"), help="master file format")
    sub.add_argument("--master", type=_master_preset, metavar="PRESET",
                     help="master preset over the song's: streaming, apple or broadcast")
    sub.add_argument("--soundfont", type=Path, metavar="PATH", help="General MIDI SoundFont (.sf2)")
    sub.add_argument("--stems", choices=("flac24", "wav32"), default="flac24",
                     help="stem files: FLAC 24-bit (default) or 32-bit float WAV")
    sub.add_argument("--quiet", action="store_true", help="no progress bar")
    _deny_warnings(sub)


def build_request(args: argparse.Namespace, midi_only: bool):
    """`song build`'s or `song watch`'s arguments as (output folder, pipeline.BuildOptions)."""
    from .outputs import default_out_dir
    from .pipeline import BuildOptions, FrontOptions

    if not midi_only:
        _pin_blas_kernels()
    if args.key is not None and args.transpose:
        raise UsageError("--key and --transpose both move the song; give one of them")
    out = Path(args.out) if args.out else default_out_dir(args.file)
    front = FrontOptions(transpose=args.transpose, tempo=args.tempo, key=args.key)
    options = BuildOptions(front=front, seed=args.seed, mute=_flat(args.mute), solo=_flat(args.solo),
                           count_in=args.count_in, midi_only=midi_only, format=args.format,
                           master=args.master, soundfont=args.soundfont, stems=args.stems,
                           progress=None if args.quiet else ProgressBar())
    return out, options


def checked_for_build(source: Source, library, options, deny_warnings: bool):
    """The song's front end for a build, its warnings printed; None if --deny-warnings stops the build.

    Raises:
        SongError: the song has errors.
        UsageError: --mute or --solo names a track the song does not have.
    """
    from .arrange.tracks import check_names
    from .pipeline import front_end

    checked = front_end(source, library, options.front)
    for option, names in (("--mute", options.mute), ("--solo", options.solo)):
        try:
            check_names(checked.song, names)
        except ValueError as err:
            raise UsageError(f"{option}: {err}") from None
    if checked.warnings:
        report_diagnostics(list(checked.warnings), {source.path: source, **library.sources}, "human")
    if checked.warnings and deny_warnings:
        print("song: nothing built: --deny-warnings makes warnings errors", file=sys.stderr)
        return None
    return checked


def _run_build(args: argparse.Namespace) -> int:
    from .library import Library
    from .outputs import OutputError
    from .pipeline import build

    out, options = build_request(args, args.midi_only)
    unchanged: list[bool] = []
    options = replace(options, on_up_to_date=lambda: unchanged.append(True))
    source = _read_source(args.file)
    library = Library()
    try:
        checked = checked_for_build(source, library, options, args.deny_warnings)
        if checked is None:
            return EXIT_DIAGNOSTICS
        build(source, library, out, options, checked)
    except SongError as err:
        report_diagnostics(err.diagnostics, {source.path: source, **library.sources}, "human")
        return EXIT_DIAGNOSTICS
    except RenderError as err:
        print(f"song: {err}", file=sys.stderr)
        return EXIT_DIAGNOSTICS
    except OutputError as err:
        raise UsageError(str(err)) from None
    except OSError as err:  # an output folder we cannot create or write: nothing half-written stays
        raise UsageError(f"cannot write to {out}: {err.strerror or err}") from None
    finally:
        if options.progress is not None:
            options.progress.close()
    print(f"{out}/ is up to date: nothing written" if unchanged else f"wrote {out}/")
    return EXIT_OK


def _watch_args(sub: argparse.ArgumentParser) -> None:
    _build_option_args(sub)
    sub.add_argument("--audio", action="store_true", help="full builds: stems, mix and master (default: MIDI only)")


def _run_watch(args: argparse.Namespace) -> int:
    from .watch import Watcher

    out, options = build_request(args, midi_only=not args.audio)
    if not Path(args.file).is_file():
        raise UsageError(f"no such file: {args.file}")
    return Watcher(Path(args.file), out, options, args.deny_warnings).run()
def _clean_args(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("folders", nargs="+", metavar="DIR", help="a folder written by `song build`")
    sub.add_argument("--cache", action="store_true", help="delete only the cache (.cache/); keep the outputs")


def _run_clean(args: argparse.Namespace) -> int:
    from .outputs import OutputError, clean

    status = EXIT_OK
    for folder in args.folders:
        try:
            removed = clean(Path(folder), cache_only=args.cache)
        except OutputError as err:
            print(f"song: {err}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        except OSError as err:
            print(f"song: cannot clean {folder}: {err.strerror or err}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        files = [name for name in removed if not name.endswith("/")]
        cache = " and its cache" if len(files) < len(removed) else ""
        print(f"cleaned {folder}/: deleted {len(files)} file{'' if len(files) == 1 else 's'}{cache}")
    return status


def _names(text: str) -> tuple[str, ...]:
    """`--mute lead` or `--mute lead,bass`."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise argparse.ArgumentTypeError("give a track name, e.g. --mute piano")
    return names


def _flat(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for group in groups for name in group))


def _whole(option: str, low: int, high: int | None, example: str):
    """An argparse type: a whole number in low..high, or a one-line message saying what to write."""
    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or high is not None and value > high:
            limits = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"{text!r} is not a number {limits}; write {example}")
        return value
    read.__name__ = option
    return read


def _master_preset(text: str) -> str:
    """`--master apple`: a preset of `mixspec.MASTER_PRESETS`."""
    from .mixspec import MASTER_PRESETS
    from .suggest import suggestion_text

    if text not in MASTER_PRESETS:
        hint = suggestion_text(text, MASTER_PRESETS) or f"write one of {', '.join(MASTER_PRESETS)}"
        raise argparse.ArgumentTypeError(f"{text!r} is not a master preset; {hint}")
    return text


def _practice_tempo(text: str):
    """`--tempo 110` (or `110bpm`): beats per minute, 20..400."""
    from fractions import Fraction

    number = text.lower().removesuffix("bpm").strip()
    try:
        value = Fraction(number)
    except (ValueError, ZeroDivisionError):
        value = None
    if value is None or not 20 <= value <= 400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a tempo; write beats per minute from 20 to 400, "
                                         "e.g. --tempo 110")
    return value


def _pin_blas_kernels() -> None:
    """Use numpy's BLAS in its Haswell (AVX2 + FMA) kernels wherever the CPU has those instructions.

    The audio filters are matrix products, and BLAS picks its kernels by CPU; two kernels may round
    the last bit differently, so without the pin one song would give different audio bytes on, say,
    an AVX-512 laptop and an AVX2 CI runner. Set before numpy is imported; a CPU without AVX2 (or
    another architecture) keeps BLAS's own choice.

    The pin is forced over the user's own OPENBLAS_CORETYPE (which changes the bytes, or names kernels
    the CPU lacks and dies with "Illegal instruction"); without AVX2 it is removed.
    """
    for name, value in blas_environment().items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def blas_environment() -> dict[str, str | None]:
    """The BLAS settings audio builds run with (None: unset): one thread, and on an AVX2 CPU the
    Haswell kernels (`_pin_blas_kernels` says why)."""
    return {"OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Haswell" if {"avx2", "fma"} <= cpu_flags() else None}


def cpu_flags() -> set[str]:
    """The CPU's feature flags as Linux lists them (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            return next((set(line.split(":", 1)[1].split()) for line in info if line.startswith("flags")), set())
    except OSError:
        return set()


def _practice_key(text: str):
    """`--key Bb`, `--key F#m` or `--key 'E minor'` as a `pitch.Key` (spelled as asked)."""
    from .pitch import parse_key_text

    try:
        return parse_key_text(text)
    except ValueError as err:
        hint = str(err) or "write e.g. --key Bb or --key 'E minor'"
        raise argparse.ArgumentTypeError(f"{text!r}: {hint}") from None


class ProgressBar:
    """A one-line bar on stderr, shown only once a build has run for a second."""

    def __init__(self, width: int = 30) -> None:
        import time

        self.clock, self.started, self.width, self.drawn = time.monotonic, time.monotonic(), width, False

    def __call__(self, fraction: float) -> None:
        if self.clock() - self.started < 1.0 or not sys.stderr.isatty():
            return
        filled = int(self.width * min(max(fraction, 0.0), 1.0))
        print(f"\rrendering [{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%}", end="", file=sys.stderr)
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            print(file=sys.stderr)


def _explain_args(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("code", nargs="?", metavar="CODE", help="a diagnostic code such as E021 (none: list them)")


def _run_explain(args: argparse.Namespace) -> int:
    from .errors import CODES, RETIRED
    from .explain import explanations
    from .suggest import suggestion_text

    entries = explanations()
    if args.code is None:
        for code, title in CODES.items():
            print(f"{code}  {title}")
        return EXIT_OK
    code = args.code.strip().upper()
    if code in RETIRED:
        print(f"{code} is no longer reported ({RETIRED[code]})")
        return EXIT_OK
    if code not in entries:
        hint = suggestion_text(code, entries) or "`song explain` lists the codes"
        raise UsageError(f"no diagnostic code {args.code}; {hint}")
    print(entries[code].as_text(), end="")
    return EXIT_OK


def _analyze_args(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("midi", metavar="MIDI", nargs="+",
                     help="a song.mid written by `song build` (report.json beside it); with --audio, build folders")
    sub.add_argument("--audio", action="store_true",
                     help="measure the mix of each build folder: wet level, tilt, stereo, stem balance, dynamics")


def _run_analyze(args: argparse.Namespace) -> int:
    if args.audio:
        from .analyze_audio import run

        return run([Path(folder) for folder in args.midi])
    from .analyze import analyze_song, format_analysis
    from .ensemble import ensemble_of, format_ensemble
    from .report_html.folder import PageError, read_midi, read_report

    if len(args.midi) > 1:
        raise UsageError("give one song.mid (several build folders only with --audio)")
    midi = Path(args.midi[0])
    if not midi.is_file() or not (midi.parent / "report.json").is_file():
        raise UsageError(f"need {midi} and report.json beside it; run `song build` first")
    try:  # the page's readers check both files: a damaged one is one line (exit 2), not an internal error
        read_report(midi.parent / "report.json")
        midi_file = read_midi(midi)
    except PageError as err:
        raise UsageError(str(err)) from None
    report = json.loads((midi.parent / "report.json").read_text(encoding="utf-8"))
    print(format_analysis(analyze_song(midi_file, report)) + "\n".join(format_ensemble(ensemble_of(midi_file, report))))
    return EXIT_OK


def _report_args(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("folders", nargs="+", metavar="DIR", help="a folder written by `song build`")


def _run_report(args: argparse.Namespace) -> int:
    from .report_html.command import run

    return run(args)


def _lsp_args(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default and only way; "
                     "accepted because editors pass it)")


def _run_lsp(args: argparse.Namespace) -> int:
    """The resident server: the cycle collector main() turned off for one short command is needed again."""
    gc.enable()
    try:
        from .lsp.server import run
    except ImportError as err:
        raise UsageError(f"song lsp needs pygls ({err}); install it with: pip install 'songspec[lsp]'") from None
    return run()


_COMMANDS = (
    ("check", "check .song files and print diagnostics", _run_check),
    ("ir", "print the resolved song as JSON", _run_ir),
    ("fmt", "rewrite .song files in canonical layout", _run_fmt),
    ("styles", "list the bundled styles: meter, tempo, track names and description", _run_styles),
    ("build", "compile a song into MIDI, stems, a mastered mix and a report", _run_build),
    ("watch", "rebuild a song whenever it, a file it uses or the style library is saved", _run_watch),
    ("analyze", "measure an arrangement (bass on roots, chord tones, voice leading, swing, the ensemble) or, "
                "with --audio, a mix", _run_analyze),
    ("explain", "explain a diagnostic code, with an example and the fix", _run_explain),
    ("report", "rewrite a build's report.html (its page to look at and practise with) without rebuilding", _run_report),
    ("clean", "delete what builds wrote into a folder (outputs and cache), nothing else", _run_clean),
    ("import", "import iReal Pro, ChordPro and MusicXML charts as formatted, checked .song files",
     lambda args: _charts().run(args)),
    ("export", "export a song as a MusicXML lead sheet, a ChordPro grid or an iReal Pro link",
     lambda args: _export().run(args)),
    ("lsp", "run the language server on stdin/stdout (for editors: diagnostics, completion, hover, fmt, ...)",
     _run_lsp),
    ("batch", "build a catalogue from a manifest: songs × keys × tempos × minus-ones, on a process pool or Dask",
     lambda args: _batch().run(args)),
    ("worker", "run a Dask worker for `song batch --scheduler` (dask worker, with the settings audio builds need)",
     lambda args: _batch().run_worker(args)),
)
_ARGUMENTS = {"check": _check_args, "ir": _ir_args, "fmt": _fmt_args, "styles": _styles_args,
              "build": _build_args, "watch": _watch_args, "analyze": _analyze_args, "explain": _explain_args,
              "report": _report_args, "import": lambda sub: _charts().add_arguments(sub), "lsp": _lsp_args,
              "export": lambda sub: _export().add_arguments(sub),
              "batch": lambda sub: _batch().add_arguments(sub), "worker": lambda sub: _batch().add_worker_arguments(sub),
              "clean": _clean_args}


def _charts():
    from .charts import command

    return command


def _export():
    from .charts import export

    return export


def _batch():
    from .batch import command

    return command
