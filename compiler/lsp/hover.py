"""lsp.hover: textDocument/hover — a chord's notes spelled from its root and its degree in the section's
key (`Cm7 — C Eb G Bb — ii7 in Bb major`), a style's description and band, an instrument's GM program,
a track's part, and a section's bar count and the passes where it plays."""

from __future__ import annotations

from lsprotocol import types as T

from .. import ir
from .. import syntax as S
from ..chords import ChordError, parse_chord, split_chord_list
from ..harmony import chord_tones, roman_numeral, spelled_name
from ..instruments import find_instrument
from ..pitch import Key
from .documents import Analysed
from .names import Name
from .navigation import name_under
from .styles import style_named

C_MAJOR = Key("C", "major")
_HOLDS = {"%": "`%` — plays the bar before this one again", ".": "`.` — holds the chord before it one more beat"}


def hover(doc: Analysed, position: T.Position) -> T.Hover | None:
    name, _ = name_under(doc, position)
    if name is not None:
        text = _name_hover(doc, name)
        span = name.span
    else:
        found = _chord_at(doc, position.line + 1, doc.lines.column(position.line, position.character))
        if found is None:
            return None
        text, span = found
    if text is None:
        return None
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=text), range=doc.lines.range(span))


def _name_hover(doc: Analysed, name: Name) -> str | None:
    song = doc.analysis.song
    if name.kind == "instrument":
        return _instrument_text(name.text)
    if name.kind == "style":
        style = style_named(doc, name.text)
        return _style_text(style) if style is not None else None
    if name.kind == "section":
        return _section_text(doc, name.text)
    if name.kind == "track" and song is not None:
        track = next((t for t in song.tracks if t.name == name.text), None)
        return _track_text(track) if track is not None else None
    return None


# -- chords ---------------------------------------------------------------------------------------
def _chord_at(doc: Analysed, line: int, col: int) -> tuple[str, object] | None:
    """The chord written at (line, col) in a section's bars, described in the section's key."""
    for section in _sections(doc.analysis.tree):
        for cell in (cell for chart_line in section.lines for bar in chart_line.bars for cell in bar.cells):
            span = cell.span
            if span is None or span.line != line or not span.col <= col <= span.end_col:
                continue
            if cell.text in _HOLDS:
                return _HOLDS[cell.text], span
            for offset, symbol in split_chord_list(cell.text):
                if span.col + offset <= col <= span.col + offset + len(symbol):
                    text = _chord_text(symbol, _section_key(doc, section))
                    return (text, span) if text is not None else None
    return None


def _sections(tree: S.SongFile | None):
    for statement in tree.statements if tree else ():
        if isinstance(statement, S.Section):
            yield statement
        elif isinstance(statement, S.StyleDef):
            yield from (item for item in statement.items if isinstance(item, S.Section))


def _section_key(doc: Analysed, section: S.Section) -> Key:
    """The key the section is written in: as the checked song has it, else the header's, else C major."""
    song = doc.analysis.song
    if song is not None:
        found = next((s for s in song.sections if s.label == section.name.text), None)
        if found is not None:
            return found.key.key
        return song.key.key
    return _header_key(doc.analysis.tree) or C_MAJOR


def _header_key(tree: S.SongFile | None) -> Key | None:
    from ..pitch import parse_key

    for statement in tree.statements if tree else ():
        if isinstance(statement, S.Setting) and statement.name.text == "key" and statement.values:
            words = [word.text for word in statement.values]
            try:
                return parse_key(words[0], words[1] if len(words) > 1 else None)
            except ValueError:
                return None
    return None


def _chord_text(symbol: str, key: Key) -> str | None:
    """`**Cm7** — C Eb G Bb — ii7 in Bb major`; `%` and `.` are not chords."""
    try:
        spec = parse_chord(symbol, key)
    except ChordError:
        return None
    if spec.is_no_chord:
        return f"**{symbol}** — no chord: the band rests on the harmony"
    return f"**{spelled_name(spec)}** — {' '.join(chord_tones(spec))} — {roman_numeral(spec, key)} in {key.tonic} {key.mode}"


# -- names ----------------------------------------------------------------------------------------
def _instrument_text(name: str) -> str | None:
    instrument = find_instrument(name)
    if instrument is None:
        return None
    if instrument.is_drums:
        return f"**{instrument.name}** — {instrument.label}: GM drum kit {instrument.program + 1} (channel 10)"
    return (f"**{instrument.name}** — {instrument.label}: GM program {instrument.program + 1} "
            f"(0-based {instrument.program}), {instrument.family.replace('_', ' ')} family")


def _style_text(style: ir.StyleDef) -> str:
    band = "\n".join(f"- `{t.name}`: {t.instrument}, {t.role}" + (f", pattern `{t.pattern}`" if t.pattern else "")
                     for t in style.tracks)
    return (f"**{style.name}** — {style.description}\n\n{style.meter}, {float(style.tempo):g} BPM, "
            f"swing {float(style.swing) * 100:g}%\n\n{band}")


def _track_text(track: ir.TrackDef) -> str:
    what = f"pattern `{track.pattern}`" if track.pattern else f"melody `{track.melody}`" if track.melody else ""
    return f"**track {track.name}** — {track.instrument} (GM program {track.program + 1}), {track.role}" + \
        (f", {what}" if what else "")


def _section_text(doc: Analysed, label: str) -> str | None:
    song = doc.analysis.song
    written = next((s for s in _sections(doc.analysis.tree) if s.name.text == label), None)
    if song is None:
        if written is None:
            return None
        count = sum(len(line.bars) for line in written.lines)
        return f"**section {label}** — {count} bar{'s' if count != 1 else ''} written"
    section = next((s for s in song.sections if s.label == label), None)
    from_style = section is None and label in ("intro", "ending")
    section = section or (getattr(song.style, label) if from_style else None)
    if section is None:
        return None
    endings = "".join(f", ending {e.number}: {len(e.bars)}" for e in section.endings)
    plays = [p for p in song.passes if p.label == label]
    where = "; ".join(f"pass {p.pass_no}: bars {p.first_bar}–{p.first_bar + p.bar_count - 1}" for p in plays)
    bars = len(section.bars)
    origin = f" (from {song.style.name})" if from_style else ""
    return (f"**section {label}**{origin} — {bars} bar{'s' if bars != 1 else ''}{endings}, {section.meter}, "
            f"{section.key.tonic} {section.key.mode}\n\n"
            + (f"plays {len(plays)} time{'s' if len(plays) != 1 else ''}: {where}" if plays else "never played"))
