"""musicxml_harmony: a MusicXML `<harmony>` as a chord symbol the compiler reads — every MusicXML 4.0
`<kind>` mapped (`KINDS`, the table of docs/language.md), with its `<degree>`s, `<bass>` or `<inversion>`."""

from __future__ import annotations

from ..chords import ChordError, parse_chord
from ..pitch import Key
from .model import ChartProblem
from .xmltree import Element

# MusicXML 4.0 <kind> -> the quality written after the root (None: the chord is N.C., or `other`).
KINDS: dict[str, str | None] = {
    "major": "", "minor": "m", "augmented": "aug", "diminished": "dim", "dominant": "7",
    "major-seventh": "maj7", "minor-seventh": "m7", "diminished-seventh": "dim7", "augmented-seventh": "7#5",
    "half-diminished": "m7b5", "major-minor": "m(maj7)", "major-sixth": "6", "minor-sixth": "m6",
    "dominant-ninth": "9", "major-ninth": "maj9", "minor-ninth": "m9", "dominant-11th": "11",
    "major-11th": "maj11", "minor-11th": "m11", "dominant-13th": "13", "major-13th": "maj13",
    "minor-13th": "m13", "suspended-second": "sus2", "suspended-fourth": "sus", "power": "5",
    "pedal": "(no3,no5)", "Neapolitan": "", "Italian": "7(no5)", "French": "7b5", "German": "7",
    "Tristan": "m7b5", "other": None, "none": None,
}
# The chords whose MusicXML names differ only in case from what some programs write.
_KIND_NAMES = {name.lower(): name for name in KINDS}
ALTER = {-2: "bb", -1: "b", 0: "", 1: "#", 2: "##"}
_SHARPS = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
_FLATS = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]
_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_C_MAJOR = Key("C", "major")


def harmony_symbol(harmony: Element) -> str:
    """A `<harmony>` as a chord symbol the compiler reads: root, the kind's quality with the
    `<degree>`s, and a `<bass>` or `<inversion>`. Raises ChartProblem (E210) for what it cannot read."""
    kind_element = harmony.find("kind")
    kind = _KIND_NAMES.get((kind_element.text.strip() if kind_element is not None else "").lower())
    if kind_element is None or kind is None:
        shown = kind_element.text.strip() if kind_element is not None else "no <kind>"
        raise ChartProblem("E210", f"the harmony kind `{shown}` is not a MusicXML 4.0 kind",
                           "use one of MusicXML's kinds: major, minor, dominant, …", harmony.offset)
    if kind == "none":
        return "N.C."
    root = harmony.find("root")
    if root is None:
        raise ChartProblem("E210", "a harmony without a <root> (a numeral or function)",
                           "write the chord with a <root>: <root-step>D</root-step>", harmony.offset)
    symbol = _note_name(root.text_of("root-step"), root.text_of("root-alter", "0"), harmony.offset)
    quality = KINDS[kind] if kind != "other" else kind_element.attrib.get("text", "")
    degrees = [_degree(degree) for degree in harmony.findall("degree")]
    symbol += _with_degrees(quality, [d for d in degrees if d])
    symbol += _bass(harmony, symbol)
    try:
        parse_chord(symbol, _C_MAJOR)
    except ChordError as err:
        raise ChartProblem("E210", f"the harmony reads as `{symbol}`, which is not a chord: {err.message}",
                           "check its <kind>, <degree>s and <bass>", harmony.offset) from None
    return symbol


# A seventh added to a kind without one (MusicXML counts an added 7 from the dominant: 7 is the minor
# seventh, 7 raised the major): the chord with that seventh, as the compiler names it.
_WITH_SEVENTH = {
    "7": {"": "7", "m": "m7", "sus": "7sus", "sus2": "7sus2", "aug": "7#5", "dim": "m7b5", "5": "7no3"},
    "maj7": {"": "maj7", "m": "m(maj7)", "sus": "maj7sus", "aug": "maj7#5", "dim": "dim(maj7)", "5": "maj7no3"},
}


def _with_degrees(quality: str, degrees: list[str]) -> str:
    for seventh, name in (("add7", "7"), ("add#7", "maj7")):
        if seventh in degrees and quality in _WITH_SEVENTH[name]:
            quality = _WITH_SEVENTH[name][quality]
            degrees = [degree for degree in degrees if degree != seventh]
    if not degrees:
        return quality
    if quality.endswith(")"):  # `7(no5)`: one list of changes in the parentheses
        return quality[:-1] + "," + ",".join(degrees) + ")"
    return f"{quality}({','.join(degrees)})"


def _degree(degree: Element) -> str:
    value = degree.text_of("degree-value")
    alter = ALTER.get(int(float(degree.text_of("degree-alter", "0") or 0)), "")
    kind = degree.text_of("degree-type", "add")
    if not value.isdigit():
        return ""
    return {"add": f"add{alter}{value}", "alter": f"{alter}{value}", "subtract": f"no{value}"}.get(kind, "")


def _bass(harmony: Element, chord: str) -> str:
    bass = harmony.find("bass")
    if bass is not None:
        return "/" + _note_name(bass.text_of("bass-step"), bass.text_of("bass-alter", "0"), harmony.offset)
    inversion = harmony.text_of("inversion")
    if inversion.isdigit() and int(inversion) > 0:
        spec = parse_chord(chord, _C_MAJOR)
        tones = sorted(spec.intervals)
        pc = (spec.root_pc + tones[min(int(inversion), len(tones) - 1)]) % 12
        return "/" + (_FLATS if "b" in spec.root or spec.root == "F" else _SHARPS)[pc]
    return ""


def _note_name(step: str, alter: str, offset: int) -> str:
    if step not in _NATURAL:
        raise ChartProblem("E210", f"`{step}` is not a note step", "a step is A to G", offset)
    return step + ALTER.get(int(float(alter or 0)), "")
