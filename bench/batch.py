"""Catalogue benchmark (issue 15): `song batch` of the 104-bar spec in all 12 keys, in one run.

- MIDI-only: the batch (one process, a pool of 2 spawned workers) against 12 separate
  `song build --midi-only` processes one after another, as a shell loop runs them (target: the batch
  in at most 0.25 of their time), and against the same 12 processes two at a time (`xargs -P 2`).
- The same batch on a Dask LocalCluster of 2 workers (its start-up included), against the pool.
- Full audio: the 12-key batch cold (an empty output folder, so an empty render cache), in jobs per
  minute on the pool and on the LocalCluster, and the re-run that finds every stem cached.

Each MIDI-only contender runs `RUNS` times, in turn, each time into an empty folder (every job is built,
none found up to date), and medians are compared (ranges printed); the
audio batches run once each (a minute or more apiece on 2 cores). Beside wall time, the CPU time of
each contender's processes (user + system, every child included) is compared: on a machine shared
with other work it says what the batch saves even when the wall times are noisy. Nothing is asserted.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "medium_swing.song"  # 104 bars
KEYS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
WORKERS = 2
RUNS = 3
TARGET = 0.25


def run(workdir: Path) -> list[str]:
    midi_manifest = _manifest(workdir / "midi.toml", midi_only=True)
    audio_manifest = _manifest(workdir / "audio.toml", midi_only=False)
    loop, pair, batch, dask = [], [], [], []
    for _ in range(RUNS):
        # Every run builds from scratch: a folder left by the run before would be up to date, and
        # each contender would time its "nothing written" check instead of the build.
        for folder in ("loop", "pairs", "batch", "dask"):
            shutil.rmtree(workdir / folder, ignore_errors=True)
        loop.append(_timed(lambda: [_song("build", str(SPEC), "--key", key, "--midi-only", "--quiet",
                                          "-o", str(workdir / "loop" / key)) for key in KEYS]))
        pair.append(_timed(lambda: _pairs(workdir)))
        batch.append(_timed(lambda: _batch(midi_manifest, workdir / "batch")))
        dask.append(_timed(lambda: _batch(midi_manifest, workdir / "dask", "--scheduler", "local")))
    wall = {name: [w for w, _ in runs] for name, runs in (("loop", loop), ("pair", pair), ("batch", batch), ("dask", dask))}
    cpu = {name: [c for _, c in runs] for name, runs in (("loop", loop), ("pair", pair), ("batch", batch), ("dask", dask))}
    lines = [
        f"batch: 12-key MIDI-only batch of {SPEC.name} (104 bars), -j {WORKERS}   {_spread(wall['batch'])}   "
        f"CPU {_median(cpu['batch']):.2f} s",
        f"batch:   vs 12 `song build --midi-only` processes in turn {_spread(wall['loop'])}   "
        f"ratio {_median(wall['batch']) / _median(wall['loop']):.2f} (target <= {TARGET})   "
        f"CPU {_median(cpu['loop']):.2f} s, ratio {_median(cpu['batch']) / _median(cpu['loop']):.2f}",
        f"batch:   vs the 12 processes two at a time          {_spread(wall['pair'])}   "
        f"ratio {_median(wall['batch']) / _median(wall['pair']):.2f}",
        f"batch:   on a Dask LocalCluster of {WORKERS} workers (start-up included) {_spread(wall['dask'])}   "
        f"ratio to the pool {_median(wall['dask']) / _median(wall['batch']):.2f}   "
        f"CPU {_median(cpu['dask']):.2f} s, ratio {_median(cpu['dask']) / _median(cpu['batch']):.2f}",
    ]
    return lines + _audio(audio_manifest, workdir)


def _audio(manifest: Path, workdir: Path) -> list[str]:
    pool, _ = _timed(lambda: _batch(manifest, workdir / "audio-pool"))
    rerun, _ = _timed(lambda: _batch(manifest, workdir / "audio-pool"))
    dask, _ = _timed(lambda: _batch(manifest, workdir / "audio-dask", "--scheduler", "local"))
    for folder in ("audio-pool", "audio-dask"):
        shutil.rmtree(workdir / folder, ignore_errors=True)  # about 3 GB of stems and mix caches
    return [
        f"batch: 12-key full-audio batch (stems, mix, master), cold, -j {WORKERS}   {pool:6.1f} s   "
        f"{12 * 60 / pool:5.1f} jobs/min",
        f"batch:   on a Dask LocalCluster of {WORKERS} workers            {dask:6.1f} s   "
        f"{12 * 60 / dask:5.1f} jobs/min   ratio to the pool {dask / pool:.2f}",
        f"batch:   the re-run (every stem in the render cache)          {rerun:6.1f} s   ratio {rerun / pool:.2f}",
    ]


def _manifest(path: Path, *, midi_only: bool) -> Path:
    path.write_text(f'[[job]]\nsong = "{SPEC}"\nkeys = "all"\nmidi_only = {str(midi_only).lower()}\n')
    return path


def _batch(manifest: Path, out: Path, *options: str) -> None:
    _song("batch", str(manifest), "-o", str(out), "-j", str(WORKERS), "--quiet", *options)


def _pairs(workdir: Path) -> None:
    """The 12 builds as `xargs -P 2` runs them: two processes at a time."""
    running: list[subprocess.Popen] = []
    for key in KEYS:
        if len(running) == WORKERS:
            running.pop(0).wait()
        running.append(subprocess.Popen([sys.executable, "-m", "compiler", "build", str(SPEC), "--key", key,
                                         "--midi-only", "--quiet", "-o", str(workdir / "pairs" / key)],
                                        stdout=subprocess.DEVNULL))
    for process in running:
        process.wait()


def _song(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "compiler", *args], check=True, stdout=subprocess.DEVNULL)


def _timed(work) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system of every child process that ended) of `work`."""
    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    start, cpu = time.perf_counter(), children_cpu()
    work()
    return time.perf_counter() - start, children_cpu() - cpu


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _spread(values: list[float]) -> str:
    return f"median {_median(values):6.2f} s (range {min(values):.2f}-{max(values):.2f})"
