"""song_writer: a `model.Chart` as formatted `.song` text (canonical, through `song fmt`)."""

from __future__ import annotations

from fractions import Fraction
from functools import reduce
from math import gcd

from ..fmt import format_source
from .model import Block, Chart, ChartBar, FormItem

BARS_PER_LINE = 4


def write_song(chart: Chart) -> str:
    lines = [f'title "{_quoted(chart.title)}"']
    if chart.composer:
        lines.append(f'composer "{_quoted(chart.composer)}"')
    if chart.tempo:
        lines.append(f"tempo {chart.tempo}")
    lines += [f"key {chart.key}", f"time {chart.meter}"]
    lines += [f"style {chart.style}", ""] if chart.style else [""]
    written: set[str] = set()
    for block in chart.blocks:
        if block.label not in written:
            written.add(block.label)
            lines += _section(block, chart) + [""]
    lines.append("form " + " ".join(_form_item(item) for item in chart.form))
    return format_source("\n".join(lines) + "\n")


def _quoted(text: str) -> str:
    return text.replace('"', "'")


def _section(block: Block, chart: Chart) -> list[str]:
    head = f"section {block.label}"
    if block.meter != chart.meter:
        head += f" time {block.meter}"
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
    unit = reduce(_gcd, (Fraction(chord.beats) for chord in bar.chords), Fraction(1))
    return " ".join(" ".join([chord.symbol] + ["."] * (int(chord.beats / unit) - 1)) for chord in bar.chords)


def _gcd(a: Fraction, b: Fraction) -> Fraction:
    """The largest length both are whole multiples of."""
    return Fraction(gcd(a.numerator * b.denominator, b.numerator * a.denominator), a.denominator * b.denominator)


def _form_item(item: FormItem) -> str:
    text = f"{item.label}.{item.ending}" if item.ending else item.label
    return f"{text} x{item.times}" if item.times > 1 else text
