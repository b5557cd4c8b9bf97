"""blocks: the steps every chart reader shares between its blocks and a `model.Chart`'s form —
unique section labels, the passes of a repeated block, and the played order (repeats, then one
D.C./D.S. jump al coda or al fine) as `form` items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Block, ChartBar, ChartProblem, FormItem, Meter


# Words the form line reads itself (a style's intro and ending, `tag`, `vamp`): a chart's section of
# that name gets another, so the form plays the chart's bars (and a melody starts at its first bar).
_FORM_WORDS = {"intro": "opening", "ending": "closing", "tag": "tagline", "vamp": "vamp_section"}


def section_label(text: str, default: str) -> str:
    """A section name from a chart's label: lower case, words joined by `_`, a trailing number dropped
    (`Verse 2` -> `verse`, so equal verses can share a section); one letter stays a capital (`A`).

    >>> section_label("Verse 2", "A"), section_label("b", "A"), section_label("Intro", "A")
    ('verse', 'B', 'opening')
    """
    slug = re.sub(r"_?\d+$", "", re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_"))
    if not slug or not slug[0].isalpha():
        return default
    slug = _FORM_WORDS.get(slug, slug)
    return slug.upper() if len(slug) == 1 else slug


@dataclass
class ReadBar:
    """A bar as a reader read it, before blocks: its chords and the signs around it."""

    chart_bar: ChartBar
    meter: Meter
    repeat_start: bool = False
    repeat_end: bool = False
    endings: tuple[int, ...] = ()  # the endings it starts (`1, 2`: one ending played on passes 1 and 2)
    closes: bool = False  # a double or final bar line after it: a last ending stops there
    times: int = 0  # the passes of the repeat it ends, when the chart says (else twice)
    marks: set[str] = field(default_factory=set)  # road map: segno, coda before it; to_coda, fine, dc, ds, al_* after
    label: str = ""  # a rehearsal mark: a block of that name starts here
    key: str = ""  # the key it is in, when the reader knows (a change of key starts a block)
    lead_only: bool = False  # a pickup the band does not play (`model.Block.lead_only`)
    offset: int | None = None  # where it is in the file, for diagnostics


@dataclass(frozen=True)
class Visit:
    """A block, the passes it plays in a row, and the road-map marks of its bars."""

    block: Block
    times: int
    marks: frozenset[str]


def split_blocks(bars: list[ReadBar], label: str, title: str) -> list[Visit]:
    """Bars as blocks: a new one at a rehearsal mark, a repeat sign, a time change, a segno or the
    coda, after a repeat, a jump, `Fine` or `To Coda`, and after a last ending's closing bar line.
    Raises ChartProblem (E204) for endings out of order, a lone first ending, a block of endings."""
    out: list[tuple[Block, int, set[str]]] = []
    starts: list[int | None] = []  # where each block's first bar is, for E204 about its endings
    opened: list[list[ChartBar]] = []  # the endings the bars being read belong to
    for index, bar in enumerate(bars):
        before = bars[index - 1] if index else None
        block = out[-1][0] if out else None
        label = bar.label or label
        if _starts_block(bar, before, block):
            out.append((Block("coda" if "coda" in bar.marks else label, bar.meter, key=bar.key,
                              lead_only=bar.lead_only), 1, set()))
            starts.append(bar.offset)
            block, opened = out[-1][0], []
        out[-1][2].update(bar.marks)
        if bar.endings:
            opened = _open_endings(block, bar, title)
        for bars_of in opened or [block.bars]:
            bars_of.append(bar.chart_bar)
        if bar.repeat_end:
            out[-1] = (block, bar.times or 2, out[-1][2])
    for (block, _, _), start in zip(out, starts):
        _check_endings(block, title, start)
    return [Visit(block, times, frozenset(marks)) for block, times, marks in out]


def _open_endings(block: Block, bar: ReadBar, title: str) -> list[list[ChartBar]]:
    opened = []
    for number in bar.endings:
        if number != len(block.endings) + 1:
            raise ChartProblem("E204", f"`{title}`: ending {number} after {len(block.endings)} endings in "
                               f"{block.label}", "number the endings 1, 2, 3 in order", bar.offset)
        block.endings.append([])
        opened.append(block.endings[-1])
    return opened


def _check_endings(block: Block, title: str, offset: int | None) -> None:
    if len(block.endings) == 1:
        raise ChartProblem("E204", f"`{title}`: {block.label} has a first ending and no second",
                           "add the second ending after the repeat sign", offset)
    if not block.bars:
        raise ChartProblem("E204", f"`{title}`: {block.label} is only endings",
                           "put the repeated bars before the first ending", offset)


def _starts_block(bar: ReadBar, before: ReadBar | None, block: Block | None) -> bool:
    if block is None or bar.repeat_start or bar.label or bar.marks & {"segno", "coda"}:
        return True
    if bar.endings:
        return False
    if (bar.meter, bar.key) != (block.meter, block.key) or before is None:
        return (bar.meter, bar.key) != (block.meter, block.key)
    ends = before.repeat_end or before.marks & {"dc", "ds", "fine", "to_coda"}
    return bool(ends or (block.endings and before.closes))


def form_of(visits: list[Visit]) -> list[FormItem]:
    """The played order of the visits, by their road map: the first of each sign, and the first jump."""
    road = RoadMap()
    for index, visit in enumerate(visits):
        for sign in ("segno", "coda", "to_coda", "fine"):
            if sign in visit.marks and getattr(road, sign) is None:
                setattr(road, sign, index)
        jump = visit.marks & {"dc", "ds"}
        if jump and road.jump is None:
            road.jump = (index, min(jump))
            road.target = next((t for t in ("coda", "fine") if f"al_{t}" in visit.marks), "")
    return played_order([(visit.block, visit.times) for visit in visits], road)


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
            if same is None or _same(same, block):
                block.label = name
                names[name] = block
                break
            number += 1
    return blocks


def _same(one: Block, other: Block) -> bool:
    return (one.bars, one.endings, one.meter, one.key) == (other.bars, other.endings, other.meter, other.key)


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
