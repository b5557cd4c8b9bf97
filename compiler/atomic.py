"""atomic: every output file is made under a temporary name beside it and renamed into place.

A build that fails or is interrupted (Ctrl-C included) leaves the previous file or none, never a
truncated one: the temp file lives in the same folder (same file system, so `os.replace` is atomic)
and is removed on any exception.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from pathlib import Path
from typing import Iterator

_temp_counter = itertools.count()


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temp path beside `path`; on a clean exit rename it over `path`, otherwise delete it.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "x.txt"
        >>> with atomic_output(target) as tmp:
        ...     _ = tmp.write_text("done")
        >>> target.read_text()
        'done'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: readers see the old file or the whole new one."""
    with atomic_output(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)


def temp_name(path: Path) -> Path:
    """A unique hidden name beside `path` for building it before the rename."""
    # pid + thread + counter keeps concurrent writers apart without random names.
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.{next(_temp_counter)}.part")


class ReadOnly(Exception):
    """The file to rewrite is read-only: it is left alone (exit 2)."""


def rewrite_in_place(path: Path, data: bytes) -> None:
    """Replace the contents of `path` with `data`, keeping the file itself: through a symlink to its
    target, with its inode (so hard links stay links), owner, mode and extended attributes.

    The old contents are first copied to a hidden backup beside the target (readable by its owner
    only); if writing fails the backup is put back, and it is removed once the new contents are on
    disk. A read-only file raises ReadOnly (even for root, who could write it anyway).
    """
    target = Path(os.path.realpath(path))
    if not target.stat().st_mode & 0o222 or not os.access(target, os.W_OK):
        raise ReadOnly(f"{path} is read-only; nothing was changed (make it writable with chmod u+w)")
    backup = temp_name(target).with_suffix(".bak")
    old = target.read_bytes()
    _write_new(backup, old, mode=0o600)
    try:
        with open(target, "r+b") as handle:
            handle.write(data)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with open(target, "r+b") as handle:  # put the old text back
            handle.write(old)
            handle.truncate()
        raise
    finally:
        os.unlink(backup)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
