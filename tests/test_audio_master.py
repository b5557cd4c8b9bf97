"""compiler.audio.master + loudness: targets met as an independent meter (ffmpeg ebur128) sees them; the limiter.

The loudness checks parse the summary ffmpeg prints for `-af ebur128=peak=true` ("I:" and "Peak:").
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.audio import build_audio, loudness, section_loudness
from compiler.audio import master
from compiler.audio.master import MARGIN_DB, finish, held_peak_db, limiter_gain, prepare
from compiler.mixspec import MASTER_PRESETS, MasterSpec

from test_audio_render import SOUNDFONT, small_timeline

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


def ffmpeg_ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) from ffmpeg's ebur128 summary."""
    done = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true",
                           "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = done.stderr[done.stderr.rindex("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@needs_ffmpeg
@pytest.mark.skipif(not SOUNDFONT.exists(), reason="needs the fluid-soundfont-gm package")
@pytest.mark.parametrize("preset, fmt, bits, rate", [
    ("streaming", "wav", 24, 48000),
    ("apple", "flac", 24, 44100),
    ("broadcast", "wav", 16, 48000),
])
def test_master_meets_the_preset_by_ffmpeg(tmp_path, cache, preset, fmt, bits, rate):
    target, ceiling = MASTER_PRESETS[preset]
    spec = MasterSpec(preset=preset, target_lufs=target, ceiling_dbtp=ceiling, format=fmt, bit_depth=bits,
                      sample_rate=rate)
    report = build_audio(small_timeline(spec), tmp_path, soundfont=SOUNDFONT, cache_dir=cache)["master"]
    integrated, peak = ffmpeg_ebur128(tmp_path / report["file"])
    assert abs(integrated - target) <= 0.5
    assert peak <= ceiling
    assert abs(report["integrated_lufs"] - target) <= 0.5 and report["true_peak_dbtp"] <= ceiling
    info = soundfile.info(tmp_path / report["file"])
    assert (info.samplerate, info.subtype, info.format) == (rate, f"PCM_{bits}", fmt.upper())


@pytest.mark.skipif(not SOUNDFONT.exists(), reason="needs the fluid-soundfont-gm package")
def test_master_file_is_clean_and_the_report_complete(tmp_path, cache):
    report = build_audio(small_timeline(), tmp_path, soundfont=SOUNDFONT, cache_dir=cache)
    audio, _ = soundfile.read(tmp_path / "master.wav", dtype="float32")
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() < 1.0  # no clipping
    assert np.abs(audio.mean(axis=0)).max() < 1e-3  # no DC offset
    master = report["master"]
    for key in ("file", "target_lufs", "ceiling_dbtp", "integrated_lufs", "true_peak_dbtp", "sample_peak_dbfs",
                "loudness_range_lu", "gain_db", "max_limiter_reduction_db"):
        assert key in master
    assert master["sample_peak_dbfs"] <= master["true_peak_dbtp"] + 0.01
    assert report["renderer"]["fluidsynth"].count(".") == 2
    assert report["renderer"]["soundfont"]["name"] == SOUNDFONT.name


@pytest.mark.skipif(not SOUNDFONT.exists(), reason="needs the fluid-soundfont-gm package")
def test_loud_section_measures_louder_than_soft_one(tmp_path, cache):
    report = build_audio(small_timeline(), tmp_path, soundfont=SOUNDFONT, cache_dir=cache)
    soft, loud = report["sections"]
    assert (soft["label"], loud["label"]) == ("mp", "f")
    assert (soft["start_s"], soft["end_s"], loud["start_s"], loud["end_s"]) == (0.0, 4.0, 4.0, 8.0)
    assert loud["short_term_median_lufs"] - soft["short_term_median_lufs"] >= 2


def test_section_loudness_medians_short_term_windows_inside_each_section():
    rate = 48000
    rng = np.random.default_rng(1)
    quiet, loud = 0.01 * rng.standard_normal((2, 4 * rate)), 0.1 * rng.standard_normal((2, 4 * rate))
    audio = np.concatenate([quiet, loud], axis=1).astype(np.float32)
    soft, strong = section_loudness(small_timeline(), audio, rate)
    assert strong["short_term_median_lufs"] - soft["short_term_median_lufs"] == pytest.approx(20, abs=0.5)


def test_integrated_loudness_agrees_with_pyloudnorm():
    rate = 44100
    rng = np.random.default_rng(2)
    audio = (rng.standard_normal((2, 10 * rate)) * np.linspace(0.01, 0.2, 10 * rate)).astype(np.float32)
    expected = pyloudnorm.Meter(rate, filter_class="DeMan").integrated_loudness(audio.T.astype(np.float64))
    assert loudness.integrated(loudness.hop_power(audio, rate)) == pytest.approx(expected, abs=0.01)


def test_true_peak_finds_the_peak_between_samples():
    # A quarter-rate sine sampled at ±45°: every sample is 0.707, the waveform peaks at 1.0 between them.
    # Faded in and out over 0.1 s, so its abrupt ends do not ring.
    n = np.arange(48000)
    fade = np.minimum(1, np.minimum(n, n[::-1]) / 4800)
    audio = np.tile(np.sin(np.pi / 2 * n + np.pi / 4) * fade, (2, 1)).astype(np.float32)
    assert loudness.sample_peak(audio) == pytest.approx(-3.01, abs=0.01)
    assert loudness.true_peak(audio) == pytest.approx(0.0, abs=0.1)


def test_loudness_range_of_two_levels():
    rate = 48000
    rng = np.random.default_rng(3)
    audio = np.concatenate([0.1 * rng.standard_normal((2, 20 * rate)), 0.01 * rng.standard_normal((2, 20 * rate))],
                           axis=1).astype(np.float32)
    assert loudness.loudness_range(loudness.hop_power(audio, rate)) == pytest.approx(20, abs=1)


def test_finish_reaches_target_under_ceiling_on_a_spiky_signal():
    rate = 48000
    rng = np.random.default_rng(4)
    audio = (0.05 * rng.standard_normal((2, 12 * rate))).astype(np.float32)
    audio[:, ::12000] = 0.9  # a click every 250 ms: the limiter has to work
    spec = MasterSpec(target_lufs=-12.0, ceiling_dbtp=-1.0)
    report = finish(prepare(audio, rate, loudness.integrated(loudness.hop_power(audio, rate))), spec)
    assert abs(report["integrated_lufs"] + 12) <= 0.3
    assert loudness.true_peak(audio) <= -1.0
    assert report["max_limiter_reduction_db"] > 3


def test_envelope_outlines_the_finished_master():
    # 3 s quiet then 3 s loud noise: each hop's peak is the master's own, and the short-term curve
    # starts with the first full 3 s window and rises by the level step once it covers the loud part.
    rate = MasterSpec().sample_rate
    rng = np.random.default_rng(5)
    audio = np.concatenate([0.01 * rng.standard_normal((2, 3 * rate)), 0.1 * rng.standard_normal((2, 3 * rate))],
                           axis=1).astype(np.float32)
    report = finish(prepare(audio, rate, loudness.integrated(loudness.hop_power(audio, rate))), MasterSpec())
    envelope = report["envelope"]
    hop = rate // 10
    expected = np.abs(audio).reshape(2, -1, hop).max(axis=(0, 2))
    assert envelope["hop_s"] == 0.1 and len(envelope["peak"]) == len(envelope["short_term_lufs"]) == 60
    assert envelope["peak"] == pytest.approx(expected, abs=5e-4)
    curve = envelope["short_term_lufs"]
    assert curve[:29] == [None] * 29 and curve[29] is not None
    assert curve[-1] - curve[29] == pytest.approx(20, abs=1.0)


def test_silence_masters_to_silence():
    audio = np.zeros((2, 48000), np.float32)
    report = finish(prepare(audio, 48000, float("-inf")), MasterSpec())
    assert report["integrated_lufs"] is None and report["gain_db"] == 0
    assert not audio.any()
    assert set(report["envelope"]["peak"]) == {0.0} and set(report["envelope"]["short_term_lufs"]) == {None}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), gain_db=st.floats(-6, 30), spikes=st.integers(0, 50))
def test_limiter_gain_never_lets_the_envelope_over_the_ceiling(seed, gain_db, spikes):
    rng = np.random.default_rng(seed)
    envelope = np.abs(rng.standard_normal(20000) * 0.05).astype(np.float32)
    envelope[rng.integers(0, len(envelope), spikes)] = rng.uniform(0.1, 2.0, spikes)
    ceiling = -1.0 - MARGIN_DB
    gain = limiter_gain(held_peak_db(envelope, 48000), gain_db, ceiling, 48000)
    assert (gain * envelope).max() <= 10 ** (ceiling / 20) * (1 + 1e-4)
    assert gain.max() <= 10 ** (gain_db / 20) * (1 + 1e-4)


def test_limiter_gain_in_segments_equals_one_pass(monkeypatch):
    """Segments (with resting ones skipped, reductions carried over boundaries, a one-sample last
    segment) give the curve a single pass over the whole song gives."""
    rng = np.random.default_rng(3)
    length = 3 * master._SEGMENT + 1
    envelope = np.abs(rng.standard_normal(length) * 0.01).astype(np.float32)
    # Spikes whose hold or release crosses a segment boundary, and one in the last sample.
    envelope[[1000, master._SEGMENT - 5, 2 * master._SEGMENT - 500, 2 * master._SEGMENT + 3, length - 1]] = 1.5
    held = held_peak_db(envelope, 48000)
    segmented = limiter_gain(held, 12.0, -1.3, 48000)
    monkeypatch.setattr(master, "_SEGMENT", length)
    np.testing.assert_array_equal(held_peak_db(envelope, 48000), held)
    whole = limiter_gain(held, 12.0, -1.3, 48000)
    np.testing.assert_allclose(20 * np.log10(segmented), 20 * np.log10(whole), rtol=0, atol=1e-3)
    assert (segmented * envelope).max() <= 10 ** (-1.3 / 20) * (1 + 1e-4)


@pytest.mark.skipif(not SOUNDFONT.exists(), reason="needs the fluid-soundfont-gm package")
def test_section_loudness_is_measured_on_the_master(tmp_path, cache):
    """Before: the sections' loudness was the pre-master mix's (-38 LUFS in a -14 LUFS master)."""
    import soundfile

    report = build_audio(small_timeline(), tmp_path, soundfont=SOUNDFONT, cache_dir=cache)
    master, rate = soundfile.read(tmp_path / report["master"]["file"], dtype="float32")
    again = section_loudness(small_timeline(), np.ascontiguousarray(master.T), rate)
    assert [s["short_term_median_lufs"] for s in report["sections"]] == pytest.approx(
        [s["short_term_median_lufs"] for s in again], abs=0.05)
    assert abs(report["sections"][1]["short_term_median_lufs"] - report["master"]["integrated_lufs"]) < 4
