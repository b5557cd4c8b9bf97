"""song fmt: canonical, idempotent, keeps every comment, never changes meaning."""

from __future__ import annotations

import pytest

from compiler.cli import main
from compiler.dump import ir_json
from compiler.fmt import format_source, split_words
from compiler.library import Library
from compiler.pipeline import front_end
from compiler.source import Source

from conftest import SPECS

MESSY = """\
# practice chart
title  "Blues"   # the title
tempo 120
style   jazz.swing


section A   # twelve bars
    |  C7 | F7 |   C7 |  %  |
    | F7 |  % | C7   | A7  |   # turnaround ahead
    | Dm7  G7 | C7 A7 | Dm7 G7 |C7|
arrange
    A   mf   build
    last  A f
"""

EXPECTED = """\
# practice chart
title "Blues"  # the title
tempo 120
style jazz.swing

section A  # twelve bars
  | C7     | F7    | C7     | %  |
  | F7     | %     | C7     | A7 |  # turnaround ahead
  | Dm7 G7 | C7 A7 | Dm7 G7 | C7 |
arrange
  A      mf build
  last A f
"""


def test_messy_file_gets_canonical_layout():
    assert format_source(MESSY) == EXPECTED


def _comments(text: str) -> list[str]:
    return [comment for line in text.splitlines() if (comment := split_words(line.strip())[1])]


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_spec_fmt_is_idempotent_keeps_comments_and_meaning(spec):
    text = spec.read_text(encoding="utf-8")
    formatted = format_source(text)
    assert format_source(formatted) == formatted
    assert _comments(formatted) == _comments(text)
    before = front_end(Source(str(spec), text), Library()).song
    after = front_end(Source(str(spec), formatted), Library()).song
    assert ir_json(after) == ir_json(before)


def test_fmt_check_names_files_and_exits_1(tmp_path, capsys):
    path = tmp_path / "messy.song"
    path.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", "--check", str(path)]) == 1
    assert capsys.readouterr().out.strip() == f"would reformat {path}"
    assert path.read_text(encoding="utf-8") == MESSY
    assert main(["fmt", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == EXPECTED
    assert main(["fmt", "--check", str(path)]) == 0


def test_fmt_refuses_a_file_that_does_not_parse(tmp_path, capsys):
    path = tmp_path / "broken.song"
    path.write_text("section A\n  | C | F\n", encoding="utf-8")
    assert main(["fmt", str(path)]) == 1
    assert "error[E001]" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "section A\n  | C | F\n"
