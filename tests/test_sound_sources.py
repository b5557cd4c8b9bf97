"""Sound sources, width, the kick sidechain and the dynamics (issue 11, Deliver 1, 3, 4, 5): which SoundFont
renders each track, `width` (mid/side before the pan), `duck` (a dip at each kick) and the level of
each step of pp … ff."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from compiler.audio import build_audio
from compiler.cli import main
from compiler.mixspec import TrackSound
from compiler.pipeline import DEFAULT_KIT_SOUNDFONT, DEFAULT_SOUNDFONT

from test_audio_render import RATE, SOUNDFONT, small_timeline

needs_both = pytest.mark.skipif(not (DEFAULT_SOUNDFONT.exists() and DEFAULT_KIT_SOUNDFONT.exists()),
                                reason="needs musescore-general-soundfont-lossless and fluid-soundfont-gm")
TINY = 'title "Tiny"\nstyle jazz.swing\ntempo 160\nsection A\n  | C | F | G | C |\n'


def _stem(folder: Path, name: str) -> np.ndarray:
    audio, _ = soundfile.read(folder / "stems" / f"{name}.flac", dtype="float32")
    return audio.T


def test_width_zero_is_mono_and_two_doubles_the_side(tmp_path):
    stems = {}
    for width in (0.0, 1.0, 2.0):
        folder = tmp_path / str(width)
        build_audio(small_timeline(piano=TrackSound(width=width)), folder, soundfont=SOUNDFONT,
                    cache_dir=tmp_path / "cache")
        stems[width] = _stem(folder, "piano")
    mono, plain, wide = stems[0.0], stems[1.0], stems[2.0]
    assert np.abs(mono[0] - mono[1]).max() < 1e-6 and np.abs(plain[0] - plain[1]).max() > 1e-3
    assert np.allclose(mono[0] + mono[1], plain[0] + plain[1], atol=1e-5)  # the mid is kept
    assert np.allclose(wide[0] - wide[1], 2 * (plain[0] - plain[1]), atol=1e-5)


def test_a_ducked_track_dips_at_each_kick_and_recovers_within_the_beat(tmp_path):
    # small_timeline's kit plays a kick on every half note (steps 0 and 4 of 8); the bass plays quarters.
    for name, sound in (("plain", TrackSound()), ("ducked", TrackSound(duck_db=12))):
        build_audio(small_timeline(bass=sound), tmp_path / name, soundfont=SOUNDFONT, cache_dir=tmp_path / "cache")
    plain, ducked = _stem(tmp_path / "plain", "bass"), _stem(tmp_path / "ducked", "bass")
    kick = round(small_timeline().lead_in_s * RATE) + 2 * 2 * RATE  # the downbeat of bar 3 (2 s a bar)
    level = lambda x, a, b: 20 * np.log10(np.sqrt(np.mean(x[:, a:b] ** 2)))  # noqa: E731
    just_after = (kick + round(0.006 * RATE), kick + round(0.02 * RATE))
    assert level(ducked, *just_after) - level(plain, *just_after) == pytest.approx(-12, abs=1.0)
    beat_later = (kick + round(0.26 * RATE), kick + round(0.3 * RATE))  # 120 bpm: the dip is gone by 0.255 s
    assert level(ducked, *beat_later) - level(plain, *beat_later) == pytest.approx(0, abs=0.1)


def _build(tmp_path: Path, text: str, *options: str) -> dict:
    (tmp_path / "tiny.song").write_text(text, encoding="utf-8")
    assert main(["build", str(tmp_path / "tiny.song"), "-o", str(tmp_path / "o"), "--quiet", *options]) == 0
    return json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))


def _fonts(report: dict) -> dict[str, list[str]]:
    return {font["name"]: font["tracks"] for font in report["renderer"]["soundfonts"]}


@needs_both
def test_pitched_parts_default_to_musescore_general_and_kits_to_fluidr3(tmp_path):
    report = _build(tmp_path, TINY)
    assert _fonts(report) == {DEFAULT_KIT_SOUNDFONT.name: ["drums"], DEFAULT_SOUNDFONT.name: ["bass", "piano"]}


@needs_both
def test_a_track_picks_its_soundfont_and_the_command_line_overrides_all(tmp_path):
    text = TINY + 'track piano soundfont "FluidR3_GM.sf2"\n'
    assert _fonts(_build(tmp_path, text)) == {DEFAULT_KIT_SOUNDFONT.name: ["drums", "piano"],
                                              DEFAULT_SOUNDFONT.name: ["bass"]}
    assert _fonts(_build(tmp_path, TINY, "--soundfont", str(DEFAULT_KIT_SOUNDFONT))) == {
        DEFAULT_KIT_SOUNDFONT.name: ["drums", "bass", "piano"]}


def test_a_track_soundfont_is_a_name_not_a_path(tmp_path, capsys):
    (tmp_path / "tiny.song").write_text(TINY + 'track piano soundfont "../x/piano.sf2"\n', encoding="utf-8")
    assert main(["check", str(tmp_path / "tiny.song")]) == 1
    err = capsys.readouterr().err
    assert "error[E082]" in err and 'soundfont "piano.sf2"' in err


def test_each_step_of_the_dynamics_is_about_2_75_lu_in_the_master(tmp_path):
    # small_timeline's two sections, marked mp and f: two steps apart, so about 5.5 LU (its velocities alone give 15).
    timeline = small_timeline()
    marked = tuple(m.model_copy(update={"dynamic": m.label}) for m in timeline.markers)
    report = build_audio(timeline.model_copy(update={"markers": marked}), tmp_path, soundfont=SOUNDFONT,
                         cache_dir=tmp_path / "cache")
    soft, loud = (s["short_term_median_lufs"] for s in report["sections"])
    assert loud - soft == pytest.approx(2 * 2.75, abs=0.5)  # dynamics.STEP_LU a step, less what the limiter holds


def test_a_mark_moves_its_sections_to_their_steps():
    from compiler.audio import dynamics

    gains = dynamics.mark_gains({"pp": -40.0, "mf": -25.0, "ff": -20.0})
    after = {mark: level + gains[mark] for mark, level in {"pp": -40.0, "mf": -25.0, "ff": -20.0}.items()}
    assert after["ff"] - after["mf"] == pytest.approx(2 * dynamics.STEP_LU, abs=0.02)
    assert after["mf"] - after["pp"] == pytest.approx(3 * dynamics.STEP_LU, abs=0.02)
    assert max(gains.values()) == pytest.approx(-min(gains.values()), abs=0.02)  # centred: the master sets the level
    assert dynamics.mark_gains({"mf": -20.0}) == {"mf": 0.0}
    curve = dynamics.gain_curve([(0.0, 1.0, "p"), (1.0, 2.0, "f")], {"p": -6.0, "f": 0.0}, 1000, 2000)
    assert curve[500] == pytest.approx(10 ** (-6 / 20)) and curve[1500] == 1.0
    assert 10 ** (-6 / 20) < curve[1020] < 1.0  # ramping over the first 50 ms of the f section
