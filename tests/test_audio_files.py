"""compiler.audio.files and whole builds: atomic outputs, TPDF dither, byte-identical rebuilds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from compiler.audio import build_audio, files
from compiler.mixspec import MasterSpec

from test_audio_render import SOUNDFONT, small_timeline

needs_soundfont = pytest.mark.skipif(not SOUNDFONT.exists(), reason="needs the fluid-soundfont-gm package")


def noise(seconds: float = 2.0, rate: int = 48000) -> np.ndarray:
    return (0.1 * np.random.default_rng(0).standard_normal((2, int(seconds * rate)))).astype(np.float32)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".part"))


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_write_failing_midway_keeps_the_previous_file(tmp_path, monkeypatch, error):
    path = tmp_path / "master.wav"
    files.write_audio(path, noise(), 48000, "PCM_24")
    before = path.read_bytes()
    real_quantize, calls = files.quantize, []

    def failing(chunk, subtype, rng):
        calls.append(1)
        if len(calls) == 2:  # after the first chunk reached the temp file
            raise error
        return real_quantize(chunk, subtype, rng)

    monkeypatch.setattr(files, "quantize", failing)
    with pytest.raises(type(error)):
        files.write_audio(path, noise(4.0) * 0.5, 48000, "PCM_24", chunk=48000)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_a_failed_first_write_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "quantize", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        files.write_audio(tmp_path / "master.flac", noise(), 48000, "PCM_16", container="FLAC")
    assert list(tmp_path.iterdir()) == []


@needs_soundfont
def test_an_interrupted_build_keeps_the_previous_master(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build_audio(small_timeline(), out, soundfont=SOUNDFONT)
    before = (out / "master.wav").read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("compiler.audio.finish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_audio(small_timeline(MasterSpec(target_lufs=-20)), out, soundfont=SOUNDFONT)
    assert (out / "master.wav").read_bytes() == before
    assert leftovers(out) == [] and not list(out.glob(".render-*"))


def test_16_bit_output_is_tpdf_dithered():
    # Triangular dither of ±1 LSB on silence rounds to -1, 0, +1 with probabilities 1/8, 3/4, 1/8.
    samples = files.quantize(np.zeros((2, 200_000), np.float32), "PCM_16", np.random.default_rng(5))
    assert samples.dtype == np.int16
    values, counts = np.unique(samples, return_counts=True)
    assert values.tolist() == [-1, 0, 1]
    assert counts / counts.sum() == pytest.approx([0.125, 0.75, 0.125], abs=0.01)


def test_24_bit_output_is_rounded_without_dither():
    samples = files.quantize(np.full((2, 10), 0.25, np.float32), "PCM_24", None)
    assert (samples >> 8 == 2**21).all()


def test_dithered_files_depend_only_on_the_seed(tmp_path):
    audio = noise() * 0.01
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        files.write_audio(tmp_path / f"{name}.wav", audio, 48000, "PCM_16", seed=seed)
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert (tmp_path / "a.wav").read_bytes() != (tmp_path / "c.wav").read_bytes()


def test_float_files_carry_no_timestamped_peak_chunk(tmp_path):
    files.write_audio(tmp_path / "stem.wav", noise(), 48000, "FLOAT")
    data = (tmp_path / "stem.wav").read_bytes()
    assert b"PEAK" not in data[:200]
    back, rate = soundfile.read(tmp_path / "stem.wav", dtype="float32")
    assert rate == 48000 and np.array_equal(back.T, noise())


def test_planar_reader_reads_ranges_and_pads_with_silence(tmp_path):
    audio = noise(0.01)
    files.save_array(tmp_path / "raw.npy", audio)
    with files.PlanarReader(tmp_path / "raw.npy") as reader:
        assert reader.length == audio.shape[1]
        assert np.array_equal(reader.read(100, 200), audio[:, 100:200])
        tail = reader.read(audio.shape[1] - 10, audio.shape[1] + 10)
    assert np.array_equal(tail[:, :10], audio[:, -10:]) and not tail[:, 10:].any()


@needs_soundfont
@pytest.mark.parametrize("spec", [MasterSpec(), MasterSpec(format="flac", bit_depth=16, sample_rate=44100)])
def test_the_same_timeline_builds_byte_identical_files(tmp_path, spec):
    timeline = small_timeline(spec)
    first = build_audio(timeline, tmp_path / "a", soundfont=SOUNDFONT)
    second = build_audio(timeline, tmp_path / "b", soundfont=SOUNDFONT, cache_dir=tmp_path / "cache")
    third = build_audio(timeline, tmp_path / "c", soundfont=SOUNDFONT, cache_dir=tmp_path / "cache")  # cache hit
    assert first == second == third
    for name in [first["master"]["file"]] + [s["file"] for s in first["stems"]]:
        expected = (tmp_path / "a" / name).read_bytes()
        assert (tmp_path / "b" / name).read_bytes() == expected, name
        assert (tmp_path / "c" / name).read_bytes() == expected, name


def test_a_removed_track_leaves_no_stale_cache_entry(tmp_path):
    """(Its stale stem file is removed by the build's manifest: tests/test_outputs.py.)"""
    from compiler.audio import build_audio
    from test_audio_render import SOUNDFONT, small_timeline

    timeline = small_timeline()
    build_audio(timeline, tmp_path / "out", soundfont=SOUNDFONT, cache_dir=tmp_path / "cache")
    fewer = timeline.model_copy(update={"tracks": timeline.tracks[:1]})
    build_audio(fewer, tmp_path / "out", soundfont=SOUNDFONT, cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache" / "stems").glob("*.npy"))) == 1
    assert len(list((tmp_path / "cache" / "stems").glob("*.sum"))) == 1
