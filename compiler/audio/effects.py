"""effects: mixspec.TrackSound + track role -> a stateful chain run chunk by chunk over float32 (2, k) audio.

Order: EQ bands (as written) -> compressor -> distortion -> chorus -> delay. Only what the spec asks for
is added, with one exception: a track without EQ gets a protective low cut by role (35 Hz on bass, 100 Hz
on comp/pad/melody) so the bottom octave stays with the bass and the kick. Low and high cuts are
12 dB/octave RBJ biquads honouring the band's Q, as mixspec defines them (pedalboard's Highpass/Lowpass
filters are 6 dB/octave with no Q); shelves, peaks and the effects are pedalboard (GPL-3, like us).
Every stage keeps its state between chunks, so a chunked run equals a whole-signal run.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pedalboard

from compiler.mixspec import Delay, Distortion, EqBand, TrackSound

from .dsp import Cascade

ROLE_LOW_CUT_HZ = {"bass": 35.0, "comp": 100.0, "pad": 100.0, "melody": 100.0}
CHORUS_CENTRE_DELAY_MS = 7.0
_ECHO_FLOOR = 1e-3  # a delay has rung out when its echoes are 60 dB down

Stage = Callable[[np.ndarray], np.ndarray]


class Chain:
    """A track's effects as one callable: (2, k) float32 in, (2, k) float32 out, state kept across calls."""

    def __init__(self, stages: list[Stage]) -> None:
        self.stages = stages

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        for stage in self.stages:
            chunk = stage(chunk)
        return chunk


def track_chain(sound: TrackSound, role: str, rate: int, bpm: float) -> Chain:
    """Build the chain for one track. `bpm` is the song's starting tempo (delays are tempo-synced to it)."""
    stages: list[Stage] = [band_stage(band, rate) for band in eq_bands(sound, role)]
    if (c := sound.compress) is not None:
        stages.append(_pedals(pedalboard.Compressor(threshold_db=c.threshold_db, ratio=c.ratio,
                                                    attack_ms=c.attack_ms, release_ms=c.release_ms), rate))
    if sound.distortion is not None:
        stages.append(_distortion(sound.distortion, rate))
    if (ch := sound.chorus) is not None:
        stages.append(_pedals(pedalboard.Chorus(rate_hz=ch.rate_hz, depth=ch.depth, mix=ch.mix, feedback=0.0,
                                                centre_delay_ms=CHORUS_CENTRE_DELAY_MS), rate))
    if (d := sound.delay) is not None:
        stages.append(_pedals(pedalboard.Delay(delay_seconds=delay_seconds(d, bpm), feedback=d.feedback,
                                               mix=d.mix), rate))
    return Chain(stages)


def eq_bands(sound: TrackSound, role: str) -> tuple[EqBand, ...]:
    """The spec's EQ, or the role's protective low cut when the spec has none."""
    if sound.eq or role not in ROLE_LOW_CUT_HZ:
        return sound.eq
    return (EqBand(kind="lowcut", freq_hz=ROLE_LOW_CUT_HZ[role]),)


def band_stage(band: EqBand, rate: int) -> Stage:
    """One EQ band as a stage: a biquad for cuts, pedalboard for shelves and peaks."""
    if band.kind in ("lowcut", "highcut"):
        return Biquad(band.kind, band.freq_hz, band.q, rate)
    kind = {"lowshelf": pedalboard.LowShelfFilter, "highshelf": pedalboard.HighShelfFilter,
            "peak": pedalboard.PeakFilter}[band.kind]
    return _pedals(kind(cutoff_frequency_hz=min(band.freq_hz, 0.45 * rate), gain_db=band.gain_db, q=band.q), rate)


def delay_seconds(delay: Delay, bpm: float) -> float:
    """Echo time: `beats` quarter notes at `bpm`."""
    return delay.beats * 60.0 / bpm


def ring_out_seconds(sound: TrackSound, bpm: float) -> float:
    """How long the track's effects keep sounding after its input stops (the delay's echoes, -60 dB)."""
    if sound.delay is None or sound.delay.mix == 0:
        return 0.0
    echoes = 1 if sound.delay.feedback == 0 else math.ceil(math.log(_ECHO_FLOOR) / math.log(sound.delay.feedback))
    return echoes * delay_seconds(sound.delay, bpm)


class Biquad:
    """RBJ-cookbook 2nd-order high-pass ("lowcut") or low-pass ("highcut"), 12 dB/octave, on both channels."""

    def __init__(self, kind: str, freq_hz: float, q: float, rate: int) -> None:
        w0 = 2 * math.pi * min(freq_hz, 0.45 * rate) / rate
        alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
        sign = 1 if kind == "lowcut" else -1
        b = np.array([(1 + sign * cos) / 2, -sign * (1 + sign * cos), (1 + sign * cos) / 2])
        a = np.array([1 + alpha, -2 * cos, 1 - alpha])
        # dsp.Cascade keeps the recursion in double precision: at 25-100 Hz the poles sit so close to
        # z = 1 that a float32 recursion would leave an error only about 70 dB below the signal.
        self.sections = np.concatenate([b, a])[None, :] / a[0]
        self._cascade = Cascade(self.sections)

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        return self._cascade(chunk)


def _pedals(plugin: pedalboard.Plugin, rate: int) -> Stage:
    # reset=False: the plugin continues from the previous chunk (delay lines, envelopes).
    return lambda chunk: plugin(chunk, rate, reset=False)


def _distortion(spec: Distortion, rate: int) -> Stage:
    drive = _pedals(pedalboard.Distortion(drive_db=spec.drive_db), rate)
    if spec.mix == 1:
        return drive
    return lambda chunk: (1 - spec.mix) * chunk + spec.mix * drive(chunk)
