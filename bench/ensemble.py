"""Ensemble table (issue 10): `python -m bench.ensemble` measures every spec, a smoke song per style, and
the smoke songs of three 4/4 styles re-cut in 3/4, 5/4 and 6/4 bars.

Each row is one song arranged in process with its own seed: the comping, pad, drum and bass bar-rhythm
variation (the worst part of the role) (distinct rhythms per 32 bars / the top rhythm's share; for drums also the groove
consistency) and the ensemble faults (late chords, bass minor 9ths under the comping, minor 9ths inside
voicings, unmarked section starts, new sections without a fill). The tests assert the thresholds on
the same songs; this prints the figures to quote.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.song"))

# A 38-bar smoke chart per meter: ii-V-Is, a minor ii-V with a b9, a slash chord, two chords in a bar.
SMOKE_SECTIONS = {
    "A": "| Cmaj7 | Am7 | Dm7 G7 | Cmaj7 | Fmaj7 | Bm7b5 E7b9 | Am7 D7 | Dm7 G7 |",
    "B": "| Em7 | A7 | Dm7 | G7 | Cmaj7/E | Ebdim7 | Dm7 G7 | C6 |",
}


def smoke_text(style: str, meter: str) -> str:
    """A smoke song for `style` in its `meter`: intro A A B A ending, with dynamics and a fill."""
    def bars(chart: str) -> str:
        """In an odd meter the second of two chords in a bar takes its later beats (3/4: the
        third; 5/4: the fourth; 7/8: the fifth eighth)."""
        count = int(meter.split("/")[0])
        cells = [cell.split() for cell in chart.strip("| ").split(" | ")]
        if count % 2:
            first = (count + 1) // 2
            cells = [[c[0], *["."] * (first - 1), c[1], *["."] * (count - first - 1)] if len(c) == 2 else c
                     for c in cells]
        return "| " + " | ".join(" ".join(c) for c in cells) + " |"
    sections = "".join(f"section {name}\n  {bars(chart)}\n" for name, chart in SMOKE_SECTIONS.items())
    return (f'title "Ensemble {style}"\nkey C major\ntime {meter}\nstyle {style}\nseed 3\n{sections}'
            "form intro A A B A ending\narrange\n  A mp\n  B f\n  last A mf\n")


def style_songs() -> list[tuple[str, str]]:
    """(label, text) of the smoke song of every bundled style."""
    from compiler.library import Library
    from compiler.resolve import style_summaries

    return [(f"style {s.name}", smoke_text(s.name, str(s.meter))) for s in style_summaries(Library())]


# 4/4 styles in bars of other meters, re-cut beat by beat (compiler/arrange/meter.py).
ADAPTED = tuple((style, meter) for style in ("jazz.swing", "rock.straight", "pop.eighths") for meter in ("3/4", "5/4", "6/4"))


def adapted_songs() -> list[tuple[str, str]]:
    """(label, text) of the smoke song of a 4/4 style in each of 3/4, 5/4 and 6/4."""
    return [(f"style {style} in {meter}", smoke_text(style, meter)) for style, meter in ADAPTED]


def spec_songs() -> list[tuple[str, str]]:
    """(label, text) of every practice spec."""
    return [(path.stem, path.read_text(encoding="utf-8")) for path in SPECS]


def measure(label: str, text: str, seed: int | None = None, path: Path | None = None):
    """The ensemble of one song arranged in process (with `seed`, else its own)."""
    from compiler.arrange import ArrangeOptions, arrange
    from compiler.ensemble import ensemble_of
    from compiler.library import Library
    from compiler.midi import to_midi
    from compiler.pipeline import front_end
    from compiler.report import midi_report
    from compiler.source import Source

    source_path = path or (ROOT / "specs" / f"{label}.song" if not label.startswith("style ") else ROOT / "smoke.song")
    song = front_end(Source(str(source_path), text), Library()).song
    timeline = arrange(song, ArrangeOptions(seed=seed))
    midi = to_midi(timeline)
    return ensemble_of(midi, midi_report(timeline, source=str(source_path), key="", tempo=float(song.tempo)))


def row(label: str, result) -> str:
    def rhythm(*roles: str) -> str:
        parts = result.of_role(*roles)
        if not parts:
            return "–"
        worst = min(parts, key=lambda p: (p.distinct_per_32, -p.top_share))
        return f"{worst.distinct_per_32:.1f} / {100 * max(p.top_share for p in parts):.0f} %"

    def percent(rate) -> str:
        return "–" if rate is None else f"{100 * rate:.1f}"
    drums = result.of_role("drums")
    steady = min((p.consistency for p in drums if p.consistency is not None), default=None)
    voicing = f"{result.voicing_clashes}/{result.voicings}"
    return (f"| {label} | {rhythm('comp')} | {rhythm('pad')} | {rhythm('drums')} | {'–' if steady is None else f'{steady:.2f}'} "
            f"| {rhythm('bass')} | {percent(result.late_rate)} | {percent(result.bass_clash_rate)} "
            f"| {percent(result.beat3_rate)} | {voicing} | {percent(result.marked_rate)} | {percent(result.fill_rate)} |")


HEADER = ("| song | comp distinct/32 / top | pad distinct/32 / top | drums distinct/32 / top | groove consistency | bass distinct/32 / top "
          "| late chords % | bass m9 % | bass beat 3 chord % | m9 voicings | starts marked % | fills % |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|")


def main(argv: list[str]) -> None:
    print(HEADER)
    for label, text in spec_songs() + style_songs() + adapted_songs():
        print(row(label, measure(label, text)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
