"""songspec: compile plain-text .song charts into MIDI, stems and a mastered backing track.

The public surface, imported lazily so `song check` starts without the audio stack:

    >>> from compiler import Source, Library, front_end
    >>> song = front_end(Source("t.song", "style jazz.swing\\nsection A\\n  | ii7 V7 | Imaj7 |\\n"), Library()).song
    >>> [slot.chord.name for bar in song.bars for slot in bar.slots]
    ['Dm7', 'G7', 'Cmaj7']
"""

from importlib import import_module

__version__ = "0.1.0"
__all__ = ["BuildOptions", "Checked", "Diagnostic", "FrontOptions", "Library", "SongError", "Source", "build", "front_end", "parse",
           "__version__"]

_HOMES = {"BuildOptions": "pipeline", "Checked": "pipeline", "Diagnostic": "errors", "FrontOptions": "pipeline", "build": "pipeline", "front_end": "pipeline",
          "Library": "library", "SongError": "errors", "Source": "source", "parse": "parse"}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
