"""A 4/4 style in 2/4, 3/4, 5/4 and 6/4 bars (arrange.meter): each lane re-cut beat by beat, and the band
still holds the ensemble thresholds on smoke songs in those meters."""

from __future__ import annotations

import pytest

from bench.ensemble import smoke_text
from compiler.arrange.meter import beat_map, grouping_for, recut
from compiler.ensemble import LATE_CHORDS_MAX, MARKED_STARTS_MIN, format_ensemble

BAR = 4 * 480
ROCK = "x.o.x.o."  # kick on 1 and 3, snare on 2 and 4, in eighths


@pytest.mark.parametrize(("beats", "expected"), [
    (2, "x.o."),            # beat 1 and the backbeat of 4
    (3, "x.o.o."),          # 1, 2 and the last beat's figure
    (5, "x.o.o.x.o."),      # 3 + 2
    (6, "x.o.o.x.o.o."),    # 3 + 3
    (7, "x.o.x.o.x.o.o."),  # 4 + 3
])
def test_a_four_beat_lane_is_re_cut_into_groups_that_start_on_beat_one_and_end_on_beat_four(beats, expected):
    assert recut(ROCK, BAR, beats * 480, grouping_for(beats)) == expected


def test_a_style_can_steer_the_grouping_and_a_grouping_that_does_not_add_up_is_ignored():
    assert recut(ROCK, BAR, 6 * 480, grouping_for(6, (4, 2))) == "x.o.x.o.x.o."
    assert grouping_for(6, (4, 3)) == (3, 3)


def test_a_fill_keeps_its_written_ending_on_the_bar_line():
    fill = "x...x...ooooOOOO"  # groove, groove, then toms on 3 and 4
    assert recut(fill, BAR, 3 * 480, grouping_for(3), fill=True) == "x...ooooOOOO"
    assert recut(fill, BAR, 6 * 480, grouping_for(6), fill=True) == "x...x...x...x...ooooOOOO"
    assert beat_map((3, 2), fill=True)[-2:] == (2, 3)


def test_lanes_that_are_not_four_written_beats_are_left_to_the_old_cut():
    assert recut("RR", BAR, 3 * 480, grouping_for(3)) is None           # half notes: no whole beats
    assert recut("x.x.x.", 3 * 480, 5 * 480, grouping_for(5)) is None   # written in 3/4
    assert recut(ROCK, BAR, BAR, grouping_for(4)) is None               # its own meter


ADAPTED = [(style, meter) for style in ("jazz.swing", "rock.straight", "pop.eighths")
           for meter in ("3/4", "5/4", "6/4")]


@pytest.mark.parametrize(("style", "meter"), ADAPTED)
def test_a_four_four_style_in_another_meter_keeps_the_ensemble_thresholds(style, meter):
    import io

    from bench.ensemble import ROOT
    from compiler.analyze import analyze_song
    from compiler.arrange import arrange
    from compiler.ensemble import ensemble_of
    from compiler.library import Library
    from compiler.midi import to_midi
    from compiler.pipeline import front_end
    from compiler.report import midi_report
    from compiler.source import Source

    path = ROOT / "smoke.song"
    song = front_end(Source(str(path), smoke_text(style, meter)), Library()).song
    timeline = arrange(song)
    midi = to_midi(timeline)
    report = midi_report(timeline, source=str(path), key="", tempo=float(song.tempo))
    harmony = analyze_song(midi, report)
    result = ensemble_of(midi, report)
    assert harmony.bass_root_rate >= 0.99, harmony
    assert (result.late_rate or 0) <= LATE_CHORDS_MAX, format_ensemble(result)
    assert result.marked_rate is not None and result.marked_rate >= MARKED_STARTS_MIN, format_ensemble(result)
    assert result.voicing_clashes == 0, format_ensemble(result)
    again = io.BytesIO()
    to_midi(arrange(song)).save(file=again)
    first = io.BytesIO()
    midi.save(file=first)
    assert first.getvalue() == again.getvalue()  # the re-cut is as reproducible as the written bar

