"""batch.progress: finished `JobResult`s -> what the person or the CI log sees.

    human, on a terminal   one status line, redrawn: done/total, failures, elapsed, ETA; failures above it
    human, into a file     one line per finished job
    --quiet                failures and the closing line only
    --format json          one JSON object per finished job on stdout (and nothing else there)
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import TextIO

from .jobs import Job
from .worker import JobResult


class Progress:
    """Counts finished jobs and shows them (see the module docstring)."""

    def __init__(self, total: int, fmt: str = "human", quiet: bool = False, err: TextIO | None = None,
                 out: TextIO | None = None) -> None:
        self.total, self.fmt, self.quiet = total, fmt, quiet
        self.err, self.out = err or sys.stderr, out or sys.stdout
        self.done = self.failed = 0
        self.started = time.monotonic()
        self._live = self.fmt == "human" and not quiet and self.err.isatty()

    def finished(self, job: Job, result: JobResult) -> None:
        self.done += 1
        self.failed += not result.ok
        if self.fmt == "json":
            print(json.dumps(self._record(job, result)), file=self.out, flush=True)
            return
        if not result.ok:
            self._clear()
            print(f"song: failed: {job.name} ({Path(job.song).name})", file=self.err)
            print(result.diagnostics or f"song: {result.message}", file=self.err)
        elif not self.quiet and not self._live:
            print(f"[{self.done}/{self.total}] {job.name} ({result.seconds:.1f} s)", file=self.err)
        if self._live:
            self._draw()

    def close(self, out_dir: str) -> None:
        self._clear()
        elapsed = time.monotonic() - self.started
        failures = f", {self.failed} failed" if self.failed else ""
        line = f"built {self.done - self.failed} of {self.total} jobs into {out_dir}/ in {elapsed:.1f} s{failures}"
        if self.fmt == "human":
            print(line, file=self.out)
        elif not self.quiet:
            print(f"song: {line}", file=self.err)

    def _record(self, job: Job, result: JobResult) -> dict:
        return {"job": job.index, "done": self.done, "total": self.total, "ok": result.ok, "song": job.song,
                "out": job.name, "seconds": round(result.seconds, 3),
                "build": shlex.join(["song", "build", *job.build_command()]),
                "diagnostics": list(result.records), "message": result.message}

    def _draw(self) -> None:
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        failed = f", {self.failed} failed" if self.failed else ""
        print(f"\r[{self.done}/{self.total}]{failed}  {_clock(elapsed)} elapsed, ETA {_clock(eta)}   ",
              end="", file=self.err, flush=True)

    def _clear(self) -> None:
        if self._live:
            print("\r\033[K", end="", file=self.err)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds + 0.5), 60)
    return f"{minutes}:{rest:02d}"
