"""arrange.bass: the bass lane -> notes. Roots on every change, walking lines, approach notes, ghosts.

Steps: `R` root (slash bass on slash chords), `3` `5` `7` chord tones, `8` octave above the root,
`W` walking tone toward the next root, `A` approach into the next root, `g` ghost, `-` hold, `.` rest.
Before the lane is read, every chord change is made an `R` (in groove bars; in form bars only a held
note is re-struck), so the root always sounds on the change.
"""

from __future__ import annotations

from .. import ir
from ..pitch import Key
from ..timeline import PPQ
from .context import ChordSpan, Hit, SongContext, chord_tones, register
from .grid import HOLD, REST, Step, index_at, lane_stream, split
from .listen import SILENCE, Heard
from .patterns import BarPlan

REGISTER = (28, 55)  # E1..G3
CENTRE = 0.4  # where in the register the line likes to sit
CENTRE_PULL = 0.35  # cost per semitone away from it, against semitones moved
LEAP = 7  # a walking step larger than a fifth costs extra
LEAP_COST = 3.0
RETURN_COST = 2.0  # going back to the note before last circles instead of walking
PASSING_COST = (0.5, 1.5)
RUB_COST = 12.0  # a minor 9th under a sounding comp note: any other way to the next root is better  # a scale tone instead of a chord tone: on a weak beat, on a strong beat
VELOCITY = {"R": 100, "3": 88, "5": 88, "7": 88, "8": 90, "W": 86, "A": 82, "g": 40}
GHOST_TICKS = PPQ // 8
ONSETS = frozenset(VELOCITY)


def play_bass(track: ir.TrackDef, plans: tuple[BarPlan, ...], ctx: SongContext, heard: Heard = SILENCE) -> list[Hit]:
    """The bass track's notes through the whole song, chosen against what the comping sounds."""
    steps = _on_changes(lane_stream(plans, ctx.bars, "bass"), plans, ctx)
    return _Line(steps, ctx, register(track, REGISTER), any(s.char == "8" for s in steps), heard).play()


def _on_changes(steps: list[Step], plans: tuple[BarPlan, ...], ctx: SongContext) -> list[Step]:
    """Make every chord change an `R` and silence N.C.

    In groove bars the step on a change becomes `R` whatever it was; in form bars (stop hits, the
    final chord) only a note held through a change is re-struck. A groove bar that opens on a
    hold after silence (a tumbao entering: the root it ties from the bar before was never played)
    strikes the root on its downbeat.
    """
    steps = split(steps, [c.start for c in ctx.chords])
    starts = [s.start for s in steps]
    for chord in ctx.chords:
        i = index_at(starts, chord.start)
        if i is None:
            continue
        step = steps[i]
        if not chord.is_rest and (plans[step.bar].free or step.char == HOLD):
            steps[i] = step._replace(char="R")
    for i, step in enumerate(steps):  # an anticipated tie with no anticipation before it
        if step.char == HOLD and step.start == ctx.bars[step.bar].start and plans[step.bar].free \
                and (i == 0 or steps[i - 1].char == REST) and not ctx.chord_at(step.start).is_rest:
            steps[i] = step._replace(char="R")
    if not any(chord.is_rest for chord in ctx.chords):
        return steps
    return [s._replace(char=REST) if ctx.chord_at(s.start).is_rest else s for s in steps]


class _Line:
    """The bass player: walks the steps in order, remembering the last note and the roots ahead."""

    def __init__(self, steps: list[Step], ctx: SongContext, notes: tuple[int, int], octaves: bool,
                 heard: Heard) -> None:
        self.steps, self.ctx, self.heard = steps, ctx, heard
        self.low, self.high = notes
        self.centre = self.low + CENTRE * (self.high - self.low)
        self.root_high = self.high - 12 if octaves and self.high - 12 - self.low >= 11 else self.high
        self.prev: int | None = None
        self.before: int | None = None
        self.root: int | None = None
        self.planned: dict[int, int] = {}
        self.anchors = _next_anchors(steps)

    def play(self) -> list[Hit]:
        hits: list[Hit] = []
        for i, step in enumerate(self.steps):
            if step.char in ONSETS:
                pitch = self._pitch(i, step)
                hits.append(Hit(step.start, self._length(i), pitch, self._velocity(step)))
                self.before, self.prev = self.prev, pitch
        return hits

    def _length(self, i: int) -> int:
        step = self.steps[i]
        if step.char == "g":
            return min(GHOST_TICKS, step.end - step.start)
        end = i + 1
        while end < len(self.steps) and self.steps[end].char == HOLD:
            end += 1
        return self.steps[end - 1].end - step.start

    def _velocity(self, step: Step) -> int:
        scale = self.ctx.bars[step.bar].scale_at(step.start)
        return max(1, min(127, round(VELOCITY[step.char] * scale)))

    def _pitch(self, i: int, step: Step) -> int:
        chord = self.ctx.chord_at(step.start)
        char = step.char
        if char == "R":
            planned = self.planned.pop(i, None)
            self.root = self._root(chord, self.prev) if planned is None else planned
            return self.root
        if char == "g":
            ghost = self.prev if self.prev is not None else self._root(chord, None)
            return self._root(chord, ghost) if self.heard.rubs(ghost, step.start) else ghost
        if char == "8":
            root = self.root if self.root is not None else self._root(chord, self.prev)
            return root + 12 if root + 12 <= self.high else root
        if char in "357":
            return self._tone(chord, char, step.start)
        return self._approach(i, chord) if char == "A" else self._walk(i, chord)

    def _root(self, chord: ChordSpan, near: int | None) -> int:
        """The chord's bass note: near the previous note, pulled toward the register's centre."""
        options = _in_range(chord.bass_pc, self.low, self.root_high) or _in_range(chord.bass_pc, self.low, self.high)
        return min(options, key=lambda p: (self._distance(p, near), p))

    def _tone(self, chord: ChordSpan, degree: str, tick: int) -> int:
        """The chord's 3rd, 5th or 7th near the last note; another chord tone (at last the root) if
        it would rub against the comping."""
        for choice in dict.fromkeys((degree, "5", "3", "7")):
            pc = (chord.chord.root_pc + _degree(chord.chord, choice)) % 12
            pitch = min(_in_range(pc, self.low, self.high), key=lambda p: (self._distance(p, self.prev), p))
            if not self.heard.rubs(pitch, tick):
                return pitch
        return self._root(chord, self.prev)

    def _distance(self, pitch: int, near: int | None) -> float:
        moved = 0 if near is None else abs(pitch - near)
        return moved + CENTRE_PULL * abs(pitch - self.centre)

    def _target(self, i: int) -> int | None:
        """The root the line is heading for: the next `R`, chosen now and kept for when it comes."""
        anchor = self.anchors[i]
        if anchor is None:
            return None
        if anchor not in self.planned:
            root = self._root(self.ctx.chord_at(self.steps[anchor].start), self.prev)
            self.planned[anchor] = self._octave_away(root) if root == self.root else root
        return self.planned[anchor]

    def _octave_away(self, root: int) -> int:
        """Over a repeated root the line climbs or falls an octave instead of circling one note."""
        options = [p for p in (root - 12, root + 12) if self.low <= p <= self.high]
        return min(options, key=lambda p: (abs(p - self.centre), p)) if options else root

    def _approach(self, i: int, chord: ChordSpan) -> int:
        """A half step below or above the next root (or a whole step), whichever continues the line."""
        target = self._target(i)
        if target is None or self.prev is None:
            return self._walk(i, chord)
        tick = self.steps[i].start
        options = [p for p in (target - 1, target + 1, target - 2, target + 2)
                   if self.low <= p <= self.high and p != self.prev]
        options = [p for p in options if not self.heard.rubs(p, tick)]
        if not options:  # every step into the root rubs against the comping: walk there instead
            return self._walk(i, chord)
        chromatic = [p for p in options if abs(p - target) == 1]
        return min(chromatic or options or [target], key=lambda p: (abs(p - self.prev), p))

    def _walk(self, i: int, chord: ChordSpan) -> int:
        """A chord tone (on weak beats also a scale tone) on the way to the next root; never a repeat."""
        if self.prev is None:
            return self._root(chord, None)
        target = self._target(i)
        remaining = sum(1 for s in self.steps[i:self.anchors[i]] if s.char in ONSETS) if target is not None else 1
        ideal = self.prev + ((target if target is not None else self.prev) - self.prev) / (remaining + 1)
        strong = self._strong(self.steps[i])
        rubbing = self.heard.rubbing(self.steps[i].start)
        tones, scale = _pitch_sets(chord.chord, self.ctx.bars[self.steps[i].bar].key)
        prev, before = self.prev, self.before

        def cost(p: int) -> tuple[float, int]:
            kind = 0.0 if p % 12 in tones else PASSING_COST[strong]
            leap = LEAP_COST if abs(p - prev) > LEAP else 0.0
            circling = RETURN_COST if p == before else 0.0
            rub = RUB_COST if p in rubbing else 0.0
            return abs(p - ideal) + kind + leap + circling + rub, p
        options = [p for p in range(self.low, self.high + 1)
                   if p % 12 in scale and p != self.prev and not (remaining == 1 and p == target)]
        if strong:  # beats 1 and 3 state the harmony: a chord tone there, a passing tone only between
            options = [p for p in options if p % 12 in tones] or options
        return min(options, key=cost)

    @staticmethod
    def _strong(step: Step) -> bool:
        return step.offset % (2 * PPQ) == 0


def _next_anchors(steps: list[Step]) -> list[int | None]:
    """For each step, the index of the next `R` after it."""
    anchors: list[int | None] = [None] * len(steps)
    following = None
    for i in range(len(steps) - 1, -1, -1):
        anchors[i] = following
        if steps[i].char == "R":
            following = i
    return anchors


def _in_range(pc: int, low: int, high: int) -> list[int]:
    return [p for p in range(low, high + 1) if p % 12 == pc]


def _degree(chord: ir.Chord, degree: str) -> int:
    """Semitones above the root of the chord's 3rd, 5th or 7th; the root when it has none."""
    rel = {i % 12 for i in chord.intervals}
    choices = {"3": (4, 3, 5, 2), "5": (7, 6, 8), "7": (10, 11, 9)}[degree]
    return next((c for c in choices if c in rel), 0)


def _pitch_sets(chord: ir.Chord, key: Key) -> tuple[frozenset[int], frozenset[int]]:
    """(chord tones, chord tones plus the key's scale tones) as pitch classes."""
    tones = chord_tones(chord)
    return tones, tones | frozenset(key.scale_pcs)
