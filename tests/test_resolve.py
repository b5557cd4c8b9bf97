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
    """n passes with k endings: pass i < n takes ending min(i, k-1), the last pass ending k."""
    text = (GOLDEN / "resolve" / "endings.song").read_text(encoding="utf-8")
    song = front_end(Source("e.song", text), Library()).song
    last_chords = [song.bars[p.first_bar + p.bar_count - 3].slots[0].chord.name for p in song.passes]
    assert last_chords == ["Dm7", "Fm6", "Fm6", "C6"]


def test_practice_transposition_moves_every_pass_the_long_way_if_asked():
    text = "style jazz.swing\nsection A\n  | C | G7 |\narrange\n  A transpose -2\n"
    song = front_end(Source("t.song", text), Library(), FrontOptions(transpose=7)).song
    assert [p.transpose for p in song.passes] == [5]
    assert song.bars[0].slots[0].chord.name == "F"
