"""Fuzz driver (issue 8): hostile and careless `song check` inputs, `build --midi-only` with random
options, and full builds; counts exit 3, tracebacks, runs over 30 s and runs over 2 GB.

    python -m bench.fuzz --checks 20000 --midi 1000 --full 50 --seed 1 --workdir /tmp/fuzz

Inputs are the specs, mutated (characters, lines, tokens from the language and hostile ones: huge
numbers, deep nesting, control characters, `use` of odd files), or token soup. Each run goes through
`compiler.cli.main` in a worker process whose address space is capped at 2 GB (so going over is a
MemoryError, which the CLI would report as exit 3) and which measures every run's time; workers are
restarted per batch so one run's memory cannot hide in the next. tests/test_fuzz_driver.py runs a
small number in CI. Same seed, same inputs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.song"))
MEMORY_CAP = 2 << 30
SLOW_S = 30.0
BATCH = 50
TOKENS = ["title", "tempo", "key", "time", "style", "swing", "seed", "use", "section", "form", "arrange", "track",
          "melody", "mix", "master", "pattern", "ending", "level", "fill", "|", "%", ".", "(", ")", "x2", "x64",
          "A", "B", "A.2", "intro", "Cm7", "F7", "Bbmaj7", "V7/V", "N.C.", "G4/8", "r/4", "-2dB", "62%", "3:1",
          "4/4", "6/8", '"t"', '"', "#", "# c", "jazz.swing", "acoustic_bass", "pan", "+20", "volume", "mf",
          "stop", "soundfont", '"/etc/shadow"', '"/dev/zero"', '"../x.sf2"', "1e309", "9" * 400, "0" * 300 + "1",
          "((((((A) x64) x64) x64) x64) x64) x64", "\x00", "\x0b", "\x0c", "\u2028", "\ufeff", "\r", "\t", "\n",
          "\n  ", "\n    ", "tempo 20", "humanize 100.0000000000000000000000000001%", "x" * 300, 'use "song.song"']
OPTIONS = [["--key", "Bb"], ["--key", "F#m"], ["--key", "E minor"], ["--key", ""], ["--key", "C major extra"],
           ["--transpose", "-2"], ["--transpose", "99"], ["--tempo", "60"], ["--tempo", "400"], ["--tempo", "1e309"],
           ["--count-in", "2"], ["--count-in", "17"], ["--seed", "7"], ["--mute", "bass"], ["--solo", "drums"],
           ["--mute", "nobody"], ["--solo", "bass,piano"], ["--format", "flac"], ["--deny-warnings"]]


@dataclass
class Tally:
    runs: int = 0
    by_exit: dict[int, int] = field(default_factory=dict)
    tracebacks: int = 0
    slow: int = 0
    slowest_s: float = 0.0
    peak_rss_mb: float = 0.0
    internal: list[str] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        self.runs += other.runs
        for code, count in other.by_exit.items():
            self.by_exit[code] = self.by_exit.get(code, 0) + count
        self.tracebacks += other.tracebacks
        self.slow += other.slow
        self.slowest_s = max(self.slowest_s, other.slowest_s)
        self.peak_rss_mb = max(self.peak_rss_mb, other.peak_rss_mb)
        self.internal += other.internal[:20 - len(self.internal)]


def mutated(rng: random.Random, originals: list[str]) -> str:
    """A spec with 1-6 edits, or (one time in six) a soup of tokens."""
    if rng.random() < 1 / 6:
        return " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 80)))
    text = rng.choice(originals)
    for _ in range(rng.randint(1, 6)):
        text = rng.choice(_EDITS)(rng, text)
    return text


def _input(kind: str, rng: random.Random, originals: list[str]) -> str:
    """A check gets a mutated spec; a build, half the time a spec as written (so that its random options
    and the whole pipeline are exercised, not only the diagnostics), else a spec with one edit."""
    if kind == "check":
        return mutated(rng, originals)
    text = rng.choice(originals)
    return text if rng.random() < 0.5 else rng.choice(_EDITS)(rng, text)


def _insert_token(rng, text):
    i = rng.randint(0, len(text))
    return text[:i] + rng.choice([" ", "\n", ""]) + rng.choice(TOKENS) + text[i:]


def _delete_span(rng, text):
    i = rng.randint(0, len(text))
    return text[:i] + text[i + rng.randint(1, 20):]


def _lines(edit):
    def apply(rng, text):
        lines = text.split("\n")
        edit(rng, lines)
        return "\n".join(lines)
    return apply


def _swap(rng, lines):
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]


def _duplicate(rng, lines):
    i = rng.randrange(len(lines))
    lines[i:i] = [lines[i]] * rng.choice([1, 2, 50])


def _indent(rng, lines):
    i = rng.randrange(len(lines))
    lines[i] = rng.choice(["", " ", "  ", "    ", "\t"]) + lines[i].lstrip()


_EDITS = [_insert_token, _insert_token, _delete_span, _lines(_swap), _lines(_duplicate), _lines(_indent)]


def _run_one(argv: list[str]) -> tuple[int, str, float]:
    from compiler.cli import main

    err = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse's --help and --version
            code = stop.code if isinstance(stop.code, int) else 2
        except MemoryError:
            code = 3
    return code, err.getvalue(), time.monotonic() - started


def _batch(kind: str, seed: int, count: int, workdir: str) -> Tally:
    """`count` runs of one kind in this (fresh, capped) worker process."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    rng = random.Random(f"{kind}-{seed}")
    originals = [path.read_text(encoding="utf-8") for path in SPECS]
    folder = Path(workdir) / f"{kind}-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    for number in range(count):
        song = folder / "song.song"
        song.write_bytes(_input(kind, rng, originals).encode("utf-8", "surrogatepass"))
        argv = ["check", str(song)] if kind == "check" else \
            ["build", str(song), "-o", str(folder / "out"), "--quiet",
             *(["--midi-only"] if kind == "midi" else []), *sum(rng.sample(OPTIONS, rng.randint(0, 3)), [])]
        code, err, took = _run_one(argv)
        tally.runs += 1
        tally.by_exit[code] = tally.by_exit.get(code, 0) + 1
        tally.tracebacks += "Traceback" in err
        tally.slow += took > SLOW_S
        tally.slowest_s = max(tally.slowest_s, took)
        if code == 3 or "Traceback" in err:
            kept = folder / f"internal-{number}.song"
            kept.write_bytes(song.read_bytes())
            tally.internal.append(f"{kept}: {err.strip().splitlines()[-1] if err.strip() else code}")
    tally.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return tally


def fuzz(kind: str, count: int, seed: int, workdir: Path, workers: int = 2) -> Tally:
    """Run `count` inputs of `kind` ("check", "midi" or "full") in batches; the summed tally."""
    sizes = [BATCH] * (count // BATCH) + ([count % BATCH] if count % BATCH else [])
    total = Tally()
    with ProcessPoolExecutor(workers, max_tasks_per_child=1) as pool:
        for tally in pool.map(_batch, [kind] * len(sizes), [seed * 100_000 + i for i in range(len(sizes))],
                              sizes, [str(workdir)] * len(sizes)):
            total.add(tally)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--midi", type=int, default=100)
    parser.add_argument("--full", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args()
    summary = {}
    for kind, count in (("check", args.checks), ("midi", args.midi), ("full", args.full)):
        started = time.monotonic()
        tally = fuzz(kind, count, args.seed, args.workdir, args.workers)
        summary[kind] = {**tally.__dict__, "wall_s": round(time.monotonic() - started, 1)}
        print(json.dumps({kind: summary[kind]}), flush=True)
    bad = sum(s["by_exit"].get(3, 0) + s["tracebacks"] + s["slow"] for s in summary.values())
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
