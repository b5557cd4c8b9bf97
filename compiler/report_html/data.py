"""report_html.data: ReportView + song.mid -> the page's data (everything it draws, in seconds).

Notes, bars, meters, keys and tempos come from the MIDI file; sections, chords, parts and the audio
measurements from the report. Seconds are made by `timeline.TempoMap` from the MIDI's own tempo map,
so the page agrees with the MIDI and with the audio rendered from it. Times are rounded to the
millisecond: seconds with 3 decimals, and notes (the bulk of the data) as whole milliseconds, so
the same build always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterator

import mido

from ..analyze import PlayedNote, played_notes
from ..instruments import DRUM_CHANNEL, DRUM_PIECES
from ..timeline import TempoMap, TempoPoint
from .view import ReportView, SectionView, StemView, TrackView

DIGITS = 3
_DRUM_NAMES = {key: name for name, key in DRUM_PIECES.items()}


class Mismatch(ValueError):
    """song.mid and report.json do not describe the same build."""


class BadMidi(ValueError):
    """song.mid reads as MIDI but says something no build writes (a tempo or meter of 0)."""


@dataclass(frozen=True)
class Conductor:
    """Track 0 of song.mid, in absolute ticks."""

    tempos: tuple[TempoPoint, ...]
    meters: tuple[tuple[int, int, int], ...]  # (tick, numerator, denominator)
    keys: tuple[tuple[int, str], ...]
    markers: tuple[int, ...]


def page_data(report: ReportView, midi: mido.MidiFile, present: Callable[[str], bool]) -> dict[str, Any]:
    """The page's data as one dict (key order is the page's JSON order).

    Args:
        report: the build's report.json.
        midi: the build's song.mid.
        present: whether a file named in the report (relative to the build folder) is there.

    Raises:
        Mismatch: if the MIDI's ppq, bars, parts or note counts differ from the report's.
        BadMidi: if the MIDI sets a tempo or meter of 0.
    """
    if midi.ticks_per_beat != report.ppq:
        raise Mismatch(f"song.mid has {midi.ticks_per_beat} ticks per beat, report.json says {report.ppq}")
    conductor = read_conductor(midi.tracks[0] if midi.tracks else mido.MidiTrack())
    clock = TempoMap(conductor.tempos, report.ppq, report.lead_in_s)  # the audio starts after the lead-in
    seconds = Clock(clock)
    bars = bar_ticks(conductor, report.ppq, report.end_tick, most=report.bars + 1)
    if len(bars) != report.bars:
        raise Mismatch(f"song.mid has {len(bars)} bars after its first section marker, report.json says {report.bars}")
    return {
        "title": report.title, "composer": report.composer, "style": report.style, "key": report.key,
        "tempo": report.tempo, "time_signature": report.time_signature, "source": report.source,
        "duration_s": report.duration_s,
        "bars": [[seconds(start), seconds(end), num, den] for start, end, num, den in bars],
        "sections": [_section(s) for s in report.sections],
        "chords": [[c.bar, c.beat, c.symbol, _round(c.start_s)] for c in report.chords],
        "keys": [[seconds(tick), name] for tick, name in conductor.keys],
        "tempos": [[seconds(t.tick), _round(float(t.bpm), 2)] for t in conductor.tempos],
        "tracks": tracks(report, midi, seconds.ms, present),
        "audio": audio(report, present),
    }


def read_conductor(track: mido.MidiTrack) -> Conductor:
    """Tempos (from `set_tempo`, exact in microseconds per beat), meters, keys and section markers."""
    tempos: list[TempoPoint] = []
    meters: list[tuple[int, int, int]] = []
    keys: list[tuple[int, str]] = []
    markers: list[int] = []
    for tick, msg in _absolute(track):
        if msg.type == "set_tempo":
            if msg.tempo <= 0:
                raise BadMidi(f"a tempo of {msg.tempo} microseconds per beat at tick {tick}")
            tempos.append(TempoPoint(tick=tick, bpm=Fraction(60_000_000, msg.tempo)))
        elif msg.type == "time_signature":
            if msg.numerator <= 0:
                raise BadMidi(f"a time signature of {msg.numerator}/{msg.denominator} at tick {tick}")
            meters.append((tick, msg.numerator, msg.denominator))
        elif msg.type == "key_signature":
            keys.append((tick, msg.key))
        elif msg.type == "marker":
            markers.append(tick)
    if not tempos or tempos[0].tick != 0:
        tempos.insert(0, TempoPoint(tick=0, bpm=Fraction(120)))  # the MIDI default before any set_tempo
    return Conductor(tuple(tempos), tuple(meters) or ((0, 4, 4),), tuple(keys), tuple(markers))


def bar_ticks(conductor: Conductor, ppq: int, end_tick: int, most: int) -> list[tuple[int, int, int, int]]:
    """(start, end, numerator, denominator) of every bar from the first section marker to `end_tick`,
    at `most` bars (the caller knows how many there should be).

    A count-in comes before the first marker, so it has no bar numbers; meters change on bar lines.
    """
    tick = conductor.markers[0] if conductor.markers else 0
    bars: list[tuple[int, int, int, int]] = []
    while tick < end_tick and len(bars) < most:
        num, den = _meter_at(conductor.meters, tick)
        end = tick + num * ppq * 4 // den
        bars.append((tick, end, num, den))
        tick = end
    return bars


class Clock:
    """Tick -> seconds (3 decimals) or whole milliseconds, each tick worked out once: a song's notes
    start and end on far fewer ticks than they number."""

    def __init__(self, tempo_map: TempoMap) -> None:
        self._seconds = tempo_map.seconds
        self._ms: dict[int, int] = {}

    def __call__(self, tick: int) -> float:
        return _round(self._seconds(tick))

    def ms(self, tick: int) -> int:
        value = self._ms.get(tick)
        if value is None:
            value = self._ms[tick] = int(self._seconds(tick) * 1000 + 0.5)
        return value


def tracks(report: ReportView, midi: mido.MidiFile, ms: Callable[[int], int],
           present: Callable[[str], bool]) -> list[dict[str, Any]]:
    """Each part of song.mid with its notes, matched by name to the report's track and stem."""
    listed = {t.name: t for t in report.tracks}
    stems = {s.track: s for s in report.stems}
    result = []
    for track in midi.tracks[1:]:
        name = next((msg.name for msg in track if msg.type == "track_name"), "")
        part = listed.get(name)
        if part is None:
            raise Mismatch(f"song.mid has a track {name!r} that report.json does not list")
        notes = played_notes(track)
        if len(notes) != part.notes:
            raise Mismatch(f"track {name!r} has {len(notes)} notes in song.mid, report.json says {part.notes}")
        channel = next((msg.channel for msg in track if hasattr(msg, "channel")), None)
        result.append(_track(part, notes, channel == DRUM_CHANNEL, ms, stems.get(name), present))
    if len(result) != len(listed):
        raise Mismatch(f"report.json lists {len(listed)} tracks, song.mid has {len(result)}")
    return result


def audio(report: ReportView, present: Callable[[str], bool]) -> dict[str, Any] | None:
    """The master's file and measurements, or None for a MIDI-only build."""
    master = report.master
    if master is None:
        return None
    envelope = master.envelope
    return {
        "file": master.file if present(master.file) else None, "named": master.file,
        "sample_rate": master.sample_rate, "duration_s": master.duration_s,
        "target_lufs": master.target_lufs, "ceiling_dbtp": master.ceiling_dbtp,
        "integrated_lufs": master.integrated_lufs, "true_peak_dbtp": master.true_peak_dbtp,
        "sample_peak_dbfs": master.sample_peak_dbfs, "loudness_range_lu": master.loudness_range_lu,
        "envelope": None if envelope is None else {
            "hop_s": envelope.hop_s, "peak": envelope.peak, "short_term_lufs": envelope.short_term_lufs},
    }


def _track(part: TrackView, notes: tuple[PlayedNote, ...], drums: bool, ms: Callable[[int], int],
           stem: StemView | None, present: Callable[[str], bool]) -> dict[str, Any]:
    """One part; `notes` flat as start and length (ms), pitch, velocity; drums add their lanes (key, name)."""
    flat: list[int] = []
    for note in notes:
        start = ms(note.start)
        flat += [start, ms(note.end) - start, note.pitch, note.velocity]
    pitches = sorted({note.pitch for note in notes})
    entry: dict[str, Any] = {"name": part.name, "instrument": part.instrument, "role": part.role,
                             "muted": part.muted, "drums": drums}
    if drums:
        entry["lanes"] = [[key, _DRUM_NAMES.get(key, f"key {key}")] for key in pitches]
    entry["notes"] = flat
    entry["stem"] = None if stem is None else {
        "file": stem.file if present(stem.file) else None, "named": stem.file, "figures": stem.figures()}
    return entry


def _meter_at(meters: tuple[tuple[int, int, int], ...], tick: int) -> tuple[int, int]:
    """The meter in force at `tick` (the first one before it starts)."""
    _, num, den = next((m for m in reversed(meters) if m[0] <= tick), meters[0])
    return num, den


def _section(section: SectionView) -> dict[str, Any]:
    return {"label": section.label, "pass": section.pass_no, "first_bar": section.first_bar,
            "last_bar": section.last_bar, "ending": section.ending, "ending_bar": section.ending_bar,
            "start_s": _round(section.start_s), "end_s": _round(section.end_s)}


def _absolute(track: mido.MidiTrack) -> Iterator[tuple[int, mido.Message]]:
    tick = 0
    for msg in track:
        tick += msg.time
        yield tick, msg


def _round(value: float, digits: int = DIGITS) -> float:
    return round(value, digits) + 0.0  # + 0.0: never "-0.0"
