"""blocks: the steps every chart reader shares between its blocks and a `model.Chart`'s form —
unique section labels, the passes of a repeated block, and the played order (repeats, then one
D.C./D.S. jump al coda or al fine) as `form` items."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Block, FormItem


@dataclass
class RoadMap:
    """Where a chart's road map sends the player: indexes into its visits (`played_order`) of each
    sign and instruction."""

    segno: int | None = None
    to_coda: int | None = None
    coda: int | None = None
    fine: int | None = None
    jump: tuple[int, str] | None = None  # (the visit after which, "dc" or "ds")
    target: str = ""  # what the jump is "al": "coda", "fine" or "" (to the end)


def played_order(visits: list[tuple[Block, int]], road: RoadMap) -> list[FormItem]:
    """The form of blocks visited in the written order, each with its passes in a row, and the road map.

    After the jump, as players read it, repeats are not taken again and the last ending is played.
    """
    items: list[FormItem] = []
    index, jumped = 0, False
    while index < len(visits):
        block, times = visits[index]
        passes(block, times, items, once=jumped)
        if jumped and road.target == "coda" and index == road.to_coda and road.coda is not None:
            index = road.coda
            continue
        if jumped and road.target == "fine" and index == road.fine:
            break
        if not jumped and road.jump and index == road.jump[0]:
            jumped = True
            index = road.segno if road.jump[1] == "ds" and road.segno is not None else 0
            continue
        index += 1
    return merged(items)


def named(blocks: list[Block]) -> list[Block]:
    """Unique labels: a block that repeats an earlier one with the same label shares its name; another
    gets a number (`A2`)."""
    names: dict[str, Block] = {}
    for block in blocks:
        base, number = block.label, 1
        while True:
            name = base if number == 1 else f"{base}{number}"
            same = names.get(name)
            if same is None or (same.bars, same.endings, same.meter) == (block.bars, block.endings, block.meter):
                block.label = name
                names[name] = block
                break
            number += 1
    return blocks


def passes(block: Block, times: int, items: list[FormItem], once: bool = False) -> None:
    """The form items of one visit to a block played `times` times in a row: with endings 1..k, the
    passes take 1 … k − 1 and the last pass ending k. `once` (after a D.C./D.S. jump, as players read
    it) plays it a single time with its last ending."""
    count = len(block.endings)
    if once:
        items.append(FormItem(block.label, count))
        return
    if not count:
        items.append(FormItem(block.label, 0, times))
        return
    times = max(times, count)
    for number in range(1, times + 1):
        items.append(FormItem(block.label, count if number == times else min(number, count - 1)))


def merged(items: list[FormItem]) -> list[FormItem]:
    """Runs of the same pass as one item with a count (`A x2`)."""
    out: list[FormItem] = []
    for item in items:
        if out and (out[-1].label, out[-1].ending) == (item.label, item.ending):
            out[-1] = FormItem(item.label, item.ending, out[-1].times + item.times)
        else:
            out.append(item)
    return out
