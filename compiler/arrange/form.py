"""arrange.form: lanes the form marks lay over the groove (stop hits, final chord, crash, fill); the count-in."""

from __future__ import annotations

from fractions import Fraction

from .. import ir
from ..instruments import find_drum_piece
from .context import Hit, quarters_to_ticks

# (lane name, steps): lanes written here divide the bar they are laid over by its own meter.
Lanes = tuple[tuple[str, str], ...]

CRASH: Lanes = (("crash", "X"),)
SWELL = "...." + "oooooo" + "xxxx" + "XX"  # a cymbal roll growing under the held final chord
CLICK_PIECE = find_drum_piece("rim")  # side stick: the count-in sticks
CLICK_ACCENT, CLICK_BEAT = 110, 80
CLICK_TICKS = quarters_to_ticks(Fraction(1, 8))


def stop_lanes(role: str, meter: ir.Meter) -> Lanes:
    """`stop` bars: one short band hit on beat 1 (a chord, the root; kick and crash), then silence."""
    rest = "." * (meter.num - 1)
    if role == "drums":
        return (("kick", "X" + rest), ("crash", "X" + rest))
    return ((role, ("R" if role == "bass" else "X") + rest),)


def final_lanes(role: str) -> Lanes:
    """The song's last bar after an ending: every part hits beat 1 and holds to the end of the bar."""
    if role == "drums":
        return (("kick", "X"), ("crash", "X"), ("crash2", SWELL))
    return ((role, "R" if role == "bass" else "X"),)


def fallback_fill(meter: ir.Meter) -> Lanes:
    """A fill for a fill bar whose drum pattern has none, or a `stop` bar before a new section:
    snare sixteenths on the last beat."""
    count = meter.num * 16 // meter.den
    return (("snare", ("." * count + "oxxX")[-count:]),)


def setup_lanes(meter: ir.Meter) -> Lanes:
    """The set-up a drummer plays before a hit or a break when the pattern writes none: snare
    eighths on the last beat, the kick on its "and", into the hit."""
    count = meter.num * 8 // meter.den
    return (("snare", ("." * count + "xx")[-count:]), ("kick", ("." * count + "x")[-count:]))


def click_hits(meter: ir.Meter, bars: int) -> list[Hit]:
    """Count-in clicks from tick 0: one per beat (per dotted quarter in 6/8, 9/8, 12/8), beat 1 accented."""
    compound = meter.den == 8 and meter.num % 3 == 0 and meter.num > 3
    beat = Fraction(3 * 4, meter.den) if compound else Fraction(4, meter.den)
    per_bar = meter.num // 3 if compound else meter.num
    hits = []
    for index in range(bars * per_bar):
        velocity = CLICK_ACCENT if index % per_bar == 0 else CLICK_BEAT
        hits.append(Hit(quarters_to_ticks(beat * index), CLICK_TICKS, CLICK_PIECE, velocity))
    return hits


def count_in_ticks(meter: ir.Meter, bars: int) -> int:
    """Length of `bars` count-in bars in `meter`."""
    return quarters_to_ticks(meter.quarters * bars)
