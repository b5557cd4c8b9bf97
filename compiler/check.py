"""check: ir.Song -> ir.Song. Cross-reference checks that need the whole resolved song; collects all errors."""

from __future__ import annotations

from functools import lru_cache

from . import ir
from .errors import DiagnosticSink, ResolveError
from .outputs import COUNT_IN_TRACK, REVERB_STEM, stem_clash_key, stem_file
from .limits import TRACKS, over
from .arrange.meter import describe, grouping_for
from .instruments import ChannelsFull, allocate_channels
from .suggest import suggestion_text


def check(song: ir.Song, sink: DiagnosticSink | None = None) -> ir.Song:
    """Every track's pattern and melody exist and fit its role; melodies fit their sections; the band
    fits MIDI's channels (one drum kit, at most 15 other sounds). Warnings stay in `sink`.

    Raises:
        ResolveError: with every problem found (and the warnings already in `sink`).
    """
    sink = sink if sink is not None else DiagnosticSink()
    melodies = {m.name: m for m in song.melodies}
    for track in song.tracks:
        _check_pattern(song, track, sink)
        _check_melody(track, melodies, sink)
    for melody in song.melodies:
        _check_melody_length(song, melody, sink)
    _check_unused_melodies(song, sink)
    _check_meters(song, sink)
    _check_one_drum_kit(song, sink)
    _check_channels(song, sink)
    _check_stem_files(song, sink)
    _check_track_count(song, sink)
    sink.raise_if_any(ResolveError)
    return song


def _check_track_count(song: ir.Song, sink: DiagnosticSink) -> None:
    """More than TRACKS tracks is E102, at the first track over the limit (before any is arranged)."""
    if len(song.tracks) > TRACKS.most:
        extra = next((t for t in song.tracks[TRACKS.most:] if t.span is not None), None)
        if extra is not None:
            sink.items.append(over(TRACKS, len(song.tracks), extra.span, "the band has"))


def _check_stem_files(song: ir.Song, sink: DiagnosticSink) -> None:
    """Two tracks whose names give one stem file (`lead#` and `lead+`, `Bass` and `bass`) would lose a stem."""
    first: dict[str, ir.TrackDef] = {}
    for track in song.tracks:
        if stem_clash_key(track.name) == stem_clash_key(COUNT_IN_TRACK) and track.span is not None:
            sink.error("E091", f"track `{track.name}` would share {stem_file(track.name)} with the count-in "
                       f"(`--count-in` adds a track `{COUNT_IN_TRACK}`)", track.span,
                       f"rename the track, e.g. `{track.name}2`")
        if stem_clash_key(track.name) == stem_clash_key(REVERB_STEM) and track.span is not None:
            sink.error("E091", f"track `{track.name}` would share {stem_file(track.name)} with the reverb return",
                       track.span, f"rename the track, e.g. `{track.name}2`")
        other = first.setdefault(stem_clash_key(track.name), track)
        if other is not track and track.span is not None:
            notes = ((other.span, f"`{other.name}` is here"),) if other.span is not None else ()
            sink.error("E091", f"tracks `{other.name}` and `{track.name}` would both be written to "
                       f"{stem_file(track.name)}", track.span,
                       "give each track a name that differs in more than case or punctuation (stem files "
                       "keep only letters, digits, `.`, `_` and `-`)",
                       notes=notes)


def patterns_for(song: ir.Song, role: str) -> dict[str, ir.PatternDef]:
    """Patterns a track of `role` may name: the song's own first, then its styles'."""
    found: dict[str, ir.PatternDef] = {}
    for style in (song.style, *song.alt_styles):
        found.update({p.name: p for p in style.patterns if p.role == role})
    found.update({p.name: p for p in song.patterns if p.role == role})
    return found


def _check_pattern(song: ir.Song, track: ir.TrackDef, sink: DiagnosticSink) -> None:
    if track.pattern is None or track.span is None:
        return
    available = patterns_for(song, track.role)
    if track.pattern not in available:
        hint = suggestion_text(track.pattern, sorted(available))
        names = ", ".join(sorted(available)) or "none"
        sink.error("E041", f"no {track.role} pattern `{track.pattern}` in style {song.style.name} or this song",
                   track.span, hint or f"{track.role} patterns available: {names}")


def _check_melody(track: ir.TrackDef, melodies: dict[str, ir.MelodyDef], sink: DiagnosticSink) -> None:
    if track.span is None:
        return
    if track.melody is not None and track.melody not in melodies:
        hint = suggestion_text(track.melody, sorted(melodies))
        sink.error("E044", f"no melody `{track.melody}`", track.span,
                   hint or f"define it with `melody {track.melody}` and its bars")
    if track.harmony is not None and track.melody is None:
        sink.error("E044", f"track `{track.name}` has a harmony but no melody", track.span,
                   "add `melody NAME` to say which line it harmonizes")


def _check_one_drum_kit(song: ir.Song, sink: DiagnosticSink) -> None:
    # General MIDI has one drum channel, and a program change there sets the kit of every drum track.
    kits = [t for t in song.tracks if t.is_drums]
    if not kits:
        return
    first = kits[0]
    for track in kits[1:]:
        if (track.bank, track.program) != (first.bank, first.program) and track.span is not None:
            sink.error("E046", f"track `{track.name}` plays {track.instrument} but `{first.name}` plays "
                       f"{first.instrument}; a song has one drum kit (MIDI has one drum channel)", track.span,
                       f"give `{track.name}` the kit {first.instrument}, or make both {track.instrument} "
                       f"with `track {first.name} {track.instrument}`")


def _check_channels(song: ir.Song, sink: DiagnosticSink) -> None:
    try:
        allocate_channels(song.tracks)
    except ChannelsFull as full:
        track = song.tracks[full.index]
        if track.span is not None:
            sink.error("E047", f"track `{track.name}` needs a 16th MIDI channel: 15 melodic tracks with other "
                       f"instruments have the 15 there are", track.span,
                       "give it the instrument of an earlier track (tracks with one sound share a channel), "
                       "or remove a track")


def _check_melody_length(song: ir.Song, melody: ir.MelodyDef, sink: DiagnosticSink) -> None:
    if melody.section is None or melody.span is None:
        return
    section = next((s for s in song.sections if s.label == melody.section), None)
    if section is None:
        return
    room = sum(bar.meter.quarters for bar in section.bars)
    room += sum(bar.meter.quarters for bar in (section.endings[0].bars if section.endings else ()))
    if melody.length > room:
        sink.error("E021", f"melody `{melody.name}` is longer than section {section.label}", melody.span,
                   "shorten the melody or write it over a longer section")


def _check_unused_melodies(song: ir.Song, sink: DiagnosticSink) -> None:
    used = {t.melody for t in song.tracks}
    for melody in song.melodies:
        if melody.name not in used and melody.span is not None:
            sink.warning("W002", f"melody `{melody.name}` is not played by any track", melody.span,
                         f"add a track: `track lead alto_sax melody {melody.name}`")


def _check_meters(song: ir.Song, sink: DiagnosticSink) -> None:
    """A style's patterns are written in one meter; in bars of another they are re-cut beat by beat,
    or cut or cycled to fit, which a player would not do unasked. Say so once per meter, where that
    meter is set, and how; not for a meter the style's own `adapt` line asks for.
    A section whose every pass is a break over all its bars (a pickup only the melody plays) plays
    no pattern, so none is cut."""
    if not _plays_style_patterns(song):
        return
    style, warned = song.style, {(song.style.meter.num, song.style.meter.den)}
    played = {p.label for p in song.passes if p.marks.break_bars < p.bar_count}
    for section in song.sections:
        meter = section.meter
        if section.label not in played or (meter.num, meter.den) in warned or meter.span is None:
            continue
        if style.grouping_in(meter) is not None:
            continue  # the style's own `adapt` line: it plays this meter on purpose
        warned.add((meter.num, meter.den))
        sink.warning("W006", f"style `{style.name}` is written in {style.meter}: in {meter} bars its patterns "
                     f"are {_adaptation(style, meter)}", meter.span, _styles_in(meter))


def _adaptation(style: ir.StyleDef, meter: ir.Meter) -> str:
    """What the band does with a pattern of `style` in bars of `meter` (`arrange.meter`)."""
    written = style.meter
    grouping = grouping_for(meter.num, style.grouping_in(meter)) if written.quarters == 4 and meter.den == 4 else None
    if grouping is not None:
        return f"re-cut beat by beat, {describe(grouping)}"
    if meter.quarters == written.quarters:
        return f"played as written (a bar of {meter} is as long as one of {written}, its beats felt otherwise)"
    return "cut short" if meter.quarters < written.quarters else "started again to fill them"


@lru_cache(maxsize=1)
def _bundled_style_meters() -> tuple[tuple[str, int, int], ...]:
    """Each bundled style's name and meter. The bundled styles do not change while the process runs, and
    resolving all of them takes a quarter of a second: once per process, not once per song checked (an
    import of a playlist in 5/4 would pay it for every chart)."""
    from .library import Library
    from .resolve import style_summaries

    return tuple((s.name, s.meter.num, s.meter.den) for s in style_summaries(Library()))


def _plays_style_patterns(song: ir.Song) -> bool:
    own = {p.name for p in song.patterns}
    return any(t.role != "melody" and t.pattern not in own for t in song.tracks)


def _styles_in(meter: ir.Meter) -> str:
    fitting = [name for name, num, den in _bundled_style_meters() if (num, den) == (meter.num, meter.den)]
    own = f"write a style (or the song's own `pattern`s) in {meter} (docs/language.md, \"Writing a style\")"
    if not fitting:
        return f"no bundled style is written in {meter}: {own}, or choose the meter the style is written in"
    return f"styles written in {meter}: {', '.join(f'`{name}`' for name in fitting)}; or {own}"
