"""Every practice spec in specs/ arranges, writes MIDI and keeps the engine's promises (amaranth's test_examples)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from compiler.analyze import analyze_song
from compiler.arrange import arrange
from compiler.arrange.bass import REGISTER
from compiler.arrange.comping import REGISTERS as CHORD_REGISTERS
from compiler.arrange.context import register
from compiler.library import Library
from compiler.midi import to_midi
from compiler.pipeline import front_end
from compiler.report import midi_report
from compiler.source import Source

REGISTERS = {"bass": REGISTER, **CHORD_REGISTERS}
SPECS = sorted((Path(__file__).resolve().parents[1] / "specs").glob("*.song"))


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_spec_arranges(path: Path) -> None:
    song = front_end(Source(str(path), path.read_text(encoding="utf-8")), Library()).song
    timeline = arrange(song)
    assert timeline.model_dump() == arrange(song).model_dump()
    assert timeline.end_tick > 0 and all(t.notes for t in timeline.tracks if not t.muted and t.role != "melody")
    defs = {t.name: t for t in song.tracks}
    for track in timeline.tracks:
        assert all(n.start + n.dur <= timeline.end_tick for n in track.notes), track.name
        if track.role in REGISTERS:
            low, high = register(defs[track.name], REGISTERS[track.role])
            assert all(low <= n.pitch <= high for n in track.notes), track.name
    midi = to_midi(timeline)
    analysis = analyze_song(midi, midi_report(timeline, source=str(path), key="", tempo=float(song.tempo)))
    # The acceptance thresholds, on every spec.
    assert analysis.bass_root_rate is None or analysis.bass_root_rate >= 0.98
    assert analysis.chord_tone_rate is None or analysis.chord_tone_rate >= 0.97
    if song.swing > Fraction(1, 2) and _swings_eighths(song):
        assert abs(analysis.swing - float(song.swing) * 100) <= 2


def _swings_eighths(song) -> bool:
    """Whether the style's drums play 8th grids; a 16th-grid groove (lo-fi) swings its 16ths instead."""
    lanes = [lane for p in song.style.patterns if p.role == "drums" for part in p.levels if part for lane in part.lanes]
    return any(len(bar) in (8, 12) for lane in lanes for bar in lane.steps)
