"""The drummer answers the form (issue 10): set-ups before hits and breaks, measured in the
arranged timeline of small songs on the bundled styles."""

from __future__ import annotations

import pytest

from compiler.arrange import ArrangeOptions, arrange
from compiler.library import Library
from compiler.pipeline import front_end
from compiler.source import Source
from compiler.timeline import PPQ, Note, Timeline

BAR = 4 * PPQ
KICK, SNARE = 36, 38


def arranged(style: str, arrange_lines: str, form: str = "A B", seed: int = 3) -> Timeline:
    """A 4/4 song of 8-bar sections on `style`, humanized 0 so onsets sit on the grid."""
    text = (f'title "G"\nkey C major\ntime 4/4\nseed {seed}\nhumanize 0%\nstyle {style}\n'
            "section A\n  | C | Am | F | G | C | Am | F | G |\n"
            "section B\n  | F | G | C | Am | F | G | C | C |\n"
            f"form {form}\narrange\n{arrange_lines}")
    return arrange(front_end(Source("g.song", text), Library()).song, ArrangeOptions())


def drum_bar(timeline: Timeline, number: int) -> list[Note]:
    """The drum notes of bar `number` (1-based), as ticks from its bar line."""
    (drums,) = [t for t in timeline.tracks if t.is_drums]
    start = (number - 1) * BAR
    return [n.model_copy(update={"start": n.start - start}) for n in drums.notes if start <= n.start < start + BAR]


def figure(notes: list[Note], after: int) -> list[tuple[int, int]]:
    """The kick and snare strokes from tick `after` of a bar on: a drummer's set-up figure."""
    return sorted((n.start, n.pitch) for n in notes if n.pitch in (KICK, SNARE) and n.start >= after)


@pytest.mark.parametrize("style", ["pop.eighths", "rock.straight", "jazz.swing", "funk.groove", "edm.house"])
@pytest.mark.parametrize("mark", ["stop 2", "break 2"])
def test_a_stop_or_break_is_set_up_on_the_beats_before_it(style: str, mark: str) -> None:
    before = figure(drum_bar(arranged(style, f"  B {mark}\n"), 14), 2 * PPQ)  # bars 15-16 are the hits
    plain = figure(drum_bar(arranged(style, "  B f\n"), 14), 2 * PPQ)  # the same bar, no hit after it
    assert len(before) > len(plain), (before, plain)
    assert any(tick >= 3 * PPQ + PPQ // 2 for tick, _ in before), before  # a stroke on the "and" of 4
    assert KICK in {pitch for tick, pitch in before if tick > 3 * PPQ}, before


@pytest.mark.parametrize("style", ["jazz.swing", "blues.shuffle"])
def test_the_set_up_swings_with_the_groove(style: str) -> None:
    before = drum_bar(arranged(style, "  B stop 2\n"), 14)
    kicks = [tick for tick, pitch in figure(before, 3 * PPQ) if pitch == KICK]
    assert kicks and kicks[-1] > 3 * PPQ + PPQ // 2  # the "and" of 4, swung late like the cymbal's
    cymbals = {n.start for n in before if n.pitch not in (KICK, SNARE)}
    assert kicks[-1] in cymbals
