"""lsp.completion: textDocument/completion by what the line says so far — header keywords at the start
of a top-level line, a key's modes and the master presets, styles (with their descriptions) after `style`, GM instruments and drum kits after
a track's name, patterns and melodies after `pattern`/`melody`, section names in `form` and `arrange`,
marks after an arrange label, and chord qualities after a root in a section's bars."""

from __future__ import annotations

import re
from functools import cache

from lsprotocol import types as T

from ..chords import known_qualities, numeral_quality
from ..instruments import find_instrument, instrument_names
from ..mixspec import MASTER_PRESETS
from ..pitch import MODES
from ..resolve import SETTINGS, STATEMENTS
from ..resolve.band import PART_OPTIONS, SOUND_OPTIONS
from ..resolve.form import MARK_WORDS, PASS_WORDS, SPECIALS
from .documents import Analysed
from .styles import style_choices, style_named

_WORD = re.compile(r"[^\s|()\"]*$")
_ROOT = re.compile(r"^(?:[A-G](?:b|#|♭|♯)?|(?:b|#)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i))")
Kind = T.CompletionItemKind


def completions(doc: Analysed, position: T.Position) -> list[T.CompletionItem]:
    lines = doc.lines.lines
    text = lines[position.line] if position.line < len(lines) else ""
    before = text[: doc.lines.column(position.line, position.character) - 1]
    typed = _WORD.search(before).group(0)
    words = before[: len(before) - len(typed)].split()
    block = _block(lines, position.line, before)
    items = _items(doc, block, words, typed, before)
    return [item for item in items if item.label.startswith(typed)]


def _items(doc: Analysed, block: str, words: list[str], typed: str, before: str) -> list[T.CompletionItem]:
    indented = before[:1].isspace()
    if not words and not indented:
        return _keywords()
    head = words[0] if words else ""
    if not indented and (values := _header_values(words)) is not None:
        return values
    if words[-1:] == ["style"] and (head == "style" or block == "arrange"):
        return [_item(name, Kind.Class, description) for name, description in sorted(style_choices(doc).items())]
    if head == "track":
        return _track_items(doc, words)
    if head == "form" and not indented:
        return _section_items(doc) + [_item(word, Kind.Keyword, "from the style") for word in SPECIALS]
    if block == "arrange" and indented:
        return _arrange_items(doc, words)
    if block == "section" and "|" in before:
        return _chord_items(typed)
    return []


def _header_values(words: list[str]) -> list[T.CompletionItem] | None:
    """`key Bb ` then a mode; `master ` then a preset (None: the line is not one of these)."""
    if len(words) == 2 and words[0] == "key":
        return [_item(mode, Kind.EnumMember, "mode") for mode in MODES]
    if words == ["master"]:
        return [_item(name, Kind.EnumMember, f"master preset: {lufs:g} LUFS, {peak:g} dBTP")
                for name, (lufs, peak) in MASTER_PRESETS.items()]
    return None


def _block(lines: list[str], index: int, before: str) -> str:
    """The word of the innermost block header above the cursor: `section` for a bar line (in a song or
    a style), `arrange` for a mark line, `level` for a pattern's lane, "" at the top level."""
    depth = len(before) - len(before.lstrip())
    for line in reversed(lines[:index]):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if stripped and not stripped.startswith("#") and indent < depth:
            return stripped.split()[0]
    return ""


def _item(label: str, kind: T.CompletionItemKind, detail: str | None = None, **more) -> T.CompletionItem:
    return T.CompletionItem(label=label, kind=kind, detail=detail, **more)


@cache
def _keywords() -> list[T.CompletionItem]:
    return [_item(word, Kind.Keyword, "setting" if word in SETTINGS else "block") for word in SETTINGS + STATEMENTS]


def _track_items(doc: Analysed, words: list[str]) -> list[T.CompletionItem]:
    """`track NAME ` then an instrument; `pattern `/`melody ` then one of those; else the options."""
    if len(words) == 2:
        return _instruments() + _options()
    if words[-1] == "pattern":
        return [_item(name, Kind.Function, "pattern") for name in _pattern_names(doc)]
    if words[-1] == "melody":
        return [_item(n.text, Kind.Function, "melody") for n in doc.names
                if n.kind == "melody" and n.defines]
    return _options()


@cache
def _instruments() -> list[T.CompletionItem]:
    """Each GM program and drum kit once, by its canonical name (aliases are accepted, not offered)."""
    unique = {}
    for name in instrument_names():
        instrument = find_instrument(name)
        unique.setdefault(instrument.name, instrument)
    return [_item(i.name, Kind.Value, f"{i.label}: {'drum kit' if i.is_drums else 'GM program'} {i.program + 1}",
                  sort_text=f"{int(i.is_drums)}{i.program:03d}") for i in unique.values()]


@cache
def _options() -> list[T.CompletionItem]:
    return [_item(word, Kind.Property, "track option") for word in SOUND_OPTIONS + PART_OPTIONS]


def _pattern_names(doc: Analysed) -> list[str]:
    """The document's patterns and those of its style (and the styles it switches to)."""
    names = doc.names
    found = [n.text for n in names if n.kind == "pattern" and n.defines]
    song = doc.analysis.song
    if song is not None:
        styles = [song.style, *song.alt_styles]
    else:  # a song with an error (the half-typed line itself): the styles it names, as resolved alone
        styles = [style for n in names if n.kind == "style" and not n.defines
                  if (style := style_named(doc, n.text)) is not None]
    found += [p.name for style in styles for p in style.patterns]
    return sorted(set(found))


def _section_items(doc: Analysed) -> list[T.CompletionItem]:
    found = [n for n in doc.names if n.kind == "section" and n.defines]
    return [_item(n.text, Kind.Module, "section") for n in dict((n.text, n) for n in found).values()]


def _arrange_items(doc: Analysed, words: list[str]) -> list[T.CompletionItem]:
    """An arrange line: `[first|last] LABEL marks…`."""
    if not words:
        return _section_items(doc) + [_item(w, Kind.Keyword, "one pass") for w in PASS_WORDS + SPECIALS]
    if words == [words[0]] and words[0] in PASS_WORDS:
        return _section_items(doc) + [_item(w, Kind.Keyword) for w in SPECIALS]
    return [_item(word, Kind.Event, "arrange mark") for word in MARK_WORDS]


def _chord_items(typed: str) -> list[T.CompletionItem]:
    """After a root (`C`, `Bb`, `ii`), the chord qualities, most common first."""
    root = _ROOT.match(typed)
    if root is None:
        return []
    head, lowercase = root.group(0), bool(root.group(1)) and root.group(1).islower()
    # a lowercase numeral says minor itself: `ii7`, not `iim7`
    qualities = dict.fromkeys(numeral_quality(quality, lowercase) for quality in known_qualities())
    return [_item(head + quality, Kind.EnumMember, "chord", sort_text=f"{index:03d}")
            for index, quality in enumerate(qualities)]
