"""arrange.comping: comp and pad lanes -> voice-led chords (hits, holds, anticipations, arpeggios, strums).

Steps: `x` `X` `o` hit the voicing (normal, accented, soft), `-` hold, `.` rest, `>` hit the next
chord early and hold it over the change, `1`..`9` one voice (1 = lowest), `d` / `u` strum down / up.
Chords never sound over a change: a note held through one is re-struck with the new chord, and a
chord the lane would skip or first sound a beat late, in a groove bar where it plays at all, gets one
short hit on its change.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

from .. import ir
from ..timeline import PPQ, Control
from .context import Hit, SongContext, register
from .grid import HOLD, REST, Step, index_at, lane_stream, split
from .patterns import BarPlan
from .voicing import Voicing, candidates, lead

REGISTERS = {"comp": (48, 79), "pad": (48, 84)}  # C3..G5, C3..C6
DEFAULT_VOICING = {"comp": "close", "pad": "open"}
CENTRE = 0.4  # where in the register voicings like to sit
VELOCITY = {"X": 100, "x": 84, "o": 60, ">": 92, "d": 84, "u": 68, **{str(n): 80 for n in range(1, 10)}}
RESTRIKE, ADDED = "r", "h"  # internal steps: re-strike a held chord on a change; hit a chord left silent
PAD_SCALE = 0.8
STRUM_TICKS = 6  # between strings; a strum is centred on its step so it does not drag the beat
EXPRESSION, EXPRESSION_BASE, EXPRESSION_TOP = 11, 96, 127
ONSETS = frozenset(VELOCITY) | {RESTRIKE, ADDED}
# A new chord the lane would first sound this late (or never) gets a short hit on its change: a
# player hears a chord a beat late as a mistake, not as a rhythm (a bar the lane rests through is
# a lay-out and stays silent).
ON_TIME = PPQ * 3 // 4


class Sounding(NamedTuple):
    """A stretch of the lane that sounds: `chord` indexes `SongContext.chords`."""

    start: int
    end: int
    char: str
    chord: int


def play_chords(track: ir.TrackDef, plans: tuple[BarPlan, ...], ctx: SongContext) -> tuple[list[Hit], list[Control]]:
    """A comp or pad track's notes, and for pads the expression swells into `build` passes."""
    role = track.role
    voicer = _Voicer(track.voicing or DEFAULT_VOICING[role], register(track, REGISTERS[role]))
    steps = _prepared(lane_stream(plans, ctx.bars, role), plans, ctx)
    scale = PAD_SCALE if role == "pad" else 1.0
    hits = [hit for sounding in _read(steps, ctx) for hit in _sound(sounding, voicer, ctx, scale)]
    return hits, (swells(ctx) if role == "pad" else [])


def _prepared(steps: list[Step], plans: tuple[BarPlan, ...], ctx: SongContext) -> list[Step]:
    """Cut the lane at chord changes and entries, hold `>` over the change, mark re-strikes and the
    hits added for chords the lane would skip (in bars where the lane plays at all)."""
    points = sorted({c.start for c in ctx.chords} | set(_entries(plans, ctx)))
    steps = _anticipated(split(steps, points), plans)
    starts = [s.start for s in steps]
    onsets = [s.start for s in steps if s.char in ONSETS and s.char != ">"]  # `>` plays the next chord
    playing = [plan.free and any(c in VELOCITY for lane in plan.lanes for c in lane.steps) for plan in plans]
    for tick in points:
        i = index_at(starts, tick)
        chord = ctx.chord_at(tick)
        if i is None or chord.is_rest:
            continue
        step = steps[i]
        if step.char == HOLD:
            steps[i] = step._replace(char=RESTRIKE)
        elif step.char == REST and playing[step.bar] and not _any_between(onsets, tick, min(chord.end, tick + ON_TIME)):
            steps[i] = step._replace(char=ADDED)
    return steps


def _entries(plans: tuple[BarPlan, ...], ctx: SongContext) -> list[int]:
    """Starts of groove bars that follow silence or form hits: a held step there starts the chord."""
    return [bar.start for bar, plan, before in zip(ctx.bars, plans, (None, *plans))
            if plan.free and (before is None or not before.free)]


def _anticipated(steps: list[Step], plans: tuple[BarPlan, ...]) -> list[Step]:
    """`>` is held over the change: the step after it (a hit or a rest) becomes a hold, unless
    the track falls silent there."""
    for i in range(len(steps) - 1):
        following = steps[i + 1]
        if steps[i].char == ">" and plans[following.bar].lanes and (following.char in VELOCITY or following.char == REST):
            steps[i + 1] = following._replace(char=HOLD)
    return steps


def _any_between(ticks: list[int], start: int, end: int) -> bool:
    i = bisect.bisect_left(ticks, start)
    return i < len(ticks) and ticks[i] < end


def _read(steps: list[Step], ctx: SongContext) -> list[Sounding]:
    """The sounding stretches: an onset lasts through its holds, up to the next onset or rest."""
    found: list[Sounding] = []
    current: Sounding | None = None
    for step in steps:
        char = step.char
        held = current is not None and current.chord == ctx.chord_index(step.start)
        if char == HOLD or (char == RESTRIKE and held):
            continue
        if current is not None:
            found.append(current._replace(end=step.start))
            if char == RESTRIKE and current.char != ">":
                char = current.char  # a held voice, strum or accent goes on as it was
            current = None
        if char == ADDED:
            chord = ctx.chord_at(step.start)
            found.append(Sounding(step.start, min(step.start + PPQ, chord.end), char, ctx.chord_index(step.start)))
        elif char != REST:
            index = ctx.chord_index(step.end if char == ">" else step.start)
            current = None if ctx.chords[index].is_rest else Sounding(step.start, step.end, char, index)
    if current is not None:
        found.append(current._replace(end=steps[-1].end))
    return found


class _Voicer:
    """Chooses one voicing per chord, each led from the one before."""

    def __init__(self, kind: str, notes: tuple[int, int]) -> None:
        self.kind, self.register = kind, notes
        self.centre = notes[0] + CENTRE * (notes[1] - notes[0])
        self.chosen: dict[int, Voicing] = {}
        self.last: Voicing | None = None
        # What `lead` chose from a voicing into a chord: a form played again leads the same way, and
        # weighing every candidate was most of comping. Kept per track, for this song only.
        self.led: dict[tuple[Voicing | None, int | None, tuple[int, ...], tuple[int, ...]], Voicing] = {}

    def voicing(self, index: int, chord: ir.Chord) -> Voicing:
        if index not in self.chosen:
            move = (self.last, chord.root_pc, chord.intervals, chord.tensions)
            if move not in self.led:
                self.led[move] = lead(self.last, candidates(chord, self.kind, self.register), self.centre)
            self.chosen[index] = self.last = self.led[move]
        return self.chosen[index]


def _sound(sounding: Sounding, voicer: _Voicer, ctx: SongContext, scale: float) -> list[Hit]:
    """The notes of one stretch: the whole voicing, one voice of it, or a strum."""
    voicing = voicer.voicing(sounding.chord, ctx.chords[sounding.chord].chord)
    start, end, char, _ = sounding
    base = VELOCITY.get(char, VELOCITY["x"]) * scale * ctx.bar_at(start).scale_at(start)
    velocity = max(1, min(127, round(base)))
    if char.isdigit():
        return [Hit(start, end - start, _voice(voicing, int(char), voicer.register[1]), velocity)]
    if char in "du":
        return _strum(voicing if char == "d" else voicing[::-1], start, end, velocity)
    return [Hit(start, end - start, pitch, velocity) for pitch in voicing]


def _voice(voicing: Voicing, number: int, high: int) -> int:
    """Voice `number` (1 = lowest); past the top, the voicing again an octave up if there is room."""
    octave, index = divmod(number - 1, len(voicing))
    pitch = voicing[index] + 12 * octave
    return pitch if pitch <= high else voicing[index]


def _strum(order: Voicing, start: int, end: int, velocity: int) -> list[Hit]:
    middle = (len(order) - 1) / 2
    hits = []
    for n, pitch in enumerate(order):
        onset = max(0, start + round((n - middle) * STRUM_TICKS))
        hits.append(Hit(onset, max(1, end - onset), pitch, velocity))
    return hits


def swells(ctx: SongContext) -> list[Control]:
    """CC11 for pads: steady, rising beat by beat through each `build` pass into the next one."""
    controls = [Control(tick=0, controller=EXPRESSION, value=EXPRESSION_BASE)]
    builds = [part.played.marks.build for part in ctx.passes] + [False]
    for part, following in zip(ctx.passes, builds[1:]):
        if not part.played.marks.build:
            continue
        start = ctx.bars[part.played.first_bar - 1].start
        end = ctx.bars[part.played.first_bar + part.played.bar_count - 2].end
        for tick in range(start, end, PPQ):
            rise = round((EXPRESSION_TOP - EXPRESSION_BASE) * (tick + PPQ - start) / (end - start))
            controls.append(Control(tick=tick, controller=EXPRESSION, value=min(EXPRESSION_BASE + rise, EXPRESSION_TOP)))
        if not following and end < ctx.end:
            controls.append(Control(tick=end, controller=EXPRESSION, value=EXPRESSION_BASE))
    return controls
