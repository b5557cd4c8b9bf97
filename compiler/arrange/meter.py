"""arrange.meter: a 4/4 lane re-cut for a bar of another x/4 meter, beat by beat (3/4, 5/4 as 3 + 2, 6/4 ...).

A lane written for four beats, laid over a bar of two, three, five, six or seven beats, is not cut
short or started again: the bar is split into groups of two, three or four beats and each group plays
chosen beats of the written bar. A group of three keeps beats 1 and 2 and the last beat's figure (the
pickup into what follows), a group of two keeps beat 1 and the last beat, a group of four is the written
bar. So every group starts on a beat 1 (the bass's root, the drums' downbeat) and every bar ends with
the written beat 4 (the comping's push, the snare's backbeat, the fill's last stroke on the bar line).
A fill keeps its written ending: its last beats stay together at the end of the bar.
"""

from __future__ import annotations

from ..timeline import PPQ

SOURCE_BEATS = 4  # only lanes written in four beats are re-cut; others are cut or cycled as before
# Which written beats (from 0) a group of 2, 3 or 4 beats plays.
GROUP_BEATS = {2: (0, 3), 3: (0, 1, 3), 4: (0, 1, 2, 3)}
# How a bar of each length is grouped when its style does not say.
GROUPINGS = {2: (2,), 3: (3,), 5: (3, 2), 6: (3, 3), 7: (4, 3)}


def grouping_for(beats: int, steer: tuple[int, ...] | None = None) -> tuple[int, ...] | None:
    """The groups a bar of `beats` quarter beats is played in: the style's `steer` if it adds up, else
    the default; None for a length with no re-cut (4/4 itself, 1/4, 8/4 and longer).

    Example:
        >>> grouping_for(6), grouping_for(6, (4, 2)), grouping_for(4)
        ((3, 3), (4, 2), None)
    """
    if steer is not None and sum(steer) == beats and all(size in GROUP_BEATS for size in steer):
        return steer
    return GROUPINGS.get(beats)


def beat_map(grouping: tuple[int, ...], fill: bool = False) -> tuple[int, ...]:
    """The written beat each beat of the bar plays. A fill plays its written ending: in a shorter bar
    its last beats, in a longer one its first two beats as often as needed and then the whole fill.

    Example:
        >>> beat_map((3, 2)), beat_map((3,), fill=True), beat_map((3, 3), fill=True)
        ((0, 1, 3, 0, 3), (1, 2, 3), (0, 1, 0, 1, 2, 3))
    """
    beats = sum(grouping)
    if not fill:
        return tuple(beat for size in grouping for beat in GROUP_BEATS[size])
    if beats <= SOURCE_BEATS:
        return tuple(range(SOURCE_BEATS - beats, SOURCE_BEATS))
    front = beats - 2
    return (*((0, 1) * front)[:front], 2, 3)


def recut(steps: str, grid: int, length: int, grouping: tuple[int, ...] | None, fill: bool = False) -> str | None:
    """`steps` (one bar of `grid` ticks) re-cut for a bar of `length` ticks grouped as `grouping`, or
    None when the lane is not four written beats of whole steps, or the bar is not whole beats.

    Example:
        >>> recut("x.o.x.o.", 4 * 480, 3 * 480, (3,))
        'x.o.o.'
    """
    if grouping is None or grid != SOURCE_BEATS * PPQ or length % PPQ or len(steps) % SOURCE_BEATS:
        return None
    per = len(steps) // SOURCE_BEATS
    return "".join(steps[beat * per:(beat + 1) * per] for beat in beat_map(grouping, fill))


def describe(grouping: tuple[int, ...]) -> str:
    """How a bar in `grouping` plays a 4/4 pattern, for W006.

    Example:
        >>> describe((3, 2))
        'grouped 3 + 2: beats 1 2 4 + 1 4 of the written bar'
    """
    groups = " + ".join(" ".join(str(beat + 1) for beat in GROUP_BEATS[size]) for size in grouping)
    if len(grouping) == 1:
        return f"beats {groups} of the written bar"
    return f"grouped {' + '.join(map(str, grouping))}: beats {groups} of the written bar"
