"""master: pre-master mix, float32 (2, n) + mixspec.MasterSpec -> the mastered mix (in place) and its report.

Two steps: `prepare` (what depends on the mix alone, cacheable) and `finish` (what the master spec sets).

Chain: a 25 Hz low cut (12 dB/octave, below any instrument) -> glue compression (2:1, 30 ms attack,
250 ms release, threshold 6 dB above the mix's integrated loudness, so only the loudest moments move) ->
gain to the loudness target -> true-peak limiter.

The limiter works on a gain curve computed once for the whole song with vectorised numpy/scipy:
1. the true-peak envelope of the input (4× oversampled, per base sample; scaled, not recomputed, when
   the gain changes);
2. the gain each sample needs to stay under the ceiling minus a 0.3 dB margin;
3. a running minimum of that over [n - 10 ms hold, n + 3 ms look-ahead];
4. release: the gain may rise at most 100 dB/s, e.g. 6 dB in 60 ms (a running minimum with a slope,
   via a cumulative minimum);
5. two 1.5 ms trailing averages, a smooth 3 ms attack that still reaches each needed value in time (both
   averaging windows lie inside the look-ahead, so every averaged value is itself low enough).
Limiting lowers the loudness, so the pre-limiter gain is raised by the shortfall (scaled by how much
the previous raise achieved) and the curve made again, up to five passes, until the result is within
0.2 LU of the target. The last step measures the output's true peak and, should interpolation still
put it over the ceiling, lowers the whole master by the excess.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pedalboard
import scipy.ndimage

from compiler.mixspec import MasterSpec

from . import loudness
from .effects import Biquad

LOW_CUT_HZ = 25.0
GLUE_RATIO, GLUE_ATTACK_MS, GLUE_RELEASE_MS, GLUE_ABOVE_DB = 2.0, 30.0, 250.0, 6.0
MARGIN_DB = 0.3
LOOKAHEAD_S, HOLD_S, RELEASE_DB_PER_S = 0.003, 0.010, 100.0
TOLERANCE_LU, MAX_PASSES, MAX_EXTRA_GAIN_DB = 0.2, 5, 12.0
_CHUNK = 1 << 16
_SEGMENT = 1 << 16


@dataclass
class Prepared:
    """The master bus up to the loudness target: all of it depends on the mix alone (so it can be cached).

    `audio`: (2, n) float32 with the low cut and glue applied; `envelope`: its true-peak envelope, (n,);
    `premaster_lufs`/`toned_lufs`: integrated loudness before and after the low cut and glue.
    """

    audio: np.ndarray
    envelope: np.ndarray
    premaster_lufs: float
    toned_lufs: float


def prepare(audio: np.ndarray, rate: int, premaster_lufs: float) -> Prepared:
    """Low cut and glue `audio` in place (the glue threshold follows `premaster_lufs`) and measure it."""
    if not math.isfinite(premaster_lufs):  # silence: nothing to shape
        return Prepared(audio, np.zeros(audio.shape[1], np.float32), premaster_lufs, premaster_lufs)
    _tone(audio, rate, premaster_lufs + GLUE_ABOVE_DB)
    toned = loudness.integrated(loudness.hop_power(audio, rate))
    return Prepared(audio, loudness.true_peak_envelope(audio), premaster_lufs, toned)


def finish(prepared: Prepared, spec: MasterSpec, before_change: Callable[[], object] = lambda: None) -> dict:
    """Bring `prepared.audio` (in place) to the loudness target under the true-peak ceiling; return the report.

    `before_change` is called once the gain curve is known, just before the audio is first changed.
    """
    audio, rate = prepared.audio, spec.sample_rate
    if not math.isfinite(prepared.toned_lufs):  # silence: nothing to normalise or limit
        before_change()
        return _report(audio, spec, loudness.hop_power(audio, rate), prepared.premaster_lufs, 0.0, 0.0, 0)
    gain_db = normalising = spec.target_lufs - prepared.toned_lufs
    previous: tuple[float, float] | None = None
    for passes in range(1, MAX_PASSES + 1):
        curve = limiter_gain(prepared.envelope, gain_db, spec.ceiling_dbtp - MARGIN_DB, rate)
        hops = loudness.hop_power(audio, rate, curve)  # the master's own loudness, once the curve is applied
        achieved = loudness.integrated(hops)
        if abs(achieved - spec.target_lufs) <= TOLERANCE_LU or passes == MAX_PASSES:
            break
        step = _next_gain_step(spec.target_lufs - achieved, (gain_db, achieved), previous)
        # Past 12 dB more than plain normalisation the limiter is only flattening: a target this
        # signal cannot reach is missed (and reported) rather than chased up the noise floor.
        raised = min(gain_db + step, normalising + MAX_EXTRA_GAIN_DB)
        if raised == gain_db:
            break
        previous, gain_db = (gain_db, achieved), raised
    reduction = gain_db - 20 * math.log10(float(curve.min()))
    before_change()
    _apply(audio, curve)
    return _report(audio, spec, hops, prepared.premaster_lufs, gain_db, max(reduction, 0.0), passes)


def _next_gain_step(shortfall: float, current: tuple[float, float], previous: tuple[float, float] | None) -> float:
    """How much to raise the make-up gain: the shortfall, divided by how much loudness the last raise bought.

    Under heavy limiting 1 dB more gain yields well under 1 LU more loudness; the secant slope from the
    last two passes (kept within 0.25..1) corrects for that, so the target is met in a few passes.
    """
    if previous is None or current[0] == previous[0]:
        return shortfall
    slope = (current[1] - previous[1]) / (current[0] - previous[0])
    return shortfall / min(max(slope, 0.25), 1.0)


def limiter_gain(envelope: np.ndarray, gain_db: float, ceiling_db: float, rate: int) -> np.ndarray:
    """The total linear gain per sample (the make-up gain `gain_db` times the limiter's reduction).

    Guarantees gain[n] × envelope[n] ≤ ceiling for every n (up to float rounding). Made in segments
    that fit the CPU cache, each with the context its windows need, so no full-length temporaries exist.
    """
    lookahead, hold = round(LOOKAHEAD_S * rate), round(HOLD_S * rate)
    smooth = lookahead // 2
    curve = np.empty(len(envelope), np.float32)
    carry, history = np.float32(0), None
    for start in range(0, len(envelope), _SEGMENT):
        end = min(start + _SEGMENT, len(envelope))
        released = _release(_held_need(envelope, start, end, ceiling_db - gain_db, hold, lookahead),
                            np.float32(RELEASE_DB_PER_S / rate), carry)
        carry = released[-1]
        if history is None:  # before the song, the first value holds
            history = np.full(2 * smooth, released[0], np.float32)
        extended = np.concatenate([history, released])
        history = extended[-2 * smooth:]
        curve[start:end] = _trailing_mean(_trailing_mean(extended, smooth), smooth)[2:]
    curve += np.float32(gain_db)
    curve *= np.float32(math.log(10) / 20)
    return np.exp(curve, out=curve)


def _held_need(envelope: np.ndarray, start: int, end: int, headroom_db: float, hold: int,
               lookahead: int) -> np.ndarray:
    """Reduction (dB, ≤ 0) needed at each of [start, end), minimised over [n - hold, n + lookahead - 1]."""
    lo, hi = max(start - hold, 0), min(end + lookahead - 1, len(envelope))
    need = np.log10(np.maximum(envelope[lo:hi], np.float32(1e-9)))
    need *= np.float32(-20)
    need += np.float32(headroom_db)
    np.minimum(need, np.float32(0), out=need)
    size = hold + lookahead
    # scipy centres a window of `size` at size // 2; origin shifts it to start `hold` samples back.
    held = scipy.ndimage.minimum_filter1d(need, size, origin=hold - size // 2, mode="nearest")
    return held[start - lo:end - lo]


def _release(need_db: np.ndarray, slope: np.float32, carry: np.float32) -> np.ndarray:
    """out[n] = min(carry + slope·(n + 1), min over k ≤ n of need[k] + slope·(n - k)).

    The gain recovers at `slope` dB per sample: a cumulative minimum of need[k] - slope·k, with the
    value before the segment carried in. Segments are short, so the ramp stays float32-exact to 1e-5 dB.
    """
    ramp = slope * np.arange(len(need_db), dtype=np.float32)
    lowest = np.minimum.accumulate(need_db - ramp)
    lowest += ramp
    return np.minimum(lowest, carry + slope + ramp)


def _trailing_mean(values: np.ndarray, length: int) -> np.ndarray:
    """Means of values[j .. j + length - 1] for every j (len(values) - length + 1 of them), float32."""
    total = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    return ((total[length:] - total[:-length]) / length).astype(np.float32)


def _tone(audio: np.ndarray, rate: int, threshold_db: float) -> None:
    low_cut = Biquad("lowcut", LOW_CUT_HZ, 0.707, rate)
    glue = pedalboard.Compressor(threshold_db=threshold_db, ratio=GLUE_RATIO, attack_ms=GLUE_ATTACK_MS,
                                 release_ms=GLUE_RELEASE_MS)
    starts = range(0, audio.shape[1], _CHUNK)
    # Each stage runs through time in order, but the two need not wait for each other: the next
    # chunk's low cut runs on a second thread while this chunk is glued (both release the GIL).
    with ThreadPoolExecutor(1, thread_name_prefix="low-cut") as pool:
        cuts = [pool.submit(low_cut, audio[:, start:start + _CHUNK]) for start in starts[:1]]
        for start in starts:
            if start + _CHUNK < audio.shape[1]:
                cuts.append(pool.submit(low_cut, audio[:, start + _CHUNK:start + 2 * _CHUNK]))
            audio[:, start:start + _CHUNK] = glue(cuts.pop(0).result(), rate, reset=False)


def _apply(audio: np.ndarray, curve: np.ndarray) -> None:
    for start in range(0, audio.shape[1], _CHUNK):
        audio[:, start:start + _CHUNK] *= curve[start:start + _CHUNK]


def _within_ceiling(audio: np.ndarray, ceiling_db: float) -> tuple[float, float]:
    """Measure the true peak; should interpolation still overshoot the ceiling, lower everything by the excess.

    Returns the true peak of the result (a static gain moves it by exactly that gain) and the gain
    applied in dB (0 or negative).
    """
    peak = loudness.true_peak(audio)
    excess = peak - ceiling_db
    if excess <= 0:
        return peak, 0.0
    audio *= np.float32(10 ** (-(excess + 0.05) / 20))
    return peak - (excess + 0.05), -(excess + 0.05)


def _report(audio: np.ndarray, spec: MasterSpec, hops: np.ndarray, premaster_lufs: float, gain_db: float,
            reduction_db: float, passes: int) -> dict:
    """Guard the ceiling, then report the finished master.

    `hops` is the master's loudness per hop as the limiter's last pass measured it; a static gain
    from the guard scales it exactly, so the audio is not filtered once more.
    """
    true_peak, lowered_db = _within_ceiling(audio, spec.ceiling_dbtp)
    hops = hops * 10 ** (lowered_db / 10)
    value = loudness.finite_or_none
    return {
        "preset": spec.preset, "format": spec.format, "bit_depth": spec.bit_depth,
        "sample_rate": spec.sample_rate, "samples": audio.shape[1],
        "duration_s": round(audio.shape[1] / spec.sample_rate, 3),
        "target_lufs": spec.target_lufs, "ceiling_dbtp": spec.ceiling_dbtp,
        "integrated_lufs": value(loudness.integrated(hops)), "true_peak_dbtp": value(true_peak),
        "sample_peak_dbfs": value(loudness.sample_peak(audio)),
        "loudness_range_lu": value(loudness.loudness_range(hops)),
        "premaster_integrated_lufs": value(premaster_lufs), "gain_db": round(gain_db, 2),
        "max_limiter_reduction_db": round(reduction_db, 2), "limiter_passes": passes,
    }
