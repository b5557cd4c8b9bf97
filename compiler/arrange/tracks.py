"""arrange.tracks: band members -> timeline Tracks (MIDI channels, mutes and solos, the count-in track)."""

from __future__ import annotations

from pydantic import TypeAdapter

from .. import ir
from ..outputs import COUNT_IN_TRACK
from ..instruments import DRUM_CHANNEL, find_instrument
from ..suggest import check_track_names
from ..timeline import Control, Note, Track
from . import form
from .context import Hit, opening_meter

CLICK = COUNT_IN_TRACK
CLICK_KIT = find_instrument("standard_kit")  # the count-in's sound when the band has no drums
_NOTES = TypeAdapter(tuple[Note, ...])


def check_names(song: ir.Song, names: tuple[str, ...]) -> None:
    """Refuse a muted or soloed name that is not a track of the song (or the count-in).

    Raises:
        ValueError: with a did-you-mean, naming the tracks there are.
    """
    check_track_names(tuple(t.name for t in song.tracks), names, CLICK)


def is_muted(track: ir.TrackDef, song: ir.Song, mute: tuple[str, ...], solo: tuple[str, ...]) -> bool:
    """Muted by the song, by `mute`, or because other tracks are soloed (by `solo` or the song)."""
    soloists = solo or tuple(t.name for t in song.tracks if t.solo)
    return track.muted or track.name in mute or (bool(soloists) and track.name not in soloists)


def band_track(track: ir.TrackDef, channel: int, hits: list[Hit], controls: list[Control], muted: bool) -> Track:
    """The timeline part of one band member."""
    return Track(name=track.name, instrument=track.instrument, program=track.program, bank=track.bank,
                 channel=channel, is_drums=track.is_drums, role=track.role, muted=muted, sound=track.sound,
                 notes=notes(hits), controls=tuple(controls))


def click_track(song: ir.Song, bars: int, muted: bool) -> Track:
    """The count-in, on the drum kit's channel with the kit's sound (one channel, one program)."""
    kit = next((t for t in song.tracks if t.is_drums), None)
    instrument, program, bank = (kit.instrument, kit.program, kit.bank) if kit else (
        CLICK_KIT.name, CLICK_KIT.program, CLICK_KIT.bank)
    return Track(name=CLICK, instrument=instrument, program=program, bank=bank, channel=DRUM_CHANNEL,
                 is_drums=True, role=CLICK, muted=muted, notes=notes(form.click_hits(opening_meter(song), bars)))


def notes(hits: list[Hit]) -> tuple[Note, ...]:
    """Validated notes. One validation call for the whole part is faster than building (or
    `model_construct`-ing) thousands of notes one by one, and reading each Hit's fields as
    attributes faster again than building a dict per note for it (a third, on a song's drums)."""
    return _NOTES.validate_python(hits, from_attributes=True)
