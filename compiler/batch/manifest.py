"""batch.manifest: a batch manifest (TOML) -> checked `Entry`s, or located diagnostics (E250-E253, E255).

    [[job]]
    song = "specs/medium_swing.song"   # or a glob ("specs/*.song"), relative to the manifest's folder
    keys = ["Bb", "C", "Eb", "G"]      # or "all", or semitone offsets [0, 2, -3]
    tempos = [100, "80%"]              # BPM, or a share of the written tempo
    minus = "each"                     # or ["bass", "piano"]: one minus-one build per track

tomllib reads the TOML; it keeps no positions, so a value's place is found again in the text
(`Locator`): the `[[job]]` table it is in, the line of its key, and the item inside the value.
"""

from __future__ import annotations

import glob
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from ..errors import Diagnostic, SongError
from ..pitch import Key, parse_key_text
from ..source import Source, Span
from ..suggest import suggestion_text

FORMATS = ("wav", "flac")
MAX_TRANSPOSE = 24  # semitones either way, as `song build --transpose`


@dataclass(frozen=True)
class Tempo:
    """A tempo asked for: `bpm`, or `percent` of the song's written tempo."""

    bpm: Fraction | None = None
    percent: Fraction | None = None


KeyChoice = Key | int  # a key to play in (`--key`), or semitones to move (`--transpose`)


@dataclass(frozen=True)
class Entry:
    """One `[[job]]` table: its songs and the variants each is built in.

    `keys` is None for the written key, "all" for the twelve, or the keys and offsets listed;
    `tempos` is empty for the written tempo; `minus` is "each" or track names, one minus-one build
    each (beside the full band unless `full` is false). `spans` locates each setting's value.
    """

    index: int
    span: Span
    songs: tuple[Path, ...]
    keys: str | tuple[KeyChoice, ...] | None = None
    tempos: tuple[Tempo, ...] = ()
    minus: str | tuple[str, ...] = ()
    full: bool = True
    mute: tuple[str, ...] = ()
    solo: tuple[str, ...] = ()
    midi_only: bool = False
    format: str | None = None
    stems: str | None = None
    master: str | None = None
    seed: int | None = None
    count_in: int = 0
    soundfont: Path | None = None
    label: str | None = None
    spans: dict[str, Span] = field(default_factory=dict, compare=False)


class _Bad(Exception):
    """A setting's value that cannot be used; `item` is the part of it at fault, to locate."""

    def __init__(self, message: str, help: str, item: Any = None, code: str = "E252") -> None:
        super().__init__(message)
        self.message, self.help, self.item, self.code = message, help, item, code


def read_manifest(source: Source) -> list[Entry]:
    """The manifest's entries, checked. Raises SongError with every problem found, each located."""
    locator = Locator(source)
    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as error:
        raise SongError([_syntax_error(source, locator, error)]) from None
    problems: list[Diagnostic] = []
    entries = []
    for name in data:
        if name != "job":
            problems.append(Diagnostic("E251", f"unknown manifest table or setting `{name}`",
                                       locator.top_level(name), "write each job as a [[job]] table"))
    tables = data.get("job", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        problems.append(Diagnostic("E252", "`job` must be [[job]] tables", locator.top_level("job"),
                                   'write [[job]] and song = "…" under it'))
        tables = []
    for index, table in enumerate(tables):
        entry = _entry(index, table, locator, source, problems)
        if entry is not None:
            entries.append(entry)
    if not tables and not problems:
        problems.append(Diagnostic("E255", "the manifest names no jobs", locator.start(),
                                   '[[job]]\nsong = "specs/medium_swing.song"'))
    if problems:
        raise SongError(problems)
    return entries


def _syntax_error(source: Source, locator: Locator, error: tomllib.TOMLDecodeError) -> Diagnostic:
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(error))
    span = locator.at(int(found.group(1)), int(found.group(2))) if found else locator.end()
    return Diagnostic("E250", f"the manifest is not TOML: {message.lower()}", span,
                      'write settings as `name = value`, strings in quotes: song = "specs/x.song"')


def _entry(index: int, table: dict, locator: Locator, source: Source, problems: list[Diagnostic]) -> Entry | None:
    header = locator.job(index)
    values: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    for name, value in table.items():
        spans[name] = locator.value(index, name)
        reader = _READERS.get(name)
        if reader is None:
            hint = suggestion_text(name, _READERS) or f"settings: {', '.join(_READERS)}"
            problems.append(Diagnostic("E251", f"unknown job setting `{name}`", locator.key(index, name), hint))
            continue
        try:
            values[name] = reader(value, Path(source.path).parent)
        except _Bad as bad:
            span = locator.item(index, name, bad.item) if bad.item is not None else spans[name]
            problems.append(Diagnostic(bad.code, bad.message, span, bad.help))
    if "song" not in table:
        problems.append(Diagnostic("E252", "this job names no song", header,
                                   'add song = "specs/x.song" (or a glob, "specs/*.song")'))
    if "song" not in values:
        return None
    if "keys" in values:
        values["keys"] = _all_or_list(values["keys"])
    return Entry(index=index, span=header, songs=values.pop("song"), spans=spans, **values)


def _all_or_list(keys):
    return keys if keys == "all" else tuple(keys)


# -- the settings ------------------------------------------------------------------------------------
def _songs(value: Any, folder: Path) -> tuple[Path, ...]:
    """A file or a glob (`**` reaches into subfolders), relative to the manifest's folder."""
    text = _string(value, 'song = "specs/medium_swing.song"')
    # Absolute: a Dask worker on another machine runs in another folder.
    pattern = str((folder / text).absolute())
    if glob.has_magic(text):
        found = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
        if not found:
            raise _Bad(f"no file matches {text!r}", "the pattern is read from the manifest's folder", code="E253")
        return tuple(found)
    if not Path(pattern).is_file():
        raise _Bad(f"no such song: {text}", "the path is read from the manifest's folder", code="E253")
    return (Path(pattern),)


def _keys(value: Any, folder: Path) -> str | list[KeyChoice]:
    if value == "all":
        return "all"
    items = value if isinstance(value, list) else [value]
    return [_key(item) for item in items]


def _key(item: Any) -> KeyChoice:
    if isinstance(item, bool) or not isinstance(item, (str, int)):
        raise _Bad(f"{item!r} is not a key", 'write keys = ["Bb", "F#m"], "all", or semitones [0, 2, -3]', item)
    if isinstance(item, int):
        if abs(item) > MAX_TRANSPOSE:
            raise _Bad(f"{item} semitones is too far", f"move at most {MAX_TRANSPOSE} semitones either way", item)
        return item
    try:
        return parse_key_text(item)
    except ValueError as err:
        raise _Bad(f"{item!r} is not a key", str(err) or 'write e.g. "Bb", "F#m" or "E minor"', item) from None


def _tempos(value: Any, folder: Path) -> tuple[Tempo, ...]:
    return tuple(_tempo(item) for item in (value if isinstance(value, list) else [value]))


def _tempo(item: Any) -> Tempo:
    example = 'write tempos = [100, 160] (BPM) or ["80%", "100%"] (of the written tempo)'
    if isinstance(item, str) and item.strip().endswith("%"):
        share = _number(item.strip()[:-1], item, example)
        if not 10 <= share <= 400:
            raise _Bad(f"{item!r} is not a share from 10% to 400%", example, item)
        return Tempo(percent=share)
    bpm = _number(item, item, example)
    if not 20 <= bpm <= 400:
        raise _Bad(f"{item!r} is not a tempo from 20 to 400 BPM", example, item)
    return Tempo(bpm=bpm)


def _number(text: Any, item: Any, example: str) -> Fraction:
    if isinstance(text, bool) or not isinstance(text, (int, float, str)):
        raise _Bad(f"{item!r} is not a tempo", example, item)
    try:
        return Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise _Bad(f"{item!r} is not a tempo", example, item) from None


def _minus(value: Any, folder: Path) -> str | tuple[str, ...]:
    if value == "each":
        return "each"
    return _names(value, 'minus = "each" (one build without each track) or minus = ["bass", "piano"]')


def _track_names(example: str) -> Callable[[Any, Path], tuple[str, ...]]:
    return lambda value, folder: _names(value, example)


def _names(value: Any, example: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise _Bad(f"{item!r} is not a track name", f"write {example}", item)
    return tuple(dict.fromkeys(item.strip() for item in items))


def _flag(name: str) -> Callable[[Any, Path], bool]:
    def read(value: Any, folder: Path) -> bool:
        if not isinstance(value, bool):
            raise _Bad(f"`{name}` is true or false, not {value!r}", f"write {name} = true")
        return value
    return read


def _choice(name: str, choices: tuple[str, ...]) -> Callable[[Any, Path], str]:
    def read(value: Any, folder: Path) -> str:
        if value not in choices:
            hint = suggestion_text(str(value), choices) or f"one of {', '.join(choices)}"
            raise _Bad(f"`{name}` is one of {', '.join(choices)}, not {value!r}", hint)
        return value
    return read


def _whole(name: str, low: int, high: int) -> Callable[[Any, Path], int]:
    def read(value: Any, folder: Path) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _Bad(f"`{name}` is a whole number from {low} to {high}, not {value!r}", f"write e.g. {name} = {low}")
        return value
    return read


def _master(value: Any, folder: Path) -> str:
    from ..mixspec import MASTER_PRESETS

    return _choice("master", tuple(MASTER_PRESETS))(value, folder)


def _soundfont(value: Any, folder: Path) -> Path:
    text = _string(value, 'soundfont = "sounds/piano.sf2"')
    return (folder / text).absolute()


def _label(value: Any, folder: Path) -> str:
    from ..outputs import safe_name

    text = _string(value, 'label = "slow"')
    if safe_name(text, "") != text:
        raise _Bad(f"the label {text!r} is not a plain folder-name part", "use letters, digits, `.`, `_` and `-`")
    return text


def _string(value: Any, example: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{value!r} is not a string", f"write {example}")
    return value.strip()


_READERS: dict[str, Callable[[Any, Path], Any]] = {
    "song": _songs, "keys": _keys, "tempos": _tempos, "minus": _minus, "full": _flag("full"),
    "mute": _track_names('mute = ["lead"]'), "solo": _track_names('solo = ["bass", "drums"]'),
    "midi_only": _flag("midi_only"), "format": _choice("format", FORMATS), "master": _master,
    "stems": _choice("stems", ("flac24", "wav32")),
    "seed": _whole("seed", 0, 2**31 - 1), "count_in": _whole("count_in", 0, 16), "soundfont": _soundfont,
    "label": _label,
}


# -- places in the text --------------------------------------------------------------------------------
class Locator:
    """Finds a value's place in the manifest's text again (tomllib keeps none): the n-th `[[job]]`
    table, the line of a key in it, an item inside the value."""

    _TABLE = re.compile(r"^[ \t]*\[", re.M)
    _JOB = re.compile(r"^[ \t]*\[\[[ \t]*job[ \t]*\]\]", re.M)

    def __init__(self, source: Source) -> None:
        self.source, self.text = source, source.text
        self._jobs = [m.start() for m in self._JOB.finditer(self.text)]

    def job(self, index: int) -> Span:
        if index >= len(self._jobs):
            return self.start()
        start = self.text.index("[[", self._jobs[index])
        return self._span(start, self.text.index("]]", start) + 2)

    def key(self, index: int, name: str) -> Span:
        found = self._key_match(index, name)
        return self._span(found.start(1), found.end(1)) if found else self.job(index)

    def value(self, index: int, name: str) -> Span:
        found = self._key_match(index, name)
        if not found:
            return self.job(index)
        line_end = self.text.find("\n", found.end())
        end = len(self.text) if line_end < 0 else line_end
        value = self.text[found.end():end].split(" #")[0].rstrip()
        return self._span(found.end(), found.end() + max(len(value), 1))

    def item(self, index: int, name: str, item: Any) -> Span:
        """The first place `item` (a string or number of the value) is written after the key."""
        found = self._key_match(index, name)
        if not found:
            return self.job(index)
        spelled = [f'"{item}"', f"'{item}'"] if isinstance(item, str) else [str(item)]
        places = [p for p in (self.text.find(s, found.end(), self._region_end(index)) for s in spelled) if p >= 0]
        if not places:
            return self.value(index, name)
        start = min(places)
        return self._span(start, start + len(next(s for s in spelled if self.text.startswith(s, start))))

    def top_level(self, name: str) -> Span:
        found = re.search(rf"^[ \t]*\[*[ \t]*({re.escape(name)})\b", self.text, re.M)
        return self._span(found.start(1), found.end(1)) if found else self.start()

    def at(self, line: int, col: int) -> Span:
        lines = self.text.split("\n")
        offset = sum(len(text) + 1 for text in lines[:line - 1]) + col - 1
        return self._span(min(offset, len(self.text)), min(offset + 1, len(self.text)))

    def start(self) -> Span:
        return self._span(0, 0)

    def end(self) -> Span:
        return self._span(len(self.text), len(self.text))

    def _key_match(self, index: int, name: str) -> re.Match | None:
        if index >= len(self._jobs):
            return None
        pattern = re.compile(rf"^[ \t]*[\"']?({re.escape(name)})[\"']?[ \t]*=[ \t]*", re.M)
        return pattern.search(self.text, self._jobs[index], self._region_end(index))

    def _region_end(self, index: int) -> int:
        header_end = self.text.find("\n", self._jobs[index])
        following = self._TABLE.search(self.text, header_end + 1) if header_end >= 0 else None
        return following.start() if following else len(self.text)

    def _span(self, start: int, end: int) -> Span:
        line = self.text.count("\n", 0, start) + 1
        col = start - (self.text.rfind("\n", 0, start) + 1) + 1
        end_line = self.text.count("\n", 0, end) + 1
        end_col = end - (self.text.rfind("\n", 0, end) + 1) + 1
        return Span(self.source.path, line, col, end_line, end_col, start, end)
