"""musicxml_writer: a `from_song.LeadSheet` as a MusicXML 4.0 lead sheet (score-partwise, one part):
chords as `<harmony>`, the melody if any, sections as rehearsal marks, repeats and endings, the
tempo, swing as `<swing>`. `musicxml.read_text` reads it back to the same chord timeline."""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from xml.sax.saxutils import escape

from ..chords import parse_chord
from ..pitch import Key
from .from_song import LeadSheet
from .model import Block, ChartBar, ChartNote, Meter
from .musicxml import _CIRCLE, _MODE_SHIFT
from .musicxml_harmony import KINDS
from .song_writer import note_values

_C_MAJOR = Key("C", "major")
_TYPES = {1: "whole", 2: "half", 4: "quarter", 8: "eighth", 16: "16th", 32: "32nd"}
# The canonical quality of each kind's chord, so a chord that is one kind is written as that kind.
_KIND_OF: dict[str, str] = {}
for _kind, _quality in KINDS.items():
    if _quality is not None:
        _KIND_OF.setdefault(parse_chord("C" + _quality, _C_MAJOR).quality, _kind)
# The kinds another chord is written as, with <degree>s for the tones it adds, alters or leaves out.
_BASES = ("major", "minor", "dominant", "major-seventh", "minor-seventh", "diminished", "augmented",
          "half-diminished", "diminished-seventh", "major-sixth", "minor-sixth", "suspended-fourth",
          "suspended-second", "dominant-ninth", "major-ninth", "minor-ninth", "dominant-13th", "power")
_BASE_TONES = {kind: set(parse_chord("C" + KINDS[kind], _C_MAJOR).intervals) for kind in _BASES}


def write(sheet: LeadSheet) -> str:
    bars = [(block, bar, sign) for block, times in sheet.visits for bar, sign in _bars_of(block, times)]
    divisions = _divisions(bars)
    body, meter, tied = [], None, False
    for number, (block, bar, sign) in enumerate(bars, 1):
        lines, tied = _measure(number, block.meter, bar, sign, divisions, meter, sheet, tied)
        meter = block.meter
        body += lines
    head = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
            '"http://www.musicxml.org/dtds/partwise.dtd">',
            '<score-partwise version="4.0">',
            f"  <work><work-title>{escape(sheet.title)}</work-title></work>",
            "  <identification>" + (f'<creator type="composer">{escape(sheet.composer)}</creator>'
                                    if sheet.composer else "") + "<encoding><software>songspec</software></encoding></identification>",
            '  <part-list><score-part id="P1"><part-name>Lead sheet</part-name></score-part></part-list>',
            '  <part id="P1">']
    return "\n".join(head + body + ["  </part>", "</score-partwise>", ""])


def _bars_of(block: Block, times: int) -> list[tuple[ChartBar, dict]]:
    """The visit's measures with the signs around each: its label, repeat signs and endings."""
    repeated = times > 1 or bool(block.endings)
    out = [(bar, {}) for bar in block.bars]
    out[0][1]["label"] = block.label
    if repeated:
        out[0][1]["forward"] = True
    if not block.endings:
        if repeated:
            out[-1][1]["backward"] = times
        return out
    for number, ending in enumerate(block.endings, 1):
        signs = [(bar, {}) for bar in ending]
        signs[0][1]["ending_start"] = number
        last = number == len(block.endings)
        signs[-1][1]["ending_stop"] = (number, "discontinue" if last else "stop")
        if not last:
            signs[-1][1]["backward"] = max(times, len(block.endings))
        out += signs
    return out


def _divisions(bars) -> int:
    """Divisions of a quarter that every note length and chord start is a whole number of."""
    lengths = [note.length * 4 for _, bar, _ in bars for note in bar.melody]
    lengths += [chord.beats * _beat(block.meter) for block, bar, _ in bars for chord in bar.chords]
    lengths += [value * 4 for length in lengths for value, _ in note_values(length / 4)]
    return lcm(1, *(Fraction(length).denominator for length in lengths))


def _beat(meter: Meter) -> Fraction:
    """Quarters in one of the meter's chart beats (a dotted quarter in 6/8, 9/8, 12/8)."""
    return Fraction(4, meter.den) * (3 if meter.beats != meter.num else 1)


def _measure(number: int, meter: Meter, bar: ChartBar, sign: dict, divisions: int, before: Meter | None,
             sheet: LeadSheet, tied: bool) -> tuple[list[str], bool]:
    lines = [f'    <measure number="{number}">']
    if sign.get("forward") or sign.get("ending_start"):
        lines.append("      " + _barline("left", forward=sign.get("forward"), ending=sign.get("ending_start")))
    if before is None or before != meter:
        lines.append("      " + _attributes(meter, divisions, sheet if before is None else None))
    if before is None:
        lines.append("      " + _tempo(sheet))
    if sign.get("label"):
        lines.append(f'      <direction placement="above"><direction-type><rehearsal>{escape(sign["label"])}'
                     "</rehearsal></direction-type></direction>")
    notes = bar.melody or (ChartNote(None, Fraction(meter.num, meter.den)),)
    chord_lines, tied = _notes_and_chords(bar, meter, notes, divisions, tied, not bar.melody)
    lines += chord_lines
    if sign.get("backward") or sign.get("ending_stop"):
        lines.append("      " + _barline("right", backward=sign.get("backward"), stop=sign.get("ending_stop")))
    lines.append("    </measure>")
    return lines, tied


def _attributes(meter: Meter, divisions: int, sheet: LeadSheet | None) -> str:
    if sheet is None:
        return f"<attributes><time><beats>{meter.num}</beats><beat-type>{meter.den}</beat-type></time></attributes>"
    mode = sheet.mode if sheet.mode in _MODE_SHIFT else "minor" if "minor" in sheet.mode else "major"
    fifths = _CIRCLE.index(sheet.tonic) - 8 - _MODE_SHIFT[mode] if sheet.tonic in _CIRCLE else 0
    return (f"<attributes><divisions>{divisions}</divisions><key><fifths>{fifths}</fifths><mode>{mode}</mode>"
            f"</key><time><beats>{meter.num}</beats><beat-type>{meter.den}</beat-type></time>"
            "<clef><sign>G</sign><line>2</line></clef></attributes>")


def _tempo(sheet: LeadSheet) -> str:
    swing = ""
    if sheet.swing:
        swing = (f"<swing><first>{sheet.swing}</first><second>{100 - sheet.swing}</second>"
                 "<swing-type>eighth</swing-type></swing>")
    return (f'<direction placement="above"><direction-type><metronome><beat-unit>quarter</beat-unit>'
            f"<per-minute>{sheet.tempo}</per-minute></metronome></direction-type>"
            f'<sound tempo="{sheet.tempo}">{swing}</sound></direction>')


def _barline(location: str, forward=None, ending=None, backward=None, stop=None) -> str:
    parts = []
    if stop and stop[1] == "discontinue":
        parts.append("<bar-style>light-heavy</bar-style>")
    if ending:
        parts.append(f'<ending number="{ending}" type="start"/>')
    if stop:
        parts.append(f'<ending number="{stop[0]}" type="{stop[1]}"/>')
    if forward:
        parts.append('<repeat direction="forward"/>')
    if backward:
        parts.append(f'<repeat direction="backward" times="{backward}"/>')
    return f'<barline location="{location}">{"".join(parts)}</barline>'


def _notes_and_chords(bar: ChartBar, meter: Meter, notes: tuple[ChartNote, ...], divisions: int, tied: bool,
                      rest_bar: bool) -> tuple[list[str], bool]:
    """The measure's notes, each harmony written before the note it starts in (with an <offset>)."""
    starts, at = [], Fraction(0)
    for chord in bar.chords:
        starts.append((at, chord.symbol))
        at += chord.beats * _beat(meter)
    lines, at = [], Fraction(0)
    for note in notes:
        values = note_values(note.length)
        for index, (value, name) in enumerate(values):
            end = at + value * 4
            while starts and starts[0][0] < end:
                offset = (starts[0][0] - at) * divisions
                lines.append("      " + harmony(starts.pop(0)[1], int(offset)))
            tie_start = note.pitch is not None and (note.tied or index < len(values) - 1)
            lines.append("      " + _note(note, value, name, divisions, (tied, tie_start), rest_bar))
            tied, at = tie_start, end
    return lines, tied


def _note(note: ChartNote, value: Fraction, name: str, divisions: int, ties: tuple[bool, bool],
          rest_bar: bool) -> str:
    """One `<note>` of one value (`4.`, `8t`); `ties`: whether it is tied from the note before, into the next."""
    duration = int(value * 4 * divisions)
    number = int(name.rstrip(".t"))
    dots, triplet = "<dot/>" * name.count("."), name.endswith("t")
    modification = ("<time-modification><actual-notes>3</actual-notes><normal-notes>2</normal-notes>"
                    "</time-modification>") if triplet else ""
    if note.pitch is None:
        rest = '<rest measure="yes"/>' if rest_bar else "<rest/>"
        kind = "" if rest_bar else f"<type>{_TYPES[number]}</type>{dots}"
        return f"<note>{rest}<duration>{duration}</duration><voice>1</voice>{kind}{modification}</note>"
    step, alter, octave = note.pitch[0], note.pitch[1:-1], note.pitch[-1]
    alter_tag = f"<alter>{alter.count('#') - alter.count('b')}</alter>" if alter else ""
    ties = ('<tie type="stop"/>' if ties[0] else "") + ('<tie type="start"/>' if ties[1] else "")
    return (f"<note><pitch><step>{step}</step>{alter_tag}<octave>{octave}</octave></pitch>"
            f"<duration>{duration}</duration>{ties}<voice>1</voice><type>{_TYPES[number]}</type>{dots}"
            f"{modification}</note>")


# -- chord symbols -----------------------------------------------------------------------------------
def harmony(symbol: str, offset: int = 0) -> str:
    """A chord symbol as a `<harmony>`: its root, the kind it is (or the nearest, with degrees), its bass.

    >>> harmony("Bb7b9/D")
    '<harmony><root><root-step>B</root-step><root-alter>-1</root-alter></root><kind text="7b9">dominant</kind><bass><bass-step>D</bass-step></bass><degree><degree-value>9</degree-value><degree-alter>-1</degree-alter><degree-type>add</degree-type></degree></harmony>'
    """
    spec = parse_chord(symbol, _C_MAJOR)
    where = f"<offset>{offset}</offset>" if offset else ""
    if spec.is_no_chord:  # the schema wants a root even here; readers ignore it for `none`
        return f'<harmony><root><root-step>C</root-step></root><kind text="N.C.">none</kind>{where}</harmony>'
    kind, degrees = _kind(spec.quality, set(spec.intervals))
    bass = f"<bass>{_step('bass', spec.bass)}</bass>" if spec.bass else ""
    return (f"<harmony><root>{_step('root', spec.root)}</root><kind text=\"{escape(spec.quality)}\">{kind}</kind>"
            f"{bass}{''.join(degrees)}{where}</harmony>")


def _step(tag: str, name: str) -> str:
    alter = name[1:].count("#") - name[1:].count("b")
    return f"<{tag}-step>{name[0]}</{tag}-step>" + (f"<{tag}-alter>{alter}</{tag}-alter>" if alter else "")


def _kind(quality: str, tones: set[int]) -> tuple[str, list[str]]:
    if quality in _KIND_OF:
        return _KIND_OF[quality], []
    base = min(_BASES, key=lambda kind: (len(tones ^ _BASE_TONES[kind]), _BASES.index(kind)))
    return base, _degrees(_BASE_TONES[base], tones)


# Semitones above the root -> (degree, alteration) as MusicXML counts them (from a dominant chord).
def _degree_of(semitones: int, tones: set[int]) -> tuple[int, int]:
    table = {0: (1, 0), 1: (9, -1), 2: (9, 0), 3: (9, 1) if 4 in tones else (3, -1), 4: (3, 0), 5: (11, 0),
             6: (11, 1) if 7 in tones else (5, -1), 7: (5, 0), 8: (13, -1) if 7 in tones else (5, 1), 9: (13, 0),
             10: (7, 0), 11: (7, 1)}
    return table[semitones % 12]


def _degrees(base: set[int], tones: set[int]) -> list[str]:
    added = {_degree_of(t, tones): t for t in sorted(tones - base)}
    missing = {_degree_of(t, base)[0]: t for t in sorted(base - tones)}
    out = []
    for (degree, alter), _ in added.items():
        kind = "alter" if degree in missing else "add"
        missing.pop(degree, None)
        out.append(_degree(degree, alter, kind))
    out += [_degree(degree, 0, "subtract") for degree in missing]
    return out


def _degree(value: int, alter: int, kind: str) -> str:
    return (f"<degree><degree-value>{value}</degree-value><degree-alter>{alter}</degree-alter>"
            f"<degree-type>{kind}</degree-type></degree>")
