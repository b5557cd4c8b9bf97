"""report_html: a build folder (report.json + song.mid) -> report.html, one self-contained page.

A writer beside the pipeline, like the MIDI and JSON writers: `song build` calls `write_page` after
writing report.json, and `song report DIR` calls it on an existing build. The page is made only from
those two files (and whether the audio files named in the report are still in the folder), so a
rebuild and `song report` write the same bytes.

    folder.py   read_build: the folder -> report (view.py: the fields the page reads) + MIDI, or a PageError
    data.py     page_data: report + MIDI -> the page's data, in seconds
    page.html   the template; page.css and the scripts in SCRIPTS are inlined into it, with the data
                as JSON, so the page opens offline from file:// with no network and no server

The page loads the folder's own audio by relative URL: master.wav in an <audio> element, and the
stems into Web Audio for mute/solo (browsers keep file:// pages from reading files' bytes, so there
the reader chooses the build folder once; over http(s) the stems are fetched).
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path

import mido

from .. import __version__
from ..atomic import write_atomic
from .data import BadMidi, Mismatch, page_data
from .folder import MIDI, PAGE, REPORT, Build, PageError, read_build
from .view import read_view

__all__ = ["PAGE", "PageError", "render_page", "write_page"]

SCRIPTS = ("model.js", "views.js", "player.js", "page.js")  # one scope, in this order
_SLOT = re.compile(r"\{\{(\w+)\}\}")


def write_page(folder: Path, written: tuple[dict, mido.MidiFile] | None = None, kept: Path | None = None) -> Path:
    """Write `folder`/report.html from the folder's report.json and song.mid, atomically.

    Args:
        folder: a build folder.
        written: the report (as `report.as_written` gives it) and MIDI file the build has just
            written there, so they need not be read back; the page is the same either way.
        kept: for a staged build (`outputs.Staging`), the output folder, where the files it leaves
            unchanged (and so does not stage) are.

    Raises:
        PageError: the folder, its report or its MIDI cannot be read, they disagree, or the page
            cannot be written.
    """
    build = read_build(folder) if written is None else Build(folder, read_view(written[0]), written[1], kept)
    page = render_page(build)
    path = folder / PAGE
    try:
        write_atomic(path, page)
    except OSError as err:
        raise PageError(str(path), f"cannot write the page: {err.strerror or err}",
                        "check the folder's permissions and free space") from None
    return path


def render_page(build: Build) -> bytes:
    """The page's bytes: the template with its styles, scripts, data and title filled in."""
    try:
        data = page_data(build.report, build.midi, build.present)
    except Mismatch as err:
        raise PageError(str(build.folder), f"{MIDI} and {REPORT} are not from the same build: {err}") from None
    except BadMidi as err:
        raise PageError(str(build.folder / MIDI), f"not a MIDI file songspec wrote: {err}") from None
    slots = {"title": html.escape(build.report.title or "Untitled"), "version": __version__,
             "style": _asset("page.css"), "script": "\n".join(_asset(name) for name in SCRIPTS),
             "data": _json_in_script(data)}
    return _SLOT.sub(lambda match: slots[match.group(1)], _asset("page.html")).encode("utf-8")


def _json_in_script(data: dict) -> str:
    """Compact JSON that cannot end its <script> element: every "<" is written as \\u003c."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


@cache
def _asset(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
