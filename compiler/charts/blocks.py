"""blocks: the steps every chart reader shares between its blocks and a `model.Chart`'s form —
unique section labels, the passes of a repeated block, and the played order as `form` items."""

from __future__ import annotations

from .model import Block, FormItem


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
