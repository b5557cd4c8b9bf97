"""Fault injection: a build interrupted by SIGINT, SIGTERM or SIGKILL at ten points leaves exactly the
previous set of outputs or the new one (by hashes), and the next build cleans up and gives the bytes of
a clean build. (Before issue 8: SIGTERM and kill -9 left `.part` files no build removed, and SIGINT
2-14 s in left the new song.mid and stems beside the old master and report.)

The points are spread over the build's own running time, measured first. To keep CI short, most are on
MIDI-only builds (about half a second each) and a few on full builds of a short song.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

SONG = "title \"Faults\"\nstyle funk.groove\ntempo 120\nsection A\n  | Em7 | A7 | Em7 | A7 |\nform A x4\n"
POINTS = 10


def _command(song: Path, out: Path, seed: int, midi_only: bool) -> list[str]:
    return [sys.executable, "-m", "compiler", "build", str(song), "-o", str(out), "--seed", str(seed), "--quiet",
            *(["--midi-only"] if midi_only else [])]


def _build(song: Path, out: Path, seed: int, midi_only: bool) -> float:
    started = time.monotonic()
    subprocess.run(_command(song, out, seed, midi_only), check=True, cwd=ROOT, capture_output=True)
    return time.monotonic() - started


def _hashes(folder: Path) -> dict[str, str]:
    """The visible outputs (not .cache or bookkeeping) by SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".part") or p.name.startswith(".staging-")]


def _interrupted(song: Path, out: Path, seed: int, midi_only: bool, signum: int, delay: float) -> None:
    process = subprocess.Popen(_command(song, out, seed, midi_only), cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        process.wait(delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signum)
        process.wait()


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """Clean builds of the old (seed 1) and new (seed 2) sets, MIDI-only and full, and their run times."""
    root = tmp_path_factory.mktemp("faults")
    song = root / "faults.song"
    song.write_text(SONG, encoding="utf-8")
    made = {}
    for midi_only in (True, False):
        for seed in (1, 2):
            out = root / f"clean-{seed}-{midi_only}"
            took = _build(song, out, seed, midi_only)
            made[seed, midi_only] = (out, took)
    return song, made


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["INT", "TERM", "KILL"])
@pytest.mark.parametrize("midi_only", [True, False], ids=["midi", "full"])
def test_an_interrupted_build_leaves_the_old_set_or_the_new_one(sets, tmp_path, signum, midi_only):
    song, made = sets
    old_clean, _ = made[1, midi_only]
    new_clean, took = made[2, midi_only]
    old, new = _hashes(old_clean), _hashes(new_clean)
    assert old != new
    points = range(POINTS) if midi_only else range(1, POINTS, 3)  # full builds: 3 of the 10 points
    for point in points:
        out = tmp_path / f"at-{point}"
        shutil.copytree(old_clean, out)
        _interrupted(song, out, 2, midi_only, signum, took * (point + 0.5) / POINTS)
        assert _hashes(out) in (old, new), f"a mixed set after a signal at {point + 0.5}/{POINTS} of the build"
        if midi_only or point == points[-1]:  # the next build cleans up, and gives a clean build's bytes
            _build(song, out, 2, midi_only)
            assert _hashes(out) == new and not _leftovers(out)
