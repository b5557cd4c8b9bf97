"""Front-end benchmark (issue 2): parse+check of a generated 500-bar song, and a cold `song check` process;
(issue 8) parse and check of a 10,000-bar song, the most bars a song may play (limits.BARS)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOTS = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
QUALITIES = ["maj7", "m7", "7", "m7b5", "7b9", "6", "9", "13", "7#11", "m9"]
IN_PROCESS_TARGET_S = 0.2
COLD_TARGET_S = 0.25
BIG_BARS, BIG_TARGET_S = 10_000, 2.0


def generated_song(bars: int = 500, per_section: int = 10, tempo: int = 160, meter: str = "4/4") -> str:
    """A song with `bars` distinct written bars: sections of ii-V-I-style changes in every key."""
    lines = ['title "Benchmark"', f"tempo {tempo}", "key C major", f"time {meter}", "style jazz.swing", ""]
    labels = []
    for s in range(bars // per_section):
        label = f"S{s}"
        labels.append(label)
        cells = []
        for b in range(per_section):
            i = s * per_section + b
            first = ROOTS[i % 12] + QUALITIES[i % len(QUALITIES)]
            second = ROOTS[(i * 5 + 7) % 12] + QUALITIES[(i + 3) % len(QUALITIES)]
            cells.append(first if b % 3 else f"{first} {second}")
        lines.append(f"section {label}")
        lines += [f"  | {' | '.join(cells[k:k + 4])} |" for k in range(0, per_section, 4)]
        lines.append("")
    lines.append("form " + " ".join(labels))
    return "\n".join(lines) + "\n"


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _process_time(args: list[str], repeat: int = 7) -> float:
    return _median_time(lambda: subprocess.run(args, check=True, capture_output=True), repeat)


def run(workdir: Path) -> list[str]:
    from compiler.library import Library
    from compiler.pipeline import front_end
    from compiler.source import Source

    path = workdir / "bench500.song"
    path.write_text(generated_song(), encoding="utf-8")
    source = Source.read(path)
    front_end(source, Library())  # warm: imports, grammar cache, stdlib parse
    in_process = _median_time(lambda: front_end(source, Library()), 7)
    python = _process_time([sys.executable, "-c", "pass"])
    cold = _process_time([sys.executable, "-m", "compiler", "check", str(path)])
    return [*_big(workdir),
        f"front end: parse+check of a 500-bar song   {in_process * 1000:7.1f} ms   "
        f"target {IN_PROCESS_TARGET_S * 1000:.0f} ms   ratio {in_process / IN_PROCESS_TARGET_S:.2f}",
        f"front end: cold `song check` process       {cold * 1000:7.1f} ms   "
        f"target {COLD_TARGET_S * 1000:.0f} ms   ratio {cold / COLD_TARGET_S:.2f}   "
        f"(bare python start {python * 1000:.1f} ms: {cold / python:.1f}x)",
    ]


def _big(workdir: Path) -> list[str]:
    """Parse alone, and parse+check, of 10,000 written bars (2/4 at 400 BPM, so within the hour a song
    may last), in process; medians and ranges of 3 runs."""
    from compiler.library import Library
    from compiler.parse import parse
    from compiler.pipeline import front_end
    from compiler.source import Source

    path = workdir / "bench10000.song"
    path.write_text(generated_song(BIG_BARS, tempo=400, meter="2/4"), encoding="utf-8")
    source = Source.read(path)
    lines = []
    for name, work in (("parse", lambda: parse(source)), ("parse+check", lambda: front_end(source, Library()))):
        times = [_median_time(work, 1) for _ in range(3)]
        lines.append(f"front end: {name} of a {BIG_BARS:,}-bar song {statistics.median(times):8.2f} s "
                     f"(range {min(times):.2f}-{max(times):.2f})   target {BIG_TARGET_S:.0f} s   "
                     f"ratio {statistics.median(times) / BIG_TARGET_S:.2f}")
    return lines
