"""The `song` command: version, styles, ir JSON, and a cold `check` that stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from compiler import __version__
from compiler.cli import main

from conftest import ROOT

SONG = "style jazz.swing\ntempo 140\nsection A\n  | Cm7 F7 | Bbmaj7 |\nform A x2\n"


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as done:
        assert done.code == 0
    assert capsys.readouterr().out.strip() == f"songspec {__version__}"


def test_styles_lists_descriptions(capsys):
    assert main(["styles"]) == 0
    out = capsys.readouterr().out
    assert "jazz.swing" in out and "walking bass" in out


def test_ir_json_is_stable_and_flat(tmp_path, capsys):
    path = tmp_path / "s.song"
    path.write_text(SONG, encoding="utf-8")
    assert main(["ir", str(path)]) == 0
    first = capsys.readouterr().out
    assert main(["ir", str(path)]) == 0
    assert capsys.readouterr().out == first
    song = json.loads(first)
    assert [bar["number"] for bar in song["bars"]] == [1, 2, 3, 4]
    assert [p["label"] for p in song["passes"]] == ["A", "A"]
    assert song["bars"][0]["slots"][1] == {"start": "2", "dur": "2", "chord": {
        "symbol": "F7", "root": "F", "root_pc": 5, "quality": "7", "intervals": [0, 4, 7, 10], "tensions": [14, 21]}}


def test_cold_check_imports_nothing_heavy(tmp_path):
    path = tmp_path / "s.song"
    path.write_text(SONG, encoding="utf-8")
    probe = ("import sys; from compiler.cli import main; code = main(['check', sys.argv[1]]); "
             "heavy = [m for m in ('music21', 'scipy', 'numpy', 'fluidsynth', 'pedalboard', 'mido', 'compiler.batch', "
             "'compiler.charts.command', 'compiler.lsp', 'watchfiles') if m in sys.modules]; "
             "print(code, heavy)")
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "0 []"


@pytest.mark.parametrize("command, option", [("import", "--force"), ("batch", "--scheduler"), ("build", "--midi-only"),
                                             ("watch", "--audio")])
def test_each_command_has_its_arguments_though_only_the_chosen_one_declares_them(capsys, command, option):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert option in capsys.readouterr().out


def test_a_one_shot_command_leaves_without_the_teardown_and_keeps_all_its_output(tmp_path):
    path = tmp_path / "s.song"
    path.write_text(SONG, encoding="utf-8")
    probe = ("import atexit, sys; atexit.register(print, 'teardown'); sys.argv = ['song', *sys.argv[1:]]; "
             "from compiler.cli import run; run()")
    quick = subprocess.run([sys.executable, "-c", probe, "ir", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert quick.returncode == 0 and "teardown" not in quick.stdout
    assert len(json.loads(quick.stdout)["bars"]) == 4  # the whole JSON reached the pipe before the exit
    failing = subprocess.run([sys.executable, "-c", probe, "check", str(tmp_path / "none.song")],
                             capture_output=True, text=True, cwd=ROOT)
    assert failing.returncode == 2 and "no such file" in failing.stderr
    ordinary = subprocess.run([sys.executable, "-c", probe, "--version"], capture_output=True, text=True, cwd=ROOT)
    assert ordinary.returncode == 0 and ordinary.stdout.splitlines() == [f"songspec {__version__}", "teardown"]


def test_python_dash_m_is_the_same_command(tmp_path):
    path = tmp_path / "s.song"
    path.write_text("tempo 999\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "compiler", "check", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "error[E012]" in done.stderr and "Traceback" not in done.stderr


# -- practice options are checked like source: exit 2, one line, a did-you-mean ------------------------
SPEC = str(ROOT / "specs" / "medium_swing.song")  # tracks: drums, bass, piano


@pytest.mark.parametrize("args, message", [
    (["--solo", "Bass"], "--solo: no track named 'Bass'; did you mean 'bass'?"),
    (["--mute", "pinao"], "--mute: no track named 'pinao'; did you mean 'piano'?"),
    (["--mute", "lead"], "(the tracks are drums, bass, piano; click is the count-in)"),
    (["--count-in", "-1"], "argument --count-in: '-1' is not a number from 0 to 16; write bars, e.g. --count-in 2"),
    (["--count-in", "two"], "argument --count-in: 'two' is not a number"),
    (["--tempo", "fast"], "argument --tempo: 'fast' is not a tempo; write beats per minute from 20 to 400"),
    (["--tempo", "500"], "argument --tempo: '500' is not a tempo"),
    (["--key", "H"], "argument --key: 'H': 'H' is not a note name"),
    (["--key", "E mnior"], "unknown mode 'mnior'; did you mean 'minor'?"),
    (["--key", "g"], "'g' does not say major or minor"),
    (["--key", "Bb", "--transpose", "2"], "--key and --transpose both move the song; give one of them"),
    (["--transpose", "up"], "argument --transpose: 'up' is not a number from -24 to 24"),
    (["--seed", "-3"], "argument --seed: '-3' is not a number"),
    (["--mute", ","], "argument --mute: give a track name"),
])
def test_a_bad_practice_option_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["build", SPEC, "--midi-only", "--quiet", "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("song: "), err
    assert not out.exists(), "nothing is written"


def test_solo_and_mute_repeat_and_may_come_before_the_file(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", "--solo", "bass", "--solo", "drums", "--mute", "click", "--count-in", "1", SPEC,
                 "--midi-only", "--quiet", "-o", str(out)]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    muted = {track["name"]: track["muted"] for track in report["tracks"]}
    assert muted == {"drums": False, "bass": False, "piano": True, "click": True}
    assert main(["build", "--mute", "piano,drums", SPEC, "--midi-only", "--quiet", "-o", str(out)]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {t["name"]: t["muted"] for t in report["tracks"]} == {"drums": True, "bass": False, "piano": True}


def test_practice_key_keeps_the_spelling_asked_for(tmp_path):
    out = tmp_path / "out"
    assert main(["build", SPEC, "--key", "F#", "--midi-only", "--quiet", "-o", str(out)]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["key"] == "F# major"


def test_styles_show_meter_tempo_and_the_track_names(capsys):
    assert main(["styles"]) == 0
    lines = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()}
    assert lines["jazz.waltz"][1] == "3/4" and lines["soul.ballad68"][1] == "6/8"
    assert lines["jazz.swing"][2:6] == ["140", "BPM", "drums", "bass"] and lines["jazz.swing"][6] == "piano"
