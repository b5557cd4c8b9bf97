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
