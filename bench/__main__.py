"""`make bench`: front end (issue 2), arrangement (issue 3), audio (issue 4). Prints ratios, asserts nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from . import audio, front, midi


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="songspec-bench-") as tmp:
        workdir = Path(tmp)
        for line in front.run(workdir):
            print(line, flush=True)
        for line in midi.run(workdir):
            print(line, flush=True)
        for line in audio.run_spec(workdir):
            print(line, flush=True)


main()
