"""resolve.melody: syntax.Melody -> ir.MelodyDef. Notes, rests, dotted/triplet durations, ties; bars checked."""

from __future__ import annotations

import re
from fractions import Fraction

from .. import ir
from .. import syntax as S
from ..errors import DiagnosticSink
from ..pitch import note_number
from ..words import Words

_NOTE = re.compile(r"(?:(?P<rest>r)|(?P<name>[A-G](?:##|bb|#|b)?)(?P<octave>-?\d))"
                   r"(?:/(?P<den>\d+)(?P<dots>\.{0,2})(?P<triplet>t?))?(?P<tie>~?)")
DENOMINATORS = (1, 2, 4, 8, 16, 32)


def read_melody(melody: S.Melody, meter_of, sink: DiagnosticSink) -> ir.MelodyDef | None:
    """Read a melody block. `meter_of(section_label | None)` gives the meter its bars are checked against."""
    section = _target(melody, sink)
    meter = meter_of(section)
    if meter is None:
        return None
    reader = _NoteReader(sink)
    bar_start = Fraction(0)
    for line in melody.lines:
        for bar in line:
            bar_start = reader.bar(bar, bar_start, meter)
    if reader.pending_tie is not None:
        sink.error("E050", "the last note is tied to nothing", reader.pending_tie.span, "remove the `~`")
    return ir.MelodyDef(name=melody.name.text, section=section, notes=tuple(reader.notes), length=bar_start,
                        span=melody.name.span)


def _target(melody: S.Melody, sink: DiagnosticSink) -> str | None:
    words = Words(melody.values, sink, melody.name.span)
    if words.done():
        return None
    word = words.take()
    if word.text != "for":
        sink.error("E014", f"unexpected `{word.text}` after the melody name", word.span,
                   f"write `melody {melody.name.text}` or `melody {melody.name.text} for A`")
        return None
    label = words.name("a section label", f"melody {melody.name.text} for A")
    return label.text if label else None


class _NoteReader:
    """Keeps the running duration (durations carry over) and joins tied notes."""

    def __init__(self, sink: DiagnosticSink) -> None:
        self.sink = sink
        self.duration = Fraction(1)
        self.notes: list[ir.MelodyNote] = []
        self.pending_tie: ir.MelodyNote | None = None

    def bar(self, bar: S.Bar, start: Fraction, meter: ir.Meter) -> Fraction:
        position, readable = start, True
        for cell in bar.cells:
            taken = self._note(cell, position)
            readable = readable and taken > 0
            position += taken
        length = position - start
        if readable and length != meter.quarters:
            beats = _beats_text(length, meter)
            self.sink.error("E021", f"this bar holds {beats} but {meter} needs {_beats_text(meter.quarters, meter)}",
                            bar.span, "make the durations add up to one bar (a rest `r/4` fills a beat)")
        return start + meter.quarters

    def _note(self, cell: S.Cell, position: Fraction) -> Fraction:
        """Read one cell starting at `position`; returns the time it takes (0 if unreadable)."""
        match = _NOTE.fullmatch(cell.text)
        if match is None:
            self.sink.error("E050", f"`{cell.text}` is not a note", cell.span,
                            "write a pitch with octave and optional duration: `G4`, `Bb4/8`, `C5/2.`, `r/4`, `E5/8t`, `D5/2~`")
            return Fraction(0)
        dur = self._duration(match, cell)
        pitch = self._pitch(match, cell)
        if dur == 0:
            return dur
        self._add(ir.MelodyNote(pitch=pitch, start=position, dur=dur, span=cell.span), bool(match.group("tie")), cell)
        return dur

    def _duration(self, match: re.Match, cell: S.Cell) -> Fraction:
        if match.group("den") is None:
            return self.duration
        den = int(match.group("den"))
        if den not in DENOMINATORS:
            self.sink.error("E050", f"`/{den}` is not a note value", cell.span, "use /1 /2 /4 /8 /16 or /32")
            return Fraction(0)
        dur = Fraction(4, den) * (2 - Fraction(1, 2 ** len(match.group("dots"))))
        if match.group("triplet"):
            dur *= Fraction(2, 3)
        self.duration = dur
        return dur

    def _pitch(self, match: re.Match, cell: S.Cell) -> int | None:
        if match.group("rest"):
            return None
        try:
            return note_number(match.group("name"), int(match.group("octave")))
        except ValueError as err:
            self.sink.error("E050", str(err), cell.span, "use notes within C-1..G9")
            return None

    def _add(self, note: ir.MelodyNote, ties_on: bool, cell: S.Cell) -> None:
        """Append a note, or lengthen the note tied into it."""
        held = self.pending_tie
        if held is not None and held.pitch != note.pitch:
            self.sink.error("E050", "a tie joins two notes of the same pitch", cell.span,
                            "tie to the same note, or remove the `~` before it")
        if held is not None and held.pitch == note.pitch:
            note = held.model_copy(update={"dur": held.dur + note.dur})
            self.notes[-1] = note
        else:
            self.notes.append(note)
        self.pending_tie = note if ties_on else None


def _beats_text(length: Fraction, meter: ir.Meter) -> str:
    units = length * meter.den / 4
    unit = {2: "half", 4: "quarter", 8: "eighth", 16: "sixteenth"}[meter.den]
    value = str(units.numerator) if units.denominator == 1 else f"{float(units):.3g}"
    return f"{value} {unit}{'' if units == 1 else 's'}"
