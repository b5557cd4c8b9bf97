"""batch.worker: `Job` -> `JobResult`, in a pool process or on a Dask worker; one `pipeline.build` per job.

A worker keeps what jobs can share for as long as it lives: one `Library` (the stdlib styles parsed
once), each song's parse tree, and each song's front end per key and tempo (the minus-one builds of
one key and tempo resolve the song once). Kept per thread: a Dask worker may run jobs on several.
Nothing here depends on the worker or the order the jobs come in: a job's seed is the job's own
(`--seed`, else the song's), so its files are the bytes `song build` writes with the same options.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..pitch import Key
    from .jobs import Job

# Kept per worker thread, the oldest dropped first. Jobs arrive song by song and key by key (a key's
# tempos and minus-ones together), so a few front ends (an ir.Song each, ~1 MB for 100 bars) serve them.
MEMO_TREES, MEMO_FRONTS = 16, 8


@dataclass(frozen=True)
class SongFacts:
    """What a batch needs to know of a song to plan its jobs, from its front end (run in a worker, so
    the driver never loads the stages): its tempo, key and tracks, and its warnings as `song build`
    prints them."""

    title: str
    tempo: Fraction
    key: Key
    tracks: tuple[str, ...]
    warnings: str = ""
    warning_count: int = 0


@dataclass(frozen=True)
class JobResult:
    """How one job ended. `diagnostics` are as `song build` prints them (human) and as JSON records;
    `message` is a one-line failure that is not about the song (a SoundFont, a folder, a worker)."""

    index: int
    ok: bool
    seconds: float
    diagnostics: str = ""
    records: tuple[dict, ...] = field(default=(), compare=False)
    message: str | None = None


class _Memo(threading.local):
    def __init__(self) -> None:
        self.library = None
        self.trees: dict = {}
        self.fronts: dict = {}


_memo = _Memo()


def warm_up() -> None:
    """Import the stages before the first job arrives (a pool initializer: workers start while the
    batch's front ends run)."""
    from .. import pipeline  # noqa: F401
    from ..arrange import arrange  # noqa: F401
    from ..midi import to_midi  # noqa: F401
    from ..report_html import write_page  # noqa: F401

    _library()


def start_pool_worker() -> None:
    """The local pool's initializer: leave without teardown, and let Ctrl-C in (see `_let_ctrl_c_in`)."""
    _leave_without_teardown()
    _let_ctrl_c_in()


def _let_ctrl_c_in() -> None:
    """Unhold the SIGINT this process was born holding (`executors._ctrl_c_held`). A Ctrl-C that came
    while it started ends it here, quietly, as the batch that sent it ends; one that comes later
    interrupts its job as in `song build`."""
    if signal.sigtimedwait([signal.SIGINT], 0) is not None:
        os._exit(130)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])


def _leave_without_teardown() -> None:
    """Make this process, when it exits, leave without the interpreter's teardown (as one-shot `song`
    commands do, `cli.run`): freeing every module and object one at a time costs a warm worker about
    0.1 s of CPU, on the pool's way out. For the local pool's processes (their initializer), which
    hold nothing to close when the pool lets them go; not for Dask's, which shut down their own way."""
    import atexit

    atexit.register(_exit_now)  # the last registered runs first: before the teardown starts


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


def check_song(path: str) -> SongFacts | JobResult:
    """The song's front end, as written: its facts, or (it does not check) a failed result with its
    diagnostics, which its jobs then share. The parse tree and front end stay for its jobs."""
    from ..errors import SongError, render_human
    from ..options import FrontOptions
    from ..source import Source

    library = _library()
    try:
        source = Source.read(path)
    except (OSError, UnicodeDecodeError) as err:
        return JobResult(-1, False, 0.0, message=f"cannot read {path}: {getattr(err, 'strerror', None) or err}")
    try:
        checked = _front_end(source, library, FrontOptions())
    except SongError as err:
        return _failed(-1, 0.0, err, source, library)
    song = checked.song
    sources = {source.path: source, **library.sources}
    return SongFacts(song.title, song.tempo, song.key.key, tuple(t.name for t in song.tracks),
                     "\n".join(render_human(d, sources) for d in checked.warnings), len(checked.warnings))


def run_job(job: Job, shared_cache: str | None) -> JobResult:
    """Build one job into its folder; never raises for a job that fails (the batch goes on)."""
    from ..errors import RenderError, SongError
    from ..outputs import OutputError
    from ..pipeline import build
    from ..source import Source

    started = time.monotonic()
    problem = None if job.options.midi_only else blas_problem()
    if problem:
        return JobResult(job.index, False, 0.0, message=problem)
    library = _library()
    source = None
    try:
        source = Source.read(job.song)
        checked = _front_end(source, library, job.options.front)
        build(source, library, Path(job.out_dir), job.options, checked,
              shared_cache=Path(shared_cache) if shared_cache else None)
    except SongError as err:
        return _failed(job.index, time.monotonic() - started, err, source, library)
    except (RenderError, OutputError) as err:
        return JobResult(job.index, False, time.monotonic() - started, message=str(err))
    except OSError as err:
        return JobResult(job.index, False, time.monotonic() - started,
                         message=f"cannot build into {job.name}: {err.strerror or err}")
    return JobResult(job.index, True, time.monotonic() - started)


def _failed(index: int, seconds: float, err, source, library) -> JobResult:
    """A result for a song with errors: its diagnostics as `song build` prints them, and as JSON."""
    from ..errors import render_human, to_json

    sources = {**library.sources, **({source.path: source} if source else {})}
    return JobResult(index, False, seconds, "\n".join(render_human(d, sources) for d in err.diagnostics),
                     tuple(to_json(d) for d in err.diagnostics))


def _library():
    from ..library import Library

    if _memo.library is None:
        _memo.library = Library()
    return _memo.library


def _front_end(source, library, front):
    """The song's front end with `front` (a key and tempo): parsed once per song, resolved once per key
    and tempo."""
    from ..parse import parse
    from ..pipeline import front_end

    song_key = (source.path, source.text)
    front_key = (song_key, front)
    if front_key not in _memo.fronts:
        if song_key not in _memo.trees:
            _remember(_memo.trees, song_key, parse(source), MEMO_TREES)
        _remember(_memo.fronts, front_key, front_end(source, library, front, _memo.trees[song_key]), MEMO_FRONTS)
    return _memo.fronts[front_key]


def _remember(memo: dict, key, value, most: int) -> None:
    memo[key] = value
    while len(memo) > most:
        del memo[next(iter(memo))]


def blas_problem() -> str | None:
    """Why this process cannot make `song build`'s audio bytes, or None.

    The audio filters' rounding depends on BLAS's thread count and kernels (see `cli._pin_blas_kernels`),
    which BLAS reads from the environment once, when numpy is first imported: a pool process gets them
    from the batch, a Dask worker from the environment it was started in.
    """
    from ..cli import blas_environment

    wanted = blas_environment()
    if all(os.environ.get(name) == value for name, value in wanted.items()):
        return None
    if "numpy" not in sys.modules:
        os.environ.update({name: value for name, value in wanted.items() if value is not None})
        for name in [name for name, value in wanted.items() if value is None]:
            os.environ.pop(name, None)
        return None
    settings = " ".join(f"{name}={value}" for name, value in wanted.items() if value is not None)
    return (f"this worker's numpy was loaded without {settings}, so its audio would not be the bytes "
            f"`song build` writes; start the worker with `song worker` (or `env {settings} dask worker …`)")
