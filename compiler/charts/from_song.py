"""from_song: an `ir.Song` as a lead sheet to export — its played bars grouped back into the passes of
the form, each a block visited in order, with repeats and endings where passes in a row allow.

The played bars are the song's performance (chords resolved, Roman numerals read, the style's intro and
ending included), so a lead sheet written from it and imported again plays the same chord timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from .. import ir
from .model import Block, ChartBar, ChartChord, ChartNote, Meter

_SHARPS = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
_FLATS = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]


@dataclass
class LeadSheet:
    """What every chart writer writes: the header, and the blocks in the order they are visited, each
    with the passes it plays in a row (its endings, one a pass, when it has them)."""

    title: str
    composer: str
    tonic: str
    mode: str
    tempo: int
    swing: int | None  # percent, None when straight
    style: str  # the stdlib style the song plays
    meter: Meter
    visits: list[tuple[Block, int]]

    @property
    def has_melody(self) -> bool:
        return any(bar.melody for block, _ in self.visits for bar in block.bars + sum(block.endings, []))


def lead_sheet(song: ir.Song, path: str | None = None) -> LeadSheet:
    """The song as a lead sheet; each chord the file `path` wrote keeps where (for an E211 about it)."""
    melody = _melody_by_bar(song)
    passes = [_pass_block(song, p, melody, path) for p in song.passes]
    swing = round(song.swing * 100)
    return LeadSheet(title=song.title, composer=song.composer, tonic=song.key.tonic, mode=song.key.mode,
                     tempo=round(song.tempo), swing=swing if swing > 50 else None, style=song.style.name,
                     meter=Meter(song.meter.num, song.meter.den), visits=_visits(passes))


def _pass_block(song: ir.Song, played: ir.Pass, melody: dict[int, tuple[ChartNote, ...]],
                path: str | None) -> tuple[Block, int, list[ChartBar]]:
    """One pass as a block: its bars, and its ending's bars as the ending it plays."""
    bars = song.bars[played.first_bar - 1:played.first_bar - 1 + played.bar_count]
    chart_bars = [ChartBar(_chords(bar, path), melody.get(bar.number, ())) for bar in bars]
    split = len(chart_bars) - (played.ending_bars if played.ending else 0)
    block = Block(played.label, Meter(bars[0].meter.num, bars[0].meter.den), chart_bars[:split])
    return block, (played.ending if played.ending else 0), chart_bars[split:]


def _chords(bar: ir.PlayedBar, path: str | None) -> tuple[ChartChord, ...]:
    """The bar's chords with their lengths in the meter's beats, a chord held over slots as one."""
    beat = Fraction(4, bar.meter.den) * (3 if bar.meter.den == 8 and bar.meter.num % 3 == 0 else 1)
    chords: list[ChartChord] = []
    for slot in bar.slots:
        symbol, span = chord_symbol(slot.chord), slot.chord.span
        if chords and chords[-1].symbol == symbol:
            chords[-1] = replace(chords[-1], beats=chords[-1].beats + slot.dur / beat)
        else:
            offset = span.start if span is not None and path is not None and span.path == path else None
            chords.append(ChartChord(symbol, slot.dur / beat, offset))
    return tuple(chords)


def first_offset(bars: list[ChartBar]) -> int | None:
    """Where the first chord of some bars is in the song (None: nowhere the song wrote, a style's intro)."""
    return next((chord.offset for bar in bars for chord in bar.chords if chord.offset is not None), None)


def chord_symbol(chord: ir.Chord) -> str:
    """A resolved chord as a letter symbol (`ii7` in Bb is `Cm7`)."""
    if chord.root is None:
        return "N.C."
    return chord.root + chord.quality + (f"/{chord.bass}" if chord.bass else "")


def _visits(passes: list[tuple[Block, int, list[ChartBar]]]) -> list[tuple[Block, int]]:
    """Passes in a row of one section as one repeated block: with no endings, the same bars `x n`;
    with endings, passes taking 1 … k − 1 and then k (as `blocks.passes` plays them back)."""
    visits: list[tuple[Block, int]] = []
    index = 0
    while index < len(passes):
        run = _run(passes, index)
        block, ending, ending_bars = passes[index]
        out = Block(block.label, block.meter, list(block.bars))
        if ending and run > 1:
            endings = {e: bars for _, e, bars in passes[index:index + run]}
            out.endings = [endings[number] for number in range(1, max(endings) + 1)]
        else:  # a pass alone plays its ending as bars of its own
            out.bars += ending_bars
        visits.append((out, run))
        index += run
    return visits


def _run(passes: list[tuple[Block, int, list[ChartBar]]], start: int) -> int:
    """How many passes from `start` make one repeat: the same label and bars, and endings that a repeat
    plays in that order (every ending from 1 to the last, each ending's bars the same every time)."""
    block, ending, _ = passes[start]
    if ending not in (0, 1):
        return 1
    length = 1
    while start + length < len(passes):
        other, other_ending, _ = passes[start + length]
        if other.label != block.label or other.bars != block.bars or bool(other_ending) != bool(ending):
            break
        length += 1
    if not ending:
        return length
    for size in range(length, 1, -1):  # the longest run whose endings read 1, 1, …, 2, 3, …, k
        taken = [e for _, e, _ in passes[start:start + size]]
        k = max(taken)
        if size >= k >= 2 and taken == [min(i, k - 1) for i in range(1, size)] + [k] \
                and _same_endings(passes[start:start + size]):
            return size
    return 1


def _same_endings(run: list[tuple[Block, int, list[ChartBar]]]) -> bool:
    seen: dict[int, list[ChartBar]] = {}
    return all(seen.setdefault(ending, bars) == bars for _, ending, bars in run)


# -- the melody ------------------------------------------------------------------------------------
def _melody_by_bar(song: ir.Song) -> dict[int, tuple[ChartNote, ...]]:
    """The notes of the first melody a track plays, cut into the played bars it sounds in."""
    played = next((t.melody for t in song.tracks if t.melody), None)
    melody = next((m for m in song.melodies if m.name == played), None)
    if melody is None:
        return {}
    starts, at = {}, Fraction(0)
    for bar in song.bars:
        starts[bar.number] = at
        at += Fraction(4 * bar.meter.num, bar.meter.den)
    events: list[tuple[Fraction, Fraction, int | None]] = []
    for begin in _melody_starts(song, melody, starts):
        events += [(begin + n.start, n.dur, n.pitch) for n in melody.notes]
    return _cut(events, song, starts)


def _melody_starts(song: ir.Song, melody: ir.MelodyDef, starts: dict[int, Fraction]) -> list[Fraction]:
    """Where the melody starts: every pass of its section, or the first pass after any intro."""
    if melody.section is not None:
        return [starts[p.first_bar] for p in song.passes if p.label == melody.section and p.kind == "section"]
    first = next((p for p in song.passes if p.kind != "intro"), None)
    return [starts[first.first_bar]] if first else []


def _cut(events: list[tuple[Fraction, Fraction, int | None]], song: ir.Song,
         starts: dict[int, Fraction]) -> dict[int, tuple[ChartNote, ...]]:
    """Notes per bar, a note over a bar line tied into the next bar, rests where nothing sounds."""
    out: dict[int, tuple[ChartNote, ...]] = {}
    for bar in song.bars:
        begin, length = starts[bar.number], Fraction(4 * bar.meter.num, bar.meter.den)
        notes, at = [], begin
        for start, dur, pitch in sorted(e for e in events if e[0] < begin + length and e[0] + e[1] > begin):
            start = max(start, at)
            if start > at:
                notes.append(ChartNote(None, (start - at) / 4))
            end = min(start + dur, begin + length)
            if end > start:
                notes.append(ChartNote(_name(pitch), (end - start) / 4, pitch is not None and end < start + dur))
                at = end
        if notes and any(note.pitch for note in notes):
            if at < begin + length:
                notes.append(ChartNote(None, (begin + length - at) / 4))
            out[bar.number] = tuple(notes)
    return out


def _name(pitch: int | None) -> str | None:
    if pitch is None:
        return None
    return f"{_FLATS[pitch % 12]}{pitch // 12 - 1}"
