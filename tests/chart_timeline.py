"""The played chord timeline of a chart, for the chart import and export tests: (bar, where in the bar
as a fraction, symbol) for each chord change."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from compiler.cli import compile_front, main


def expected(bars: str) -> list[tuple[int, Fraction, str]]:
    """The timeline written bar by bar in `.song` cell notation (`|` between bars, `.` holds a cell)."""
    out, last = [], None
    for number, bar in enumerate(bars.split("|"), 1):
        cells = bar.split()
        for index, cell in enumerate(cells):
            if cell != "." and cell != last:
                out.append((number, Fraction(index, len(cells)), cell))
            last = cell if cell != "." else last
    return out


def played(path: Path) -> list[tuple[int, Fraction, str]]:
    """The compiled song's chord changes (it must compile with no errors)."""
    song, diagnostics, _ = compile_front(str(path))
    assert song is not None, [d.message for d in diagnostics]
    assert not [d for d in diagnostics if d.severity == "error"]
    out, last = [], None
    for bar in song.bars:
        length = sum(slot.dur for slot in bar.slots)
        for slot in bar.slots:
            if slot.chord.symbol != last:
                out.append((bar.number, slot.start / length, slot.chord.symbol))
            last = slot.chord.symbol
    return out


def run_import(tmp_path: Path, *args: str) -> int:
    """`song import ARGS… -o tmp_path/out`, its exit status."""
    return main(["import", *args, "-o", str(tmp_path / "out")])


def imports_plays_and_builds(fixture: Path, charts: str, tmp_path: Path, capsys) -> None:
    """`song import` writes one `.song` per chart of `charts` (timelines joined by `;`), each plays its
    timeline and checks, and the first builds (MIDI only)."""
    assert run_import(tmp_path, str(fixture)) == 0
    written = [Path(line.removeprefix("wrote ")) for line in capsys.readouterr().out.splitlines()]
    timelines = charts.split(";")
    assert len(written) == len(timelines)
    for path, bars in zip(written, timelines):
        assert played(path) == expected(bars), path.read_text()
        assert main(["check", str(path)]) == 0
    assert main(["build", str(written[0]), "-o", str(tmp_path / "build"), "--midi-only", "--quiet"]) == 0
    assert (tmp_path / "build" / "song.mid").stat().st_size > 0
