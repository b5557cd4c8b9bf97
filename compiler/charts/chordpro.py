"""chordpro: ChordPro songbooks (`.cho`, `.chopro`, `.chordpro`, `.pro`) read into `model.Chart`s.

Directives stand alone on their line in braces (`{title: Blue Sky}`, `{soc}`); `{new_song}` starts the
next song of the file. The chords come from the song's `{start_of_grid}` bar-line grids when it has
any. Otherwise they come from the `[C]` chords over the lyrics, whose bar lines are inferred: one bar
per chord, chords with no lyric between them sharing a bar (warning W201 says so). docs/charts.md
gives the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from fractions import Fraction

from ..chords import ChordError, parse_chord
from ..pitch import Key
from .blocks import ReadBar, Visit, form_of, named, section_label, split_blocks
from .model import Block, Chart, ChartBar, ChartChord, ChartProblem, Found, Meter

SUFFIXES = (".cho", ".chopro", ".chordpro", ".pro")

_DIRECTIVE = re.compile(r"\{\s*([A-Za-z_]+)(?:-[\w!]+)?\s*(?::\s*|\s+|(?=\}))(.*?)\s*\}\s*$")
_ALIASES = {
    "t": "title", "st": "subtitle", "ns": "new_song", "c": "comment", "ci": "comment", "cb": "comment",
    "soc": "start_of_chorus", "eoc": "end_of_chorus", "sov": "start_of_verse", "eov": "end_of_verse",
    "sob": "start_of_bridge", "eob": "end_of_bridge", "sog": "start_of_grid", "eog": "end_of_grid",
    "sot": "start_of_tab", "eot": "end_of_tab",
}
# Environments whose lines are not chords over lyrics (tablature, notation, pictures): skipped.
_NOT_CHORDS = {"tab", "abc", "ly", "svg", "textblock", "musicxml"}
# A grid's bar lines, longest first so `:|:` is not read as `:|` then `:`.
_GRID_TOKEN = re.compile(r"(?P<bar>:\|:|:\|\d>?|:\|\|?|\|\||\|:|\|\.|\|\d>?|\|)|(?P<cell>(?:[^\s|:]|:(?!\|))+)")
_INLINE_CHORD = re.compile(r"\[([^\]\[]*)\]")
_UNCLOSED = re.compile(r"\[[^\]]*(?:\[|$)")  # a `[` whose line ends, or opens another, before its `]`
_KEY = re.compile(r"([A-G][#b]?)(m|min|-)?")
_TIMES = re.compile(r"[x×*](\d+)|(\d+)[x×]")
_NO_CHORD = {"N.C.", "NC", "N.C", "n.c.", "nc"}
# Road-map words in a grid line's margins: before its first bar line they mark its first bar, after
# its last bar line its last bar (a D.C./D.S. is played after that bar).
_ROAD_STARTS = {"segno": "segno", "𝄋": "segno", "coda": "coda", "𝄌": "coda"}
_ROAD_ENDS = re.compile(r"(?P<jump>d\.\s*[cs]\.)(?:\s*al\s*(?P<target>coda|fine))?|(?P<to_coda>to\s*coda|𝄌)"
                        r"|(?P<fine>\bfine\b)", re.IGNORECASE)
_C_MAJOR = Key("C", "major")


def read_text(text: str) -> list[Found]:
    """Every song of a ChordPro file, read (or the problem that stopped it); [] when none has chords."""
    songs = _split_songs(text)
    found = [_read_song(number, lines) for number, lines in enumerate(songs, 1)]
    if all(item.problem is not None and item.problem.code == "E200" for item in found):
        return []
    return found


@dataclass(frozen=True)
class _Line:
    offset: int  # where the line starts in the file
    text: str


def _split_songs(text: str) -> list[list[_Line]]:
    songs: list[list[_Line]] = [[]]
    offset = 0
    for line in text.splitlines(keepends=True):
        directive = _DIRECTIVE.match(line.strip())
        if directive and _ALIASES.get(directive[1].lower(), directive[1].lower()) == "new_song":
            songs.append([])
        else:
            songs[-1].append(_Line(offset, line.rstrip("\r\n")))
        offset += len(line)
    return [song for song in songs if any(line.text.strip() for line in song)] or [[]]


def _read_song(number: int, lines: list[_Line]) -> Found:
    start = lines[0].offset if lines else 0
    grid_mode = any(_directive_name(line.text) == "start_of_grid" for line in lines)
    reader = _SongReader(grid_mode)
    try:
        for line in lines:
            reader.line(line)
        chart = reader.chart()
    except ChartProblem as problem:
        return Found(start, number, problem=problem)
    warnings = ()
    if reader.inferred_at is not None:
        warnings = (ChartProblem("W201", "no {start_of_grid} here: bar lines inferred from the chords over "
                                 "the lyrics, one bar per chord", "write the bars in a {start_of_grid} "
                                 "to give each chord its beats", reader.inferred_at),)
    return Found(start, number, chart, warnings=warnings)


def _directive_name(text: str) -> str:
    match = _DIRECTIVE.match(text.strip())
    return _ALIASES.get(match[1].lower(), match[1].lower()) if match else ""


@dataclass(eq=False)  # parts are told apart by identity: a recall names the same part
class _Part:
    """A verse, chorus, bridge, grid (or the lines outside any): what it is called and its bars."""

    kind: str
    label: str
    offset: int
    bars: list[ReadBar] = field(default_factory=list)
    blocks: list[Visit] = field(default_factory=list)


class _SongReader:
    """Reads one song's lines in order: the header, the parts and the order they are played in."""

    def __init__(self, grid_mode: bool) -> None:
        self.grid_mode = grid_mode
        self.title = self.composer = self.artist = ""
        self.key: str | None = None  # the song's: the first {key}
        self.key_now = ""  # the last {key} read: a later one starts a section in that key
        self.tempo: int | None = None
        self.first_meter: Meter | None = None
        self.meter = Meter(4, 4)
        self.order: list[_Part] = []  # parts as played; a `{chorus}` recall names one again
        self.open: _Part | None = None  # the environment being read
        self.loose: _Part | None = None  # lines outside any environment, since the last one closed
        self.played: list[ChartBar] = []  # every bar so far, for `%` and `%%`
        self.previous: str | None = None  # the chord sounding, for a bar that starts by holding it
        self.next_bar = ReadBar(ChartBar(()), self.meter)  # flags the bar lines gave the bar to come
        self.inferred_at: int | None = None

    # -- lines -------------------------------------------------------------------------------------
    def line(self, line: _Line) -> None:
        stripped = line.text.strip()
        if not stripped or stripped.startswith("#"):
            return
        if stripped.startswith("{"):
            self._directive(line, stripped)
        elif self.open is not None and self.open.kind in _NOT_CHORDS:
            return
        elif self.grid_mode:
            if self.open is not None and self.open.kind == "grid":
                self._grid_line(line)
        else:
            self._lyric_line(line)

    def _directive(self, line: _Line, stripped: str) -> None:
        at = line.offset + line.text.index("{")
        match = _DIRECTIVE.match(stripped)
        if not match:
            raise ChartProblem("E207", f"cannot read the directive `{_clip(stripped)}`",
                               "a directive is one line in braces: {title: Blue Sky}, {start_of_chorus}", at)
        name, value = _ALIASES.get(match[1].lower(), match[1].lower()), match[2]
        if name.startswith("start_of_"):
            self._start(name.removeprefix("start_of_"), value, at)
        elif name.startswith("end_of_"):
            self._end(name.removeprefix("end_of_"), at)
        elif name == "chorus":
            self._recall(at)
        else:
            self._setting(name, value, at)

    def _setting(self, name: str, value: str, at: int) -> None:
        if name == "title" and not self.title:
            self.title = value
        elif name in ("composer", "artist"):
            setattr(self, name, getattr(self, name) or value)
        elif name == "key":
            self.key_now = self.next_bar.key = _key(value, at)
            self.key = self.key or self.key_now
        elif name == "tempo":
            self.tempo = _tempo(value, at)
        elif name == "time":
            self.meter = _meter(value, at)
            self.first_meter = self.first_meter or (None if self.played else self.meter)
            self.next_bar.meter = self.meter
        # Every other directive (comments, fonts, chord diagrams, page layout) is about the printed page.

    def _start(self, kind: str, value: str, at: int) -> None:
        if self.open is not None:
            raise ChartProblem("E207", f"{{start_of_{kind}}} inside {{start_of_{self.open.kind}}}",
                               f"close the {self.open.kind} first with {{end_of_{self.open.kind}}}", at)
        self.open = _Part(kind, _label(kind, value), at)
        self.loose = None
        self.next_bar = ReadBar(ChartBar(()), self.meter, key=self.key_now)
        if kind not in _NOT_CHORDS:
            self.order.append(self.open)

    def _end(self, kind: str, at: int) -> None:
        if self.open is None or self.open.kind != kind:
            opened = f"; {{start_of_{self.open.kind}}} is open" if self.open else ""
            raise ChartProblem("E207", f"{{end_of_{kind}}} without {{start_of_{kind}}}{opened}",
                               f"start the {kind} with {{start_of_{kind}}}, or remove this line", at)
        self.open = None

    def _recall(self, at: int) -> None:
        """`{chorus}`: the last chorus again (in a song of grids the lyrics' chorus has no bars)."""
        choruses = [part for part in self.order if part.kind == "chorus" and part.bars]
        if choruses:
            self.order.append(choruses[-1])
        elif not self.grid_mode:
            raise ChartProblem("E207", "{chorus} recalls a chorus, but no chorus with chords comes before it",
                               "write the chorus once in {start_of_chorus} … {end_of_chorus} first", at)

    def _part(self) -> _Part:
        """The part chords go into: the open environment, or the run of lines outside any."""
        if self.open is not None:
            return self.open
        if self.loose is None:
            self.loose = _Part("", "A", 0)
            self.order.append(self.loose)
        return self.loose

    # -- chords over lyrics ------------------------------------------------------------------------
    def _lyric_line(self, line: _Line) -> None:
        """One bar per chord; chords with nothing but spaces between them share a bar."""
        unclosed = _UNCLOSED.search(line.text)
        if unclosed:
            raise ChartProblem("E207", "a `[` chord is not closed on its line", "write chords as [Am7]",
                               line.offset + unclosed.start())
        groups: list[list[tuple[str, int]]] = []
        end = 0
        for match in _INLINE_CHORD.finditer(line.text):
            text = match[1].strip()
            if text.startswith("*") or not text:  # `[*Rit.]` is an annotation, not a chord
                continue
            symbol = _symbol(text, line.offset + match.start(1))
            if groups and not line.text[end:match.start()].strip():
                groups[-1].append((symbol, line.offset + match.start(1)))
            else:
                groups.append([(symbol, line.offset + match.start(1))])
            end = match.end()
        for group in groups:
            self.inferred_at = group[0][1] if self.inferred_at is None else self.inferred_at
            self._add(ReadBar(_shared_bar(group, self.meter), self.meter, key=self.key_now))

    # -- grids -------------------------------------------------------------------------------------
    def _grid_line(self, line: _Line) -> None:
        tokens = list(_GRID_TOKEN.finditer(line.text))
        bar_lines = [index for index, token in enumerate(tokens) if token["bar"]]
        if not bar_lines:
            return  # a line of text in the grid: a label, not bars
        first, last = bar_lines[0], bar_lines[-1]
        bars = self._part().bars
        written = len(bars)
        cells: list[re.Match[str]] = []
        for token in tokens[first:last + 1]:
            if token["cell"]:
                cells.append(token)
                continue
            if cells:
                self._grid_bar(cells, line.offset)
                cells = []
            self._bar_line(token[0], line.offset + token.start())
        if len(bars) > written:
            _road_marks(" ".join(token[0] for token in tokens[:first]), bars[written],
                        " ".join(token[0] for token in tokens[last + 1:]), bars[-1])
        self._margin(" ".join(token[0] for token in tokens[last + 1:]))

    def _bar_line(self, sign: str, at: int) -> None:
        before = self._part().bars[-1] if self._part().bars else None
        if sign.startswith(":|") or sign in ("||", "|."):
            if before is None:
                raise ChartProblem("E207", f"`{sign}` closes a repeat or a section before any bar",
                                   "put the bars first: |: C | G :|", at)
            before.repeat_end |= sign.startswith(":|")
            before.closes |= sign in ("||", "|.")
        self.next_bar.repeat_start |= sign.endswith("|:")
        digits = re.search(r"\d", sign)
        if digits:
            self.next_bar.endings = (int(digits[0]),)

    def _margin(self, text: str) -> None:
        """Text after a line's last bar line: an `x3` there is the count of the repeat it follows."""
        count = _TIMES.search(text)
        bars = self._part().bars
        if count and bars:
            repeat = next((bar for bar in reversed(bars) if bar.repeat_end), bars[-1])
            repeat.times = int(count[1] or count[2])

    def _grid_bar(self, cells: list[re.Match[str]], line_offset: int) -> None:
        words = [cell[0] for cell in cells]
        at = line_offset + cells[0].start()
        self.next_bar.offset = at
        if words in (["%"], ["%%"]):
            back = len(words[0])
            if len(self.played) < back:
                raise ChartProblem("E202", f"`{words[0]}` repeats a bar before the first",
                                   "`%` repeats the bar before, `%%` the two bars before", at)
            for bar in self.played[-back:]:
                self._add(self._flagged(bar))
            return
        self._add(self._flagged(self._cells_bar(cells, line_offset)))

    def _flagged(self, chart_bar: ChartBar) -> ReadBar:
        bar, self.next_bar = self.next_bar, ReadBar(ChartBar(()), self.meter, key=self.key_now)
        bar.chart_bar, bar.meter = chart_bar, self.meter
        return bar

    def _cells_bar(self, cells: list[re.Match[str]], line_offset: int) -> ChartBar:
        """The cells share the bar evenly; `.`, `/` and an alternate `(Am7)` hold the chord before,
        `C~G` splits its cell between the chords."""
        at = line_offset + cells[0].start()
        if self.meter.num % len(cells):
            raise ChartProblem("E208", f"{len(cells)} cells in a {self.meter} bar",
                               f"a {self.meter} bar shares its beats evenly among cells: write "
                               f"{_fits(self.meter)} cells, `.` for a held beat", at)
        length = Fraction(self.meter.beats, len(cells))
        chords: list[ChartChord] = []
        for cell in cells:
            word, where = cell[0], line_offset + cell.start()
            if word in (".", "/") or word.startswith("("):
                chords = _held(chords, length, self.previous, where)
                continue
            parts = word.split("~")
            if self.meter.num % (len(cells) * len(parts)):
                raise ChartProblem("E208", f"`{word}` splits a cell of a {self.meter} bar into {len(parts)}",
                                   "give each chord its own cell", where)
            for part in parts:
                chords.append(ChartChord(_symbol(part, where), length / len(parts), where))
                self.previous = chords[-1].symbol
        return ChartBar(tuple(chords))

    # -- the chart ---------------------------------------------------------------------------------
    def _add(self, bar: ReadBar) -> None:
        self._part().bars.append(bar)
        self.played.append(bar.chart_bar)
        self.previous = bar.chart_bar.chords[-1].symbol

    def chart(self) -> Chart:
        parts = [part for part in dict.fromkeys(self.order) if part.bars]
        if not parts:
            raise ChartProblem("E200", f"`{self.title or 'the song'}` has no chords",
                               "write chords as `[C]` over the lyrics, or a {start_of_grid} of bars")
        for part in parts:
            part.blocks = split_blocks(part.bars, part.label, self.title or "Untitled")
        blocks = named([visit.block for part in parts for visit in part.blocks])
        form = form_of([visit for part in self.order for visit in part.blocks])
        meter = self.first_meter or blocks[0].meter
        first = blocks[0].bars[0].chords[0].symbol
        return Chart(title=self.title.strip() or "Untitled", composer=(self.composer or self.artist).strip(),
                     style="", key=self.key or _key_of(first), tempo=self.tempo, meter=meter,
                     blocks=blocks, form=form)


def _road_marks(left: str, first: ReadBar, right: str, last: ReadBar) -> None:
    first.marks |= {mark for word, mark in _ROAD_STARTS.items() if word in left.lower().split()}
    for match in _ROAD_ENDS.finditer(right):
        if match["jump"]:
            last.marks |= {"ds" if "s" in match["jump"].lower() else "dc", f"al_{(match['target'] or 'end').lower()}"}
        else:
            last.marks.add("to_coda" if match["to_coda"] else "fine")


def _held(chords: list[ChartChord], length: Fraction, previous: str | None, at: int) -> list[ChartChord]:
    """One more cell of the chord before (the bar's, or the one sounding when the bar starts)."""
    if chords:
        return chords[:-1] + [replace(chords[-1], beats=chords[-1].beats + length)]
    if previous is None:
        raise ChartProblem("E202", "the first bar starts with no chord to hold",
                           "start the first bar with a chord: | C . . . |", at)
    return [ChartChord(previous, length)]


def _shared_bar(group: list[tuple[str, int]], meter: Meter) -> ChartBar:
    """Chords that share an inferred bar split its beats, the first ones taking any beat left over."""
    if len(group) > meter.beats:
        raise ChartProblem("E203", f"{len(group)} chords with no lyric between them in one {meter} bar",
                           f"a {meter} bar holds at most {meter.beats} chords; put a lyric between them "
                           "or write the bars in a {start_of_grid}", group[0][1])
    base, extra = divmod(meter.beats, len(group))
    return ChartBar(tuple(ChartChord(symbol, base + (index < extra), at) for index, (symbol, at) in enumerate(group)))


def _symbol(text: str, at: int) -> str:
    """A chord as the compiler reads it, or E202 at the chord."""
    text = text.strip()
    if text in _NO_CHORD:
        return "N.C."
    try:
        if text[:1] not in "ABCDEFG":
            raise ChordError("a chord starts with a root A–G", 0, 1)
        parse_chord(text, _C_MAJOR)
    except ChordError as err:
        raise ChartProblem("E202", f"cannot read the chord `{text}`: {err.message}",
                           err.help or "write a root A–G (#/b), a quality and an optional /bass: F#m7b5, C/G",
                           at) from None
    return text


def _label(kind: str, value: str) -> str:
    """A section name: the directive's label, else the environment's name; an unlabelled grid is `A`."""
    value = re.sub(r'\b(?:shape|label)="([^"]*)"', lambda m: m[1] if m[0].startswith("label") else "", value)
    if kind == "grid":
        value = re.sub(r"^\s*(?:\d+\+)?\d+(?:x\d+)?(?:\+\d+)?\s*", "", value)
    return section_label(value, "A" if kind == "grid" else section_label(kind, "A"))


def _key(value: str, at: int) -> str:
    match = _KEY.fullmatch(value.strip())
    if not match:
        raise ChartProblem("E207", f"{{key: {value}}} is not a key",
                           "write a tonic with an optional m for minor: {key: G}, {key: F#m}", at)
    return f"{match[1]} {'minor' if match[2] else 'major'}"


def _key_of(symbol: str) -> str:
    """With no {key}: the key of the first chord (`Am7` -> A minor)."""
    match = re.match(r"([A-G][#b]?)(m(?!aj))?", symbol)
    return f"{match[1]} {'minor' if match[2] else 'major'}" if match else "C major"


def _tempo(value: str, at: int) -> int:
    if not value.strip().isdigit() or not 20 <= int(value) <= 400:
        raise ChartProblem("E207", f"{{tempo: {value}}} is not a tempo",
                           "write beats per minute, 20 to 400: {tempo: 96}", at)
    return int(value)


def _meter(value: str, at: int) -> Meter:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
    if not match or not 1 <= int(match[1]) <= 32 or int(match[2]) not in (2, 4, 8, 16):
        raise ChartProblem("E207", f"{{time: {value}}} is not a time signature",
                           "write beats over a note value: {time: 3/4}, {time: 6/8}", at)
    return Meter(int(match[1]), int(match[2]))


def _fits(meter: Meter) -> str:
    counts = [str(n) for n in range(1, meter.num + 1) if meter.num % n == 0]
    return ", ".join(counts[:-1]) + " or " + counts[-1] if len(counts) > 1 else counts[0]


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"
