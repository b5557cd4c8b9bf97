"""chordpro_writer: a `from_song.LeadSheet` as a ChordPro song of `{start_of_grid}` grids, one a visit
of a section, with its repeat signs, endings and `x3`; `chordpro.read_text` reads it back to the same
chord timeline."""

from __future__ import annotations

from fractions import Fraction

from .from_song import LeadSheet, first_offset
from .model import Block, ChartBar, ChartProblem, Meter
from .song_writer import beat_unit

_MINOR_MODES = {"minor", "aeolian", "dorian", "phrygian", "locrian", "harmonic_minor", "melodic_minor"}


def write(sheet: LeadSheet) -> str:
    """Raises ChartProblem (E211) for a bar the grid cannot share evenly."""
    minor = "m" if sheet.mode in _MINOR_MODES else ""
    lines = [f"{{title: {sheet.title}}}"] + ([f"{{composer: {sheet.composer}}}"] if sheet.composer else [])
    lines += [f"{{key: {sheet.tonic}{minor}}}", f"{{tempo: {sheet.tempo}}}", f"{{time: {sheet.meter}}}", ""]
    meter = sheet.meter
    for number, (block, times) in enumerate(sheet.visits, 1):
        if block.meter != meter:
            lines.append(f"{{time: {block.meter}}}")
            meter = block.meter
        lines += [f"{{start_of_grid: {block.label}}}", _grid_line(block, times, number), "{end_of_grid}", ""]
    return "\n".join(lines)


def _grid_line(block: Block, times: int, number: int) -> str:
    """`|: C . . . | G7 . . . |1 … :|2 … || x3`: the bars, each ending after the sign that opens it."""
    repeated = times > 1 or bool(block.endings)
    tokens = ["|:" if repeated else "|"] + _bar_tokens(block.bars, block.meter, number)
    for index, ending in enumerate(block.endings, 1):
        tokens += ["|1" if index == 1 else f":|{index}"] + _bar_tokens(ending, block.meter, number)
    tokens.append("||" if block.endings else ":|" if repeated else "|")
    passes = max(times, len(block.endings))
    return " ".join(tokens) + (f" x{passes}" if passes > 2 else "")


def _bar_tokens(bars: list[ChartBar], meter: Meter, number: int) -> list[str]:
    tokens: list[str] = []
    for bar in bars:
        tokens += (["|"] if tokens else []) + [_cells(bar, meter, number)]
    return tokens


def _cells(bar: ChartBar, meter: Meter, number: int) -> str:
    """One cell per beat (or part of a beat), `.` for each cell a chord holds."""
    unit = beat_unit(bar)
    cells = int(Fraction(meter.beats) / unit)
    if meter.num % cells:
        raise ChartProblem("E211", f"section {number} has a bar a ChordPro grid cannot write in {meter}: "
                           + " ".join(f"{c.symbol} ({c.beats} beats)" for c in bar.chords),
                           "export to MusicXML, which writes any rhythm", first_offset([bar]))
    return " ".join(" ".join([c.symbol] + ["."] * (int(c.beats / unit) - 1)) for c in bar.chords)
