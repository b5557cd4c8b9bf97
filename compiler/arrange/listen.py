"""arrange.listen: what the comping sounds when, for the bass to choose its notes against.

A bass player hears the piano: a walking tone or an approach note a minor 9th (or 2nd) under a
sounding comp note rubs, so the bass picks another. The comping is played first; `Heard` holds its
notes as segments between every onset and release.
"""

from __future__ import annotations

import bisect
from typing import Iterable

from .context import Hit

LISTEN_TICKS = 60  # a bass note is checked against what sounds over its first 32nd (humanize moves both)


class Heard:
    """The pitches sounding in each stretch of the song between two note starts or ends.

    Example:
        >>> heard = Heard([Hit(0, 480, 64, 80), Hit(240, 480, 67, 80)])
        >>> sorted(heard.around(300)), heard.rubs(63, 0), heard.rubs(66, 600), heard.rubs(61, 600)
        ([64, 67], True, True, False)
    """

    def __init__(self, hits: Iterable[Hit]) -> None:
        edges: dict[int, list[tuple[int, int]]] = {}
        for hit in hits:
            edges.setdefault(hit.start, []).append((hit.pitch, 1))
            edges.setdefault(hit.start + hit.dur, []).append((hit.pitch, -1))
        self._rubbing: dict[int, frozenset[int]] = {}
        self.starts: list[int] = []
        self.sounding: list[frozenset[int]] = []
        count: dict[int, int] = {}
        sounding: set[int] = set()  # the pitches whose count is above 0, kept as the counts change
        for tick in sorted(edges):
            for pitch, change in edges[tick]:
                count[pitch] = now = count.get(pitch, 0) + change
                if now > 0:
                    sounding.add(pitch)
                else:
                    sounding.discard(pitch)
            self.starts.append(tick)
            self.sounding.append(frozenset(sounding))

    def around(self, tick: int) -> frozenset[int]:
        """Every pitch sounding at some point from `tick` to `tick + LISTEN_TICKS`."""
        first = max(bisect.bisect_right(self.starts, tick) - 1, 0)
        last = bisect.bisect_left(self.starts, tick + LISTEN_TICKS)  # segments starting before the window ends
        return frozenset().union(*self.sounding[first:last])

    def rubs(self, pitch: int, tick: int) -> bool:
        """Whether a note above `pitch` sounding then is a minor 9th (2nd, 16th) above it."""
        return pitch in self.rubbing(tick)

    def rubbing(self, tick: int) -> frozenset[int]:
        """Every pitch a minor 2nd, 9th or 16th under a note sounding then (remembered per tick:
        the bass asks about many pitches at one tick)."""
        found = self._rubbing.get(tick)
        if found is None:
            found = frozenset(low for p in self.around(tick) for low in range(p - 1, -1, -12))
            self._rubbing[tick] = found
        return found


SILENCE = Heard(())
