"""ensemble: song.mid + report.json -> Ensemble, how the band plays together (variation, phrasing, clashes).

`compiler.analyze` measures the harmony (roots, chord tones, voice leading, swing); this module
measures what a player hears between the parts: how many different bar rhythms each part plays and
how much the most common one dominates, how steady the drums stay from bar to bar, whether new
chords are heard on time, whether the bass rubs a minor 9th under the comping, whether voicings hold
a minor 9th, and whether the drums mark section starts and fill into new sections.

A bar rhythm is the set of a part's onsets on a sixteenth grid (drums: with the kit piece). Swung
eighths (50-74 % of the beat) count as the off-beat eighth, so swing does not split a rhythm in two.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

import mido

from .analyze import SWING_WINDOW, Part, PlayedNote, meter_events, read_parts, struck_together
from .midi import line_of_fifths

# Acceptance thresholds (issue 10), asserted on every spec and every style's smoke song.
COMP_TOP_SHARE_MAX = 0.30
COMP_DISTINCT_MIN = 8.0
DRUM_DISTINCT_MIN = 6.0
GROOVE_CONSISTENCY_MIN = 0.8
LATE_CHORDS_MAX = 0.03
BASS_CLASH_MAX = 0.01
BASS_TOP_SHARE_MAX = 0.90
BASS_BEAT3_MIN = 0.97
MARKED_STARTS_MIN = 0.95
FILLS_MIN = 0.90

WINDOW_BARS = 32
STEPS_PER_BEAT = 4
CRASHES = frozenset({49, 52, 55, 57})  # crash, china, splash, crash 2: the marks of a section start
FILL_PIECES = frozenset({38, 40, 41, 43, 45, 47, 48, 50, 65, 66})  # snares, toms and timbales
TOMS = frozenset({41, 43, 45, 47, 48, 50})
FILL_VELOCITY = 56  # a snare stroke this loud or louder is played, not a ghost or a brush swirl
FILL_STROKES = 3
COMP_ROLES = ("comp", "pad")
# Quarter beats from the bar line to the half bar, by the bar's length in quarters (12/8 is 6).
HALF_BAR = {4.0: 2, 5.0: 3, 6.0: 3}


class Bar(NamedTuple):
    """One bar in ticks, with the number of quarter-note beats it holds."""

    start: int
    end: int
    beats: float


class Section(NamedTuple):
    """One pass of the form as the report lists it (1-based bar numbers)."""

    label: str
    first_bar: int
    last_bar: int


class ReportChord(NamedTuple):
    """A report chord: pitch classes, root and bass pitch class (None under N.C.)."""

    tick: int
    end: int
    symbol: str
    root_pc: int | None
    bass_pc: int | None
    tones: frozenset[int]

    @property
    def dominant(self) -> bool:
        """A major third and a minor seventh over the root: the chord that takes a b9."""
        return self.root_pc is not None and {(self.root_pc + 4) % 12, (self.root_pc + 10) % 12} <= self.tones


@dataclass(frozen=True)
class PartRhythm:
    """Bar-rhythm variation of one part, over the bars of the passes it plays in.

    Attributes:
        name: The track; `role` its role.
        bars: Bars measured.
        distinct_per_32: Distinct bar rhythms per 32 bars (mean over every 32-bar window; the
            whole part when it is shorter).
        top_share: Share of bars playing the most common rhythm, 0..1.
        consistency: 1 − mean Hamming distance between neighbouring bars' onset grids (each as a
            share of the bar's sixteenths), 0..1; None with fewer than two bars.
    """

    name: str
    role: str
    bars: int
    distinct_per_32: float
    top_share: float
    consistency: float | None


@dataclass(frozen=True)
class Ensemble:
    """How the parts play together; a rate is None when nothing could be measured.

    Attributes:
        parts: Bar-rhythm variation per comp, pad, bass and drum part.
        chord_changes: Changes the comping sounds; `late_changes` those first heard a beat or more late.
        bass_notes: Bass notes; `bass_clashes` those sounding a minor 9th (or 2nd) under a comp or pad note.
        beat3_notes: Bass notes on the half bar (beat 3 of 4/4, beat 4 of 5/4 and 6/4, `HALF_BAR`); `beat3_chord_tones` those on a chord tone.
        voicings: Comp and pad voicings (notes struck together); `voicing_clashes` those holding a
            minor 9th, other than a b9 over a dominant's root.
        section_starts: Section starts after the first where the drums play; `marked_starts` those
            with a crash on the downbeat.
        new_sections: Starts of a section with another label than the one before, where the drums
            play in the bar before; `filled` those whose bar before has a fill (toms, or three
            played snare or timbale strokes in its second half).
    """

    parts: tuple[PartRhythm, ...]
    chord_changes: int
    late_changes: int
    bass_notes: int
    bass_clashes: int
    beat3_notes: int
    beat3_chord_tones: int
    voicings: int
    voicing_clashes: int
    section_starts: int
    marked_starts: int
    new_sections: int
    filled: int

    def of_role(self, *roles: str) -> tuple[PartRhythm, ...]:
        """The parts with one of `roles`."""
        return tuple(p for p in self.parts if p.role in roles)

    @property
    def late_rate(self) -> float | None:
        return _rate(self.late_changes, self.chord_changes)

    @property
    def bass_clash_rate(self) -> float | None:
        return _rate(self.bass_clashes, self.bass_notes)

    @property
    def beat3_rate(self) -> float | None:
        return _rate(self.beat3_chord_tones, self.beat3_notes)

    @property
    def marked_rate(self) -> float | None:
        return _rate(self.marked_starts, self.section_starts)

    @property
    def fill_rate(self) -> float | None:
        return _rate(self.filled, self.new_sections)


def ensemble_of(midi_file: mido.MidiFile, report: dict[str, Any]) -> Ensemble:
    """Measure a built song from its MIDI and its report (muted parts left out, as in `analyze`)."""
    return measure_ensemble(read_parts(midi_file, report), report, midi_file.ticks_per_beat,
                            meter_events(midi_file))


def measure_ensemble(parts: list[Part], report: dict[str, Any], ppq: int, meters: list[tuple[int, int, int]]
                     ) -> Ensemble:
    """Measure the ensemble from the parts read back from MIDI and the build's report.

    `meters` lists (tick, numerator, denominator) of the MIDI file's time signatures.
    """
    chords = [_report_chord(entry) for entry in report["chords"]]
    bars = bar_grid(report["bars"], chords[0].tick if chords else 0, ppq, meters)
    sections = [Section(s["label"], s["first_bar"], s["last_bar"]) for s in report["sections"]] \
        or [Section("", 1, len(bars))]  # a timeline without markers is one section
    comping = [n for p in parts if p.role in COMP_ROLES for n in p.notes]
    bass = [n for p in parts if p.role == "bass" for n in p.notes]
    drums = [n for p in parts if p.role == "drums" for n in p.notes]
    changes, late = late_changes(chords, comping, ppq)
    clashes = bass_clashes(bass, comping, chords, ppq)
    beat3, on_tone = beat3_tones(bass, bars, chords, ppq)
    voiced, clashed = voicing_clashes([p for p in parts if p.role in COMP_ROLES], chords, ppq)
    starts, marked, new, filled = section_marks(drums, bars, sections, ppq)
    rhythms = tuple(part_rhythm(p, bars, sections, ppq) for p in parts
                    if p.role in ("comp", "pad", "bass", "drums") and p.notes)
    return Ensemble(parts=rhythms, chord_changes=changes, late_changes=late, bass_notes=len(bass),
                    bass_clashes=clashes, beat3_notes=beat3, beat3_chord_tones=on_tone, voicings=voiced,
                    voicing_clashes=clashed, section_starts=starts, marked_starts=marked,
                    new_sections=new, filled=filled)


def bar_grid(count: int, first: int, ppq: int, meters: list[tuple[int, int, int]]) -> list[Bar]:
    """`count` bars from tick `first`, each as long as the time signature in force at its start."""
    meters = sorted(meters) or [(0, 4, 4)]
    ticks = [m[0] for m in meters]
    bars, start = [], first
    for _ in range(count):
        _, num, den = meters[max(bisect.bisect_right(ticks, start) - 1, 0)]
        length = ppq * 4 * num // den
        bars.append(Bar(start, start + length, 4 * num / den))
        start += length
    return bars


def grid_step(tick: int, bar: Bar, ppq: int) -> int:
    """The sixteenth of `bar` an onset at `tick` falls on; a swung off-beat is the off-beat eighth."""
    beat, within = divmod((tick - bar.start) / ppq, 1)
    low, high = SWING_WINDOW
    step = STEPS_PER_BEAT // 2 if low < within < high else round(within * STEPS_PER_BEAT)
    return int(beat) * STEPS_PER_BEAT + step


def part_rhythm(part: Part, bars: list[Bar], sections: list[Section], ppq: int) -> PartRhythm:
    """The part's bar rhythms over the bars of every pass where it plays at least one note."""
    rhythms = bar_rhythms(part, bars, ppq, keyed=part.role == "drums")
    playing = []
    for section in sections:
        span = range(section.first_bar - 1, min(section.last_bar, len(bars)))
        if any(rhythms[i] for i in span):
            playing += span
    measured = [rhythms[i] for i in playing]
    top = Counter(measured).most_common(1)[0][1] / len(measured) if measured else 0.0
    return PartRhythm(part.name, part.role, len(measured), distinct_per_window(measured), top,
                      consistency([(i, rhythms[i], bars[i]) for i in playing]))


def bar_rhythms(part: Part, bars: list[Bar], ppq: int, keyed: bool) -> list[frozenset]:
    """Each bar's onsets as grid steps (drums: (kit piece, step) pairs)."""
    onsets: list[set] = [set() for _ in bars]
    starts = [b.start for b in bars]
    for note in part.notes:
        i = bisect.bisect_right(starts, note.start + ppq // 16) - 1
        if 0 <= i < len(bars) and note.start < bars[i].end:
            step = grid_step(note.start, bars[i], ppq)
            onsets[i].add((note.pitch, step) if keyed else step)
    return [frozenset(o) for o in onsets]


def distinct_per_window(rhythms: list[frozenset]) -> float:
    """Mean number of distinct rhythms in every run of `WINDOW_BARS` bars (all of them when fewer)."""
    if len(rhythms) <= WINDOW_BARS:
        return float(len(set(rhythms)))
    windows = [len(set(rhythms[i:i + WINDOW_BARS])) for i in range(len(rhythms) - WINDOW_BARS + 1)]
    return sum(windows) / len(windows)


def consistency(bars: list[tuple[int, frozenset, Bar]]) -> float | None:
    """1 − mean normalised Hamming distance of neighbouring bars' onset grids (onsets on any kit
    piece), over (index, rhythm, bar) of the bars measured; only adjacent bars of one meter pair up."""
    distances = []
    for (i, a, bar), (j, b, following) in zip(bars, bars[1:]):
        if j == i + 1 and bar.beats == following.beats:
            steps_a = {s[1] if isinstance(s, tuple) else s for s in a}
            steps_b = {s[1] if isinstance(s, tuple) else s for s in b}
            distances.append(len(steps_a ^ steps_b) / round(bar.beats * STEPS_PER_BEAT))
    return 1 - sum(distances) / len(distances) if distances else None


def late_changes(chords: list[ReportChord], comping: list[PlayedNote], ppq: int) -> tuple[int, int]:
    """(changes the comping sounds, those first heard a beat or more after the change).

    A note struck up to half a beat before the change (a 32nd more, for humanized timing) and
    sounding through it is an anticipation: the chord is heard on time. A chord the comping never
    sounds (a rest) is not counted, nor a note of the next chord humanized a hair before it.
    """
    notes = sorted(comping)
    starts = [n.start for n in notes]
    counted = late = 0
    previous: str | None = None
    for chord in chords:
        new = chord.symbol != previous
        previous = chord.symbol
        if not new or chord.root_pc is None:
            continue
        i = bisect.bisect_left(starts, chord.tick - ppq // 2 - ppq // 16)
        heard = [n.start for n in notes[i:bisect.bisect_left(starts, chord.end - ppq // 16)]
                 if n.start >= chord.tick - ppq // 16 or n.end > chord.tick + ppq // 16]
        if heard:
            counted += 1
            late += min(heard) >= chord.tick + ppq - ppq // 8
    return counted, late


def bass_clashes(bass: list[PlayedNote], comping: list[PlayedNote], chords: list[ReportChord], ppq: int) -> int:
    """Bass notes with a comp or pad note sounding a minor 9th (or 2nd, or 16th) above them.

    The b9 of a dominant over its root is the chord's own colour and is not counted.
    """
    notes = sorted(comping)
    starts = [n.start for n in notes]
    chord_starts = [c.tick for c in chords]
    clashes = 0
    for low in bass:
        at = low.start + ppq // 16
        chord = chords[max(bisect.bisect_right(chord_starts, at) - 1, 0)] if chords else None
        sounding = (n for n in notes[:bisect.bisect_right(starts, at)] if n.end > at)
        if any(n.pitch > low.pitch and _minor_ninth(low.pitch, n.pitch, chord) for n in sounding):
            clashes += 1
    return clashes


def beat3_tones(bass: list[PlayedNote], bars: list[Bar], chords: list[ReportChord], ppq: int) -> tuple[int, int]:
    """(bass notes on the half bar, those on a tone of the chord sounding then). The half bar is
    beat 3 of a 4/4 bar, beat 4 of a 5/4 (3 + 2) or 6/4 (3 + 3) bar, the third dotted quarter of 12/8;
    other bars have none."""
    starts = [b.start for b in bars]
    chord_starts = [c.tick for c in chords]
    counted = good = 0
    for note in bass:
        i = bisect.bisect_right(starts, note.start + ppq // 8) - 1
        half = HALF_BAR.get(bars[i].beats) if i >= 0 else None
        if half is None or abs(note.start - (bars[i].start + half * ppq)) > ppq // 8:
            continue
        chord = chords[max(bisect.bisect_right(chord_starts, note.start + ppq // 8) - 1, 0)]
        if chord.root_pc is None:
            continue
        counted += 1
        good += note.pitch % 12 in chord.tones or note.pitch % 12 == chord.bass_pc
    return counted, good


def voicing_clashes(parts: list[Part], chords: list[ReportChord], ppq: int) -> tuple[int, int]:
    """(voicings of two or more notes struck together, those holding a minor 9th between two voices)."""
    chord_starts = [c.tick for c in chords]
    counted = clashed = 0
    for part in parts:
        for start, pitches in struck_together(part.notes, ppq // 16):
            if len(pitches) < 2:
                continue
            counted += 1
            near = [chords[i] for i in {max(bisect.bisect_right(chord_starts, start + d) - 1, 0)
                                        for d in (0, ppq // 2)}] if chords else [None]
            clashed += any(all(_minor_ninth(a, b, chord) for chord in near)
                           for k, a in enumerate(pitches) for b in pitches[k + 1:] if b - a > 12)
    return counted, clashed


def section_marks(drums: list[PlayedNote], bars: list[Bar], sections: list[Section], ppq: int
                  ) -> tuple[int, int, int, int]:
    """(section starts where the drums play, those marked by a crash on the downbeat,
    new sections, those with a fill in the bar before)."""
    starts = sorted(n.start for n in drums)
    tolerance = ppq // 8
    counted = marked = new = filled = 0
    for before, section in zip(sections, sections[1:]):
        if section.first_bar > len(bars):
            continue
        bar = bars[section.first_bar - 1]
        first = bisect.bisect_left(starts, bar.start - tolerance)
        if first < len(starts) and starts[first] < bar.end:
            counted += 1
            marked += any(abs(n.start - bar.start) <= tolerance and n.pitch in CRASHES for n in drums)
        previous = bars[section.first_bar - 2] if section.first_bar >= 2 else None
        played = previous and [n for n in drums if previous.start <= n.start < bar.start - tolerance]
        if section.label != before.label and played:  # a drummer who is out cannot fill
            new += 1
            filled += is_fill(played, previous, ppq)
    return counted, marked, new, filled


def is_fill(notes: list[PlayedNote], bar: Bar, ppq: int) -> bool:
    """Toms, or at least three played (not ghosted) snare or timbale strokes, in the second half of the bar."""
    half = bar.start + (bar.end - bar.start) // 2
    late = [n for n in notes if n.start >= half - ppq // 16 and n.pitch in FILL_PIECES]
    return any(n.pitch in TOMS for n in late) or sum(n.velocity >= FILL_VELOCITY for n in late) >= FILL_STROKES


def format_ensemble(ensemble: Ensemble) -> list[str]:
    """Human-readable lines, each measurement beside its target."""
    lines = []
    for part in ensemble.parts:
        steady = "" if part.role != "drums" or part.consistency is None else \
            f", consistency {part.consistency:.2f} (≥ {GROOVE_CONSISTENCY_MIN:g})"
        lines.append(f"rhythms {part.name:<13} {part.distinct_per_32:4.1f} distinct per 32 bars, top "
                     f"{100 * part.top_share:.0f} % of {part.bars} bars{steady}")
    lines += [
        _line("new chords heard late", ensemble.late_rate, ensemble.late_changes, ensemble.chord_changes,
              f"≤ {LATE_CHORDS_MAX * 100:g} %"),
        _line("bass m9 under comp", ensemble.bass_clash_rate, ensemble.bass_clashes, ensemble.bass_notes,
              f"≤ {BASS_CLASH_MAX * 100:g} %"),
        _line("bass beat 3 on chord", ensemble.beat3_rate, ensemble.beat3_chord_tones, ensemble.beat3_notes,
              f"≥ {BASS_BEAT3_MIN * 100:g} %"),
        _line("m9 inside voicings", _rate(ensemble.voicing_clashes, ensemble.voicings), ensemble.voicing_clashes,
              ensemble.voicings, "0"),
        _line("section starts marked", ensemble.marked_rate, ensemble.marked_starts, ensemble.section_starts,
              f"≥ {MARKED_STARTS_MIN * 100:g} %"),
        _line("fills into new sections", ensemble.fill_rate, ensemble.filled, ensemble.new_sections,
              f"≥ {FILLS_MIN * 100:g} %"),
    ]
    return lines


def _line(label: str, rate: float | None, count: int, total: int, target: str) -> str:
    shown = "n/a" if rate is None else f"{100 * rate:.1f} %"
    return f"{label:<25} {shown}  (target {target})  [{count}/{total}]"


def _rate(count: int, total: int) -> float | None:
    return count / total if total else None


def _minor_ninth(low: int, high: int, chord: ReportChord | None) -> bool:
    """Whether `high` sits a minor 9th (2nd, 16th) above `low`, other than a dominant's b9 over its root."""
    if (high - low) % 12 != 1:
        return False
    return not (chord is not None and chord.dominant and low % 12 == chord.root_pc)


def _report_chord(entry: dict[str, Any]) -> ReportChord:
    def pc(name: str | None) -> int | None:
        return 7 * line_of_fifths(name) % 12 if name else None
    root = pc(entry["root"])
    bass = pc(entry["bass"]) if entry["bass"] else root
    return ReportChord(entry["tick"], entry["end_tick"], entry["symbol"], root, bass,
                       frozenset(entry["pitch_classes"]))
