"""model: one small typed chart, what every chart reader produces and the `.song` writer reads.

A chart is a list of blocks (the sections it will become) and the order they are played in. Each
block's bars hold chords with their lengths in beats, so the played chord timeline is explicit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ..source import Source, Span


class ChartProblem(Exception):
    """A chart that cannot be read: a diagnostic code, a message, what to do instead and, when the
    reader knows it, the offset in the file of the bad part (else the chart's own start is shown)."""

    def __init__(self, code: str, message: str, help: str | None = None, offset: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.help, self.offset = code, message, help, offset


@dataclass(frozen=True)
class ChartChord:
    """One chord of a bar: its symbol as the chart wrote it (`N.C.` for no chord) and its length in
    the bar's beats (`Meter.beats`); a whole number of beats except where a chart splits a beat."""

    symbol: str
    beats: Fraction | int
    # Where the chart wrote it (an offset into the file), for a diagnostic about it; not part of what it plays.
    offset: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ChartNote:
    """One melody note (or a rest: `pitch` None) of a bar, in order: its pitch as `.song` writes it
    (`Bb4`), its length in whole notes, and whether it is tied into the next note."""

    pitch: str | None
    length: Fraction
    tied: bool = False
    offset: int | None = field(default=None, compare=False)  # where the chart wrote it (as ChartChord's)


@dataclass(frozen=True)
class ChartBar:
    """A bar's chords and, when the chart has a melody, its notes filling the bar."""

    chords: tuple[ChartChord, ...]
    melody: tuple[ChartNote, ...] = ()


@dataclass(frozen=True)
class Meter:
    num: int
    den: int

    @property
    def beats(self) -> int:
        """Beats a chart counts in a bar: dotted quarters in 6/8, 9/8, 12/8; otherwise the lower note."""
        return self.num // 3 if self.den == 8 and self.num % 3 == 0 else self.num

    def __str__(self) -> str:
        return f"{self.num}/{self.den}"


@dataclass
class Block:
    """A run of bars played together; with `endings`, each pass ends with one of them (1, 2, …)."""

    label: str
    meter: Meter
    bars: list[ChartBar] = field(default_factory=list)
    endings: list[list[ChartBar]] = field(default_factory=list)
    key: str = ""  # its own key (as Chart.key) when the chart changes key; "" for the chart's key
    lead_only: bool = False  # the band waits and only the melody plays (a pickup with no chord)


@dataclass(frozen=True)
class FormItem:
    """One pass in the played order: a block label, the ending it takes (0 = none), and a count."""

    label: str
    ending: int = 0
    times: int = 1


@dataclass
class Chart:
    """`style` is a stdlib style name, or "" to leave the choice to the compiler (by meter and tempo)."""

    title: str
    composer: str
    style: str
    key: str  # a tonic and mode as `.song` writes them: `F major`, `G minor`
    tempo: int | None
    meter: Meter
    blocks: list[Block]
    form: list[FormItem]
    swing: int | None = None  # percent, when the chart says (MusicXML <swing>)


@dataclass(frozen=True)
class Found:
    """One chart a reader found in a file: where it starts (an offset into the file's text), its
    number in the file, and the chart or the problem that stopped it. `unknown_style` is a style
    name the chart gave that the reader could not map (warning W200 unless `--style` is given);
    `warnings` are the reader's own (a `W` code each), about a chart it could read."""

    offset: int
    number: int
    chart: Chart | None = None
    problem: ChartProblem | None = None
    unknown_style: str = ""
    warnings: tuple[ChartProblem, ...] = ()


def offset_span(source: Source, offset: int) -> Span:
    """The one character at `offset` of a file (a chart, or the song an export reads), for a diagnostic."""
    line = source.text.count("\n", 0, offset) + 1
    col = offset - (source.text.rfind("\n", 0, offset) + 1) + 1
    end = offset + 1 if offset < len(source.text) else offset
    return Span(source.path, line, col, line, col + (end - offset), offset, end)
