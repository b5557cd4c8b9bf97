"""timeline: the arranged song as flat, sorted events in absolute integer ticks (the `arrange` output).

Everything here is exact: ticks at `PPQ` per quarter note. Seconds exist only through `TempoMap`,
which `midi`, the report and `compiler.audio` share so they can never disagree.
"""

from __future__ import annotations

import bisect
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from .mixspec import MasterSpec, ReverbBus, TrackSound

PPQ = 480


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Note(_Event):
    """One note. `start`/`dur` in ticks; `velocity` 1..127."""

    start: int = Field(ge=0)
    dur: int = Field(gt=0)
    pitch: int = Field(ge=0, le=127)
    velocity: int = Field(ge=1, le=127)


class Control(_Event):
    """A MIDI control change (e.g. 11 expression for swells, 64 sustain pedal)."""

    tick: int = Field(ge=0)
    controller: int = Field(ge=0, le=127)
    value: int = Field(ge=0, le=127)


class Track(_Event):
    """One instrument part. `channel` 0..15 (9 only for drums); `bank` 128 selects a GM drum kit.

    `role` is what the part does in the band: drums, bass, comp, pad, melody (melody and its harmony
    voices), or click (a count-in). `muted` parts are written to MIDI but not rendered to audio.
    """

    name: str
    instrument: str
    program: int = Field(ge=0, le=127)
    bank: int = 0
    channel: int = Field(ge=0, le=15)
    is_drums: bool = False
    role: str = "comp"
    muted: bool = False
    sound: TrackSound = TrackSound()
    notes: tuple[Note, ...] = ()
    controls: tuple[Control, ...] = ()


class TempoPoint(_Event):
    """Tempo from `tick` on, in quarter-note beats per minute (exact; ramps are stepped per beat)."""

    tick: int = Field(ge=0)
    bpm: Fraction


class MeterPoint(_Event):
    tick: int = Field(ge=0)
    numerator: int = Field(ge=1, le=32)
    denominator: int


class KeyPoint(_Event):
    """Key signature from `tick` on: `tonic` spelled (e.g. "Bb"), `mode` major/minor/dorian/…."""

    tick: int = Field(ge=0)
    tonic: str
    mode: str


class Marker(_Event):
    """Start of one section pass: `label` as in the form, `pass_no` counted per label from 1.

    `ending` is the number of the section's ending the pass plays (0: none); it starts at `ending_bar`.
    `dynamic` is the pass's mark, pp … ff.
    """

    tick: int = Field(ge=0)
    label: str
    pass_no: int
    first_bar: int
    last_bar: int
    ending: int = 0
    ending_bar: int = 0
    dynamic: str = "mf"  # the pass's dynamic mark (mf when it has none)


class ChordMark(_Event):
    """A chord change: `symbol` as written (transposed if asked), `root`/`bass` spelled.

    `pitch_classes`: the chord tones (and slash bass); `tension_classes`: the extra pitch classes a
    comping player may add (9/11/13 by quality, altered tones on 7alt). `root` is None for N.C.
    """

    tick: int = Field(ge=0)
    bar: int
    beat: Fraction
    symbol: str
    root: str | None
    bass: str | None = None
    pitch_classes: tuple[int, ...] = ()
    tension_classes: tuple[int, ...] = ()


class Timeline(_Event):
    """The whole arranged song. `end_tick` is where the music (not the reverb tail) ends."""

    ppq: int = PPQ
    title: str = ""
    end_tick: int = Field(ge=0)
    bars: int = 0
    tempos: tuple[TempoPoint, ...]
    meters: tuple[MeterPoint, ...]
    keys: tuple[KeyPoint, ...] = ()
    markers: tuple[Marker, ...] = ()
    chords: tuple[ChordMark, ...] = ()
    tracks: tuple[Track, ...] = ()
    reverb: ReverbBus = ReverbBus()
    master: MasterSpec = MasterSpec()
    seed: int = 0
    lead_in_s: float = Field(default=0.0, ge=0, le=10)  # silence in the audio before tick 0 (not in the MIDI)


def clock(timeline: Timeline) -> TempoMap:
    """The timeline's tick -> seconds in the audio's time: its tempo map, after its lead-in."""
    return TempoMap(timeline.tempos, timeline.ppq, timeline.lead_in_s)


class TempoMap:
    """Tick -> seconds through a piecewise-constant tempo map; the only place seconds are made."""

    def __init__(self, tempos: tuple[TempoPoint, ...], ppq: int = PPQ, start_s: float = 0.0) -> None:
        """`start_s`: the time of tick 0 (a lead-in of silence before the music)."""
        if not tempos or tempos[0].tick != 0:
            raise ValueError("a tempo map needs a tempo at tick 0")
        self._ticks = [t.tick for t in tempos]
        self._spt = [60 / (float(t.bpm) * ppq) for t in tempos]  # seconds per tick
        self._start_s = [start_s]
        for i in range(1, len(tempos)):
            span = self._ticks[i] - self._ticks[i - 1]
            self._start_s.append(self._start_s[-1] + span * self._spt[i - 1])

    def seconds(self, tick: int) -> float:
        i = bisect.bisect_right(self._ticks, tick) - 1
        return self._start_s[i] + (tick - self._ticks[i]) * self._spt[i]
