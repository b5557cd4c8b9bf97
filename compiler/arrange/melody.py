"""arrange.melody: melody lines and their diatonic harmony voices -> notes.

A melody written for the whole song (`section` None) starts on the first bar after the intro and
plays once; one written over a section plays on every pass of it, cut at the end of the pass.
Melodies are written in the section's key and follow the pass into the key it is played in.
"""

from __future__ import annotations

from .. import ir
from ..pitch import Key
from .context import Hit, SongContext, chord_tones, quarters_to_ticks

VELOCITY = 96
MIDI_RANGE = (0, 127)
HARMONY_STEPS = {3: (4, 3), 6: (9, 8)}  # semitones tried for a chromatic note: major, then minor


def play_melody(track: ir.TrackDef, ctx: SongContext) -> list[Hit]:
    """The track's melody, or its harmony voice when the track has a `harmony`."""
    melody = next(m for m in ctx.song.melodies if m.name == track.melody)
    hits: list[Hit] = []
    for start, end in placements(melody, ctx):
        for note in melody.notes:
            on = start + quarters_to_ticks(note.start)
            if note.pitch is None or on >= end:
                continue
            bar = ctx.bar_at(on)
            if bar.part.plays(track):
                off = min(on + quarters_to_ticks(note.dur), end)
                pitch = _pitch(note.pitch + bar.part.played.transpose, track, bar.key, chord_tones(ctx.chord_at(on).chord))
                hits.append(Hit(on, off - on, pitch, max(1, min(127, round(VELOCITY * bar.scale_at(on))))))
    return hits


def placements(melody: ir.MelodyDef, ctx: SongContext) -> list[tuple[int, int]]:
    """(start, end) ticks of every time the melody is played."""
    passes = [p.played for p in ctx.passes]
    if melody.section is None:
        first = next((p for p in passes if p.kind != "intro"), None)
        return [] if first is None else [(ctx.bars[first.first_bar - 1].start, ctx.end)]
    return [(ctx.bars[p.first_bar - 1].start, ctx.bars[p.first_bar + p.bar_count - 2].end)
            for p in passes if p.label == melody.section]


def _pitch(pitch: int, track: ir.TrackDef, key: Key, chord: frozenset[int]) -> int:
    if track.harmony is not None:
        pitch = harmonize(pitch, track.harmony, key, chord)
    return fold(pitch + 12 * track.octave, track.pitch_range or MIDI_RANGE)


def harmonize(pitch: int, harmony: ir.Harmony, key: Key, chord: frozenset[int] = frozenset()) -> int:
    """The diatonic 3rd or 6th above or below `pitch` in `key`.

    A note outside the scale (G# in A minor, a blue note) gets a major or minor 3rd (6th): the one
    that is a tone of the `chord` sounding, else the one in the scale, else the major one.

    Example:
        >>> harmonize(64, ir.Harmony(interval=3), Key("C", "major"))  # E4: a 3rd below is C4
        60
        >>> harmonize(68, ir.Harmony(interval=3, above=True), Key("A", "minor"), frozenset({4, 8, 11, 2}))
        71
    """
    sign = 1 if harmony.above else -1
    scale = key.scale_pcs
    if pitch % 12 in scale:
        degree = scale.index(pitch % 12) + sign * (harmony.interval - 1)
        target = scale[degree % 7]
        return pitch + sign * ((sign * (target - pitch)) % 12 or 12)
    options = [pitch + sign * steps for steps in HARMONY_STEPS[harmony.interval]]
    return min(options, key=lambda p: (p % 12 not in chord, p % 12 not in scale))


def fold(pitch: int, register: tuple[int, int]) -> int:
    """`pitch` moved by octaves into `register` (as close as it gets when the register is narrow)."""
    low, high = register
    while pitch < low:
        pitch += 12
    while pitch > high and pitch - 12 >= low:
        pitch -= 12
    return min(pitch, 127)
