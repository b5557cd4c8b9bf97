"""resolve + check: golden IR dumps per construct (tests/golden/resolve/*.song -> *.ir.txt)."""

from __future__ import annotations

import re

import pytest

from compiler.dump import dump_song
from compiler.library import Library
from compiler.pipeline import FrontOptions, front_end
from compiler.source import Source

from conftest import GOLDEN

CASES = sorted((GOLDEN / "resolve").glob("*.song"))


def _options(text: str) -> FrontOptions:
    """Per-case options in a `# transpose: N` header line, like sqlglot's fixture headers."""
    match = re.search(r"^# transpose: (-?\d+)$", text, re.M)
    return FrontOptions(transpose=int(match.group(1)) if match else 0)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_resolve_golden(case, golden):
    text = case.read_text(encoding="utf-8")
    song = front_end(Source(case.name, text), Library(), _options(text)).song
    golden(case.with_suffix(".ir.txt"), dump_song(song))


def test_ending_rule():
    """A run of passes in a row (`A x4`) is a repeat: its i-th pass takes ending min(i, k)."""
    text = (GOLDEN / "resolve" / "endings.song").read_text(encoding="utf-8")
    song = front_end(Source("e.song", text), Library()).song
    last_chords = [song.bars[p.first_bar + p.bar_count - 3].slots[0].chord.name for p in song.passes]
    assert last_chords == ["Dm7", "Fm6", "C6", "C6"]


@pytest.mark.parametrize("form, endings", [
    ("A A B A", [1, 2, 2]),              # the repeat takes 1 and 2, the last A its last ending
    ("A B A C", [1, 2]),                 # no repeat: first 1, last k
    ("(A A B A) x2", [1, 2, 1, 1, 2, 2]),  # the A before the next chorus goes back with ending 1
    ("A x3 B A", [1, 2, 2, 2]),
    ("A B A B A", [1, 1, 2]),
    ("A.2 A.1 B A.1", [2, 1, 1]),        # named endings are taken as written
    ("A A tag", [1, 2]),
])
def test_the_ending_of_each_pass(form, endings):
    text = ("style jazz.swing\nsection A\n  | C |\n  ending 1 | G7 |\n  ending 2 | C6 |\n"
            f"section B\n  | F |\nsection C\n  | Am |\nform {form}\n")
    song = front_end(Source("e.song", text), Library()).song
    played = [song.bars[p.first_bar].slots[0].chord.name for p in song.passes if p.label == "A"]
    assert played == [{1: "G7", 2: "C6"}[n] for n in endings]


def test_practice_transposition_moves_every_pass_the_long_way_if_asked():
    text = "style jazz.swing\nsection A\n  | C | G7 |\narrange\n  A transpose -2\n"
    song = front_end(Source("t.song", text), Library(), FrontOptions(transpose=7)).song
    assert [p.transpose for p in song.passes] == [5]
    assert song.bars[0].slots[0].chord.name == "F"


KEY_SONG = """\
style jazz.swing
key C major
section A
  | Imaj7 | V7 |
section B key Eb major
  | ii7 | V7 |
form intro A B A B ending
arrange
  last A key D major
"""


def _pass_keys(song) -> list[str]:
    return [f"{p.label} {song.bars[p.first_bar - 1].key.tonic} {song.bars[p.first_bar - 1].key.mode}"
            for p in song.passes]


def test_a_key_mark_lasts_until_the_next_one_and_into_the_ending():
    song = front_end(Source("k.song", KEY_SONG), Library()).song
    assert _pass_keys(song) == ["intro C major", "A C major", "B Eb major", "A D major", "B F major",
                                "ending F major"]
    ending = song.bars[-2:]
    assert [s.chord.name for bar in ending for s in bar.slots] == ["Gm7", "C7", "Fmaj7"]


@pytest.mark.parametrize("key, song_key, first", [
    (("F#", None), "F# major", "F#maj7"),          # the requested spelling, not Gb
    (("F#", "minor"), "F# minor", "F#m6"),          # and its mode: the style's minor intro
    (("Gb", None), "Gb major", "Gbmaj7"),
])
def test_practice_key_keeps_its_spelling_and_mode(key, song_key, first):
    from compiler.pitch import parse_key

    song = front_end(Source("k.song", KEY_SONG), Library(), FrontOptions(key=parse_key(*key))).song
    assert f"{song.key.tonic} {song.key.mode}" == song_key
    assert song.bars[0].slots[0].chord.name == first or song.bars[4].slots[0].chord.name == first


def test_practice_key_moves_every_section_by_the_same_interval():
    from compiler.pitch import parse_key

    song = front_end(Source("k.song", KEY_SONG), Library(), FrontOptions(key=parse_key("A"))).song
    assert _pass_keys(song) == ["intro A major", "A A major", "B C major", "A B major", "B D major",
                                "ending D major"]


def test_one_library_reads_a_style_once_per_key_and_again_when_its_file_changes(tmp_path, monkeypatch):
    """`song import` checks hundreds of charts with one Library: a style they share is read once."""
    import compiler.resolve as resolve_module

    reads = []
    real = resolve_module.read_style
    monkeypatch.setattr(resolve_module, "read_style", lambda *args: reads.append(args[0].name.text) or real(*args))
    styles = tmp_path / "mine.song"
    styles.write_text('style mine.one "mine"\n  tempo 100\n  track bass acoustic_bass\n', encoding="utf-8")
    song = tmp_path / "a.song"
    song.write_text('use "mine.song"\nstyle mine.one\nsection A\n  | C | G7 |\n', encoding="utf-8")
    library = Library()
    first = front_end(Source.read(song), library).song
    second = front_end(Source.read(song), library).song
    assert reads == ["mine.one"] and dump_song(first) == dump_song(second)
    front_end(Source(str(tmp_path / "b.song"), song.read_text().replace("section A", "key D major\nsection A")), library)
    assert reads == ["mine.one", "mine.one"]  # another key: its intro and ending are read in it
    styles.write_text('style mine.one "mine"\n  tempo 90\n  track bass acoustic_bass\n', encoding="utf-8")
    assert front_end(Source.read(song), library).song.tempo == 90 and len(reads) == 3
