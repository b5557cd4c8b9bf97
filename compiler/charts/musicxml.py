"""musicxml: MusicXML lead sheets (`.musicxml`, `.xml`, `.mxl` compressed) read into a `model.Chart`.

The chords are the `<harmony>` elements (of the first part that has any), read by `musicxml_harmony`;
the first part's notes (or another part's and voice's: `song import --part/--voice`) the melody.
Measures, repeats, endings, rehearsal marks and the road map (`<sound>` segno, coda, D.C., D.S., fine)
make the sections and the form; time, key and tempo come from the first part.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from fractions import Fraction

from .blocks import ReadBar, form_of, named, section_label, split_blocks
from .ireal import STYLES, style_for
from .model import Chart, ChartBar, ChartChord, ChartNote, ChartProblem, Found, Meter
from .musicxml_harmony import ALTER, harmony_symbol
from .song_writer import writable
from .xmltree import Element, parse

SUFFIXES = (".musicxml", ".xml", ".mxl")

_CIRCLE = ["Fb", "Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#",
           "A#", "E#", "B#"]  # index = fifths + 8 for a major key
_MODE_SHIFT = {"major": 0, "ionian": 0, "minor": 3, "aeolian": 3, "dorian": 2, "phrygian": 4, "lydian": -1,
               "mixolydian": 1, "locrian": 5}
_TRIPLET_GRID = 96  # a boundary on a 96th of a whole note is one `.song` values reach (32nds and their triplets)
MAX_XML_CHARS = 16_000_000  # a lead sheet is well under a megabyte; a full score a few


def read_text(text: str, part: int = 1, voice: str = "1") -> list[Found]:
    """The score of a MusicXML text, read (or the problem that stopped it); [] when it is no score.
    The melody is the notes of `voice` in the `part`-th part (from 1; `song import --part/--voice`)."""
    try:
        root = parse(text)
    except ChartProblem as problem:
        return [Found(0, 1, problem=problem)]
    if root.tag == "score-timewise":
        return [Found(root.offset, 1, problem=ChartProblem(
            "E209", "a timewise MusicXML score", "export it as a (partwise) MusicXML file", root.offset))]
    if root.tag != "score-partwise":
        return []
    try:
        score = _Score(root, part, voice)
        return [Found(root.offset, 1, score.chart(), warnings=tuple(score.warnings))]
    except ChartProblem as problem:
        return [Found(root.offset, 1, problem=problem)]


def unzip(data: bytes) -> str:
    """The score inside a compressed `.mxl`: the root file META-INF/container.xml names. Raises
    ChartProblem (E209)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            name = _root_file(archive, names)
            if archive.getinfo(name).file_size > MAX_XML_CHARS:
                raise ChartProblem("E209", f"the score {name} is larger than {MAX_XML_CHARS:,} bytes")
            return archive.read(name).decode("utf-8").replace("\r\n", "\n")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, EOFError) as err:
        raise ChartProblem("E209", f"not a compressed MusicXML (.mxl) file: {err}",
                           "export the score again as .mxl, or as uncompressed .musicxml") from None


def _root_file(archive: zipfile.ZipFile, names: list[str]) -> str:
    if "META-INF/container.xml" in names:
        container = parse(archive.read("META-INF/container.xml").decode("utf-8"))
        rootfiles = container.find("rootfiles")
        for rootfile in rootfiles.findall("rootfile") if rootfiles else []:
            if rootfile.attrib.get("full-path") in names:
                return rootfile.attrib["full-path"]
    scores = [n for n in names if n.endswith((".musicxml", ".xml")) and not n.startswith("META-INF/")]
    if not scores:
        raise KeyError("no score in the archive")
    return scores[0]


# -- one measure ------------------------------------------------------------------------------------
@dataclass
class _Measure:
    """A measure as read: its meter, length in quarters, chords and notes at their positions (quarters
    from the measure's start), the signs around it and where it is."""

    offset: int
    meter: Meter
    length: Fraction
    key: str
    chords: list[tuple[Fraction, str, int]] = field(default_factory=list)  # where, symbol, its <harmony>
    # start, length, pitch or "r", tied, and where its <note> is
    notes: list[tuple[Fraction, Fraction, str, bool, int]] = field(default_factory=list)
    bar: ReadBar | None = None
    words: list[str] = field(default_factory=list)
    pickup: Fraction = Fraction(0)  # the length of the notes in a measure shorter than its meter
    rough: tuple[int, str] | None = None  # the first note no `.song` value writes: where, and its tuplet


class _PartReader:
    """Reads one part's measures in order, keeping its divisions, meter and the time position."""

    def __init__(self, part: Element, voice: str = "1") -> None:
        self.part, self.voice = part, voice
        self.divisions = 1
        self.meter = Meter(4, 4)
        self.key: str | None = None  # the key of the measures being read (the first: the chart's)
        self.tempo: int | None = None
        self.swing: int | None = None

    def measures(self) -> list[_Measure]:
        measures = [self._measure(element) for element in self.part.findall("measure")]
        if measures and measures[0].pickup:
            _pickup(measures[0])
        return measures

    def _measure(self, element: Element) -> _Measure:
        for attributes in element.findall("attributes"):
            self._attributes(attributes)
        measure = _Measure(element.offset, self.meter, Fraction(4 * self.meter.num, self.meter.den),
                           self.key or "C major")
        measure.bar = ReadBar(ChartBar(()), self.meter, offset=element.offset)
        position, longest, noted = Fraction(0), Fraction(0), Fraction(0)
        for child in element.children:
            if child.tag == "note":
                position = self._note(child, position, measure)
                noted = max(noted, position)
            elif child.tag in ("backup", "forward"):
                step = self._quarters(child.text_of("duration", "0"))
                position += step if child.tag == "forward" else -step
            elif child.tag == "harmony" and child.attrib.get("type") != "alternate":  # printed, not played
                at = position + self._quarters(child.text_of("offset", "0"))
                measure.chords.append((max(at, Fraction(0)), harmony_symbol(child), child.offset))
            elif child.tag == "direction":
                self._direction(child, measure)
            elif child.tag == "sound":
                self._sound(child, measure)
            elif child.tag == "barline":
                _barline(child, measure.bar)
            longest = max(longest, position)
        # A pickup if it is the first: marked `implicit`, or its notes (not a chords-only `<forward>`) short
        if 0 < longest < measure.length and (element.attrib.get("implicit") == "yes" or noted == longest):
            measure.pickup = longest
        return measure

    def _attributes(self, attributes: Element) -> None:
        if attributes.find("divisions") is not None:
            self.divisions = max(1, _int(attributes.find("divisions")))
        time = attributes.find("time")
        if time is not None and time.find("beats") is not None:
            beats = time.text_of("beats")
            self.meter = Meter(sum(int(n) for n in re.findall(r"\d+", beats)) or 4,
                               int(time.text_of("beat-type", "4") or 4))
        key = attributes.find("key")
        if key is not None and key.find("fifths") is not None:
            self.key = _key(_int(key.find("fifths")), key.text_of("mode", "major"))

    def _quarters(self, divisions: str) -> Fraction:
        return Fraction(int(float(divisions or 0) * 1000), 1000 * self.divisions)

    def _note(self, note: Element, position: Fraction, measure: _Measure) -> Fraction:
        if note.find("grace") is not None or note.find("cue") is not None:
            return position
        duration = self._quarters(note.text_of("duration", "0"))
        if note.find("chord") is not None:
            return position  # a note struck with the one before: the melody keeps the first
        if note.text_of("voice", "1") == self.voice:
            pitch = _pitch(note.find("pitch")) if note.find("pitch") is not None else "r"
            tied = any(tie.attrib.get("type") == "start" for tie in note.findall("tie"))
            measure.notes.append((position, duration, pitch, tied, note.offset))
            if measure.rough is None and duration and not writable(duration / 4):
                ratio = note.text_of("time-modification/actual-notes"), note.text_of("time-modification/normal-notes")
                measure.rough = (note.offset, f"{ratio[0]}:{ratio[1]}" if all(ratio) else f"{duration} quarters")
        return position + duration

    def _direction(self, direction: Element, measure: _Measure) -> None:
        for kind in direction.findall("direction-type"):
            for child in kind.children:
                if child.tag == "rehearsal" and child.text.strip():
                    measure.bar.label = child.text.strip()
                elif child.tag == "segno":
                    measure.bar.marks.add("segno")
                elif child.tag == "coda":
                    measure.bar.marks.add("coda_sign")
                elif child.tag == "words" and child.text.strip():
                    measure.words.append(child.text.strip())
                elif child.tag == "metronome" and self.tempo is None:
                    self.tempo = _metronome(child)
        for sound in direction.findall("sound"):
            self._sound(sound, measure)

    def _sound(self, sound: Element, measure: _Measure) -> None:
        attrib, marks = sound.attrib, measure.bar.marks
        if "tempo" in attrib and _number(attrib["tempo"]):
            self.tempo = round(float(attrib["tempo"]))
        marks |= {mark for name, mark in (("segno", "segno"), ("coda", "coda"), ("tocoda", "to_coda"),
                                          ("dalsegno", "ds"), ("fine", "fine")) if name in attrib}
        if attrib.get("dacapo") == "yes":
            marks.add("dc")
        swing = sound.find("swing")
        if swing is not None and self.swing is None:
            self.swing = 50 if swing.find("straight") is not None else _swing(swing)


def _barline(barline: Element, bar: ReadBar) -> None:
    repeat, ending = barline.find("repeat"), barline.find("ending")
    if repeat is not None and repeat.attrib.get("direction") == "forward":
        bar.repeat_start = True
    if repeat is not None and repeat.attrib.get("direction") == "backward":
        bar.repeat_end = True
        bar.times = int(repeat.attrib["times"]) if repeat.attrib.get("times", "").isdigit() else 0
    if ending is not None and ending.attrib.get("type") == "start":
        bar.endings = tuple(int(n) for n in re.findall(r"\d+", ending.attrib.get("number", "")))
    if ending is not None and ending.attrib.get("type") in ("stop", "discontinue"):
        bar.closes = True
    if barline.text_of("bar-style") in ("light-heavy", "light-light", "heavy-heavy", "heavy-light"):
        bar.closes = True


def _pickup(measure: _Measure) -> None:
    """A first measure shorter than its time signature: a bar in a meter of its own length (one beat of
    4/4 is 1/4), the band waiting when it has no chord. A length no meter writes (a triplet's worth)
    makes a full bar with the notes at its end."""
    meter = next((Meter(int(measure.pickup * den / 4), den) for den in (4, 8, 16)
                  if (measure.pickup * den / 4).denominator == 1), None)
    if meter is None:
        by = measure.length - measure.pickup
        measure.chords = [(at + by, symbol, where) for at, symbol, where in measure.chords]
        rest = (Fraction(0), by, "r", False, measure.offset)
        measure.notes = [rest] + [(at + by, d, p, t, where) for at, d, p, t, where in measure.notes]
        return
    measure.meter, measure.length = meter, measure.pickup
    measure.bar.label, measure.bar.lead_only = "pickup", not measure.chords


# -- the chart ----------------------------------------------------------------------------------
class _Score:
    """The chart of a score: its structure (measures, signs, key, tempo) from the first part, the chords
    from the first part that has any, the melody from the part and voice asked for."""

    def __init__(self, root: Element, part: int = 1, voice: str = "1") -> None:
        self.root, self.warnings = root, []
        parts = root.findall("part")
        if not parts:
            raise ChartProblem("E209", "the score has no <part>", "export a score with at least one part",
                               root.offset)
        if not 1 <= part <= len(parts):
            raise ChartProblem("E212", f"--part {part}, but the score has {_count(len(parts), 'part')}",
                               f"choose a part from 1 to {len(parts)}", root.offset)
        self.first = _PartReader(parts[0], voice if part == 1 else "1")
        self.measures = self.first.measures()
        if part != 1:
            for measure, other in zip(self.measures, _PartReader(parts[part - 1], voice).measures()):
                measure.notes = other.notes
        if (part, voice) != (1, "1") and not _has_melody(self.measures):
            self.warnings.append(_no_voice(parts[part - 1], part, voice))
        rough = next((measure.rough for measure in self.measures if measure.rough), None)
        if rough is not None and _has_melody(self.measures):
            self.warnings.append(ChartProblem(
                "W203", f"a {rough[1]} tuplet has no `.song` note value: its notes are placed on the nearest "
                "32nd, the tuplet keeping its beats", "write it as 16ths or triplets if the placing matters",
                rough[0]))
        harmony_parts = [part for part in parts if _has_harmony(part)]
        if not harmony_parts:
            raise ChartProblem("E200", "the score has no chord symbols (<harmony>)",
                               "add chord symbols to the lead sheet in the notation program", root.offset)
        if harmony_parts[0] is not parts[0]:
            for measure, other in zip(self.measures, _PartReader(harmony_parts[0]).measures()):
                measure.chords = other.chords

    def chart(self) -> Chart:
        bars = self._bars()
        visits = split_blocks(bars, "A", self._title())
        blocks = named([visit.block for visit in visits])
        return Chart(title=self._title(), composer=self._composer(), style=self._style(),
                     key=self.measures[0].key, tempo=self.first.tempo, meter=self._meter(),
                     blocks=blocks, form=form_of(visits), swing=self.first.swing)

    def _bars(self) -> list[ReadBar]:
        melody = _has_melody(self.measures)
        bars, previous, to_coda_seen = [], "N.C.", False
        for measure in self.measures:
            chords = _chords(measure, previous)
            previous = chords[-1].symbol
            notes = _melody(measure) if melody else ()
            bar = replace(measure.bar, chart_bar=ChartBar(chords, notes), meter=measure.meter, key=measure.key)
            bar.label = section_label(bar.label, "A") if bar.label else ""
            if len(bars) == 1 and bars[0].label == "pickup" and not bar.label:
                bar.label = "A"  # the tune proper starts after the pickup
            to_coda_seen = _road_words(bar, measure.words, to_coda_seen)
            bars.append(bar)
        _default_targets(bars)
        return bars

    def _meter(self) -> Meter:
        """The song's time: the first measure's, or the next one's after a pickup."""
        tune = self.measures[1:] if self.measures[0].bar.label == "pickup" else self.measures
        return (tune or self.measures)[0].meter

    def _title(self) -> str:
        return (self.root.text_of("work/work-title") or self.root.text_of("movement-title") or "Untitled").strip()

    def _composer(self) -> str:
        identification = self.root.find("identification")
        creators = identification.findall("creator") if identification is not None else []
        return next((c.text.strip() for c in creators if c.attrib.get("type") == "composer"), "")

    def _style(self) -> str:
        """A style named in words at the top (`Medium Swing`, as iReal Pro's export writes), else ""."""
        words = self.measures[0].words if self.measures else []
        known = [w for w in words if w.strip().lower() in STYLES]
        return style_for(known[0], self._meter()) if known else ""


def _has_melody(measures: list[_Measure]) -> bool:
    return any(note[2] != "r" for measure in measures for note in measure.notes)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _no_voice(part: Element, number: int, voice: str) -> ChartProblem:
    """W202: the part and voice asked for hold no notes; the voices the part has instead."""
    voices = sorted({note.text_of("voice", "1") for measure in part.findall("measure")
                     for note in measure.findall("note") if note.find("pitch") is not None})
    has = f"its voices with notes: {', '.join(voices)}" if voices else "it has no notes"
    return ChartProblem("W202", f"part {number} has no notes in voice {voice}; imported without a melody",
                        f"choose another --voice ({has})", part.offset)


def _has_harmony(part: Element) -> bool:
    return any(child.tag == "harmony" for measure in part.findall("measure") for child in measure.children)


def _chords(measure: _Measure, previous: str) -> tuple[ChartChord, ...]:
    """The measure's chords with their lengths in the meter's beats; before the first, the chord before
    goes on."""
    beat = Fraction(4, measure.meter.den) * (3 if measure.meter.beats != measure.meter.num else 1)
    changes = sorted({at: (symbol, where) for at, symbol, where in measure.chords if at < measure.length}.items())
    if not changes or changes[0][0] > 0:
        changes.insert(0, (Fraction(0), (previous, None)))
    ends = [at for at, _ in changes[1:]] + [measure.length]
    return tuple(ChartChord(symbol, (end - at) / beat, where)
                 for (at, (symbol, where)), end in zip(changes, ends) if end > at)


def _melody(measure: _Measure) -> tuple[ChartNote, ...]:
    """The measure's voice-1 notes, the gaps rests, filling the bar exactly; on the 32nd grid where
    `.song` has no value for them (`_on_grid`)."""
    notes = _exact_melody(measure)
    return notes if all(writable(note.length) for note in notes) else _on_grid(notes)


def _on_grid(notes: tuple[ChartNote, ...]) -> tuple[ChartNote, ...]:
    """A bar's notes with every boundary no `.song` value reaches (inside a 5:4 or 7:4 tuplet) moved to
    the nearest 32nd: the tuplet keeps its start and length, its notes move by less than a 64th; one
    moved onto the note before is dropped (W203 says the bar was placed so)."""
    out: list[ChartNote] = []
    at, start = Fraction(0), Fraction(0)
    for note in notes:
        at += note.length
        end = at if (at * _TRIPLET_GRID).denominator == 1 else Fraction(round(at * 32), 32)
        length = end - start
        if length > 0 and writable(length):
            out.append(replace(note, length=length))
            start = end
        elif out and writable(out[-1].length + length):
            out[-1] = replace(out[-1], length=out[-1].length + length)
            start = end
    return tuple(out)


def _exact_melody(measure: _Measure) -> tuple[ChartNote, ...]:
    notes, at = [], Fraction(0)
    for start, dur, pitch, tied, where in sorted(measure.notes, key=lambda note: note[0]):
        if start > at:
            notes.append(ChartNote(None, (start - at) / 4))
        end = min(start + dur, measure.length)
        if end > max(start, at):
            notes.append(ChartNote(None if pitch == "r" else pitch, (end - max(start, at)) / 4,
                                   tied and end == start + dur, where))
            at = end
    if at < measure.length:
        notes.append(ChartNote(None, (measure.length - at) / 4))
    return tuple(notes)


def _road_words(bar: ReadBar, words: list[str], to_coda_seen: bool) -> bool:
    """`D.C. al Coda`, `D.S. al Fine`, `To Coda`, `Fine` written as words, and a coda sign no <sound>
    explains: the to-coda sign until there is one, then the coda. Returns whether a to-coda is seen."""
    text = " ".join(words).lower()
    if re.search(r"d\.\s*c\.|da capo", text):
        bar.marks.add("dc")
    if re.search(r"d\.\s*s\.|dal segno", text):
        bar.marks.add("ds")
    if "al coda" in text or "al fine" in text:
        bar.marks.add("al_coda" if "al coda" in text else "al_fine")
    elif "to coda" in text:
        bar.marks.add("to_coda")
    elif re.search(r"\bfine\b", text):
        bar.marks.add("fine")
    if "coda_sign" in bar.marks:
        bar.marks.discard("coda_sign")
        if not bar.marks & {"coda", "to_coda"}:
            bar.marks.add("coda" if to_coda_seen else "to_coda")
    return to_coda_seen or "to_coda" in bar.marks


def _default_targets(bars: list[ReadBar]) -> None:
    """A D.C./D.S. that does not say where to: al coda when the chart has a coda, al fine when a Fine."""
    marks = set().union(*(bar.marks for bar in bars))
    target = "al_coda" if {"to_coda", "coda"} <= marks else "al_fine" if "fine" in marks else ""
    for bar in bars:
        if bar.marks & {"dc", "ds"} and not bar.marks & {"al_coda", "al_fine"} and target:
            bar.marks.add(target)


def _pitch(pitch: Element) -> str:
    step = pitch.text_of("step")
    alter = ALTER.get(round(float(pitch.text_of("alter", "0") or 0)), "")
    return f"{step}{alter}{pitch.text_of('octave', '4')}"


def _key(fifths: int, mode: str) -> str:
    mode = mode.strip().lower() if mode.strip().lower() in _MODE_SHIFT else "major"
    index = max(0, min(len(_CIRCLE) - 1, fifths + _MODE_SHIFT[mode] + 8))
    return f"{_CIRCLE[index]} {mode}"


def _metronome(metronome: Element) -> int | None:
    per_minute = metronome.text_of("per-minute")
    if not _number(per_minute):
        return None
    unit = {"half": 2, "quarter": 1, "eighth": Fraction(1, 2)}.get(metronome.text_of("beat-unit"), 1)
    dotted = Fraction(3, 2) if metronome.find("beat-unit-dot") is not None else 1
    return round(float(per_minute) * unit * dotted)


def _swing(swing: Element) -> int | None:
    first, second = swing.text_of("first"), swing.text_of("second")
    if first.isdigit() and second.isdigit() and int(first) + int(second):
        return round(100 * int(first) / (int(first) + int(second)))
    return None


def _int(element: Element | None) -> int:
    try:
        return int(float(element.text.strip())) if element is not None else 0
    except ValueError:
        return 0


def _number(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)?", text.strip()))
