"""compiler.audio.mix + effects: pan law, role defaults, tempo-synced delay, song length, stem files."""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile

from compiler.audio import build_audio, effects, mix
from compiler.mixspec import Delay, EqBand, ReverbBus, TrackSound
from compiler.outputs import stem_file

from test_audio_render import RATE, SOUNDFONT, raw_stems, small_timeline

needs_soundfont = pytest.mark.skipif(not SOUNDFONT.exists(), reason="needs the fluid-soundfont-gm package")


def test_constant_power_pan_law():
    assert mix.pan_gains(-100) == pytest.approx((1.0, 0.0))
    assert mix.pan_gains(100) == pytest.approx((0.0, 1.0), abs=1e-12)
    left, right = mix.pan_gains(0)
    assert 20 * math.log10(left) == pytest.approx(-3.01, abs=0.01) and left == right
    for pan in (-70, -20, 35, 90):
        assert sum(g * g for g in mix.pan_gains(pan)) == pytest.approx(1.0)


@needs_soundfont
def test_stems_follow_the_pan_law_and_fader(tmp_path):
    # Drums get no default EQ, so their stem is the raw render times the pan gains and the fader.
    for pan, volume in ((-100, 0.0), (0, 0.0), (0, -6.0)):
        timeline = small_timeline(drums=TrackSound(pan=pan, volume_db=volume))
        build_audio(timeline, tmp_path / "out", soundfont=SOUNDFONT, cache_dir=tmp_path / "cache")
        stem, _ = soundfile.read(tmp_path / "out" / "stems" / "drums.flac", dtype="float32")
        raw = raw_stems(timeline, tmp_path / "cache" / "stems")["drums"]
        gains = np.array(mix.pan_gains(pan)) * 10 ** (volume / 20)
        if pan == -100:
            assert not stem[:, 1].any()  # hard left: the right channel is silent
        n = raw.shape[1]
        for channel in (0, 1):
            assert np.allclose(stem[:n, channel], raw[channel] * gains[channel], atol=1e-6)


def test_role_defaults_protect_the_low_end_only_without_an_eq():
    assert effects.eq_bands(TrackSound(), "bass") == (EqBand(kind="lowcut", freq_hz=35.0),)
    assert effects.eq_bands(TrackSound(), "pad")[0].freq_hz == 100.0
    assert effects.eq_bands(TrackSound(), "drums") == ()
    own = (EqBand(kind="peak", freq_hz=800, gain_db=3),)
    assert effects.eq_bands(TrackSound(eq=own), "comp") == own


def test_lowcut_is_12_db_per_octave_with_its_q():
    cut = effects.Biquad("lowcut", 100.0, 0.707, RATE)
    t = np.arange(RATE) / RATE
    for freq, expected in ((100.0, -3.0), (50.0, -12.3), (1000.0, 0.0)):
        tone = np.tile(np.sin(2 * np.pi * freq * t), (2, 1)).astype(np.float32)
        out = cut(tone)[:, RATE // 2:]
        assert 20 * np.log10(np.abs(out).max()) == pytest.approx(expected, abs=0.3), freq


def test_delay_is_tempo_synced_to_the_starting_tempo():
    delay = Delay(beats=0.75, mix=0.5, feedback=0.0)
    assert effects.delay_seconds(delay, 120.0) == pytest.approx(0.375)
    chain = effects.track_chain(TrackSound(delay=delay), "drums", RATE, 120.0)
    impulse = np.zeros((2, RATE), np.float32)
    impulse[:, 0] = 1.0
    echo = np.abs(chain(impulse)[0, 100:])
    assert int(echo.argmax()) + 100 == pytest.approx(0.375 * RATE, abs=2)


def test_chunked_chain_equals_a_whole_run():
    sound = TrackSound(eq=(EqBand(kind="lowcut", freq_hz=80), EqBand(kind="highshelf", freq_hz=6000, gain_db=-3)),
                       delay=Delay(beats=0.5, mix=0.3))
    signal = (0.1 * np.random.default_rng(0).standard_normal((2, 3 * RATE))).astype(np.float32)
    whole = effects.track_chain(sound, "comp", RATE, 100.0)(signal)
    chain = effects.track_chain(sound, "comp", RATE, 100.0)
    pieces = np.concatenate([chain(signal[:, i:i + 10000]) for i in range(0, signal.shape[1], 10000)], axis=1)
    assert np.allclose(whole, pieces, atol=1e-6)


@needs_soundfont
def test_song_length_adds_the_longest_ring_out_within_four_seconds(tmp_path):
    timeline = small_timeline()
    report = build_audio(timeline, tmp_path / "dry", soundfont=SOUNDFONT, cache_dir=tmp_path / "cache")
    hall = timeline.model_copy(update={"reverb": ReverbBus(kind="hall", wet_lu=-14)})
    wet = build_audio(hall, tmp_path / "wet", soundfont=SOUNDFONT, cache_dir=tmp_path / "cache")
    end = 8 * RATE
    assert end < report["master"]["samples"] < wet["master"]["samples"] <= end + 4 * RATE
    for folder, result in (("dry", report), ("wet", wet)):
        info = soundfile.info(tmp_path / folder / "stems" / "bass.flac")
        assert info.frames == result["master"]["samples"] and info.subtype == "PCM_24"


@needs_soundfont
def test_wav32_stems_are_float_and_hold_the_flac_stems_samples(tmp_path):
    timeline = small_timeline()
    build_audio(timeline, tmp_path / "flac", soundfont=SOUNDFONT, cache_dir=tmp_path / "cache")
    report = build_audio(timeline, tmp_path / "wav", soundfont=SOUNDFONT, cache_dir=tmp_path / "cache", stems="wav32")
    assert [s["file"] for s in report["stems"]] == ["stems/bass.wav", "stems/piano.wav", "stems/drums.wav"]
    info = soundfile.info(tmp_path / "wav" / "stems" / "bass.wav")
    assert info.subtype == "FLOAT" and info.format == "WAV"
    exact, _ = soundfile.read(tmp_path / "wav" / "stems" / "bass.wav", dtype="float32")
    flac, _ = soundfile.read(tmp_path / "flac" / "stems" / "bass.flac", dtype="float32")
    assert np.abs(flac - exact).max() <= 2.0 ** -23  # 24-bit rounding, nothing more


def test_track_names_become_safe_file_names():
    """Names that would clash are refused before the build (E091, tests/test_outputs.py)."""
    names = [stem_file(name) for name in ["lead gtr", "bass", "..", "ü", "lead#"]]
    assert names == ["stems/lead_gtr.flac", "stems/bass.flac", "stems/track.flac", "stems/track.flac", "stems/lead_.flac"]


@needs_soundfont
def test_a_ring_out_longer_than_four_seconds_is_cut_with_a_fade(tmp_path):
    echoes = TrackSound(delay=Delay(beats=1, mix=0.5, feedback=0.9))  # about 33 s of echoes
    report = build_audio(small_timeline(bass=echoes), tmp_path, soundfont=SOUNDFONT)
    assert report["master"]["samples"] == 12 * RATE  # 8 s of music + the 4 s cap
    stem, _ = soundfile.read(tmp_path / "stems" / "bass.flac", dtype="float32")
    assert np.abs(stem[-RATE // 2:-RATE // 5]).max() > 1e-3  # still echoing before the fade
    assert np.abs(stem[-20:]).max() < 1e-4  # faded out at the very end


@needs_soundfont
@pytest.mark.parametrize("wet_lu", [-20.0, -14.0])
def test_the_reverb_return_sits_at_its_wet_level_against_the_dry_mix(tmp_path, wet_lu):
    from compiler.audio import loudness

    timeline = small_timeline(bass=TrackSound(reverb_send=0.2)).model_copy(
        update={"reverb": ReverbBus(kind="hall", wet_lu=wet_lu)})
    report = build_audio(timeline, tmp_path, soundfont=SOUNDFONT)
    assert report["reverb"]["file"] == "stems/reverb.flac" and report["reverb"]["wet_lu"] == wet_lu
    wet, _ = soundfile.read(tmp_path / "stems" / "reverb.flac", dtype="float32")
    dry = sum(soundfile.read(tmp_path / "stems" / f"{name}.flac", dtype="float32")[0]
              for name in ("bass", "piano", "drums"))
    measured = [loudness.integrated(loudness.hop_power(np.ascontiguousarray(x.T), RATE)) for x in (wet, dry)]
    assert measured[0] - measured[1] == pytest.approx(wet_lu, abs=0.05)


@needs_soundfont
def test_the_reverb_bus_is_low_cut_and_pre_delayed(tmp_path):
    # Only the bass feeds the reverb: a 250 Hz low cut leaves its return far quieter below 100 Hz
    # than the bass itself, and nothing returns before the pre-delay has passed.
    spec = ReverbBus(kind="room", wet_lu=-14, pre_delay_ms=80, low_cut_hz=250)
    timeline = small_timeline(bass=TrackSound(reverb_send=0.5), piano=TrackSound()).model_copy(
        update={"reverb": spec, "lead_in_s": 0.0})
    build_audio(timeline, tmp_path, soundfont=SOUNDFONT)
    wet, _ = soundfile.read(tmp_path / "stems" / "reverb.flac", dtype="float32")
    bass, _ = soundfile.read(tmp_path / "stems" / "bass.flac", dtype="float32")
    first = lambda x: int(np.nonzero(np.abs(x).max(axis=1) > 1e-5)[0][0])  # noqa: E731
    assert first(wet) - first(bass) >= round(0.08 * RATE)

    def low_share(x: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(x[:, 0])) ** 2
        freqs = np.fft.rfftfreq(len(x), 1 / RATE)
        return spectrum[freqs < 100].sum() / spectrum.sum()

    assert low_share(wet) < 0.1 * low_share(bass)


@needs_soundfont
def test_the_audio_starts_after_the_lead_in(tmp_path):
    timeline = small_timeline().model_copy(update={"lead_in_s": 0.5})
    report = build_audio(timeline, tmp_path, soundfont=SOUNDFONT)
    master, _ = soundfile.read(tmp_path / "master.wav", dtype="float32")
    first = int(np.nonzero(np.abs(master).max(axis=1) > 1e-4)[0][0])
    assert 0.5 * RATE <= first < 0.52 * RATE
    assert report["sections"][0]["start_s"] == 0.5
