"""watch: `song watch FILE` — a resident driver over pipeline.build that rebuilds the song on every save.

One process keeps the compiler imported, so no rebuild pays start-up. Each round:

1. the front end (parse, resolve, check) runs in this process and its diagnostics are printed; the
   files it read (the song, its `use`d files, the stdlib files it loaded) say which folders to watch;
2. a song without errors is built in a forked child (MIDI only unless `--audio`), which prints a
   one-line summary;
3. a save while the child is still building stops it with SIGTERM and starts the round again. Stopping
   a build is safe by the output contract (`outputs.Staging`): the child's staging folder is removed
   and the previous outputs stay as they were.

Ctrl-C (or SIGTERM) stops the watcher and any build it is running, and exits 0.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .cli import EXIT_OK, ProgressBar, UsageError, checked_for_build, report_diagnostics
from .errors import RenderError, SongError
from .library import Library
from .outputs import OutputError
from .source import Source

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from .pipeline import BuildOptions, Checked

TICK_MS = 200  # how often the watcher wakes without a change, to reap a finished build
STOP_GRACE_S = 5.0  # a stopped build has this long to remove its staging folder before it is killed


@dataclass(frozen=True)
class Round:
    """What one front end read: every file that, saved, starts the next round."""

    files: frozenset[Path]

    @property
    def folders(self) -> frozenset[Path]:
        return frozenset(path.parent for path in self.files)

    def touched_by(self, changes: Iterable[tuple[object, str]]) -> list[Path]:
        """The changed paths that matter: a file this round read, or a `.song` beside one (a style
        file the song may `use` next, or a stdlib file a style may move to)."""
        changed = {Path(name).resolve() for _, name in changes}
        return sorted(path for path in changed
                      if path in self.files or path.suffix == ".song" and path.parent in self.folders)


class Watcher:
    """Rebuilds `song_path` into `out` with `options` whenever one of the files it reads is saved."""

    def __init__(self, song_path: Path, out: Path, options: BuildOptions, deny_warnings: bool) -> None:
        self.song_path, self.out, self.options, self.deny_warnings = song_path, out, options, deny_warnings
        self.builder: BaseProcess | None = None
        self.forks = multiprocessing.get_context("fork")  # the child shares the warm imports and the song

    def run(self) -> int:
        import watchfiles

        gc.enable()  # resident: `main` turns the collector off for one-shot commands
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` ends the watcher as Ctrl-C does: its build first
        _import_build_stages(audio=not self.options.midi_only)
        try:
            current = self.start_round()
            while True:  # a new watcher whenever the folders to watch change (a new `use` line)
                current = self._watch(watchfiles, current)
        except KeyboardInterrupt:
            self.stop_build("Ctrl-C or SIGTERM")
            print("song watch: stopped", flush=True)
            return EXIT_OK

    def _watch(self, watchfiles, current: Round) -> Round:
        """Watch `current`'s folders until a round reads files in other folders; return that round."""
        announced = False
        for changes in watchfiles.watch(*sorted(current.folders), recursive=False, yield_on_timeout=True,
                                        rust_timeout=TICK_MS, debounce=400, step=50):
            if not announced:  # the first wake-up: the watcher is in place, so no save is missed from here
                _say(f"watching {len(current.files)} files; Ctrl-C stops")
                announced = True
            self.reap()
            touched = current.touched_by(changes)
            if not touched:
                continue
            names = ", ".join(path.name for path in touched)
            self.stop_build(f"{names} changed")
            _say(f"{names} changed")
            following = self.start_round()
            if following.folders != current.folders:
                return following
            current = following
        return current

    def start_round(self) -> Round:
        """Check the song, print its diagnostics and, if it may be built, start the build."""
        library = Library()
        files = {self.song_path.resolve(), *(path.resolve() for path in library.stdlib_files())}
        try:
            source = Source.read(self.song_path)
        except (OSError, UnicodeDecodeError) as err:
            print(f"song: cannot read {self.song_path}: {getattr(err, 'strerror', None) or err}",
                  file=sys.stderr, flush=True)
            return Round(frozenset(files))
        options = self.options if self.options.progress is None else replace(self.options, progress=ProgressBar())
        try:
            checked = checked_for_build(source, library, options, self.deny_warnings)
        except SongError as err:
            report_diagnostics(err.diagnostics, {source.path: source, **library.sources}, "human")
            checked = None
        except UsageError as err:  # --solo names a track the song lacks: it may be added in the next save
            print(f"song: {err}", file=sys.stderr, flush=True)
            checked = None
        files |= {Path(name).resolve() for name in library.sources}
        if checked is not None:
            sys.stdout.flush()
            sys.stderr.flush()
            self.builder = self.forks.Process(target=_build, args=(source, library, self.out, options, checked),
                                              name="song-build", daemon=True)
            # The child starts with SIGINT and SIGTERM held, until its own handlers are in place: a
            # Ctrl-C at the moment of the fork stops it cleanly rather than with a traceback.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
            try:
                self.builder.start()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return Round(frozenset(files))

    def reap(self) -> None:
        """Collect a build that has finished, so no finished child lingers."""
        if self.builder is not None and not self.builder.is_alive():
            self.builder.join()
            self.builder = None

    def stop_build(self, reason: str) -> None:
        """Stop a build still running (it removes its staging folder) and wait for it to end."""
        builder, self.builder = self.builder, None
        if builder is None:
            return
        if builder.is_alive():
            builder.terminate()
            builder.join(STOP_GRACE_S)
            if builder.is_alive():
                builder.kill()
        builder.join()
        if builder.exitcode in (-signal.SIGTERM, -signal.SIGKILL, _STOPPED):
            _say(f"stopped the build: {reason}")


_STOPPED = 143  # the child's exit status after SIGTERM (128 + 15), when it left through its handler
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _build(source: Source, library: Library, out: Path, options: BuildOptions, checked: Checked) -> None:
    """The forked child: build, then print one line (the summary, or what stopped the build)."""
    from .pipeline import build

    def stop(signum, frame):  # SIGTERM from the watcher, SIGINT from Ctrl-C: leave through `Staging`'s cleanup
        raise SystemExit(_STOPPED)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    gc.disable()  # a short batch, as in `song build`
    started = time.monotonic()
    try:
        report = build(source, library, out, options, checked)
    except SongError as err:
        report_diagnostics(err.diagnostics, {source.path: source, **library.sources}, "human")
        sys.exit(1)
    except (RenderError, OutputError) as err:
        print(f"song: {err}", file=sys.stderr, flush=True)
        sys.exit(2)
    except OSError as err:
        print(f"song: cannot write to {out}: {err.strerror or err}", file=sys.stderr, flush=True)
        sys.exit(2)
    except Exception as err:  # noqa: BLE001 — one line, never a traceback, as in `song build`
        print(f"internal error: {type(err).__name__}: {err}".splitlines()[0], file=sys.stderr, flush=True)
        sys.exit(3)
    finally:
        if options.progress is not None:
            options.progress.close()
    _say(summary(report, out, options.midi_only, time.monotonic() - started))


def summary(report: dict, out: Path, midi_only: bool, seconds: float) -> str:
    """`built out/x/ (MIDI only): 104 bars, 5 tracks, 3:12, in 0.05 s`."""
    minutes, rest = divmod(round(report["duration_s"]), 60)
    what = " (MIDI only)" if midi_only or "master" not in report else ""
    return (f"built {out}/{what}: {report['bars']} bars, {len(report['tracks'])} tracks, "
            f"{minutes}:{rest:02d}, in {seconds:.2f} s")


def _say(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


def _import_build_stages(audio: bool) -> None:
    """Import what a build imports lazily, once here, so no forked build imports it again."""
    from . import arrange, midi, pipeline, report, report_html  # noqa: F401

    if audio:
        from . import audio as _audio  # noqa: F401
