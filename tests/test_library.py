"""library: a parsed file is shared by every Library in the process, and never outlives its text."""

from __future__ import annotations

import os

import pytest

from compiler import library as library_module
from compiler.errors import ParseError
from compiler.library import Library

STYLE = 'style local.one "One"\n  time 4/4\n  track bass acoustic_bass role bass\n'


@pytest.fixture
def parses(monkeypatch):
    """How many times the parser ran."""
    count = [0]
    real = library_module.parse

    def counting(source):
        count[0] += 1
        return real(source)

    monkeypatch.setattr(library_module, "parse", counting)
    return count


def test_a_second_library_reuses_the_first_ones_tree(parses):
    first, second = Library(), Library()
    jazz = first.stdlib_file("jazz.swing")
    tree = first.load(jazz)
    assert second.load(jazz) is tree
    assert parses[0] <= 1  # 0 if an earlier test of this process parsed jazz.song already
    assert str(jazz) in second.sources  # each library still knows the text for its diagnostics


def test_an_edit_that_keeps_size_and_mtime_is_still_parsed_again(tmp_path, parses):
    path = tmp_path / "styles.song"
    path.write_text(STYLE, encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    before = Library().load(path)
    path.write_text(STYLE.replace("One", "Two"), encoding="utf-8")  # the same length
    os.utime(path, ns=(stamp, stamp))
    after = Library().load(path)
    assert parses[0] == 2
    assert before.statements[0].description.text == "One" and after.statements[0].description.text == "Two"


def test_a_file_that_stops_parsing_is_not_answered_from_the_cache(tmp_path):
    path = tmp_path / "styles.song"
    path.write_text(STYLE, encoding="utf-8")
    Library().load(path)
    path.write_text(STYLE + "section\n", encoding="utf-8")
    with pytest.raises(ParseError):
        Library().load(path)
    path.write_text(STYLE, encoding="utf-8")
    assert Library().load(path).statements[0].name.text == "local.one"
