"""report_html.folder: a build folder -> its report and MIDI, or one `PageError` saying what is wrong."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import mido

from ..midi import CHARSET
from .view import ReportProblem, ReportView, read_view

REPORT, MIDI, PAGE = "report.json", "song.mid", "report.html"
_BUILD = "`song build FILE -o DIR`"
_REBUILD = f"rebuild the song: {_BUILD}"


class PageError(Exception):
    """A build folder the page cannot be made from (a usage or I/O error: `song report` exits 2).

    Its text is one line: where, what is wrong, what to do.
    """

    def __init__(self, where: str, message: str, help: str = _REBUILD) -> None:
        super().__init__(f"{where}: {message}; {help}")


@dataclass(frozen=True)
class Build:
    """What `song build` left in `folder`: the report, the MIDI, and which audio files are still there."""

    folder: Path
    report: ReportView
    midi: mido.MidiFile
    kept: Path | None = None  # a staged build's output folder, whose unchanged files it does not stage

    def present(self, name: str) -> bool:
        """Whether `name` (as the report gives it, relative to the folder) is a file in the folder.

        Only plain relative paths inside the folder count: the page loads them by relative URL.
        """
        path = PurePosixPath(name)
        if not name or path.is_absolute() or "\\" in name or ".." in path.parts:
            return False
        return any((folder / path).is_file() for folder in (self.folder, self.kept) if folder is not None)


def read_build(folder: Path) -> Build:
    """Read report.json and song.mid from `folder`; raises PageError on any problem."""
    if not folder.exists():
        raise PageError(str(folder), "no such build folder", f"build the song there first: {_BUILD}")
    if not folder.is_dir():
        raise PageError(str(folder), "not a folder", f"name the build folder that holds it, e.g. {folder.parent}/")
    report_path = folder / REPORT
    if not report_path.is_file():
        raise PageError(str(folder), f"not a build folder: there is no {REPORT}", f"build the song there first: {_BUILD}")
    return Build(folder, read_report(report_path), read_midi(folder / MIDI))


def read_report(path: Path) -> ReportView:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PageError(str(path), f"cannot read the report: {_reason(err)}") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as err:
        raise PageError(f"{path}:{err.lineno}:{err.colno}", f"not valid JSON: {err.msg}") from None
    try:
        return read_view(parsed)
    except ReportProblem as err:
        raise PageError(str(path), f"not a songspec report: {err}") from None


def read_midi(path: Path) -> mido.MidiFile:
    if not path.is_file():
        raise PageError(str(path.parent), f"there is no {MIDI} beside {REPORT}")
    try:
        return mido.MidiFile(path, charset=CHARSET)
    except OSError as err:
        raise PageError(str(path), f"cannot read the MIDI file: {_reason(err)}") from None
    except Exception as err:  # noqa: BLE001 — mido's parser raises many types (EOFError, ValueError, KeyError…) on damaged files
        raise PageError(str(path), f"not a readable MIDI file: {_reason(err)}") from None


def _reason(err: BaseException) -> str:
    if isinstance(err, EOFError):
        return "it ends too early"
    text = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return text.splitlines()[0]
