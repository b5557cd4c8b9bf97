"""resolve.keys: the key each pass of the form is played in, and the style's intro/ending in it.

- A pass plays in its section's written key: the song's, or the section's own `key`.
- A `key` mark in `arrange` changes the key from its pass on, until the next `key` mark, as `tempo`
  does. A later pass written in the same key as the marked one plays in the mark's key, spelled and
  in the mode as written (`key F# minor`); a section written in another key moves by the same
  interval, so the song keeps its shape.
- A practice key (`--key`) moves the whole song the same way: the song's key becomes the requested
  one, spelled as asked (F#, not Gb) and in its mode; every other key moves by the same interval.
  `--transpose N` moves every key N semitones, a `transpose` mark one pass.
- A style-made intro or ending is read in the key around it, in the style's form for that key's
  mode: an intro in the key of the pass it leads into, an ending in the key of the pass before it
  (so a minor song gets the minor ending, and a key change carries into the ending).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .. import ir
from ..pitch import shortest_shift
from .form import Chart, PlannedPass, moved_key
from .style import StyleForms

STYLE_MADE = ("intro", "ending")


@dataclass(frozen=True)
class KeyChange:
    """From `written` to `target`: a key mark, or the practice key."""

    written: ir.KeySig
    target: ir.KeySig

    @property
    def steps(self) -> int:
        return shortest_shift(self.written.key.tonic_pc, self.target.key.tonic_pc)

    def apply(self, key: ir.KeySig) -> ir.KeySig:
        if (key.tonic, key.mode) == (self.written.tonic, self.written.mode):
            return ir.KeySig(tonic=self.target.tonic, mode=self.target.mode)
        return moved_key(key, self.steps)


@dataclass(frozen=True)
class PassKey:
    """The key a pass plays in, and how many semitones that is from how it is written."""

    key: ir.KeySig
    steps: int


def pass_keys(plans: list[PlannedPass], marks: list[ir.Marks], practice: KeyChange | None,
              transpose: int) -> list[PassKey]:
    """The key of every pass (see the module docstring); `transpose` is the practice transposition."""
    keys: list[PassKey] = []
    change: KeyChange | None = None
    for plan, mark in zip(plans, marks):
        if mark.key is not None:
            change = KeyChange(plan.key, mark.key)
        key, steps = plan.key, 0
        for move in (change, practice):
            if move is not None:
                key, steps = move.apply(key), steps + move.steps
        moved = transpose + mark.transpose
        keys.append(PassKey(moved_key(key, moved), steps + moved))
    return keys


def style_made_in_key(plans: list[PlannedPass], marks: list[ir.Marks], keys: list[PassKey], chart: Chart,
                      forms: StyleForms) -> tuple[list[PlannedPass], list[PassKey]]:
    """Each style-made intro and ending read again in the key around it (see the module docstring),
    or in its own key if the arrange block gives it one; its pass then plays in that key."""
    plans, keys = list(plans), list(keys)
    for index, plan in enumerate(plans):
        if plan.kind not in STYLE_MADE or plan.label in chart.sections:
            continue
        around = None if marks[index].key else _neighbour(plans, index, forward=plan.kind == "intro")
        key = keys[around if around is not None else index]
        section = forms.read(plan.label, key.key)
        if section is not None:
            plans[index], keys[index] = replace(plan, bars=section.bars, key=key.key), key
    return plans, keys


def _neighbour(plans: list[PlannedPass], index: int, forward: bool) -> int | None:
    """The nearest pass of a section (not a style-made one) after `index`, or before it."""
    order = range(index + 1, len(plans)) if forward else range(index - 1, -1, -1)
    return next((i for i in order if plans[i].kind not in STYLE_MADE), None)
