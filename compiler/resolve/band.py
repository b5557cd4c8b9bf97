"""resolve.band: track lines, mix and master blocks -> ir.TrackDef, ReverbBus, MasterSpec."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .. import ir
from .. import syntax as S
from ..errors import DiagnosticSink
from ..instruments import Instrument, find_instrument, instrument_names
from ..mixspec import MASTER_PRESETS, Chorus, Compressor, Delay, Distortion, EqBand, MasterSpec, ReverbBus, TrackSound
from ..pitch import note_number
from ..source import Span
from ..suggest import suggestion_text
from ..words import Words

VOICINGS = ("shell", "rootless", "drop2", "close", "power", "open", "spread")
SOUND_OPTIONS = ("volume", "pan", "reverb", "delay", "chorus", "distortion", "eq", "compress", "width", "duck",
                 "soundfont")
PART_OPTIONS = ("role", "pattern", "melody", "harmony", "voicing", "octave", "range", "humanize", "timing", "muted",
                "solo")
EQ_KINDS = ("lowcut", "highcut", "lowshelf", "highshelf", "peak")
FREQ_UNITS = {"Hz": 1, "kHz": 1000}
_NOTE = re.compile(r"([A-Ga-g](?:#|b)?)(-?\d)$")
_FAMILY_ROLES = {"drums": "drums", "bass": "bass", "synth_pad": "pad", "ensemble": "pad", "strings": "pad"}


@dataclass
class TrackState:
    """A track being built: its fields, its sound, and where the song set each (for duplicates)."""

    fields: dict
    sound: dict
    span: Span | None = None
    where: dict[str, Span] = field(default_factory=dict)

    @classmethod
    def of(cls, track: ir.TrackDef) -> "TrackState":
        data = track.model_dump(exclude={"sound"})
        sound = track.sound.model_dump()
        sound["eq"] = tuple(EqBand(**band) for band in sound["eq"])
        for name in ("compress", "chorus", "delay", "distortion"):
            sound[name] = getattr(track.sound, name)
        return cls(data, sound, track.span)

    def build(self) -> ir.TrackDef:
        return ir.TrackDef(**self.fields, sound=TrackSound(**self.sound), span=self.span)


def read_track(line: S.Track, base: ir.TrackDef | None, sink: DiagnosticSink) -> tuple[ir.TrackDef | None, TrackState | None]:
    """`track bass acoustic_bass pattern walking volume -2dB`; `base` is the style's track of that name."""
    words = Words(line.values, sink, line.name.span)
    instrument = _instrument(words, sink, base is None, line.name)
    if instrument is None and base is None:
        return None, None
    state = TrackState.of(base) if base else TrackState(_fresh_fields(line.name.text, instrument), {})
    state.span = line.name.span
    if instrument is not None and base is not None:
        state.fields.update(_instrument_fields(instrument))
    while not words.done():
        apply_option(words, state, sink, allow=SOUND_OPTIONS + PART_OPTIONS)
    if "role" not in state.where and base is None:
        state.fields["role"] = _default_role(instrument, state.fields)
    if state.fields["is_drums"] != (state.fields["role"] == "drums"):
        sink.error("E014", "only a drum kit can play the drums role, and a drum kit only that", line.span,
                   "use a kit such as `jazz_kit` with `role drums`, or another role for a melodic instrument")
        return None, None
    return state.build(), state


def _instrument(words: Words, sink: DiagnosticSink, required: bool, name: S.Word) -> Instrument | None:
    word = words.peek()
    if word is not None and word.kind == "name" and word.text not in SOUND_OPTIONS + PART_OPTIONS:
        words.take()
        instrument = find_instrument(word.text)
        if instrument is None:
            hint = suggestion_text(word.text, instrument_names())
            sink.error("E040", f"unknown instrument `{word.text}`", word.span,
                       hint or "use a General MIDI name such as acoustic_grand, acoustic_bass, jazz_kit, strings")
        return instrument
    if required:
        sink.error("E040", f"track `{name.text}` needs an instrument", words.here(),
                   f"write e.g. `track {name.text} acoustic_grand`")
    return None


def _instrument_fields(instrument: Instrument) -> dict:
    return {"instrument": instrument.name, "program": instrument.program, "bank": instrument.bank,
            "is_drums": instrument.is_drums}


def _fresh_fields(name: str, instrument: Instrument) -> dict:
    return {"name": name, "role": "comp", **_instrument_fields(instrument)}


def _default_role(instrument: Instrument | None, fields: dict) -> str:
    if fields.get("melody"):
        return "melody"
    return _FAMILY_ROLES.get(instrument.family if instrument else "", "comp")


def apply_option(words: Words, state: TrackState, sink: DiagnosticSink, allow: tuple[str, ...]) -> None:
    """Read one option and its values into `state`."""
    word = words.take()
    if word.kind != "name" or word.text not in allow:
        hint = suggestion_text(word.text, allow) if word.kind == "name" else None
        sink.error("E014", f"unknown track option `{word.text}`", word.span,
                   hint or f"options: {', '.join(allow)}")
        words.skip_rest()
        return
    if word.text in state.where and word.text != "eq":
        sink.error("E013", f"`{word.text}` is set twice for this track", word.span, "keep one of them",
                   notes=((state.where[word.text], "first set here"),))
    state.where[word.text] = word.span
    _OPTION_READERS[word.text](words, state, sink)


def _role(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    word = words.choice("role", "role comp", ir.ROLES)
    if word is not None:
        state.fields["role"] = word.text


def _named(option: str, example: str):
    def read(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
        word = words.name(f"a {option} name", example)
        if word is not None:
            state.fields[option] = word.text
            state.where[f"{option}:name"] = word.span
    return read


def _melody(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    _named("melody", "melody theme")(words, state, sink)
    if "role" not in state.where and state.fields.get("role") != "drums":
        state.fields["role"] = "melody"


HARMONY_INTERVALS = {"3rd": 3, "third": 3, "3rds": 3, "thirds": 3, "6th": 6, "sixth": 6, "6ths": 6, "sixths": 6}


def _harmony(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    word = words.peek()
    if word is not None and word.kind == "number" and words.peek(1) is not None:
        words.take()  # `3rd` lexes as the number 3 and the word `rd`
        suffix = words.take()
        word = S.Word("name", word.text + suffix.text, span=word.span)
    else:
        word = words.name("a harmony interval", "harmony 3rd below")
    if word is None:
        return
    interval = HARMONY_INTERVALS.get(word.text)
    if interval is None:
        sink.error("E014", f"harmony `{word.text}` is not an interval", word.span, "write `harmony 3rd below` or `harmony 6th below`")
        return
    above = False
    if words.peek_name() in ("above", "below"):
        above = words.take().text == "above"
    state.fields["harmony"] = ir.Harmony(interval=interval, above=above, span=word.span)


def _voicing(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    word = words.choice("voicing", "voicing drop2", VOICINGS)
    if word is not None:
        state.fields["voicing"] = word.text


def _octave(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    value = words.number("an octave shift", "octave -1", -3, 3)
    if value is not None:
        state.fields["octave"] = int(value)


def _range(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    notes = [_note_word(words, sink) for _ in range(2)]
    if None in notes:
        return
    low, high = notes
    if low >= high:
        sink.error("E012", "the range's lower note must be below its upper note", words.here(), "write e.g. `range E1 G3`")
        return
    state.fields["pitch_range"] = (low, high)


def _note_word(words: Words, sink: DiagnosticSink) -> int | None:
    word = words.name("a note with octave", "range C3 C5")
    match = _NOTE.match(word.text) if word else None
    if word is not None and match is None:
        sink.error("E050", f"`{word.text}` is not a note with an octave", word.span, "write e.g. `C3` or `Bb4`")
    if match is None:
        return None
    try:
        return note_number(match.group(1).capitalize(), int(match.group(2)))
    except ValueError as err:
        sink.error("E050", str(err), word.span, "use notes within the MIDI range C-1..G9")
        return None


def _humanize(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    value = words.number("a humanize amount", "humanize 30%", 0, 100, units=("%",))
    if value is not None:
        state.fields["humanize"] = value / 100


def _timing(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    """`timing ahead 4ms`, `timing behind 8ms` or `timing on`: where the part sits against the beat."""
    side = words.choice("timing", "timing ahead 4ms", ("ahead", "behind", "on"))
    if side is None:
        return
    if side.text == "on":
        state.fields["timing_ms"] = Fraction(0)
        return
    value = words.number("a timing offset", f"timing {side.text} 4ms", 0, 30, units=("ms",))
    if value is not None:
        state.fields["timing_ms"] = -value if side.text == "ahead" else value


def _flag(option: str):
    def read(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
        state.fields[option] = True
    return read


def _volume(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    value = words.number("a level in dB", "volume -3dB", -60, 12, units=("dB",))
    if value is not None:
        state.sound["volume_db"] = float(value)


def _pan(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    value = words.number("a pan position", "pan -30", -100, 100, units=("%",))
    if value is not None:
        state.sound["pan"] = float(value)


def _width(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    value = words.number("a stereo width", "width 60%", 0, 200, units=("%",))
    if value is not None:
        state.sound["width"] = float(value / 100)


def _duck(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    value = words.number("a duck depth in dB", "duck 6dB", 0, 24, units=("dB",))
    if value is not None:
        state.sound["duck_db"] = float(value)


def _soundfont(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    where = words.here()
    name = words.string("a quoted SoundFont file name", 'soundfont "MuseScore_General_Full.sf2"')
    if name is None:
        return
    if Path(name).name != name or name in (".", ".."):
        # A plain name: looked up in the song's folder, then the system's SoundFont folders (never elsewhere).
        sink.error("E082", f"`soundfont \"{name}\"` on a track is a path, not a file name", where,
                   f"write the file's name alone, e.g. `soundfont \"{Path(name).name or 'MySoundFont.sf2'}\"`, "
                   "and keep the file in the song's folder or /usr/share/sounds/sf2")
        return
    state.sound["soundfont"] = name


def _reverb(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    value = words.number("a reverb send", "reverb 20%", 0, 100, units=("%",))
    if value is not None:
        state.sound["reverb_send"] = float(value / 100)


def _delay(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    note = words.ratio("a delay time as a note value", "delay 1/8 25%")
    if note is None:
        return
    mix = _optional_percent(words, "a delay mix", "delay 1/8 25%", Fraction(20))
    feedback = Fraction(30)
    if words.peek_name() == "feedback":
        words.take()
        feedback = words.number("a feedback amount", "feedback 30%", 0, 95, units=("%",)) or feedback
    if not 0 < note * 4 <= 8:
        sink.error("E012", "delay time out of range", words.here(), "use a note value from 1/32 to 2/1, e.g. `delay 3/16`")
        return
    state.sound["delay"] = Delay(beats=float(note * 4), mix=float(mix / 100), feedback=float(feedback / 100))


def _optional_percent(words: Words, what: str, example: str, default: Fraction) -> Fraction:
    word = words.peek()
    if word is not None and word.kind == "number":
        return words.number(what, example, 0, 100, units=("%",)) or default
    return default


def _chorus(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    value = words.number("a chorus amount", "chorus 30%", 0, 100, units=("%",))
    if value is not None:
        state.sound["chorus"] = Chorus(mix=float(value / 100))


def _distortion(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    value = words.number("a drive in dB", "distortion 12dB", 0, 60, units=("dB",))
    if value is not None:
        state.sound["distortion"] = Distortion(drive_db=float(value))


def _compress(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    ratio = words.ratio("a ratio", "compress 3:1")
    if ratio is None:
        return
    if not 1 <= ratio <= 30:
        sink.error("E012", f"compression ratio {float(ratio):g}:1 is out of range", words.here(), "use 1:1 to 30:1, e.g. `compress 3:1`")
        return
    threshold = Fraction(-18)
    if words.peek_name() == "threshold":
        words.take()
        threshold = words.number("a threshold", "threshold -20dB", -60, 0, units=("dB",)) or threshold
    state.sound["compress"] = Compressor(ratio=float(ratio), threshold_db=float(threshold))


def _eq(words: Words, state: TrackState, sink: DiagnosticSink) -> None:
    bands = list(state.sound.get("eq", ()))
    if words.peek_name() not in EQ_KINDS:
        word = words.peek()
        hint = suggestion_text(word.text, EQ_KINDS) if word is not None else None
        sink.error("E014", "`eq` needs a band", words.here(), hint or "write e.g. `eq lowcut 40Hz` or `eq peak 2kHz -3dB`")
        words.skip_rest()
        return
    while words.peek_name() in EQ_KINDS:
        band = _eq_band(words)
        if band is not None:
            bands.append(band)
    state.sound["eq"] = tuple(bands)


def _eq_band(words: Words) -> EqBand | None:
    kind = words.take().text
    freq = words.number("a frequency", f"eq {kind} 100Hz", 20, 20000, units=("Hz", "kHz"), scale=FREQ_UNITS)
    if freq is None:
        return None
    gain = Fraction(0)
    if kind in ("lowshelf", "highshelf", "peak"):
        gain = words.number("a gain in dB", f"eq {kind} 2kHz -3dB", -24, 24, units=("dB",))
        if gain is None:
            return None
    return EqBand(kind=kind, freq_hz=float(freq), gain_db=float(gain))


_OPTION_READERS = {
    "role": _role, "pattern": _named("pattern", "pattern walking"), "melody": _melody, "harmony": _harmony,
    "voicing": _voicing, "octave": _octave, "range": _range, "humanize": _humanize, "timing": _timing,
    "muted": _flag("muted"), "solo": _flag("solo"),
    "volume": _volume, "pan": _pan, "reverb": _reverb, "delay": _delay, "chorus": _chorus,
    "distortion": _distortion, "eq": _eq, "compress": _compress, "width": _width, "duck": _duck,
    "soundfont": _soundfont,
}


def read_mix(mix: S.Mix, states: dict[str, TrackState], sink: DiagnosticSink, bus: ReverbBus) -> ReverbBus:
    """`reverb room -20LU` sets the shared bus (over `bus`, the style's); `TRACK option…` adds sound options to a track."""
    for line in mix.lines:
        words = Words(line.values, sink, line.name.span)
        if line.name.text == "reverb":
            bus = read_reverb_bus(words, sink, bus) or bus
            continue
        state = states.get(line.name.text)
        if state is None:
            hint = suggestion_text(line.name.text, sorted(states))
            sink.error("E043", f"unknown track `{line.name.text}`", line.name.span,
                       hint or f"mix lines start with `reverb` or a track name: {', '.join(sorted(states))}")
            continue
        while not words.done():
            apply_option(words, state, sink, allow=SOUND_OPTIONS)
    return bus


REVERB_EXAMPLE = "reverb room -20LU predelay 20ms lowcut 250Hz"


def read_reverb_bus(words: Words, sink: DiagnosticSink, base: ReverbBus) -> ReverbBus | None:
    """`reverb [KIND] [WET LU] [predelay MS] [lowcut FREQ]`; what is left out keeps `base`'s value."""
    values: dict = {}
    if words.peek_name() is not None and words.peek_name() not in ("predelay", "lowcut"):
        word = words.choice("reverb", REVERB_EXAMPLE, ("room", "hall", "plate", "chamber"), "E080")
        if word is None:
            return None
        values["kind"] = word.text
    word = words.peek()
    if word is not None and word.kind == "number":
        wet = _wet_level(words, sink)
        if wet is None:
            return None
        values["wet_lu"] = wet
    while not words.done():
        setting = words.choice("reverb setting", REVERB_EXAMPLE, ("predelay", "lowcut"))
        if setting is None:
            return None
        if setting.text == "predelay":
            value = words.number("a pre-delay", "predelay 20ms", 0, 200, units=("ms",))
            key = "pre_delay_ms"
        else:
            value = words.number("a low cut", "lowcut 250Hz", 20, 2000, units=("Hz", "kHz"), scale=FREQ_UNITS)
            key = "low_cut_hz"
        if value is None:
            return None
        values[key] = float(value)
    return base.model_copy(update=values)


def _wet_level(words: Words, sink: DiagnosticSink) -> float | None:
    """The return's level against the dry mix in LU; a percentage (the old linear return) is E081."""
    number, unit = words.peek(), words.peek(1)
    if unit is not None and unit.text == "%":
        words.skip_rest()
        sink.error("E081", "the reverb level is a wet level in LU against the dry mix, not a percentage",
                   number.span.to(unit.span),
                   "write e.g. `reverb room -20LU` (about -20 for a band, -14 for a ballad, -30 nearly dry)")
        return None
    value = words.number("a wet level", "reverb room -20LU", -40, 0, units=("LU",))
    return None if value is None else float(value)


def read_master(master: S.Master, sink: DiagnosticSink) -> MasterSpec:
    """`master streaming`, or a block of `preset`, `loudness`, `true_peak`, `format` lines."""
    values: dict = {}
    words = Words(master.values, sink, master.span)
    if not words.done():
        _preset(words, values, sink)
    for line in master.lines:
        words = Words(line.values, sink, line.name.span)
        reader = _MASTER_READERS.get(line.name.text)
        if reader is None:
            sink.error("E080", f"unknown master setting `{line.name.text}`", line.name.span,
                       suggestion_text(line.name.text, _MASTER_READERS) or "settings: preset, loudness, true_peak, format")
            continue
        reader(words, values, sink)
        if not words.done():
            sink.error("E011", f"unexpected `{words.peek().text}`", words.here(), f"`{line.name.text}` takes no more values here")
    return MasterSpec(**values)


def _preset(words: Words, values: dict, sink: DiagnosticSink) -> None:
    word = words.choice("master preset", "master streaming", tuple(MASTER_PRESETS), "E080")
    if word is None:
        return
    values["preset"] = word.text
    values["target_lufs"], values["ceiling_dbtp"] = MASTER_PRESETS[word.text]


def _loudness(words: Words, values: dict, sink: DiagnosticSink) -> None:
    value = words.number("a loudness target", "loudness -14 LUFS", -40, -5, units=("LUFS", "LKFS"))
    if value is not None:
        values["target_lufs"] = float(value)
        values["preset"] = "custom"


def _true_peak(words: Words, values: dict, sink: DiagnosticSink) -> None:
    value = words.number("a true-peak ceiling", "true_peak -1 dBTP", -12, 0, units=("dBTP", "dB"))
    if value is not None:
        values["ceiling_dbtp"] = float(value)
        values["preset"] = "custom"


def _format(words: Words, values: dict, sink: DiagnosticSink) -> None:
    while not words.done():
        word = words.peek()
        if word.kind == "name" and word.text in ("wav", "flac"):
            values["format"] = words.take().text
        elif word.kind == "number":
            _format_number(words, values, sink)
        else:
            sink.error("E080", f"unknown format word `{word.text}`", word.span, "write e.g. `format flac 24bit 48kHz`")
            words.skip_rest()


def _format_number(words: Words, values: dict, sink: DiagnosticSink) -> None:
    number = words.take()
    unit = words.take() if words.peek_name() else None
    value = Fraction(number.text)
    if unit is not None and unit.text == "bit" and value in (16, 24):
        values["bit_depth"] = int(value)
    elif unit is not None and unit.text == "kHz" and value in (Fraction("44.1"), 48):
        values["sample_rate"] = 44100 if value != 48 else 48000
    elif unit is not None and unit.text == "Hz" and value in (44100, 48000):
        values["sample_rate"] = int(value)
    else:
        text = number.text + (unit.text if unit else "")
        sink.error("E080", f"`{text}` is not a supported format", number.span, "use 16bit or 24bit, and 44.1kHz or 48kHz")


_MASTER_READERS = {"preset": _preset, "loudness": _loudness, "true_peak": _true_peak, "format": _format}
