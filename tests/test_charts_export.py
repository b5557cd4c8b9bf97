"""`song export FILE --to musicxml|chordpro|ireal`: every spec exports; the MusicXML validates against the
MusicXML 4.0 XSD (vendored in tests/data/charts/musicxml_4_0_xsd/, no network); export then import plays
the same chord timeline, for every spec and for random songs (hypothesis), in each format."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from compiler.charts import chordpro, ireal, musicxml
from compiler.charts.export import FORMATS
from compiler.charts.from_song import lead_sheet
from compiler.charts.song_writer import write_song
from compiler.cli import compile_front, main
from compiler.source import Source

from conftest import ROOT

SPECS = sorted((ROOT / "specs").glob("*.song"))
XSD = Path(__file__).resolve().parent / "data" / "charts" / "musicxml_4_0_xsd"
READERS = {"musicxml": musicxml.read_text, "chordpro": chordpro.read_text, "ireal": ireal.read_text}


class _LocalSchemas(etree.Resolver):
    """The schema's imports (xml.xsd, xlink.xsd) from the vendored folder, never from the network."""

    def resolve(self, url, pubid, context):
        local = XSD / url.rsplit("/", 1)[-1]
        return self.resolve_filename(str(local), context) if local.is_file() else None


def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, load_dtd=False)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(XSD / "musicxml.xsd"), parser))


SCHEMA = _schema()


def _song(text: str, tmp_path: Path):
    path = tmp_path / "song.song"
    path.write_text(text)
    song, diagnostics, _ = compile_front(str(path))
    assert song is not None, [d.message for d in diagnostics]
    return song


def timeline(song) -> list[tuple[int, Fraction, tuple]]:
    """The chord changes as sounding notes: (bar, where in the bar, (root, pitch classes, bass)), so two
    spellings of one chord (`C7(b9)`, `C7b9`) are the same chord."""
    out, last = [], None
    for bar in song.bars:
        length = sum(slot.dur for slot in bar.slots)
        for slot in bar.slots:
            chord = slot.chord
            notes = tuple(sorted({(chord.root_pc + i) % 12 for i in chord.intervals})) if chord.root else ()
            key = (chord.root_pc if chord.root else None, notes, chord.bass_pc)
            if key != last:
                out.append((bar.number, slot.start / length, key))
            last = key
    return out


def _round_trip(song, fmt: str, tmp_path: Path):
    text = FORMATS[fmt][0](lead_sheet(song))
    found = READERS[fmt](text)
    assert len(found) == 1 and found[0].chart is not None, found[0].problem and found[0].problem.message
    return _song(write_song(found[0].chart), tmp_path), text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_spec_exports_and_imports_to_the_same_chord_timeline(spec, fmt, tmp_path):
    song, _, _ = compile_front(str(spec))
    back, text = _round_trip(song, fmt, tmp_path)
    assert timeline(back) == timeline(song)
    if fmt == "musicxml":
        document = etree.fromstring(text.encode(), etree.XMLParser(no_network=True, load_dtd=False))
        assert SCHEMA.validate(document), SCHEMA.error_log


def test_the_schema_rejects_what_is_not_musicxml():
    wrong = b'<score-partwise version="4.0"><part-list/><part id="P1"><measure/></part></score-partwise>'
    assert not SCHEMA.validate(etree.fromstring(wrong))  # a measure needs its number; a part-list a part


# -- random songs ------------------------------------------------------------------------------------
METERS = {(4, 4): ("jazz.swing", (1, 2, 4)), (3, 4): ("jazz.waltz", (1, 3)), (6, 8): ("soul.ballad68", (1, 2)),
          (5, 4): ("jazz.swing", (1, 5))}
ROOTS = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
QUALITIES = ["", "m", "7", "maj7", "m7", "m7b5", "dim7", "6", "m6", "9", "7b9", "7#9", "7sus", "13", "aug", "sus",
             "7#11", "maj9", "m9", "m(maj7)", "add9", "69"]
chord = st.one_of(st.just("N.C."), st.builds(lambda r, q, b: r + q + (f"/{b}" if b else ""),
                                             st.sampled_from(ROOTS), st.sampled_from(QUALITIES),
                                             st.one_of(st.none(), st.sampled_from(ROOTS))))


@st.composite
def songs(draw) -> str:
    """A valid `.song`: a meter, 1-3 sections of 1-4 bars (some with 2 or 3 endings), a form of them."""
    (num, den), (style, splits) = draw(st.sampled_from(sorted(METERS.items())))
    lines = [f"time {num}/{den}", f"style {style}", f"key {draw(st.sampled_from(ROOTS))} major", ""]
    labels, endings = [], {}
    for label in ("A", "B", "C")[:draw(st.integers(1, 3))]:
        labels.append(label)
        lines.append(f"section {label}")
        lines.append("  " + _bars(draw, splits, draw(st.integers(1, 4))))
        endings[label] = draw(st.sampled_from([0, 0, 2, 3]))
        lines += [f"  ending {n} " + _bars(draw, splits, draw(st.integers(1, 2))) for n in range(1, endings[label] + 1)]
    form = [draw(st.sampled_from(labels)) for _ in range(draw(st.integers(1, 5)))]
    items = [f"{label}.{draw(st.integers(1, endings[label]))}" if endings[label] and draw(st.booleans()) else label
             for label in form]
    items = [f"{item} x{draw(st.integers(2, 3))}" if draw(st.integers(0, 3)) == 0 else item for item in items]
    intro = ["intro"] if draw(st.booleans()) else []
    return "\n".join(lines + ["form " + " ".join(intro + items)]) + "\n"


def _bars(draw, splits: tuple[int, ...], count: int) -> str:
    cells = [" ".join(draw(chord) for _ in range(draw(st.sampled_from(splits)))) for _ in range(count)]
    return "| " + " | ".join(cells) + " |"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=songs())
def test_a_random_song_exports_and_imports_to_the_same_chord_timeline(fmt, text, tmp_path):
    song = _song(text, tmp_path)
    back, _ = _round_trip(song, fmt, tmp_path)
    assert timeline(back) == timeline(song), text


# -- the command -------------------------------------------------------------------------------------
def test_export_writes_beside_the_song_or_where_told(tmp_path, capsys):
    song = tmp_path / "tune.song"
    song.write_text((ROOT / "specs" / "jazz_ballad.song").read_text())
    assert main(["export", str(song), "--to", "musicxml"]) == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / 'tune.musicxml'}\n"
    assert main(["import", str(tmp_path / "tune.musicxml"), "-o", str(tmp_path / "back")]) == 0
    capsys.readouterr()
    assert main(["export", str(song), "--to", "ireal", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("irealb://")
    assert main(["export", str(song), "--to", "chordpro", "-o", str(tmp_path / "t.cho")]) == 0
    assert (tmp_path / "t.cho").read_text().startswith("{title: Quiet Hours}")


def test_a_song_that_does_not_check_or_cannot_be_written_gets_a_diagnostic(tmp_path, capsys):
    bad = tmp_path / "bad.song"
    bad.write_text("style jazz.swing\nsection A\n  | Hm7 |\n")
    assert main(["export", str(bad), "--to", "chordpro"]) == 1
    assert "error[E020]" in capsys.readouterr().err and not (tmp_path / "bad.cho").exists()
    odd = tmp_path / "odd.song"
    odd.write_text("time 9/4\nstyle jazz.swing\nsection A\n  | C |\n")
    assert main(["export", str(odd), "--to", "ireal"]) == 1
    err = capsys.readouterr().err
    assert f"{odd}:4:5: error[E211]" in err and "9/4" in err and "Traceback" not in err  # at the section's first chord


@pytest.mark.parametrize("bars, line, col, what", [
    ("  | C | F |\nsection B time 9/4\n  | F . . . . . . . G7 |\n", 6, 5, "no 9/4 time"),  # B's first chord
    ("  | C | F7 . Cdim(maj7) . |\n", 4, 14, "`Cdim(maj7)` has no iReal Pro spelling"),     # at the chord
])
def test_what_an_ireal_chart_cannot_hold_is_shown_where_the_song_writes_it(bars, line, col, what, tmp_path, capsys):
    song = tmp_path / "odd.song"
    song.write_text(f"title \"Odd\"\nstyle jazz.swing\nsection A\n{bars}")
    assert main(["export", str(song), "--to", "ireal"]) == 1
    err = capsys.readouterr().err
    assert f"{song}:{line}:{col}: error[E211]" in err and what in err, err
    assert not (tmp_path / "odd.txt").exists()


def test_the_melody_goes_out_and_comes_back(tmp_path):
    song, _, _ = compile_front(str(ROOT / "specs" / "saints_melody.song"))
    back, text = _round_trip(song, "musicxml", tmp_path)
    assert "<pitch>" in text
    original = lead_sheet(song)
    again = lead_sheet(back)
    notes = lambda sheet: [(n.pitch, n.length) for block, times in sheet.visits for _ in range(times)
                           for bar in block.bars for n in bar.melody]
    assert notes(again) == notes(original) and notes(original)


def test_export_never_writes_over_the_song_and_asks_before_overwriting(tmp_path, capsys):
    song = tmp_path / "tune.song"
    text = (ROOT / "specs" / "jazz_ballad.song").read_text()
    song.write_text(text)
    assert main(["export", str(song), "--to", "chordpro", "-o", str(song)]) == 2
    assert "will not write the lead sheet over" in capsys.readouterr().err
    other = tmp_path / "other.song"
    other.write_text("kept")
    assert main(["export", str(song), "--to", "chordpro", "-o", str(other), "--force"]) == 2
    assert song.read_text() == text and other.read_text() == "kept"
    sheet = tmp_path / "tune.cho"
    sheet.write_text("my own notes")
    assert main(["export", str(song), "--to", "chordpro"]) == 2
    assert "exists; use --force" in capsys.readouterr().err and sheet.read_text() == "my own notes"
    assert main(["export", str(song), "--to", "chordpro", "--force"]) == 0
    assert sheet.read_text().startswith("{title: Quiet Hours}")
