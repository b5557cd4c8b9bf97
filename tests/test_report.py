"""Tests for compiler.report: the report.json of a MIDI build."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from compiler.report import midi_report, write_report
from compiler.timeline import ChordMark, Marker, MeterPoint, Note, TempoPoint, Timeline, Track

# 120 bpm: one quarter note (480 ticks) is 0.5 s; from tick 3840 on, 60 bpm: 1 s per quarter.
TIMELINE = Timeline(
    title="Blue Bossa", end_tick=5760, bars=3,
    tempos=(TempoPoint(tick=0, bpm=Fraction(120)), TempoPoint(tick=3840, bpm=Fraction(60))),
    meters=(MeterPoint(tick=0, numerator=3, denominator=4),),
    markers=(Marker(tick=0, label="A", pass_no=1, first_bar=1, last_bar=2),
             Marker(tick=2880, label="A", pass_no=2, first_bar=3, last_bar=4, ending=2, ending_bar=4)),
    chords=(ChordMark(tick=0, bar=1, beat=Fraction(0), symbol="Cm6", root="C", pitch_classes=(0, 3, 7, 9),
                      tension_classes=(2, 5)),
            ChordMark(tick=720, bar=1, beat=Fraction(3, 2), symbol="C/G", root="C", bass="G",
                      pitch_classes=(0, 4, 7)),
            ChordMark(tick=2880, bar=3, beat=Fraction(0), symbol="NC", root=None)),
    tracks=(Track(name="bass", instrument="acoustic_bass", program=32, channel=0, role="bass",
                  notes=(Note(start=0, dur=480, pitch=36, velocity=90),)),
            Track(name="pad", instrument="warm_pad", program=89, channel=1, role="pad", muted=True)))


def report() -> dict:
    return midi_report(TIMELINE, source="specs/blue_bossa.song", key="C minor", tempo=120.0, style="latin.bossa",
                       composer="Kenny Dorham")


def test_top_level_keys_in_fixed_order() -> None:
    assert list(report()) == ["title", "composer", "source", "style", "tempo", "key", "time_signature", "ppq",
                              "bars", "end_tick", "lead_in_s", "duration_s", "sections", "tracks", "chords"]
    assert report()["time_signature"] == "3/4"
    assert (report()["style"], report()["composer"]) == ("latin.bossa", "Kenny Dorham")


def test_duration_uses_the_tempo_map() -> None:
    assert report()["duration_s"] == 4 + 4  # 8 quarters at 120 bpm, then 4 quarters at 60 bpm


def test_sections_end_where_the_next_one_starts() -> None:
    assert report()["sections"] == [
        {"label": "A", "pass": 1, "first_bar": 1, "last_bar": 2, "ending": None, "ending_bar": None,
         "dynamic": "mf", "start_s": 0.0, "end_s": 3.0},
        {"label": "A", "pass": 2, "first_bar": 3, "last_bar": 4, "ending": 2, "ending_bar": 4,
         "dynamic": "mf", "start_s": 3.0, "end_s": 8.0}]


def test_seconds_are_the_audios_after_the_lead_in() -> None:
    late = midi_report(TIMELINE.model_copy(update={"lead_in_s": 0.5}), source="s.song", key="C minor", tempo=120.0,
                       style="latin.bossa")
    assert late["lead_in_s"] == 0.5 and late["duration_s"] == 8.5
    assert [(s["start_s"], s["end_s"]) for s in late["sections"]] == [(0.5, 3.5), (3.5, 8.5)]
    assert late["chords"][0]["start_s"] == report()["chords"][0]["start_s"] + 0.5


def test_tracks() -> None:
    assert report()["tracks"] == [
        {"name": "bass", "instrument": "acoustic_bass", "program": 32, "channel": 0, "role": "bass",
         "muted": False, "notes": 1},
        {"name": "pad", "instrument": "warm_pad", "program": 89, "channel": 1, "role": "pad",
         "muted": True, "notes": 0}]


def test_chords_count_beats_from_1_and_last_until_the_next_change() -> None:
    first, slash, no_chord = report()["chords"]
    assert (first["beat"], first["start_s"], first["end_s"], first["end_tick"]) == (1, 0.0, 0.75, 720)
    assert (slash["beat"], slash["bass"], slash["pitch_classes"]) == (2.5, "G", [0, 4, 7])
    assert (no_chord["symbol"], no_chord["root"], no_chord["end_s"]) == ("N.C.", None, 8.0)
    assert first["tension_classes"] == [2, 5]


def test_written_json_is_rounded_stable_and_atomic(tmp_path: Path) -> None:
    timeline = TIMELINE.model_copy(update={"tempos": (TempoPoint(tick=0, bpm=Fraction(140)),)})
    content = midi_report(timeline, source="x.song", key="C minor", tempo=140.0)
    path = tmp_path / "report.json"
    write_report(content, path)
    first = path.read_bytes()
    write_report(content, path)
    assert path.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    loaded = json.loads(first)
    assert loaded["duration_s"] == round(5760 * 60 / (140 * 480), 4) == 5.1429
    assert list(loaded) == list(content)


def test_written_json_keeps_lists_of_plain_values_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_report(report(), path)
    text = path.read_text(encoding="utf-8")
    assert '"pitch_classes": [0, 3, 7, 9],' in text
    assert '"sections": [\n    {\n      "label": "A",' in text
    assert json.loads(text) == json.loads(json.dumps(report()))


def test_each_pass_names_the_ending_it_plays() -> None:
    from compiler.arrange import arrange
    from compiler.library import Library
    from compiler.pipeline import front_end
    from compiler.source import Source

    from conftest import GOLDEN

    timeline = arrange(front_end(Source.read(GOLDEN / "resolve" / "endings.song"), Library()).song)
    sections = midi_report(timeline, source="endings.song", key="C major", tempo=140.0)["sections"]
    assert [(s["first_bar"], s["last_bar"], s["ending"], s["ending_bar"]) for s in sections] == [
        (1, 6, 1, 5), (7, 12, 2, 11), (13, 18, 3, 17), (19, 24, 3, 23)]


def _reference_text(value, indent: str = "") -> str:
    """report.json's layout written plainly with one json.dumps per value: what report_text's fast
    encoder must equal byte for byte."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = (f"{inner}{json.dumps(key, ensure_ascii=False)}: {_reference_text(item, inner)}"
                 for key, item in value.items())
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        return "[\n" + ",\n".join(inner + _reference_text(item, inner) for item in value) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False)


_plain = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                   st.text(max_size=6))
_values = st.recursive(_plain, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=4), inner, max_size=4)),
                       max_leaves=30)


@given(st.dictionaries(st.text(max_size=4), _values, max_size=5))
def test_report_text_is_the_plain_layouts_bytes(report_value) -> None:
    from compiler.report import as_written, report_text

    assert report_text(report_value) == _reference_text(as_written(report_value)) + "\n"


def test_report_text_of_a_built_song_is_the_plain_layouts_bytes() -> None:
    from compiler.report import as_written, report_text

    content = report()
    assert report_text(content) == _reference_text(as_written(content)) + "\n"
