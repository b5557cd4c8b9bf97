"""Tests for compiler.analyze on hand-built arrangements whose right answers are known."""

from __future__ import annotations

import doctest
from fractions import Fraction
from pathlib import Path

import pytest

from compiler import analyze as analyze_module
from compiler.analyze import Analysis, analyze, analyze_song, format_analysis
from compiler.midi import to_midi, write_midi
from compiler.report import midi_report, write_report
from compiler.timeline import ChordMark, MeterPoint, Note, TempoPoint, Timeline, Track

BAR = 1920  # ticks in a 4/4 bar at 480 ppq


def chord(tick: int, symbol: str, root: str | None, pcs: tuple[int, ...] = (),
          tensions: tuple[int, ...] = (), bass: str | None = None) -> ChordMark:
    return ChordMark(tick=tick, bar=tick // BAR + 1, beat=Fraction(tick % BAR, 480), symbol=symbol, root=root,
                     bass=bass, pitch_classes=pcs, tension_classes=tensions)


def part(name: str, role: str, channel: int, notes: list[tuple[int, int, int]], *, muted: bool = False,
         ) -> Track:
    """A track from (start, dur, pitch) triples."""
    return Track(name=name, instrument=name, program=0, channel=channel, role=role, is_drums=channel == 9,
                 bank=128 if channel == 9 else 0, muted=muted,
                 notes=tuple(Note(start=s, dur=d, pitch=p, velocity=80) for s, d, p in notes))


def measure(chords: tuple[ChordMark, ...], *tracks: Track, end_tick: int = 4 * BAR) -> Analysis:
    timeline = Timeline(end_tick=end_tick, tempos=(TempoPoint(tick=0, bpm=Fraction(120)),),
                        meters=(MeterPoint(tick=0, numerator=4, denominator=4),), chords=chords,
                        tracks=tracks)
    return analyze_song(to_midi(timeline), midi_report(timeline, source="t.song", key="C", tempo=120))


CHANGES = (chord(0, "C", "C", (0, 4, 7)), chord(BAR, "F", "F", (5, 9, 0)),
           chord(2 * BAR, "G/B", "G", (7, 11, 2), bass="B"), chord(3 * BAR, "Am", "A", (9, 0, 4)),
           chord(4 * BAR, "NC", None))


def test_bass_on_roots_three_of_four() -> None:
    bass = part("bass", "bass", 0, [
        (20, 400, 48),            # C, 20 ticks late: humanized, still on the change
        (BAR - 20, 400, 41),      # F, 20 ticks early
        (2 * BAR, 960, 43),       # G under G/B: misses the slash bass B
        (3 * BAR - 700, 1400, 45),  # A, already sounding through the change
        (4 * BAR, 480, 36),       # under N.C.: not a change that counts
    ])
    result = measure(CHANGES, bass, end_tick=5 * BAR)
    assert (result.bass_root_hits, result.chord_changes, result.bass_root_rate) == (3, 4, 0.75)


def test_bass_note_beyond_the_tolerance_misses() -> None:
    bass = part("bass", "bass", 0, [(61, 400, 48)])  # ppq / 8 = 60 ticks is the limit
    assert measure(CHANGES[:1], bass, end_tick=BAR).bass_root_rate == 0


def test_chord_tones_with_one_wrong_note() -> None:
    chords = (chord(0, "C", "C", (0, 4, 7), tensions=(2,)), chord(BAR, "F", "F", (5, 9, 0)),
              chord(2 * BAR, "NC", None))
    comp = part("keys", "comp", 0, [(0, 960, 60), (0, 960, 64), (0, 960, 67),  # C E G: 2880 good
                                    (960, 480, 62),                         # D, a tension: 480 good
                                    (960, 480, 66),                         # F#: 480 wrong
                                    (2 * BAR, 960, 64)])                    # under N.C.: not counted
    pad = part("pad", "pad", 1, [(BAR, BAR, 69)])                           # A over F: 1920 good
    drums = part("drums", "drums", 9, [(i * 480, 60, 37) for i in range(8)])  # not pitched: ignored
    result = measure(chords, comp, pad, drums)
    assert result.note_ticks == 2880 + 480 + 480 + 1920
    assert result.chord_tone_rate == pytest.approx(5280 / 5760)


def test_a_note_held_across_a_change_is_split_between_the_chords() -> None:
    chords = (chord(0, "C", "C", (0, 4, 7)), chord(BAR, "F", "F", (5, 9, 0)))
    comp = part("keys", "comp", 0, [(BAR - 480, 960, 67)])  # G: a chord tone of C, not of F
    assert measure(chords, comp, end_tick=2 * BAR).chord_tone_rate == 0.5


def test_muted_parts_are_not_measured() -> None:
    chords = (chord(0, "C", "C", (0, 4, 7)),)
    muted = part("keys", "comp", 0, [(0, 480, 61)], muted=True)
    assert measure(chords, muted, end_tick=BAR).chord_tone_rate is None


def test_swung_eighths_at_two_thirds_of_the_beat() -> None:
    hats = [(beat * 480 + offset, 60, 42) for beat in range(8) for offset in (0, 320)]
    kick = [(beat * 480 + 240, 60, 36) for beat in range(8)]  # not a time-keeping key: ignored
    comp = [(480 + 320, 200, 60), (480 + 320, 200, 64)]
    result = measure((), part("drums", "drums", 9, hats + kick), part("keys", "comp", 0, comp))
    assert result.swing_notes == 8 + 2
    assert result.swing == pytest.approx(200 / 3)


@pytest.mark.parametrize("percent", [55, 62, 70])
def test_swing_setting_is_measured_back(percent: int) -> None:
    offbeat = round(480 * percent / 100)
    rides = [(beat * 480 + offset, 60, 51) for beat in range(16) for offset in (0, offbeat)]
    assert measure((), part("drums", "drums", 9, rides)).swing == pytest.approx(percent, abs=2)


def test_ii_v_i_voice_leading() -> None:
    voicings = [(0, (53, 57, 60, 64)),        # Dm9 rootless: F A C E
                (BAR, (53, 57, 59, 64)),      # G13: C -> B, 1 semitone
                (2 * BAR, (52, 55, 59, 62)),  # Cmaj9: 1 + 2 + 0 + 2 = 5 semitones
                (3 * BAR, (52, 55, 59, 62))]  # the same voicing again: not a move
    notes = [(start + i * 5, 960, pitch) for start, pitches in voicings for i, pitch in enumerate(pitches)]
    notes.append((3 * BAR + 960, 240, 72))    # a single note is not a voicing
    result = measure((), part("keys", "comp", 0, notes))
    assert (result.voice_moves, result.voice_leading) == (2, (1 + 5) / 8)
    assert (result.comp_low, result.comp_high) == (52, 72)


def test_voice_movement_doctests() -> None:
    assert doctest.testmod(analyze_module).failed == 0


def test_analyze_reads_the_files_beside_each_other(tmp_path: Path) -> None:
    bass = part("bass", "bass", 0, [(0, BAR, 48), (BAR, BAR, 41), (2 * BAR, BAR, 47), (3 * BAR, BAR, 45)])
    timeline = Timeline(title="Test", end_tick=5 * BAR, tempos=(TempoPoint(tick=0, bpm=Fraction(120)),),
                        meters=(MeterPoint(tick=0, numerator=4, denominator=4),), chords=CHANGES,
                        tracks=(bass,))
    write_midi(to_midi(timeline), tmp_path / "song.mid")
    write_report(midi_report(timeline, source="t.song", key="C", tempo=120), tmp_path / "report.json")
    result = analyze(tmp_path / "song.mid")
    assert result.bass_root_rate == 1
    assert format_analysis(result).splitlines() == [
        "bass on chord roots   100.0 %  (target ≥ 98 %)  [4/4 changes]",
        "chord tones in comp   n/a (no comp or pad notes)  (target ≥ 97 %)",
        "voice leading         n/a (no comp voicings)  (target ≤ 2.5)",
        "swing                 n/a (no off-beat notes)  (median of 0 off-beat notes)",
    ]


def test_an_anticipated_chord_belongs_to_the_chord_it_pushes_into() -> None:
    chords = (chord(0, "C", "C", (0, 4, 7)), chord(BAR, "F", "F", (5, 9, 0)))
    comp = part("keys", "comp", 0, [(BAR - 240, 720, 65), (BAR - 240, 720, 69)])  # F A struck on 4&
    assert measure(chords, comp, end_tick=2 * BAR).chord_tone_rate == 1.0


def test_changes_where_the_arrangement_silences_the_bass_are_left_out() -> None:
    bass = part("bass", "bass", 0, [(0, 400, 48), (BAR, 400, 41)])  # plays C and F, then tacet
    result = measure(CHANGES, bass, end_tick=5 * BAR)
    assert (result.bass_root_hits, result.chord_changes, result.bass_tacet_changes) == (2, 2, 2)
    assert "2 more with the bass tacet" in format_analysis(result)
