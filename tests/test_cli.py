"""The `song` command: version, styles, ir JSON, and a cold `check` that stays light."""

from __future__ import annotations

import json
import subprocess
import sys

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
             "heavy = [m for m in ('music21', 'scipy', 'numpy', 'fluidsynth', 'pedalboard', 'mido') if m in sys.modules]; "
             "print(code, heavy)")
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "0 []"


def test_python_dash_m_is_the_same_command(tmp_path):
    path = tmp_path / "s.song"
    path.write_text("tempo 999\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "compiler", "check", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "error[E012]" in done.stderr and "Traceback" not in done.stderr
