"""resolve: syntax.SongFile + Library -> ir.Song. Binds every name, reads every value, flattens the form.

All problems of a file are collected (resolve keeps going past a bad line) and raised together as
one `ResolveError`. The pieces, one module each:

    settings (this module)  header lines, `use`, style lookup, duplicate definitions
    chart                   sections, bars, chords, endings
    form                    form line + arrange marks -> passes and played bars (tempo, transposition)
    band                    tracks, mix, master
    patterns                style step grids
    style                   a whole style definition
    melody                  melody blocks
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .. import ir
from .. import syntax as S
from ..errors import DiagnosticSink, ParseError, ResolveError
from ..library import Library
from ..limits import BARS, USE_DEPTH, over
from ..pitch import Key
from ..source import Span
from ..suggest import did_you_mean, suggestion_text
from ..words import Words
from .band import TrackState, read_master, read_mix, read_track
from .chart import read_key, read_meter, read_section
from .form import (Chart, FormSlot, assign_marks, check_duration, flatten_form, form_passes, moved_key, plan_passes,
                   played_bars, within_bar_limit)
from .keys import KeyChange, pass_keys, style_made_in_key
from .melody import read_melody
from .patterns import read_pattern
from .style import NO_FORMS, StyleForms, read_style, swing_for_tempo

SETTINGS = ("title", "composer", "tempo", "key", "time", "swing", "seed", "humanize", "use", "soundfont")
STATEMENTS = ("section", "form", "arrange", "track", "melody", "mix", "master", "pattern", "style")
# Words other tools and lead sheets use for our settings. Spelling similarity alone would send
# `meter` to `master` and `bpm` nowhere; the word a musician means is the fix.
SETTING_SYNONYMS = {
    "meter": "time", "metre": "time", "signature": "time", "time_signature": "time", "timesig": "time",
    "bpm": "tempo", "speed": "tempo", "author": "composer", "artist": "composer", "by": "composer",
    "writer": "composer", "lyricist": "composer", "name": "title", "song": "title", "groove": "style",
    "feel": "style", "rhythm": "style", "shuffle": "swing", "sf2": "soundfont", "sound": "soundfont",
    "include": "use", "import": "use", "tonality": "key", "scale": "key",
}
DEFAULT_KEY = ir.KeySig(tonic="C", mode="major")


@dataclass
class Header:
    """Header values as read; None where the song did not say."""

    values: dict = field(default_factory=dict)
    where: dict[str, Span] = field(default_factory=dict)
    uses: list[tuple[str, Span]] = field(default_factory=list)


def resolve(tree: S.SongFile, library: Library, sink: DiagnosticSink | None = None, *, transpose: int = 0,
            tempo: Fraction | None = None, key: Key | None = None) -> ir.Song:
    """Resolve a parsed song. `transpose`/`tempo` are practice overrides (semitones, BPM); a practice
    `key` replaces `transpose` with the short way from the written key to it. Diagnostics go to `sink`
    (warnings stay there for the caller); errors are raised as one `ResolveError`."""
    sink = sink if sink is not None else DiagnosticSink()
    header = _read_header(tree, sink)
    _check_soundfont_place(tree, header, library, sink)
    written = header.values.get("key", DEFAULT_KEY)
    practice = KeyChange(written, ir.KeySig(tonic=key.tonic, mode=key.mode)) if key is not None else None
    transpose = 0 if practice else transpose
    key = written
    styles = _StyleFinder(tree, header.uses, library, key, sink)
    style = styles.main(_single(tree, S.StyleUse, sink), header.values)
    styles.check_all()
    # Without its style the band is unknown: report what the style decides only once it is found.
    band_sink = sink if style is not _EMPTY_STYLE else DiagnosticSink()
    meter = header.values.get("meter", style.meter)
    states = _band(tree, style, band_sink)
    sections = _sections(tree, meter, key, sink)
    chart = Chart(sections, {s.label: s for s in (style.intro, style.ending) if s is not None},
                  style_known=style is not _EMPTY_STYLE)
    slots = _form_slots(tree, sections, sink)
    plans = within_bar_limit(plan_passes(slots, chart, sink), _form_span(tree), sink)
    marks = assign_marks(plans, _single(tree, S.Arrange, sink), band_sink, set(states), {s.label for s in slots})
    keys = pass_keys(plans, marks, practice, transpose)
    plans, keys = style_made_in_key(plans, marks, keys, chart, styles.forms.get(style.name, NO_FORMS))
    song_tempo = tempo or header.values.get("tempo", style.tempo)
    passes, bars = played_bars(plans, marks, keys, song_tempo)
    check_duration(bars, _form_span(tree), sink)
    _unused_sections(sections, slots, sink)
    _empty_song(tree, bars, sink)
    mix, master = _single(tree, S.Mix, sink), _single(tree, S.Master, sink)
    reverb = read_mix(mix, states, band_sink, style.reverb) if mix else style.reverb
    song = ir.Song(
        title=header.values.get("title", Path(tree.path).stem), composer=header.values.get("composer", ""),
        path=tree.path, tempo=song_tempo, key=practice.target if practice else moved_key(key, transpose), meter=meter,
        swing=_song_swing(header.values.get("swing"), style, song_tempo), seed=header.values.get("seed", 0),
        humanize=header.values.get("humanize", Fraction(1, 2)), soundfont=header.values.get("soundfont"),
        style=style, alt_styles=styles.switched(marks), patterns=_patterns(tree, sink),
        sections=tuple(sections.values()), passes=passes, bars=bars,
        tracks=tuple(state.build() for state in states.values()),
        melodies=_melodies(tree, sections, meter, sink), reverb=reverb,
        master=read_master(master, sink) if master else ir.MasterSpec(),
    )
    sink.raise_if_any(ResolveError)
    return song


# -- header ---------------------------------------------------------------------------------------
def _read_header(tree: S.SongFile, sink: DiagnosticSink) -> Header:
    header = Header()
    for setting in _of(tree, S.Setting):
        name = setting.name.text
        if name not in SETTINGS:
            hint = _setting_hint(name)
            sink.error("E010", f"unknown setting `{name}`", setting.name.span,
                       hint or f"settings are {', '.join(SETTINGS)}")
            continue
        if name != "use" and name in header.where:
            _duplicate(sink, f"`{name}`", setting.name.span, header.where[name])
            continue
        header.where[name] = setting.name.span
        words = Words(setting.values, sink, setting.name.span)
        _HEADER_READERS[name](words, header, sink, setting)
        if not words.done():
            sink.error("E011", f"unexpected `{words.peek().text}` after `{name}`", words.here(),
                       f"`{name}` takes one value; see the example in docs/language.md")
    return header


def _setting_hint(name: str) -> str | None:
    """`meter` → `time`: a synonym first, then a spelling close to a setting or statement."""
    meant = SETTING_SYNONYMS.get(name.lower())
    if meant is not None:
        return f"songspec calls it `{meant}`: write `{meant}` instead of `{name}`"
    return suggestion_text(name, SETTINGS + STATEMENTS)


def _string(key: str, example: str):
    def read(words: Words, header: Header, sink: DiagnosticSink, setting: S.Setting) -> None:
        value = words.string(f"a quoted {key}", example)
        if value is not None:
            header.values[key] = value
    return read


def _check_soundfont_place(tree: S.SongFile, header: Header, library: Library, sink: DiagnosticSink) -> None:
    """A song's `soundfont` names a file in its own folder tree (or the stdlib's), never `/etc/shadow`:
    a song from elsewhere must not make songspec read, and hash, files outside it. (`--soundfont` on the
    command line may name any file.)"""
    name = header.values.get("soundfont")
    if name is None:
        return
    root = Path(tree.path).resolve().parent
    path = (root / name).resolve()
    if not (path.is_relative_to(root) or library.is_stdlib(path)):
        sink.error("E092", f"`soundfont \"{name}\"` is outside the song's folder", header.where["soundfont"],
                   "copy the SoundFont into the song's folder, or pass it on the command line: --soundfont PATH")
        del header.values["soundfont"]


def _tempo(words: Words, header: Header, sink: DiagnosticSink, setting: S.Setting) -> None:
    value = words.number("a tempo in BPM", "tempo 120", 20, 400, units=("bpm",))
    if value is not None:
        header.values["tempo"] = value


def _key(words: Words, header: Header, sink: DiagnosticSink, setting: S.Setting) -> None:
    value = read_key(words, sink)
    if value is not None:
        header.values["key"] = value


def _time(words: Words, header: Header, sink: DiagnosticSink, setting: S.Setting) -> None:
    value = read_meter(words, sink)
    if value is not None:
        header.values["meter"] = value


def _song_swing(written: Fraction | str | None, style: ir.StyleDef, tempo: Fraction) -> Fraction:
    """The song's `swing`, else its style's; `swing auto` (or a style that says it) swings by tempo."""
    if written == "auto" or (written is None and style.swing_by_tempo):
        return swing_for_tempo(tempo)
    return style.swing if written is None else written


def _swing(words: Words, header: Header, sink: DiagnosticSink, setting: S.Setting) -> None:
    """`swing 62%`, or `swing auto`: by the song's tempo."""
    if words.peek_name() == "auto":
        words.take()
        header.values["swing"] = "auto"
        return
    _percent("swing", "swing 62%", 50, 75)(words, header, sink, setting)


def _percent(key: str, example: str, low: int, high: int):
    def read(words: Words, header: Header, sink: DiagnosticSink, setting: S.Setting) -> None:
        value = words.number(f"a {key} amount", example, low, high, units=("%",))
        if value is not None:
            header.values[key] = value / 100
    return read


def _seed(words: Words, header: Header, sink: DiagnosticSink, setting: S.Setting) -> None:
    value = words.number("a whole-number seed", "seed 7", 0, 2**31 - 1)
    if value is not None and value.denominator != 1:
        sink.error("E011", "a seed is a whole number", setting.values[0].span, "write e.g. `seed 7`")
    elif value is not None:
        header.values["seed"] = int(value)


def _use(words: Words, header: Header, sink: DiagnosticSink, setting: S.Setting) -> None:
    value = words.string("a quoted file name", 'use "mystyles.song"')
    if value is not None:
        header.uses.append((value, setting.values[0].span))


_HEADER_READERS = {
    "title": _string("title", 'title "Autumn Leaves"'), "composer": _string("composer", 'composer "Joseph Kosma"'),
    "soundfont": _string("soundfont", 'soundfont "MySoundFont.sf2"'),
    "tempo": _tempo, "key": _key, "time": _time, "swing": _swing,
    "humanize": _percent("humanize", "humanize 40%", 0, 100), "seed": _seed, "use": _use,
}


# -- statements -----------------------------------------------------------------------------------
def _of(tree: S.SongFile, kind: type) -> list:
    return [s for s in tree.statements if isinstance(s, kind)]


def _single(tree: S.SongFile, kind: type, sink: DiagnosticSink):
    found = _of(tree, kind)
    for extra in found[1:]:
        _duplicate(sink, f"`{kind.__name__.lower().replace('styleuse', 'style')}`", _anchor(extra), _anchor(found[0]))
    return found[0] if found else None


def _anchor(node) -> Span:
    return node.span if node.span is not None else node.name.span


def _duplicate(sink: DiagnosticSink, what: str, span: Span, first: Span) -> None:
    sink.error("E013", f"{what} is defined twice", span, "keep one definition",
               notes=((first, "first defined here"),))


def _unique(items: list, sink: DiagnosticSink, what: str) -> list:
    """Items with a name not seen before; every later namesake is a duplicate-definition error."""
    seen: dict[str, Span] = {}
    kept = []
    for item in items:
        name = item.name.text
        if name in seen:
            _duplicate(sink, f"{what} `{name}`", item.name.span, seen[name])
            continue
        seen[name] = item.name.span
        kept.append(item)
    return kept


def _band(tree: S.SongFile, style: ir.StyleDef, sink: DiagnosticSink) -> dict[str, TrackState]:
    """The style's band, changed and extended by the song's track lines, in a stable order."""
    states = {track.name: TrackState.of(track) for track in style.tracks}
    for line in _unique(_of(tree, S.Track), sink, "track"):
        base = style_track(style, line.name.text)
        track, state = read_track(line, base, sink)
        if state is not None:
            states[line.name.text] = state
    return states


def style_track(style: ir.StyleDef, name: str) -> ir.TrackDef | None:
    return next((t for t in style.tracks if t.name == name), None)


def _sections(tree: S.SongFile, meter: ir.Meter, key: ir.KeySig, sink: DiagnosticSink) -> dict[str, ir.SectionDef]:
    return {s.name.text: read_section(s, meter, key, sink) for s in _unique(_of(tree, S.Section), sink, "section")}


def _form_slots(tree: S.SongFile, sections: dict[str, ir.SectionDef], sink: DiagnosticSink):
    form = _single(tree, S.Form, sink)
    if form is not None and form_passes(form.items) > BARS.most:  # each pass has a bar at least
        sink.items.append(over(BARS, form_passes(form.items), form.span or _form_span(tree),
                               "the form plays at least"))
        return []
    if form is not None:
        return flatten_form(form.items, sink, frozenset(sections))
    return [FormSlot(label, section.span) for label, section in sections.items()]


def _unused_sections(sections: dict[str, ir.SectionDef], slots, sink: DiagnosticSink) -> None:
    """A section the form never plays, unless the form misspells it (`form A b A` with B): that typo
    is already reported, with the section as its did-you-mean. A form over the bar limit was not
    expanded (E101): what it plays is unknown."""
    if any(diag.code == BARS.code for diag in sink.errors):
        return
    played = {slot.label for slot in slots}
    meant = {did_you_mean(label, sections)[0] for label in played - set(sections) if did_you_mean(label, sections)}
    for label, section in sections.items():
        if label not in played and label not in meant:
            sink.warning("W001", f"section `{label}` is never played", section.span,
                         f"add `{label}` to the `form` line, or delete the section")


def _form_span(tree: S.SongFile) -> Span:
    """Where a limit on the whole performance is reported: the form line, or the top of the file."""
    form = next(iter(_of(tree, S.Form)), None)
    return form.span if form is not None and form.span is not None else Span(tree.path, 1, 1, 1, 2, 0, 1)


def _empty_song(tree: S.SongFile, bars: tuple[ir.PlayedBar, ...], sink: DiagnosticSink) -> None:
    """A song with nothing to play builds an empty file. A file of styles only is a library, not a song;
    a song whose sections or form are broken has errors that say so."""
    if bars or sink.errors or _of(tree, S.StyleDef) or _of(tree, S.Section):
        return
    form = next(iter(_of(tree, S.Form)), None)
    where = form.span if form is not None else Span(tree.path, 1, 1, 1, 2, 0, 1)
    sink.warning("W003", "the song has no bars to play", where,
                 "add a section with bars, e.g. `section A` with `  | C | G7 |` under it")


def _patterns(tree: S.SongFile, sink: DiagnosticSink) -> tuple[ir.PatternDef, ...]:
    read = (read_pattern(p, sink) for p in _unique(_of(tree, S.Pattern), sink, "pattern"))
    return tuple(p for p in read if p is not None)


def _melodies(tree: S.SongFile, sections: dict[str, ir.SectionDef], meter: ir.Meter,
              sink: DiagnosticSink) -> tuple[ir.MelodyDef, ...]:
    def meter_of(label: str | None) -> ir.Meter | None:
        if label is None:
            return meter
        if label in sections:
            return sections[label].meter
        return None

    found = []
    for melody in _unique(_of(tree, S.Melody), sink, "melody"):
        resolved = read_melody(melody, meter_of, sink)
        if resolved is None and melody.values:
            word = melody.values[-1]
            sink.error("E030", f"section `{word.text}` is not defined", word.span,
                       suggestion_text(word.text, sections) or "a melody is written `for` one of the song's sections")
        elif resolved is not None:
            found.append(resolved)
    return tuple(found)


# -- styles ---------------------------------------------------------------------------------------
class _StyleFinder:
    """Looks styles up in the song's `use`d files (checked for cycles and location), then the stdlib."""

    def __init__(self, tree: S.SongFile, uses: list[tuple[str, Span]], library: Library, key: ir.KeySig,
                 sink: DiagnosticSink) -> None:
        path = Path(tree.path).resolve()
        self.root = path.parent
        self.library, self.key, self.sink = library, key, sink
        self.defs: dict[str, tuple[S.StyleDef, str]] = {
            style.name.text: (style, tree.path) for style in _unique(_of(tree, S.StyleDef), sink, "style")}
        self.resolved: dict[str, ir.StyleDef] = {}
        self.forms: dict[str, StyleForms] = {}
        self.visited: set[Path] = set()
        for target, span in uses:
            self._use(self.root, target, span, [path])
        self.user_styles = list(self.defs)

    def check_all(self) -> None:
        """Resolve every style the song or its `use`d files define, used or not, so `check` sees its errors."""
        for name in self.user_styles:
            self.find(name, None)

    def _use(self, base: Path, target: str, span: Span, stack: list[Path]) -> None:
        path = (base / target).resolve()
        if not (path.is_relative_to(self.root) or self.library.is_stdlib(path)):
            self.sink.error("E062", f"`use \"{target}\"` reaches outside the song's folder", span,
                            "keep style files in the song's folder or below it")
            return
        if path in stack:
            chain = " -> ".join(p.name for p in stack[stack.index(path):] + [path])
            self.sink.error("E061", f"`use` cycle: {chain}", span, "remove one of the `use` lines")
            return
        if not path.is_file():
            self.sink.error("E090", f"no file `{target}`", span, f"looked for {path}")
            return
        if path in self.visited:  # a diamond: each file's definitions are taken once
            return
        if len(stack) > USE_DEPTH.most:
            self.sink.items.append(over(USE_DEPTH, len(stack) + 1, span, "this `use` goes"))
            return
        self.visited.add(path)
        tree = self._load(path, span)
        if tree is not None:
            self._take_definitions(tree, path, stack)

    def _load(self, path: Path, span: Span | None = None) -> S.SongFile | None:
        """A library file's syntax tree; its syntax errors join the song's diagnostics."""
        try:
            return self.library.load(path)
        except ParseError as err:
            self.sink.items.extend(err.diagnostics)
        except (OSError, UnicodeDecodeError) as err:
            reason = "it is not UTF-8 text" if isinstance(err, UnicodeDecodeError) else err.strerror or str(err)
            if span is not None:
                self.sink.error("E060", f"cannot read `{path.name}`: {reason}", span,
                                "save the style file as UTF-8 text, or remove the `use` line")
        return None

    def _take_definitions(self, tree: S.SongFile, path: Path, stack: list[Path]) -> None:
        for statement in tree.statements:
            if isinstance(statement, S.StyleDef):
                self.defs.setdefault(statement.name.text, (statement, str(path)))
            elif isinstance(statement, S.Setting) and statement.name.text == "use":
                word = statement.values[0] if statement.values else statement.name
                self._use(path.parent, word.text, word.span, stack + [path])
            else:
                self.sink.error("E060", "a used file may only define styles", _anchor(statement),
                                "move this into the song, or keep only `style` blocks and `use` lines here")

    def find(self, name: str, span: Span | None) -> ir.StyleDef | None:
        if name in self.resolved:
            return self.resolved[name]
        if name not in self.defs:
            self._load_stdlib(name)
        if name not in self.defs:
            if span is not None:
                self._unknown(name, span)
            return None
        definition, origin = self.defs[name]
        self.resolved[name], self.forms[name] = self._read(definition, origin)
        return self.resolved[name]

    def _read(self, definition: S.StyleDef, origin: str):
        """`read_style`, remembered in the Library for the same written style and key when it reported
        nothing: `song import` checks hundreds of charts in a few styles with one Library, and reading
        a style's band and patterns is most of checking a short song."""
        key = (self.key.tonic, self.key.mode, origin, definition.name.text)
        known = self.library.read_styles.get(key)
        if known is not None and known[0] is definition:
            return known[1]
        sink = DiagnosticSink()
        read = read_style(definition, self.key, sink, origin)
        self.sink.items.extend(sink.items)
        if not sink.items:
            self.library.read_styles[key] = (definition, read)
        return read

    def _load_stdlib(self, name: str) -> None:
        path = self.library.stdlib_file(name)
        tree = self._load(path) if path is not None else None
        for statement in _of(tree, S.StyleDef) if tree else ():
            self.defs.setdefault(statement.name.text, (statement, str(path)))

    def _unknown(self, name: str, span: Span) -> None:
        known = sorted(set(self.defs) | {n for n, _, _ in self.library.stdlib_styles()})
        hint = suggestion_text(name, known)
        self.sink.error("E042", f"unknown style `{name}`", span, hint or "`song styles` lists the styles available")

    def main(self, use: S.StyleUse | None, header: dict) -> ir.StyleDef:
        """The song's style, or a default chosen by meter and tempo when it names none."""
        if use is not None:
            found = self.find(use.name.text, use.name.span)
        else:
            found = self.find(default_style(header.get("meter"), header.get("tempo")), None)
        return found or _EMPTY_STYLE

    def switched(self, marks: list[ir.Marks]) -> tuple[ir.StyleDef, ...]:
        names = sorted({m.style for m in marks if m.style})
        found = (self.find(name, next(m.span for m in marks if m.style == name)) for name in names)
        return tuple(style for style in found if style is not None)


def style_summaries(library: Library) -> list[ir.StyleDef]:
    """Every bundled style, resolved (its meter, tempo and band), sorted by name.

    Raises:
        SongError: if a stdlib file has a problem.
    """
    sink = DiagnosticSink()
    found = []
    for name, _, path in library.stdlib_styles():
        definition = next(s for s in _of(library.load(path), S.StyleDef) if s.name.text == name)
        found.append(read_style(definition, DEFAULT_KEY, sink, str(path))[0])
    sink.raise_if_any(ResolveError)
    return found


def default_style(meter: ir.Meter | None, tempo: Fraction | None) -> str:
    """A sensible style for a song that names none: by meter, then tempo."""
    if meter is not None and meter.num == 3 and meter.den == 4:
        return "jazz.waltz"
    if meter is not None and meter.den == 8 and meter.num % 3 == 0:
        return "soul.ballad68"
    if tempo is not None and tempo < 80:
        return "pop.ballad"
    return "pop.eighths"


_EMPTY_STYLE = ir.StyleDef(name="none", description="", meter=ir.Meter(num=4, den=4), tempo=Fraction(120),
                           swing=Fraction(1, 2), tracks=(), patterns=())
