"""Lean builds (issue 11, Deliver 7): the up-to-date check, the pruned cache, FLAC stems and `song clean`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import soundfile

from compiler.cli import main
from compiler.outputs import MANIFEST

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
needs_soundfont = pytest.mark.skipif(not SOUNDFONT.exists(), reason="FluidR3_GM not installed")
STYLE = (ROOT := Path(__file__).resolve().parent.parent) / "stdlib" / "pop.song"
TINY = 'title "Tiny"\nuse "mine.song"\nstyle mine.eighths\ntempo 160\nsection A\n  | C | F | G | C |\n'


def _song(folder: Path) -> Path:
    """A song whose style is a copy of pop.eighths in a file it `use`s, so a test can change the style."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mine.song").write_text(STYLE.read_text(encoding="utf-8").replace("style pop.", "style mine."),
                                      encoding="utf-8")
    (folder / "tiny.song").write_text(TINY, encoding="utf-8")
    return folder / "tiny.song"


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`, the cache and the manifest included, by size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(capsys, song: Path, out: Path, *options: str) -> str:
    capsys.readouterr()
    assert main(["build", str(song), "-o", str(out), "--quiet", *options]) == 0
    return capsys.readouterr().out.strip()


@needs_soundfont
def test_an_unchanged_rebuild_writes_nothing(tmp_path, capsys):
    song, out = _song(tmp_path), tmp_path / "o"
    assert _build(capsys, song, out) == f"wrote {out}/"
    before = _stamps(out)
    assert _build(capsys, song, out) == f"{out}/ is up to date: nothing written"
    assert _stamps(out) == before


@needs_soundfont
@pytest.mark.parametrize("change", ["style file", "option", "deleted output", "edited stem"])
def test_a_change_to_anything_the_build_read_or_wrote_builds_again(tmp_path, capsys, change):
    song, out = _song(tmp_path), tmp_path / "o"
    _build(capsys, song, out)
    options: tuple[str, ...] = ()
    if change == "style file":
        style = tmp_path / "mine.song"
        style.write_text(style.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
    elif change == "option":
        options = ("--mute", "piano")
    elif change == "deleted output":
        (out / "report.html").unlink()
    else:
        with open(out / "stems" / "bass.flac", "r+b") as daw:
            daw.seek(5000)
            daw.write(b"\x11" * 64)
    assert _build(capsys, song, out, *options) == f"wrote {out}/"
    assert _build(capsys, song, out, *options).endswith("is up to date: nothing written")


@needs_soundfont
def test_a_changed_soundfont_builds_again_and_a_touched_one_does_not(tmp_path, capsys):
    song, out = _song(tmp_path), tmp_path / "o"
    font = tmp_path / "font.sf2"
    shutil.copyfile(SOUNDFONT, font)
    _build(capsys, song, out, "--soundfont", str(font))
    font.touch()  # the same bytes: its hash is read again and matches
    assert _build(capsys, song, out, "--soundfont", str(font)).endswith("is up to date: nothing written")
    with open(font, "r+b") as edit:  # a byte of sample data (the smpl chunk is most of the file)
        edit.seek(font.stat().st_size // 2)
        byte = edit.read(1)
        edit.seek(-1, 1)
        edit.write(bytes([byte[0] ^ 1]))
    assert _build(capsys, song, out, "--soundfont", str(font)) == f"wrote {out}/"


@needs_soundfont
def test_the_cache_holds_only_what_the_current_outputs_need(tmp_path, capsys):
    song, out = _song(tmp_path), tmp_path / "o"
    _build(capsys, song, out)
    _build(capsys, song, out, "--format", "flac")  # the master changes: the mix comes from the cache
    _build(capsys, song, out, "--mute", "piano")  # a new mix
    mixes = [p for p in (out / ".cache" / "mix").iterdir() if p.is_dir()]
    assert len(mixes) == 1 and not (mixes[0] / "files").exists()  # no copies of the stem files
    playing = len(list((out / "stems").glob("*.flac"))) - 1  # less the reverb return
    assert len(list((out / ".cache" / "stems").glob("*.npy"))) == playing


@needs_soundfont
def test_stems_are_flac_24_bit_by_default_and_float_wav_on_request(tmp_path, capsys):
    song = _song(tmp_path)
    _build(capsys, song, tmp_path / "flac")
    _build(capsys, song, tmp_path / "wav", "--stems", "wav32")
    flac = {p.stem: soundfile.info(p) for p in (tmp_path / "flac" / "stems").iterdir()}
    wav = {p.stem: soundfile.info(p) for p in (tmp_path / "wav" / "stems").iterdir()}
    assert set(flac) == set(wav) and "reverb" in flac
    assert {(i.format, i.subtype) for i in flac.values()} == {("FLAC", "PCM_24")}
    assert {(i.format, i.subtype) for i in wav.values()} == {("WAV", "FLOAT")}
    assert (tmp_path / "flac" / "master.wav").read_bytes() == (tmp_path / "wav" / "master.wav").read_bytes()
    assert sum(p.stat().st_size for p in (tmp_path / "flac" / "stems").iterdir()) < 0.5 * sum(
        p.stat().st_size for p in (tmp_path / "wav" / "stems").iterdir())


@needs_soundfont
def test_clean_deletes_what_builds_wrote_and_nothing_else(tmp_path, capsys):
    song, out = _song(tmp_path), tmp_path / "o"
    _build(capsys, song, out)
    (out / "notes.txt").write_text("mine")
    (out / "stems" / "take.wav").write_bytes(b"a take")
    assert main(["clean", "--cache", str(out)]) == 0
    assert not (out / ".cache").exists() and (out / "master.wav").is_file()
    assert _build(capsys, song, out) == f"wrote {out}/"  # the record of the last build went with the cache
    assert main(["clean", str(out)]) == 0
    left = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    assert left == ["notes.txt", "stems", "stems/take.wav"]
    assert "cleaned" in capsys.readouterr().out


def test_clean_refuses_a_folder_no_build_wrote(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert main(["clean", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert MANIFEST in err and "nothing deleted" in err and (tmp_path / "keep.txt").is_file()


def test_a_midi_only_build_is_up_to_date_too(tmp_path, capsys):
    song, out = _song(tmp_path), tmp_path / "o"
    _build(capsys, song, out, "--midi-only")
    before = _stamps(out)
    assert _build(capsys, song, out, "--midi-only").endswith("is up to date: nothing written")
    assert _stamps(out) == before
