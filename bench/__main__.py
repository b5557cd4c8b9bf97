"""`make bench`: front end (issue 2), arrangement (issue 3), audio (issue 4), language server and cold start (issue 12),
chart import (issue 13), catalogue builds (issue 15).
Prints ratios, asserts nothing."""

from __future__ import annotations

import compileall
import tempfile
from pathlib import Path

from . import audio, batch, charts, cold, front, lsp, midi

PACKAGE = Path(__file__).resolve().parent.parent / "compiler"


def main() -> None:
    # Processes are timed as an installed package runs: from compiled bytecode. Without this, an
    # environment with PYTHONDONTWRITEBYTECODE set recompiles every module in every process (~70 ms).
    compileall.compile_dir(PACKAGE, quiet=1)
    with tempfile.TemporaryDirectory(prefix="songspec-bench-") as tmp:
        workdir = Path(tmp)
        for line in front.run(workdir):
            print(line, flush=True)
        for line in midi.run(workdir):
            print(line, flush=True)
        for line in lsp.run(workdir):
            print(line, flush=True)
        for line in cold.run(workdir):
            print(line, flush=True)
        for line in charts.run(workdir):
            print(line, flush=True)
        for line in audio.run_spec(workdir):
            print(line, flush=True)
        for line in batch.run(workdir):
            print(line, flush=True)


main()
