"""compiler.analyze_audio: the mix figures on signals whose answer is known, and the ranges on every spec."""

from __future__ import annotations

import numpy as np
import pytest

from compiler import analyze_audio as aa
from compiler.audio import loudness

from conftest import SPECS

RATE = 44100


def _noise(slope_db_per_octave: float, seconds: float = 20, seed: int = 0) -> np.ndarray:
    """Noise whose power spectrum falls by `slope` dB per octave (two independent channels)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    spectrum = rng.standard_normal((2, n // 2 + 1)) + 1j * rng.standard_normal((2, n // 2 + 1))
    freqs = np.maximum(np.fft.rfftfreq(n, 1 / RATE), 20.0)
    spectrum *= (freqs / 1000) ** (slope_db_per_octave / (20 * np.log10(2)))
    audio = np.fft.irfft(spectrum, n, axis=1)
    return (0.1 * audio / np.abs(audio).max()).astype(np.float32)


@pytest.mark.parametrize("slope", [-3.0, -4.5, -6.0])
def test_tilt_reads_the_slope_of_the_spectrum(slope):
    tilt, _, _ = aa.spectrum_figures(_noise(slope), RATE)
    assert tilt == pytest.approx(slope, abs=0.15)


def test_correlation_of_mono_unrelated_and_mixed_sides():
    noise = _noise(-3.0)
    mono = np.stack([noise[0], noise[0]])
    assert aa.spectrum_figures(mono, RATE)[1:] == pytest.approx((1.0, 1.0), abs=1e-6)
    assert abs(aa.spectrum_figures(noise, RATE)[1]) < 0.05
    half = np.stack([noise[0], (noise[0] + noise[1]) / np.sqrt(2)])  # correlation 1/sqrt(2)
    assert aa.spectrum_figures(half, RATE)[1] == pytest.approx(2 ** -0.5, abs=0.03)


def test_a_stem_is_measured_only_where_it_plays():
    band = _noise(-3.0, 30, seed=1)
    part = _noise(-3.0, 30, seed=2) * np.float32(10 ** (-6 / 20))
    part[:, 15 * RATE:] = 0  # it plays the first half only
    balance = aa.stem_balance("part", loudness.hop_power(part, RATE), loudness.hop_power(band + part, RATE))
    assert balance.relative_lu == pytest.approx(-7.0, abs=0.5)  # -6 dB against the band, -7 against band + part
    assert balance.playing_s == pytest.approx(15, abs=3)


def test_steps_between_dynamics():
    assert aa.dynamic_steps({"p": -20.0, "mf": -15.0, "f": -12.0}) == (2.67, 8.0)
    assert aa.dynamic_steps({"mf": -15.0}) == (None, None)


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_spec_has_its_reverb_heard_at_its_wet_level(spec, built):
    folder, report = built(spec)
    analysis = aa.analyze_build(folder)
    assert analysis.wet_lu is not None, "every style sends some of its band to the reverb"
    assert analysis.wet_lu == pytest.approx(report["reverb"]["wet_lu"], abs=aa.WET_TOLERANCE_LU)
    assert -24 <= analysis.wet_lu <= -10
    assert analysis.low_correlation >= aa.LOW_CORRELATION_MIN  # the low end stays mono-safe


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_spec_mixes_inside_the_ranges_an_engineer_would_sign(spec, built):
    """Issue 11, Deliver 2-5 on every spec: wet level, tilt, stereo correlation (full and below 150 Hz),
    every stem's level against the mix where it plays, and the LU per dynamic step."""
    folder, _ = built(spec)
    assert aa.analyze_build(folder).problems() == []


def test_analyze_audio_prints_the_table_and_refuses_a_folder_without_a_build(tmp_path, capsys, built):
    from compiler.cli import main

    assert main(["analyze", "--audio", str(tmp_path)]) == 2
    assert "no report.json" in capsys.readouterr().err
    folder, _ = built(next(s for s in SPECS if s.stem == "jazz_ballad"))
    assert main(["analyze", "--audio", str(folder)]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split()[:3] == ["build", "wet", "LU"] and "jazz_ballad" in table
