"""report: timeline.Timeline -> the report.json of a MIDI build (sections, tracks, chords, in seconds)."""

from __future__ import annotations

import json
import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

from .atomic import write_atomic
from .midi import chord_text
from .timeline import TempoMap, Timeline, Track
from .timeline import clock as timeline_clock

FLOAT_DIGITS = 4


def midi_report(timeline: Timeline, *, source: str, key: str, tempo: float, style: str = "",
                composer: str = "") -> dict[str, Any]:
    """The report as a dict whose key order is the file's key order.

    Args:
        timeline: The arranged song.
        source: The `.song` file's name (not its path, which differs with how it was typed).
        key: The song's key as written in the spec, e.g. "G minor".
        tempo: The song's starting tempo in bpm, as written in the spec.
        style: The style it is played in, e.g. "jazz.swing".
        composer: As the song names it ("" if it does not).

    Returns:
        Top-level `title`, `composer`, `source`, `style`, `tempo`, `key`, `time_signature` (of the
        first meter), `ppq`, `bars`, `end_tick`, `duration_s`, then `sections`, `tracks` and `chords`
        lists. Every seconds value comes from `TempoMap`, so it agrees with the MIDI and the audio; it is
        in the audio's time, which starts `lead_in_s` (half a second of silence) before the MIDI's tick 0.
    """
    clock = timeline_clock(timeline)
    meter = timeline.meters[0] if timeline.meters else None
    return {
        "title": timeline.title,
        "composer": composer,
        "source": source,
        "style": style,
        "tempo": tempo,
        "key": key,
        "time_signature": f"{meter.numerator}/{meter.denominator}" if meter else "4/4",
        "ppq": timeline.ppq,
        "bars": timeline.bars,
        "end_tick": timeline.end_tick,
        "lead_in_s": timeline.lead_in_s,
        "duration_s": clock.seconds(timeline.end_tick),
        "sections": section_entries(timeline, clock),
        "tracks": [track_entry(track) for track in timeline.tracks],
        "chords": chord_entries(timeline, clock),
    }


def section_entries(timeline: Timeline, clock: TempoMap) -> list[dict[str, Any]]:
    """One entry per section pass; it lasts until the next marker or the end of the music.

    `ending` is the number of the section's ending the pass plays, from bar `ending_bar` to its
    last bar (both null when the section has no endings).
    """
    ends = _ends([m.tick for m in timeline.markers], timeline.end_tick)
    return [{"label": m.label, "pass": m.pass_no, "first_bar": m.first_bar, "last_bar": m.last_bar,
             "ending": m.ending or None, "ending_bar": m.ending_bar or None, "dynamic": m.dynamic,
             "start_s": clock.seconds(m.tick), "end_s": clock.seconds(end)}
            for m, end in zip(timeline.markers, ends)]


def track_entry(track: Track) -> dict[str, Any]:
    """What a part is and how many notes it plays; muted parts are listed (they are in the MIDI)."""
    return {"name": track.name, "instrument": track.instrument, "program": track.program,
            "channel": track.channel, "role": track.role, "muted": track.muted,
            "notes": len(track.notes)}


def chord_entries(timeline: Timeline, clock: TempoMap) -> list[dict[str, Any]]:
    """One entry per chord change, lasting until the next change or the end of the music.

    `beat` counts like a musician, from 1 at the downbeat ("and" of 2 in 4/4 is 2.5); this
    assumes `ChordMark.beat` is the 0-based offset in beats from the bar line. `tick`/`end_tick`
    are exact, for tools (like `analyze`) that work on the MIDI. `root` and `bass` are null for N.C.
    """
    ends = _ends([c.tick for c in timeline.chords], timeline.end_tick)
    return [{"bar": c.bar, "beat": _number(c.beat + 1), "symbol": chord_text(c), "root": c.root,
             "bass": c.bass, "pitch_classes": list(c.pitch_classes),
             "tension_classes": list(c.tension_classes), "tick": c.tick, "end_tick": end,
             "start_s": clock.seconds(c.tick), "end_s": clock.seconds(end)}
            for c, end in zip(timeline.chords, ends)]


def write_report(report: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write the report as JSON (see `report_text`), atomically."""
    write_atomic(Path(path), report_text(report).encode("utf-8"))


def report_text(report: dict[str, Any]) -> str:
    """The report as JSON: key order as built, indent 2, floats to 4 decimals, and a list of plain
    values (pitch classes, the master's envelope) on one line, so long series stay readable.

    Example:
        >>> print(report_text({"bars": 2, "chords": [{"pitch_classes": [0, 4, 7]}], "peak": [0.5, None]}))
        {
          "bars": 2,
          "chords": [
            {
              "pitch_classes": [0, 4, 7]
            }
          ],
          "peak": [0.5, null]
        }
        <BLANKLINE>
    """
    return _json(as_written(report), "") + "\n"


def as_written(report: dict[str, Any]) -> dict[str, Any]:
    """The report with the values report.json holds (floats to 4 decimals, lists for tuples)."""
    return _rounded(report)


def _json(value: Any, indent: str) -> str:
    # Dispatch on the exact type before anything else: a 104-bar report has ~50 000 values, and one
    # json.dumps call per value (its encoder set up each time) was most of a MIDI-only batch job's
    # report.json time. The bytes are json.dumps's (tests/test_report.py checks them against it).
    kind = type(value)
    if kind in _SCALARS:
        return _SCALARS[kind](value)
    inner = indent + "  "
    if kind is dict and value:
        items = (f"{inner}{_key(key)}: {_json(item, inner)}" for key, item in value.items())
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if kind is list:
        if any(type(item) not in _SCALARS for item in value):
            if any(isinstance(item, (dict, list)) for item in value):
                return "[\n" + ",\n".join(inner + _json(item, inner) for item in value) + f"\n{indent}]"
            return json.dumps(value, ensure_ascii=False)
        return "[" + ", ".join([_SCALARS[type(item)](item) for item in value]) + "]"
    return json.dumps(value, ensure_ascii=False)


def _float(value: float) -> str:
    return float.__repr__(value) if math.isfinite(value) else json.dumps(value)


def _key(key: Any) -> str:
    return _encode_string(key) if type(key) is str else json.dumps(key, ensure_ascii=False)


_encode_string = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes a str with
_SCALARS = {str: _encode_string, int: int.__repr__, float: _float, bool: lambda v: "true" if v else "false",
            type(None): lambda _: "null"}


def _ends(starts: list[int], end_tick: int) -> list[int]:
    return starts[1:] + [end_tick] if starts else []


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(item) for item in value]
    return value
