"""files: float32 audio (2, n) -> WAV/FLAC/.npy files and cache folders, each made under a temp name and renamed.

A build that fails or is interrupted leaves either the previous file or none, never a truncated one:
the data goes to a hidden `.<name>.<pid>.<thread>.<n>.part` file in the same folder (same file system, so the
final `os.replace` is atomic) and the temp file is removed on any exception, KeyboardInterrupt included.
Nothing written depends on the clock: WAV float files would carry a timestamped PEAK chunk, so it is
switched off, and 16-bit dither comes from a generator seeded by the caller.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Literal

import numpy as np
import soundfile

from compiler.atomic import atomic_output, temp_name, write_atomic

Subtype = Literal["FLOAT", "PCM_16", "PCM_24"]

_SFC_SET_ADD_PEAK_CHUNK = 0x1050  # libsndfile command; the PEAK chunk stores time(NULL)
_FULL_SCALE = {"PCM_16": 2**15, "PCM_24": 2**23}
_COPY_BLOCK = 1 << 20


def save_array(path: Path, array: np.ndarray) -> None:
    """Write `array` as an .npy file atomically (the render cache), and beside it `<name>.sum`, its
    length and CRC-32, which `array_intact` checks before a cached array is used.

    Row by row: a stem is usually a view of a longer buffer, and np.save copies such a view through a
    small buffer, 20 times slower than writing its two contiguous rows.
    """
    with atomic_output(path) as tmp, open(tmp, "wb") as f:
        np.lib.format.write_array_header_1_0(f, np.lib.format.header_data_from_array_1_0(array))
        for row in np.atleast_2d(array):
            f.write(np.ascontiguousarray(row).data)
    write_atomic(_sum_path(path), json.dumps(file_check(path)).encode())


def array_intact(path: Path) -> bool:
    """Whether the .npy `path` is the one `save_array` wrote (its length and CRC-32 match its `.sum`)."""
    try:
        return tuple(json.loads(_sum_path(path).read_text())) == file_check(path)
    except (OSError, ValueError, TypeError):
        return False


def array_plausible(path: Path) -> bool:
    """The cheap check of a cached array, without reading it: its `.sum` is there and its length matches
    (a truncated or replaced file fails it); `array_intact` reads it through."""
    try:
        length, _ = json.loads(_sum_path(path).read_text())
        return path.stat().st_size == length
    except (OSError, ValueError, TypeError):
        return False


def drop_array(path: Path) -> None:
    """Delete a cached array and its `.sum`."""
    for name in (path, _sum_path(path)):
        name.unlink(missing_ok=True)


def _sum_path(path: Path) -> Path:
    return path.with_suffix(".sum")


class DamagedEntry(Exception):
    """A cache entry that is not what was written (truncated, overwritten, unreadable): rebuild it."""


def file_check(path: Path) -> tuple[int, int]:
    """(length, CRC-32) of a file: what a cache entry records of the files it depends on."""
    length, crc = 0, 0
    with open(path, "rb") as f:
        while block := f.read(_COPY_BLOCK):
            length, crc = length + len(block), zlib.crc32(block, crc)
    return length, crc


def save_entry(folder: Path, arrays: dict[str, np.ndarray], meta: dict, outputs: dict[str, Path]) -> None:
    """Create the cache folder `folder` whole or not at all: <name>.npy per array, and meta.json with
    the length and CRC-32 of every array and of each output file in `outputs` (name -> where it is now),
    which `load_entry` checks. The outputs are not copied: the entry is of use only while they last.

    It is filled under a temp name beside it and renamed; if another build created it first, ours is dropped.
    """
    tmp = temp_name(folder)
    try:
        tmp.mkdir(parents=True)
        checks = {}
        for name, array in arrays.items():
            save_array(tmp / f"{name}.npy", array)
            checks[f"{name}.npy"] = file_check(tmp / f"{name}.npy")
        files = {name: file_check(path) for name, path in outputs.items()}
        (tmp / "meta.json").write_text(json.dumps({**meta, "checks": checks, "outputs": files}))
        os.rename(tmp, folder)
    except OSError:
        if not folder.is_dir():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class OutputsChanged(DamagedEntry):
    """The output files an entry was made with are no longer there as they were: make them again."""


def load_entry(folder: Path, outputs_in: Path) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and meta of a folder made by `save_entry`.

    Raises:
        OutputsChanged: an output file it recorded is missing from `outputs_in`, or not as it was written.
        DamagedEntry: an array is missing, or its length or checksum is not what was saved.
    """
    try:
        meta = json.loads((folder / "meta.json").read_text())
        checks, outputs = meta.pop("checks"), meta.pop("outputs")
        for name, expected in outputs.items():
            if not _has(outputs_in / name, expected):
                raise OutputsChanged(f"{name} has changed since it was written")
        arrays = {}
        for name, expected in checks.items():
            if file_check(folder / name) != tuple(expected):
                raise DamagedEntry(f"{name} has changed since it was cached")
            arrays[Path(name).stem] = np.load(folder / name)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise DamagedEntry(f"{type(error).__name__}: {error}".splitlines()[0]) from None
    os.utime(folder)  # most recently used: `prune` keeps it
    return arrays, meta


def _has(path: Path, expected: list[int]) -> bool:
    try:
        return file_check(path) == tuple(expected)
    except OSError:
        return False


def prune(parent: Path, keep: int) -> None:
    """Delete all but the `keep` most recently used entry folders in `parent`."""
    entries = [p for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")]
    entries.sort(key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    for stale in entries[keep:]:
        shutil.rmtree(stale, ignore_errors=True)


class PlanarReader:
    """Reads sample ranges of a (2, n) float32 .npy (a raw stem) with plain reads, not a memory map.

    Pages of a mapped file count toward the process's resident memory while it is mapped; six mapped
    3-minute stems would be 400 MB. Use as a context manager.
    """

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran_order, dtype = read_header(f)
            self._offset = f.tell()
        if len(shape) != 2 or shape[0] != 2 or fortran_order or dtype != np.float32:
            raise ValueError(f"{path} is not a (2, n) float32 array")
        self.length = shape[1]
        self._fd = os.open(path, os.O_RDONLY)

    def read(self, start: int, end: int) -> np.ndarray:
        """Samples [start, end) as (2, end - start) float32; past the end of the stem is silence."""
        chunk = np.zeros((2, end - start), np.float32)
        available = max(min(end, self.length) - start, 0)
        for channel in range(2):
            position = self._offset + (channel * self.length + start) * 4
            os.preadv(self._fd, [memoryview(chunk[channel, :available]).cast("B")], position)
        return chunk

    def __enter__(self) -> PlanarReader:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self._fd)


def quantize(chunk: np.ndarray, subtype: Subtype, rng: np.random.Generator | None) -> np.ndarray:
    """Float (2, k) -> interleaved (k, 2) samples for `subtype`: float32 as is, else rounded integers.

    16-bit gets TPDF dither (the difference of two uniform variables, ±1 LSB peak) from `rng`; 24-bit is
    rounded without dither, its error being far below any DAC's noise. Integers are returned as int16 or
    as int32 holding the 24-bit value in the top bytes, the form libsndfile writes without rescaling.
    """
    frames = np.empty((chunk.shape[1], 2), np.float32)  # always a copy: scaled in place below
    # Channel by channel: numpy's general transposing copy (np.array(chunk.T)) is about 8x slower.
    frames[:, 0], frames[:, 1] = chunk[0], chunk[1]
    if subtype == "FLOAT":
        return frames
    scale = _FULL_SCALE[subtype]
    frames *= np.float32(scale)  # a power of two: exact in float32, as is rounding below 2**24
    if subtype == "PCM_16":
        assert rng is not None, "16-bit output needs a seeded generator for its dither"
        frames += rng.random(frames.shape, np.float32) - rng.random(frames.shape, np.float32)
    np.clip(np.rint(frames, out=frames), -scale, scale - 1, out=frames)  # in place: no more full-size temporaries
    if subtype == "PCM_16":
        return frames.astype(np.int16)
    ints = frames.astype(np.int32)
    ints <<= 8
    return ints


class AudioWriter:
    """Streams float32 (2, k) chunks into a WAV or FLAC file that appears only when complete.

    Use as a context manager; `write` may be called any number of times. `seed` feeds the 16-bit dither.
    """

    def __init__(self, path: Path, rate: int, subtype: Subtype, *, container: str = "WAV", seed: int = 0):
        self.path = path
        self._args = (rate, subtype, container)
        self._rng = np.random.default_rng(seed) if subtype == "PCM_16" else None
        self._stack = contextlib.ExitStack()
        self._file: soundfile.SoundFile | None = None

    def __enter__(self) -> AudioWriter:
        rate, subtype, container = self._args
        with contextlib.ExitStack() as stack:
            # Entered in this order so that on exit the file is closed before it is renamed or removed.
            tmp = stack.enter_context(atomic_output(self.path))
            self._file = stack.enter_context(soundfile.SoundFile(tmp, "w", rate, 2, subtype, format=container))
            if subtype == "FLOAT":
                _without_peak_chunk(self._file)
            self._stack = stack.pop_all()
        return self

    def write(self, chunk: np.ndarray) -> None:
        """Append one (2, k) float32 chunk."""
        self.write_frames(self.frames(chunk))

    def frames(self, chunk: np.ndarray) -> np.ndarray:
        """`chunk` in the file's sample format (`quantize`); call in file order (the dither draws in turn)."""
        return quantize(chunk, self._args[1], self._rng)

    def write_frames(self, frames: np.ndarray) -> None:
        """Append frames made by `frames`."""
        assert self._file is not None, "AudioWriter.write outside its `with` block"
        self._file.write(frames)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stack.__exit__(kind, error, trace)


def write_audio(path: Path, audio: np.ndarray, rate: int, subtype: Subtype, *, container: str = "WAV",
                seed: int = 0, chunk: int = 1 << 18) -> None:
    """Write a whole (2, n) float32 array in chunks (so no full-size integer copy is made).

    The next chunk is quantized on a second thread while one is encoded and written (both release the
    GIL); only one chunk runs ahead, and the one worker takes them in order, so the dither is drawn as
    in a plain loop.
    """
    starts = range(0, audio.shape[1], chunk)
    with AudioWriter(path, rate, subtype, container=container, seed=seed) as writer, \
            ThreadPoolExecutor(1, thread_name_prefix="quantize") as pool:
        ahead = pool.submit(writer.frames, audio[:, :chunk]) if starts else None
        for start in starts:
            frames = ahead.result()
            if start + chunk < audio.shape[1]:
                ahead = pool.submit(writer.frames, audio[:, start + chunk:start + 2 * chunk])
            writer.write_frames(frames)


def _without_peak_chunk(f: soundfile.SoundFile) -> None:
    # soundfile has no public switch for this libsndfile command; the PEAK chunk would make float
    # files differ from build to build by their timestamp.
    soundfile._snd.sf_command(f._file, _SFC_SET_ADD_PEAK_CHUNK, soundfile._ffi.NULL, 0)
