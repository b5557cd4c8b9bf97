"""Chart import benchmark (issue 13): `song import` of a 400-chart iReal Pro playlist — parse, write and
check every chart — in one process, against the 10 s target. The playlist is made here from the
project's own hand-written fixture charts (tests/data/charts/ireal/charts.txt), each with its own title."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
CHARTS = ROOT / "tests" / "data" / "charts" / "ireal" / "charts.txt"
PLAYLIST_CHARTS, TARGET_S = 400, 10.0


def playlist(count: int = PLAYLIST_CHARTS) -> str:
    """One `irealb://` link holding `count` charts: the fixtures' charts in turn, numbered titles."""
    from compiler.charts.ireal import MUSIC_PREFIX, unscramble

    songs = []
    for line in CHARTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or " irealb " not in line:
            continue
        for chart in line.split(" irealb ", 1)[1].split(" ||| "):
            title, composer, style, key, bpm, music = (part.strip() for part in chart.split(" ~ "))
            songs.append((title, composer, style, key, bpm, music))
    parts = []
    for number in range(count):
        title, composer, style, key, bpm, music = songs[number % len(songs)]
        fields = [f"{title} {number + 1}", composer, "", style, key, "", MUSIC_PREFIX + unscramble(music), "", bpm, "0"]
        parts.append("=".join(fields))
    return "irealb://" + quote("===".join(parts + ["Bench Playlist"]), safe="")


def run(workdir: Path, repeat: int = 3, checkout: Path = ROOT) -> list[str]:
    """Medians and ranges of `repeat` cold `song import` processes (a fresh output folder each), in
    wall-clock and in CPU time (which other work on the machine disturbs less). `checkout` is the
    source tree whose compiler runs (another one to compare a change with)."""
    source = workdir / "playlist.html"
    source.write_text(f"<html><body><a href=\"{playlist()}\">playlist</a></body></html>\n", encoding="utf-8")
    walls, cpus = [], []
    for run_number in range(repeat):
        out = workdir / f"imported{run_number}"
        wall, cpu, problem = _import(source, out, checkout)
        if problem:
            return [problem]
        walls.append(wall)
        cpus.append(cpu)
    median = statistics.median(walls)
    return [f"chart import: {PLAYLIST_CHARTS}-chart iReal playlist (parse+write+check) {median:6.2f} s   "
            f"range {min(walls):.2f}-{max(walls):.2f} s, CPU {statistics.median(cpus):.2f} s ({repeat} runs)   "
            f"target {TARGET_S:.0f} s   ratio {median / TARGET_S:.2f}"]


def _import(source: Path, out: Path, checkout: Path) -> tuple[float, float, str]:
    """One `song import` process: its wall-clock and CPU seconds, or what went wrong."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "compiler", "import", str(source), "-o", str(out)],
                          capture_output=True, text=True, cwd=checkout)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    written = len(list(out.glob("*.song")))
    if done.returncode != 0 or written != PLAYLIST_CHARTS:
        return wall, cpu, (f"chart import: {written} of {PLAYLIST_CHARTS} charts written (exit "
                           f"{done.returncode}): {done.stderr.strip()[:200]}")
    return wall, cpu, ""


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="songspec-bench-charts-") as tmp:
        for line in run(Path(tmp)):
            print(line)
