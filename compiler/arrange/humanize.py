"""arrange.humanize: seeded timing and velocity variation (applied last), and the tidy-up every part gets."""

from __future__ import annotations

import random
import zlib

from ..instruments import find_drum_piece
from .context import Hit
from .feel import ON_THE_GRID, Feel

TIMING = 12  # ticks either way at humanize 1.0; below PPQ/16, so the bass stays on its changes
VELOCITY = 10
TOGETHER = 8  # ticks: notes starting this close to the one before are one gesture (a chord, a strum)
TIGHT = frozenset(find_drum_piece(name) for name in ("kick", "kick2", "hat", "pedal", "open"))
TIGHT_SCALE = 0.5  # kick and hi-hat are the band's clock
DOWNBEAT_SCALE = 0.5
_new_hit = tuple.__new__  # a Hit from a tuple, without the namedtuple's keyword-taking __new__


def rng_for(seed: int, track: str) -> random.Random:
    """The track's own random stream: the same for the same (seed, name), never hash()-dependent."""
    return random.Random(seed * 2**32 + zlib.crc32(track.encode("utf-8")))


def humanize(hits: list[Hit], amount: float, rng: random.Random, drums: bool, timing: int = TIMING,
             downbeats: frozenset[int] = frozenset(), feel: Feel = ON_THE_GRID,
             backbeats: frozenset[int] = frozenset()) -> list[Hit]:
    """Move each onset a little in time and each note a little in loudness, and lay the part's
    `feel` over it (its offset from the beat, its velocities drawn toward the middle).

    Notes struck together (a chord, a strum) move together, at most `timing` ticks at amount 1.0
    and half that on a bar's downbeat (`downbeats`: the bar starts), where the band meets. The end
    of a note stays where it was, so a chord cut at a change still ends on it; no note starts
    before tick 0 or loses its length. A note on `backbeats` (beats 2 and 4) gains the feel's
    `backbeat` accent.
    """
    if amount <= 0:
        return hits
    # Each wobble is a triangular draw in -1..1 (small moves common, the largest rare), inlined:
    # this loop is the hottest in arrange.
    rnd = rng.random
    offset, accent = feel.offset, feel.backbeat
    result = []
    last = None
    gesture = 0.0
    for start, length, pitch, velocity in sorted(hits):
        if last is None or start - last > TOGETHER:
            gesture = (rnd() + rnd() - 1) * timing * amount * (DOWNBEAT_SCALE if start in downbeats else 1.0)
        last = start
        move = gesture * TIGHT_SCALE if drums and pitch in TIGHT else gesture
        begin = max(0, start + round(move) + offset)
        loudness = feel.squeezed(velocity) + (rnd() + rnd() - 1) * VELOCITY * amount
        if accent and start in backbeats:
            loudness += accent
        velocity = round(loudness)
        velocity = 1 if velocity < 1 else 127 if velocity > 127 else velocity
        result.append(_new_hit(Hit, (begin, max(start + length - begin, length // 2, 1), pitch, velocity)))
    return result


def tidy(hits: list[Hit]) -> list[Hit]:
    """Sorted notes with no two of one pitch overlapping: the earlier one is cut where the later
    starts, and of two starting together the louder (then longer) one is kept. Notes with no
    length are dropped."""
    by_pitch: dict[int, list[Hit]] = {}
    for hit in sorted(hits, key=lambda h: (h.pitch, h.start, -h.velocity, -h.dur)):
        same = by_pitch.setdefault(hit.pitch, [])
        if hit.dur <= 0 or (same and same[-1].start == hit.start):
            continue
        if same and same[-1].start + same[-1].dur > hit.start:
            same[-1] = same[-1]._replace(dur=hit.start - same[-1].start)
        same.append(hit)
    return sorted(hit for notes in by_pitch.values() for hit in notes)
