"""Tests for compiler.ensemble on hand-built arrangements whose right answers are known, and the
figures it prints for the specs (bench/ensemble.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from compiler.ensemble import Ensemble, ensemble_of, format_ensemble
from compiler.midi import to_midi
from compiler.report import midi_report
from compiler.timeline import ChordMark, MeterPoint, Note, TempoPoint, Timeline, Track

BAR = 1920  # ticks in a 4/4 bar at 480 ppq


def chord(tick: int, symbol: str, root: str | None, pcs: tuple[int, ...] = (), end: int | None = None) -> ChordMark:
    return ChordMark(tick=tick, bar=tick // BAR + 1, beat=Fraction(tick % BAR, 480), symbol=symbol, root=root,
                     bass=None, pitch_classes=pcs, tension_classes=())


def part(name: str, role: str, channel: int, notes: list[tuple[int, int, int]], velocity: int = 80) -> Track:
    return Track(name=name, instrument=name, program=0, channel=channel, role=role, is_drums=channel == 9,
                 bank=128 if channel == 9 else 0,
                 notes=tuple(Note(start=s, dur=d, pitch=p, velocity=velocity) for s, d, p in sorted(notes)))


def measure(chords: tuple[ChordMark, ...], *tracks: Track, bars: int = 4) -> Ensemble:
    timeline = Timeline(end_tick=bars * BAR, bars=bars, tempos=(TempoPoint(tick=0, bpm=Fraction(120)),),
                        meters=(MeterPoint(tick=0, numerator=4, denominator=4),), chords=chords, tracks=tracks)
    return ensemble_of(to_midi(timeline), midi_report(timeline, source="t.song", key="C", tempo=120))


C = (0, 4, 7)
G7 = (7, 11, 2, 5)


def test_a_chord_first_heard_on_beat_four_is_late_and_an_anticipation_is_not() -> None:
    chords = (chord(0, "C", "C", C), chord(BAR, "G7", "G", G7), chord(2 * BAR, "C", "C", C))
    comp = part("keys", "comp", 0, [(0, 480, 60), (0, 480, 64),              # C on beat 1
                                    (BAR + 3 * 480, 480, 59), (BAR + 3 * 480, 480, 65),  # G7 only on beat 4
                                    (2 * BAR - 240, 720, 60), (2 * BAR - 240, 720, 64)])  # C pushed on 4&
    result = measure(chords, comp, bars=3)
    assert (result.chord_changes, result.late_changes) == (3, 1)


def test_a_chord_the_comping_rests_through_is_not_counted() -> None:
    chords = (chord(0, "C", "C", C), chord(BAR, "G7", "G", G7))
    comp = part("keys", "comp", 0, [(0, 480, 60), (0, 480, 64)])
    assert (measure(chords, comp, bars=2).chord_changes) == 1


def test_bass_under_a_comp_note_a_minor_ninth_above() -> None:
    chords = (chord(0, "Cmaj7", "C", (0, 4, 7, 11)), chord(BAR, "G7b9", "G", (7, 11, 2, 5, 8)))
    comp = part("keys", "comp", 0, [(0, BAR, 64), (BAR, BAR, 68)])   # E4 held; Ab4 over G7b9
    bass = part("bass", "bass", 1, [(0, 480, 48),        # C under E: fine
                                    (960, 480, 51),      # Eb2 under E4: a minor 9th (16th) -> clash
                                    (BAR, 480, 43)])     # G under Ab on G7b9: the dominant's b9, fine
    result = measure(chords, comp, bass, bars=2)
    assert (result.bass_clashes, result.bass_notes) == (1, 3)


def test_minor_ninths_inside_voicings_except_the_dominants_b9() -> None:
    chords = (chord(0, "Fmaj7", "F", (5, 9, 0, 4)), chord(BAR, "C7b9", "C", (0, 4, 7, 10, 1)))
    pad = part("pad", "pad", 0, [(0, BAR, p) for p in (52, 57, 65, 72)]        # E3 A3 F4 C5: E under F
                                + [(BAR, BAR, p) for p in (48, 61, 64, 70)])   # C3 Db4 E4 Bb4: b9 over C7's root
    result = measure(chords, pad, bars=2)
    assert (result.voicing_clashes, result.voicings) == (1, 2)


def test_bar_rhythms_count_distinct_bars_and_the_top_share() -> None:
    figures = [[0, 720], [0, 720], [0, 1440], [960]]  # Charleston, Charleston, a push on 4, beat 3 alone
    notes = [(b * BAR + t, 240, p) for b, fig in enumerate(figures) for t in fig for p in (60, 64)]
    result = measure((chord(0, "C", "C", C),), part("keys", "comp", 0, notes), bars=4)
    (piano,) = result.parts
    assert (piano.bars, piano.distinct_per_32, piano.top_share) == (4, 3.0, 0.5)


def test_swung_offbeats_are_the_same_rhythm_as_straight_ones() -> None:
    straight = [(0, 60, 51), (240, 60, 51)]
    swung = [(BAR, 60, 51), (BAR + 310, 60, 51)]  # the "and" at 65 % of the beat
    (ride,) = measure((), part("drums", "drums", 9, straight + swung), bars=2).parts
    assert ride.distinct_per_32 == 1.0 and ride.consistency == 1.0


def test_groove_consistency_is_one_minus_the_mean_hamming_distance() -> None:
    hats = [(b * BAR + i * 240, 60, 42) for b in range(3) for i in range(8)]  # eighths: 8 of 16 steps
    fill = [(2 * BAR + 4 * 480 - 120, 60, 38)]                               # a 16th before... beat 4 off the 8ths
    (kit,) = measure((), part("drums", "drums", 9, hats + fill), bars=3).parts
    assert kit.distinct_per_32 == 2.0
    assert kit.consistency == pytest.approx(1 - (0 + 1 / 16) / 2)


def test_section_starts_marked_and_fills_into_new_sections() -> None:
    # Sections come from the timeline's markers: A A B over bars 1, 2, 3 (see midi_report).
    crash = [(BAR, 240, 49)]                                   # bar 2 (A again) marked; bar 3 (B) not
    fill = [(BAR + 1200 + i * 120, 60, 38) for i in range(5)]  # snare sixteenths in bar 2's second half
    groove = [(b * BAR + i * 480, 60, 42) for b in range(3) for i in range(4)]
    drums = part("drums", "drums", 9, crash + fill + groove, velocity=90)
    timeline = Timeline(end_tick=3 * BAR, bars=3, tempos=(TempoPoint(tick=0, bpm=Fraction(120)),),
                        meters=(MeterPoint(tick=0, numerator=4, denominator=4),), chords=(), tracks=(drums,))
    report = midi_report(timeline, source="t.song", key="C", tempo=120)
    report["sections"] = [{"label": label, "first_bar": n, "last_bar": n} for n, label in enumerate("AAB", 1)]
    result = ensemble_of(to_midi(timeline), report)
    assert (result.marked_starts, result.section_starts) == (1, 2)
    assert (result.filled, result.new_sections) == (1, 1)


def test_bass_on_beat_three_is_a_chord_tone() -> None:
    chords = (chord(0, "C", "C", C),)
    bass = part("bass", "bass", 0, [(0, 480, 36), (960, 480, 43), (BAR, 480, 36), (BAR + 960, 480, 38)])
    result = measure(chords, bass, bars=2)
    assert (result.beat3_chord_tones, result.beat3_notes) == (1, 2)


def test_the_ensemble_lines_name_every_measure_and_its_target() -> None:
    chords = (chord(0, "C", "C", C),)
    result = measure(chords, part("keys", "comp", 0, [(0, 480, 60), (0, 480, 64)]), bars=1)
    lines = format_ensemble(result)
    assert lines[0].startswith("rhythms keys") and "1.0 distinct per 32 bars, top 100 % of 1 bars" in lines[0]
    assert lines[1] == "new chords heard late     0.0 %  (target ≤ 3 %)  [0/1]"
    assert any(line.startswith("fills into new sections   n/a") for line in lines)


# -- the acceptance thresholds on every spec and every style's smoke song (bench/ensemble.py) --------

from bench.ensemble import measure as measure_song, spec_songs, style_songs  # noqa: E402
from compiler.ensemble import (BASS_BEAT3_MIN, BASS_CLASH_MAX, BASS_TOP_SHARE_MAX, COMP_DISTINCT_MIN,  # noqa: E402
                               COMP_TOP_SHARE_MAX, DRUM_DISTINCT_MIN, FILLS_MIN, GROOVE_CONSISTENCY_MIN,
                               LATE_CHORDS_MAX, MARKED_STARTS_MIN)

SONGS = spec_songs() + style_songs()
_MEASURED: dict[str, Ensemble] = {}


def measured(label: str) -> Ensemble:
    """The ensemble of one spec or smoke song, arranged once for all the tests that read it."""
    if label not in _MEASURED:
        _MEASURED[label] = measure_song(label, dict(SONGS)[label])
    return _MEASURED[label]


@pytest.mark.parametrize("label", [label for label, _ in SONGS])
def test_every_song_hears_its_chords_on_time_and_marks_and_fills_its_sections(label: str) -> None:
    result = measured(label)
    assert result.late_rate is None or result.late_rate <= LATE_CHORDS_MAX, format_ensemble(result)
    assert result.marked_rate is None or result.marked_rate >= MARKED_STARTS_MIN, format_ensemble(result)
    assert result.fill_rate is None or result.fill_rate >= FILLS_MIN, format_ensemble(result)


@pytest.mark.parametrize("label", [label for label, _ in SONGS])
def test_every_song_voices_without_minor_ninths_and_its_bass_listens_to_the_comping(label: str) -> None:
    result = measured(label)
    assert result.voicing_clashes == 0, format_ensemble(result)
    assert result.bass_clash_rate is None or result.bass_clash_rate <= BASS_CLASH_MAX, format_ensemble(result)
    assert result.beat3_rate is None or result.beat3_rate >= BASS_BEAT3_MIN, format_ensemble(result)


def ostinato_bounds(label: str) -> dict[str, int | None]:
    """Each comp track's own lower bound of distinct bar rhythms, where its pattern is an ostinato."""
    from bench.ensemble import ROOT
    from compiler.arrange.patterns import find_groove
    from compiler.library import Library
    from compiler.pipeline import front_end
    from compiler.source import Source

    path = ROOT / "specs" / f"{label}.song" if not label.startswith("style ") else ROOT / "smoke.song"
    song = front_end(Source(str(path), dict(SONGS)[label]), Library()).song
    grooves = {track.name: find_groove(song, track, song.style) for track in song.tracks}
    return {name: groove.pattern.ostinato if groove else None for name, groove in grooves.items()}


@pytest.mark.parametrize("label", [label for label, _ in SONGS])
def test_every_song_comps_with_a_vocabulary_and_its_drums_vary_but_stay_steady(label: str) -> None:
    result = measured(label)
    bounds = ostinato_bounds(label)
    for part in result.of_role("comp"):
        bound = bounds.get(part.name)
        if bound is None:
            assert part.top_share <= COMP_TOP_SHARE_MAX, (part, format_ensemble(result))
        assert part.distinct_per_32 >= (COMP_DISTINCT_MIN if bound is None else bound), (part, format_ensemble(result))
    for part in result.of_role("drums"):
        assert part.distinct_per_32 >= DRUM_DISTINCT_MIN, format_ensemble(result)
        assert part.consistency is None or part.consistency >= GROOVE_CONSISTENCY_MIN, format_ensemble(result)


@pytest.mark.parametrize("label", [label for label, _ in SONGS if label.startswith("style jazz.")
                                   or label in ("medium_swing", "ii_V_I_cycle", "st_louis_blues", "saints_melody",
                                                "uptempo_blues")])
def test_a_walking_bass_varies_its_bar_rhythm(label: str) -> None:
    (bass,) = measured(label).of_role("bass")
    assert bass.top_share <= BASS_TOP_SHARE_MAX, bass


@pytest.mark.parametrize("label", ["medium_swing", "bossa_nova", "style funk.groove"])
def test_five_seeds_give_five_performances_with_the_same_harmony(label: str) -> None:
    import io

    from bench.ensemble import ROOT
    from compiler.analyze import analyze_song
    from compiler.arrange import ArrangeOptions, arrange
    from compiler.library import Library
    from compiler.pipeline import front_end
    from compiler.source import Source

    path = ROOT / "specs" / f"{label}.song" if not label.startswith("style ") else ROOT / "smoke.song"
    song = front_end(Source(str(path), dict(SONGS)[label]), Library()).song
    performances = set()
    for seed in range(1, 6):
        timeline = arrange(song, ArrangeOptions(seed=seed))
        midi = to_midi(timeline)
        buffer = io.BytesIO()
        midi.save(file=buffer)
        again = io.BytesIO()
        to_midi(arrange(song, ArrangeOptions(seed=seed))).save(file=again)
        assert buffer.getvalue() == again.getvalue()  # the same seed, byte for byte
        performances.add(buffer.getvalue())
        report = midi_report(timeline, source=str(path), key="", tempo=float(song.tempo))
        harmony = analyze_song(midi, report)
        assert harmony.bass_root_rate >= 0.99 and harmony.chord_tone_rate >= 0.97, seed
        ensemble = ensemble_of(midi, report)
        assert ensemble.voicing_clashes == 0 and (ensemble.late_rate or 0) <= LATE_CHORDS_MAX, seed
        assert (ensemble.bass_clash_rate or 0) <= BASS_CLASH_MAX, seed
    assert len(performances) == 5
