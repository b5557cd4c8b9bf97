"""mixspec: the resolved sound settings of a song — per-track mix and effects, the reverb bus, the master.

These models are produced by `resolve` from `track`, `mix` and `master` lines and consumed unchanged by
the audio stages (`compiler.audio`). Levels are in dB, pan in percent (-100 = hard left, +100 = hard
right), time-based effect settings in musical units or milliseconds; nothing here depends on a sample rate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EqBand(_Spec):
    """One EQ filter. `kind`: lowcut/highcut (12 dB/oct), lowshelf/highshelf, peak."""

    kind: Literal["lowcut", "highcut", "lowshelf", "highshelf", "peak"]
    freq_hz: float = Field(gt=10, lt=24000)
    gain_db: float = Field(default=0.0, ge=-24, le=24)
    q: float = Field(default=0.707, gt=0.05, le=20)


class Compressor(_Spec):
    """A downward compressor. `ratio` n means n:1."""

    ratio: float = Field(ge=1, le=30)
    threshold_db: float = Field(default=-18.0, ge=-60, le=0)
    attack_ms: float = Field(default=10.0, gt=0, le=500)
    release_ms: float = Field(default=120.0, gt=0, le=5000)


class Chorus(_Spec):
    """Chorus; `mix` 0..1 is the wet share."""

    mix: float = Field(ge=0, le=1)
    rate_hz: float = Field(default=0.8, gt=0, le=10)
    depth: float = Field(default=0.25, ge=0, le=1)


class Delay(_Spec):
    """Tempo-synced echo. `beats` is the echo time in quarter-note beats (1/8 note = 0.5)."""

    beats: float = Field(gt=0, le=8)
    mix: float = Field(ge=0, le=1)
    feedback: float = Field(default=0.3, ge=0, lt=1)


class Distortion(_Spec):
    """Drive in dB into a soft clipper; `mix` 0..1 is the wet share."""

    drive_db: float = Field(ge=0, le=60)
    mix: float = Field(default=1.0, ge=0, le=1)


class TrackSound(_Spec):
    """How one track sounds in the mix.

    `volume_db`: fader gain; `pan`: -100..+100 (constant-power law in the mixer);
    `reverb_send`: 0..1 share sent to the shared reverb bus; `width`: the side (L-R) signal's gain,
    applied before the pan (0 = mono, 1 = as rendered, 2 = twice as wide); `duck_db`: how far the
    track dips at each kick-drum hit (a sidechain from the kick), recovering within the beat;
    `soundfont`: the file this track is rendered with (a name in the song's folder or the system's
    SoundFont folders), None for the default.
    """

    volume_db: float = Field(default=0.0, ge=-60, le=12)
    pan: float = Field(default=0.0, ge=-100, le=100)
    reverb_send: float = Field(default=0.0, ge=0, le=1)
    width: float = Field(default=1.0, ge=0, le=2)
    duck_db: float = Field(default=0.0, ge=0, le=24)
    soundfont: str | None = None
    eq: tuple[EqBand, ...] = ()
    compress: Compressor | None = None
    chorus: Chorus | None = None
    delay: Delay | None = None
    distortion: Distortion | None = None


class ReverbBus(_Spec):
    """The one shared reverb.

    `kind` picks room size and damping. `wet_lu` is how loud the return sits against the dry mix
    (integrated loudness, LU): the mixer sets the return gain to reach it, so a song's reverb is
    heard the same whatever the sends add up to (the sends only share the bus out between tracks).
    `pre_delay_ms` keeps the attack dry before the reflections; `low_cut_hz` filters the bus input
    so the bass and kick stay dry and the low end clear.
    """

    kind: Literal["room", "hall", "plate", "chamber"] = "room"
    wet_lu: float = Field(default=-20.0, ge=-40, le=0)
    pre_delay_ms: float = Field(default=20.0, ge=0, le=200)
    low_cut_hz: float = Field(default=250.0, ge=20, le=2000)


MASTER_PRESETS: dict[str, tuple[float, float]] = {
    # preset: (integrated loudness target in LUFS, true-peak ceiling in dBTP)
    "streaming": (-14.0, -1.0),
    "apple": (-16.0, -1.0),
    "broadcast": (-23.0, -1.0),
}


class MasterSpec(_Spec):
    """The master bus and the file written. Defaults are the `streaming` preset, 24-bit WAV at 44.1 kHz (the streaming and CD rate)."""

    preset: str = "streaming"
    target_lufs: float = Field(default=-14.0, ge=-40, le=-5)
    ceiling_dbtp: float = Field(default=-1.0, ge=-12, le=0)
    format: Literal["wav", "flac"] = "wav"
    bit_depth: Literal[16, 24] = 24
    sample_rate: Literal[44100, 48000] = 44100
