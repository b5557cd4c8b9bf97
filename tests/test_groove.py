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


# -- build-ups into a chorus or a drop -------------------------------------------------------------

def verse_chorus(style: str, form: str = "verse chorus", second: str = "chorus") -> Timeline:
    text = (f'title "G"\nkey C major\ntime 4/4\nseed 3\nhumanize 0%\nstyle {style}\n'
            "section verse\n  | C | Am | F | G | C | Am | F | G |\n"
            f"section {second}\n  | F | G | C | Am | F | G | C | C |\n"
            f"form {form}\narrange\n  verse mf\n  {second} f\n")
    return arrange(front_end(Source("g.song", text), Library()).song, ArrangeOptions())


def onsets(timeline: Timeline, name: str, number: int, pitch: int | None = None) -> list[Note]:
    (track,) = [t for t in timeline.tracks if t.name == name]
    start = (number - 1) * BAR
    return [n for n in track.notes if start <= n.start < start + BAR and pitch in (None, n.pitch)]


@pytest.mark.parametrize("style", ["pop.eighths", "edm.house"])
def test_the_last_bar_before_a_chorus_builds_up(style: str) -> None:
    timeline = verse_chorus(style)
    groove = [len(onsets(timeline, "drums", number)) for number in range(1, 7)]
    assert len(onsets(timeline, "drums", 8)) > max(groove), groove
    # the snare rolls faster bar by bar and grows louder through the build
    first, last = onsets(timeline, "drums", 7, SNARE), onsets(timeline, "drums", 8, SNARE)
    assert len(last) > len(first) >= 4
    mean = lambda notes: sum(n.velocity for n in notes) / len(notes)  # noqa: E731
    assert mean(last[len(last) // 2:]) > mean(first[:len(first) // 2])


def test_a_build_is_played_only_into_the_sections_it_names() -> None:
    into_verse = verse_chorus("pop.eighths", form="chorus verse")
    assert len(onsets(into_verse, "drums", 8, SNARE)) < 8  # into a verse: the groove (and its fill)
    repeated = verse_chorus("pop.eighths", form="verse verse chorus")
    assert len(onsets(repeated, "drums", 8, SNARE)) < 8  # verse into verse: no build
    assert len(onsets(repeated, "drums", 16, SNARE)) >= 12  # the second verse builds into the chorus


def test_the_house_bass_drops_out_before_the_drop() -> None:
    timeline = verse_chorus("edm.house", form="verse main", second="main")
    assert onsets(timeline, "bass", 7) and not onsets(timeline, "bass", 8)
    assert onsets(timeline, "bass", 9)[0].start == 8 * BAR  # and lands the root on the drop


def test_a_bad_build_is_a_located_diagnostic() -> None:
    from compiler.errors import SongError

    for build, words in (("build into chorus", "unknown word after `build`"),
                         ("build before chorus\n      snare | x x | x x | x x |", "1, 2 or 4 bars")):
        text = ('title "G"\nkey C major\ntime 4/4\nstyle pop.eighths\nsection A\n  | C |\nform A\n'
                f"track drums standard_kit role drums pattern k\npattern k drums\n  kick | x . |\n  {build}\n"
                + ("" if "\n" in build else "    snare | x x |\n"))
        with pytest.raises(SongError) as caught:
            front_end(Source("g.song", text), Library())
        (found,) = caught.value.diagnostics
        assert found.code == "E076" and words in found.message and found.span is not None, found


# -- the ballad's two-feel head --------------------------------------------------------------------

def bass_onsets_per_bar(form: str, style: str = "jazz.ballad") -> list[int]:
    text = (f'title "G"\nkey C major\ntime 4/4\nseed 3\nhumanize 0%\nstyle {style}\n'
            "section A\n  | Cmaj7 | Am7 | Dm7 | G7 |\nsection B\n  | Fmaj7 | Fm7 | Em7 | A7 |\n"
            f"form {form}\narrange\n  A f\n  B f\n")
    timeline = arrange(front_end(Source("g.song", text), Library()).song, ArrangeOptions())
    (bass,) = [t for t in timeline.tracks if t.name == "bass"]
    bars = timeline.bars
    return [sum(1 for n in bass.notes if b * BAR <= n.start < (b + 1) * BAR) for b in range(bars)]


def test_a_ballad_plays_two_feel_through_the_head_and_walks_after() -> None:
    bars = bass_onsets_per_bar("A A B A A A B A")  # the head is the first AABA
    assert max(bars[:16]) <= 3 and sum(bars[:16]) <= 2.5 * 16, bars[:16]
    assert sum(bars[16:]) >= 3.5 * 16, bars[16:]  # forte after the head: the walk


def test_a_ballad_played_once_walks_from_the_bridge() -> None:
    bars = bass_onsets_per_bar("A A B A")
    assert sum(bars[:8]) <= 2.5 * 8 and sum(bars[8:]) >= 3.5 * 8, bars


def test_a_style_without_two_feel_head_walks_from_the_top() -> None:
    assert sum(bass_onsets_per_bar("A A B A", style="jazz.swing")[:8]) >= 3.5 * 8


# -- the tumbao's root on the changes --------------------------------------------------------------

def test_an_anticipated_root_counts_and_an_entry_after_a_tacet_is_judged_by_its_first_note() -> None:
    from compiler.analyze import Chord, PlayedNote, bass_hits_change

    cm = Chord(tick=BAR, end=3 * BAR, bass_pc=0, allowed=frozenset({0, 3, 7}))
    tied = [PlayedNote(BAR - PPQ, BAR + PPQ, 36)]  # the root struck on the "and" of 4, tied over
    assert bass_hits_change(cm, tied, PPQ // 8, PPQ)
    assert bass_hits_change(cm, [PlayedNote(2 * BAR, 2 * BAR + PPQ, 36)], PPQ // 8, PPQ)  # enters on the root
    assert not bass_hits_change(cm, [PlayedNote(BAR + 61, BAR + PPQ, 36)], PPQ // 8, PPQ)  # merely late
    assert not bass_hits_change(cm, [PlayedNote(2 * BAR + 720, 2 * BAR + PPQ * 2, 43)], PPQ // 8, PPQ)  # the fifth
    assert not bass_hits_change(cm, [PlayedNote(BAR, BAR + PPQ, 43), PlayedNote(BAR + PPQ, BAR + 2 * PPQ, 36)],
                                PPQ // 8, PPQ)  # the fifth at the change, the root a beat late


def test_a_tumbao_entering_after_a_tacet_strikes_the_root_on_its_downbeat() -> None:
    text = ('title "G"\nkey C minor\ntime 4/4\nseed 3\nhumanize 0%\nstyle latin.afro\n'
            "section intro\n  | Cm | Fm | G7 | Cm |\nsection A\n  | Cm | Cm | Fm | G7 |\n"
            "form intro A\narrange\n  intro mp only drums\n  A mf\n")
    timeline = arrange(front_end(Source("g.song", text), Library()).song, ArrangeOptions())
    (bass,) = [t for t in timeline.tracks if t.name == "bass"]
    first = min(bass.notes, key=lambda n: n.start)
    assert first.start == 4 * BAR and first.pitch % 12 == 0  # C on the downbeat, not the fifth on 2&
    later = [n for n in bass.notes if 5 * BAR <= n.start < 6 * BAR]
    assert later and min(n.start for n in later) > 5 * BAR  # then the tumbao leaves the downbeat open again


# -- accent shapes by tempo ------------------------------------------------------------------------

def velocities_by_beat(style: str, tempo: int, name: str) -> tuple[list[int], list[int]]:
    """(velocities on beats 1 and 3, on beats 2 and 4) of track `name`, humanized 30 %."""
    text = (f'title "G"\nkey C major\ntime 4/4\nseed 3\nhumanize 30%\ntempo {tempo}\nstyle {style}\n'
            "section A\n  | Cmaj7 | Am7 | Dm7 | G7 | Em7 | A7 | Dm7 | G7 |\nform A A A A\narrange\n  A f\n")
    timeline = arrange(front_end(Source("g.song", text), Library()).song, ArrangeOptions())
    (track,) = [t for t in timeline.tracks if t.name == name]
    on_beat = [n for n in track.notes if abs((n.start + PPQ // 4) % PPQ - PPQ // 4) <= PPQ // 8]
    strong = [n.velocity for n in on_beat if round(n.start / PPQ) % 2 == 0]
    back = [n.velocity for n in on_beat if round(n.start / PPQ) % 2 == 1]
    return strong, back


def mean(values: list[int]) -> float:
    return sum(values) / len(values)


def test_a_slow_swing_leans_on_two_and_four_and_a_fast_one_does_not() -> None:
    lean = {}
    for tempo in (60, 200):
        strong, back = velocities_by_beat("jazz.swing", tempo, "bass")
        lean[tempo] = mean(back) - mean(strong)
    assert lean[60] > lean[200] + 6, lean


def test_the_velocity_spread_shrinks_as_the_tempo_rises() -> None:
    import statistics

    spread = {}
    for tempo in (120, 250):
        strong, back = velocities_by_beat("jazz.uptempo", tempo, "drums")
        spread[tempo] = statistics.pstdev(strong + back)
    assert spread[250] < 0.85 * spread[120], spread


@pytest.mark.parametrize("spec", ["house_124", "pop_eighths", "jazz_ballad", "afro_cuban_montuno"])
def test_builds_set_ups_and_the_two_feel_head_are_byte_identical_for_a_seed(spec: str) -> None:
    import io
    from pathlib import Path

    from compiler.midi import to_midi

    path = Path(__file__).resolve().parents[1] / "specs" / f"{spec}.song"
    song = front_end(Source(str(path), path.read_text(encoding="utf-8")), Library()).song
    played = []
    for seed in (7, 7, 8):
        buffer = io.BytesIO()
        to_midi(arrange(song, ArrangeOptions(seed=seed))).save(file=buffer)
        played.append(buffer.getvalue())
    assert played[0] == played[1] != played[2]
