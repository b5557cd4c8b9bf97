"""parse_cache: the parsed stdlib kept between processes, so a cold `song check` does not parse it again.

Parsing `stdlib/jazz.song` is most of checking a 100-bar song in a fresh process (the song itself is a
few milliseconds; the style file it takes its style from is hundreds of lines). A style file's syntax
tree is kept as a pickle in the user's cache folder (`$SONGSPEC_CACHE`, else `$XDG_CACHE_HOME/songspec`,
else `~/.cache/songspec`), one file per style file, and used only when everything that made it is the
same: the file's path and text, and the parser itself (the grammar, the modules that build the tree,
the songspec and Python versions). Anything else (no cache folder, a damaged or foreign entry, a
folder another user could write to) means the file is parsed as before; the cache never changes an
answer, it only saves the parse.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from functools import cache
from pathlib import Path

from . import __version__
from . import syntax as S
from .resources import data_dir

# The modules whose code decides what tree a text parses to: any change to them is a new parser.
_PARSER_MODULES = ("parse.py", "syntax.py", "source.py", "limits.py", "syntax_errors.py")


def load(path: Path, text: str) -> S.SongFile | None:
    """The tree stored for `path` with exactly this text and parser, or None."""
    folder = user_cache_folder()
    if folder is None:
        return None
    try:
        with open(folder / _entry_name(path), "rb") as entry:
            key, tree = pickle.load(entry)
    except Exception:  # noqa: BLE001 — missing, damaged or from another layout: parse instead
        return None
    return tree if key == _key(path, text) and isinstance(tree, S.SongFile) else None


def store(path: Path, text: str, tree: S.SongFile) -> None:
    """Keep `tree` for the next process; a cache that cannot be written is no error."""
    folder = user_cache_folder(create=True)
    if folder is None:
        return
    target = folder / _entry_name(path)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(pickle.dumps((_key(path, text), tree), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, target)  # whole or not at all, whatever another process does meanwhile
    except (OSError, pickle.PicklingError):
        temporary.unlink(missing_ok=True)


def _entry_name(path: Path) -> str:
    """One entry per file, so editing the stdlib replaces its entry rather than adding one."""
    return hashlib.sha256(str(path).encode()).hexdigest()[:32] + ".pickle"


def _key(path: Path, text: str) -> str:
    digest = hashlib.sha256(_parser_fingerprint().encode())
    digest.update(str(path).encode() + b"\0" + text.encode())
    return digest.hexdigest()


@cache
def _parser_fingerprint() -> str:
    digest = hashlib.sha256(f"{__version__} {sys.version}".encode())
    digest.update((data_dir("grammar") / "song.lark").read_bytes())
    for name in _PARSER_MODULES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def user_cache_folder(create: bool = False) -> Path | None:
    """The user's cache folder if it is ours alone (a pickle is code, a remembered hash is trusted: never
    read one another user could write). Also holds the SoundFont hash memo (`audio.render`)."""
    configured = os.environ.get("SONGSPEC_CACHE")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = Path(configured) if configured else base / "songspec"
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.stat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder to expand
        return None
    private = status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return folder if stat.S_ISDIR(status.st_mode) and private else None
