"""The bundled style library (stdlib/*.song): every file parses, every style resolves in a smoke song,
each style is complete (description, energy levels, fill, intro, ending), and `song styles` lists them."""

from __future__ import annotations

from pathlib import Path

import mido
import pytest

from compiler import ir
from compiler.library import Library
from compiler.parse import parse
from compiler.pipeline import front_end
from compiler.resolve.patterns import STEP_ALPHABETS
from compiler.source import Source

STYLES = (
    "jazz.swing", "jazz.uptempo", "jazz.ballad", "jazz.waltz", "jazz.even8",
    "latin.bossa", "latin.samba", "latin.afro",
    "funk.groove", "blues.shuffle", "pop.eighths", "pop.ballad", "rock.straight",
    "country.twobeat", "reggae.onedrop", "soul.ballad68", "edm.house", "hiphop.lofi", "folk.fingerpick",
)

# A short chart per meter: a slash chord and a bar holding two chords in each.
SMOKE_BARS = {
    "4/4": "| C | Am7/G | Dm7 G7 | C |",
    "3/4": "| C | Am7/G | Dm7 . G7 | C |",
    "6/8": "| C | Am7/G | Dm7 G7 | C |",
}


def _style_meters() -> dict[str, str]:
    """Each stdlib style's meter, read by resolving it through a minimal song (no smoke song needed)."""
    return {name: str(_style(name).meter) for name in STYLES}


def _style(name: str) -> ir.StyleDef:
    text = f'title "t"\nstyle {name}\nsection A\n  | C |\n'
    return front_end(Source(f"{name}.song", text), Library()).song.style


def smoke_text(name: str, meter: str) -> str:
    return (f'title "Smoke {name}"\n'
            "key C major\n"
            f"time {meter}\n"
            f"style {name}\n"
            "section A\n"
            f"  {SMOKE_BARS[meter]}\n"
            "form intro A A ending\n"
            "arrange\n"
            "  A mp\n"
            "  last A f fill\n")


@pytest.fixture(scope="module")
def meters() -> dict[str, str]:
    return _style_meters()


def smoke_song(name: str, meter: str, folder: Path) -> ir.Song:
    path = folder / f"smoke_{name.replace('.', '_')}.song"
    text = smoke_text(name, meter)
    path.write_text(text, encoding="utf-8")
    return front_end(Source(str(path), text), Library()).song


# -- the files ------------------------------------------------------------------------------------
def test_every_stdlib_file_parses():
    files = Library().stdlib_files()
    assert files, "no stdlib/*.song files found"
    for path in files:
        tree = parse(Source.read(path))  # raises ParseError with diagnostics on a syntax error
        assert tree.statements, f"{path.name} defines nothing"


def test_style_list_is_exactly_the_documented_nineteen():
    names = [name for name, _, _ in Library().stdlib_styles()]
    assert sorted(names) == sorted(STYLES)
    assert len(names) == len(set(names)), "a style is defined twice"


def test_each_style_lives_in_its_family_file():
    for name, _, path in Library().stdlib_styles():
        assert path.stem == name.split(".")[0]


# -- each style resolves in a one-chorus smoke song ------------------------------------------------
@pytest.mark.parametrize("name", STYLES)
def test_style_resolves_in_a_smoke_song(name, meters, tmp_path):
    song = smoke_song(name, meters[name], tmp_path)
    assert song.style.name == name
    kinds = [p.kind for p in song.passes]
    assert kinds[0] == "intro" and kinds[-1] == "ending"
    assert str(song.meter) == str(song.style.meter) == meters[name]


@pytest.mark.parametrize("name", STYLES)
def test_style_is_complete(name):
    style = _style(name)
    assert style.description.strip(), f"{name} has no description"
    assert style.meter is not None and style.tempo > 0
    assert 3 <= len(style.tracks) <= 5, f"{name} has {len(style.tracks)} tracks; a band is 3 to 5"
    patterns = {p.name: p for p in style.patterns}
    for track in style.tracks:
        assert track.pattern in patterns, f"{name}: track {track.name} plays no style pattern"
        assert patterns[track.pattern].role == track.role
    drums = [patterns[t.pattern] for t in style.tracks if t.role == "drums"]
    assert len(drums) == 1, f"{name} needs exactly one drum track"
    kit = drums[0]
    assert all(level is not None and level.lanes for level in kit.levels), f"{name}: drums need levels 1, 2 and 3"
    assert kit.fill is not None and kit.fill.lanes, f"{name}: the drum pattern needs a fill"
    assert style.intro is not None and 2 <= len(style.intro.bars) <= 4, f"{name}: intro of 2-4 bars"
    assert style.ending is not None and 1 <= len(style.ending.bars) <= 4, f"{name}: ending of 1-4 bars"


@pytest.mark.parametrize("name", STYLES)
def test_style_ending_lands_on_the_tonic(name):
    style = _style(name)  # read in C major
    last = style.ending.bars[-1].slots[-1].chord
    assert last.root == "C", f"{name} ends on {last.symbol}"


@pytest.mark.parametrize("name", STYLES)
def test_lanes_use_their_roles_alphabet(name):
    for pattern in _style(name).patterns:
        alphabet = set(STEP_ALPHABETS[pattern.role])
        parts = [*(level for level in pattern.levels if level is not None), *([pattern.fill] if pattern.fill else [])]
        for part in parts:
            for lane in part.lanes:
                if pattern.role != "drums":
                    assert lane.name == pattern.role
                for bar in lane.steps:
                    assert set(bar) <= alphabet, f"{name}/{pattern.name}/{lane.name}: {bar}"


# -- arranged and written as MIDI (runs once the arrangement engine exists) ------------------------
@pytest.mark.parametrize("name", STYLES)
def test_style_arranges_to_midi_with_notes_on_every_track(name, meters, tmp_path):
    arrange_module = pytest.importorskip("compiler.arrange")
    if not hasattr(arrange_module, "arrange"):
        pytest.skip("compiler.arrange has no arrange(song) yet")
    from compiler.midi import to_midi

    song = smoke_song(name, meters[name], tmp_path)
    timeline = arrange_module.arrange(song)
    midi_file = to_midi(timeline)
    buffer_path = tmp_path / "smoke.mid"
    midi_file.save(str(buffer_path))
    reread = mido.MidiFile(str(buffer_path))
    notes_by_track: dict[str, int] = {}
    for track in reread.tracks[1:]:
        track_name = next((m.name for m in track if m.type == "track_name"), "")
        notes_by_track[track_name] = sum(1 for m in track if m.type == "note_on" and m.velocity > 0)
    for track in song.tracks:
        if track.muted or track.pattern is None:
            continue
        assert notes_by_track.get(track.name, 0) > 0, f"{name}: track {track.name} played nothing"


# -- the CLI -----------------------------------------------------------------------------------------
def test_song_styles_lists_every_style_with_its_description(capsys):
    from compiler.cli import main

    assert main(["styles"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for name, description, _ in Library().stdlib_styles():
        assert name in lines, f"`song styles` does not list {name}"
        assert description in lines[name]
    assert set(lines) == set(STYLES)
