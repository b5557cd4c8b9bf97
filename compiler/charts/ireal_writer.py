"""ireal_writer: a `from_song.LeadSheet` as an `irealb://` link (the music obfuscated as iReal Pro does),
each visit of a section a run of bars with its repeat signs, `N1`–`N3` endings and `<3x>` counts;
`ireal.read_text` reads it back to the same chord timeline."""

from __future__ import annotations

import re
from urllib.parse import quote

from ..chords import parse_chord
from ..pitch import Key
from .from_song import LeadSheet, first_offset
from .ireal import _CHORD, _TIME, MUSIC_PREFIX, STYLES, unscramble
from .model import Block, ChartBar, ChartProblem, Meter

_C_MAJOR = Key("C", "major")
_TIME_TOKENS = {meter: token for token, meter in _TIME.items()}
_MARKS = {"intro": "i", "opening": "i", "verse": "v"}
# The iReal spelling of the compiler's quality words, longest first (`m7b5` is `h7`, `maj` is `^`).
_QUALITY_WORDS = (("m(maj", "-^"), ("m7b5", "h7"), ("maj", "^"), ("dim", "o"), ("aug", "+"), ("min", "-"))


def write(sheet: LeadSheet) -> str:
    """Raises ChartProblem (E211) for what an iReal chart cannot hold."""
    style = next((name.title() for name, stdlib in STYLES.items() if stdlib == sheet.style), "Medium Swing")
    key = sheet.tonic + ("-" if "minor" in sheet.mode or sheet.mode in ("dorian", "phrygian", "aeolian") else "")
    music = "".join(_visit(block, times, index == len(sheet.visits) - 1, index + 1)
                    for index, (block, times) in enumerate(sheet.visits))
    music = _with_meters(music, sheet)
    fields = [sheet.title.replace("=", " "), sheet.composer.replace("=", " ") or "songspec", "", style, key, "",
              MUSIC_PREFIX + unscramble(music), "", str(sheet.tempo), "0"]
    return "irealb://" + quote("=".join(fields), safe="")


def _visit(block: Block, times: int, last: bool, number: int) -> str:
    """`{*A` bars `|N1` … `}|N2` … `]`, time signatures marked for `_with_meters` (`@4/4@`)."""
    repeated = times > 1 or bool(block.endings)
    if len(block.endings) > 3:
        raise ChartProblem("E211", f"section {block.label} has {len(block.endings)} endings; an iReal chart has "
                           "at most 3", "export to MusicXML or ChordPro", first_offset(block.endings[3]))
    if (block.meter.num, block.meter.den) not in _TIME_TOKENS:
        raise ChartProblem("E211", f"an iReal chart has no {block.meter} time", "export to MusicXML or ChordPro",
                           first_offset(block.bars))
    mark = _MARKS.get(block.label, block.label if re.fullmatch(r"[A-D]", block.label) else "")
    count = max(times, len(block.endings))
    repeat_count = f"<{count}x>" if count > 2 else ""
    text = ("{" if repeated else "[") + (f"*{mark}" if mark else "") + f"@{block.meter}@"
    text += "|".join(_bar(bar, block.meter, number) for bar in block.bars)
    for index, ending in enumerate(block.endings, 1):
        text += ("|" if index == 1 else "}|") + f"N{index}" + "|".join(_bar(bar, block.meter, number) for bar in ending)
        text += repeat_count if index < len(block.endings) else ""
    if repeated and not block.endings:
        text += repeat_count + "}"
    return text + ("Z" if last else "]")


def _with_meters(music: str, sheet: LeadSheet) -> str:
    """`T44` where the meter changes (and at the start), nothing where it stays."""
    out, current = [], None
    for piece in re.split(r"(@\d+/\d+@)", music):
        if piece.startswith("@"):
            num, den = (int(n) for n in piece.strip("@").split("/"))
            if (num, den) != current:  # every block's meter is one of them (`_visit`)
                out.append("T" + _TIME_TOKENS[(num, den)])
                current = (num, den)
        else:
            out.append(piece)
    return "".join(out)


def _bar(bar: ChartBar, meter: Meter, number: int) -> str:
    """Each chord, then a space for every further beat it holds; chords side by side with a `,`."""
    cells = []
    for chord in bar.chords:
        if chord.beats != int(chord.beats):
            raise ChartProblem("E211", f"section {number}: `{chord.symbol}` does not last whole beats, which an "
                               "iReal chart cannot write", "export to MusicXML", chord.offset)
        try:
            cells.append(ireal_chord(chord.symbol) + " " * (int(chord.beats) - 1))
        except ChartProblem as problem:
            problem.offset = chord.offset  # at the chord in the song
            raise
    return ",".join(cells) if len(cells) > 1 else cells[0]


def ireal_chord(symbol: str) -> str:
    """A chord as iReal Pro writes it (`Cm7` is `C-7`, `Bbmaj7/D` is `Bb^7/D`, `N.C.` is `n`).

    >>> ireal_chord("Cm7b5"), ireal_chord("Bbmaj7/D"), ireal_chord("F#7(b9,#11)")
    ('Ch7', 'Bb^7/D', 'F#7b9#11')
    """
    spec = parse_chord(symbol, _C_MAJOR)
    if spec.is_no_chord:
        return "n"
    quality = spec.quality
    for word, ireal in _QUALITY_WORDS:
        quality = quality.replace(word, ireal)
    quality = re.sub(r"m(?!aj)", "-", quality).replace("(", "").replace(")", "").replace(",", "")
    written = spec.root + quality + (f"/{spec.bass}" if spec.bass else "")
    match = _CHORD.fullmatch(written)
    if not match or _notes(written) != _notes(symbol):
        raise ChartProblem("E211", f"`{symbol}` has no iReal Pro spelling", "export to MusicXML or ChordPro")
    return written


def _notes(symbol: str) -> tuple[int, ...]:
    try:
        return parse_chord(symbol, _C_MAJOR).pitch_classes
    except ValueError:
        return ()
