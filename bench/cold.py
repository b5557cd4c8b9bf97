"""Cold start (issue 12): `song check` and `song build --midi-only` of the 104-bar medium-swing spec as
whole processes, against a bare `python -c pass` in the same run.

The runs are interleaved (pass, check, build, pass, …) so a busy machine slows all of them alike, and
the ratios are of medians: of wall-clock time, and of CPU time (user + system, from the kernel's
accounting of each child), which a machine shared with other work disturbs far less. Two floors are
printed beside them: the imports every cold run pays before it reads a song (pydantic's model
machinery and lark, then the same quick exit as `song check`), and `song --version` (the CLI alone).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "medium_swing.song"
GOALS = {"check": 3.5, "build": 4.5}  # most times a bare `python -c pass`, issue 12
RUNS = 9
NO_CACHE = {"SONGSPEC_CACHE": os.path.join(os.devnull, "none")}  # a folder that cannot exist: no parse cache


def commands(workdir: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "pass": [python, "-c", "pass"],
        # Left as the one-shot commands leave, without the interpreter's teardown (cli.run).
        "floor": [python, "-c", "import os, pydantic.main, lark; os._exit(0)"],
        "version": [python, "-m", "compiler", "--version"],
        "check": [python, "-m", "compiler", "check", str(SPEC)],
        "uncached": [python, "-m", "compiler", "check", str(SPEC)],  # run with NO_CACHE: parses the stdlib
        "folder": [python, "-m", "compiler", "check", str(SPEC.parent)],
        "build": [python, "-m", "compiler", "build", str(SPEC), "--midi-only", "--quiet", "-o", str(workdir / "cold")],
    }


def measure(workdir: Path, runs: int = RUNS) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds per run of each command, interleaved; one unmeasured round first (disk
    caches, bytecode)."""
    todo = commands(workdir)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in todo}
    for round_ in range(runs + 1):
        for name, args in todo.items():
            before, start = _children_cpu(), time.perf_counter()
            env = {**os.environ, **NO_CACHE} if name == "uncached" else None
            subprocess.run(args, check=True, capture_output=True, cwd=ROOT, env=env)
            if round_:
                times[name].append((time.perf_counter() - start, _children_cpu() - before))
    return times


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(workdir: Path) -> list[str]:
    times = measure(workdir)
    wall = {name: statistics.median(t for t, _ in values) for name, values in times.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in times.items()}
    lines = []
    for name, label in (("check", "`song check`"), ("build", "`song build --midi-only`")):
        walls = [t for t, _ in times[name]]
        ratio, cpu_ratio = wall[name] / wall["pass"], cpu[name] / cpu["pass"]
        lines.append(f"cold start: {label:26} {wall[name] * 1000:7.1f} ms (range {min(walls) * 1000:.0f}-"
                     f"{max(walls) * 1000:.0f})   {ratio:5.2f}x a bare python (CPU time {cpu_ratio:5.2f}x)   "
                     f"goal {GOALS[name]}x   {'met' if max(ratio, cpu_ratio) <= GOALS[name] else 'not met'}")
    lines.append(f"cold start: `song check` parsing the stdlib (no parse cache) {wall['uncached'] * 1000:7.1f} ms   "
                 f"{wall['uncached'] / wall['pass']:5.2f}x (CPU time {cpu['uncached'] / cpu['pass']:5.2f}x)")
    songs = len(list(SPEC.parent.glob("*.song")))
    lines.append(f"cold start: `song check specs/` ({songs} songs) {wall['folder'] * 1000:7.1f} ms, "
                 f"{(wall['folder'] - wall['check']) / (songs - 1) * 1000:.1f} ms a song after the first "
                 f"(CPU {(cpu['folder'] - cpu['check']) / (songs - 1) * 1000:.1f} ms)")
    lines.append(f"cold start: floors: bare `python -c pass` {wall['pass'] * 1000:.1f} ms "
                 f"(CPU {cpu['pass'] * 1000:.1f} ms); `song --version` {wall['version'] / wall['pass']:.2f}x "
                 f"(CPU {cpu['version'] / cpu['pass']:.2f}x); importing pydantic.main + lark "
                 f"{wall['floor'] / wall['pass']:.2f}x (CPU {cpu['floor'] / cpu['pass']:.2f}x)")
    return lines


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="songspec-cold-") as tmp:
        print("\n".join(run(Path(tmp))))
