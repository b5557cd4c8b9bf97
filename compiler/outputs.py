"""outputs: the output contract — which files a build writes, where, and which it may ever delete.

A build writes only these names inside its output folder:

    song.mid  report.json  report.html  master.wav | master.flac  stems/<track>.flac | .wav
    stems/reverb.flac | .wav  .cache/

plus its own bookkeeping (`.songspec-manifest.json`, and `.staging-*` folders while it runs). It
deletes only files an earlier build listed in the manifest as written by it, so a recording or a
song a musician keeps in the same folder is never touched. The output folder may not be, or hold,
the song's own sources, and may not lie inside a build's `.cache`.

`.cache/build.json` holds the last build's key (`uptodate.build_key`: everything the build read) and
the size and modification time of each file it wrote, so a rebuild with the same key whose files are
all still as written does nothing (`is_up_to_date`). It is kept in the cache, not the manifest, so two
equal builds leave equal manifests. `clean` deletes what builds wrote, and nothing else.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import threading
from pathlib import Path
from typing import Iterable, Iterator

from .atomic import write_atomic

MANIFEST = ".songspec-manifest.json"
CACHE = ".cache"
BUILD_STAMP = f"{CACHE}/build.json"
# In a build given a shared stem store (a batch's): the store's files its outputs were made from.
SHARED_STEMS_RECORD = "shared-stems.json"
FIXED_NAMES = ("song.mid", "report.json", "report.html", "master.wav", "master.flac")
STEMS = "stems"
# --stems: the stem files' format; FLAC 24-bit by default (lossless at the stems' level, about a third
# of the float size), 32-bit float WAV for a DAW session that wants to push a stem past full scale.
STEM_FORMATS = {"flac24": "flac", "wav32": "wav"}
DEFAULT_STEMS = "flac24"
REVERB_STEM = "reverb"  # stems/reverb.wav: the shared reverb bus's return, mixed in at its wet level
COUNT_IN_TRACK = "click"  # the count-in's track: a song's own track may not take its name or stem


class OutputError(Exception):
    """The output folder cannot be used safely (exit 2); the message says what to write instead."""


def safe_name(text: str, fallback: str) -> str:
    """`text` as one plain file-name part: letters, digits, `.`, `_` and `-`; never empty, `.` or `..`.

    Example:
        >>> safe_name("lead#", "track"), safe_name("..", "song"), safe_name("Autumn Leaves", "song")
        ('lead_', 'song', 'Autumn_Leaves')
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip(".")
    return safe if safe.strip("_") else fallback


def default_out_dir(song_path: str | os.PathLike[str]) -> Path:
    """`out/<song file's stem>`, made safe: `...song`, `song.mid` or a name with `/` stay inside `out/`."""
    return Path("out") / safe_name(Path(song_path).stem, "song")


def stem_file(track_name: str, stems: str = DEFAULT_STEMS) -> str:
    """The stem's path inside the output folder, e.g. `stems/bass.flac` (`stems/bass.wav` with wav32)."""
    return f"{STEMS}/{safe_name(track_name, 'track')}.{STEM_FORMATS[stems]}"


def stem_clash_key(track_name: str) -> str:
    """Tracks whose keys are equal would share a stem file (case-folded: macOS and Windows fold case)."""
    return stem_file(track_name).casefold()


def check_out_dir(out_dir: Path, sources: Iterable[str]) -> None:
    """Refuse an output folder that is, or holds, one of the song's sources, or that lies in a `.cache`.

    Raises:
        OutputError: saying which source is in the way and what to pass instead.
    """
    out = out_dir.resolve()
    if CACHE in out.parts:
        raise OutputError(f"{out_dir} is inside a build's {CACHE} folder, which songspec prunes; "
                          "write e.g. -o out/song")
    for name in sources:
        source = Path(name).resolve()
        if source == out or out in source.parents:
            raise OutputError(f"the output folder {out_dir} holds the song's source {name}, which a build "
                              f"could overwrite or delete; write e.g. -o {default_out_dir(name)}")


def read_manifest(out_dir: Path) -> set[str]:
    """The files (relative paths) earlier builds wrote into `out_dir`; empty if none did or it is unreadable."""
    names = _manifest(out_dir).get("written")
    if not isinstance(names, list):
        return set()
    return {name for name in names if isinstance(name, str) and is_output_name(name)}


def _manifest(out_dir: Path) -> dict:
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def is_up_to_date(out_dir: Path, key: str) -> bool:
    """Whether the last build into `out_dir` had this key and every file it wrote is still as it left it
    (same size and modification time: a stem edited in a DAW, or a deleted report, means build again)."""
    try:
        stamp = json.loads((out_dir / BUILD_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict) or stamp.get("key") != key or not isinstance(stamp.get("files"), dict):
        return False
    return bool(stamp["files"]) and all(_stat(out_dir / name) == tuple(seen) if isinstance(seen, list) else False
                                        for name, seen in stamp["files"].items())


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def is_output_name(name: str) -> bool:
    """Whether `name` (relative to the output folder) is a name a build writes (the manifest holds no others)."""
    if name in FIXED_NAMES:
        return True
    folder, _, file = name.partition("/")
    return (folder == STEMS and file.endswith(tuple(f".{ext}" for ext in STEM_FORMATS.values()))
            and safe_name(file, "") == file)


def finish_outputs(out_dir: Path, written: Iterable[str], *, replaces_audio: bool, key: str | None = None) -> None:
    """Record what this build wrote; on a full build, delete what earlier builds wrote and this one did not.

    A MIDI-only build leaves an earlier build's audio in place (and in the manifest), as it always has.
    With `key`, `.cache/build.json` records it with each written file's size and modification time,
    which `is_up_to_date` compares; without, that record is removed (the folder is not known to be
    any one build's).
    """
    previous, current = read_manifest(out_dir), set(written)
    kept = current | ({name for name in previous if (out_dir / name).is_file()} - _audio(previous)
                      if replaces_audio else previous)
    write_atomic(out_dir / MANIFEST, (json.dumps({"written": sorted(kept)}, indent=1) + "\n").encode())
    if key is None:
        (out_dir / BUILD_STAMP).unlink(missing_ok=True)
    else:
        files = {name: list(_stat(out_dir / name) or (-1, -1)) for name in sorted(current)}
        write_atomic(out_dir / BUILD_STAMP, json.dumps({"key": key, "files": files}).encode())
    for stale in sorted(previous - kept):
        try:
            (out_dir / stale).unlink()
        except FileNotFoundError:
            pass


def _audio(names: set[str]) -> set[str]:
    return {name for name in names if name.startswith(f"{STEMS}/") or name.startswith("master.")}


class Staging:
    """A build's outputs, made in `<out>/.staging-<pid>` and moved into place together by `commit`.

    An interrupted build (Ctrl-C, an error) removes its staging folder and leaves the previous set. A
    killed one leaves the folder behind; the next build removes it, or, if it had been committed (its
    journal written), finishes moving it into place first. The moves run with SIGINT and SIGTERM held.
    """

    def __init__(self, out_dir: Path, *, replaces_audio: bool) -> None:
        self.out_dir, self.replaces_audio = out_dir, replaces_audio
        self.folder = out_dir / f"{STAGING_PREFIX}{os.getpid()}"

    def __enter__(self) -> Staging:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        recover(self.out_dir)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()
        return self

    def commit(self, written: list[str], key: str | None = None) -> None:
        """Move `written` (relative names) from the staging folder into the output folder; `key` is the
        build's (`uptodate.build_key`), recorded so that the same build again can do nothing."""
        write_atomic(self.folder / JOURNAL, json.dumps({"written": written, "audio": self.replaces_audio}).encode())
        with _signals_held():
            _move_into_place(self.folder, self.out_dir, written, replaces_audio=self.replaces_audio, key=key)

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


STAGING_PREFIX = ".staging-"
JOURNAL = ".committed.json"


def recover(out_dir: Path) -> None:
    """Finish or remove what killed builds left: committed staging folders are moved into place, the
    rest deleted, and temp files (`.*.<pid>.*.part`) of processes no longer running are removed."""
    for staging in sorted(out_dir.glob(f"{STAGING_PREFIX}*")):
        if _alive(staging.name.removeprefix(STAGING_PREFIX)):
            continue  # another build into the same folder is still running
        try:
            journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
            _move_into_place(staging, out_dir, journal["written"], replaces_audio=journal["audio"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # never committed: the previous set is still in place
        shutil.rmtree(staging, ignore_errors=True)
    for folder in (out_dir, out_dir / STEMS, *(out_dir / CACHE / part for part in ("", "stems", "mix", "soundfonts"))):
        _remove_dead_parts(folder)


def _move_into_place(staging: Path, out_dir: Path, written: list[str], *, replaces_audio: bool,
                     key: str | None = None) -> None:
    # A recovered journal records no key: the next build cannot know the folder is up to date, so it builds.
    if any(name.startswith(f"{STEMS}/") for name in written):
        (out_dir / STEMS).mkdir(exist_ok=True)
    for name in written:
        # Not staged: moved already (a recovered journal), or unchanged in place (a cached stem).
        if (staging / name).exists():
            os.replace(staging / name, out_dir / name)
    finish_outputs(out_dir, written, replaces_audio=replaces_audio, key=key)


def _remove_dead_parts(folder: Path) -> None:
    for part in folder.glob(".*.part"):
        fields = part.name.rsplit(".", 4)  # .<name>.<pid>.<thread>.<n>.part
        if len(fields) == 5 and fields[1].isdigit() and not _alive(fields[1]):
            shutil.rmtree(part, ignore_errors=True) if part.is_dir() else part.unlink(missing_ok=True)


def _alive(pid_text: str) -> bool:
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True  # another build in this process may be writing; its own clean-up removes its files
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM (delivered on exit) while a few renames run; only the main thread can."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def record_shared_stems(cache_dir: Path, names: set[str]) -> None:
    """Write `cache_dir/SHARED_STEMS_RECORD`: the files of the shared stem store this build's outputs were
    made from. The store's owner (`song batch`) keeps what its builds' records name and prunes the rest;
    the record stays while the build is up to date, so a build that writes nothing still claims its stems."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(cache_dir / SHARED_STEMS_RECORD, (json.dumps(sorted(names), indent=0) + "\n").encode())


def shared_stems_of(out_dir: Path) -> set[str] | None:
    """The shared-store files the record of the build in `out_dir` names, or None if it has none."""
    try:
        names = json.loads((out_dir / CACHE / SHARED_STEMS_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return set(names) if isinstance(names, list) and all(isinstance(n, str) for n in names) else None


def clean(out_dir: Path, *, cache_only: bool = False) -> list[str]:
    """Delete what builds wrote into `out_dir`: the files its manifest lists, `.cache/`, leftovers of
    killed builds and the manifest; then `stems/` and `out_dir` itself if nothing else is left in them.
    With `cache_only`, only `.cache/` goes (the outputs stay, and stay up to date).

    Returns the names deleted (relative to `out_dir`), for the caller to report.

    Raises:
        OutputError: `out_dir` is not a folder a build wrote (it has no manifest): nothing is deleted.
    """
    if not (out_dir / MANIFEST).is_file():
        raise OutputError(f"{out_dir} is not a build folder (it has no {MANIFEST}); nothing deleted. "
                          "Name a folder `song build` wrote, e.g. out/song")
    recover(out_dir)
    removed = [CACHE + "/"] if (out_dir / CACHE).is_dir() else []
    shutil.rmtree(out_dir / CACHE, ignore_errors=True)
    if cache_only:
        return removed
    for name in sorted(read_manifest(out_dir)):
        if (out_dir / name).is_file():
            (out_dir / name).unlink()
            removed.append(name)
    (out_dir / MANIFEST).unlink()
    for folder in (out_dir / STEMS, out_dir):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty: a musician's own files keep it
    return removed
