"""resolve.form: form line + arrange block + sections -> the passes and the flat list of played bars."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction

from .. import ir
from .. import syntax as S
from ..chords import ChordSpec, transpose_chord
from ..errors import DiagnosticSink
from ..limits import BARS, DURATION_S, over
from ..source import Span
from ..suggest import suggestion_text
from ..words import Words
from .chart import chord_ir, read_key, repeat_count

SPECIALS = ("intro", "ending", "tag", "vamp")
TAG_BARS = 4
VAMP_BARS = 2
MARK_WORDS = ("build", "drop", "fill", "two-feel", "stop", "break", "style", "tempo", "ramp", "transpose", "key",
              "tacet", "only") + ir.DYNAMICS
PASS_WORDS = ("first", "last")


@dataclass(frozen=True)
class FormSlot:
    """One entry of the flattened form: a label, where the form line named it, the ending the form
    names for it (`A.2`), and which repetition of which group it is played in (`run`): passes of one
    label in a row are a repeat only inside one repetition (`A A` or `A x3`, not `(… A) x2`)."""

    label: str
    span: Span
    ending: int | None = None
    run: tuple[tuple[int, int], ...] = ()


def flatten_form(items: tuple[S.FormItem, ...], sink: DiagnosticSink,
                 sections: frozenset[str] = frozenset()) -> list[FormSlot]:
    """Expand groups and `xN` repeats: `intro (A B) x2` -> intro A B A B; `A.2` names A's ending 2.

    Each item is read once, so a problem in a group repeated three times is reported once.
    """
    slots: list[FormSlot] = []
    for index, item in enumerate(items):
        count = repeat_count(item.repeat, sink)
        if item.name is not None:
            slots += [_slot(item.name, sections)] * count
            continue
        once = flatten_form(item.group, sink, sections)
        if len({slot.label for slot in once}) == 1:  # `(A) x3` is `A x3`
            slots += once * count
            continue
        for repetition in range(count):
            slots += [replace(slot, run=((index, repetition), *slot.run)) for slot in once]
    return slots


def form_passes(items: tuple[S.FormItem, ...]) -> int:
    """How many passes the form plays once expanded, counted without expanding it (a nested `x64`
    bomb is checked before any of it is built); a repeat count out of range counts once."""
    total = 0
    for item in items:
        digits = re.sub(r"\D", "", item.repeat.text) if item.repeat is not None else "1"
        count = int(digits) if digits and 1 <= int(digits) <= 64 else 1
        total += count * (1 if item.name is not None else form_passes(item.group))
    return total


def within_bar_limit(plans: list[PlannedPass | None], span: Span, sink: DiagnosticSink) -> list[PlannedPass | None]:
    """The planned passes, or none (E101) if they play more than BARS bars; counted before the
    bars are played (`played_bars`), so a bomb costs no more than its plan."""
    total = sum(len(plan.bars) for plan in plans if plan is not None)
    if total <= BARS.most:
        return plans
    sink.items.append(over(BARS, total, span, "the form plays"))
    return []


def check_duration(bars: tuple[ir.PlayedBar, ...], span: Span, sink: DiagnosticSink) -> None:
    """E104 if the music would last longer than DURATION_S (about: ramps are taken at their mean tempo)."""
    seconds = sum(Fraction(60 * 4 * bar.meter.num, bar.meter.den) / ((bar.tempo + bar.tempo_end) / 2)
                  for bar in bars)
    if seconds > DURATION_S.most:
        sink.items.append(over(DURATION_S, int(seconds), span, "the song lasts"))


_EXPLICIT_ENDING = re.compile(r"(.+)\.(\d+)")


def _slot(name: S.Word, sections: frozenset[str]) -> FormSlot:
    """`A.2` is section A with its ending 2, unless a section is named `A.2` itself."""
    explicit = _EXPLICIT_ENDING.fullmatch(name.text)
    if explicit is None or name.text in sections or explicit.group(1) not in sections:
        return FormSlot(name.text, name.span)
    return FormSlot(explicit.group(1), name.span, ending=int(explicit.group(2)))


@dataclass
class Chart:
    """What the passes are made from: the song's sections and the style's intro/ending."""

    sections: dict[str, ir.SectionDef]
    style_sections: dict[str, ir.SectionDef]
    style_known: bool = True

    def find(self, label: str) -> ir.SectionDef | None:
        return self.sections.get(label) or self.style_sections.get(label)


def read_marks(line: S.OptionLine, sink: DiagnosticSink, track_names: set[str]) -> tuple[str, str | None, ir.Marks, Span, dict[str, Span]]:
    """`last C ff stop 2` -> ("C", "last", Marks(dynamic="ff", stop=2), span of C, where each mark is written)."""
    words = Words(line.values, sink, line.name.span)
    which, label = None, line.name
    if line.name.text in PASS_WORDS:
        which = line.name.text
        label = words.name("a section label", f"{which} A f")
        if label is None:
            return "", None, ir.Marks(), line.name.span, {}
    fields: dict = {}
    where: dict[str, Span] = {}
    while not words.done():
        _read_mark(words, sink, fields, where, track_names)
    return label.text, which, ir.Marks(**fields, span=line.span), label.span, where


def _read_mark(words: Words, sink: DiagnosticSink, fields: dict, where: dict[str, Span], track_names: set[str]) -> None:
    word = words.take()
    text = word.text
    field = "dynamic" if text in ir.DYNAMICS else {"break": "break_bars", "two-feel": "two_feel"}.get(text, text)
    first = fields.pop(field, None)
    if text in ir.DYNAMICS:
        fields["dynamic"] = text
    elif text in ("build", "drop", "fill", "two-feel"):
        fields[field] = True
    elif text in ("stop", "break"):
        count = words.number(f"a bar count after `{text}`", f"{text} 2", 1, 64) if _number_next(words) else 2
        fields["stop" if text == "stop" else "break_bars"] = int(count or 2)
    elif text in ("tempo", "ramp"):
        bpm = words.number("a tempo in BPM", f"{text} 140", 20, 400)
        if bpm is not None:
            fields[text] = bpm
    elif text == "transpose":
        steps = words.number("semitones", "transpose +1", -12, 12)
        if steps is not None:
            fields["transpose"] = int(steps)
    elif text == "key":
        key = read_key(words, sink, "key Ab major", stop=MARK_WORDS)
        if key is not None:
            fields["key"] = key
    elif text == "style":
        name = words.name("a style name", "style latin.bossa")
        if name is not None:
            fields["style"] = name.text
    elif text in ("tacet", "only"):
        fields[text] = _track_list(words, sink, text, track_names)
    else:
        hint = suggestion_text(text, MARK_WORDS)
        sink.error("E070", f"unknown arrangement mark `{text}`", word.span,
                   hint or "marks are pp p mp mf f ff, build, drop, fill, two-feel, stop N, break N, tempo N, ramp N, "
                           "transpose N, key K, style NAME, tacet TRACK, only TRACK")
    if field not in fields:  # not a mark, or its value was wrong (reported): an earlier value stands
        if first is not None:
            fields[field] = first
        return
    if field in where:
        _twice(sink, text, first, fields[field], word.span, where[field])
    where[field] = word.span


def _twice(sink: DiagnosticSink, mark: str, first, second, span: Span, first_span: Span) -> None:
    """A mark set twice on one line: the second wins, which is rarely what was meant (`mp f`)."""
    if mark in ir.DYNAMICS:
        message = f"two dynamics on one line, `{first}` and `{second}`; `{second}` is used"
        help = "keep one; for a change during the pass use `build`, or a `first`/`last` line for one pass"
    elif isinstance(second, bool):
        message, help = f"`{mark}` is given twice", "keep one"
    else:
        message = f"`{mark}` is given twice on one line; the second, `{_shown(second)}`, is used"
        help = "keep one"
    sink.warning("W005", message, span, help, notes=((first_span, f"first given here: `{_shown(first)}`"),))


def _shown(value) -> str:
    if isinstance(value, ir.KeySig):
        return f"{value.tonic} {value.mode}"
    if isinstance(value, tuple):
        return " ".join(value)
    return str(value)


def _number_next(words: Words) -> bool:
    word = words.peek()
    return word is not None and word.kind == "number"


def _track_list(words: Words, sink: DiagnosticSink, mark: str, track_names: set[str]) -> tuple[str, ...]:
    names: list[str] = []
    while words.peek_name() and words.peek_name() not in MARK_WORDS:
        word = words.take()
        if word.text not in track_names:
            hint = suggestion_text(word.text, sorted(track_names))
            sink.error("E043", f"unknown track `{word.text}`", word.span, hint or f"tracks: {', '.join(sorted(track_names))}")
        names.append(word.text)
    if not names:
        words.expected(f"track names after `{mark}`", f"{mark} piano guitar")
    return tuple(names)


@dataclass(frozen=True)
class PlannedPass:
    label: str
    kind: str
    bars: tuple[ir.Bar, ...]
    key: ir.KeySig
    span: Span
    ending: ir.Ending | None = None


def plan_passes(slots: list[FormSlot], chart: Chart, sink: DiagnosticSink) -> list[PlannedPass]:
    """Choose each pass's bars: its ending (`ending_numbers`), style intro/ending, tags and vamps."""
    numbers = ending_numbers(slots, chart)
    reported: set[Span] = set()
    planned = [_plan_one(slot, number, chart, sink, reported) for slot, number in zip(slots, numbers)]
    return _fill_tags_and_vamps(planned, slots, chart, sink)


def ending_numbers(slots: list[FormSlot], chart: Chart) -> list[int | None]:
    """The lead-sheet ending rule, for a section with endings 1..k:

    - a run of passes of the section in a row is a repeat: its i-th pass takes ending min(i, k);
    - any other pass takes ending 1, except the section's last pass in the form, which takes k;
    - an ending the form names (`A.2`) is taken as written.

    >>> from compiler.source import Span
    >>> meter, key, ending = ir.Meter(num=4, den=4), ir.KeySig(tonic="C", mode="major"), ir.Ending(number=1, bars=())
    >>> a = ir.SectionDef(label="A", meter=meter, key=key, bars=(), endings=(ending, ending))
    >>> b = ir.SectionDef(label="B", meter=meter, key=key, bars=())
    >>> here = Span("s.song", 1, 1, 1, 2, 0, 1)
    >>> ending_numbers([FormSlot(label, here) for label in "AABA"], Chart({"A": a, "B": b}, {}))
    [1, 2, None, 2]
    """
    last = {slot.label: index for index, slot in enumerate(slots)}
    numbers: list[int | None] = []
    for index, slot in enumerate(slots):
        section = chart.find(slot.label)
        k = len(section.endings) if section is not None else 0
        if slot.ending is not None or k == 0:
            numbers.append(slot.ending)
            continue
        position, length = _place_in_run(slots, index)
        numbers.append(min(position, k) if length > 1 else k if index == last[slot.label] else 1)
    return numbers


def _place_in_run(slots: list[FormSlot], index: int) -> tuple[int, int]:
    """(1-based position, length) of the run of same-label passes, in one repetition, holding `index`."""
    def same(i: int) -> bool:
        return 0 <= i < len(slots) and (slots[i].label, slots[i].run) == (slots[index].label, slots[index].run)

    start, end = index, index
    while same(start - 1):
        start -= 1
    while same(end + 1):
        end += 1
    return index - start + 1, end - start + 1


def _plan_one(slot: FormSlot, ending: int | None, chart: Chart, sink: DiagnosticSink,
              reported: set[Span]) -> PlannedPass | None:
    section = chart.find(slot.label)
    if section is None:
        if slot.label in ("tag", "vamp") or slot.label in SPECIALS and not chart.style_known:
            return None
        if slot.span not in reported:  # one diagnostic for `(A B) x3`, not three
            reported.add(slot.span)
            _undefined(slot, chart, sink)
        return None
    if ending is not None and not 1 <= ending <= len(section.endings):
        if slot.span not in reported:
            reported.add(slot.span)
            _no_such_ending(slot, section, sink)
        return None
    kind = slot.label if slot.label in SPECIALS else "section"
    chosen = section.endings[ending - 1] if ending else None
    bars = section.bars + (chosen.bars if chosen is not None else ())
    return PlannedPass(slot.label, kind, bars, section.key, slot.span, chosen)


def _undefined(slot: FormSlot, chart: Chart, sink: DiagnosticSink) -> None:
    if slot.label in SPECIALS:
        sink.error("E030", f"the style has no {slot.label} and the song defines none", slot.span,
                   f"define `section {slot.label}` with its bars, or pick a style that has one")
        return
    choices = sorted(chart.sections) + list(SPECIALS)
    hint = suggestion_text(slot.label, choices)
    sink.error("E030", f"section `{slot.label}` is not defined", slot.span,
               hint or f"define it with `section {slot.label}` and its bars, or use one of: {', '.join(choices)}")


def _no_such_ending(slot: FormSlot, section: ir.SectionDef, sink: DiagnosticSink) -> None:
    count = len(section.endings)
    if count == 0:
        sink.error("E023", f"section {slot.label} has no endings to choose from", slot.span,
                   f"write `{slot.label}`, or give the section `ending 1` and `ending 2` lines")
    else:
        sink.error("E023", f"section {slot.label} has no ending {slot.ending}", slot.span,
                   f"its endings are {', '.join(f'{slot.label}.{n}' for n in range(1, count + 1))}")


def _fill_tags_and_vamps(planned: list[PlannedPass | None], slots: list[FormSlot], chart: Chart,
                         sink: DiagnosticSink) -> list[PlannedPass]:
    """A `tag` replays the last bars of the pass before it; a `vamp` loops the next pass's first bars."""
    result: list[PlannedPass] = []
    reported: set[Span] = set()
    for index, (plan, slot) in enumerate(zip(planned, slots)):
        if plan is None and slot.label in ("tag", "vamp") and chart.find(slot.label) is None:
            following = next((p for p in planned[index + 1:] if p is not None), None)
            plan = _special_pass(slot, result[-1] if result else None, following)
            if plan is None and slot.span not in reported:
                reported.add(slot.span)
                sink.error("E032", f"`{slot.label}` has no section to take its bars from", slot.span,
                           f"put `{slot.label}` after a section in the form")
        if plan is not None:
            result.append(plan)
    return result


def _special_pass(slot: FormSlot, previous: PlannedPass | None, following: PlannedPass | None) -> PlannedPass | None:
    if slot.label == "vamp" and following is not None:
        return PlannedPass("vamp", "vamp", following.bars[:VAMP_BARS], following.key, slot.span)
    if previous is None:
        return None
    count = TAG_BARS if slot.label == "tag" else VAMP_BARS
    return PlannedPass(slot.label, slot.label, previous.bars[-count:], previous.key, slot.span)


def assign_marks(plans: list[PlannedPass], arrange: S.Arrange | None, sink: DiagnosticSink,
                 track_names: set[str], form_labels: set[str]) -> list[ir.Marks]:
    """Marks per pass: lines for a label apply to all its passes; `first`/`last` lines override them."""
    general: dict[str, ir.Marks] = {}
    specific: dict[tuple[str, str], ir.Marks] = {}
    first_seen: dict[tuple[str | None, str], Span] = {}
    labels = form_labels
    for line in arrange.lines if arrange else ():
        label, which, marks, span, where = read_marks(line, sink, track_names)
        if not label:
            continue
        if label not in labels:
            hint = suggestion_text(label, sorted(labels))
            sink.error("E030", f"`{label}` is not played in the form", span,
                       hint or f"arrange the labels of the form: {', '.join(sorted(labels))}")
            continue
        if (which, label) in first_seen:
            sink.error("E013", f"`{(which + ' ') if which else ''}{label}` is arranged twice", span,
                       "merge the two lines", notes=((first_seen[(which, label)], "first arranged here"),))
            continue
        first_seen[(which, label)] = span
        (specific.__setitem__((which, label), marks) if which else general.__setitem__(label, marks))
        passes = [p for p in plans if p.label == label]
        _check_stop_lengths(marks, where, passes[:1] if which == "first" else passes[-1:] if which else passes, sink)
    return _marks_per_pass(plans, general, specific)


def _check_stop_lengths(marks: ir.Marks, where: dict[str, Span], plans: list[PlannedPass],
                        sink: DiagnosticSink) -> None:
    """`stop 8` on a 4-bar pass makes the whole pass stop-time: say so rather than play it silently."""
    shortest = min((len(plan.bars) for plan in plans), default=0)
    for field, mark in (("stop", "stop"), ("break_bars", "break")):
        count = getattr(marks, field)
        if shortest and count > shortest:
            sink.warning("W004", f"`{mark} {count}` is longer than the pass ({shortest} bar"
                         f"{'s' if shortest != 1 else ''}); the whole pass plays it", where[field],
                         f"write `{mark} {shortest}` for the whole pass, or fewer bars")


def _marks_per_pass(plans: list[PlannedPass], general: dict, specific: dict) -> list[ir.Marks]:
    counts = {label: sum(1 for p in plans if p.label == label) for label in {p.label for p in plans}}
    seen: dict[str, int] = {}
    result = []
    for plan in plans:
        seen[plan.label] = seen.get(plan.label, 0) + 1
        marks = general.get(plan.label, ir.Marks())
        for which, hit in (("first", seen[plan.label] == 1), ("last", seen[plan.label] == counts[plan.label])):
            override = specific.get((which, plan.label))
            if hit and override is not None:
                marks = marks.model_copy(update={f: getattr(override, f) for f in override.model_fields_set if f != "span"})
        result.append(marks)
    return result


def played_bars(plans: list[PlannedPass], marks: list[ir.Marks], keys: list,
                tempo: Fraction) -> tuple[tuple[ir.Pass, ...], tuple[ir.PlayedBar, ...]]:
    """The performance in order: tempo (with ramps) bar by bar, each pass in its key (`keys.pass_keys`:
    a `PassKey` per pass, whose chords move from the written key when that is not already it)."""
    passes: list[ir.Pass] = []
    bars: list[ir.PlayedBar] = []
    seen: dict[str, int] = {}
    for index, (plan, mark, played) in enumerate(zip(plans, marks, keys)):
        seen[plan.label] = seen.get(plan.label, 0) + 1
        tempo = mark.tempo or tempo
        key = played.key
        moves = 0 if (plan.key.tonic, plan.key.mode) == (key.tonic, key.mode) else played.steps
        tempi = _bar_tempi(plan.bars, tempo, mark.ramp)
        for bar, (start, end) in zip(plan.bars, tempi):
            bars.append(ir.PlayedBar(number=len(bars) + 1, pass_index=index, meter=bar.meter, key=key,
                                     slots=_moved_slots(bar.slots, moves, key), tempo=start, tempo_end=end,
                                     span=bar.span))
        tempo = mark.ramp or tempo
        ending = plan.ending
        passes.append(ir.Pass(label=plan.label, pass_no=seen[plan.label], kind=plan.kind,
                              first_bar=len(bars) - len(plan.bars) + 1, bar_count=len(plan.bars),
                              ending=ending.number if ending else 0, ending_bars=len(ending.bars) if ending else 0,
                              transpose=played.steps, marks=mark, span=plan.span))
    return tuple(passes), tuple(bars)


def moved_key(key: ir.KeySig, steps: int) -> ir.KeySig:
    if steps == 0:
        return key
    moved = key.key.transposed(steps)
    return ir.KeySig(tonic=moved.tonic, mode=moved.mode)


def _bar_tempi(bars: tuple[ir.Bar, ...], tempo: Fraction, ramp: Fraction | None) -> list[tuple[Fraction, Fraction]]:
    """Start and end tempo of each bar; a ramp moves linearly in beats across the whole pass."""
    if ramp is None:
        return [(tempo, tempo)] * len(bars)
    total = sum((bar.meter.quarters for bar in bars), Fraction(0))
    result, elapsed = [], Fraction(0)
    for bar in bars:
        start = tempo + (ramp - tempo) * elapsed / total
        elapsed += bar.meter.quarters
        result.append((start, tempo + (ramp - tempo) * elapsed / total))
    return result


def _moved_slots(slots: tuple[ir.ChordSlot, ...], steps: int, key: ir.KeySig) -> tuple[ir.ChordSlot, ...]:
    if steps == 0:
        return slots
    return tuple(slot.model_copy(update={"chord": transpose_ir_chord(slot.chord, steps, key)}) for slot in slots)


def transpose_ir_chord(chord: ir.Chord, steps: int, key: ir.KeySig) -> ir.Chord:
    if chord.root is None:
        return chord
    spec = ChordSpec(chord.symbol, chord.root, chord.root_pc, chord.quality, chord.intervals, chord.tensions,
                     chord.bass, chord.bass_pc)
    return chord_ir(transpose_chord(spec, steps, key.key), chord.span)
