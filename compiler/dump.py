"""dump: canonical forms of each IR level, for `song ir` and golden tests (no spans, no defaults)."""

from __future__ import annotations

import json
from fractions import Fraction

from pydantic import BaseModel

from . import ir


def ir_json(node: BaseModel) -> str:
    """Stable JSON: field order as declared, defaults left out, Fractions as "n/d" strings."""
    return json.dumps(node.model_dump(mode="json", exclude_defaults=True), indent=2, ensure_ascii=False)


def dump_song(song: ir.Song) -> str:
    """One line per pass, bar, track and melody: the resolved song as a musician reads it.

    >>> from compiler.source import Source
    >>> from compiler.library import Library
    >>> from compiler.pipeline import front_end
    >>> text = "style jazz.swing\\nkey F\\nsection A\\n  | ii7 V7 | I . . vi7 |\\n"
    >>> print(dump_song(front_end(Source("t.song", text), Library()).song).splitlines()[3])
    bar 2 A1 4/4 F major 140: F@0+3 Dm7@3+1
    """
    lines = [f"song {song.title!r} tempo {_q(song.tempo)} key {song.key.tonic} {song.key.mode} "
             f"time {song.meter} swing {_q(song.swing)} seed {song.seed} style {song.style.name}"]
    for index, p in enumerate(song.passes):
        lines.append(f"pass {p.label}{p.pass_no} {p.kind} bars {p.first_bar}-{p.first_bar + p.bar_count - 1}"
                     + (f" ending={p.ending}" if p.ending else "")
                     + (f" transpose={p.transpose:+d}" if p.transpose else "") + _marks(p.marks))
        lines += [_bar(bar, p) for bar in song.bars if bar.pass_index == index]
    lines += [_track(track) for track in song.tracks]
    lines += [_melody(melody) for melody in song.melodies]
    r = song.reverb
    lines.append(f"reverb {r.kind} {r.wet_lu:g}LU predelay {r.pre_delay_ms:g}ms lowcut {r.low_cut_hz:g}Hz")
    m = song.master
    lines.append(f"master {m.preset} {m.target_lufs:g} LUFS {m.ceiling_dbtp:g} dBTP {m.format} {m.bit_depth}bit {m.sample_rate}Hz")
    return "\n".join(lines) + "\n"


def _q(value: Fraction) -> str:
    return str(value) if value.denominator != 1 else str(value.numerator)


def _marks(marks: ir.Marks) -> str:
    data = marks.model_dump(exclude_defaults=True)
    return "".join(f" {k}={_value(v)}" for k, v in data.items())


def _value(value) -> str:
    if isinstance(value, dict):
        return "-".join(str(v) for v in value.values())
    if isinstance(value, (tuple, list)):
        return ",".join(map(str, value))
    return _q(value) if isinstance(value, Fraction) else str(value)


def _bar(bar: ir.PlayedBar, p: ir.Pass) -> str:
    tempo = _q(bar.tempo) + (f"->{_q(bar.tempo_end)}" if bar.tempo_end != bar.tempo else "")
    slots = " ".join(f"{s.chord.name}@{_q(s.start)}+{_q(s.dur)}" for s in bar.slots)
    return f"bar {bar.number} {p.label}{p.pass_no} {bar.meter} {bar.key.tonic} {bar.key.mode} {tempo}: {slots}"


def _track(track: ir.TrackDef) -> str:
    data = track.model_dump(exclude_defaults=True, exclude={"name", "instrument", "sound"})
    sound = track.sound.model_dump(exclude_defaults=True)
    fields = " ".join(f"{k}={_value(v)}" for k, v in {**data, **sound}.items())
    return f"track {track.name} {track.instrument} {fields}".rstrip()


def _melody(melody: ir.MelodyDef) -> str:
    notes = " ".join(f"{n.pitch if n.pitch is not None else 'r'}@{_q(n.start)}+{_q(n.dur)}" for n in melody.notes)
    where = f" for {melody.section}" if melody.section else ""
    return f"melody {melody.name}{where} length {_q(melody.length)}: {notes}"
