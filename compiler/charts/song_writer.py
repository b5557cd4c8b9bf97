"""song_writer: a `model.Chart` as formatted `.song` text (canonical, through `song fmt`)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from functools import lru_cache, reduce
from math import gcd

from ..fmt import format_source
from .model import Block, Chart, ChartBar, ChartNote, FormItem, Meter

BARS_PER_LINE = 4
MELODY_INSTRUMENT = "flute"  # the chart's melody as a lead over the band


def write_song(chart: Chart) -> str:
    lines = [f'title "{_quoted(chart.title)}"']
    if chart.composer:
        lines.append(f'composer "{_quoted(chart.composer)}"')
    if chart.tempo:
        lines.append(f"tempo {chart.tempo}")
    lines += [f"key {chart.key}", f"time {chart.meter}"]
    lines += [f"style {chart.style}"] if chart.style else []
    lines += [f"swing {chart.swing}%", ""] if chart.swing else [""]
    written: set[str] = set()
    for block in chart.blocks:
        if block.label not in written:
            written.add(block.label)
            lines += _section(block, chart) + [""]
    lines.append("form " + " ".join(_form_item(item) for item in chart.form))
    waits = [block for block in chart.blocks if block.lead_only]
    if waits:  # only the melody plays: `break N` over the whole of each such section
        lines += ["", "arrange"] + [f"  {block.label} break {len(block.bars)}" for block in waits]
    if any(bar.melody for block in chart.blocks for bar in block.bars + sum(block.endings, [])):
        lines += ["", f"track lead {MELODY_INSTRUMENT} melody tune", "", "melody tune"]
        lines += [f"  | {' '.join(_notes(notes))} |" for notes in song_bars(_played_melody(chart), chart.meter)]
    return format_source("\n".join(lines) + "\n")


def _notes(notes: tuple[ChartNote, ...]) -> list[str]:
    return [token for note in notes for token in note_tokens(note.pitch or "r", note.length, note.tied)]


def _played_melody(chart: Chart) -> list[ChartNote]:
    """The melody's notes in the played order (a rest for a bar without one), so one `melody` that
    plays once from the first bar follows every repeat, ending and jump of the form."""
    blocks = {block.label: block for block in chart.blocks}
    out = []
    for item in chart.form:
        block = blocks[item.label]
        bars = block.bars + (block.endings[item.ending - 1] if item.ending else [])
        rest = (ChartNote(None, Fraction(block.meter.num, block.meter.den)),)
        out += [note for _ in range(item.times) for bar in bars for note in bar.melody or rest]
    return out


def song_bars(notes: list[ChartNote], meter: Meter) -> list[tuple[ChartNote, ...]]:
    """Notes cut into bars of the song's meter, which a whole-song melody's bars are checked against
    (whatever the meter of the section under them): a note across a bar line is tied over it (a rest
    is two rests), and a last bar is filled with a rest."""
    length = Fraction(meter.num, meter.den)
    bars: list[list[ChartNote]] = [[]]
    room = length
    for note in notes:
        left = note.length
        while left > 0:
            if room == 0:
                bars.append([])
                room = length
            part = min(left, room)
            left, room = left - part, room - part
            bars[-1].append(replace(note, length=part, tied=note.tied if left == 0 else note.pitch is not None))
    if room:
        bars[-1].append(ChartNote(None, room))
    return [tuple(bar) for bar in bars]


def _quoted(text: str) -> str:
    return text.replace('"', "'")


def _section(block: Block, chart: Chart) -> list[str]:
    head = f"section {block.label}"
    if block.meter != chart.meter:
        head += f" time {block.meter}"
    if block.key and block.key != chart.key:
        head += f" key {block.key}"
    rows = [block.bars[i:i + BARS_PER_LINE] for i in range(0, len(block.bars), BARS_PER_LINE)]
    lines = [head] + [f"  {_bars(row)}" for row in rows]
    lines += [f"  ending {number} {_bars(bars)}" for number, bars in enumerate(block.endings, 1)]
    return lines


def _bars(bars: list[ChartBar]) -> str:
    return "| " + " | ".join(_cells(bar) for bar in bars) + " |"


def _cells(bar: ChartBar) -> str:
    """One cell per beat (`C . . G7`), or per part of a beat when a chord starts inside one; one cell
    when the bar has one chord."""
    if len(bar.chords) == 1:
        return bar.chords[0].symbol
    unit = beat_unit(bar)
    return " ".join(" ".join([chord.symbol] + ["."] * (int(chord.beats / unit) - 1)) for chord in bar.chords)


def beat_unit(bar: ChartBar) -> Fraction:
    """The cell a bar is written in: a beat, or the part of a beat every chord is a whole number of."""
    return reduce(_gcd, (Fraction(chord.beats) for chord in bar.chords), Fraction(1))


def _gcd(a: Fraction, b: Fraction) -> Fraction:
    """The largest length both are whole multiples of."""
    return Fraction(gcd(a.numerator * b.denominator, b.numerator * a.denominator), a.denominator * b.denominator)


def _form_item(item: FormItem) -> str:
    text = f"{item.label}.{item.ending}" if item.ending else item.label
    return f"{text} x{item.times}" if item.times > 1 else text


# Every note value a `.song` melody writes in one note (plain, dotted, double-dotted, triplet), longest first.
_VALUES = sorted(((Fraction(m, base) * Fraction(1, n), f"{n}{mark}")
                  for n in (1, 2, 4, 8, 16, 32) for m, base, mark in ((1, 1, ""), (3, 2, "."), (7, 4, ".."),
                                                                       (2, 3, "t"))), reverse=True)


def note_tokens(pitch: str, length: Fraction, tied: bool = False) -> list[str]:
    """A note (or rest `r`) of `length` whole notes as `.song` notes: one value if it has one, else
    tied values, longest first.

    >>> note_tokens("C5", Fraction(5, 8))
    ['C5/2~', 'C5/8']
    """
    values = [name for _, name in note_values(length)]
    tie = "" if pitch == "r" else "~"
    return [f"{pitch}/{name}{tie if index < len(values) - 1 or tied else ''}" for index, name in enumerate(values)]


_PLAIN = [(value, name) for value, name in _VALUES if not name.endswith("t")]
MOST_TIED = 6  # values tied into one note before a length counts as one `.song` cannot write


def note_values(length: Fraction) -> list[tuple[Fraction, str]]:
    """`length` whole notes as note values (`2.`, `8t`), longest first, one if a single value is it:
    without triplets when it can be (a quarter and a dotted sixteenth is not a half triplet and a bit),
    else any values. A length no values add up to (a quintuplet's fifth of a quarter) comes out as the
    nearest values above it: `writable` says which lengths are exact."""
    for pool in (_PLAIN, _VALUES):
        values = _greedy(length, pool)
        if values is not None:
            return values
    return list(_exact(length, MOST_TIED, 0) or ()) or _greedy(length, _VALUES, exact=False)


def writable(length: Fraction) -> bool:
    """Whether `length` whole notes is one `.song` note value or a few tied ones, exactly."""
    return length > 0 and sum(value for value, _ in note_values(length)) == length


def _greedy(length: Fraction, pool, exact: bool = True) -> list[tuple[Fraction, str]] | None:
    values, left = [], length
    while left > 0 and len(values) < MOST_TIED:
        value, name = next(((v, n) for v, n in pool if v <= left), pool[-1])
        if exact and value > left:
            return None
        values.append((value, name))
        left -= value
    return values if left <= 0 or not exact else None


_GRID = 384  # every value is a whole number of 384ths of a whole note (32.. is 21, 32t is 8)


@lru_cache(maxsize=4096)
def _exact(length: Fraction, most: int, first: int) -> tuple[tuple[Fraction, str], ...] | None:
    """The values from `_VALUES[first:]`, longest first, that add up to `length` exactly in at most
    `most` notes (a search: a sixteenth and a thirty-second triplet is what the greedy choice of a
    dotted thirty-second misses)."""
    if length == 0:
        return ()
    if most == 0 or (length * _GRID).denominator != 1 or length > most * _VALUES[first][0]:
        return None
    for index in range(first, len(_VALUES)):
        value, name = _VALUES[index]
        if value <= length:
            rest = _exact(length - value, most - 1, index)
            if rest is not None:
                return ((value, name),) + rest
    return None
