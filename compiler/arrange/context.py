"""arrange.context: ir.Song -> SongContext, the per-bar facts every role reads (ticks, chords, energy, form)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from .. import ir
from ..pitch import Key
from ..timeline import PPQ

DYNAMIC_LEVEL = {"pp": 1, "p": 1, "mp": 2, "mf": 2, "f": 3, "ff": 3}
DYNAMIC_SCALE = {"pp": 0.55, "p": 0.65, "mp": 0.78, "mf": 0.88, "f": 1.0, "ff": 1.1}
DEFAULT_DYNAMIC = "mf"  # a pass with no dynamic mark plays at level 2, as loud as mf
BUILD_CEILING = 1.2  # a build from ff still grows a little
MAX_LEVEL = 3
HITS = ("stop", "break")  # the form marks a band plays as hits (or leaves to the lead)


class Hit(NamedTuple):
    """A note before it becomes a `timeline.Note`: ticks from the start of the timeline."""

    start: int
    dur: int
    pitch: int
    velocity: int


@dataclass(frozen=True, slots=True)
class ChordSpan:
    """One chord from `start` to `end` (ticks); consecutive equal chords are merged into one span."""

    start: int
    end: int
    chord: ir.Chord

    @property
    def is_rest(self) -> bool:
        """True under N.C.: nobody but the drums and the melody plays."""
        return self.chord.root_pc is None

    @property
    def bass_pc(self) -> int:
        """The pitch class the bass plays on the change: the slash bass, else the root."""
        return self.chord.root_pc if self.chord.bass_pc is None else self.chord.bass_pc


@dataclass(frozen=True)
class PassContext:
    """One pass of the form as the band plays it.

    Attributes:
        index: Position in `song.passes`.
        played: The pass itself (label, kind, bars, marks).
        style: The style its grooves come from (`style` mark or the song's).
        swing: Its swing as a share of the beat (0.5 straight), before any pattern overrides it.
        following: The label of the pass after it (None after the last).
        head: It belongs to the head, the form's first chorus (`head_passes`).
    """

    index: int
    played: ir.Pass
    style: ir.StyleDef
    swing: Fraction
    following: str | None = None
    head: bool = False

    def plays(self, track: ir.TrackDef) -> bool:
        """Whether `track` plays in this pass at all (`tacet`, `only`, and `drop` for comp and pads)."""
        marks = self.played.marks
        if track.name in marks.tacet or (marks.only and track.name not in marks.only):
            return False
        return not (marks.drop and track.role in ("comp", "pad"))


@dataclass(frozen=True)
class BarContext:
    """One played bar.

    Attributes:
        index: 0-based position in the song; `number` is the 1-based bar number.
        start: First tick; `end` is the first tick of the next bar.
        meter: Its time signature; `key` its key.
        part: The pass it belongs to; `bar_in_pass` counts from 0.
        level: Energy level 1..3 that picks the pattern variant.
        scale: Velocity scale at the start and at the end of the bar (they differ in a build).
        mode: "groove", or a form mark owning the bar: "stop", "break" or "final" (held last chord).
        fill: The drums play a fill here. `crash`: a section (a new one or a repeat) starts here.
        setup: The next bar is a `stop` or `break` (a hit): the drummer sets it up here.
        phrase: (bar of its phrase from 0, the phrase's length in bars); phrases come from the
            pass's length (`phrase_bars`).
    """

    index: int
    number: int
    start: int
    end: int
    meter: ir.Meter
    key: Key
    part: PassContext
    bar_in_pass: int
    level: int
    scale: tuple[float, float]
    mode: str
    fill: bool
    crash: bool
    phrase: tuple[int, int] = (0, 1)
    setup: bool = False

    def scale_at(self, tick: int) -> float:
        """Velocity scale at `tick`, interpolated through the bar."""
        low, high = self.scale
        return low + (high - low) * (tick - self.start) / (self.end - self.start)


@dataclass(frozen=True)
class SongContext:
    """Everything the roles share: bars and chords in absolute ticks (after any count-in), and
    `end`, the tick where the music ends."""

    song: ir.Song
    end: int
    passes: tuple[PassContext, ...]
    bars: tuple[BarContext, ...]
    chords: tuple[ChordSpan, ...]
    chord_starts: list[int] = field(init=False, repr=False, compare=False)
    bar_starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "chord_starts", [c.start for c in self.chords])
        object.__setattr__(self, "bar_starts", [b.start for b in self.bars])

    def chord_index(self, tick: int) -> int:
        """Index in `chords` of the chord sounding at `tick` (the first one before the music starts)."""
        return max(bisect.bisect_right(self.chord_starts, tick) - 1, 0)

    def chord_at(self, tick: int) -> ChordSpan:
        """The chord sounding at `tick`."""
        return self.chords[self.chord_index(tick)]

    def bar_at(self, tick: int) -> BarContext:
        """The bar holding `tick`."""
        return self.bars[max(bisect.bisect_right(self.bar_starts, tick) - 1, 0)]


def build_context(song: ir.Song, offset: int) -> SongContext:
    """Lay the played bars out in ticks from `offset` and work out each bar's energy and form role."""
    passes = _passes(song)
    starts = _bar_starts(song, offset)
    bars = tuple(_bar(song, bar, starts, passes[bar.pass_index]) for bar in song.bars)
    return SongContext(song=song, end=starts[-1], passes=passes, bars=bars, chords=_chord_spans(song, starts))


def chord_tones(chord: ir.Chord) -> frozenset[int]:
    """The chord's pitch classes, root and intervals (none under N.C.)."""
    root = chord.root_pc
    return frozenset() if root is None else frozenset((root + i) % 12 for i in chord.intervals)


def opening_meter(song: ir.Song) -> ir.Meter:
    """The meter of bar 1 (the count-in's), or the song's when it has no bars."""
    return song.bars[0].meter if song.bars else song.meter


def register(track: ir.TrackDef, default: tuple[int, int]) -> tuple[int, int]:
    """The (lowest, highest) note `track` may play: its `range` or the role's, moved by `octave`."""
    low, high = track.pitch_range or default
    shift = 12 * track.octave
    return max(0, low + shift), min(127, high + shift)


def quarters_to_ticks(quarters: Fraction) -> int:
    """Ticks in `quarters` quarter notes, rounded to the nearest tick."""
    return round(quarters * PPQ)


def _bar_starts(song: ir.Song, offset: int) -> list[int]:
    """Start tick of every bar, and the end of the song as the last entry."""
    starts = [offset]
    for bar in song.bars:
        starts.append(starts[-1] + quarters_to_ticks(bar.meter.quarters))
    return starts


def _passes(song: ir.Song) -> tuple[PassContext, ...]:
    styles = {style.name: style for style in song.alt_styles}
    result: list[PassContext] = []
    head = head_passes([p.label if p.kind == "section" else None for p in song.passes])
    for index, part in enumerate(song.passes):
        name = part.marks.style or song.style.name
        style = song.style if name == song.style.name else styles.get(name, song.style)
        swing = song.swing if style is song.style else style.swing
        following = song.passes[index + 1].label if index + 1 < len(song.passes) else None
        result.append(PassContext(index, part, style, swing, following, index in head))
    return tuple(result)


def _bar(song: ir.Song, bar: ir.PlayedBar, starts: list[int], part: PassContext) -> BarContext:
    played = part.played
    in_pass = bar.number - played.first_bar
    return BarContext(
        index=bar.number - 1, number=bar.number, start=starts[bar.number - 1], end=starts[bar.number],
        meter=bar.meter, key=bar.key.key, part=part, bar_in_pass=in_pass,
        level=_level(played, in_pass), scale=_scale(played, in_pass), mode=_mode(song, played, in_pass),
        fill=_fill(song, part, in_pass), crash=_crash(song, part.index, in_pass),
        phrase=phrase_of(played.bar_count, in_pass), setup=_setup(song, played, in_pass))


def phrase_of(bars: int, in_pass: int) -> tuple[int, int]:
    """(bar of its phrase, phrase length) for bar `in_pass` of a pass of `bars` bars.

    A player hears a section in phrases of 4 bars, or of 8 when it is 16 bars or more in eights;
    a pass of 3 or 6 bars in phrases of 3; a short odd pass is one phrase, a longer one is cut in
    fours with a shorter last phrase.

    Example:
        >>> [phrase_of(12, n) for n in (0, 3, 4)], phrase_of(16, 9), phrase_of(10, 9)
        ([(0, 4), (3, 4), (0, 4)], (1, 8), (1, 2))
    """
    if bars >= 16 and bars % 8 == 0:
        size = 8
    elif bars % 4 == 0:
        size = 4
    elif bars % 3 == 0:
        size = 3
    else:
        size = bars if bars <= 5 else 4
    start = in_pass - in_pass % size
    return in_pass - start, min(size, bars - start)


def head_passes(labels: list[str | None]) -> frozenset[int]:
    """The passes of the head (by index), given each pass's section label (None: intro, tag, ending).

    The head is the form's first chorus: the shortest run of section passes, from the first,
    holding every section label, that the passes after it play again. A form played once has no
    chorus to repeat: its head is the opening passes up to the first other label (the bridge).

    Example:
        >>> sorted(head_passes([None, "A", "A", "B", "A", "A", "A", "B", "A", None]))
        [1, 2, 3, 4]
        >>> sorted(head_passes([None, "A", "A", "B", "A", None]))
        [1, 2]
    """
    sections = [(i, label) for i, label in enumerate(labels) if label is not None]
    names = [label for _, label in sections]
    for size in range(len(set(names)), len(names) // 2 + 1):
        if set(names[:size]) == set(names) and names[size:2 * size] == names[:size]:
            return frozenset(i for i, _ in sections[:size])
    opening = next(iter(names), None)
    run = len(names) if opening is None else next((k for k, n in enumerate(names) if n != opening), len(names))
    return frozenset(i for i, _ in sections[:run])


def _level(played: ir.Pass, in_pass: int) -> int:
    """Energy level: by dynamic; `drop` is level 1; a build moves up one level in its second half."""
    marks = played.marks
    if marks.drop:
        return 1
    level = DYNAMIC_LEVEL[marks.dynamic or DEFAULT_DYNAMIC]
    if marks.build and in_pass >= played.bar_count // 2:
        level += 1
    return min(level, MAX_LEVEL)


def _scale(played: ir.Pass, in_pass: int) -> tuple[float, float]:
    """Velocity scale at the bar's start and end; a build crescendos to the next dynamic up."""
    dynamic = played.marks.dynamic or DEFAULT_DYNAMIC
    low = DYNAMIC_SCALE[dynamic]
    if not played.marks.build:
        return low, low
    order = list(DYNAMIC_SCALE)
    top = DYNAMIC_SCALE[order[order.index(dynamic) + 1]] if dynamic != "ff" else BUILD_CEILING
    step = (top - low) / played.bar_count
    return low + step * in_pass, low + step * (in_pass + 1)


def _mode(song: ir.Song, played: ir.Pass, in_pass: int) -> str:
    """Which form mark owns the bar: the held final chord, then `break`, then `stop`."""
    from_end = played.bar_count - in_pass
    if played.kind == "ending" and played.first_bar + in_pass == len(song.bars):
        return "final"
    if from_end <= played.marks.break_bars:
        return "break"
    if from_end <= played.marks.stop:
        return "stop"
    return "groove"


def _setup(song: ir.Song, played: ir.Pass, in_pass: int) -> bool:
    """A groove bar whose next bar in the pass is a hit (`stop`) or a `break`."""
    following = in_pass + 1
    return (following < played.bar_count and _mode(song, played, in_pass) == "groove"
            and _mode(song, played, following) in HITS)


def _fill(song: ir.Song, part: PassContext, in_pass: int) -> bool:
    """A fill ends a pass marked `fill`, and any pass followed by one with another label."""
    played = part.played
    if in_pass != played.bar_count - 1:
        return False
    following = song.passes[part.index + 1] if part.index + 1 < len(song.passes) else None
    return played.marks.fill or (following is not None and following.label != played.label)


def _crash(song: ir.Song, index: int, in_pass: int) -> bool:
    """A crash marks the downbeat of every section after the first, a repeat of the one before too:
    a player marks where the form starts again as much as where it turns."""
    return in_pass == 0 and index > 0


def _chord_spans(song: ir.Song, starts: list[int]) -> tuple[ChordSpan, ...]:
    spans: list[ChordSpan] = []
    for bar in song.bars:
        for slot in bar.slots:
            start = starts[bar.number - 1] + quarters_to_ticks(slot.start)
            end = start + quarters_to_ticks(slot.dur)
            if spans and _same(spans[-1].chord, slot.chord):
                spans[-1] = ChordSpan(spans[-1].start, end, spans[-1].chord)
            else:
                spans.append(ChordSpan(start, end, slot.chord))
    return tuple(spans)


def _same(a: ir.Chord, b: ir.Chord) -> bool:
    return (a.symbol, a.root_pc, a.intervals, a.bass_pc) == (b.symbol, b.root_pc, b.intervals, b.bass_pc)
