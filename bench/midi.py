"""Arrangement benchmark (issue 3): `song build --midi-only` on the 104-bar medium-swing spec."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .front import _median_time, _process_time

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "medium_swing.song"
MMA_REFERENCE_S = 0.31      # MMA's whole-process time for such a tune on this kind of machine (issue 3)
PROCESS_TARGET_S = 0.15
IN_PROCESS_TARGET_S = 0.05
FIRST = ROOT / "bench" / "first_measurements.json"


def run(workdir: Path) -> list[str]:
    from compiler.arrange import arrange
    from compiler.library import Library
    from compiler.midi import to_midi
    from compiler.pipeline import front_end
    from compiler.source import Source

    song = front_end(Source.read(SPEC), Library()).song
    to_midi(arrange(song))  # warm
    in_process = _median_time(lambda: to_midi(arrange(song)), 9)
    python = _process_time([sys.executable, "-c", "pass"])
    whole = _process_time([sys.executable, "-m", "compiler", "build", str(SPEC), "--midi-only", "--quiet",
                           "-o", str(workdir / "midi")])
    bars = len(song.bars)
    first = _first_measurement("midi_only_process_s", whole)
    return [
        f"arrange: arrange+MIDI in-process ({bars} bars)       {in_process * 1000:7.1f} ms   "
        f"target {IN_PROCESS_TARGET_S * 1000:.0f} ms   ratio {in_process / IN_PROCESS_TARGET_S:.2f}",
        f"arrange: `song build --midi-only` whole process {whole * 1000:7.1f} ms   "
        f"target {PROCESS_TARGET_S * 1000:.0f} ms   ratio {whole / PROCESS_TARGET_S:.2f}   "
        f"vs MMA 0.31 s: {whole / MMA_REFERENCE_S:.2f}x   vs our first measurement: {whole / first:.2f}x   "
        f"(bare python start {python * 1000:.1f} ms)",
    ]


def _first_measurement(key: str, value: float) -> float:
    """Our own first measurement, kept in the repository so later runs print progress against it."""
    data = json.loads(FIRST.read_text()) if FIRST.exists() else {}
    if key not in data:
        data[key] = round(value, 4)
        FIRST.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return data[key]
