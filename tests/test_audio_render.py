"""compiler.audio.render: FluidSynth stems from a Timeline (skipping, timing, silence, tail rule, cache, errors).

`small_timeline` and the helpers here are shared by the other test_audio_* modules.
"""

from __future__ import annotations

import os
from fractions import Fraction
from operator import attrgetter
from pathlib import Path

import numpy as np
import pytest

from compiler.audio import RenderError, build_audio
from compiler.audio import render
from compiler.mixspec import MasterSpec, TrackSound
from compiler.timeline import PPQ, Marker, MeterPoint, Note, TempoMap, TempoPoint, Timeline, Track

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
BAR = 4 * PPQ  # 2 s at 120 bpm
RATE = 44100  # MasterSpec's default sample rate

pytestmark = pytest.mark.skipif(not SOUNDFONT.exists(), reason="needs the fluid-soundfont-gm package")


def small_timeline(master: MasterSpec | None = None, **sounds: TrackSound) -> Timeline:
    """4 bars at 120 bpm (8 s): section "mp" (bars 1-2, soft) and "f" (bars 3-4, loud).

    Audible: bass (all bars), piano (bars 1-2 only, so it rests for two bars), drums (all bars).
    Skipped: a muted pad with notes and an empty track.
    """
    def velocity(bar: int) -> int:
        return 40 if bar < 2 else 115

    bass = tuple(Note(start=b * BAR + i * PPQ, dur=PPQ - 20, pitch=36 + (b % 2) * 5, velocity=velocity(b))
                 for b in range(4) for i in range(4))
    piano = tuple(Note(start=b * BAR + i * PPQ, dur=PPQ // 2, pitch=p, velocity=velocity(b))
                  for b in range(2) for i in range(4) for p in (60, 64, 67))
    drums = tuple(Note(start=b * BAR + i * PPQ // 2, dur=PPQ // 2, pitch=(36, 42, 38, 42)[i % 4],
                       velocity=velocity(b)) for b in range(4) for i in range(8))
    tracks = (
        Track(name="bass", instrument="bass", program=33, channel=0, role="bass", notes=bass,
              sound=sounds.get("bass", TrackSound())),
        Track(name="piano", instrument="piano", program=0, channel=1, role="comp", notes=piano,
              sound=sounds.get("piano", TrackSound(reverb_send=0.3))),
        Track(name="drums", instrument="kit", program=0, bank=128, channel=9, is_drums=True, role="drums",
              notes=drums, sound=sounds.get("drums", TrackSound())),
        Track(name="pad", instrument="pad", program=89, channel=2, role="pad", muted=True, notes=piano),
        Track(name="silent", instrument="strings", program=48, channel=3, role="pad"),
    )
    return Timeline(title="small", end_tick=4 * BAR, bars=4, tempos=(TempoPoint(tick=0, bpm=Fraction(120)),),
                    meters=(MeterPoint(tick=0, numerator=4, denominator=4),),
                    markers=(Marker(tick=0, label="mp", pass_no=1, first_bar=1, last_bar=2),
                             Marker(tick=2 * BAR, label="f", pass_no=1, first_bar=3, last_bar=4)),
                    tracks=tracks, master=master or MasterSpec(), seed=3)


def raw_stems(timeline: Timeline, store: Path) -> dict[str, np.ndarray]:
    """Render (or take from `store`) the raw stems, by track name."""
    sha = render.soundfont_identity(SOUNDFONT)["sha256"]
    stems = render.render_stems(timeline, SOUNDFONT, store, soundfont_sha256=sha)
    return {stem.track.name: np.load(stem.path) for stem in stems}


def dbfs(audio: np.ndarray) -> float:
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


@pytest.fixture(scope="module")
def stems(tmp_path_factory) -> dict[str, np.ndarray]:
    return raw_stems(small_timeline(), tmp_path_factory.mktemp("raw"))


def test_one_stem_per_audible_track(stems):
    assert list(stems) == ["bass", "piano", "drums"]  # muted pad and empty track skipped


def test_stems_are_finite_stereo_float32_without_dc(stems):
    for audio in stems.values():
        assert audio.dtype == np.float32 and audio.shape[0] == 2
        assert np.isfinite(audio).all()
        assert abs(float(audio.mean())) < 1e-3
        assert dbfs(audio) < -3  # FluidSynth's gain 0.2 leaves headroom


def test_sound_where_notes_play_and_silence_where_the_track_rests(stems):
    piano = stems["piano"]
    assert dbfs(piano[:, :2 * RATE]) > -40  # bars 1-2: chords
    # Bars 3-4 rest; allow a second for the last chords' release.
    assert dbfs(piano[:, 5 * RATE:]) < -60


def test_length_is_the_music_plus_a_tail_within_the_rule(stems):
    timeline = small_timeline()
    end = round(TempoMap(timeline.tempos, timeline.ppq).seconds(timeline.end_tick) * RATE)
    assert end == 8 * RATE
    for audio in stems.values():
        tail = audio.shape[1] - end
        assert 0 <= tail <= render.MAX_TAIL_S * RATE
        if tail < render.MAX_TAIL_S * RATE:  # stopped before the cap: it had rung out
            assert dbfs(audio[:, -1024:]) < -80


def test_events_land_on_the_nearest_64_sample_block(tmp_path):
    # Tick 1 at 120 bpm is 50 samples at 48 kHz: FluidSynth can only start the note at sample 64.
    note = Note(start=1, dur=PPQ, pitch=60, velocity=100)
    timeline = small_timeline().model_copy(update={"tracks": (
        Track(name="one", instrument="piano", program=0, channel=0, notes=(note,)),)})
    audio = raw_stems(timeline, tmp_path)["one"]
    first = int(np.flatnonzero(np.abs(audio).max(axis=0) > 0)[0])
    assert 64 <= first < 64 + 8


def test_a_heavy_track_is_split_by_pitch_and_drums_stay_whole():
    timeline = small_timeline()
    bass, piano, drums = timeline.tracks[:3]
    parts = render.split_parts(piano)
    assert len(parts) == 2
    pitches = [{n.pitch for n in part.notes} for part in parts]
    assert not pitches[0] & pitches[1]
    order = attrgetter("start", "pitch")
    assert sorted((n for part in parts for n in part.notes), key=order) == sorted(piano.notes, key=order)
    assert render.split_parts(drums) == (drums,)


def test_render_is_deterministic(tmp_path, stems):
    again = raw_stems(small_timeline(), tmp_path)
    for name, audio in stems.items():
        assert np.array_equal(audio, again[name]), name


def test_missing_soundfont_raises_with_path_and_install_hint(tmp_path):
    missing = tmp_path / "nowhere.sf2"
    with pytest.raises(RenderError, match="fluid-soundfont-gm") as caught:
        build_audio(small_timeline(), tmp_path / "out", soundfont=missing)
    assert str(missing) in str(caught.value) and "--soundfont" in str(caught.value)


def test_unloadable_soundfont_raises(tmp_path):
    bogus = tmp_path / "bogus.sf2"
    bogus.write_bytes(b"not a soundfont")
    with pytest.raises(RenderError, match="bogus.sf2"):
        render.render_track(small_timeline(), small_timeline().tracks[0], bogus)


def test_progress_rises_to_one(tmp_path):
    seen: list[float] = []
    build_audio(small_timeline(), tmp_path / "out", soundfont=SOUNDFONT, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and 0 <= seen[0] < 1


def test_cache_skips_render_and_mix_when_only_master_settings_change(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    build_audio(small_timeline(), tmp_path / "a", soundfont=SOUNDFONT, cache_dir=cache)

    def fail(*args, **kwargs):
        raise AssertionError("should have come from the cache")

    monkeypatch.setattr(render, "render_track", fail)
    monkeypatch.setattr("compiler.audio.mix_stems", fail)
    apple = MasterSpec(preset="apple", target_lufs=-16.0, ceiling_dbtp=-1.0, format="flac")
    # As the pipeline builds: into a staging folder "b", beside the last outputs in "a".
    report = build_audio(small_timeline(apple), tmp_path / "b", soundfont=SOUNDFONT, cache_dir=cache,
                         unchanged_in=tmp_path / "a")
    assert report["master"]["file"] == "master.flac"
    assert not (tmp_path / "b" / "stems").exists()  # the stems in "a" are still the mix's: none written


def test_the_mix_cache_needs_the_stems_it_made(tmp_path, monkeypatch):
    """The mix cache keeps no copy of the stem files: one edited or deleted since means mixing again."""
    cache = tmp_path / "cache"
    build_audio(small_timeline(), tmp_path / "a", soundfont=SOUNDFONT, cache_dir=cache)
    stem = Path("stems") / "piano.flac"
    clean = (tmp_path / "a" / stem).read_bytes()
    (tmp_path / "a" / stem).write_bytes(clean[:-100])
    monkeypatch.setattr(render, "render_track", lambda *a, **k: pytest.fail("rendered again"))
    build_audio(small_timeline(), tmp_path / "b", soundfont=SOUNDFONT, cache_dir=cache, unchanged_in=tmp_path / "a")
    assert (tmp_path / "b" / stem).read_bytes() == clean
    assert len(list((cache / "mix").iterdir())) == 1


def test_cache_skips_render_when_only_mix_settings_change(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = build_audio(small_timeline(), tmp_path / "a", soundfont=SOUNDFONT, cache_dir=cache)
    monkeypatch.setattr(render, "render_track", lambda *a, **k: pytest.fail("rendered again"))
    louder = small_timeline(bass=TrackSound(volume_db=4.0))
    report = build_audio(louder, tmp_path / "b", soundfont=SOUNDFONT, cache_dir=cache)
    assert report["stems"][0]["peak_dbfs"] == pytest.approx(first["stems"][0]["peak_dbfs"] + 4, abs=0.02)


def test_a_changed_track_is_rendered_again(tmp_path):
    cache = tmp_path / "cache"
    build_audio(small_timeline(), tmp_path / "a", soundfont=SOUNDFONT, cache_dir=cache)
    before = {p.name for p in (cache / "stems").glob("*.npy")}
    timeline = small_timeline()
    bass = timeline.tracks[0].model_copy(update={"program": 34})
    build_audio(timeline.model_copy(update={"tracks": (bass, *timeline.tracks[1:])}), tmp_path / "b",
                soundfont=SOUNDFONT, cache_dir=cache)
    after = {p.name for p in (cache / "stems").glob("*.npy")}
    # The new bass is rendered; the old one is dropped, as the cache keeps only the current song's stems.
    assert len(after) == 3 and len(after - before) == 1


def test_no_scratch_files_are_left_behind(tmp_path):
    out = tmp_path / "out"
    build_audio(small_timeline(), out, soundfont=SOUNDFONT)
    assert sorted(p.name for p in out.iterdir()) == ["master.wav", "stems"]
    assert sorted(p.name for p in (out / "stems").iterdir()) == ["bass.flac", "drums.flac", "piano.flac", "reverb.flac"]


def test_the_soundfont_hash_is_remembered_in_the_user_cache_not_the_output_folder(tmp_path, monkeypatch):
    """A cold build into a fresh output folder must not read a 490 MB SoundFont through again: the memo
    is found under the file's stamp in the user's cache, and a changed file (new mtime) is hashed anew."""
    monkeypatch.setenv("SONGSPEC_CACHE", str(tmp_path / "user"))
    font = tmp_path / "font.sf2"
    font.write_bytes(b"RIFF\x00\x00\x00\x00sfbk" + bytes(100))
    real = render.soundfont_identity(font, tmp_path / "out1" / ".cache")["sha256"]
    (memo,) = (tmp_path / "user" / "soundfonts").iterdir()
    assert not (tmp_path / "out1").exists()
    memo.write_text("0" * 64 + "\n")  # a remembered value stands in for reading the file
    assert render.soundfont_identity(font, tmp_path / "out2" / ".cache")["sha256"] == "0" * 64
    os.utime(font, ns=(1, 1))
    assert render.soundfont_identity(font, tmp_path / "out2" / ".cache")["sha256"] == real
