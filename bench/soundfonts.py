"""SoundFont survey (issue 11): how each candidate SoundFont plays every GM program the bundled styles use.

`python -m bench.soundfonts` renders, per program and SoundFont, the same phrase (a C major triad
in the instrument's middle register, a drum groove for kits) at velocity 40 and at velocity 110,
through the renderer `song build` uses, and prints per row:

    bright    spectral centroid (Hz) of the loud phrase
    vel x     the loud phrase's centroid over the soft one's: above 1.1 the SoundFont has real
              velocity layers or a velocity filter (tone changes with playing strength), 1.0 is one
              sample played louder
    corr      left/right correlation of the loud phrase: 1.0 is mono, near 0 fully decorrelated
    low L-R   left minus right level (dB) of a low note (C2, kits: the kick): a sampled piano panned
              by its keyboard position lands off centre
    8k+ dB    level of 8-16 kHz against 500 Hz-2 kHz (top-end air)

These are the figures the README's "How the sounds were chosen" quotes. Nothing is asserted.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

from compiler.audio.render import render_track
from compiler.instruments import find_instrument
from compiler.library import Library
from compiler.timeline import PPQ, MeterPoint, Note, TempoPoint, Timeline, Track

CANDIDATES = (Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"), Path("/usr/share/sounds/sf2/MuseScore_General_Full.sf2"))
RATE = 44100


def style_instruments() -> list[str]:
    """Every instrument name a bundled style's track plays, sorted."""
    from compiler.parse import parse  # noqa: F401  (Library parses)

    library, names = Library(), set()
    for path in library.stdlib_files():
        for statement in library.load(path).statements:
            for item in getattr(statement, "items", ()):
                values = getattr(item, "values", None)
                if type(item).__name__ == "Track" and values:
                    names.add(values[0].text)
    return sorted(name for name in names if find_instrument(name) is not None)


def phrase(instrument: str, velocity: int, low: bool = False) -> Track:
    found = find_instrument(instrument)
    assert found is not None
    if found.is_drums:
        pitches = [(36,)] if low else [(36, 42), (42,), (38, 42), (42,)]
    else:
        pitches = [(36,)] if low else [(60, 64, 67)] * 4
    notes = tuple(Note(start=i * PPQ, dur=PPQ - PPQ // 8, pitch=p, velocity=velocity)
                  for i, chord in enumerate(pitches * (4 if low else 1)) for p in chord)
    return Track(name=instrument, instrument=instrument, program=found.program, bank=found.bank,
                 channel=9 if found.is_drums else 0, is_drums=found.is_drums, role="drums" if found.is_drums else "comp",
                 notes=notes)


def _timeline(track: Track) -> Timeline:
    return Timeline(end_tick=4 * PPQ, tempos=(TempoPoint(tick=0, bpm=Fraction(120)),),
                    meters=(MeterPoint(tick=0, numerator=4, denominator=4),), tracks=(track,))


def figures(soundfont: Path, instrument: str) -> tuple[float, float, float, float, float]:
    soft, loud, low = (render_track(_timeline(phrase(instrument, v, l)), phrase(instrument, v, l), soundfont)
                       for v, l in ((40, False), (110, False), (110, True)))
    left, right = low[0].astype(np.float64), low[1].astype(np.float64)
    low_balance = 10 * np.log10((left @ left + 1e-20) / (right @ right + 1e-20))
    return (centroid(loud), centroid(loud) / max(centroid(soft), 1.0), correlation(loud), low_balance, air(loud))


def centroid(audio: np.ndarray) -> float:
    power = _spectrum(audio)
    freqs = np.fft.rfftfreq(2 * (len(power) - 1), 1 / RATE)
    return float((freqs * power).sum() / max(power.sum(), 1e-30))


def air(audio: np.ndarray) -> float:
    power = _spectrum(audio)
    freqs = np.fft.rfftfreq(2 * (len(power) - 1), 1 / RATE)
    band = lambda lo, hi: float(power[(freqs >= lo) & (freqs < hi)].sum())  # noqa: E731
    return 10 * np.log10(max(band(8000, 16000), 1e-30) / max(band(500, 2000), 1e-30))


def correlation(audio: np.ndarray) -> float:
    left, right = audio[0].astype(np.float64), audio[1].astype(np.float64)
    denominator = np.sqrt((left @ left) * (right @ right))
    return float(left @ right / denominator) if denominator > 0 else 1.0


def _spectrum(audio: np.ndarray) -> np.ndarray:
    mono = audio.mean(axis=0).astype(np.float64)
    return np.abs(np.fft.rfft(mono)) ** 2


def run() -> list[str]:
    fonts = [font for font in CANDIDATES if font.exists()]
    lines = [f"{'instrument':<20} " + " | ".join(f"{font.stem[:22]:^40}" for font in fonts),
             f"{'':<20} " + " | ".join(f"{'bright':>7} {'vel x':>6} {'corr':>5} {'low L-R':>8} {'8k+ dB':>7}"
                                       for _ in fonts)]
    for instrument in style_instruments():
        cells = []
        for font in fonts:
            bright, layers, corr, balance, top = figures(font, instrument)
            cells.append(f"{bright:7.0f} {layers:6.2f} {corr:5.2f} {balance:+8.1f} {top:7.1f}")
        lines.append(f"{instrument:<20} " + " | ".join(cells))
    return lines


if __name__ == "__main__":
    for line in run():
        print(line, flush=True)
    sys.exit(0)
