"""`song build` end to end on every spec: MIDI, report, stems and a master an independent meter accepts."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from compiler.cli import cpu_flags, main
from compiler.library import Library
from compiler.pipeline import build, front_end
from compiler.source import Source
from compiler.timeline import clock

from conftest import ROOT, SPECS
from test_audio_master import ffmpeg_ebur128

MAX_TAIL_S = 4.0
REPORT_KEYS = ("title", "tempo", "key", "time_signature", "bars", "duration_s", "sections", "tracks", "chords")
MASTER_KEYS = ("file", "target_lufs", "ceiling_dbtp", "integrated_lufs", "true_peak_dbtp", "sample_peak_dbfs",
               "loudness_range_lu", "gain_db", "max_limiter_reduction_db")


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_spec_builds_to_a_master_an_independent_meter_accepts(spec, built):
    out, report = built(spec)
    assert all(key in report for key in REPORT_KEYS) and all(key in report["master"] for key in MASTER_KEYS)
    assert list(json.loads((out / "report.json").read_text())) == list(report)
    assert (out / "song.mid").stat().st_size > 0
    master = out / report["master"]["file"]
    integrated, peak = ffmpeg_ebur128(master)
    assert abs(integrated - report["master"]["target_lufs"]) <= 0.5
    assert peak <= report["master"]["ceiling_dbtp"]
    audio, rate = soundfile.read(master, dtype="float32", always_2d=True)
    assert np.isfinite(audio).all() and np.abs(audio).max() < 1.0
    assert np.abs(audio.mean(axis=0)).max() < 1e-3  # no DC offset
    music_s = report["duration_s"]
    assert music_s <= len(audio) / rate <= music_s + MAX_TAIL_S + 0.01  # tail cap, on 64-sample blocks


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_playing_track_has_a_sounding_stem(spec, built):
    out, report = built(spec)
    playing = {t["name"] for t in report["tracks"] if t["notes"] and not t["muted"]}
    stems = {Path(s["file"]).stem: s for s in report["stems"]}
    assert set(stems) == playing
    for name in playing:
        audio, _ = soundfile.read(out / stems[name]["file"], dtype="float32")
        assert np.isfinite(audio).all() and np.sqrt(np.mean(audio ** 2)) > 10 ** (-80 / 20), name


def test_report_duration_follows_the_tempo_map(built):
    spec = next(s for s in SPECS if s.stem == "uptempo_blues")  # has a tempo ramp
    _, report = built(spec)
    from compiler.arrange import arrange

    timeline = arrange(front_end(Source.read(spec), Library()).song)
    assert report["duration_s"] == pytest.approx(clock(timeline).seconds(timeline.end_tick), abs=1e-3)
    assert clock(timeline).seconds(0) == timeline.lead_in_s == 0.5


@pytest.mark.parametrize("name", ["pop_eighths", "medium_swing", "bossa_nova", "house_124"])
def test_forte_sections_are_at_least_2_lu_louder_than_mezzo_piano(name, built):
    spec = next(s for s in SPECS if s.stem == name)
    _, report = built(spec)
    song = front_end(Source.read(spec), Library()).song
    loudness = {"f": [], "mp": []}
    for played, section in zip(song.passes, report["sections"], strict=True):
        if played.marks.dynamic in loudness and section["short_term_lufs"] is not None:
            loudness[played.marks.dynamic].append(section["short_term_lufs"])
    assert statistics.mean(loudness["f"]) - statistics.mean(loudness["mp"]) >= 2.0


def test_building_twice_gives_identical_files(tmp_path):
    spec = next(s for s in SPECS if s.stem == "bossa_nova")
    first = build(Source.read(spec), Library(), tmp_path / "one")
    build(Source.read(spec), Library(), tmp_path / "two")  # its own, cold cache
    names = ["song.mid", "report.json", "report.html", first["master"]["file"]] + [s["file"] for s in first["stems"]]
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


@pytest.mark.skipif(not {"avx2", "fma"} <= cpu_flags(), reason="the pin applies to CPUs with AVX2 and FMA")
def test_cli_build_pins_blas_kernels_before_numpy_loads(tmp_path):
    """`song build` must give the bytes of a build forced onto the pinned kernels: the pin is set in
    time (before numpy loads), so the machine's own kernel choice cannot change the audio."""
    spec = next(s for s in SPECS if s.stem == "funk_vamp")
    masters = []
    for name, extra in (("default", {}), ("forced", {"OPENBLAS_CORETYPE": "Haswell"})):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"} | extra
        subprocess.run([sys.executable, "-m", "compiler", "build", str(spec), "-o", str(tmp_path / name), "--quiet"],
                       check=True, env=env, cwd=ROOT, capture_output=True)
        masters.append((tmp_path / name / "master.wav").read_bytes())
    assert masters[0] == masters[1]


def test_cli_build_names_the_folder_and_reports_a_missing_soundfont(tmp_path, capsys):
    song = tmp_path / "tune.song"
    song.write_text("style jazz.swing\ntempo 160\nsection A\n  | Cm7 F7 | Bbmaj7 |\n", encoding="utf-8")
    assert main(["build", str(song), "-o", str(tmp_path / "o"), "--quiet", "--format", "flac"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"wrote {tmp_path / 'o'}/"
    assert (tmp_path / "o" / "master.flac").is_file()
    code = main(["build", str(song), "-o", str(tmp_path / "p"), "--quiet", "--soundfont", str(tmp_path / "no.sf2")])
    err = capsys.readouterr().err
    assert code == 1 and "fluid-soundfont-gm" in err and "Traceback" not in err


def test_practice_options(tmp_path):
    spec = next(s for s in SPECS if s.stem == "medium_swing")
    out = tmp_path / "practice"
    assert main(["build", str(spec), "-o", str(out), "--midi-only", "--quiet", "--key", "Eb", "--tempo", "100",
                 "--count-in", "2", "--mute", "piano", "--seed", "3"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["tempo"] == 100 and report["key"].startswith("Eb")
    assert report["sections"][0]["start_s"] == pytest.approx(0.5 + 4.8)  # the lead-in, two 4/4 count-in bars at 100 BPM
    assert any(t["role"] == "click" and t["notes"] == 8 for t in report["tracks"])
    assert next(t for t in report["tracks"] if t["name"] == "piano")["muted"] is True
