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


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty parse cache of the test's own, and no tree left in this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SONGSPEC_CACHE", str(folder))
    monkeypatch.setattr(library_module, "_PARSED", {})
    return folder


def _no_parsing(monkeypatch):
    def refuse(source):
        raise AssertionError(f"parsed {source.path} again")

    monkeypatch.setattr(library_module, "parse", refuse)


def test_a_stdlib_file_parsed_once_is_read_back_by_the_next_process(cache_dir, monkeypatch):
    jazz = Library().stdlib_file("jazz.swing")
    first = Library().load(jazz)
    assert len(list(cache_dir.glob("*.pickle"))) == 1
    monkeypatch.setattr(library_module, "_PARSED", {})  # as a new process starts
    _no_parsing(monkeypatch)
    again = Library().load(jazz)
    assert again == first and again is not first


def test_a_damaged_or_foreign_cache_entry_is_parsed_again(cache_dir, monkeypatch):
    jazz = Library().stdlib_file("jazz.swing")
    Library().load(jazz)
    (entry,) = cache_dir.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    monkeypatch.setattr(library_module, "_PARSED", {})
    assert Library().load(jazz).statements  # parsed, and the entry written anew
    monkeypatch.setattr(library_module, "_PARSED", {})
    _no_parsing(monkeypatch)
    assert Library().load(jazz).statements


def test_a_cache_folder_others_may_write_to_is_not_read(cache_dir, monkeypatch):
    jazz = Library().stdlib_file("jazz.swing")
    Library().load(jazz)
    cache_dir.chmod(0o777)
    monkeypatch.setattr(library_module, "_PARSED", {})
    _no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="parsed"):
        Library().load(jazz)


def test_only_the_stdlib_is_kept_between_processes(cache_dir, tmp_path):
    path = tmp_path / "styles.song"
    path.write_text(STYLE, encoding="utf-8")
    Library().load(path)
    assert not cache_dir.exists() or not list(cache_dir.glob("*.pickle"))
