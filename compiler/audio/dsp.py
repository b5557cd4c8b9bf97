"""dsp: the filters the mix, master and meter share: IIR cascades, the true-peak upsampler, a running minimum.

numpy alone. scipy.signal has all three, but importing it costs 0.6-1.2 s (it parses every docstring
at import), which was a tenth of a cold build and a third of a rebuild that changes only the master.
Each function here is checked against its scipy counterpart in tests/test_audio_dsp.py.

IIR filters run as block state-space filters: the signal is cut into blocks of `BLOCK` samples, and
within a block the output is a matrix product (the impulse response as a Toeplitz matrix, plus the
state's free response), so the per-sample work is BLAS, not a Python or C loop. Only the state from
block to block is a recurrence, which `_scan` solves the same way one level up, in float64 and in
transposed direct form II state coordinates (see `Cascade` for the precision).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

BLOCK = 32  # samples per block: larger blocks cost more multiply-adds per sample, smaller ones more overhead
_GROUP = 16  # blocks per group when solving the block-to-block recurrence
_DIRECT = 32  # a recurrence this short is stepped through directly


class Cascade:
    """Second-order sections in series, run over (channels, n) signals; state is kept between calls.

    `sections` is (k, 6), each row [b0 b1 b2 a0 a1 a2] as scipy's `sosfilt` takes them. Calling the
    cascade on consecutive chunks gives the same output as calling it once on the whole signal.

    Precision: the state, which feeds back from block to block, is float64; the products that make a
    block's output from its input and its starting state are float32, as fast again as float64 ones.
    Their rounding does not feed back, so the output stays within 1e-5 of the signal's peak of a
    float64 run (about -100 dB; tests hold it to scipy's float64 `sosfilt`).
    """

    def __init__(self, sections: np.ndarray) -> None:
        a_mat, b_vec, c_vec, d = _state_space(np.asarray(sections, np.float64))
        powers = [np.eye(len(b_vec))]
        for _ in range(BLOCK):
            powers.append(a_mat @ powers[-1])
        self._powers, self._b = powers, b_vec
        impulse = np.array([d] + [c_vec @ powers[i] @ b_vec for i in range(BLOCK - 1)])
        lags = np.arange(BLOCK)[None, :] - np.arange(BLOCK)[:, None]  # output index minus input index
        # inputs @ toeplitz = the block's response from a zero state; state @ free = its free response.
        self._toeplitz = np.where(lags >= 0, impulse[np.clip(lags, 0, None)], 0.0).astype(np.float32)
        self._free = np.stack([powers[i].T @ c_vec for i in range(BLOCK)], axis=1).astype(np.float32)
        self._push = self._driven(BLOCK).astype(np.float32)
        self._state: np.ndarray | None = None

    def __call__(self, signal: np.ndarray) -> np.ndarray:
        """Filter (channels, n) samples; returns float32 (channels, n)."""
        channels, n = signal.shape
        if self._state is None:
            self._state = np.zeros((channels, len(self._b)))
        signal = np.asarray(signal, np.float32)
        whole = n - n % BLOCK
        out = np.empty((channels, n), np.float32)
        if whole:
            self._blocks(signal[:, :whole], out[:, :whole].reshape(channels, whole // BLOCK, BLOCK))
        if whole < n:
            out[:, whole:] = self._tail(signal[:, whole:])
        return out

    def _blocks(self, signal: np.ndarray, out: np.ndarray) -> None:
        channels, n = signal.shape
        inputs = signal.reshape(channels, n // BLOCK, BLOCK)
        pushes = (inputs @ self._push).astype(np.float64)  # each block's input's effect on the state after it
        starts, self._state = _scan(self._powers[BLOCK].T, pushes, self._state)
        np.matmul(inputs, self._toeplitz, out=out)
        out += starts.astype(np.float32) @ self._free

    def _tail(self, signal: np.ndarray) -> np.ndarray:
        # Fewer than BLOCK samples: the leading corner of the same matrices.
        size = signal.shape[1]
        out = signal @ self._toeplitz[:size, :size] + self._state.astype(np.float32) @ self._free[:, :size]
        self._state = self._state @ self._powers[size].T + signal @ self._driven(size)
        return out

    def _driven(self, size: int) -> np.ndarray:
        """(size, order) float64: row j is how input j of a run of `size` moves the state at its end, A^(size-1-j)·B."""
        return np.stack([self._powers[size - 1 - j] @ self._b for j in range(size)])


def _state_space(sections: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(A, B, C, D) of the sections in series, each in transposed direct form II coordinates."""
    a_mat, b_vec, c_vec, d = np.zeros((0, 0)), np.zeros(0), np.zeros(0), 1.0
    for row in sections:
        b0, b1, b2, a0, a1, a2 = row / row[3]
        a_s = np.array([[-a1, 1.0], [-a2, 0.0]])
        b_s = np.array([b1 - a1 * b0, b2 - a2 * b0])
        c_s = np.array([1.0, 0.0])
        # The new section is driven by the cascade so far: its input is C·x + D·u.
        order = len(b_vec)
        joined = np.zeros((order + 2, order + 2))
        joined[:order, :order] = a_mat
        joined[order:, :order] = np.outer(b_s, c_vec)
        joined[order:, order:] = a_s
        a_mat, b_vec = joined, np.concatenate([b_vec, b_s * d])
        c_vec, d = np.concatenate([b0 * c_vec, c_s]), b0 * d
    return a_mat, b_vec, c_vec, d


def _scan(step: np.ndarray, pushes: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve s[k+1] = s[k] @ step + pushes[:, k] from s[0] = state, for every channel at once.

    Returns (s[0 .. K-1] as (channels, K, order), s[K]). Groups of `_GROUP` steps are solved as one
    matrix product each, and the group starts are the same recurrence with step^_GROUP: a few levels
    of that leave a short loop.
    """
    channels, count, order = pushes.shape
    if count <= _DIRECT:
        starts = np.empty_like(pushes)
        for k in range(count):
            starts[:, k] = state
            state = state @ step + pushes[:, k]
        return starts, state
    groups = -(-count // _GROUP)
    padded = np.zeros((channels, groups * _GROUP, order))
    padded[:, :count] = pushes
    powers = [np.eye(order)]
    for _ in range(_GROUP):
        powers.append(powers[-1] @ step)
    # within[:, g, j] = the state after j + 1 steps of group g from a zero start.
    spread = np.zeros((_GROUP, order, _GROUP, order))
    for i in range(_GROUP):
        for j in range(i, _GROUP):
            spread[i, :, j, :] = powers[j - i]
    within = (padded.reshape(channels, groups, _GROUP * order) @ spread.reshape(_GROUP * order, -1))
    within = within.reshape(channels, groups, _GROUP, order)
    group_starts, _ = _scan(powers[_GROUP], within[:, :, -1], state)
    starts = (group_starts @ np.concatenate(powers[:_GROUP], axis=1)).reshape(channels, groups, _GROUP, order)
    starts[:, :, 1:] += within[:, :, :-1]
    starts = starts.reshape(channels, groups * _GROUP, order)[:, :count]
    return starts, starts[:, -1] @ step + pushes[:, -1]


def kaiser_lowpass(taps: int, cutoff: float, beta: float) -> np.ndarray:
    """Windowed-sinc low-pass with unit gain at DC: scipy's firwin(taps, cutoff, window=("kaiser", beta)).

    `cutoff` is a fraction of the Nyquist frequency.
    """
    centre = (taps - 1) / 2
    ideal = cutoff * np.sinc(cutoff * (np.arange(taps) - centre))
    shaped = ideal * np.kaiser(taps, beta)
    return shaped / shaped.sum()


class Upsampler:
    """The in-between values of a signal interpolated `factor`× by a symmetric odd-length FIR.

    `between(x)` holds, for each base sample m with the filter's full context, the interpolated values
    at m + 1/factor .. m + (factor-1)/factor: float32 (channels, factor - 1, n_out), n_out =
    len(x) - 2·reach, where output i belongs to input i + reach. The values at the base samples
    themselves are x times the centre tap (a Nyquist-band filter's other phase-0 taps are zero).
    """

    def __init__(self, taps: np.ndarray, factor: int) -> None:
        half = len(taps) // 2
        assert len(taps) % 2 == 1 and half % factor == 0, "odd length, centre on the base grid"
        self.reach = half // factor  # base samples of context each side
        self.centre = float(taps[half])
        # Value at m + p/factor = sum over r of x[m - reach + 1 + r] * taps[half + p - factor·(r - reach + 1)].
        rows = np.arange(2 * self.reach)[None, :]
        index = half + np.arange(1, factor)[:, None] - factor * (rows - self.reach + 1)
        inside = (index >= 0) & (index < len(taps))
        self._phases = np.where(inside, taps[np.clip(index, 0, len(taps) - 1)], 0.0).astype(np.float32)

    def between(self, signal: np.ndarray) -> np.ndarray:
        # Row r is x shifted by r + 1, so column i of the rows is x[i + 1 .. i + 2·reach]: the context of
        # base sample i + reach. One (factor-1, 2·reach) × (2·reach, n_out) product per channel.
        width = 2 * self.reach
        shifted = sliding_window_view(signal[:, 1:], signal.shape[1] - width, axis=1)
        return self._phases @ np.ascontiguousarray(shifted, np.float32)


def running_min(values: np.ndarray, before: int, after: int) -> np.ndarray:
    """out[n] = min(values[n - before .. n + after]), the signal's edge values repeated beyond its ends.

    van Herk / Gil-Werman: a forward and a backward cumulative minimum within fixed blocks of the
    window's length, so the cost does not depend on the window.
    """
    size = before + after + 1
    padded = np.concatenate([np.full(before, values[0]), values, np.full(after, values[-1])])
    blocks = -(-len(padded) // size)
    grid = np.full(blocks * size, np.inf, dtype=values.dtype)
    grid[:len(padded)] = padded
    grid = grid.reshape(blocks, size)
    forward = np.minimum.accumulate(grid, axis=1).ravel()
    backward = np.minimum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    count = len(values)
    return np.minimum(backward[:count], forward[size - 1:size - 1 + count])
