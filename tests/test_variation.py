"""Pattern variations (issue 10): `vary` blocks read into the IR, their diagnostics, and how the
arranger draws them (balanced shares, placements, phrases, seeds)."""

from __future__ import annotations

import io
from collections import Counter
from fractions import Fraction

import pytest

from compiler.arrange import ArrangeOptions, arrange
from compiler.errors import SongError
from compiler.fmt import format_source
from compiler.library import Library
from compiler.midi import to_midi
from compiler.pipeline import front_end
from compiler.source import Source
from compiler.timeline import PPQ

BAR = 4 * PPQ
# Each figure is recognised in the MIDI by the step its first comp onset falls on.
FIGURES = {"plain": "x . . . . . . .", "b": ". x . . . . . .", "c": ". . x . . . . ."}


def song(vary: str, bars: int = 8, passes: int = 4, chart: str | None = None, seed: int = 1) -> str:
    """A song whose piano plays the pattern `figures`: the plain bar `x . . .` plus `vary`."""
    chart = chart or " | ".join(["C"] * bars)
    return (f'title "V"\nkey C major\ntime 4/4\nseed {seed}\nhumanize 0\nstyle jazz.swing\nswing 50%\n'
            f"section A\n  | {chart} |\nform {' '.join(['A'] * passes)}\n"
            "track piano acoustic_grand role comp pattern figures\n"
            f"pattern figures comp\n  level 2\n    comp | {FIGURES['plain']} |\n{vary}")


def vary(name: str, options: str = "", figure: str | None = None, bars: int = 1) -> str:
    steps = FIGURES.get(name, figure)
    return f"    vary {name} {options}\n      comp |{' | '.join([f' {steps} '] * bars)}|\n"


def compiled(text: str, seed: int | None = None):
    result = front_end(Source("v.song", text), Library())
    return to_midi(arrange(result.song, ArrangeOptions(seed=seed)))


def figures(text: str, seed: int | None = None) -> list[str]:
    """The figure each bar of the piano plays, read back from the MIDI."""
    midi = compiled(text, seed)
    (piano,) = [t for t in midi.tracks if t.name == "piano"]
    tick, first = 0, {}
    for message in piano:
        tick += message.time
        if message.type == "note_on" and message.velocity:
            first.setdefault(tick // BAR, tick % BAR // (PPQ // 2))
    names = {0: "plain", 1: "b", 2: "c"}
    return [names.get(first.get(bar), "?") for bar in range(max(first) + 1)]


def errors(text: str) -> list[tuple[str, str]]:
    with pytest.raises(SongError) as caught:
        front_end(Source("v.song", text), Library())
    return [(d.code, d.message) for d in caught.value.diagnostics]


# -- reading ---------------------------------------------------------------------------------------

def test_vary_blocks_become_variations_with_weight_placement_and_length() -> None:
    text = song(vary("b", "weight 3 at phrase-end at change") + vary("c", "every 4", bars=2) + "    weight 0\n")
    (pattern,) = front_end(Source("v.song", text), Library()).song.patterns
    part = pattern.levels[1]
    assert part.weight == 0
    b, c = part.variations
    assert (b.name, b.weight, b.at, b.every, b.bars) == ("b", 3, ("phrase-end", "change"), None, 1)
    assert (c.name, c.weight, c.at, c.every, c.bars) == ("c", 1, (), 4, 2)


def test_variations_outside_a_level_join_every_level() -> None:
    text = (song("") + "  vary b\n    comp | . x . . . . . . |\n  level 3\n    comp | x x . . . . . . |\n")
    (pattern,) = front_end(Source("v.song", text), Library()).song.patterns
    assert [v.name for v in pattern.levels[1].variations] == ["b"]
    assert [v.name for v in pattern.levels[2].variations] == ["b"]


@pytest.mark.parametrize("bad, code, words", [
    (vary("b", "at phrase_end"), "E014", "unknown placement `phrase_end`"),
    (vary("b", "weight 2.5"), "E012", "a weight is a whole number"),
    (vary("b", "often"), "E014", "unknown variation option `often`"),
    (vary("b") + vary("b"), "E013", "the variation `b` is defined twice here"),
    (vary("b", bars=3), "E071", "a variation is one bar or a phrase of 2, 4 or 8 bars"),
    ("    vary b\n", "E071", "the variation `b` has no lanes"),
])
def test_a_bad_variation_is_a_located_diagnostic(bad: str, code: str, words: str) -> None:
    found = errors(song(bad))
    assert any(c == code and words in message for c, message in found), found


def test_fmt_keeps_variations_and_is_stable() -> None:
    text = song(vary("b", "weight 2 at phrase-end") + vary("c", bars=2) + "    weight 0\n")
    once = format_source(text)
    assert format_source(once) == once
    assert "    vary b weight 2 at phrase-end\n      comp | . x . . . . . . |\n" in once
    assert "    weight 0\n" in once


# -- drawing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_each_alternative_is_played_close_to_its_share(seed: int) -> None:
    played = Counter(figures(song(vary("b", "weight 2") + vary("c")), seed=seed))
    # 32 bars at weights 1 : 2 : 1 -> 8, 16, 8; the balanced draw keeps each within two bars
    assert abs(played["plain"] - 8) <= 2 and abs(played["b"] - 16) <= 2 and abs(played["c"] - 8) <= 2, played


def test_a_placed_variation_plays_only_where_its_placement_holds() -> None:
    bars = figures(song(vary("b", "weight 50 at phrase-end")))
    assert {i for i, f in enumerate(bars) if f == "b"} == {i for i in range(32) if i % 4 == 3}


def test_every_n_counts_bars_from_the_start_of_the_pass() -> None:
    bars = figures(song(vary("b", "weight 50 every 8")))
    assert [i for i, f in enumerate(bars) if f == "b"] == [7, 15, 23, 31]


def test_before_change_and_held_follow_the_chords() -> None:
    chart = "C | C | F | F | C | G | G | C"
    chords = chart.split(" | ") * 4
    bars = figures(song(vary("b", "weight 50 at before-change") + vary("c", "weight 50 at held"), chart=chart))
    before_change = {i for i in range(31) if chords[i + 1] != chords[i]}
    held = {i for i in range(1, 32) if chords[i] == chords[i - 1]}
    pushed = {i for i, f in enumerate(bars) if f == "b"}
    kept = {i for i, f in enumerate(bars) if f == "c"}
    assert pushed and pushed <= before_change
    assert kept and kept <= held


def test_a_two_bar_phrase_starts_on_an_even_bar_of_its_phrase_and_plays_through() -> None:
    text = song(vary("two", figure=". x . . . . . .", bars=2) + "    weight 0\n")
    bars = figures(text)
    assert bars == ["b"] * 32  # only the phrase can be drawn, so it fills every pair of bars
    (pattern,) = front_end(Source("v.song", text), Library()).song.patterns
    assert pattern.levels[1].variations[0].bars == 2


def test_a_phrase_that_does_not_fit_its_phrase_is_not_drawn() -> None:
    # 6-bar passes are phrases of 3: a 2-bar variation fits at bar 0 of each phrase only
    bars = figures(song(vary("b", "weight 50", bars=2), bars=6))
    assert [f for f in bars[:6]] == ["b", "b", "plain", "b", "b", "plain"]


def midi_bytes(text: str, seed: int) -> bytes:
    buffer = io.BytesIO()
    compiled(text, seed).save(file=buffer)
    return buffer.getvalue()


def test_same_seed_same_midi_and_five_seeds_five_performances() -> None:
    text = song(vary("b") + vary("c") + vary("d", figure=". . . x . . . ."))
    assert midi_bytes(text, 3) == midi_bytes(text, 3)
    assert len({midi_bytes(text, seed) for seed in range(1, 6)}) == 5
    assert len({tuple(figures(text, seed)) for seed in range(1, 6)}) == 5


def test_an_ostinato_states_its_bound_and_why() -> None:
    text = song("").replace("pattern figures comp\n", 'pattern figures comp\n  ostinato 3 "the skank is the groove"\n')
    (pattern,) = front_end(Source("v.song", text), Library()).song.patterns
    assert (pattern.ostinato, pattern.ostinato_reason) == (3, "the skank is the groove")
    missing = text.replace(' "the skank is the groove"', "")
    assert any(code == "E011" and "the reason, in quotes" in message for code, message in errors(missing))


@pytest.mark.parametrize("tempo, expected", [(50, "5/7"), (120, "2/3"), (240, "3/5")])
def test_swing_auto_swings_by_the_tempo_in_a_song_and_in_a_style(tempo: int, expected: str) -> None:
    text = f'title "S"\nkey C major\ntempo {tempo}\nswing auto\nstyle rock.straight\nsection A\n  | C |\n'
    assert str(front_end(Source("s.song", text), Library()).song.swing) == expected
    styled = text.replace("swing auto\n", "").replace("rock.straight", "jazz.swing")  # the style says `swing auto`
    assert str(front_end(Source("s.song", styled), Library()).song.swing) == expected
    written = styled.replace("style jazz.swing", "swing 58%\nstyle jazz.swing")  # the song's own word wins
    assert front_end(Source("s.song", written), Library()).song.swing == Fraction(58, 100)
