"""midi: timeline.Timeline -> mido.MidiFile (type 1: a conductor track, then one track per part)."""

from __future__ import annotations

import io
import json
import os
from fractions import Fraction
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import mido

from .atomic import write_atomic
from .instruments import DRUM_CHANNEL
from .timeline import ChordMark, KeyPoint, Marker, MeterPoint, TempoPoint, Timeline, Track

# Text metas (title, chord symbols, track names) are written and read as UTF-8 so "B♭Δ7" survives;
# mido's default, latin-1, cannot encode it.
CHARSET = "utf-8"
BANK_SELECT = 0  # CC0, bank select MSB
VOLUME, PAN, REVERB_SEND = 7, 10, 91  # the GM mix controllers a DAW reads as a channel strip
UNITY_VOLUME = 100  # CC7 at 0 dB: the GM power-on value, so a fader boost up to +2 dB still fits
MUTED_TEXT = "muted"
_NOTE_OFF_VELOCITY = 64  # mido's default, which the written note-offs carry
_new_message = mido.Message.__new__
_set_attributes = object.__setattr__  # mido's own __setattr__ checks each value and refuses "__dict__"

# Same-tick metas go in this order; metas of one type keep the Timeline's order (it is semantic:
# of two tempos at one tick the later one wins).
_META_ORDER = ("track_name", "instrument_name", "set_tempo", "time_signature", "key_signature",
               "marker", "text")

# Key signatures by number of sharps (negative: flats), -7..7, as mido spells them.
_MAJOR_KEYS = ("Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#")
_MINOR_KEYS = ("Abm", "Ebm", "Bbm", "Fm", "Cm", "Gm", "Dm", "Am", "Em", "Bm", "F#m", "C#m", "G#m",
               "D#m", "A#m")
# Each mode's signature relative to the major key on the same tonic (D dorian: D major - 2 = C).
_MODE_SHIFT = {"major": 0, "ionian": 0, "lydian": 1, "mixolydian": -1, "dorian": -2, "minor": -3,
               "aeolian": -3, "harmonicminor": -3, "melodicminor": -3, "phrygian": -4,
               "locrian": -5}
_MINOR_MODES = frozenset({"minor", "aeolian", "harmonicminor", "melodicminor"})
_ACCIDENTALS = {"#": 1, "♯": 1, "b": -1, "♭": -1}

# Sort keys: (tick, group, a, b) packed in one int, so a track sorts as fast as a list of ints and
# holds no tuple per event. Groups at one tick: metas, bank select and program, other controls,
# note-offs, note-ons; `a` and `b` (0..255) order within a group.
_META, _PROGRAM, _CONTROL, _NOTE_OFF, _NOTE_ON = range(5)
_NOTE_TYPE = {_NOTE_OFF: "note_off", _NOTE_ON: "note_on"}


def sort_key(tick: int, group: int, a: int = 0, b: int = 0) -> int:
    """The packed key of (tick, group, a, b): ints compare as those tuples do (group < 8, a, b < 256)."""
    return tick << 19 | group << 16 | a << 8 | b


class Keyed(NamedTuple):
    """A meta or control message with its sort key; its `time` is set (to the delta) when it is written."""

    key: int
    message: mido.Message | mido.MetaMessage


class TrackEvents(NamedTuple):
    """One track's events before their delta times: the metas and controls, keyed, and the notes as
    bare keys: a note's key (tick, on or off, pitch, velocity) is all of its message but the
    channel, so its message is built only once it is written, in order (see `to_delta_time`)."""

    keyed: list[Keyed]
    notes: list[int]
    channel: int = 0


def meta(tick: int, type_: str, **fields: int | str) -> Keyed:
    """A meta event; same-tick metas go in `_META_ORDER`, ones of one type keep the order given."""
    rank = _META_ORDER.index(type_) if type_ in _META_ORDER else len(_META_ORDER)
    return Keyed(sort_key(tick, _META, rank), mido.MetaMessage(type_, **fields))


def control(tick: int, channel: int, controller: int, value: int) -> Keyed:
    """A control change; bank select sorts first at its tick, before the program change."""
    key = sort_key(tick, _PROGRAM, 0, value) if controller == BANK_SELECT else sort_key(tick, _CONTROL, controller, value)
    return Keyed(key, mido.Message("control_change", channel=channel, control=controller, value=value))


def to_midi(timeline: Timeline) -> mido.MidiFile:
    """Build the type-1 MIDI file: conductor (track 0), then the Timeline's tracks in order.

    Raises:
        ValueError: if channels are misassigned (see `check_channels`), a meter's denominator is
            not a power of two, or a key's tonic or mode is not understood.
    """
    check_channels(timeline.tracks)
    midi_file = mido.MidiFile(type=1, ticks_per_beat=timeline.ppq, charset=CHARSET)
    conductor = TrackEvents(conductor_events(timeline), [])
    midi_file.tracks.append(to_delta_time(conductor, end_tick=timeline.end_tick))
    mixed: set[int] = set()
    for track in timeline.tracks:
        events = events_for_track(track)
        if track.channel not in mixed:  # tracks sharing a channel share its strip: the first one sets it
            mixed.add(track.channel)
            events.keyed.extend(mix_events(track))
        midi_file.tracks.append(to_delta_time(events))
    return midi_file


def mix_events(track: Track) -> list[Keyed]:
    """CC7 volume, CC10 pan and CC91 reverb send at tick 0, as the song and style set the track.

    Volume follows the GM curve (dB = 40·log10(value/127)) around `UNITY_VOLUME` for 0 dB; pan maps
    -100..+100 onto 0..127 with 64 the centre; the reverb send 0..100 % onto 0..127.
    """
    sound = track.sound
    volume = round(UNITY_VOLUME * 10 ** (sound.volume_db / 40))
    pan = round(64 + sound.pan * 0.64)
    send = round(127 * sound.reverb_send)
    return [control(0, track.channel, controller, min(max(value, 0), 127))
            for controller, value in ((VOLUME, volume), (PAN, pan), (REVERB_SEND, send))]


def check_channels(tracks: tuple[Track, ...]) -> None:
    """Refuse channel assignments General MIDI players would get wrong.

    Drums must be on channel 9 (MIDI channel 10) and nothing else may be; tracks sharing a channel
    must share its sound (bank and program), since a program change applies to the whole channel.
    """
    first_on: dict[int, Track] = {}
    for track in tracks:
        if track.is_drums != (track.channel == DRUM_CHANNEL):
            role = "a drum track" if track.is_drums else "not a drum track"
            raise ValueError(f"track {track.name!r} is {role} but is on channel {track.channel}; "
                             f"channel {DRUM_CHANNEL} (MIDI channel 10) is for drums only")
        first = first_on.setdefault(track.channel, track)
        if (first.bank, first.program) != (track.bank, track.program):
            raise ValueError(f"tracks {first.name!r} and {track.name!r} share channel "
                             f"{track.channel} but use different programs; give each its own channel")


def conductor_events(timeline: Timeline) -> list[Keyed]:
    """Track 0: the title, tempo map, meters, keys, section markers and chord symbols."""
    events = [meta(0, "track_name", name=timeline.title)]
    events += [tempo_event(t) for t in timeline.tempos]
    events += [meter_event(m) for m in timeline.meters]
    events += [meta(k.tick, "key_signature", key=key_name(k)) for k in timeline.keys]
    events += [meta(m.tick, "marker", text=marker_text(m)) for m in timeline.markers]
    events += [meta(c.tick, "text", text=chord_text(c)) for c in timeline.chords]
    return events


def events_for_track(track: Track) -> TrackEvents:
    """One part: name, instrument, a "muted" flag, bank and program, its controls and notes.

    Drum kits (bank 128 in the Timeline) send bank select 0 and the kit number as the program on
    channel 9: General MIDI players, FluidSynth included, already treat channel 9 as percussion
    and pick the kit bank themselves, while CC0 = 128 does not exist in MIDI.
    """
    channel = track.channel
    keyed = [meta(0, "track_name", name=track.name), meta(0, "instrument_name", name=track.instrument)]
    if track.muted:  # still written: a DAW user may unmute it
        keyed.append(meta(0, "text", text=MUTED_TEXT))
    keyed.append(control(0, channel, BANK_SELECT, 0 if track.is_drums else track.bank))
    keyed.append(Keyed(sort_key(0, _PROGRAM, 1, track.program),
                       mido.Message("program_change", channel=channel, program=track.program)))
    keyed += [control(c.tick, channel, c.controller, c.value) for c in track.controls]
    notes = []
    for note in track.notes:  # `sort_key`, inlined: a song has thousands of notes
        start, pitch = note.start, note.pitch
        notes.append(start << 19 | _NOTE_ON << 16 | pitch << 8 | note.velocity)
        notes.append((start + note.dur) << 19 | _NOTE_OFF << 16 | pitch << 8 | _NOTE_OFF_VELOCITY)
    return TrackEvents(keyed, notes, channel)


def to_delta_time(events: TrackEvents, end_tick: int = 0) -> mido.MidiTrack:
    """Sort a track's events and give them delta times; the track ends at its last event or `end_tick`.

    Events sort by tick, then metas, bank select, program, controls, note-offs, note-ons.
    Channel events are ordered fully by their values (pitch, then velocity), so the output never
    depends on the order notes arrive in; metas of one type keep their (semantic) Timeline order.
    Note-offs come before note-ons at a tick so a repeated pitch is released before it restarts.
    """
    keyed = sorted(events.keyed, key=itemgetter(0))  # stable: metas of one type keep their order
    track = mido.MidiTrack()
    now, k, count = 0, 0, len(keyed)
    for key in sorted(events.notes):
        while k < count and keyed[k].key < key:  # a note's key never equals another event's
            now = _append_keyed(track, keyed[k], now)
            k += 1
        tick = key >> 19
        track.append(note_message(_NOTE_TYPE[key >> 16 & 7], tick - now, events.channel, key >> 8 & 255, key & 255))
        now = tick
    for item in keyed[k:]:
        now = _append_keyed(track, item, now)
    track.append(mido.MetaMessage("end_of_track", time=max(end_tick, now) - now))
    return track


def _append_keyed(track: mido.MidiTrack, item: Keyed, now: int) -> int:
    """Append a meta or control at its delta time from `now`; returns its tick."""
    tick = item.key >> 19
    vars(item.message)["time"] = tick - now  # the message is ours, just built: no need for mido's checks
    track.append(item.message)
    return tick


def note_message(type_: str, time: int, channel: int, note: int, velocity: int) -> mido.Message:
    """A note_on/note_off equal to `mido.Message(type_, time=time, ...)`, built the way mido's own
    `Message.copy` builds one: its attribute dict filled directly, in mido's order. mido's
    constructor (its defaults, its checks) was a third of `to_midi`; the Timeline has validated
    pitch, velocity and channel already.
    """
    msg = _new_message(mido.Message)
    _set_attributes(msg, "__dict__", {"type": type_, "time": time, "channel": channel, "note": note, "velocity": velocity})
    return msg


def tempo_event(point: TempoPoint) -> Keyed:
    """`set_tempo` in microseconds per quarter note, rounded from the exact bpm."""
    return meta(point.tick, "set_tempo", tempo=round(Fraction(60_000_000) / Fraction(point.bpm)))


def meter_event(meter: MeterPoint) -> Keyed:
    """`time_signature`, with the metronome clicking once per beat (per dotted beat in 6/8, 9/8 …)."""
    denominator = meter.denominator
    if denominator < 1 or denominator & (denominator - 1):
        raise ValueError(f"meter {meter.numerator}/{denominator}: MIDI needs a power-of-two denominator")
    clocks = max(1, 96 // denominator)  # MIDI clocks (24 per quarter note) per notated beat
    if denominator >= 8 and meter.numerator % 3 == 0 and meter.numerator > 3:
        clocks *= 3  # compound meter: the felt beat is the dotted note
    return meta(meter.tick, "time_signature", numerator=meter.numerator, denominator=denominator,
                clocks_per_click=clocks, notated_32nd_notes_per_beat=8)


def key_name(key: KeyPoint) -> str:
    """The mido key-signature name: tonic for major, tonic + "m" for minor (aeolian, harmonic and
    melodic minor too). Other modes get the major key with the same accidentals: D dorian -> "C",
    E phrygian -> "C", F lydian -> "C", Bb mixolydian -> "Eb". Keys beyond seven accidentals take
    their enharmonic twin (G# major -> "Ab").
    """
    mode = "".join(ch for ch in key.mode.lower() if ch.isalpha())
    if mode not in _MODE_SHIFT:
        raise ValueError(f"key {key.tonic} {key.mode}: unknown mode; "
                         f"expected one of {', '.join(sorted(_MODE_SHIFT))}")
    sharps = line_of_fifths(key.tonic) + _MODE_SHIFT[mode]
    while sharps > 7:
        sharps -= 12
    while sharps < -7:
        sharps += 12
    names = _MINOR_KEYS if mode in _MINOR_MODES else _MAJOR_KEYS
    return names[sharps + 7]


def line_of_fifths(name: str) -> int:
    """Position of a spelled note on the line of fifths: C 0, G 1, F -1, F# 6, Bb -2.

    Its pitch class is `7 * line_of_fifths(name) % 12`.
    """
    letter, accidentals = name[:1].upper(), name[1:]
    if letter not in tuple("FCGDAEB") or any(a not in _ACCIDENTALS for a in accidentals):
        raise ValueError(f"{name!r} is not a note name (write e.g. C, F#, Bb)")
    return "FCGDAEB".index(letter) - 1 + 7 * sum(_ACCIDENTALS[a] for a in accidentals)


def marker_text(marker: Marker) -> str:
    """Section label, with the pass number from the second pass on: "A", "A (2)"."""
    return marker.label if marker.pass_no == 1 else f"{marker.label} ({marker.pass_no})"


def chord_text(chord: ChordMark) -> str:
    """The chord symbol as written; "N.C." for no chord, however the chart spelled it."""
    return chord.symbol if chord.root is not None else "N.C."


def write_midi(midi_file: mido.MidiFile, path: str | os.PathLike[str]) -> None:
    """Save `midi_file` to `path` atomically: readers see the old file or the whole new one."""
    buffer = io.BytesIO()
    midi_file.save(file=buffer)
    write_atomic(Path(path), buffer.getvalue())


def summarize(midi_file: mido.MidiFile) -> str:
    """Canonical text dump for golden tests: one line per event, absolute ticks, grouped by track.

    A track's name and the channel/program of its first channel events go in its header line;
    other events' channels are shown only where they differ from the header's.
    """
    lines: list[str] = []
    for index, track in enumerate(midi_file.tracks):
        channel = next((msg.channel for msg in track if hasattr(msg, "channel")), None)
        lines.append(_track_header(index, track, channel))
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type != "track_name":
                lines.append(f"  {tick:<5} {_event_text(msg, channel)}")
    return "\n".join(lines) + "\n"


def _track_header(index: int, track: mido.MidiTrack, channel: int | None) -> str:
    name = next((msg.name for msg in track if msg.type == "track_name"), "")
    header = f"track {index} {_quote(name)}"
    if channel is not None:
        header += f" channel={channel}"
    program = next((msg.program for msg in track if msg.type == "program_change"), None)
    return header if program is None else f"{header} program={program}"


def _event_text(msg: mido.Message | mido.MetaMessage, channel: int | None) -> str:
    if msg.type == "set_tempo":
        text = f"set_tempo bpm={round(mido.tempo2bpm(msg.tempo), 3):g}"
    elif msg.type == "time_signature":
        text = f"time_signature {msg.numerator}/{msg.denominator}"
    elif msg.type == "key_signature":
        text = f"key_signature {msg.key}"
    elif msg.type in ("marker", "text"):
        text = f"{msg.type} {_quote(msg.text)}"
    elif msg.type == "instrument_name":
        text = f"instrument_name {_quote(msg.name)}"
    elif msg.type == "note_on":
        text = f"note_on  note={msg.note} velocity={msg.velocity}"
    elif msg.type == "note_off":
        text = f"note_off note={msg.note}"
    else:
        fields = (f"{k}={v}" for k, v in msg.dict().items() if k not in ("type", "time", "channel"))
        text = " ".join([msg.type, *fields])
    if getattr(msg, "channel", channel) != channel:
        text += f" channel={msg.channel}"
    return text


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
