"""compiler.audio.dsp against scipy and pyloudnorm, which the build itself no longer imports.

scipy and pyloudnorm are the references here: the cascade must filter as scipy's `sosfilt` does,
the upsampler interpolate as `upfirdn`/`resample_poly`, the running minimum match
`ndimage.minimum_filter1d`, and the K-weighting coefficients equal pyloudnorm's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from pyloudnorm.iirfilter import IIRfilter

from compiler.audio import dsp, loudness
from compiler.audio.effects import Biquad

ROOT = Path(__file__).resolve().parent.parent


def _signal(length: int, seed: int = 0) -> np.ndarray:
    """Stereo noise with a DC step: the step is what a high-pass near z = 1 finds hardest."""
    audio = np.random.default_rng(seed).standard_normal((2, length)).astype(np.float32) * 0.25
    audio[:, length // 3:length // 2] += 0.5
    return audio


def _relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    return float(np.abs(ours - reference).max() / np.abs(reference).max())


@pytest.mark.parametrize("rate", [44100, 48000])
def test_k_weighting_coefficients_are_pyloudnorms(rate):
    stages = (IIRfilter(3.99984385397, 0.7071752369554193, 1681.9744509555319, rate, "high_shelf_DeMan"),
              IIRfilter(0.0, 0.5003270373253953, 38.13547087613982, rate, "high_pass_DeMan"))
    expected = np.array([np.concatenate([stage.b, stage.a]) for stage in stages])
    np.testing.assert_allclose(loudness.k_weighting(rate), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("sections", [
    pytest.param(loudness.k_weighting(44100), id="k-weighting"),
    pytest.param(Biquad("lowcut", 25.0, 0.707, 44100).sections, id="lowcut-25Hz"),
    pytest.param(Biquad("highcut", 9000.0, 1.2, 48000).sections, id="highcut-9kHz"),
])
def test_cascade_filters_as_scipy_sosfilt(sections):
    audio = _signal(200_003)
    reference = scipy.signal.sosfilt(sections, audio.astype(np.float64), axis=1)
    assert _relative_error(dsp.Cascade(sections)(audio), reference) < 2e-5


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(1, 5000), min_size=1, max_size=6, unique=True))
def test_cascade_in_chunks_equals_one_run(cuts):
    audio = _signal(12_000, seed=len(cuts))
    sections = loudness.k_weighting(48000)
    whole = dsp.Cascade(sections)(audio)
    cascade = dsp.Cascade(sections)
    bounds = [0, *sorted(cuts), audio.shape[1]]
    chunked = np.concatenate([cascade(audio[:, a:b]) for a, b in zip(bounds, bounds[1:])], axis=1)
    assert _relative_error(chunked, whole) < 2e-5


def test_kaiser_lowpass_is_scipys_firwin():
    np.testing.assert_allclose(dsp.kaiser_lowpass(81, 0.25, 5.0),
                               scipy.signal.firwin(81, 0.25, window=("kaiser", 5.0)), rtol=0, atol=1e-15)


def test_upsampler_values_between_samples_are_upfirdns():
    factor, taps = 4, dsp.kaiser_lowpass(81, 0.25, 5.0) * 4
    upsampler = dsp.Upsampler(taps, factor)
    audio = _signal(5_000)
    up = scipy.signal.upfirdn(taps, audio.astype(np.float64), factor, axis=1)
    reach = upsampler.reach
    base = np.arange(reach, audio.shape[1] - reach)
    # upfirdn's output is delayed by the filter's half length (40 = reach·factor samples).
    expected = np.stack([up[:, (base + reach) * factor + phase] for phase in range(1, factor)], axis=1)
    np.testing.assert_allclose(upsampler.between(audio), expected, rtol=0, atol=2e-6)
    np.testing.assert_allclose(up[:, (base + reach) * factor], audio[:, base] * upsampler.centre, atol=1e-12)


def test_true_peak_finds_an_inter_sample_peak():
    # A sine at a quarter of the rate, sampled 45° off its crests: samples at 0.707, true peak 1.0
    # (away from the abrupt start and end, where interpolation rightly overshoots).
    n = np.arange(4096)
    audio = np.tile(np.sin(np.pi / 2 * n + np.pi / 4), (2, 1)).astype(np.float32)
    assert loudness.sample_peak(audio) == pytest.approx(-3.01, abs=0.01)
    inside = loudness.true_peak_envelope(audio)[100:-100]
    assert 20 * np.log10(inside.max()) == pytest.approx(0.0, abs=0.05)


@settings(max_examples=50, deadline=None)
@given(length=st.integers(1, 3000), before=st.integers(0, 300), after=st.integers(0, 300),
       seed=st.integers(0, 2 ** 16))
def test_running_min_is_ndimages_minimum_filter(length, before, after, seed):
    values = np.random.default_rng(seed).standard_normal(length).astype(np.float32)
    size = before + after + 1
    expected = scipy.ndimage.minimum_filter1d(values, size, origin=before - size // 2, mode="nearest")
    np.testing.assert_array_equal(dsp.running_min(values, before, after), expected)


def test_a_build_imports_neither_scipy_nor_pyloudnorm():
    """Importing scipy.signal alone costs more than half a second; the build path must not pay it."""
    probe = ("import sys, compiler.audio; "
             "print([m for m in ('scipy', 'pyloudnorm') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
