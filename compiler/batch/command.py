"""batch.command: `song batch MANIFEST [-o DIR] [-j N] [--scheduler local|tcp://…] [--quiet] [--format json]`.

The driver: read the manifest, have each song's front end run once (on a worker, which keeps it for
the song's jobs; the driver never loads the stages), expand the jobs from what it found (tempo, key,
tracks), and hand them to the executor; report each as it finishes. A song that does not check fails
its jobs, reported with its diagnostics, and the others are built. Every
job shares one render cache, `DIR/.cache`, so a stem another job (or an earlier batch) rendered is
not rendered again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import BrokenExecutor, Executor, Future, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import Diagnostic, SongError, to_json
from ..source import Source
from .jobs import Job, entry_jobs, folder_clashes, tempo_in_range
from .manifest import Entry, read_manifest
from .progress import Progress
from .prune import prune_shared_stems
from .worker import JobResult, SongFacts, check_song


def add_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("manifest", metavar="MANIFEST", help="a batch manifest (TOML): [[job]] tables")
    sub.add_argument("-o", "--out", default="out", metavar="DIR", help="output folder (default: out/)")
    sub.add_argument("-j", "--jobs", type=_workers, default=os.cpu_count() or 1, metavar="N",
                     help="worker processes (default: the number of cores)")
    sub.add_argument("--scheduler", metavar="ADDRESS",
                     help="run on Dask: 'local' (a LocalCluster of N workers) or a scheduler's tcp://host:8786")
    sub.add_argument("--format", choices=("human", "json"), default="human",
                     help="json: one JSON object per finished job on stdout")
    sub.add_argument("--quiet", action="store_true", help="only failures and the closing line")


def run(args: argparse.Namespace) -> int:
    from ..cli import EXIT_DIAGNOSTICS, EXIT_OK, UsageError, _pin_blas_kernels, _read_source, report_diagnostics
    from .executors import SchedulerError, executor

    manifest = _read_source(args.manifest)
    out = Path(args.out)
    _pin_blas_kernels()  # before any worker starts: each reads BLAS's settings when it loads numpy
    try:
        entries = read_manifest(manifest)
        with executor(args.scheduler, args.jobs) as pool:
            planned = plan_jobs(entries, out, check_songs(entries, pool))
            if planned.warnings and args.format == "human" and not args.quiet:
                print("\n".join(planned.warnings), file=sys.stderr)
            progress = Progress(len(planned.jobs) + len(planned.failed), args.format, args.quiet)
            for job, result in planned.failed:
                progress.finished(job, result)
            _recover(out)
            _run_all(pool, planned.jobs, str((out / ".cache").absolute()), progress)
        if not progress.failed:  # a failed job may still need its stems
            prune_shared_stems(out / ".cache" / "stems", planned.jobs)
    except SongError as err:
        if args.format == "json":  # one line, as every other line of a JSON batch
            print(json.dumps({"manifest": manifest.path, "ok": False, "diagnostics": [to_json(d) for d in err.diagnostics]}))
        else:
            report_diagnostics(err.diagnostics, {manifest.path: manifest}, "human")
        return EXIT_DIAGNOSTICS
    except SchedulerError as err:
        raise UsageError(str(err)) from None
    progress.close(str(out))
    return EXIT_DIAGNOSTICS if progress.failed else EXIT_OK


@dataclass(frozen=True)
class Plan:
    """The jobs to run; a failed job for each song that does not check (nothing to run); each song's
    warnings, as `song build` prints them."""

    jobs: list[Job]
    failed: list[tuple[Job, JobResult]]
    warnings: list[str] = field(default_factory=list)


def plan(manifest: Source, out: Path, pool: Executor | None = None) -> Plan:
    """What a manifest asks for (see `Plan`); the songs are checked on `pool`, or here without one.

    Raises:
        SongError: the manifest's problems (E250-E256), each located in it.
    """
    entries = read_manifest(manifest)
    return plan_jobs(entries, out, check_songs(entries, pool))


def check_songs(entries: list[Entry], pool: Executor | None) -> dict[Path, SongFacts | JobResult]:
    """Each song's front end, once however many entries name it, on the workers (which keep it for the
    song's jobs); without a pool, in this process."""
    paths = list(dict.fromkeys(path for entry in entries for path in entry.songs))
    if pool is None:
        return {path: check_song(str(path)) for path in paths}
    futures = {path: pool.submit(check_song, str(path)) for path in paths}
    return {path: _outcome(future) for path, future in futures.items()}


def plan_jobs(entries: list[Entry], out: Path, songs: dict[Path, SongFacts | JobResult]) -> Plan:
    """The jobs of `entries` for the checked `songs` (E254, E256, and E252 for a tempo share)."""
    jobs: list[Job] = []
    failed: list[tuple[Job, JobResult]] = []
    entry_of: dict[int, Entry] = {}
    problems: list[Diagnostic] = []
    for entry in entries:
        for song_path in entry.songs:
            index = len(jobs) + len(failed)
            song = songs[song_path]
            if isinstance(song, JobResult):
                failed.append((Job(index, str(song_path), str(out / song_path.stem), str(out / song_path.stem),
                                   _no_options()), replace(song, index=index)))
                continue
            made, problem = _entry_jobs(entry, song_path, song, out, index)
            problems += [problem] if problem else []
            entry_of.update((job.index, entry) for job in made)
            jobs += made
    problems += folder_clashes(jobs, entry_of)
    if problems:
        raise SongError(problems)
    return Plan(jobs, failed, [song.warnings for song in songs.values() if isinstance(song, SongFacts) and song.warnings])


def _entry_jobs(entry: Entry, song_path: Path, song: SongFacts, out: Path, index: int) -> tuple[list[Job], Diagnostic | None]:
    """The entry's jobs for one song, or none and the problem (a tempo out of range, a track it lacks)."""
    problem = tempo_in_range(entry, song)
    if problem:
        return [], problem
    try:
        return entry_jobs(entry, song_path, song, out, index), None
    except ValueError as err:
        setting, message = err.args
        return [], Diagnostic("E256", f"{song_path.name}: {message}", entry.spans[setting],
                              "name the song's tracks as `song ir` shows them (minus = \"each\" takes them all)")


def _no_options():
    from ..options import BuildOptions

    return BuildOptions(midi_only=True)


def _run_all(pool, jobs: list[Job], shared_cache: str, progress: Progress) -> None:
    from .worker import run_job

    futures = {pool.submit(run_job, job, shared_cache): job for job in jobs}
    for future in as_completed(futures):
        job = futures[future]
        progress.finished(job, replace(_outcome(future), index=job.index))


def _outcome(future: Future) -> JobResult | SongFacts:
    """The future's result, or a failed JobResult saying why the worker gave none."""
    try:
        return future.result()
    except BrokenExecutor:
        return JobResult(-1, False, 0.0, message="its worker process died (out of memory, or killed)")
    except Exception as err:  # noqa: BLE001 — a worker's failure is this job's, not the batch's
        return JobResult(-1, False, 0.0, message=f"internal error: {type(err).__name__}: {err}".splitlines()[0])


def _recover(out: Path) -> None:
    """Remove what killed jobs left in the shared cache (their temp files)."""
    from ..outputs import recover

    if out.is_dir():
        recover(out)


def add_worker_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("scheduler", metavar="ADDRESS", help="the Dask scheduler, e.g. tcp://host:8786")
    sub.add_argument("options", nargs=argparse.REMAINDER, metavar="…",
                     help="more `dask worker` options, e.g. --nworkers 2")


def run_worker(args: argparse.Namespace) -> int:
    from ..cli import UsageError
    from .executors import SchedulerError, start_worker

    try:
        start_worker(args.scheduler, args.options)
    except SchedulerError as err:
        raise UsageError(str(err)) from None
    return 0  # not reached: the process became the Dask worker


def _workers(text: str) -> int:
    from ..cli import _whole

    return _whole("-j", 1, 256, "a number of processes, e.g. -j 2")(text)
