"""arrange.patterns: which lanes each track plays in each bar (style, pattern, level, fill, variation, form marks)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from .. import ir
from . import form, meter
from ..timeline import PPQ
from .context import BarContext, SongContext, quarters_to_ticks
from .variation import NONE, Chosen, choose_variations

STRAIGHT = Fraction(1, 2)
REST = "."
COMMON_TIME = ir.Meter(num=4, den=4)


@dataclass(frozen=True, slots=True)
class Groove:
    """A pattern and the length in ticks of a bar of the meter it was written in (its steps keep
    their length in beats whatever bar they are laid over), and the `style` it comes from (whose
    `adapt` lines group its bars in other meters)."""

    pattern: ir.PatternDef
    grid: int
    style: ir.StyleDef | None = None

    @classmethod
    def of(cls, pattern: ir.PatternDef, meter: ir.Meter, style: ir.StyleDef | None = None) -> Groove:
        return cls(pattern, quarters_to_ticks(meter.quarters), style)


@dataclass(frozen=True, slots=True)
class LaneBar:
    """One lane's steps for one bar: they divide `grid` ticks, swung by `swing`."""

    name: str
    steps: str
    grid: int
    swing: Fraction


@dataclass(frozen=True, slots=True)
class BarPlan:
    """What a track plays in one bar. `free`: a groove bar, where the engine may add roots and
    hits on chord changes; form hits (stop, final chord) are played exactly as written."""

    lanes: tuple[LaneBar, ...] = ()
    free: bool = False


SILENT = BarPlan()


def _default(role: str, steps: str) -> Groove:
    lane = ir.Lane(name=role, steps=(steps,))
    pattern = ir.PatternDef(name="default", role=role, levels=(ir.PatternPart(lanes=(lane,)), None, None))
    return Groove.of(pattern, COMMON_TIME)


# A role with no pattern anywhere: roots on the changes in half notes, one hit per chord, held pads.
DEFAULTS = {"bass": _default("bass", "RR"), "comp": _default("comp", "x"), "pad": _default("pad", "-")}


def plan_track(ctx: SongContext, track: ir.TrackDef, rng: random.Random) -> tuple[BarPlan, ...]:
    """One `BarPlan` per bar of the song for `track`; `rng` draws its variations."""
    grooves = [find_groove(ctx.song, track, part.style) for part in ctx.passes]
    parts = [groove_part(track, bar, grooves[bar.part.index]) for bar in ctx.bars]
    chosen = choose_variations(parts, ctx, rng)
    return tuple(plan_bar(track, bar, grooves[bar.part.index], part, choice)
                 for bar, part, choice in zip(ctx.bars, parts, chosen))


def find_groove(song: ir.Song, track: ir.TrackDef, style: ir.StyleDef) -> Groove | None:
    """The pattern `track` plays in a pass of `style`.

    In the song's own style the track's pattern is looked up by name: the song's patterns first,
    then its style, then the switched-to styles. A track without a pattern takes its style's first
    pattern of its role; in a switched style the track takes that style's pattern of the same name,
    else its first of the role. Without any, `DEFAULTS` (drums stay silent).
    """
    role, name = track.role, track.pattern
    if style.name != song.style.name:
        found = _named(style, role, name) or _first(style, role)
    elif name is None:
        found = _first(style, role)
    else:
        own = next((Groove.of(p, song.meter, song.style) for p in song.patterns if p.name == name and p.role == role), None)
        switched = (_named(other, role, name) for other in song.alt_styles)
        found = own or _named(style, role, name) or next(filter(None, switched), None)
    return found or DEFAULTS.get(role)


def _named(style: ir.StyleDef, role: str, name: str | None) -> Groove | None:
    return next((Groove.of(p, style.meter, style) for p in style.patterns if p.name == name and p.role == role), None)


def _first(style: ir.StyleDef, role: str) -> Groove | None:
    return next((Groove.of(p, style.meter, style) for p in style.patterns if p.role == role), None)


def groove_part(track: ir.TrackDef, bar: BarContext, groove: Groove | None) -> ir.PatternPart | None:
    """The pattern part `track` plays in a groove bar: the fill (drums, in a fill bar) or the
    bar's level; None where the track is silent or a form mark owns the bar."""
    if groove is None or not bar.part.plays(track) or bar.mode != "groove":
        return None
    pattern = groove.pattern
    if pattern.build is not None and building(pattern.build, bar) is not None:
        return pattern.build.part
    if bar.fill and track.role == "drums" and pattern.fill is not None:
        return pattern.fill
    two_feel = track.role == "bass" and (bar.part.played.marks.two_feel or (pattern.two_feel_head and bar.part.head))
    return level_part(pattern, 1 if two_feel else bar.level)


def plan_bar(track: ir.TrackDef, bar: BarContext, groove: Groove | None, part: ir.PatternPart | None = None,
             chosen: Chosen = NONE) -> BarPlan:
    """The lanes of one bar: silence, a form mark's hits, or `part` (with its `chosen` variation);
    drums add a crash on the downbeat of a new section. Groove bars are `free` (the roles add
    roots and hits on the changes), but for a build bar of rests."""
    if groove is None or not bar.part.plays(track) or bar.mode == "break":
        return SILENT
    if part is not None:
        lanes = _groove_lanes(groove, part, chosen, bar, track.role)
        build = groove.pattern.build
        # a build bar of rests is a drop-out (before the drop): no root is added on its changes
        free = build is None or part is not build.part or any(set(lane.steps) - {REST} for lane in lanes)
    else:
        marked = form.final_lanes(track.role) if bar.mode == "final" else form.stop_lanes(track.role, bar.meter)
        if bar.mode == "stop" and bar.fill and track.role == "drums":
            marked += form.fallback_fill(bar.meter)  # after the hit, the drums set up the next section
        lanes, free = _form_lanes(marked, bar), False
    if bar.crash and track.role == "drums":
        lanes += _form_lanes(form.CRASH, bar)
    return BarPlan(lanes, free)


def building(build: ir.Build, bar: BarContext) -> int | None:
    """Which bar of `build` `bar` plays (None: not a build bar): its last bars of a pass before a
    section the build names (any new section when it names none), never into a repeat."""
    played, following = bar.part.played, bar.part.following
    if following is None or following == played.label or (build.before and following not in build.before):
        return None
    position = bar.bar_in_pass - (played.bar_count - build.bars)
    return position if position >= 0 else None


def level_part(pattern: ir.PatternDef, level: int) -> ir.PatternPart:
    """The pattern at energy `level`: a missing level falls back to the nearest lower one, and to
    the nearest at all when no lower one is written."""
    lower = [part for part in pattern.levels[:level][::-1] if part is not None]
    return lower[0] if lower else next(part for part in pattern.levels if part is not None)


def _groove_lanes(groove: Groove, part: ir.PatternPart, chosen: Chosen, bar: BarContext,
                  role: str) -> tuple[LaneBar, ...]:
    """The part's lanes in this bar (a multi-bar lane at the bar's place in the pass), each lane the
    chosen variation writes replaced by its bar of the variation, and the variation's other lanes."""
    pattern = groove.pattern
    swing = pattern.swing if pattern.swing is not None else bar.part.swing
    step = building(pattern.build, bar) if pattern.build is not None and part is pattern.build.part else None
    build = step is not None
    index = bar.bar_in_pass if step is None else step
    own = {lane.name: lane.steps[chosen.bar] for lane in chosen.variation.lanes} if chosen.variation else {}
    written = [(lane.name, own.pop(lane.name, lane.steps[index % len(lane.steps)])) for lane in part.lanes]
    written += own.items()
    grouping = _grouping(groove, bar)
    if grouping is None:  # the groove's own meter (or one it is not re-cut for): as written
        lanes = [LaneBar(name, steps, groove.grid, swing) for name, steps in written]
    else:
        lanes = [_recut(name, steps, groove.grid, bar, grouping, part is pattern.fill or build, swing)
                 for name, steps in written]
    if bar.fill and role == "drums" and pattern.fill is None and not build:
        lanes += _form_lanes(form.fallback_fill(bar.meter), bar)
    if bar.setup and role == "drums" and not (chosen.variation and "before-hit" in chosen.variation.at):
        lanes += [LaneBar(name, steps, bar.end - bar.start, swing) for name, steps in form.setup_lanes(bar.meter)]
    return tuple(lanes)


def _grouping(groove: Groove, bar: BarContext) -> tuple[int, ...] | None:
    """The groups of beats the groove's lanes are re-cut in for `bar` (a bar of another x/4 meter),
    as its style's `adapt` line gives that meter or by default; None: laid as written."""
    length = bar.end - bar.start
    if length == groove.grid or bar.meter.den != 4:
        return None
    steer = groove.style.grouping_in(bar.meter) if groove.style is not None else None
    return meter.grouping_for(length // PPQ, steer)


def _recut(name: str, steps: str, grid: int, bar: BarContext, grouping: tuple[int, ...], fill: bool,
           swing: Fraction) -> LaneBar:
    """One lane re-cut beat by beat for `bar` (`meter.recut`); one that cannot be is cut short or
    started again."""
    length = bar.end - bar.start
    recut = meter.recut(steps, grid, length, grouping, fill)
    return LaneBar(name, steps, grid, swing) if recut is None else LaneBar(name, recut, length, swing)


def _form_lanes(lanes: form.Lanes, bar: BarContext) -> tuple[LaneBar, ...]:
    return tuple(LaneBar(name, steps, bar.end - bar.start, STRAIGHT) for name, steps in lanes)
