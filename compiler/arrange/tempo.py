"""arrange.tempo: the conductor's events -> tempo map (ramps stepped per beat), meters, keys, markers, chords."""

from __future__ import annotations

import math
from fractions import Fraction

from pydantic import TypeAdapter

from .. import ir
from ..timeline import PPQ, ChordMark, KeyPoint, Marker, MeterPoint, TempoPoint
from .context import DEFAULT_DYNAMIC, BarContext, SongContext, chord_tones

_CHORD_MARKS = TypeAdapter(tuple[ChordMark, ...])


def tempo_points(ctx: SongContext) -> tuple[TempoPoint, ...]:
    """A tempo at tick 0 (the count-in takes bar 1's), then one wherever it changes."""
    points: list[TempoPoint] = []
    for bar, played in zip(ctx.bars, ctx.song.bars):
        for tick, bpm in _beat_tempi(bar, played):
            if not points or points[-1].bpm != bpm:
                points.append(TempoPoint(tick=tick if points else 0, bpm=bpm))
    return tuple(points) or (TempoPoint(tick=0, bpm=ctx.song.tempo),)


def _beat_tempi(bar: BarContext, played: ir.PlayedBar) -> list[tuple[int, Fraction]]:
    """A steady bar's tempo; in a ramp, one tempo per quarter-note beat, linear from start to end."""
    if played.tempo == played.tempo_end:
        return [(bar.start, played.tempo)]
    length = bar.meter.quarters
    return [(bar.start + beat * PPQ, played.tempo + (played.tempo_end - played.tempo) * beat / length)
            for beat in range(math.ceil(length))]


def meter_points(ctx: SongContext) -> tuple[MeterPoint, ...]:
    """The time signature at tick 0 and at every bar where it changes (the song's, without bars)."""
    points: list[MeterPoint] = []
    for bar in ctx.bars:
        meter = (bar.meter.num, bar.meter.den)
        if not points or (points[-1].numerator, points[-1].denominator) != meter:
            points.append(MeterPoint(tick=bar.start if points else 0, numerator=meter[0], denominator=meter[1]))
    return tuple(points) or (MeterPoint(tick=0, numerator=ctx.song.meter.num, denominator=ctx.song.meter.den),)


def key_points(ctx: SongContext) -> tuple[KeyPoint, ...]:
    """The key at tick 0 and at every bar where it changes (the song's, without bars)."""
    points: list[KeyPoint] = []
    for bar in ctx.bars:
        if not points or (points[-1].tonic, points[-1].mode) != (bar.key.tonic, bar.key.mode):
            points.append(KeyPoint(tick=bar.start if points else 0, tonic=bar.key.tonic, mode=bar.key.mode))
    return tuple(points) or (KeyPoint(tick=0, tonic=ctx.song.key.tonic, mode=ctx.song.key.mode),)


def markers(ctx: SongContext) -> tuple[Marker, ...]:
    """One marker per pass, at its first bar."""
    return tuple(_marker(p.played, ctx.bars[p.played.first_bar - 1].start) for p in ctx.passes)


def _marker(played: ir.Pass, tick: int) -> Marker:
    last_bar = played.first_bar + played.bar_count - 1
    return Marker(tick=tick, label=played.label, pass_no=played.pass_no, first_bar=played.first_bar,
                  last_bar=last_bar, ending=played.ending, dynamic=played.marks.dynamic or DEFAULT_DYNAMIC,
                  ending_bar=last_bar - played.ending_bars + 1 if played.ending else 0)


def chord_marks(ctx: SongContext) -> tuple[ChordMark, ...]:
    """One mark per chord change; `beat` is the offset from the bar line in the meter's beats.

    The marks are validated in one call, as a part's notes are (`tracks.notes`): a song has hundreds."""
    marks = []
    for span in ctx.chords:
        bar = ctx.bar_at(span.start)
        chord = span.chord
        pcs, tensions = _classes(chord)
        beat = Fraction((span.start - bar.start) * bar.meter.den, PPQ * 4)
        marks.append({"tick": span.start, "bar": bar.number, "beat": beat, "symbol": chord.name, "root": chord.root,
                      "bass": chord.bass, "pitch_classes": pcs, "tension_classes": tensions})
    return _CHORD_MARKS.validate_python(marks)


def _classes(chord: ir.Chord) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(chord tones and slash bass, tensions) as sorted pitch classes; empty for N.C."""
    root = chord.root_pc
    if root is None:
        return (), ()
    tones = chord_tones(chord) | ({chord.bass_pc} if chord.bass_pc is not None else frozenset())
    return tuple(sorted(tones)), tuple(sorted({(root + t) % 12 for t in chord.tensions}))
