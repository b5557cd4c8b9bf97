"""mix: raw stems (render.Stem) -> stem files + the pre-master stereo mix, float32 (2, n), with one shared reverb bus.

Per track: effects chain -> width (mid/side: the side signal scaled, so a decorrelated sampled piano
can be narrowed before it is placed) -> duck (a sidechain from the kick: a dip at each kick-drum note
of the timeline, for house bass and pads) -> fader (volume_db) -> constant-power pan, applied as a
balance to the stereo stem (centre: -3 dB on each side; hard left: the right channel silent). Nothing is panned
unless the spec says so, so bass and drums stay centred. The result is written to
`stems/<track>.flac` (24-bit; `stems/<track>.wav`, 32-bit float, with --stems wav32) and added to the mix bus, and
`reverb_send` × it feeds the reverb bus (post-fader). The bus input is low-cut (`ReverbBus.low_cut_hz`,
12 dB/oct) so bass and kick stay dry; the reverb (pedalboard Reverb, 100 % wet) runs into a return
held apart from the mix, delayed by the pre-delay. Once the song is mixed, the return is scaled so its
integrated loudness sits `ReverbBus.wet_lu` LU against the dry mix, written to `stems/reverb.flac`
(so the stems plus the return add up to the mix) and added in. The song is mixed in chunks of 65536 samples: each chunk of every
track is processed on two threads (pedalboard and numpy release the GIL), then summed on the calling
thread in track order while the threads go on with the next chunk, so the output is byte-identical
whatever the thread timing, and no full-length copy of any track is ever held.

Length: the music (`end_tick`) plus the longest ring-out of any track, where a track rings for its
FluidSynth tail plus its delay echoes, plus the reverb's decay if it feeds the bus; at most 4 s. If
that cap cut something still sounding, the last 200 ms of every stem and of the reverb fade out.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sys
import json
import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pedalboard

from compiler.mixspec import ReverbBus, TrackSound
from compiler.outputs import REVERB_STEM, STEM_FORMATS, stem_file
from compiler.timeline import Timeline, clock

from . import loudness
from .effects import Biquad, ring_out_seconds, track_chain
from .files import AudioWriter, PlanarReader, Subtype
from .render import MAX_TAIL_S, THREADS, Stem, end_sample

MIX_VERSION = 5  # bump whenever a change here, in effects or in master.prepare changes their output
CHUNK = 1 << 16
FADE_S = 0.2
KICKS = (35, 36)  # GM drum notes of the bass drum: what a `duck` listens to
DUCK_ATTACK_S, DUCK_RELEASE_BEATS = 0.005, 0.5  # down within 5 ms, back up over half a beat
# kind: (room_size, damping, width, decay in seconds used for the ring-out), pedalboard's 0..1 scales.
REVERB_PRESETS: dict[str, tuple[float, float, float, float]] = {
    "room": (0.35, 0.5, 0.8, 1.2),
    "chamber": (0.55, 0.45, 0.9, 1.8),
    "plate": (0.7, 0.2, 1.0, 2.5),
    "hall": (0.85, 0.35, 1.0, 3.5),
}
# --stems (outputs.STEM_FORMATS) -> (container, sample format). 24-bit integers hold a stem exactly
# enough (the pre-master mix peaks some 10-20 dB below full scale, 144 dB above the last bit).
_STEM_FILES: dict[str, tuple[str, Subtype]] = {"flac24": ("FLAC", "PCM_24"), "wav32": ("WAV", "FLOAT")}
assert _STEM_FILES.keys() == STEM_FORMATS.keys()


@dataclass
class Mix:
    """The pre-master mix and one report entry per stem file written."""

    audio: np.ndarray
    stems: list[dict]
    reverb: dict | None = None  # the return's file and levels, when a track feeds the reverb


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power pan law: -100 = left only, 0 = -3 dB on each side, +100 = right only.

    Example:
        >>> [round(g, 4) for g in pan_gains(0)]
        [0.7071, 0.7071]
    """
    # Both sides as sines of complementary angles: exactly equal at the centre, exactly 0 and 1 at the ends.
    return math.sin((100 - pan) / 200 * math.pi / 2), math.sin((100 + pan) / 200 * math.pi / 2)


def song_length(timeline: Timeline, stems: list[Stem]) -> tuple[int, bool]:
    """(samples, capped): end of the music plus the longest ring-out; `capped` if 4 s cut it short."""
    rate = timeline.master.sample_rate
    end = end_sample(timeline)
    bpm = float(timeline.tempos[0].bpm)
    rings = [stem.length - end + round(rate * _effects_ring_s(stem.track.sound, timeline.reverb, bpm))
             for stem in stems]
    ring = max(rings, default=0)
    cap = round(MAX_TAIL_S * rate)
    return end + min(max(ring, 0), cap), ring > cap


def mix_key(timeline: Timeline, stems: list[Stem], stem_format: str) -> str:
    """Content hash of everything that determines the stem files and the pre-master mix."""
    spec = {
        "mix": MIX_VERSION, "raw_stems": [stem.path.stem for stem in stems], "stem_format": stem_format,
        "tracks": [[s.track.name, s.track.role, s.track.sound.model_dump(mode="json")] for s in stems],
        "reverb": timeline.reverb.model_dump(mode="json"), "bpm": str(timeline.tempos[0].bpm),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def mix_stems(timeline: Timeline, stems: list[Stem], out_dir: Path, stem_format: str = "flac24") -> Mix:
    """Process every stem, write `out_dir/stems/<track>.flac` (or .wav), and return the summed pre-master mix."""
    rate = timeline.master.sample_rate
    length, capped = song_length(timeline, stems)
    bus = np.zeros((2, length), np.float32)
    # Unique: `check` reports tracks that would share a file, the reverb return's included (E091).
    files = [stem_file(s.track.name, stem_format) for s in stems]
    fade = _Fade(length, round(FADE_S * rate) if capped else 0)
    container, subtype = _STEM_FILES[stem_format]
    writer = functools.partial(AudioWriter, rate=rate, subtype=subtype, container=container)
    duck = _Duck(timeline) if any(stem.track.sound.duck_db > 0 for stem in stems) else None
    with contextlib.ExitStack() as stack:
        lanes = [stack.enter_context(_Lane(timeline, stem, writer(out_dir / file), fade, duck))
                 for stem, file in zip(stems, files)]
        # Entered after the lanes, so it is shut down (its running chunks finished) before they close.
        pool = stack.enter_context(ThreadPoolExecutor(THREADS, thread_name_prefix="mix"))
        reverb = _ReverbBus(timeline.reverb, rate, length, fade) if _uses_reverb(timeline, stems) else None
        chunks = [(start, min(start + CHUNK, length)) for start in range(0, length, CHUNK)]
        ahead = _submit_lanes(pool, lanes, *chunks[0]) if chunks else []
        for index, (start, end) in enumerate(chunks):
            outs = [future.result() for future in ahead]
            # The reverb of the previous chunk first, then the next chunk's tracks: the threads work on
            # both while this thread sums this chunk.
            returned = pool.submit(reverb.process_pending) if reverb is not None else None
            ahead = _submit_lanes(pool, lanes, *chunks[index + 1]) if index + 1 < len(chunks) else []
            sends = _sum_chunk(lanes, outs, bus, start, end, sends=reverb is not None)
            if reverb is not None and returned is not None:
                returned.result()  # the previous chunk's reverb, which ran meanwhile
                reverb.feed(sends, start)
        reverb_report = (reverb.finish(bus, writer(out_dir / stem_file(REVERB_STEM, stem_format)))
                         if reverb is not None else None)
    reports = [{"track": lane.track.name, "file": file, "peak_dbfs": _db_or_none(lane.peak),
                "rms_dbfs": _db_or_none(lane.rms(length))} for lane, file in zip(lanes, files)]
    for report in reports if subtype != "FLOAT" else []:
        if report["peak_dbfs"] is not None and report["peak_dbfs"] >= 0:
            # The mix itself is float and unharmed; only this integer stem file is clipped.
            print(f"song: {report['file']} peaks at {report['peak_dbfs']:+.1f} dBFS and is clipped there; "
                  "turn its volume down, or keep float stems with --stems wav32", file=sys.stderr)
    return Mix(bus, reports, reverb_report)


def _submit_lanes(pool: ThreadPoolExecutor, lanes: list[_Lane], start: int, end: int) -> list[Future]:
    # A lane keeps state from chunk to chunk, so its next chunk is submitted only once this one is done.
    return [pool.submit(lane.process, start, end) for lane in lanes]


def _sum_chunk(lanes: list[_Lane], outs: list[np.ndarray], bus: np.ndarray, start: int, end: int, *,
               sends: bool) -> np.ndarray | None:
    """Add one chunk of every track to the bus; return the chunk's reverb sends (if `sends`).

    The sums are made here, in track order, so the result never depends on thread timing.
    """
    send_bus = np.zeros((2, end - start), np.float32) if sends else None
    for lane, out in zip(lanes, outs):
        bus[:, start:end] += out
        if send_bus is not None and lane.send > 0:
            send_bus += lane.send * out
    return send_bus


class _Lane:
    """One track through the mixer: raw stem in, chain, fader and pan, stem file out; keeps its statistics."""

    def __init__(self, timeline: Timeline, stem: Stem, writer: AudioWriter, fade: _Fade,
                 duck: _Duck | None = None) -> None:
        sound, rate = stem.track.sound, timeline.master.sample_rate
        self.track = stem.track
        self.send = np.float32(sound.reverb_send)
        self.width = np.float32(sound.width)
        self._duck = (duck, sound.duck_db) if duck is not None and sound.duck_db > 0 else None
        self.chain = track_chain(sound, stem.track.role, rate, float(timeline.tempos[0].bpm))
        self.gains = np.array(pan_gains(sound.pan), np.float32)[:, None] * np.float32(10 ** (sound.volume_db / 20))
        self.peak, self.energy = 0.0, 0.0
        self._fade = fade
        with contextlib.ExitStack() as stack:
            self._reader = stack.enter_context(PlanarReader(stem.path))
            self._writer = stack.enter_context(writer)
            self._stack = stack.pop_all()

    def process(self, start: int, end: int) -> np.ndarray:
        out = self.chain(self._reader.read(start, end))  # a new array: scaled in place
        if self.width != 1:
            _set_width(out, self.width)
        if self._duck is not None:
            out *= self._duck[0].gains(start, end, self._duck[1])
        out *= self.gains
        self._fade.apply(out, start)
        self._writer.write(out)
        self.peak = max(self.peak, float(out.max()), -float(out.min()))
        flat = out.reshape(-1)
        self.energy += float(np.dot(flat, flat))  # no float64 temporary: the mix is memory-bound
        return out

    def rms(self, length: int) -> float:
        return math.sqrt(self.energy / max(2 * length, 1))

    def __enter__(self) -> _Lane:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)


class _ReverbBus:
    """The shared reverb, one chunk behind the tracks so it can run beside the next chunk's tracks.

    Its return is collected apart from the mix (shifted by the pre-delay: the reverb is linear and
    time-invariant, so delaying its output equals delaying its input) and added in by `finish` at
    the gain that puts it `wet_lu` against the dry mix.
    """

    def __init__(self, spec: ReverbBus, rate: int, length: int, fade: _Fade) -> None:
        room_size, damping, width, _ = REVERB_PRESETS[spec.kind]
        self._reverb = pedalboard.Reverb(room_size=room_size, damping=damping, width=width, wet_level=1.0,
                                         dry_level=0.0)
        self._low_cut = Biquad("lowcut", spec.low_cut_hz, 0.707, rate)
        self._spec, self._rate, self._fade = spec, rate, fade
        self._delay = round(spec.pre_delay_ms * rate / 1000)
        self._wet = np.zeros((2, length), np.float32)
        self._pending: tuple[int, np.ndarray] | None = None

    def feed(self, sends: np.ndarray, start: int) -> None:
        self._pending = (start, sends)

    def process_pending(self) -> None:
        if self._pending is not None:
            start, sends = self._pending
            wet = self._reverb(self._low_cut(sends), self._rate, reset=False)
            at = start + self._delay
            room = max(min(wet.shape[1], self._wet.shape[1] - at), 0)
            self._wet[:, at:at + room] = wet[:, :room]
            self._pending = None

    def finish(self, bus: np.ndarray, writer: AudioWriter) -> dict:
        """Scale the return to its wet level, write it with `writer`, add it to `bus` (the dry mix)."""
        self.process_pending()
        self._fade.apply(self._wet, 0)
        dry_lufs = loudness.integrated(loudness.hop_power(bus, self._rate))
        wet_lufs = loudness.integrated(loudness.hop_power(self._wet, self._rate))
        gain_db = self._spec.wet_lu - (wet_lufs - dry_lufs) if math.isfinite(wet_lufs - dry_lufs) else -math.inf
        self._wet *= np.float32(10 ** (gain_db / 20)) if math.isfinite(gain_db) else np.float32(0)
        with writer:
            for start in range(0, self._wet.shape[1], CHUNK):
                writer.write(self._wet[:, start:start + CHUNK])
        bus += self._wet
        return {"file": f"stems/{writer.path.name}", "kind": self._spec.kind, "wet_lu": self._spec.wet_lu,
                "return_gain_db": round(gain_db, 2) if math.isfinite(gain_db) else None,
                "pre_delay_ms": self._spec.pre_delay_ms, "low_cut_hz": self._spec.low_cut_hz}


def _uses_reverb(timeline: Timeline, stems: list[Stem]) -> bool:
    return any(s.track.sound.reverb_send > 0 for s in stems)


def _effects_ring_s(sound: TrackSound, reverb: ReverbBus, bpm: float) -> float:
    verb = REVERB_PRESETS[reverb.kind][3] + reverb.pre_delay_ms / 1000 if sound.reverb_send > 0 else 0.0
    return ring_out_seconds(sound, bpm) + verb


def _set_width(audio: np.ndarray, width: np.float32) -> None:
    """Scale the side signal (L-R)/2 of a (2, k) chunk by `width` in place, keeping the mid (L+R)/2."""
    mid = (audio[0] + audio[1]) * np.float32(0.5)
    side = (audio[0] - audio[1]) * np.float32(0.5 * width)
    np.add(mid, side, out=audio[0])
    np.subtract(mid, side, out=audio[1])


class _Duck:
    """The sidechain from the kick: a gain curve that falls to -depth dB within DUCK_ATTACK_S of each
    kick-drum note in the timeline and rises back (raised cosine) over DUCK_RELEASE_BEATS.

    Keyed from the notes, not the drum stem's audio, so it is exact, needs no look-ahead and does not
    depend on the kit's samples; overlapping dips take the deeper.
    """

    def __init__(self, timeline: Timeline) -> None:
        rate, tempo = timeline.master.sample_rate, clock(timeline)
        onsets = sorted({n.start for t in timeline.tracks if t.role == "drums" and not t.muted
                         for n in t.notes if n.pitch in KICKS})
        self.onsets = np.array([round(tempo.seconds(tick) * rate) for tick in onsets], np.int64)
        self.attack = max(round(DUCK_ATTACK_S * rate), 1)
        self.release = max(round(DUCK_RELEASE_BEATS * 60 / float(timeline.tempos[0].bpm) * rate), 1)

    def gains(self, start: int, end: int, depth_db: float) -> np.ndarray:
        """The gain for samples [start, end) at `depth_db`, as (k,) float32."""
        floor = 10 ** (-depth_db / 20)
        gain = np.ones(end - start, np.float32)
        span = self.attack + self.release
        first, last = np.searchsorted(self.onsets, [start - span, end])
        for onset in self.onsets[first:last]:
            at = np.arange(max(start, onset), min(end, onset + span)) - onset
            if at.size == 0:
                continue
            dip = np.where(at < self.attack, at / self.attack,
                           1 - 0.5 * (1 - np.cos(np.pi * np.clip(at - self.attack, 0, None) / self.release)))
            curve = (1 - (1 - floor) * dip).astype(np.float32)
            window = gain[at[0] + onset - start:at[-1] + onset - start + 1]
            np.minimum(window, curve, out=window)
        return gain


class _Fade:
    """A quarter-cosine fade over the last `samples` of the song, applied chunk by chunk (none if 0)."""

    def __init__(self, length: int, samples: int) -> None:
        self.start, self.samples = length - samples, samples

    def apply(self, chunk: np.ndarray, start: int) -> None:
        """Fade `chunk` (which begins at sample `start` of the song) in place where it overlaps the fade."""
        first = max(self.start, start)
        end = start + chunk.shape[1]
        if self.samples and end > first:
            position = np.arange(first - self.start, end - self.start) / self.samples
            chunk[:, first - start:] *= np.cos(position * np.pi / 2).astype(np.float32)


def _db_or_none(linear: float) -> float | None:
    return round(20 * math.log10(linear), 2) if linear > 0 else None
