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
    "jazz.five", "rock.seven", "blues.slow128", "jazz.six",
)

# A short chart per meter: a slash chord and a bar holding two chords in each.
SMOKE_BARS = {
    "4/4": "| C | Am7/G | Dm7 G7 | C |",
    "3/4": "| C | Am7/G | Dm7 . G7 | C |",
    "6/8": "| C | Am7/G | Dm7 G7 | C |",
    "5/4": "| C | Am7/G | Dm7 . . G7 . | C |",
    "6/4": "| C | Am7/G | Dm7 . . G7 . . | C |",
    "7/8": "| C | Am7/G | Dm7 . . . G7 . . | C |",
    "12/8": "| C | Am7/G | Dm7 G7 | C |",
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


def test_style_list_is_exactly_the_documented_twenty_three():
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


# -- every style in minor and in major: intros and endings in the song's mode (issue 9) ---------------
Chord = tuple[int, tuple[int, ...]]  # (root pitch class, pitch classes)


def _styled_passes(name: str, meter: str, key: str, folder: Path) -> dict[str, list[Chord]]:
    """Build a song in `key` over the style (arranged, MIDI written); the chords of its intro and
    ending, from the timeline's chord marks."""
    from compiler.arrange import arrange
    from compiler.midi import to_midi
    from compiler.pitch import parse_note_name

    text = smoke_text(name, meter).replace("key C major", f"key {key}").replace("form intro A A ending",
                                                                               "form intro A ending")
    path = folder / f"{name}_{key.replace(' ', '_')}.song"
    path.write_text(text, encoding="utf-8")
    song = front_end(Source(str(path), text), Library()).song
    timeline = arrange(song)
    to_midi(timeline).save(str(folder / "song.mid"))
    found = {}
    for p in song.passes:
        if p.kind in ("intro", "ending"):
            bars = range(p.first_bar, p.first_bar + p.bar_count)
            found[p.kind] = [(parse_note_name(m.root)[1], m.pitch_classes) for m in timeline.chords
                             if m.bar in bars and m.root is not None]
    return found


G, D, B_FLAT = 7, 2, 10  # G minor: its tonic, its dominant's root, its relative major


def _tonic_minor(chord: Chord) -> bool:
    root, pcs = chord
    return root == G and (G + 3) % 12 in pcs and (G + 4) % 12 not in pcs and (G + 7) % 12 in pcs


def _dominant_seventh(chord: Chord) -> bool:
    """V7 of G minor (a b9 allowed): D F# A C, no F (the minor 3rd) and no sus."""
    root, pcs = chord
    return root == D and {6, 0} <= set(pcs) and 5 not in pcs and 7 not in pcs


@pytest.mark.parametrize("name", STYLES)
def test_a_minor_song_starts_and_ends_on_the_tonic_minor(name, meters, tmp_path):
    chords = _styled_passes(name, meters[name], "G minor", tmp_path)
    intro, ending = chords["intro"], chords["ending"]
    assert _tonic_minor(intro[0]), f"{name}: the intro starts on {intro[0]}"
    assert _dominant_seventh(intro[-1]), f"{name}: the intro ends on {intro[-1]}, not V7"
    assert ending[0][0] != G, f"{name}: the ending starts on the tonic {ending[0]}"
    assert _tonic_minor(ending[-1]), f"{name}: the ending ends on {ending[-1]}"
    for root, pcs in intro + ending:  # never the relative major's I, never a major chord on the tonic
        assert not (root == B_FLAT and D in pcs), f"{name}: {pcs} is the relative major's tonic"
        assert not (root == G and 11 in pcs), f"{name}: {pcs} has a major 3rd over the tonic"


@pytest.mark.parametrize("name", STYLES)
def test_a_major_song_keeps_its_major_intro_and_ending(name, meters, tmp_path):
    chords = _styled_passes(name, meters[name], "C major", tmp_path)
    intro, ending = chords["intro"], chords["ending"]
    assert intro[0][0] in (0, 2, 4, 5, 7, 9, 11), f"{name}: the intro starts off the C major scale: {intro[0]}"
    assert intro[-1][0] in (7, 5), f"{name}: the intro ends on {intro[-1]}, not a V or IV"
    assert ending[-1][0] == 0 and 4 in ending[-1][1] and 3 not in ending[-1][1], f"{name}: ends on {ending[-1]}"


@pytest.mark.parametrize("mode, form", [("dorian", "minor"), ("phrygian", "minor"), ("mixolydian", "major"),
                                         ("lydian", "major"), ("harmonic_minor", "minor")])
def test_a_mode_takes_the_nearer_form(mode, form, tmp_path):
    ending = _styled_passes("jazz.swing", "4/4", f"G {mode}", tmp_path)["ending"]
    assert ((G + 3) % 12 in ending[-1][1]) == (form == "minor"), ending


def test_a_style_without_a_minor_form_plays_its_major_one_in_minor(tmp_path):
    (tmp_path / "styles.song").write_text(
        'style my.plain "one form"\n  track piano acoustic_grand role comp pattern hold\n'
        "  pattern hold comp\n    comp | x - - - |\n  section intro\n    | I | V7 |\n"
        "  section ending\n    | V7 | I |\n", encoding="utf-8")
    text = 'use "styles.song"\nstyle my.plain\nkey A minor\nsection A\n  | i | V7 |\nform intro A ending\n'
    path = tmp_path / "s.song"
    path.write_text(text, encoding="utf-8")
    song = front_end(Source(str(path), text), Library()).song
    assert [bar.slots[0].chord.name for bar in song.bars] == ["A", "E7", "Am", "E7", "E7", "A"]
