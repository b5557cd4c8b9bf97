"""A 4/4 style in 2/4, 3/4, 5/4 and 6/4 bars (arrange.meter): each lane re-cut beat by beat, and the band
still holds the ensemble thresholds on smoke songs in those meters."""

from __future__ import annotations

import pytest

from bench.ensemble import ADAPTED, smoke_text
from compiler.arrange.meter import beat_map, grouping_for, recut
from compiler.ensemble import BASS_BEAT3_MIN, LATE_CHORDS_MAX, MARKED_STARTS_MIN, format_ensemble

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
    assert recut(fill, BAR, 3 * 480, grouping_for(3), fill=True) == "x...ooooOOOO"  # its last three beats
    assert recut(fill, BAR, 2 * 480, grouping_for(2), fill=True) == "ooooOOOO"
    assert recut(fill, BAR, 6 * 480, grouping_for(6), fill=True) == "x...x...x...x...ooooOOOO"
    assert beat_map((3, 2), fill=True)[-2:] == (2, 3)


def test_lanes_that_are_not_four_written_beats_are_left_to_the_old_cut():
    assert recut("RR", BAR, 3 * 480, grouping_for(3)) is None           # half notes: no whole beats
    assert recut("x.x.x.", 3 * 480, 5 * 480, grouping_for(5)) is None   # written in 3/4
    assert recut(ROCK, BAR, BAR, grouping_for(4)) is None               # its own meter




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
    if meter != "3/4":  # the half bar: beat 4 of 5/4 (3 + 2) and 6/4 (3 + 3) plays the written beat 1
        assert result.beat3_notes > 0 and result.beat3_rate >= BASS_BEAT3_MIN, format_ensemble(result)
    again = io.BytesIO()
    to_midi(arrange(song)).save(file=again)
    first = io.BytesIO()
    midi.save(file=first)
    assert first.getvalue() == again.getvalue()  # the re-cut is as reproducible as the written bar



def _style_song(adapt: str, meter: str = "6/4") -> str:
    return (f'style local.six "6/4 rock"\n  time 4/4\n{adapt}  track drums room_kit role drums pattern beat\n'
            f'  pattern beat drums\n    kick  | x . . . x . . . |\n    snare | . . x . . . x . |\n'
            f'time {meter}\nstyle local.six\nsection A\n  | C | F |\n')


def _front(tmp_path, text: str):
    from compiler.cli import compile_front

    path = tmp_path / "six.song"
    path.write_text(text, encoding="utf-8")
    return compile_front(str(path))


def test_a_style_s_adapt_line_steers_the_grouping_and_silences_w006(tmp_path):
    import random

    from compiler.arrange.context import build_context
    from compiler.arrange.patterns import plan_track

    song, diagnostics, _ = _front(tmp_path, _style_song("  adapt 6/4 as 4+2\n"))
    assert list(diagnostics) == []
    (drums,) = song.tracks
    plan = plan_track(build_context(song, 0), drums, random.Random(1))[0]
    assert {lane.name: lane.steps for lane in plan.lanes} == {"kick": "x...x...x...", "snare": "..x...x...x."}


def test_without_an_adapt_line_w006_says_which_beats_are_played(tmp_path):
    _, diagnostics, _ = _front(tmp_path, _style_song(""))
    (warning,) = diagnostics
    assert warning.code == "W006" and warning.message.endswith("grouped 3 + 3: beats 1 2 4 + 1 2 4 of the written bar")


@pytest.mark.parametrize(("line", "message"), [
    ("adapt 6/4 as 4+3", "`4+3` does not split a bar of 6/4 into groups of 2, 3 or 4 beats"),
    ("adapt 6/4 as 5+1", "`5+1` does not split a bar of 6/4 into groups of 2, 3 or 4 beats"),
    ("adapt 6/8 as 3+3", "`adapt 6/8`: only bars of quarter beats other than 4/4 are re-cut"),
    ("adapt 4/4 as 2+2", "`adapt 4/4`: only bars of quarter beats other than 4/4 are re-cut"),
    ("adapt 6/4 as 3+3\n  adapt 6/4 as 4+2", "`adapt 6/4` is given twice"),
])
def test_an_adapt_line_that_cannot_be_played_is_e072_at_its_meter(tmp_path, line, message):
    _, diagnostics, _ = _front(tmp_path, _style_song(f"  {line}\n"))
    (error,) = [d for d in diagnostics if d.severity == "error"]
    assert (error.code, error.message, error.span.col) == ("E072", message, 9)


def test_adapt_in_a_style_not_written_in_four_beats_is_e072(tmp_path):
    text = _style_song("  adapt 6/4 as 3+3\n").replace("  time 4/4\n", "  time 3/4\n")
    _, diagnostics, _ = _front(tmp_path, text)
    assert [d.code for d in diagnostics if d.severity == "error"] == ["E072"]


def test_rock_straight_plays_six_four_as_its_bar_and_a_two_beat_tag():
    from compiler.library import Library
    from compiler.pipeline import front_end
    from compiler.source import Source

    song = front_end(Source("r.song", "time 6/4\nstyle rock.straight\nsection A\n  | C |\n"), Library()).song
    assert song.style.grouping_in(song.meter) == (4, 2)


def test_w006_in_a_bar_as_long_as_the_style_s_says_the_pattern_is_played_as_written(tmp_path):
    _, diagnostics, _ = _front(tmp_path, _style_song("", meter="2/2"))
    (warning,) = diagnostics
    assert warning.code == "W006" and "in 2/2 bars its patterns are played as written" in warning.message
