"""uptodate: a song, its library files, the build options and the SoundFont -> the build key.

The key is a digest of everything a build reads: the song's text and every library file it loaded
(its styles and `use`d files), the options, the SoundFont's content hash, the compiler's own code and
the versions of the libraries that make the audio. A build whose key equals the one the output
folder's manifest records, and whose files are all still as that build left them, would write the
same bytes again, so it writes nothing (`outputs.is_up_to_date`).

Comments and layout count as changes (the key hashes text, not meaning): such a rebuild finds its
stems and mix in the cache and costs about a fifth of a first build.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path

from . import __version__
from .library import Library
from .resources import data_dir
from .source import Source

_PACKAGE = Path(__file__).resolve().parent
_CODE_SUFFIXES = {".py", ".js", ".css", ".html", ".lark"}
_AUDIO_LIBRARIES = ("numpy", "pedalboard", "soundfile", "pyloudnorm")


def build_key(source: Source, library: Library, options: dict, soundfont: dict | None) -> str:
    """The digest of one build's inputs.

    Args:
        source: the song.
        library: the library that resolved it (its `sources` are the files it loaded).
        options: the build's options as JSON-able values (`pipeline.BuildOptions.key_fields`).
        soundfont: `render.soundfont_identity` of the SoundFont, or None for a MIDI-only build.
    """
    texts = {name: _digest(text.text) for name, text in sorted(library.sources.items())}
    spec = {"songspec": __version__, "code": code_identity(), "song": [source.path, _digest(source.text)],
            "library": texts, "options": options, "soundfont": soundfont, "versions": _versions(soundfont)}
    return _digest(json.dumps(spec, sort_keys=True, default=str))


@cache
def code_identity() -> str:
    """A digest of the compiler's code and grammar: a changed module is a changed build (a few ms)."""
    digest = hashlib.sha256()
    for folder in (_PACKAGE, data_dir("grammar")):
        for path in sorted(folder.rglob("*")):
            if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _versions(soundfont: dict | None) -> dict:
    if soundfont is None:
        return {}
    import soundfile

    from .audio.render import fluidsynth_version

    return {"fluidsynth": fluidsynth_version(), "libsndfile": soundfile.__libsndfile_version__,
            **{name: _version(name) for name in _AUDIO_LIBRARIES}}


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
