"""arrange.voicing: chord -> candidate voicings in a register; voice leading picks the nearest one.

A voicing kind names which chord tones are used and how they are stacked (intervals above the
root, possibly past the octave). Every placement of every stacking that fits the register is a
candidate; voicings with a minor 9th between two voices (but a dominant's b9 over its root) and
low, close intervals (a third under E3) are left out, the first because they rub, the second
because they sound muddy.
"""

from __future__ import annotations

from functools import lru_cache

from .. import ir

Voicing = tuple[int, ...]
Shape = tuple[int, ...]

KINDS = ("shell", "rootless", "drop2", "close", "power", "open", "spread")
MUD_LINE = 52  # E3: below it, neighbouring voices stay at least a fifth apart
MUD_GAP = 7
DRIFT = 0.2  # cost per semitone the voicing's centre strays from the register's, against movement per voice


def candidates(chord: ir.Chord, kind: str, register: tuple[int, int]) -> tuple[Voicing, ...]:
    """Every voicing of `chord` of `kind` that fits `register` (lowest, highest MIDI note).

    Example:
        >>> from compiler.chords import parse_chord
        >>> from compiler.pitch import Key
        >>> from compiler.resolve.chart import chord_ir
        >>> g7 = chord_ir(parse_chord("G7", Key("C", "major")))
        >>> candidates(g7, "shell", (48, 72))  # G B F and G F B; G2 is below the register
        ((55, 59, 65), (55, 65, 71))
    """
    return _candidates(chord.root_pc, chord.intervals, chord.tensions, kind, register)


def lead(previous: Voicing | None, options: tuple[Voicing, ...], centre: float) -> Voicing:
    """The option closest to `previous` (least movement per voice), kept near `centre`.

    Without a previous voicing the one nearest the centre is taken. Ties go to the lower voicing.
    """
    def cost(option: Voicing) -> tuple[float, Voicing]:
        drift = abs(sum(option) / len(option) - centre)
        if previous is None:
            return drift, option
        return movement(previous, option) / min(len(previous), len(option)) + DRIFT * drift, option
    return min(options, key=cost)


def movement(a: Voicing, b: Voicing) -> int:
    """Least total semitones from sorted voicing `a` to sorted `b`, pairing voices in order.

    When the sizes differ the extra voices of the larger one are left out where that costs least.

    Example:
        >>> movement((53, 57, 60, 64), (53, 57, 59, 64))
        1
    """
    if len(a) == len(b):
        return sum(abs(x - y) for x, y in zip(a, b))
    if len(a) > len(b):
        a, b = b, a
    cost = [0.0] * (len(b) + 1)
    for i, pitch in enumerate(a, 1):
        row = [float("inf")] * (len(b) + 1)
        for j in range(i, len(b) + 1):
            row[j] = min(row[j - 1], cost[j - 1] + abs(pitch - b[j - 1]))
        cost = row
    return int(cost[-1])


@lru_cache(maxsize=4096)
def _candidates(root: int, intervals: tuple[int, ...], tensions: tuple[int, ...], kind: str,
                register: tuple[int, int]) -> tuple[Voicing, ...]:
    tones = _Tones(intervals, tensions)
    shapes = _SHAPES[kind](tones)
    placed = sorted({v for shape in shapes for v in _placements(root, shape, register)})
    dominant = tones.third == 4 and tones.seventh == 10
    sweet = [v for v in placed if not _minor_ninth(v, root, dominant)]
    clear = [v for v in sweet if not _muddy(v)]
    return tuple(clear or sweet or placed or [_folded(root, shapes[0], register)])


class _Tones:
    """The chord's functional tones as pitch classes above the root (None when it lacks one)."""

    def __init__(self, intervals: tuple[int, ...], tensions: tuple[int, ...]) -> None:
        self.rel = {i % 12 for i in intervals}
        self.colours = [i % 12 for i in intervals if i >= 12] + [t % 12 for t in tensions]
        self.third = self._first(4, 3, 5, 2)
        self.fifth = self._first(7, 6, 8)
        self.seventh = self._first(10, 11, 9)

    def _first(self, *choices: int) -> int | None:
        return next((c for c in choices if c in self.rel), None)

    def ninth(self) -> int | None:
        """The 9th the chord allows (b9, 9 or #9), written alteration first."""
        return next((c for c in self.colours if c in (1, 2, 3)), None)

    def close(self) -> list[int]:
        """Root (or the written alteration replacing it), 3rd, 5th, 7th."""
        altered = next((i for i in self.colours[:1] if i in (1, 3) and i in self.rel), None)
        tones = [0 if altered is None else altered, self.third, self.fifth, self.seventh]
        return _present(tones)

    def rootless(self) -> list[int]:
        """3rd, 7th, the 9th, and the 13th on dominants (else the 5th)."""
        dominant = self.third == 4 and self.seventh == 10
        thirteenth = next((c for c in self.colours if c in (8, 9)), None) if dominant else None
        tones = _present([self.third, self.seventh or 0, self.ninth(), thirteenth or self.fifth])
        return tones if len(tones) >= 3 else _present([0, *tones, self.fifth])


def _present(tones: list[int | None]) -> list[int]:
    """The tones that exist, each pitch class once, in the order given."""
    seen: list[int] = []
    for tone in tones:
        if tone is not None and tone not in seen:
            seen.append(tone)
    return seen


def _stacks(tones: list[int]) -> list[Shape]:
    """Every close-position inversion of `tones`, as intervals above the root."""
    pcs = sorted(tones)
    return [tuple(pcs[k:] + [p + 12 for p in pcs[:k]]) for k in range(len(pcs))]


def _drop(shape: Shape, *from_top: int) -> Shape:
    """Drop the voices counted `from_top` (1 = top) an octave: drop 2, drop 2 and 4."""
    voices = list(shape)
    for n in from_top:
        if n <= len(voices):
            voices[-n] -= 12
    return tuple(sorted(voices))


def _shell(t: _Tones) -> list[Shape]:
    upper = t.seventh if t.seventh is not None else t.fifth or 7
    third = t.third if t.third is not None else t.fifth or 7
    return [(0, third, upper), (0, upper, third + 12)] if third < upper else [(0, upper, third + 12)]


def _spread(t: _Tones) -> list[Shape]:
    """Root at the bottom, a rootless upper structure at least a fifth above it."""
    return [(0, *(i + (12 if s[0] < MUD_GAP else 0) for i in s)) for s in _stacks(t.rootless())]


_SHAPES = {
    "shell": _shell,
    "rootless": lambda t: _stacks(t.rootless()),
    "close": lambda t: _stacks(t.close()),
    "drop2": lambda t: [_drop(s, 2) for s in _stacks(t.close())],
    "open": lambda t: [_drop(s, 2, 4) for s in _stacks(t.close())],
    "power": lambda t: [(0, t.fifth or 7, 12)],
    "spread": _spread,
}


def _placements(root: int, shape: Shape, register: tuple[int, int]) -> list[Voicing]:
    low, high = register
    found = []
    for octave in range(-1, 11):
        voicing = tuple(root + 12 * octave + i for i in shape)
        if low <= voicing[0] and voicing[-1] <= high:
            found.append(voicing)
    return found


def _minor_ninth(voicing: Voicing, root: int, dominant: bool) -> bool:
    """Whether two voices are a minor 9th (or a 16th) apart: the rub a player avoids, except a b9
    over a dominant's root, which is the chord's own colour.

    Example:
        >>> _minor_ninth((52, 57, 65, 72), 5, False), _minor_ninth((48, 61, 64, 70), 0, True)
        (True, False)
    """
    return any(b - a > 12 and (b - a) % 12 == 1 and not (dominant and a % 12 == root % 12)
               for k, a in enumerate(voicing) for b in voicing[k + 1:])


def _muddy(voicing: Voicing) -> bool:
    return any(a < MUD_LINE and b - a < MUD_GAP for a, b in zip(voicing, voicing[1:]))


def _folded(root: int, shape: Shape, register: tuple[int, int]) -> Voicing:
    """Last resort for a register narrower than the shape: each voice folded into it by octaves."""
    low, high = register
    pitches = {low + (root + i - low) % 12 for i in shape}
    return tuple(sorted(p for p in pitches if p <= high)) or (low,)
