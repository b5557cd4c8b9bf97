"""analyze_audio: a build folder (master, stems/, report.json) -> MixAnalysis, an engineer's checks of the mix.

`song analyze --audio OUT_DIR…` prints one row per build; tests assert the ranges below on every spec.
What is measured, and how:

    wet_lu        integrated loudness (BS.1770) of the reverb return (stems/reverb.wav) minus that of
                  the dry mix (the sum of the track stems)
    tilt          slope of the master's long-term spectrum from 500 Hz to 10 kHz in dB/octave: the
                  power spectrum (Hann frames of 8192, half overlap, L+R) averaged in third-octave
                  bands, a least-squares line through band level against octave (pink noise is -3)
    correlation   L/R correlation of the master, over the whole band and below 150 Hz (from the
                  same frames' cross-spectrum; 1 is mono, 0 unrelated sides)
    stems         per track: median over the 3 s windows where it plays (its short-term loudness
                  within 20 LU of its own loudest) of its short-term loudness minus the whole mix's
    dynamics      the master's median short-term loudness per section pass, by the section's
                  dynamic mark; `step_lu` is the mean LU per step of pp … ff between the softest
                  and loudest marks used, `f_minus_p` the difference of f and p when both are used

Only numpy (and soundfile, to read the files): the analysis is part of the tool, not of its tests.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

from .audio import loudness

DYNAMICS = ("pp", "p", "mp", "mf", "f", "ff")
# The ranges an engineer would sign (issue 11, Deliver 2-5).
TILT_RANGE = (-6.0, -3.0)
CORRELATION_RANGE = (0.5, 0.95)
LOW_CORRELATION_MIN = 0.95
STEM_RANGE = (-20.0, -2.0)
STEP_RANGE = (2.4, 3.1)  # LU per step of pp … ff: "about 2.5-3"
WET_TOLERANCE_LU = 1.0  # the measured return against the wet level the song asks for
TILT_BAND_HZ = (500.0, 10000.0)
LOW_BAND_HZ = 150.0
FRAME = 8192
PLAYING_WITHIN_LU = 20.0
_FRAMES_PER_BLOCK = 64


@dataclass(frozen=True)
class StemBalance:
    track: str
    relative_lu: float | None  # median short-term loudness against the mix where it plays; None if silent
    playing_s: float  # how long it plays, by the windows measured


@dataclass(frozen=True)
class MixAnalysis:
    """The engineer's figures of one build (see the module doc for each)."""

    name: str
    wet_lu: float | None
    wet_target_lu: float | None
    tilt_db_per_octave: float
    correlation: float
    low_correlation: float
    stems: tuple[StemBalance, ...]
    dynamics: dict[str, float] = field(default_factory=dict)  # mark -> median short-term LUFS of the master
    step_lu: float | None = None
    f_minus_p: float | None = None

    def problems(self) -> list[str]:
        """Every figure outside the ranges, as one line each (empty: the mix is in range)."""
        found = []
        if self.wet_target_lu is not None and (self.wet_lu is None or abs(self.wet_lu - self.wet_target_lu) > WET_TOLERANCE_LU):
            found.append(f"wet {_fmt(self.wet_lu)} LU, asked for {self.wet_target_lu:g}")
        if not TILT_RANGE[0] <= self.tilt_db_per_octave <= TILT_RANGE[1]:
            found.append(f"tilt {self.tilt_db_per_octave:.2f} dB/oct outside {TILT_RANGE[0]:g} … {TILT_RANGE[1]:g}")
        if not CORRELATION_RANGE[0] <= self.correlation <= CORRELATION_RANGE[1]:
            found.append(f"correlation {self.correlation:.2f} outside {CORRELATION_RANGE[0]:g} … {CORRELATION_RANGE[1]:g}")
        if self.low_correlation < LOW_CORRELATION_MIN:
            found.append(f"correlation below {LOW_BAND_HZ:g} Hz {self.low_correlation:.2f} < {LOW_CORRELATION_MIN:g}")
        if self.step_lu is not None and not STEP_RANGE[0] <= self.step_lu <= STEP_RANGE[1]:
            found.append(f"{self.step_lu:.2f} LU a dynamic step outside {STEP_RANGE[0]:g} … {STEP_RANGE[1]:g}")
        for stem in self.stems:
            if stem.relative_lu is not None and not STEM_RANGE[0] <= stem.relative_lu <= STEM_RANGE[1]:
                found.append(f"{stem.track} at {stem.relative_lu:+.1f} LU outside {STEM_RANGE[0]:g} … {STEM_RANGE[1]:g}")
        return found


def analyze_build(folder: Path) -> MixAnalysis:
    """Measure one folder written by `song build` (not `--midi-only`)."""
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    if "master" not in report or "stems" not in report:
        raise ValueError(f"{folder} has no master: build it without --midi-only")
    master, rate = _read(folder / report["master"]["file"])
    tilt, correlation, low_correlation = spectrum_figures(master, rate)
    dynamics = _dynamics(report, loudness.hop_power(master, rate))
    del master
    stem_hops: dict[str, np.ndarray] = {}
    mix: np.ndarray | None = None
    for stem in report["stems"]:
        audio, _ = _read(folder / stem["file"])
        stem_hops[stem["track"]] = loudness.hop_power(audio, rate)
        mix = audio if mix is None else _add(mix, audio)
    if mix is None:
        raise ValueError(f"{folder} has no stems")
    reverb = report.get("reverb")
    wet_lu = None
    if reverb is not None:
        wet, _ = _read(folder / reverb["file"])
        wet_lu = _finite(loudness.integrated(loudness.hop_power(wet, rate))
                         - loudness.integrated(loudness.hop_power(mix, rate)))
        mix = _add(mix, wet)
    mix_hops = loudness.hop_power(mix, rate)
    step, f_minus_p = dynamic_steps(dynamics)
    return MixAnalysis(
        name=folder.name, wet_lu=wet_lu, wet_target_lu=reverb["wet_lu"] if reverb else None,
        tilt_db_per_octave=tilt, correlation=correlation, low_correlation=low_correlation,
        stems=tuple(stem_balance(track, hops, mix_hops) for track, hops in stem_hops.items()),
        dynamics=dynamics, step_lu=step, f_minus_p=f_minus_p)


def spectrum_figures(audio: np.ndarray, rate: int) -> tuple[float, float, float]:
    """(tilt dB/oct 500 Hz-10 kHz, correlation full band, correlation below 150 Hz) of a (2, n) signal."""
    window = np.hanning(FRAME).astype(np.float32)
    hop = FRAME // 2
    starts = np.arange(0, max(audio.shape[1] - FRAME, 0) + 1, hop)
    bins = FRAME // 2 + 1
    left_power, right_power, cross = np.zeros(bins), np.zeros(bins), np.zeros(bins)
    for first in range(0, len(starts), _FRAMES_PER_BLOCK):  # blocks of frames: bounded memory
        block = starts[first:first + _FRAMES_PER_BLOCK]
        index = block[:, None] + np.arange(FRAME)[None, :]
        left = np.fft.rfft(audio[0][index] * window, axis=1)
        right = np.fft.rfft(audio[1][index] * window, axis=1)
        left_power += (np.abs(left) ** 2).sum(axis=0)
        right_power += (np.abs(right) ** 2).sum(axis=0)
        cross += (left * np.conj(right)).real.sum(axis=0)
    freqs = np.fft.rfftfreq(FRAME, 1 / rate)
    total = left_power + right_power + 2 * cross  # the power of L+R
    return (_tilt(freqs, total), _correlation(left_power, right_power, cross, freqs > 0),
            _correlation(left_power, right_power, cross, (freqs > 0) & (freqs < LOW_BAND_HZ)))


def _tilt(freqs: np.ndarray, power: np.ndarray) -> float:
    low, high = TILT_BAND_HZ
    centres = low * 2 ** (np.arange(0, math.floor(3 * math.log2(high / low)) + 1) / 3)
    octaves, levels = [], []
    for centre in centres:
        inside = (freqs >= centre * 2 ** (-1 / 6)) & (freqs < centre * 2 ** (1 / 6))
        if inside.any() and power[inside].mean() > 0:
            octaves.append(math.log2(centre / low))
            levels.append(10 * math.log10(power[inside].mean()))
    if len(octaves) < 2:
        return float("nan")
    return float(np.polyfit(octaves, levels, 1)[0])


def _correlation(left: np.ndarray, right: np.ndarray, cross: np.ndarray, band: np.ndarray) -> float:
    norm = math.sqrt(left[band].sum() * right[band].sum())
    return float(cross[band].sum() / norm) if norm > 0 else float("nan")


def stem_balance(track: str, hops: np.ndarray, mix_hops: np.ndarray) -> StemBalance:
    """A stem's median short-term loudness against the mix, over the windows where it plays."""
    stem, mix = loudness.short_term(hops), loudness.short_term(mix_hops)
    length = min(len(stem), len(mix))
    stem, mix = stem[:length], mix[:length]
    audible = np.isfinite(stem) & (stem > loudness.ABSOLUTE_GATE_LUFS)
    if not audible.any():
        return StemBalance(track, None, 0.0)
    playing = audible & (stem >= stem[audible].max() - PLAYING_WITHIN_LU)
    relative = float(np.median(stem[playing] - mix[playing]))
    return StemBalance(track, round(relative, 2), int(playing.sum()) / loudness.HOPS_PER_SECOND)


def _dynamics(report: dict, hops: np.ndarray) -> dict[str, float]:
    """The master's median short-term loudness over the sections of each dynamic mark."""
    values: dict[str, list[float]] = {}
    for section in report["sections"]:
        mark = section.get("dynamic")
        measured = loudness.section_median(hops, section["start_s"], section["end_s"])
        if mark is not None and math.isfinite(measured):
            values.setdefault(mark, []).append(measured)
    return {mark: round(float(np.median(values[mark])), 2) for mark in DYNAMICS if mark in values}


def dynamic_steps(dynamics: dict[str, float]) -> tuple[float | None, float | None]:
    """(LU per pp … ff step between the softest and loudest marks used, f − p if both are used)."""
    marks = [mark for mark in DYNAMICS if mark in dynamics]
    step = None
    if len(marks) >= 2:
        soft, loud = marks[0], marks[-1]
        step = round((dynamics[loud] - dynamics[soft]) / (DYNAMICS.index(loud) - DYNAMICS.index(soft)), 2)
    f_minus_p = round(dynamics["f"] - dynamics["p"], 2) if "f" in dynamics and "p" in dynamics else None
    return step, f_minus_p


def format_table(analyses: list[MixAnalysis]) -> str:
    """One row per build, then each build's stems and anything out of range."""
    header = f"{'build':<24} {'wet LU':>7} {'tilt dB/oct':>11} {'corr':>5} {'<150Hz':>6} {'step LU':>7} {'f-p LU':>6}  stems (LU against the mix)"
    lines = [header, "-" * len(header)]
    for a in analyses:
        stems = " ".join(f"{s.track} {_fmt(s.relative_lu, '+.1f')}" for s in a.stems)
        lines.append(f"{a.name:<24} {_fmt(a.wet_lu):>7} {a.tilt_db_per_octave:>11.2f} {a.correlation:>5.2f} "
                     f"{a.low_correlation:>6.2f} {_fmt(a.step_lu):>7} {_fmt(a.f_minus_p):>6}  {stems}")
    out_of_range = [f"{a.name}: {problem}" for a in analyses for problem in a.problems()]
    lines += ["", f"{len(out_of_range)} figure(s) out of range" + (":" if out_of_range else "")] + out_of_range
    return "\n".join(lines)


def run(folders: list[Path]) -> int:
    """`song analyze --audio DIR…`: print the table; exit 0, or 2 if a folder is not a full build."""
    from .cli import EXIT_OK, UsageError

    for folder in folders:
        if not (folder / "report.json").is_file():
            raise UsageError(f"{folder} has no report.json; run `song build` first")
    try:
        analyses = [analyze_build(folder) for folder in folders]
    except (ValueError, OSError, soundfile.LibsndfileError) as error:
        raise UsageError(str(error)) from None
    print(format_table(analyses))
    return EXIT_OK


def _read(path: Path) -> tuple[np.ndarray, int]:
    audio, rate = soundfile.read(path, dtype="float32", always_2d=True)
    if audio.shape[1] == 1:
        audio = np.repeat(audio, 2, axis=1)
    return np.ascontiguousarray(audio.T), rate


def _add(total: np.ndarray, audio: np.ndarray) -> np.ndarray:
    """Sum two (2, n) signals of possibly different length (a stem may end before the song's tail)."""
    if audio.shape[1] > total.shape[1]:
        total, audio = audio, total
    total[:, :audio.shape[1]] += audio
    return total


def _finite(value: float) -> float | None:
    return round(value, 2) if math.isfinite(value) else None


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)
