"""resolve.style: syntax.StyleDef -> ir.StyleDef (band, patterns) and its intro/ending forms.

A style writes its intro and ending in Roman numerals, once per mode it cares about:

    section intro                 # the major form (no mode word)
      | I | vi7 | ii7 | V7 |
    section intro minor           # the minor form
      | i | iv7 | iiø7 | V7b9 |

A pass plays the form of its key's mode (`StyleForms.read`): the mode's own form if the style gives
one, else the nearer of minor and major (a minor third: dorian, phrygian … take the minor form),
else the other. `ir.StyleDef.intro`/`ending` are the forms for the song's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .. import ir
from .. import syntax as S
from ..errors import DiagnosticSink
from ..pitch import MODES, parse_key
from ..suggest import suggestion_text
from ..words import Words
from ..mixspec import ReverbBus
from .adapt import check_adapts, read_adapt
from .band import read_reverb_bus, read_track
from .chart import read_meter, read_section
from .patterns import read_pattern

STYLE_SETTINGS = ("time", "tempo", "swing", "reverb", "adapt")
STYLE_SECTIONS = ("intro", "ending")
DEFAULT_METER = ir.Meter(num=4, den=4)
_SAME_MODE = {"aeolian": "minor", "ionian": "major"}


@dataclass(frozen=True)
class StyleForms:
    """A style's intro and ending as written, one per (label, mode), and the meter they are in."""

    meter: ir.Meter
    written: dict[tuple[str, str], S.Section]

    def form(self, label: str, mode: str) -> tuple[str, S.Section] | None:
        """(its mode, the form) a pass in `mode` plays: its own, else the nearer of minor and major,
        else the other."""
        mode = _SAME_MODE.get(mode, mode)
        nearer = "minor" if MODES[mode][2] == 3 else "major"
        for choice in (mode, nearer, {"minor": "major", "major": "minor"}[nearer]):
            if (label, choice) in self.written:
                return choice, self.written[(label, choice)]
        return None

    def read(self, label: str, key: ir.KeySig) -> ir.SectionDef | None:
        """`label` (intro or ending) for a pass in `key`: the form for its mode, its numerals read on the
        key's tonic in the mode the form was written for (a dorian song plays the minor form as minor)."""
        found = self.form(label, key.mode)
        if found is None:
            return None
        mode, form = found
        return read_section(form, self.meter, ir.KeySig(tonic=key.tonic, mode=mode), DiagnosticSink())


NO_FORMS = StyleForms(DEFAULT_METER, {})


def read_style(style: S.StyleDef, key: ir.KeySig, sink: DiagnosticSink, origin: str) -> tuple[ir.StyleDef, StyleForms]:
    """A style's settings, band and patterns, and its intro/ending forms (the song key's in the IR).

    Every form is read once here, in the song's tonic and the form's own mode, so its problems are
    reported once whichever key plays it.
    """
    settings = {"meter": DEFAULT_METER, "tempo": Fraction(120), "swing": Fraction(1, 2)}
    for item in style.items:
        if isinstance(item, S.Setting):
            _style_setting(item, settings, sink)
    tracks = tuple(t for t in (read_track(item, None, sink)[0] for item in style.items if isinstance(item, S.Track)) if t)
    patterns = tuple(p for p in (read_pattern(item, sink) for item in style.items if isinstance(item, S.Pattern)) if p)
    if settings.get("swing_by_tempo"):
        settings["swing"] = swing_for_tempo(settings["tempo"])
    if "adapt" in settings:
        settings["adapt"] = check_adapts(settings["adapt"], settings["meter"], sink)
    forms = StyleForms(settings["meter"], _forms(style, sink))
    for (label, mode), form in forms.written.items():
        read_section(form, settings["meter"], ir.KeySig(tonic=key.tonic, mode=mode), sink)
    definition = ir.StyleDef(name=style.name.text, description=style.description.text, tracks=tracks,
                             patterns=patterns, intro=forms.read("intro", key), ending=forms.read("ending", key),
                             origin=origin, span=style.name.span, **settings)
    return definition, forms


# Swing by tempo, after JJSwing's public tempo profile: (BPM, long:short eighth ratio).
SWING_BY_TEMPO = ((50, Fraction(5, 2)), (120, Fraction(2)), (190, Fraction(9, 5)), (240, Fraction(3, 2)))


def swing_for_tempo(tempo: Fraction) -> Fraction:
    """The swing (the off-beat's place in the beat) a player gives `tempo`: wide when slow,
    tighter as it rises; between the table's tempos the ratio moves in a straight line.

    Example:
        >>> [str(swing_for_tempo(Fraction(t))) for t in (40, 120, 155, 300)]
        ['5/7', '2/3', '19/29', '3/5']
    """
    (low, low_ratio), *rest = SWING_BY_TEMPO
    ratio = low_ratio
    for high, high_ratio in rest:
        if tempo <= low:
            break
        share = min(Fraction(1), (tempo - low) / (high - low))
        ratio = low_ratio + (high_ratio - low_ratio) * share
        low, low_ratio = high, high_ratio
    return ratio / (ratio + 1)


def _forms(style: S.StyleDef, sink: DiagnosticSink) -> dict[tuple[str, str], S.Section]:
    """`section intro` / `section ending [MODE]` -> the section as written, without its mode word."""
    found: dict[tuple[str, str], S.Section] = {}
    for item in style.items:
        if not isinstance(item, S.Section) or not _style_section_ok(item, sink):
            continue
        mode, values = _form_mode(item, sink)
        if mode is None:
            continue
        if (item.name.text, mode) in found:
            first = found[(item.name.text, mode)].name.span
            sink.error("E013", f"the {mode} {item.name.text} is defined twice", item.name.span, "keep one definition",
                       notes=((first, "first defined here"),))
            continue
        found[(item.name.text, mode)] = S.Section(name=item.name, values=values, lines=item.lines, span=item.span)
    return found


def _form_mode(section: S.Section, sink: DiagnosticSink) -> tuple[str | None, tuple[S.Word, ...]]:
    """The mode word after `section ending` (none: major), and the section options after it."""
    values = section.values
    if not values or values[0].text in ("time", "key"):
        return "major", values
    try:
        mode = parse_key("C", values[0].text).mode
    except ValueError as err:
        sink.error("E014", f"`{values[0].text}` is not a mode: {err}", values[0].span,
                   "write `section ending minor` (or another mode: dorian, mixolydian …)")
        return None, values
    return _SAME_MODE.get(mode, mode), values[1:]


def _style_setting(item: S.Setting, settings: dict, sink: DiagnosticSink) -> None:
    words = Words(item.values, sink, item.name.span)
    name = item.name.text
    if name == "time":
        settings["meter"] = read_meter(words, sink) or settings["meter"]
    elif name == "tempo":
        settings["tempo"] = words.number("a tempo in BPM", "tempo 120", 20, 400) or settings["tempo"]
    elif name == "swing" and words.peek_name() == "auto":
        words.take()
        settings["swing_by_tempo"] = True
    elif name == "swing":
        value = words.number("a swing amount", "swing 62%", 50, 75, units=("%",))
        settings["swing"] = value / 100 if value is not None else settings["swing"]
    elif name == "reverb":
        base = settings.get("reverb", ReverbBus())
        settings["reverb"] = read_reverb_bus(words, sink, base) or base
    elif name == "adapt":
        adapt = read_adapt(words, sink)
        settings["adapt"] = settings.get("adapt", ()) + ((adapt,) if adapt else ())
    else:
        sink.error("E010", f"unknown style setting `{name}`", item.name.span,
                   suggestion_text(name, STYLE_SETTINGS) or "a style takes time, tempo, swing, reverb, adapt, track, section, pattern")


def _style_section_ok(section: S.Section, sink: DiagnosticSink) -> bool:
    if section.name.text in STYLE_SECTIONS:
        return True
    sink.error("E014", f"a style defines only `intro` and `ending` sections, not `{section.name.text}`",
               section.name.span, suggestion_text(section.name.text, STYLE_SECTIONS) or "rename it intro or ending")
    return False
