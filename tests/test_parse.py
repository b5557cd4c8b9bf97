"""parse: golden syntax dumps per construct, spans, and the parser's recovery."""

from __future__ import annotations

import json

import pytest

from compiler.errors import ParseError
from compiler.parse import parse
from compiler.source import Source
from compiler.syntax import dump as syntax_dump

from conftest import GOLDEN

CASES = sorted((GOLDEN / "parse").glob("*.song"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_parse_golden(case, golden):
    tree = parse(Source.read(case))
    dump = json.dumps(syntax_dump(tree), indent=1)
    golden(case.with_suffix(".syntax.json"), dump)


def test_spans_point_at_words():
    text = 'title "X"\nsection A\n  | Cm7 F7 | % |\ntrack bass acoustic_bass volume -2dB\n'
    tree = parse(Source("t.song", text))
    section = tree.statements[1]
    cell = section.lines[0].bars[0].cells[1]
    assert (cell.text, cell.span.line, cell.span.col, cell.span.end_col) == ("F7", 3, 9, 11)
    track = tree.statements[2]
    assert (track.values[-2].text, track.values[-2].span.col) == ("-2", 33)
    assert (track.values[-1].text, track.values[-1].span.col) == ("dB", 35)


def test_comment_needs_space_but_roman_sharp_is_a_chord():
    tree = parse(Source("t.song", "section A\n  | #IVm7b5 | IV7 |  # a comment\n"))
    cells = [bar.cells[0].text for bar in tree.statements[0].lines[0].bars]
    assert cells == ["#IVm7b5", "IV7"]


def test_recovers_at_line_boundaries():
    text = "tempo 120\nsection A\n  | C | G7\n  | C | |\n  | F |\nform A )\n"
    with pytest.raises(ParseError) as err:
        parse(Source("t.song", text))
    found = [(d.code, d.span.line) for d in err.value.diagnostics]
    assert found == [("E001", 3), ("E001", 4), ("E032", 6)]


def test_file_without_final_newline_and_comment_at_end():
    tree = parse(Source("t.song", "tempo 120  # fast"))
    assert tree.statements[0].values[0].text == "120"
