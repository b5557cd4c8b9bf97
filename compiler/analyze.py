"""analyze: song.mid + report.json -> Analysis (bass on roots, chord tones, voice leading, swing)."""

from __future__ import annotations

import bisect
import json
import math
import os
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import mido

from .midi import CHARSET, line_of_fifths

BASS_ROOT_TARGET = 0.98
CHORD_TONE_TARGET = 0.97
VOICE_LEADING_TARGET = 2.5
SWING_KEYS = frozenset({42, 44, 46, 51, 53, 59})  # GM hi-hats and rides: the swung time-keepers
# Off-beat positions, as a share of the beat, that can be swung 8ths (the language allows 50-75 %).
# It stops short of 0.75, where the fourth 16th of a straight 16th groove sits.
SWING_WINDOW = (0.5, 0.74)


@dataclass(frozen=True)
class Analysis:
    """Measurements of one arrangement; a rate or mean is None when nothing could be measured.

    Attributes:
        chord_changes: Chord changes with a root (N.C. excluded).
        bass_root_hits: Of those, changes where a bass part plays the chord's bass note.
        bass_root_rate: `bass_root_hits / chord_changes`, 0..1.
        note_ticks: Comp and pad note-time under a chord, in ticks × notes.
        chord_tone_rate: Share of `note_ticks` on chord tones or allowed tensions, 0..1.
        voice_moves: Voicing changes measured in comp parts.
        voice_leading: Mean movement per voice over those changes, in semitones.
        comp_low: Lowest comp-part pitch (MIDI note number).
        comp_high: Highest comp-part pitch.
        swing_notes: Off-beat note-ons measured for swing.
        swing: Their median position within the beat, in percent (straight 50, triplet 66.7).
        bass_tacet_changes: Changes left out of `chord_changes` because the arrangement silenced the
            bass for the whole chord (`only`, `break`, `stop`, an intro without bass).
    """

    chord_changes: int
    bass_root_hits: int
    bass_root_rate: float | None
    note_ticks: int
    chord_tone_rate: float | None
    voice_moves: int
    voice_leading: float | None
    comp_low: int | None
    comp_high: int | None
    swing_notes: int
    swing: float | None
    bass_tacet_changes: int = 0


class PlayedNote(NamedTuple):
    """A note read back from MIDI, in absolute ticks."""

    start: int
    end: int
    pitch: int
    velocity: int = 0


class Part(NamedTuple):
    """A MIDI track with its role from the report."""

    name: str
    role: str
    notes: tuple[PlayedNote, ...]


class Chord(NamedTuple):
    """A report chord: `bass_pc` is None under N.C.; `allowed` = chord tones ∪ tensions."""

    tick: int
    end: int
    bass_pc: int | None
    allowed: frozenset[int]


def analyze(midi_path: str | os.PathLike[str],
            report_path: str | os.PathLike[str] | None = None) -> Analysis:
    """Analyze a built song; the report defaults to the `report.json` beside the MIDI file."""
    midi_path = Path(midi_path)
    report_path = Path(report_path) if report_path else midi_path.with_name("report.json")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    return analyze_song(mido.MidiFile(midi_path, charset=CHARSET), report)


def analyze_song(midi_file: mido.MidiFile, report: dict[str, Any]) -> Analysis:
    """Measure an arrangement from its MIDI and its report.

    Parts are matched to report tracks by track name; muted parts are left out (nobody hears them).
    """
    ppq = midi_file.ticks_per_beat
    parts = read_parts(midi_file, report)
    chords = [_chord(entry) for entry in report["chords"]]
    bass = [n for p in parts if p.role == "bass" for n in p.notes]
    rooted = [c for c in chords if c.bass_pc is not None]
    changes = [c for c in rooted if bass_plays_during(c, bass, ppq // 8)]
    hits = sum(bass_hits_change(c, bass, ppq // 8, entry=ppq) for c in changes)
    in_chord, note_ticks = chord_tone_ticks([p for p in parts if p.role in ("comp", "pad")], chords, ppq // 2)
    comp = [p for p in parts if p.role == "comp"]
    moved, voices, moves = _voice_leading(comp, ppq // 16)
    comp_pitches = [n.pitch for p in comp for n in p.notes]
    offbeats = swing_positions(parts, ppq, _meter_ticks(midi_file))
    return Analysis(
        chord_changes=len(changes), bass_root_hits=hits,
        bass_root_rate=hits / len(changes) if changes and bass else None,
        note_ticks=note_ticks, chord_tone_rate=in_chord / note_ticks if note_ticks else None,
        voice_moves=moves, voice_leading=moved / voices if voices else None,
        comp_low=min(comp_pitches, default=None), comp_high=max(comp_pitches, default=None),
        swing_notes=len(offbeats),
        swing=100 * statistics.median(offbeats) if offbeats else None,
        bass_tacet_changes=len(rooted) - len(changes))


def read_parts(midi_file: mido.MidiFile, report: dict[str, Any]) -> list[Part]:
    """The unmuted MIDI tracks that the report lists, with their roles and notes."""
    roles = {t["name"]: t["role"] for t in report["tracks"] if not t["muted"]}
    parts = []
    for track in midi_file.tracks:
        name = next((msg.name for msg in track if msg.type == "track_name"), None)
        if name in roles:
            parts.append(Part(name, roles[name], played_notes(track)))
    return parts


def played_notes(track: mido.MidiTrack) -> tuple[PlayedNote, ...]:
    """Pair note-ons with note-offs (first on, first off per channel and pitch), sorted by start."""
    sounding: defaultdict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    notes = []
    tick = 0
    for msg in track:
        tick += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            sounding[msg.channel, msg.note].append((tick, msg.velocity))
        elif msg.type in ("note_on", "note_off") and sounding[msg.channel, msg.note]:
            start, velocity = sounding[msg.channel, msg.note].pop(0)
            notes.append(PlayedNote(start, tick, msg.note, velocity))
    return tuple(sorted(notes))


def bass_plays_during(chord: Chord, bass: list[PlayedNote], tolerance: int) -> bool:
    """Whether any bass note sounds while the chord lasts (else the arrangement has the bass tacet)."""
    return any(note.start < chord.end - tolerance and note.end > chord.tick + tolerance for note in bass)


def bass_hits_change(chord: Chord, bass: list[PlayedNote], tolerance: int, entry: int | None = None) -> bool:
    """Whether a bass note with the chord's bass pitch class starts within `tolerance` ticks of the
    change (humanized timing) or is already sounding through it: an anticipation tied over the
    change is heard as the root. With `entry` (ticks, a beat), a bass silent from the change
    through that long, which comes in later under the same chord (after a tacet), is judged by the
    note it enters on; a note that is merely late still misses."""
    at = [note for note in bass if abs(note.start - chord.tick) <= tolerance or note.start <= chord.tick < note.end]
    if not at and entry is not None:
        later = [note for note in bass if chord.tick + entry <= note.start < chord.end]
        if any(chord.tick < note.start < chord.tick + entry for note in bass):
            later = []
        first = min((note.start for note in later), default=None)
        at = [note for note in later if first is not None and note.start - first <= tolerance]
    return any(note.pitch % 12 == chord.bass_pc for note in at)


def chord_tone_ticks(parts: list[Part], chords: list[Chord], anticipation: int = 0) -> tuple[int, int]:
    """(note-ticks on allowed pitch classes, all note-ticks), counting only time under a chord.

    A note struck up to `anticipation` ticks before a change and held across it is an anticipation
    (a "push"): it belongs to the chord it anticipates, for its whole length.
    """
    starts = [c.tick for c in chords]
    good = total = 0
    for note in (n for p in parts for n in p.notes):
        i = max(bisect.bisect_right(starts, note.start) - 1, 0)
        following = chords[i + 1] if i + 1 < len(chords) else None
        if following is not None and 0 < following.tick - note.start <= anticipation < note.end - note.start \
                and note.end > following.tick:
            covering = [(following, note.end - note.start)]
        else:
            covering = [(chord, min(note.end, chord.end) - max(note.start, chord.tick))
                        for chord in chords[i:bisect.bisect_left(starts, note.end)]]
        for chord, overlap in covering:
            if chord.bass_pc is None or overlap <= 0:
                continue
            total += overlap
            good += overlap if note.pitch % 12 in chord.allowed else 0
    return good, total


def struck_together(notes: tuple[PlayedNote, ...], window: int) -> list[tuple[int, list[int]]]:
    """(start, sorted pitches) of each group of notes starting within `window` ticks of its first note."""
    groups: list[tuple[int, list[int]]] = []
    for note in notes:
        if groups and note.start - groups[-1][0] <= window:
            groups[-1][1].append(note.pitch)
        else:
            groups.append((note.start, [note.pitch]))
    return [(start, sorted(pitches)) for start, pitches in groups]


def voicings(notes: tuple[PlayedNote, ...], window: int) -> list[tuple[int, ...]]:
    """The chords of `struck_together` (groups of ≥ 2 notes), as pitch tuples."""
    return [tuple(pitches) for _, pitches in struck_together(notes, window) if len(pitches) >= 2]


def voice_movement(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """Least total semitones moving sorted voicing `a` to `b`, pairing min(len) voices in order.

    Order-preserving pairing is optimal for distances on a line; when the sizes differ the
    extra voices of the larger chord are left out, chosen by dynamic programming.

    >>> voice_movement((50, 53, 57, 60), (50, 53, 55, 59))  # Dm7 -> G7 (shell moves)
    3
    >>> voice_movement((48, 52, 55), (47, 50, 53, 55))       # C -> G7: 48-47, 52-53, 55-55
    2
    """
    if len(a) > len(b):
        a, b = b, a
    cost = [0] * (len(b) + 1)  # cost[j]: best pairing of the voices of `a` so far into b[:j]
    for i, pitch in enumerate(a, 1):
        row = [math.inf] * (len(b) + 1)
        for j in range(i, len(b) + 1):
            row[j] = min(row[j - 1], cost[j - 1] + abs(pitch - b[j - 1]))
        cost = row
    return int(cost[-1])


def swing_positions(parts: list[Part], ppq: int, meter_ticks: list[int]) -> list[float]:
    """Beat positions (0..1 of a quarter note) of off-beat note-ons of hats, rides and comping.

    Beats are counted from the latest time-signature change, so an odd-length bar before it
    does not shift the grid.
    """
    onsets = [n.start for p in parts if p.role == "comp" for n in p.notes]
    onsets += [n.start for p in parts if p.role == "drums" for n in p.notes if n.pitch in SWING_KEYS]
    low, high = SWING_WINDOW
    positions = []
    for tick in onsets:
        anchor = meter_ticks[bisect.bisect_right(meter_ticks, tick) - 1] if meter_ticks else 0
        position = (tick - anchor) % ppq / ppq
        if low < position < high:
            positions.append(position)
    return positions


def format_analysis(analysis: Analysis) -> str:
    """Human-readable lines, each measurement beside its target."""
    bass = _shown(_percent(analysis.bass_root_rate), "{:.1f} %", "no bass part")
    tones = _shown(_percent(analysis.chord_tone_rate), "{:.1f} %", "no comp or pad notes")
    leading = _shown(analysis.voice_leading, "{:.2f} semitones/voice", "no comp voicings")
    swing = _shown(analysis.swing, "{:.1f} %", "no off-beat notes")
    register = ("" if analysis.comp_low is None
                else f"  register {analysis.comp_low}..{analysis.comp_high}")
    return "\n".join([
        f"bass on chord roots   {bass}  (target ≥ {BASS_ROOT_TARGET * 100:g} %)"
        f"  [{analysis.bass_root_hits}/{analysis.chord_changes} changes"
        + (f"; {analysis.bass_tacet_changes} more with the bass tacet]" if analysis.bass_tacet_changes else "]"),
        f"chord tones in comp   {tones}  (target ≥ {CHORD_TONE_TARGET * 100:g} %)",
        f"voice leading         {leading}  (target ≤ {VOICE_LEADING_TARGET:g}){register}",
        f"swing                 {swing}  (median of {analysis.swing_notes} off-beat notes)",
    ]) + "\n"


def _percent(rate: float | None) -> float | None:
    return None if rate is None else 100 * rate


def _shown(value: float | None, template: str, reason: str) -> str:
    return f"n/a ({reason})" if value is None else template.format(value)


def _voice_leading(parts: list[Part], window: int) -> tuple[int, int, int]:
    """(total semitones moved, voices paired, voicing changes) over the parts' changed voicings."""
    moved = voices = moves = 0
    for part in parts:
        chain = voicings(part.notes, window)
        for a, b in zip(chain, chain[1:]):
            if a != b:
                moved += voice_movement(a, b)
                voices += min(len(a), len(b))
                moves += 1
    return moved, voices, moves


def _meter_ticks(midi_file: mido.MidiFile) -> list[int]:
    return [tick for tick, _, _ in meter_events(midi_file)]


def meter_events(midi_file: mido.MidiFile) -> list[tuple[int, int, int]]:
    """(tick, numerator, denominator) of every time signature in the file, in order."""
    events = []
    for track in midi_file.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "time_signature":
                events.append((tick, msg.numerator, msg.denominator))
    return sorted(events)


def _chord(entry: dict[str, Any]) -> Chord:
    name = entry["bass"] or entry["root"]
    bass_pc = 7 * line_of_fifths(name) % 12 if name else None
    return Chord(entry["tick"], entry["end_tick"], bass_pc,
                 frozenset(entry["pitch_classes"]) | frozenset(entry["tension_classes"]))
