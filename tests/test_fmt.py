"""song fmt: canonical, idempotent, keeps every comment, never changes meaning."""

from __future__ import annotations

import re

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


def _messed_up(text: str) -> str:
    """A spec as a hurried writer might leave it: indents doubled, alignment squeezed out of code,
    comments pushed right, trailing spaces."""
    lines = []
    for line in text.splitlines():
        code, hash_, comment = line.partition("  #")
        indent = code[: len(code) - len(code.lstrip())]
        body = code.strip() if '"' in code else re.sub(r" {2,}", " ", code.strip())
        lines.append(indent * 2 + body + ("      #" + comment if hash_ else "") + "   ")
    return "\n".join(lines) + "\n\n\n"


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_every_spec_is_formatted(spec):
    """The specs are the examples users copy, and the `song-fmt` pre-commit hook checks them."""
    text = spec.read_text(encoding="utf-8")
    assert format_source(text) == text


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_spec_fmt_is_idempotent_keeps_comments_and_meaning(spec):
    text = _messed_up(spec.read_text(encoding="utf-8"))
    formatted = format_source(text)
    assert formatted == spec.read_text(encoding="utf-8")
    assert format_source(formatted) == formatted
    assert _comments(formatted) == _comments(text)
    before = front_end(Source(str(spec), text), Library()).song
    after = front_end(Source(str(spec), formatted), Library()).song
    assert _without_symbols(ir_json(after)) == _without_symbols(ir_json(before))


def _without_symbols(ir: str) -> str:
    """The IR but for chord symbols as written: fmt prints them canonically (`iiø7` -> `ii7b5`)."""
    return re.sub(r'"symbol": "[^"]*"', '"symbol": ""', ir)


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


LEAD_SHEET = """\
title "Lead sheet"
key g minor
style jazz.swing
section A key Bbm
  |:Cm7 | F7:| x 3
  | Gm7 / C7 / | Fmaj7,Dm7 | Gm7,C7(b9,#11) | C-7(b5) |
  | iiø7 | V7b9 | B♭Δ7/D | NC |
form A *2
arrange
  A mf key F#m
"""

LEAD_SHEET_CANONICAL = """\
title "Lead sheet"
key   G minor
style jazz.swing
section A key Bb minor
  |: Cm7        | F7        :| x3
  | Gm7 . C7 . | Fmaj7 Dm7 | Gm7 C7b9#11 | Cm7b5 |
  | ii7b5      | V7b9      | Bbmaj7/D    | N.C.  |
form A x2
arrange
  A mf key F# minor
"""


def test_lead_sheet_spellings_are_printed_canonically_and_mean_the_same():
    formatted = format_source(LEAD_SHEET)
    assert formatted == LEAD_SHEET_CANONICAL
    assert format_source(formatted) == formatted
    before = front_end(Source("s.song", LEAD_SHEET), Library()).song
    after = front_end(Source("s.song", formatted), Library()).song
    assert _without_symbols(ir_json(after)) == _without_symbols(ir_json(before))


def test_fmt_leaves_what_it_cannot_read_as_written():
    text = "style jazz.swing\nsection A\n  | Cmaj77 | H7 |\n"
    assert format_source(text) == text
