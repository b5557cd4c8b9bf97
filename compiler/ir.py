"""ir: the resolved song (resolve output): every name bound, every chord parsed, the form flattened.

Time is exact: `Fraction` quarter-note beats (a 4/4 bar is 4, a 6/8 bar is 3). No seconds here.
`span` points back at the source text and is left out of dumps and equality-by-dump.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import core_schema

from .mixspec import MasterSpec, ReverbBus, TrackSound
from .pitch import Key, cached_key
from .source import Span

Dynamic = Literal["pp", "p", "mp", "mf", "f", "ff"]
DYNAMICS: tuple[str, ...] = ("pp", "p", "mp", "mf", "f", "ff")
Role = Literal["drums", "bass", "comp", "pad", "melody"]
ROLES: tuple[str, ...] = ("drums", "bass", "comp", "pad", "melody")


class _Unchecked:
    """Marks a field pydantic neither validates nor serializes: spans are built by our own code and
    left out of every dump, and describing the `Span` dataclass to pydantic cost ~0.5 ms per class at import."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.any_schema()


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    span: Annotated[Span | None, _Unchecked] = Field(default=None, exclude=True, repr=False)


class Meter(Node):
    """A time signature. `quarters`: bar length in quarter-note beats."""

    num: int = Field(ge=1, le=32)
    den: Literal[2, 4, 8, 16]

    @property
    def quarters(self) -> Fraction:
        return Fraction(self.num * 4, self.den)

    def __str__(self) -> str:
        return f"{self.num}/{self.den}"


class KeySig(Node):
    """A key: `tonic` spelled ("Bb"), `mode` a name from `pitch.MODES`."""

    tonic: str
    mode: str

    @property
    def key(self) -> Key:
        """The `pitch.Key` for spelling and scale degrees."""
        return cached_key(self.tonic, self.mode)


class Chord(Node):
    """A parsed chord. `root` None is N.C.; `intervals`/`tensions` are semitones above the root (0..23)."""

    symbol: str
    root: str | None
    root_pc: int | None = None
    quality: str = ""
    intervals: tuple[int, ...] = ()
    tensions: tuple[int, ...] = ()
    bass: str | None = None
    bass_pc: int | None = None

    @property
    def name(self) -> str:
        """The chord spelled out with letters: `ii7` in F major is "Gm7"; N.C. stays "N.C."."""
        if self.root is None:
            return "N.C."
        return f"{self.root}{self.quality}" + (f"/{self.bass}" if self.bass else "")


class ChordSlot(Node):
    """A chord held from `start` for `dur` quarter beats inside its bar."""

    start: Fraction
    dur: Fraction
    chord: Chord


class Bar(Node):
    meter: Meter
    slots: tuple[ChordSlot, ...]


class Ending(Node):
    number: int
    bars: tuple[Bar, ...]


class SectionDef(Node):
    """A labelled chart. `endings` are alternatives appended after `bars` (1..k)."""

    label: str
    meter: Meter
    key: KeySig
    bars: tuple[Bar, ...]
    endings: tuple[Ending, ...] = ()


class Marks(Node):
    """What the `arrange` block says about one section pass.

    `dynamic` scales velocity and picks the style's energy level; `stop` is the number of final
    bars played as band hits; `break_bars` the number of final bars where only the lead plays;
    `tempo` sets the tempo from this pass on, `ramp` moves it gradually to a target over the pass;
    `transpose` shifts this pass in semitones, `key` moves it to another key; `tacet`/`only` silence tracks for this pass.
    `two_feel`: the bass plays its pattern's first level (the half-note two-feel of a walking style).
    """

    dynamic: Dynamic | None = None
    build: bool = False
    drop: bool = False
    fill: bool = False
    two_feel: bool = False
    stop: int = 0
    break_bars: int = 0
    style: str | None = None
    tempo: Fraction | None = None
    ramp: Fraction | None = None
    transpose: int = 0
    key: KeySig | None = None
    tacet: tuple[str, ...] = ()
    only: tuple[str, ...] = ()


class Pass(Node):
    """One pass through a section in the played form. Bars are `first_bar`..`first_bar+bar_count-1`.

    `transpose`: semitones the pass sounds away from how it is written (practice transposition,
    `transpose` and `key` marks together); melodies written over it move the same way.
    `ending`: the number of the section's ending this pass plays (0: none), which fills its last
    `ending_bars` bars.
    """

    label: str
    pass_no: int
    kind: Literal["section", "intro", "ending", "tag", "vamp"] = "section"
    first_bar: int
    bar_count: int
    ending: int = 0
    ending_bars: int = 0
    transpose: int = 0
    marks: Marks = Marks()


class PlayedBar(Node):
    """One bar of the performance, in order. `number` counts from 1; chords already transposed."""

    number: int
    pass_index: int
    meter: Meter
    key: KeySig
    slots: tuple[ChordSlot, ...]
    tempo: Fraction
    tempo_end: Fraction


class Lane(Node):
    """One grid lane: `steps[b]` is bar b of the lane, one character per step."""

    name: str
    steps: tuple[str, ...]


Placement = Literal["phrase-start", "phrase-end", "section-start", "section-end", "change", "held",
                    "before-change", "after-hit", "before-hit"]
PLACEMENTS: tuple[str, ...] = ("phrase-start", "phrase-end", "section-start", "section-end", "change", "held",
                               "before-change", "after-hit", "before-hit")


class Variation(Node):
    """One alternative of a pattern part (`vary NAME …` block).

    Attributes:
        name: Its name, unique in its part.
        lanes: Lanes replacing the part's lanes of the same name; other names are added.
        bars: Its length: 1, or a phrase of 2, 4 or 8 bars (every lane has that many bars).
        weight: Its share among the alternatives allowed in a bar (draws, not bars).
        at: Where it may be played; every placement must hold (none: anywhere).
        every: It may be played only where it ends a run of `every` bars counted from the start of
            the pass (None: no such limit).
    """

    name: str
    lanes: tuple[Lane, ...]
    bars: int = 1
    weight: int = 1
    at: tuple[Placement, ...] = ()
    every: int | None = None


class PatternPart(Node):
    """The lanes of one level (or the fill), and the alternatives the arranger may draw instead.

    `weight` is the plain lanes' own share among the variations (0: they are only the base the
    variations change).
    """

    lanes: tuple[Lane, ...]
    variations: tuple[Variation, ...] = ()
    weight: int = 1


class Build(Node):
    """A `build before chorus drop` block: the bars a part plays into a section with one of those
    labels (none: into every new section), in place of its last `bars` bars of groove and fill.

    Attributes:
        before: The section labels it builds into.
        part: Its lanes (each `bars` bars long) and variations.
        bars: 1, 2 or 4: the build's last bar is the last bar before the section.
    """

    before: tuple[str, ...]
    part: PatternPart
    bars: int = 1


class PatternDef(Node):
    """A style pattern for one role. `levels[0..2]` are energy 1..3 (None = fall back to a lower one).

    `two_feel_head`: (bass) the pattern plays its level 1, the two-feel, through the head
    (`two-feel head`: the form's first chorus) and its levels after.
    `ostinato`: the style says its bar rhythm is the genre (a reggae skank) and it plays at least
    this many distinct bar rhythms per 32 bars, for `ostinato_reason`; None for a varied part.
    """

    name: str
    role: Role
    levels: tuple[PatternPart | None, PatternPart | None, PatternPart | None]
    fill: PatternPart | None = None
    build: Build | None = None
    two_feel_head: bool = False
    swing: Fraction | None = None
    ostinato: int | None = None
    ostinato_reason: str = ""


class Harmony(Node):
    """A harmony voice: diatonic `interval` (3 or 6) `above` or below the melody, in the key."""

    interval: Literal[3, 6]
    above: bool = False


class TrackDef(Node):
    """One band member. `pitch_range` is the (lowest, highest) MIDI note it may play."""

    name: str
    instrument: str
    program: int
    bank: int = 0
    is_drums: bool = False
    role: Role
    pattern: str | None = None
    melody: str | None = None
    harmony: Harmony | None = None
    voicing: str | None = None
    octave: int = 0
    pitch_range: tuple[int, int] | None = None
    humanize: Fraction | None = None
    timing_ms: Fraction | None = None
    muted: bool = False
    solo: bool = False
    sound: TrackSound = TrackSound()


class MeterAdapt(Node):
    """A style's `adapt 6/4 as 4+2`: in bars of `meter` its 4/4 lanes are re-cut in these groups of
    beats (`arrange.meter`)."""

    meter: Meter
    groups: tuple[int, ...]


class StyleDef(Node):
    name: str
    description: str
    meter: Meter
    tempo: Fraction
    swing: Fraction
    swing_by_tempo: bool = False  # `swing auto`: a song in the style swings by its tempo (`swing` is at the style's)
    tracks: tuple[TrackDef, ...]
    patterns: tuple[PatternDef, ...]
    intro: SectionDef | None = None
    ending: SectionDef | None = None
    origin: str = ""
    reverb: ReverbBus = ReverbBus()  # the style's shared reverb: a song's `mix` reverb line changes it
    adapt: tuple[MeterAdapt, ...] = ()  # how its 4/4 lanes are grouped in bars of other meters

    def grouping_in(self, meter: Meter) -> tuple[int, ...] | None:
        """The groups its `adapt` line gives bars of `meter`, or None (the default grouping)."""
        return next((a.groups for a in self.adapt if (a.meter.num, a.meter.den) == (meter.num, meter.den)), None)


class MelodyNote(Node):
    """`pitch` None is a rest. `start` in quarter beats from the melody's first bar."""

    pitch: int | None = Field(default=None, ge=0, le=127)
    start: Fraction
    dur: Fraction


class MelodyDef(Node):
    """A melody line; `section` set when it is written over one section (then it plays every pass)."""

    name: str
    section: str | None = None
    notes: tuple[MelodyNote, ...]
    length: Fraction


class Song(Node):
    """The whole resolved song. `alt_styles` are styles switched to by `arrange`; `patterns` are the
    song's own patterns (they take precedence over the style's)."""

    title: str
    composer: str = ""
    path: str = ""
    tempo: Fraction
    key: KeySig
    meter: Meter
    swing: Fraction
    seed: int = 0
    humanize: Fraction = Fraction(1, 2)
    soundfont: str | None = None
    style: StyleDef
    alt_styles: tuple[StyleDef, ...] = ()
    patterns: tuple[PatternDef, ...] = ()
    sections: tuple[SectionDef, ...]
    passes: tuple[Pass, ...]
    bars: tuple[PlayedBar, ...]
    tracks: tuple[TrackDef, ...]
    melodies: tuple[MelodyDef, ...] = ()
    reverb: ReverbBus = ReverbBus()
    master: MasterSpec = MasterSpec()
