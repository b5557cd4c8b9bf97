"""`pip install .` (not editable) gives a working `song`: grammar and stdlib travel inside the wheel."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_installed_package_finds_grammar_and_stdlib(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    assert (target / "compiler" / "grammar" / "song.lark").is_file()
    assert (target / "compiler" / "stdlib" / "jazz.song").is_file()
    song = tmp_path / "tune.song"
    song.write_text("style jazz.swing\nsection A\n  | Cm7 F7 | Bbmaj7 |\n", encoding="utf-8")
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import compiler; "
             "assert compiler.__file__.startswith(sys.argv[1]), compiler.__file__; "
             "from compiler.cli import main; sys.exit(main(['check', sys.argv[2]]))")
    done = subprocess.run([sys.executable, "-I", "-c", probe, str(target), str(song)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
