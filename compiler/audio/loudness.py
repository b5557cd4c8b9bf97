"""loudness: float32 stereo (2, n) -> ITU-R BS.1770-4 / EBU R128 measurements (integrated, short-term, LRA, true peak).

Everything is built on one series: the K-weighted mean square of each 100 ms hop, summed over the two
channels (BS.1770 channel weight 1 for left and right). Gating blocks (400 ms, 75 % overlap) and
short-term windows (3 s, a new one every 100 ms) are sums of consecutive hops, so a 3-minute song is
measured in a few vectorised passes. The K-weighting filters are pyloudnorm's ("DeMan" variant, whose
coefficients reproduce the ITU tables at 48 kHz and match ffmpeg's ebur128 meter; a test holds the
coefficients equal to pyloudnorm's). True peak is the largest absolute value of the signal
oversampled 4× (as BS.1770-4 Annex 2 asks for 44.1/48 kHz) with the 81-tap Kaiser low-pass scipy's
`resample_poly` would design, chunk by chunk on two threads. That filter's phase 0 is its centre tap
alone (the others are below 1e-17), so the oversampled values at the base samples are the samples
times that tap; only phases 1-3 are computed (`dsp.Upsampler`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache

import math

import numpy as np

from compiler.timeline import Timeline, clock

from .dsp import Cascade, Upsampler, kaiser_lowpass
from .render import THREADS

HOPS_PER_SECOND = 10
BLOCK_HOPS = 4  # 400 ms gating block
SHORT_TERM_HOPS = 30  # 3 s short-term window
ABSOLUTE_GATE_LUFS = -70.0
OVERSAMPLING = 4
_HALF_TAPS = 10 * OVERSAMPLING  # as scipy.signal.resample_poly designs it
_UPSAMPLER = Upsampler(kaiser_lowpass(2 * _HALF_TAPS + 1, 1 / OVERSAMPLING, 5.0) * OVERSAMPLING, OVERSAMPLING)
_CENTRE_TAP = np.float32(_UPSAMPLER.centre)
_PAD = _UPSAMPLER.reach  # base samples of real context each side of an oversampled chunk
_PEAK_CHUNK = 1 << 14  # small enough that its temporaries are reused, not page-faulted in afresh
_CHUNK_HOPS = 50

Gain = float | np.ndarray


@cache
def k_weighting(rate: int) -> np.ndarray:
    """The two K-weighting biquads (high shelf, then high pass) as (2, 6) second-order sections.

    Brecht De Man's bilinear designs with the parameters of pyloudnorm's Meter(filter_class="DeMan"):
    at 48 kHz they give the coefficients tabled in BS.1770-4.
    """
    shelf_gain_db, shelf_q, shelf_hz = 3.99984385397, 0.7071752369554193, 1681.9744509555319
    pass_q, pass_hz = 0.5003270373253953, 38.13547087613982
    k = math.tan(math.pi * shelf_hz / rate)
    vh = 10 ** (shelf_gain_db / 20)
    vb = vh ** 0.499666774155
    norm = 1 + k / shelf_q + k * k
    shelf = [(vh + vb * k / shelf_q + k * k) / norm, 2 * (k * k - vh) / norm, (vh - vb * k / shelf_q + k * k) / norm,
             1.0, 2 * (k * k - 1) / norm, (1 - k / shelf_q + k * k) / norm]
    k = math.tan(math.pi * pass_hz / rate)
    norm = 1 + k / pass_q + k * k
    high_pass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / norm, (1 - k / pass_q + k * k) / norm]
    return np.array([shelf, high_pass])


def hop_power(audio: np.ndarray, rate: int, gain: Gain = 1.0) -> np.ndarray:
    """K-weighted mean square per 100 ms hop of `audio × gain`, channels summed; a final partial hop is dropped.

    Args:
        audio: (2, n) float32.
        rate: sample rate; 44100 and 48000 give whole-sample hops.
        gain: a scalar or an (n,) gain curve applied before weighting (how the limiter's result is
            measured without making it).
    """
    with ThreadPoolExecutor(THREADS) as pool:  # one channel per thread: the filter runs through time in order
        left, right = pool.map(lambda channel: _channel_hop_power(audio[channel:channel + 1], rate, gain), (0, 1))
    return left + right


def _channel_hop_power(signal: np.ndarray, rate: int, gain: Gain) -> np.ndarray:
    hop = rate // HOPS_PER_SECOND
    weighting = Cascade(k_weighting(rate))
    powers = []
    for start in range(0, signal.shape[1], hop * _CHUNK_HOPS):
        weighted = weighting(_scaled(signal, start, start + hop * _CHUNK_HOPS, gain))[0]
        whole = len(weighted) // hop * hop
        squares = np.square(weighted[:whole], out=weighted[:whole])
        powers.append(squares.reshape(-1, hop).mean(axis=1, dtype=np.float64))
    return np.concatenate(powers) if powers else np.zeros(0)


def to_lufs(power: np.ndarray | float) -> np.ndarray:
    """BS.1770 loudness of a mean-square power: -0.691 + 10·log10(power); -inf for zero."""
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(power)


def window_power(hops: np.ndarray, length: int) -> np.ndarray:
    """Mean power of every run of `length` consecutive hops (one value per hop step)."""
    if len(hops) < length:
        return np.zeros(0)
    total = np.concatenate([[0.0], np.cumsum(hops)])
    return np.maximum(total[length:] - total[:-length], 0.0) / length


def integrated(hops: np.ndarray) -> float:
    """Gated integrated loudness (BS.1770-4: absolute gate -70 LUFS, relative gate -10 LU)."""
    blocks = window_power(hops, BLOCK_HOPS)
    gated = _gate(blocks, relative_lu=-10.0)
    return float(to_lufs(gated.mean())) if len(gated) else float("-inf")


def short_term(hops: np.ndarray) -> np.ndarray:
    """Short-term loudness (3 s window) every 100 ms; entry i covers hops i .. i+29."""
    return to_lufs(window_power(hops, SHORT_TERM_HOPS))


def loudness_range(hops: np.ndarray) -> float:
    """EBU Tech 3342 LRA: 95th minus 10th percentile of gated short-term loudness (-20 LU relative gate)."""
    gated = _gate(window_power(hops, SHORT_TERM_HOPS), relative_lu=-20.0)
    if len(gated) < 2:
        return float("nan")
    low, high = np.percentile(to_lufs(gated), [10, 95])
    return float(high - low)


def true_peak_envelope(audio: np.ndarray, gain: Gain = 1.0) -> np.ndarray:
    """Per base sample, the largest |value| of the 4× oversampled signal from it up to the next, both channels.

    Returns an (n,) float32 array; its maximum is the true peak (linear).
    """
    envelope = np.empty(audio.shape[1], np.float32)

    def fill(start: int) -> None:
        end = min(start + _PEAK_CHUNK, audio.shape[1])
        envelope[start:end] = _oversampled_peaks(audio, start, end, gain)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(fill, range(0, audio.shape[1], _PEAK_CHUNK)))
    return envelope


def true_peak(audio: np.ndarray, gain: Gain = 1.0) -> float:
    """True peak in dBTP (-inf for silence)."""
    return _db(float(true_peak_envelope(audio, gain).max(initial=0.0)))


def sample_peak(audio: np.ndarray) -> float:
    """Largest |sample| in dBFS (-inf for silence)."""
    step = 1 << 18
    return _db(max((float(np.abs(audio[:, i:i + step]).max()) for i in range(0, audio.shape[1], step)),
                   default=0.0))


def envelope(audio: np.ndarray, hops: np.ndarray, rate: int) -> dict:
    """The master's outline, per 100 ms hop, for the report page's waveform and loudness curve.

    Args:
        audio: the finished master, (2, n) float32.
        hops: its loudness per hop (`hop_power` of `audio`).
        rate: sample rate.

    Returns:
        `hop_s` (0.1); `peak`: the largest |sample| of each hop, both channels, linear (3 decimals);
        `short_term_lufs`: the short-term (3 s) loudness of the window ending with each hop, to
        0.1 LU, null for the first 29 hops (no full window yet) and for silence. Both lists have one
        value per whole hop of `audio`.
    """
    hop = rate // HOPS_PER_SECOND
    count = audio.shape[1] // hop
    peaks = np.zeros(count, np.float32)
    step = hop * _CHUNK_HOPS
    for start in range(0, count * hop, step):
        chunk = np.abs(audio[:, start:min(start + step, count * hop)])
        peaks[start // hop:start // hop + chunk.shape[1] // hop] = chunk.reshape(2, -1, hop).max(axis=(0, 2))
    loudness = np.full(count, -np.inf)
    loudness[SHORT_TERM_HOPS - 1:len(hops)] = short_term(hops[:count])
    return {"hop_s": 1 / HOPS_PER_SECOND, "peak": [round(float(p), 3) for p in peaks],
            "short_term_lufs": [finite_or_none(float(v), 1) for v in loudness]}


def section_loudness(timeline: Timeline, audio: np.ndarray, rate: int) -> list[dict]:
    """Loudness of each section pass of `audio` (the pre-master mix), one entry per timeline marker.

    `short_term_median_lufs` is the median of the 3 s short-term loudness values whose window lies
    wholly inside the section (start_s .. end_s); a section shorter than one window is measured as a
    single block over its whole length. None means silence.
    """
    return sections_from_hops(timeline, hop_power(audio, rate))


def sections_from_hops(timeline: Timeline, hops: np.ndarray) -> list[dict]:
    """`section_loudness` from an already computed hop-power series."""
    tempo = clock(timeline)
    markers = sorted(timeline.markers, key=lambda m: m.tick)
    ends = [m.tick for m in markers[1:]] + [timeline.end_tick]
    return [_section(m.label, m.pass_no, tempo.seconds(m.tick), tempo.seconds(end), hops)
            for m, end in zip(markers, ends)]


def _section(label: str, pass_no: int, start_s: float, end_s: float, hops: np.ndarray) -> dict:
    return {"label": label, "pass_no": pass_no, "start_s": round(start_s, 3), "end_s": round(end_s, 3),
            "short_term_median_lufs": finite_or_none(section_median(hops, start_s, end_s))}


def section_median(hops: np.ndarray, start_s: float, end_s: float) -> float:
    """Median short-term loudness of the windows wholly inside start_s .. end_s (a span shorter
    than one window: its mean loudness); -inf for silence."""
    first = int(np.ceil(start_s * HOPS_PER_SECOND - 1e-9))
    stop = min(int(np.floor(end_s * HOPS_PER_SECOND + 1e-9)), len(hops))
    inside = hops[first:stop]
    if len(inside) >= SHORT_TERM_HOPS:
        return float(np.median(short_term(inside)))
    return float(to_lufs(inside.mean())) if len(inside) else float("-inf")


def finite_or_none(value: float, digits: int = 2) -> float | None:
    """Round a measurement for a report; -inf/NaN (silence) become None, which JSON can hold."""
    return round(value, digits) if np.isfinite(value) else None


def _gate(powers: np.ndarray, relative_lu: float) -> np.ndarray:
    loud = powers[to_lufs(powers) > ABSOLUTE_GATE_LUFS]
    if not len(loud):
        return loud
    threshold = to_lufs(loud.mean()) + relative_lu
    return loud[to_lufs(loud) > threshold]


def _oversampled_peaks(audio: np.ndarray, start: int, end: int, gain: Gain) -> np.ndarray:
    # The chunk gets _PAD neighbours on each side (zeros beyond the signal's ends, as a filter run over
    # the whole signal would see), so chunk edges neither create nor hide peaks.
    lo, hi = max(start - _PAD, 0), min(end + _PAD, audio.shape[1])
    scaled = np.zeros((2, end - start + 2 * _PAD), np.float32)
    scaled[:, lo - (start - _PAD):hi - (start - _PAD)] = _scaled(audio, lo, hi, gain)
    between = np.abs(_UPSAMPLER.between(scaled))
    on = np.abs(scaled[:, _PAD:-_PAD])
    on *= _CENTRE_TAP
    # Elementwise maxima of the four phases and two channels: far faster than reductions along short axes.
    peaks = np.maximum(on[0], on[1])
    for phase in range(OVERSAMPLING - 1):
        np.maximum(peaks, np.maximum(between[0, phase], between[1, phase]), out=peaks)
    return peaks


def _scaled(audio: np.ndarray, start: int, end: int, gain: Gain) -> np.ndarray:
    """float32 audio[:, start:end] × gain: the product the master's `_apply` makes, so measured as played."""
    return audio[:, start:end] * (gain[start:end] if isinstance(gain, np.ndarray) else np.float32(gain))


def _db(linear: float) -> float:
    return 20 * float(np.log10(linear)) if linear > 0 else float("-inf")
