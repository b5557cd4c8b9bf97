"""resolve.style: syntax.StyleDef -> ir.StyleDef (band, patterns, intro/ending read in the song's key)."""

from __future__ import annotations

from fractions import Fraction

from .. import ir
from .. import syntax as S
from ..errors import DiagnosticSink
from ..suggest import suggestion_text
from ..words import Words
from .band import read_track
from .chart import read_meter, read_section
from .patterns import read_pattern

STYLE_SETTINGS = ("time", "tempo", "swing")
STYLE_SECTIONS = ("intro", "ending")
DEFAULT_METER = ir.Meter(num=4, den=4)


def read_style(style: S.StyleDef, key: ir.KeySig, sink: DiagnosticSink, origin: str) -> ir.StyleDef:
    """A style's settings, band, patterns and intro/ending (Roman numerals read in `key`)."""
    settings = {"meter": DEFAULT_METER, "tempo": Fraction(120), "swing": Fraction(1, 2)}
    for item in style.items:
        if isinstance(item, S.Setting):
            _style_setting(item, settings, sink)
    tracks = tuple(t for t in (read_track(item, None, sink)[0] for item in style.items if isinstance(item, S.Track)) if t)
    patterns = tuple(p for p in (read_pattern(item, sink) for item in style.items if isinstance(item, S.Pattern)) if p)
    sections = {item.name.text: read_section(item, settings["meter"], key, sink)
                for item in style.items if isinstance(item, S.Section) and _style_section_ok(item, sink)}
    return ir.StyleDef(name=style.name.text, description=style.description.text, tracks=tracks, patterns=patterns,
                       intro=sections.get("intro"), ending=sections.get("ending"), origin=origin,
                       span=style.name.span, **settings)


def _style_setting(item: S.Setting, settings: dict, sink: DiagnosticSink) -> None:
    words = Words(item.values, sink, item.name.span)
    name = item.name.text
    if name == "time":
        settings["meter"] = read_meter(words, sink) or settings["meter"]
    elif name == "tempo":
        settings["tempo"] = words.number("a tempo in BPM", "tempo 120", 20, 400) or settings["tempo"]
    elif name == "swing":
        value = words.number("a swing amount", "swing 62%", 50, 75, units=("%",))
        settings["swing"] = value / 100 if value is not None else settings["swing"]
    else:
        sink.error("E010", f"unknown style setting `{name}`", item.name.span,
                   suggestion_text(name, STYLE_SETTINGS) or "a style takes time, tempo, swing, track, section, pattern")


def _style_section_ok(section: S.Section, sink: DiagnosticSink) -> bool:
    if section.name.text in STYLE_SECTIONS:
        return True
    sink.error("E014", f"a style defines only `intro` and `ending` sections, not `{section.name.text}`",
               section.name.span, suggestion_text(section.name.text, STYLE_SECTIONS) or "rename it intro or ending")
    return False
