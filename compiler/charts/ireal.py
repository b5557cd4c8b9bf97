"""ireal: iReal Pro links (`irealb://`, `irealbook://`), alone or in HTML/text files and playlists,
read into `model.Chart`s.

The format, from its public descriptions: URL-encoded; songs separated by `===` (a last part without
fields is the playlist's name); fields separated by `=`; the music string of an `irealb://` song starts
with `1r34LbKcu7` and is obfuscated in 50-character blocks (`unscramble`, its own inverse).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from .blocks import RoadMap, named, played_order
from .model import Block, Chart, ChartBar, ChartChord, ChartProblem, Found, Meter

LINK = re.compile(r"irealb(?:ook)?://[^\s\"'<>]+")
MUSIC_PREFIX = "1r34LbKcu7"
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_CHORD = re.compile(r"([A-GW][#b]?)((?:[-+^ho0-9#b]|sus|alt|add|dim|aug|maj|min)*)(/[A-G][#b]?)?")
_TIME = {"44": (4, 4), "34": (3, 4), "24": (2, 4), "54": (5, 4), "64": (6, 4), "74": (7, 4),
         "22": (2, 2), "32": (3, 2), "58": (5, 8), "68": (6, 8), "78": (7, 8), "98": (9, 8), "12": (12, 8)}
_MARKS = {"i": "intro", "v": "verse"}
_IGNORED = set("sl,YfU")  # small/large type, separators, row spacers, fermata, end: layout, not music

# iReal Pro style -> stdlib style (docs/charts.md holds the same table for readers).
STYLES = {
    "medium swing": "jazz.swing", "swing": "jazz.swing", "medium up swing": "jazz.swing",
    "up tempo swing": "jazz.uptempo", "bebop": "jazz.uptempo", "ballad": "jazz.ballad",
    "slow swing": "jazz.ballad", "jazz waltz": "jazz.waltz", "waltz": "jazz.waltz",
    "even 8ths": "jazz.even8", "bossa nova": "latin.bossa", "bossa": "latin.bossa",
    "latin": "latin.afro", "afro": "latin.afro", "afro cuban": "latin.afro", "salsa": "latin.afro",
    "samba": "latin.samba", "funk": "funk.groove", "rnb": "funk.groove", "r&b": "funk.groove",
    "soul": "soul.ballad68", "slow rock": "pop.ballad", "rock": "rock.straight", "pop": "pop.eighths",
    "rock pop": "pop.eighths", "pop ballad": "pop.ballad", "country": "country.twobeat",
    "blues": "blues.shuffle", "shuffle": "blues.shuffle", "reggae": "reggae.onedrop",
    "folk": "folk.fingerpick", "hip hop": "hiphop.lofi", "house": "edm.house",
}
DEFAULT_STYLE = "jazz.swing"
_METER_STYLES = {(3, 4): "jazz.waltz", (6, 8): "soul.ballad68"}  # the stdlib styles not in 4/4
_STYLE_METERS = {"jazz.waltz": (3, 4), "soul.ballad68": (6, 8)}


@dataclass(frozen=True)
class RawChart:
    """One song of a link: where the link starts in its file, and its fields."""

    offset: int
    number: int
    fields: tuple[str, ...]
    obfuscated: bool
    where: tuple[int, ...] = ()  # the file offset of each character of the music field ((): not known)


def unscramble(text: str) -> str:
    """Undo (or apply: it is its own inverse) iReal Pro's obfuscation of the music string.

    >>> unscramble(unscramble("abcdefghij" * 7)) == "abcdefghij" * 7
    True
    """
    return "".join(permuted(list(text)))


def permuted(items: list) -> list:
    """The obfuscation's permutation on any sequence: on the music's characters, or on where each
    of them is in the file (so a chord of the unscrambled music is found in the link)."""
    out: list = []
    while len(items) > 51:
        block = list(items[:50])
        for i in (*range(5), *range(10, 24)):
            block[i], block[49 - i] = items[49 - i], items[i]
        out += block
        items = items[50:]
    return out + list(items)


def find_charts(text: str) -> list[RawChart]:
    """Every song of every iReal link in a file's text, in order."""
    charts: list[RawChart] = []
    for match in LINK.finditer(text):
        obfuscated = match.group().startswith("irealb://")
        scheme = match.group().index("://") + 3
        body, where = decoded(match.group()[scheme:], match.start() + scheme)
        at = 0
        for part in body.split("==="):
            fields = tuple(part.split("="))
            if len(fields) > 1:  # a part without fields is the playlist's name
                music = 6 if obfuscated else 5
                start = at + sum(len(f) + 1 for f in fields[:music])
                spots = tuple(where[start:start + len(fields[music])]) if len(fields) > music and where else ()
                charts.append(RawChart(match.start(), len(charts) + 1, fields, obfuscated, spots))
            at += len(part) + 3
    return charts


def decoded(raw: str, base: int) -> tuple[str, list[int]]:
    """A URL-encoded text decoded, and the file offset (from `base`) of each decoded character: a `%XX`
    run is read as UTF-8 as `unquote` reads it. The offsets are [] if the two readings differ."""
    text, where, index = [], [], 0
    while index < len(raw):
        run = _ESCAPES.match(raw, index)
        if run is None:
            text.append(raw[index])
            where.append(base + index)
            index += 1
            continue
        data = bytes.fromhex(run.group().replace("%", ""))
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        for byte_index in range(len(data)):
            for char in decoder.decode(data[byte_index:byte_index + 1]):
                text.append(char)
                where.append(base + index + 3 * byte_index)
        text += decoder.decode(b"", final=True)
        index += len(run.group())
    body = "".join(text)
    return (body, where) if body == unquote(raw) and len(where) == len(body) else (unquote(raw), [])


def read_text(text: str) -> list[Found]:
    """Every chart of every link in a file's text, read (or the problem that stopped it)."""
    found = []
    for raw in find_charts(text):
        try:
            chart = read_chart(raw)
        except ChartProblem as problem:
            found.append(Found(raw.offset, raw.number, problem=problem))
            continue
        style = raw.fields[3] if raw.obfuscated else raw.fields[2]
        found.append(Found(raw.offset, raw.number, chart, unknown_style="" if known_style(style) else style))
    return found


def read_chart(raw: RawChart) -> Chart:
    """A chart from one song's fields. Raises ChartProblem."""
    if raw.obfuscated:
        if len(raw.fields) < 7 or not raw.fields[6].startswith(MUSIC_PREFIX):
            raise ChartProblem("E201", f"song {raw.number} of the link is not an iReal Pro chart",
                               f"expected title=composer==style=key=transpose={MUSIC_PREFIX}…")
        title, composer, _, style, key, _, music = raw.fields[:7]
        bpm = raw.fields[8] if len(raw.fields) > 8 else ""
        music = unscramble(music[len(MUSIC_PREFIX):])
        where = permuted(list(raw.where[len(MUSIC_PREFIX):]))
    else:
        if len(raw.fields) < 6:
            raise ChartProblem("E201", f"song {raw.number} of the link is not an iReal Pro chart",
                               "expected title=composer=style=key=n=music")
        title, composer, style, key, _, music = raw.fields[:6]
        bpm, where = "", list(raw.where)
    # Each replacement is as long as what it replaces, so a character's place in the link is kept.
    music = music.replace("XyQ", "   ").replace("LZ", " |").replace("Kcl", "| x")
    bars = _Scanner(music, where).bars()
    if not bars:
        raise ChartProblem("E202", f"`{title}` has no bars", "an iReal chart needs at least one chord")
    meter = bars[0].meter
    blocks, by_bar = _blocks(bars, title)
    return Chart(title=title.strip() or "Untitled", composer=composer.strip(), style=style_for(style, meter),
                 key=_key(key, title), tempo=_tempo(bpm), meter=meter, blocks=blocks,
                 form=played_order([(block, by_bar.times.get(index, 1)) for index, block in enumerate(blocks)], by_bar))


def style_for(ireal_style: str, meter: Meter) -> str:
    """The stdlib style for an iReal style name, one written in the chart's meter when there is one."""
    style = STYLES.get(ireal_style.strip().lower(), DEFAULT_STYLE)
    if _STYLE_METERS.get(style, (4, 4)) != (meter.num, meter.den):
        return _METER_STYLES.get((meter.num, meter.den), style)
    return style


def known_style(ireal_style: str) -> bool:
    return ireal_style.strip().lower() in STYLES


def _key(field_text: str, title: str) -> str:
    match = re.fullmatch(r"([A-G][#b]?)(-?)", field_text.strip())
    if not match:
        raise ChartProblem("E201", f"`{title}` has the key `{field_text}`",
                           "an iReal key is a tonic with an optional `-` for minor: `F`, `Eb-`")
    return f"{match[1]} {'minor' if match[2] else 'major'}"


def _tempo(bpm: str) -> int | None:
    return int(bpm) if bpm.isdigit() and 20 <= int(bpm) <= 400 else None


# -- the music string -> bars ----------------------------------------------------------------------
@dataclass
class RawBar:
    """One bar as written, with the marks around it."""

    meter: Meter
    cells: list[str | None]  # a chord symbol, or None for an empty cell (the chord before goes on)
    mark: str | None = None
    repeat_start: bool = False
    repeat_end: bool = False
    closer: str = "|"
    ending: int = 0
    segno: bool = False
    coda: bool = False
    comments: list[str] = field(default_factory=list)
    chord_at: list[int | None] = field(default_factory=list)  # where each chord is in the file, in order
    sign_at: int | None = None  # where its ending (`N1`) or repeat sign (`x`, `r`) is in the file


class _Scanner:
    """Reads the (unscrambled, expanded) music string left to right into bars."""

    def __init__(self, music: str, where: list[int] | None = None) -> None:
        self.music, self.pos = music, 0
        self.where = where or []
        self.meter = Meter(4, 4)
        self.out: list[RawBar] = []
        self.previous: str | None = None  # the chord sounding, for `p`, `W` and held bars
        self.open, self.pending = False, RawBar(self.meter, [])

    def bars(self) -> list[RawBar]:
        while self.pos < len(self.music):
            self._step(self.music[self.pos])
        self._close("Z")
        return self.out

    def _step(self, char: str) -> None:
        music, pos = self.music, self.pos
        self.pos += 1
        if char in "[{|":
            self._close(char)
            self.open = True
            self.pending.repeat_start |= char == "{"
        elif char in "]}Z":
            self.pending.repeat_end |= char == "}"
            self._close(char)
            self.open = False
        elif char == " ":
            if self.open:
                self.pending.cells.append(None)
        elif char == "*" and pos + 1 < len(music):
            self.pending.mark = _MARKS.get(music[pos + 1], music[pos + 1].upper())
            self.pos += 1
        elif char == "T" and music[pos + 1:pos + 3] in _TIME:
            self.meter = Meter(*_TIME[music[pos + 1:pos + 3]])
            self.pending.meter = self.meter
            self.pos += 2
        elif char == "N" and music[pos + 1:pos + 2] in ("1", "2", "3"):
            self.pending.ending = int(music[pos + 1])
            self.pending.sign_at = self._offset(pos)
            self.pos += 1
        elif char == "<":
            end = music.find(">", pos)
            end = len(music) if end < 0 else end
            self.pending.comments.append(music[pos + 1:end])
            self.pos = end + 1
        elif char == "(":
            end = music.find(")", pos)  # an alternate chord, printed small above: not played
            self.pos = len(music) if end < 0 else end + 1
        elif char in "SQ":
            setattr(self.pending, "segno" if char == "S" else "coda", True)
        elif char in _IGNORED:
            pass
        else:
            self._token(char, pos)

    def _token(self, char: str, pos: int) -> None:
        self.open = True
        if char in "xr":
            self.pending.cells.append(char)
            self.pending.sign_at = self._offset(pos)
        elif char == "n":
            self._chord("N.C.", pos)
        elif char == "p":
            self.pending.cells.append(None)
        else:
            match = _CHORD.match(self.music, pos)
            if not match or (match[1] == "W" and self.previous is None):
                raise ChartProblem("E202", f"bar {len(self.out) + 1}: cannot read `{self.music[pos:pos + 8].strip()}`",
                                   "iReal chords are a root A-G (#/b), a quality (-, ^, h, o, +, sus, alt, "
                                   "add, digits) and an optional /bass", self._offset(pos))
            self.pos = match.end()
            root, quality, bass = match[1], match[2], match[3] or ""
            if root == "W":  # an invisible root: the chord before, over a new bass
                self._chord(self.previous.split("/")[0] + bass, pos)
            else:
                self._chord(root + quality + bass, pos)

    def _offset(self, pos: int) -> int | None:
        return self.where[pos] if pos < len(self.where) else None

    def _chord(self, symbol: str, pos: int | None = None) -> None:
        self.pending.cells.append(symbol)
        self.pending.chord_at.append(None if pos is None else self._offset(pos))
        self.previous = symbol

    def _close(self, closer: str) -> None:
        """End the bar being read: keep it if it says anything (an empty `| |` bar holds the chord)."""
        bar = self.pending
        bar.closer = closer
        played = [cell for cell in bar.cells if cell is not None]
        if played or (self.open and bar.cells and closer in "|]}Z" and self.out):
            self.out.append(bar)
            self.pending = RawBar(self.meter, [])
        elif bar.repeat_end and self.out:  # `}` right after a bar line: it closes the bar before
            self.out[-1].repeat_end = True
            bar.repeat_end = False


def _durations(bar: RawBar, chords: list[str], cells: list[str | None]) -> tuple[ChartChord, ...]:
    """Each chord lasts one beat plus the empty cells after it; leftover beats go round-robin from the
    first chord, and cells past the bar's beats come off the longest chords, last first."""
    beats = bar.meter.beats
    if len(chords) > beats:
        raise ChartProblem("E203", f"{len(chords)} chords in one {bar.meter} bar",
                           f"a {bar.meter} bar holds at most {beats} chords", bar.chord_at[beats])
    lengths: list[int] = []
    for cell in cells:
        if cell is not None:
            lengths.append(1)
        elif lengths:
            lengths[-1] += 1
    turn = 0
    while sum(lengths) < beats:
        lengths[turn % len(lengths)] += 1
        turn += 1
    while sum(lengths) > beats:
        index = max(range(len(lengths)), key=lambda i: (lengths[i], i))
        lengths[index] -= 1
    return tuple(ChartChord(symbol, beats_, at) for symbol, beats_, at in zip(chords, lengths, bar.chord_at))


def _chart_bars(raw: list[RawBar]) -> list[ChartBar]:
    """Chords with beats; `x` repeats the bar before, `r` the two before, an empty bar holds on."""
    bars: list[ChartBar] = []
    second: ChartBar | None = None  # the bar an `r` repeats into the empty bar after it
    for number, bar in enumerate(raw, 1):
        cells = list(bar.cells)
        if "x" in cells or "r" in cells:
            back = 2 if "r" in cells else 1
            if len(bars) < back:
                raise ChartProblem("E202", f"bar {number} repeats a bar before the first",
                                   "`x` repeats the bar before, `r` the two bars before", bar.sign_at)
            second = bars[-1] if back == 2 else None
            bars.append(bars[-back])
            continue
        if not any(cell is not None for cell in cells) and second is not None:
            bars.append(second)
            second = None
            continue
        second = None
        if not any(cell is not None for cell in cells):
            held = bars[-1].chords[-1].symbol if bars else "N.C."
            bars.append(ChartBar((ChartChord(held, bar.meter.beats),)))
            continue
        while cells and cells[0] is None:  # spaces before the first chord: layout
            cells.pop(0)
        chords = [cell for cell in cells if cell is not None]
        bars.append(ChartBar(_durations(bar, chords, cells)))
    return bars


# -- bars -> blocks and the played order -----------------------------------------------------------
@dataclass
class _Jumps(RoadMap):
    """The road map, and how many times each repeated block plays (`<3x>`, default twice)."""

    times: dict[int, int] = field(default_factory=dict)


def _starts_block(bar: RawBar, before: RawBar | None, block: Block | None, seen_coda: bool) -> bool:
    """A section mark, a repeat, a sign or a time change starts a block; so does the bar after a
    repeat, a jump, `Fine`, the to-coda sign (`seen_coda` then) or the last ending's closing line."""
    if block is None or bar.mark or bar.repeat_start or bar.segno or (bar.coda and seen_coda):
        return True
    if bar.meter != block.meter and not bar.ending:
        return True
    if before is not None and not bar.ending:
        to_coda = before.coda and seen_coda and not bar.coda and block.label != "coda"
        ends = before.repeat_end or to_coda or _instruction(before) or "fine" in _comments(before)
        return bool(ends or (block.endings and before.closer in "]Z"))
    return False


def _comments(bar: RawBar) -> str:
    return " ".join(bar.comments).lower()


def _instruction(bar: RawBar) -> str:
    text = _comments(bar).replace(" ", "")
    return "dc" if "d.c." in text else "ds" if "d.s." in text else ""


def _blocks(raw: list[RawBar], title: str) -> tuple[list[Block], _Jumps]:
    """Split the bars into blocks at section marks, repeats, time changes and road-map signs."""
    bars = _chart_bars(raw)
    blocks: list[Block] = []
    jumps = _Jumps()
    seen_coda, label = False, "A"
    first_ending: dict[int, int | None] = {}  # where each block's N1 is, for E204 about its endings
    for index, (bar, chart_bar) in enumerate(zip(raw, bars)):
        before = raw[index - 1] if index else None
        if _starts_block(bar, before, blocks[-1] if blocks else None, seen_coda):
            label = "coda" if bar.coda and seen_coda else bar.mark or label
            blocks.append(Block(label, bar.meter))
        block = blocks[-1]
        if bar.ending:
            if bar.ending != len(block.endings) + 1:
                raise ChartProblem("E204", f"`{title}` bar {index + 1}: ending {bar.ending} after "
                                   f"{len(block.endings)} endings", "number the endings N1, N2, N3 in order",
                                   bar.sign_at)
            first_ending.setdefault(len(blocks) - 1, bar.sign_at)
            block.endings.append([])
        (block.endings[-1] if block.endings else block.bars).append(chart_bar)
        _note_signs(bar, len(blocks) - 1, jumps, seen_coda)
        seen_coda |= bar.coda
    for number, block in enumerate(blocks):
        if len(block.endings) == 1:
            raise ChartProblem("E204", f"`{title}`: section {block.label} has a first ending and no second",
                               "add the second ending (N2) after the repeat", first_ending.get(number))
        if not block.bars:
            raise ChartProblem("E204", f"`{title}`: section {block.label} is only endings",
                               "put the repeated bars before N1", first_ending.get(number))
    return named(blocks), jumps


def _note_signs(bar: RawBar, block: int, jumps: _Jumps, seen_coda: bool) -> None:
    if bar.segno and jumps.segno is None:
        jumps.segno = block
    if bar.coda:
        if seen_coda:
            jumps.coda = block
        else:
            jumps.to_coda = block
    text = _comments(bar)
    if _instruction(bar) and jumps.jump is None:
        jumps.jump = (block, _instruction(bar))
        jumps.target = "coda" if "coda" in text else "fine" if "fine" in text else ""
    elif "fine" in text and jumps.fine is None:
        jumps.fine = block
    count = re.search(r"(\d+)x", text)
    if bar.repeat_end:
        jumps.times[block] = int(count[1]) if count else 2
    elif count:
        jumps.times.setdefault(block, int(count[1]))
