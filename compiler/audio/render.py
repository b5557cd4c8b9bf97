"""render: timeline.Timeline -> one raw float32 stereo stem (2, n) per audible track, rendered offline by FluidSynth.

Each track (or part of one) gets a fresh synth of its own (a reused synth does not start from the
same state, and a stem must depend only on its own track so it can be cached alone): channel 9 for
drum kits, channel 0 otherwise, FluidSynth's reverb and chorus off (the mixer adds ours), samples
loaded only for the one preset used. Rendering is driven sample by sample from the Timeline, not from a .mid file: events are
sent between `fluid_synth_process` calls. FluidSynth starts voices only at its 64-sample block
boundaries, so every event is placed on the nearest block boundary (at most 0.73 ms off at 44.1 kHz);
doing that ourselves makes the timing exact, documented and identical on every run. A melodic track
is rendered as two parts (its pitches split in two) on two threads and summed, so one heavy track
cannot leave a core idle (the ctypes calls release the GIL; forking a process that has loaded
FluidSynth hangs, so no processes).

Tail rule: after the last event and the end of the music, a stem keeps rendering in 1024-sample steps
until no voice is active or a whole step stays below -90 dBFS, and never past 4 s after `end_tick`.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import stat
import sys
import threading
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import numpy as np

from compiler.atomic import atomic_output
from compiler.errors import RenderError
from compiler.instruments import DRUM_CHANNEL
from compiler.timeline import Timeline, Track, clock

from .files import PlanarReader, array_intact, array_plausible, drop_array, save_array

RENDERER_VERSION = 2  # bump whenever a change here changes the samples a stem gets
BLOCK = 64  # FluidSynth's internal block (FLUID_BUFSIZE); events take effect on this grid
MAX_TAIL_S = 4.0
SILENCE_DBFS = -90.0
SYNTH_GAIN = 0.2  # FluidSynth's own default, so stems sit at the level its CLI renders
THREADS = 2  # the audio stage's budget: at most two computing threads at any time (a cache write may run beside them)
INSTALL_HINT = ("install the Debian packages fluid-soundfont-gm and musescore-general-soundfont-lossless "
                "(`make setup` does), or pass --soundfont PATH")
_TAIL_STEP = 16 * BLOCK
_SYNTH_SETTINGS: tuple[tuple[str, int | float], ...] = (
    ("synth.gain", SYNTH_GAIN),
    ("synth.reverb.active", 0),
    ("synth.chorus.active", 0),
    ("synth.dynamic-sample-loading", 1),  # load the one preset's samples, not 140 MB of them
    ("synth.lock-memory", 0),
    ("synth.threadsafe-api", 0),  # one synth per thread; the API mutex is pure cost
    ("synth.polyphony", 1024),  # a stem must never lose notes to voice stealing
)
_create_lock = threading.Lock()  # new_fluid_synth initialises global tables on first use


class _Cancelled(Exception):
    """Raised inside a render thread when the build is being abandoned."""


@dataclass(frozen=True)
class Stem:
    """A rendered track: its raw stem in the render cache (float32 .npy, shape (2, length))."""

    track: Track
    path: Path
    length: int
    cached: bool = False  # found in the store, not rendered by this build: `drop_damaged` reads it through


def audible_tracks(timeline: Timeline) -> tuple[Track, ...]:
    """The tracks that get a stem: not muted, with at least one note."""
    return tuple(t for t in timeline.tracks if not t.muted and t.notes)


def end_sample(timeline: Timeline) -> int:
    """The sample where the music (not its ring-out) ends."""
    seconds = clock(timeline).seconds(timeline.end_tick)
    return round(seconds * timeline.master.sample_rate)


def max_length(timeline: Timeline) -> int:
    """The longest a stem or the song may be: the music plus the 4 s ring-out cap."""
    return end_sample(timeline) + round(MAX_TAIL_S * timeline.master.sample_rate)


def fluidsynth_version() -> str:
    """The version of the FluidSynth library in use, e.g. "2.3.1"."""
    return _library().version().decode()


def soundfont_identity(path: Path, cache_dir: Path | None = None) -> dict:
    """Name, size and SHA-256 of a SoundFont; raises RenderError if it is not a readable .sf2 file.

    It must be a regular file (a FIFO or a device is refused before it is opened, and opened without
    blocking in case it was swapped since) that starts with a RIFF `sfbk` header, checked before the
    whole file is read. The hash (0.7 s for the 490 MB MuseScore General, 0.2 s for FluidR3) is
    remembered under the file's path, size, modification time and inode in the user's cache folder
    (`parse_cache.user_cache_folder`), so a build into a fresh output folder does not read the fonts
    through again; `cache_dir` (the output folder's cache) only when there is no private user cache.
    """
    with _opened_soundfont(path) as (handle, info):
        stamp = f"{path.resolve()}|{info.st_size}|{info.st_mtime_ns}|{info.st_dev}|{info.st_ino}"
        memo = _memo_folder(cache_dir)
        return {"name": path.name, "size_bytes": info.st_size, "sha256": _sha256(handle, stamp, memo)}


def _memo_folder(cache_dir: Path | None) -> Path | None:
    from compiler.parse_cache import user_cache_folder

    return user_cache_folder(create=True) or cache_dir


@contextmanager
def _opened_soundfont(path: Path) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    def refuse(reason: str) -> RenderError:
        return RenderError(f"the SoundFont {path} {reason}; {INSTALL_HINT}")

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise refuse("is not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise refuse(f"cannot be read: {error.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file")
        header = handle.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"sfbk":
            raise refuse("is not a SoundFont (an .sf2 file starts with a RIFF sfbk header)")
        handle.seek(0)
        yield handle, info


def stem_key(timeline: Timeline, track: Track, soundfont_sha256: str) -> str:
    """Content hash of everything that determines a track's raw stem (and nothing that does not)."""
    spec = {
        "renderer": RENDERER_VERSION, "fluidsynth": fluidsynth_version(), "soundfont": soundfont_sha256,
        "rate": timeline.master.sample_rate, "ppq": timeline.ppq, "end_tick": timeline.end_tick,
        "lead_in_s": timeline.lead_in_s,
        "tempos": [[t.tick, str(t.bpm)] for t in timeline.tempos],
        "program": track.program, "bank": track.bank, "drums": _is_drums(track),
        "notes": [[n.start, n.dur, n.pitch, n.velocity] for n in track.notes],
        "controls": [[c.tick, c.controller, c.value] for c in track.controls],
    }
    return hashlib.sha256(json.dumps(spec, separators=(",", ":")).encode()).hexdigest()


def render_stems(timeline: Timeline, soundfont: Path, store: Path, *, soundfont_sha256: str,
                 progress: Callable[[float], None] | None = None,
                 by_track: dict[str, tuple[Path, str]] | None = None) -> list[Stem]:
    """Render every audible track not already in `store` and return all stems in track order.

    Args:
        timeline: the arranged song.
        soundfont: the .sf2 file.
        store: folder of raw stems named by `stem_key`; the render cache, or a scratch folder.
        soundfont_sha256: from `soundfont_identity`, which has also checked the file.
        progress: called with the fraction of rendering done, from this (the calling) thread.
        by_track: (SoundFont, its SHA-256) for the tracks that render with another file, by track name.
    """
    tracks = audible_tracks(timeline)
    fonts = [(by_track or {}).get(t.name, (soundfont, soundfont_sha256)) for t in tracks]
    paths = [store / f"{stem_key(timeline, t, sha)}.npy" for t, (_, sha) in zip(tracks, fonts)]
    todo = {path: (track, font) for track, (font, _), path in zip(tracks, fonts, paths) if not _usable(path)}
    jobs = [(path, index, part, font) for path, (track, font) in todo.items()  # equal tracks render once
            for index, part in enumerate(split_parts(track))]
    # Costliest first, so the renders that run last (alone, if the other thread is done) are short;
    # a track's parts stay together (a stable sort on their track's heaviest part).
    heaviest: dict[Path, int] = {}
    for path, _, part, _ in jobs:
        heaviest[path] = max(heaviest.get(path, 0), _cost(part, timeline.ppq))
    jobs.sort(key=lambda job: heaviest[job[0]], reverse=True)
    meter = _Meter(max_length(timeline) * len(jobs), progress)
    if jobs:
        _render_all(timeline, jobs, meter)
    return [Stem(t, path, _stored_length(path), cached=path not in todo) for t, path in zip(tracks, paths)]


def split_parts(track: Track) -> tuple[Track, ...]:
    """A track's notes split by pitch into two parts of about equal cost, rendered on two synths and summed.

    One heavy track (a strummed guitar can be half the render) would otherwise keep one thread busy
    while the other idles. The split changes nothing audible: every note of a pitch stays in one part
    (so a repeated note still releases the previous one), both parts get every control change, and
    nothing else in FluidSynth is shared between voices. Drum kits stay whole: hi-hats choke each
    other through exclusive classes.
    """
    pitches = sorted({n.pitch for n in track.notes})
    if _is_drums(track) or len(pitches) < 2:
        return (track,)
    load = {p: sum(n.dur for n in track.notes if n.pitch == p) for p in pitches}
    parts: tuple[set[int], set[int]] = (set(), set())
    weights = [0, 0]
    for pitch in sorted(pitches, key=lambda p: (-load[p], p)):
        lighter = weights.index(min(weights))
        parts[lighter].add(pitch)
        weights[lighter] += load[pitch]
    return tuple(track.model_copy(update={"notes": tuple(n for n in track.notes if n.pitch in part)})
                 for part in parts)


def render_track(timeline: Timeline, track: Track, soundfont: Path,
                 on_samples: Callable[[int], None] = lambda n: None,
                 cancelled: threading.Event | None = None) -> np.ndarray:
    """Render one track (or part) to a (2, n) float32 stem; n = end of music + ring-out (see the tail rule)."""
    lib = _library()
    cap = max_length(timeline)
    out = np.zeros((2, cap), np.float32)  # untouched pages past the tail are never allocated
    with _synth(lib, soundfont, timeline.master.sample_rate) as synth:
        channel = _select_preset(lib, synth, track)
        position = 0
        for at, actions in _schedule(timeline, track, channel):
            if at >= cap:
                break
            position = _advance(lib, synth, out, position, at, on_samples, cancelled)
            for send in actions:
                send(lib, synth)
        position = _advance(lib, synth, out, position, max(position, end_sample(timeline)), on_samples,
                            cancelled)
        position = _ring_out(lib, synth, out, position, cap, on_samples, cancelled)
    return out[:, :position]


Job = tuple[Path, int, Track, Path]  # (stem file, part number, part, SoundFont)


def _render_all(timeline: Timeline, jobs: list[Job], meter: _Meter) -> None:
    """Render the parts on two threads; a stem is summed and saved as soon as all its parts are in.

    The two parts of a track cost about the same, so they are queued one after the other and run side
    by side: a finished part rarely waits long (in memory) for its sibling.
    """
    cancelled = threading.Event()
    expected = Counter(path for path, _, _, _ in jobs)
    finished: dict[Path, list[np.ndarray]] = {}
    with ThreadPoolExecutor(THREADS, thread_name_prefix="fluidsynth") as pool:
        futures = {pool.submit(render_track, timeline, part, soundfont, meter.add, cancelled): path
                   for path, _, part, soundfont in jobs}
        try:
            for path, audio in _completed(futures, meter):
                finished.setdefault(path, []).append(audio)
                if len(finished[path]) == expected[path]:
                    save_array(path, _sum_parts(finished.pop(path)))
        except BaseException:
            # Drop queued renders and let running ones stop at their next event, not at their end.
            cancelled.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _completed(futures: dict[Future, Path], meter: _Meter) -> Iterator[tuple[Path, np.ndarray]]:
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
        meter.report()
        for future in done:
            # Popped, so a 70 MB result is freed as soon as its stem is saved.
            yield futures.pop(future), future.result()  # re-raises a render thread's error here


def _sum_parts(parts: list[np.ndarray]) -> np.ndarray:
    # The shorter part is added into the longer, in place. With two parts that is one addition per
    # sample, which is commutative, so the sum never depends on which part finished first.
    assert len(parts) <= 2, "split_parts makes at most two parts"
    longer, *shorter = sorted(parts, key=lambda part: part.shape[1], reverse=True)
    for part in shorter:
        longer[:, :part.shape[1]] += part
    return longer


class _Meter:
    """Counts rendered samples from the render threads; reports a fraction from the main thread."""

    def __init__(self, total: int, progress: Callable[[float], None] | None) -> None:
        self._total, self._progress = max(total, 1), progress
        self._done = 0
        self._lock = threading.Lock()

    def add(self, samples: int) -> None:
        with self._lock:
            self._done += samples

    def report(self) -> None:
        if self._progress is not None:
            with self._lock:
                fraction = min(self._done / self._total, 1.0)
            self._progress(fraction)


# --- one synth -------------------------------------------------------------------------------------

Action = Callable[["_Library", int], None]


def _schedule(timeline: Timeline, track: Track, channel: int) -> Iterator[tuple[int, list[Action]]]:
    """(sample, actions) in time order; at one tick: controls, then note-offs, then note-ons."""
    tempo = clock(timeline)
    rate = timeline.master.sample_rate
    events = [(c.tick, 0, _control(channel, c.controller, c.value)) for c in track.controls]
    for note in track.notes:
        events.append((note.start + note.dur, 1, _note_off(channel, note.pitch)))
        events.append((note.start, 2, _note_on(channel, note.pitch, note.velocity)))
    # A stable sort on (tick, kind) keeps equal events in track order: the same voices, the same order.
    events.sort(key=lambda e: (e[0], e[1]))
    at, actions = -1, []
    for tick, _, action in events:
        sample = _block_sample(tempo.seconds(tick) * rate)
        if sample != at and actions:
            yield at, actions
            actions = []
        at = sample
        actions.append(action)
    if actions:
        yield at, actions


def _block_sample(position: float) -> int:
    return BLOCK * int(position / BLOCK + 0.5)


def _control(channel: int, controller: int, value: int) -> Action:
    return lambda lib, synth: lib.cc(synth, channel, controller, value)


def _note_on(channel: int, pitch: int, velocity: int) -> Action:
    return lambda lib, synth: lib.noteon(synth, channel, pitch, velocity)


def _note_off(channel: int, pitch: int) -> Action:
    return lambda lib, synth: lib.noteoff(synth, channel, pitch)


def _advance(lib: _Library, synth: int, out: np.ndarray, position: int, target: int,
             on_samples: Callable[[int], None], cancelled: threading.Event | None) -> int:
    """Render samples [position, target) into `out` in one call; FluidSynth adds to the zeroed buffers."""
    if target <= position:
        return position
    if cancelled is not None and cancelled.is_set():
        raise _Cancelled
    stride = out.strides[1]
    buffers = (ctypes.c_void_p * 2)(out[0].ctypes.data + position * stride,
                                    out[1].ctypes.data + position * stride)
    if lib.process(synth, target - position, 0, None, 2, buffers) != 0:
        raise RenderError("fluid_synth_process failed")
    on_samples(target - position)
    return target


def _ring_out(lib: _Library, synth: int, out: np.ndarray, position: int, cap: int,
              on_samples: Callable[[int], None], cancelled: threading.Event | None) -> int:
    threshold = 10 ** (SILENCE_DBFS / 20)
    while position < cap and lib.voices(synth) > 0:
        start = position
        position = _advance(lib, synth, out, position, min(position + _TAIL_STEP, cap), on_samples, cancelled)
        if np.abs(out[:, start:position]).max() < threshold:
            break
    on_samples(cap - position)  # the rest of this track's share of the progress bar
    return position


def _is_drums(track: Track) -> bool:
    return track.bank == 128 or track.channel == DRUM_CHANNEL or track.is_drums


def _select_preset(lib: _Library, synth: int, track: Track) -> int:
    # Through bank select + program change, as a MIDI file would, so FluidSynth's own fallbacks for a
    # preset the SoundFont lacks apply exactly as in its CLI. Channel 9 is a drum channel: bank 128.
    if _is_drums(track):
        lib.program_change(synth, DRUM_CHANNEL, track.program)
        return DRUM_CHANNEL
    lib.bank_select(synth, 0, track.bank)
    lib.program_change(synth, 0, track.program)
    return 0


@contextmanager
def _synth(lib: _Library, soundfont: Path, rate: int) -> Iterator[int]:
    with _create_lock:
        settings = lib.new_settings()
        lib.setnum(settings, b"synth.sample-rate", float(rate))
        for name, value in _SYNTH_SETTINGS:
            setter = lib.setnum if isinstance(value, float) else lib.setint
            setter(settings, name.encode(), value)
        synth = lib.new_synth(settings)
        with _c_stderr_dropped():  # libinstpatch's GLib warnings about a damaged file (FluidSynth's own: _fluid_log)
            loaded = lib.sfload(synth, str(soundfont).encode(), 0)
    try:
        if loaded < 0:
            said = _last_fluid_error()
            raise RenderError(f"FluidSynth could not load the SoundFont {soundfont}"
                              f"{f' ({said})' if said else ''}; {INSTALL_HINT}")
        yield synth
    finally:
        lib.delete_synth(synth)
        lib.delete_settings(settings)


# --- the library -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Library:
    """The FluidSynth calls we make: pyfluidsynth's prototypes plus two it does not declare."""

    new_settings: Callable
    setnum: Callable
    setint: Callable
    delete_settings: Callable
    new_synth: Callable
    delete_synth: Callable
    sfload: Callable
    bank_select: Callable
    program_change: Callable
    noteon: Callable
    noteoff: Callable
    cc: Callable
    voices: Callable
    process: Callable
    version: Callable


_LogFunction = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_fluid_log: list[str] = []  # FluidSynth's own messages; the last errors explain a SoundFont it cannot load
_fluid_log_lock = threading.Lock()


@_LogFunction
def _keep_log_line(level: int, message: bytes | None, data: object) -> None:
    with _fluid_log_lock:
        _fluid_log.append((message or b"").decode("utf-8", "replace").strip())
        del _fluid_log[:-20]


@contextmanager
def _c_stderr_dropped() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null meanwhile: C libraries print there, past Python's sys.stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _last_fluid_error() -> str:
    with _fluid_log_lock:
        return _fluid_log[-1] if _fluid_log else ""


@cache
def _library() -> _Library:
    try:
        import fluidsynth as fs
    except ImportError as error:
        raise RenderError(f"the FluidSynth library is not available ({error}); install the Debian "
                          f"package libfluidsynth3") from None
    process = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p,
                               ctypes.c_int, ctypes.c_void_p)(("fluid_synth_process", fs._fl))
    version = ctypes.CFUNCTYPE(ctypes.c_char_p)(("fluid_version_str", fs._fl))
    set_log = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int, _LogFunction, ctypes.c_void_p)(
        ("fluid_set_log_function", fs._fl))
    for level in range(5):  # panic, error, warning, info, debug: none reaches the terminal
        set_log(level, _keep_log_line, None)
    return _Library(fs.new_fluid_settings, fs.fluid_settings_setnum, fs.fluid_settings_setint,
                    fs.delete_fluid_settings, fs.new_fluid_synth, fs.delete_fluid_synth, fs.fluid_synth_sfload,
                    fs.fluid_synth_bank_select, fs.fluid_synth_program_change, fs.fluid_synth_noteon,
                    fs.fluid_synth_noteoff, fs.fluid_synth_cc, fs.fluid_synth_get_active_voice_count,
                    process, version)


def _usable(path: Path) -> bool:
    """A cached raw stem that is there, of the length it was saved with, with a readable header (the
    cheap checks: a stem is read through only if it is mixed, `drop_damaged`). A damaged one is reported
    in one line and rendered again."""
    if not path.exists():
        return False
    try:
        if array_plausible(path):
            _stored_length(path)
            return True
    except (OSError, ValueError):
        pass
    _drop(path)
    return False


def drop_damaged(stems: list[Stem]) -> bool:
    """Read every cached stem through before it is mixed; drop those whose checksum is not what was
    saved (each reported in one line). True if any was dropped: render the stems again."""
    damaged = [stem.path for stem in stems if stem.cached and not array_intact(stem.path)]
    for path in damaged:
        _drop(path)
    return bool(damaged)


def _drop(path: Path) -> None:
    print(f"song: the cached stem {path.stem[:12]} was damaged; rendering it again", file=sys.stderr)
    drop_array(path)


def _stored_length(path: Path) -> int:
    with PlanarReader(path) as reader:
        return reader.length


def _cost(part: Track, ppq: int) -> int:
    # A rough render cost in ticks: each note's voices sound for its length plus about a beat of
    # release. The beat matters: a drum hit rings far beyond its short written length.
    return sum(n.dur + ppq for n in part.notes)


def _sha256(handle: BinaryIO, stamp: str, cache_dir: Path | None) -> str:
    memo = cache_dir / "soundfonts" / f"{hashlib.sha256(stamp.encode()).hexdigest()}.sha256" if cache_dir else None
    if memo is not None and memo.exists():
        remembered = memo.read_text().strip()
        if re.fullmatch(r"[0-9a-f]{64}", remembered):
            return remembered
    digest = hashlib.file_digest(handle, "sha256").hexdigest()
    if memo is not None:
        with atomic_output(memo) as tmp:
            tmp.write_text(digest + "\n")
    return digest
