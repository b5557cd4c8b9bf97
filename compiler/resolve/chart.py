"""resolve.chart: syntax.Section -> ir.SectionDef. Chords parsed in the section's key, bars checked."""

from __future__ import annotations

import re

from .. import ir
from .. import syntax as S
from ..chords import ChordError, ChordSpec, parse_chord, split_chord_list
from ..errors import DiagnosticSink
from ..pitch import parse_key
from ..source import Span
from ..suggest import suggestion_text
from ..words import Words

REPEAT_BAR = "%"
HOLD = "."
BEAT = "/"  # slash notation: a one-beat hold, one cell per beat


def chord_ir(spec: ChordSpec, span: Span | None = None) -> ir.Chord:
    """The IR form of a parsed chord (N.C. has no root)."""
    if spec.is_no_chord:
        return ir.Chord(symbol="N.C.", root=None, span=span)
    return ir.Chord(symbol=spec.symbol, root=spec.root, root_pc=spec.root_pc, quality=spec.quality,
                    intervals=spec.intervals, tensions=spec.tensions, bass=spec.bass,
                    bass_pc=spec.bass_pc, span=span)


def read_meter(words: Words, sink: DiagnosticSink) -> ir.Meter | None:
    """`4/4`, `6/8` …: a numerator 1..32 over 2, 4, 8 or 16."""
    start = words.here()
    num = words.number("a time signature", "time 4/4", 1, 32)
    slash = words.peek()
    if num is None or slash is None or slash.text != "/":
        if num is not None:
            words.expected("a time signature", "time 4/4")
        return None
    words.take()
    den = words.number("a time signature", "time 4/4", 1, 64)
    if den is None:
        return None
    if den not in (2, 4, 8, 16) or num.denominator != 1:
        sink.error("E012", f"time signature {num}/{den} is not supported", start,
                   "the lower number must be 2, 4, 8 or 16, e.g. `time 6/8`")
        return None
    return ir.Meter(num=int(num), den=int(den), span=start)


def read_key(words: Words, sink: DiagnosticSink, example: str = "key G minor",
             stop: tuple[str, ...] = ()) -> ir.KeySig | None:
    """`G minor`, `Bb`, `F# dorian`, and as charts write them `Gm`, `F#m`, `g minor`. A word in
    `stop` (an arrangement mark after `key Ab`) is not read as the mode."""
    tonic = words.name("a key", example)
    if tonic is None:
        return None
    mode_word = words.peek() if words.peek_name() and words.peek_name() not in stop else None
    try:
        key = parse_key(tonic.text, mode_word.text if mode_word else None)
    except ValueError as err:
        sink.error("E011", str(err), mode_word.span if mode_word and "mode" in str(err) else tonic.span,
                   f"write e.g. `{example}`")
        words.skip_rest()
        return None
    if mode_word:
        words.take()
    return ir.KeySig(tonic=key.tonic, mode=key.mode, span=tonic.span)


def slot_counts(meter: ir.Meter) -> tuple[int, ...]:
    """How many evenly shared cells a bar of `meter` may hold: the divisors of its pulse count."""
    return tuple(n for n in range(1, meter.num + 1) if meter.num % n == 0)


class ChartReader:
    """Reads the bars of one section, tracking the previous bar and chord for `%` and `.`."""

    def __init__(self, meter: ir.Meter, key: ir.KeySig, sink: DiagnosticSink) -> None:
        self.meter, self.key, self.sink = meter, key, sink
        self.previous_bar: ir.Bar | None = None
        self.previous_chord: ir.Chord | None = None

    def bar(self, bar: S.Bar) -> ir.Bar | None:
        cells = _chord_cells(bar.cells)
        if len(cells) == 1 and cells[0].text == REPEAT_BAR:
            return self._repeat(cells[0])
        if not self._check_count(bar, cells):
            return None
        step = self.meter.quarters / len(cells)
        slots: list[ir.ChordSlot] = []
        for index, cell in enumerate(cells):
            chord = self._cell_chord(cell)
            if chord is None:
                return None
            if cell.text in (HOLD, BEAT) and slots:
                last = slots[-1]
                slots[-1] = last.model_copy(update={"dur": last.dur + step})
            else:
                slots.append(ir.ChordSlot(start=step * index, dur=step, chord=chord, span=cell.span))
            self.previous_chord = chord
        self.previous_bar = ir.Bar(meter=self.meter, slots=tuple(slots), span=bar.span)
        return self.previous_bar

    def _repeat(self, cell: S.Cell) -> ir.Bar | None:
        if self.previous_bar is None:
            self.sink.error("E022", "`%` repeats the previous bar, but this is the first bar of the section",
                            cell.span, "write the chord itself")
            return None
        return self.previous_bar.model_copy(update={"span": cell.span})

    def _check_count(self, bar: S.Bar, cells: list[S.Cell]) -> bool:
        if any(cell.text == BEAT for cell in cells):
            if len(cells) == self.meter.num:
                return True
            self.sink.error("E021", f"a bar with `/` has one cell per beat: this one has {len(cells)}, "
                            f"a {self.meter} bar has {self.meter.num}", bar.span,
                            f"write a chord or `/` for each of the {self.meter.num} beats, e.g. "
                            f"`| {' '.join(['Gm7', '/', 'C7', '/', '/', '/'][:self.meter.num])} |`")
            return False
        counts = slot_counts(self.meter)
        if len(cells) in counts:
            return True
        allowed = ", ".join(str(n) for n in counts[:-1]) + f" or {counts[-1]}" if len(counts) > 1 else "1"
        self.sink.error("E021", f"{len(cells)} cells cannot share a {self.meter} bar evenly", bar.span,
                        f"use {allowed} cells; hold a chord longer with `.`, e.g. `| C . . G7 |`")
        return False

    def _cell_chord(self, cell: S.Cell) -> ir.Chord | None:
        if cell.text in (HOLD, BEAT):
            if self.previous_chord is None:
                self.sink.error("E022", f"`{cell.text}` holds the previous chord, but there is none yet", cell.span,
                                "start the section with a chord")
            return self.previous_chord
        if cell.text == REPEAT_BAR:
            self.sink.error("E022", "`%` must be alone in its bar", cell.span, "write `| % |` to repeat a whole bar")
            return None
        try:
            spec = parse_chord(cell.text, self.key.key)
        except ChordError as err:
            span = _sub_span(cell.span, err.start, err.end)
            self.sink.error("E020", f"unknown chord `{cell.text}`: {err.message}", span, err.help)
            return None
        return chord_ir(spec, cell.span)


def _chord_cells(cells: tuple[S.Cell, ...]) -> list[S.Cell]:
    """The cells as chords: `Gm7,C7` is two cells, as if written `Gm7 C7`."""
    found = []
    for cell in cells:
        for offset, part in split_chord_list(cell.text):
            found.append(S.Cell(text=part, span=_sub_span(cell.span, offset, offset + len(part))))
    return found


def _sub_span(span: Span, start: int, end: int) -> Span:
    end = max(end, start + 1)
    return Span(span.path, span.line, span.col + start, span.line, span.col + end, span.start + start, span.start + end)


def read_section(section: S.Section, meter: ir.Meter, key: ir.KeySig, sink: DiagnosticSink) -> ir.SectionDef:
    """A section with its own `time`/`key` options, bars (with `|: … :|` repeats) and endings."""
    meter, key = _section_options(section, meter, key, sink)
    reader = ChartReader(meter, key, sink)
    repeats = _Repeats(sink)
    bars: list[ir.Bar] = []
    endings: list[ir.Ending] = []
    for line in section.lines:
        if line.label is None:
            if endings:
                sink.error("E023", "bars after an ending", line.span, "put the endings last in the section")
            bars = repeats.line(reader, line, bars)
            continue
        number = _ending_number(line, sink)
        if number is None:
            continue
        reader.previous_bar = bars[-1] if bars else None
        ending_bars = tuple(_read_bars(reader, repeats.outside(line)))
        endings.append(ir.Ending(number=number, bars=ending_bars, span=line.label.span))
    repeats.finish()
    _check_endings(section, endings, sink)
    return ir.SectionDef(label=section.name.text, meter=meter, key=key, bars=tuple(bars),
                         endings=tuple(endings), span=section.name.span)


class _Repeats:
    """`|: … :|` in a section's bars: the bars between are played twice, or N times with `:| xN`.
    A `:|` without a `|:` goes back to the section's start (or to the last `:|`), as on a lead sheet."""

    def __init__(self, sink: DiagnosticSink) -> None:
        self.sink = sink
        self.start: int | None = None       # index in the section's bars of an open `|:`
        self.start_span: Span | None = None
        self.back_to = 0                    # where a `:|` without `|:` goes back to

    def line(self, reader: ChartReader, line: S.SectionLine, bars: list[ir.Bar]) -> list[ir.Bar]:
        closed = False
        for index, bar in enumerate(line.bars):
            cells, opens, closes = _repeat_marks(bar)
            if opens:
                self._open(len(bars), bar)
            read = reader.bar(S.Bar(cells=cells, span=bar.span)) if cells else self._empty(bar)
            bars += [read] if read is not None else []
            if closes:
                last = index == len(line.bars) - 1
                bars = self._close(bars, repeat_count(line.repeat if last else None, self.sink, default=2))
                closed = last
        if line.repeat is not None and not closed:
            self.sink.error("E024", f"`{line.repeat.text}` repeats the bars of a `|: … :|`, but this line does not "
                            "end in `:|`", line.repeat.span, f"end the repeated bars with `:|`, e.g. "
                            f"`|: C | F :| {line.repeat.text}`")
        return bars

    def outside(self, line: S.SectionLine) -> tuple[S.Bar, ...]:
        """An ending's bars; repeat marks belong to the section's own bars."""
        marked = [bar.span for bar in line.bars if _repeat_marks(bar)[1:] != (False, False)]
        for span in marked + ([line.repeat.span] if line.repeat and not marked else []):
            if span is not None:
                self.sink.error("E024", "`|:` and `:|` go in the section's bars, not in an ending", span,
                                "the endings already say what each pass plays after the bars")
        return tuple(S.Bar(cells=_repeat_marks(bar)[0], span=bar.span) for bar in line.bars if _repeat_marks(bar)[0])

    def finish(self) -> None:
        if self.start is not None:
            self.sink.error("E024", "this `|:` is never closed", self.start_span,
                            "end the repeated bars with `:|` (and `x3` after it to play them three times)")

    def _open(self, at: int, bar: S.Bar) -> None:
        if self.start is not None:
            self.sink.error("E024", "`|:` inside a repeat that is not closed yet", bar.span,
                            "close the first repeat with `:|` before opening another")
        self.start, self.start_span = at, bar.span

    def _close(self, bars: list[ir.Bar], times: int) -> list[ir.Bar]:
        start = self.start if self.start is not None else self.back_to
        bars = bars[:start] + bars[start:] * times
        self.start, self.back_to = None, len(bars)
        return bars

    def _empty(self, bar: S.Bar) -> None:
        self.sink.error("E024", "a repeat mark with no chord in its bar", bar.span,
                        "put `|:` before the first chord and `:|` after the last, e.g. `|: C | F :|`")


def _repeat_marks(bar: S.Bar) -> tuple[tuple[S.Cell, ...], bool, bool]:
    """The bar's cells without its repeat marks, and whether it opens (`|: C`) or closes (`F :|`) one."""
    cells = list(bar.cells)
    if [cell.text for cell in cells] == [":"]:
        return (), False, False  # a mark with no chord: reported as such
    opens = bool(cells) and cells[0].text.startswith(":")
    if opens:
        rest = cells[0].text[1:]
        cells[0:1] = [S.Cell(text=rest, span=_sub_span(cells[0].span, 1, len(rest) + 1))] if rest else []
    closes = bool(cells) and cells[-1].text.endswith(":")
    if closes:
        rest = cells[-1].text[:-1]
        cells[-1:] = [S.Cell(text=rest, span=_sub_span(cells[-1].span, 0, len(rest)))] if rest else []
    return tuple(cells), opens, closes


def repeat_count(word: S.Word | None, sink: DiagnosticSink, default: int = 1) -> int:
    """`x3` (also written `x 3`, `*3`, `×3`) after a form item or a closing `:|`."""
    if word is None:
        return default
    count = int(re.sub(r"\D", "", word.text))
    if not 1 <= count <= 64:
        sink.error("E012", f"repeat count {count} is out of range", word.span, "repeat 1 to 64 times, e.g. `x3`")
        return default
    return count


def _read_bars(reader: ChartReader, bars: tuple[S.Bar, ...]) -> list[ir.Bar]:
    read = (reader.bar(bar) for bar in bars)
    return [bar for bar in read if bar is not None]


def _section_options(section: S.Section, meter: ir.Meter, key: ir.KeySig,
                     sink: DiagnosticSink) -> tuple[ir.Meter, ir.KeySig]:
    words = Words(section.values, sink, section.name.span)
    while not words.done():
        option = words.take()
        if option.text == "time":
            meter = read_meter(words, sink) or meter
        elif option.text == "key":
            key = read_key(words, sink, "key Eb major") or key
        else:
            hint = suggestion_text(option.text, ("time", "key"))
            sink.error("E014", f"unknown section option `{option.text}`", option.span,
                       hint or "a section header takes `time 3/4` and `key Eb major`")
            words.skip_rest()
    return meter, key


def _ending_number(line: S.SectionLine, sink: DiagnosticSink) -> int | None:
    if line.label.text != "ending":
        hint = suggestion_text(line.label.text, ("ending",))
        sink.error("E001", f"unexpected `{line.label.text}` before a bar line", line.label.span,
                   hint or "only `ending N` may stand before bars, e.g. `ending 1 | Gm6 | D7 |`")
        return None
    words = Words(line.values, sink, line.label.span)
    number = words.number("an ending number", "ending 1 | … |", 1, 9)
    if number is not None and not words.done():
        sink.error("E023", "an ending takes one number", words.here(), "write `ending 2 | … |`")
    return int(number) if number is not None else None


def _check_endings(section: S.Section, endings: list[ir.Ending], sink: DiagnosticSink) -> None:
    for expected, ending in enumerate(endings, start=1):
        if ending.number != expected:
            sink.error("E023", f"ending {ending.number} where ending {expected} was expected", ending.span,
                       "number the endings 1, 2, … in order")
            return
    if len(endings) == 1:
        sink.error("E023", f"section {section.name.text} has only one ending", endings[0].span,
                   "add `ending 2`, or make the bars part of the section")

