"""`pip install .` (not editable) gives a working `song`: grammar, stdlib and the page template travel inside the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_installed_package_finds_grammar_and_stdlib(tmp_path):
    target = tmp_path / "site"
    checkout = tmp_path / "checkout"  # a clean copy: no build/ left over from an earlier install
    _copy_project_files(checkout)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(checkout)], check=True, capture_output=True, cwd=tmp_path)
    assert (target / "compiler" / "grammar" / "song.lark").is_file()
    assert (target / "compiler" / "stdlib" / "jazz.song").is_file()
    assert (target / "compiler" / "docs" / "diagnostics.md").is_file()
    assert {p.name for p in (target / "compiler" / "report_html").iterdir()} >= {"page.html", "page.css", "page.js"}
    for init in sorted((ROOT / "compiler").rglob("__init__.py")):  # a subpackage missing from pyproject
        assert (target / init.relative_to(ROOT)).is_file(), f"pyproject.toml does not install {init.parent.name}"
    song = tmp_path / "tune.song"
    song.write_text("style jazz.swing\nsection A\n  | Cm7 F7 | Bbmaj7 |\n", encoding="utf-8")
    # -S skips site-packages' .pth files, so the editable install of this checkout cannot answer for
    # `compiler.*`; the dependencies come from site-packages added as a plain path.
    probe = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import compiler; "
             "assert compiler.__file__.startswith(sys.argv[1]), compiler.__file__; "
             "from compiler.cli import main; main(['build', sys.argv[3], '--midi-only', '--quiet', '-o', 'out']); "
             "assert main(['explain', 'E021']) == 0; "
             # song lsp's link for a code is the installed docs page, which is there to open
             "from compiler.lsp.diagnostics import code_link; from urllib.parse import urlparse; "
             "link = urlparse(code_link('E020')); import os; assert os.path.isfile(link.path), link; "
             "assert link.path.startswith(sys.argv[1]) and link.fragment == 'e020-unknown-chord', link; "
             "sys.exit(main(['check', sys.argv[3]]))")
    site = next(p for p in sys.path if p.endswith("site-packages"))
    done = subprocess.run([sys.executable, "-S", "-c", probe, str(target), site, str(song)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "song.mid").is_file()
    assert b"<!doctype html>" in (tmp_path / "out" / "report.html").read_bytes()


def _copy_project_files(checkout: Path) -> None:
    """Copy the files git tracks (committed or staged), nothing else: a scratch
    folder or a build output inside the work tree may be many gigabytes."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
