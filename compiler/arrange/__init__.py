"""arrange: ir.Song -> timeline.Timeline. Picks each pass's grooves, plays every role, humanizes, merges.

    context    bars and chords in ticks; each bar's energy level, dynamics and form role
    patterns   which lanes a track plays in each bar (style, pattern, level, fill, form marks)
    variation  which of a pattern part's `vary` alternatives each bar plays (seeded, balanced, placed)
    grid       lane steps -> ticks, with swing
    drums, bass, comping (with voicing), melody    one role each: lanes -> notes
    form       stop hits, the held final chord, crashes, fallback fills, the count-in
    listen     what the comping sounds when, for the bass to choose against
    humanize   seeded timing and velocity variation, applied last
    feel       where each part sits against the beat by tempo and role (offsets, jitter, velocity squeeze)
    tracks     MIDI channels, mutes and solos, the count-in track
    tempo      tempo map, meters, keys, markers, chord marks
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .. import ir
from ..instruments import allocate_channels
from ..timeline import PPQ, Control, Timeline, Track
from . import form
from .bass import play_bass
from .comping import play_chords
from .context import Hit, SongContext, build_context, opening_meter
from .drums import play_drums
from .feel import feel_for
from .humanize import humanize, rng_for, tidy
from .listen import SILENCE, Heard
from .melody import play_melody
from .patterns import plan_track
from .tempo import chord_marks, key_points, markers, meter_points, tempo_points
from .tracks import CLICK, band_track, check_names, click_track, is_muted

LISTENED_TO = ("comp", "pad")  # the parts played first, for the bass to listen to
STRAIGHT = Fraction(1, 2)
LEAD_IN_S = 0.5  # silence before the first note (or the count-in) in the audio, so a player can get ready

__all__ = ["ArrangeOptions", "arrange"]


@dataclass(frozen=True)
class ArrangeOptions:
    """Practice options.

    Attributes:
        seed: Humanization seed; None keeps the song's.
        mute: Tracks written to MIDI but muted (the count-in is `click`).
        solo: The band tracks left unmuted (all others are muted).
        count_in: Bars of side-stick clicks before bar 1, on a drum track with role "click".
    """

    seed: int | None = None
    mute: tuple[str, ...] = ()
    solo: tuple[str, ...] = ()
    count_in: int = 0


def arrange(song: ir.Song, options: ArrangeOptions = ArrangeOptions()) -> Timeline:
    """Arrange `song`: every track's notes in ticks, plus the conductor's tempo, meters and marks.

    Args:
        song: A checked song (`pipeline.front_end`).
        options: Practice options: humanization seed, muted tracks, a soloist, count-in bars.

    Returns:
        The timeline; with a count-in, everything else starts after it.

    Raises:
        ValueError: if `mute` or `solo` names a track the song does not have.
    """
    check_names(song, (*options.mute, *options.solo))
    seed = song.seed if options.seed is None else options.seed
    ctx = build_context(song, form.count_in_ticks(opening_meter(song), options.count_in))
    played = _play_band(song.tracks, ctx, seed)
    tracks = [_part(track, channel, notes, ctx, seed, is_muted(track, song, options.mute, options.solo))
              for track, channel, notes in zip(song.tracks, allocate_channels(song.tracks), played)]
    if options.count_in:
        tracks.append(click_track(song, options.count_in, CLICK in options.mute))
    return Timeline(ppq=PPQ, title=song.title, end_tick=ctx.end, bars=len(song.bars), tempos=tempo_points(ctx),
                    meters=meter_points(ctx), keys=key_points(ctx), markers=markers(ctx), chords=chord_marks(ctx),
                    tracks=tuple(tracks), reverb=song.reverb, master=song.master, seed=seed, lead_in_s=LEAD_IN_S)


def _play_band(tracks: tuple[ir.TrackDef, ...], ctx: SongContext, seed: int) -> list[tuple[list[Hit], list[Control]]]:
    """Every part's notes before humanizing: the comping and pads first, then the others, the
    bass choosing its notes against what the comping sounds."""
    first = {i: _play(track, ctx, seed, SILENCE) for i, track in enumerate(tracks) if track.role in LISTENED_TO}
    heard = Heard(hit for hits, _ in first.values() for hit in hits)
    return [first[i] if i in first else _play(track, ctx, seed, heard) for i, track in enumerate(tracks)]


def _part(track: ir.TrackDef, channel: int, played: tuple[list[Hit], list[Control]], ctx: SongContext, seed: int,
          muted: bool) -> Track:
    """One band member's part, humanized and tidied."""
    hits, controls = played
    amount = float(track.humanize if track.humanize is not None else ctx.song.humanize)
    feel = feel_for(track, ctx.song.tempo, swung=ctx.song.swing > STRAIGHT)
    downbeats = frozenset(bar.start for bar in ctx.bars)
    backbeats = _backbeats(ctx) if feel.backbeat else frozenset()
    hits = tidy(humanize(hits, amount, rng_for(seed, track.name), track.is_drums, feel.jitter, downbeats, feel,
                         backbeats))
    return band_track(track, channel, hits, controls, muted)


def _backbeats(ctx: SongContext) -> frozenset[int]:
    """Beats 2 and 4 (every second beat of an even bar of quarter beats): where a swing leans."""
    return frozenset(bar.start + beat * PPQ for bar in ctx.bars if bar.meter.den == 4 and bar.meter.num % 2 == 0
                     for beat in range(1, bar.meter.num, 2))


def _play(track: ir.TrackDef, ctx: SongContext, seed: int, heard: Heard) -> tuple[list[Hit], list[Control]]:
    """One part's notes, played by its role; `seed` draws its variations."""
    if track.melody is not None:
        return play_melody(track, ctx), []
    if track.role == "melody":
        return [], []  # a melody track with no melody to play
    plans = plan_track(ctx, track, rng_for(seed, f"{track.name}/variations"))
    if track.role == "drums":
        return play_drums(plans, ctx), []
    if track.role == "bass":
        return play_bass(track, plans, ctx, heard), []
    return play_chords(track, plans, ctx)
