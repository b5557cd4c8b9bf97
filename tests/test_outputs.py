"""The output contract (compiler/outputs.py), the cache that cannot lie, and `song fmt` in place.

One test per finding of issue 8's adversarial run; each failed before the fix (noted per test).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.cli import main
from compiler.outputs import default_out_dir, safe_name

ROOT = Path(__file__).resolve().parent.parent
TINY = "title \"Tiny\"\nstyle pop.eighths\ntempo 160\nsection A\n  | C | F | G | C |\n"


def _song(folder: Path, name: str = "tiny.song", text: str = TINY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def _hashes(folder: Path) -> dict[str, str]:
    """Every visible output file (not .cache or bookkeeping) by its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not any(part.startswith(".") for part in
                                                                             p.relative_to(folder).parts)}


def _build(*args: str) -> int:
    return main(["build", *args, "--quiet"])


def _not_up_to_date(out: Path) -> None:
    """Delete one output, so the next build of the same song runs (through its caches) instead of doing nothing."""
    (out / "report.html").unlink()


# -- where a build writes -------------------------------------------------------------------------
def test_default_out_dir_stays_inside_out_for_any_name():
    """Before: `..song` built into out/.. (the working folder) and deleted ./stems/*."""
    assert default_out_dir("..song") == Path("out/song")
    assert default_out_dir("dir/...song") == Path("out/song")
    assert default_out_dir("My Tune.song") == Path("out/My_Tune")
    assert safe_name("..", "x") == "x" and safe_name("a/b", "x") == "a_b"


def test_dot_dot_song_builds_into_out_song(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _song(tmp_path, "..song")
    (tmp_path / "song.mid").write_bytes(b"mine")
    assert _build("..song", "--midi-only") == 0
    assert (tmp_path / "song.mid").read_bytes() == b"mine"
    assert (tmp_path / "out" / "song" / "song.mid").is_file()


@pytest.mark.parametrize("layout", ["song-in-stems", "song-named-song.mid", "report.json-as-song"])
def test_an_output_folder_holding_the_song_is_refused(tmp_path, layout, capsys):
    """Before: `song build proj/stems/x.song -o proj` deleted the song; a song named song.mid was overwritten."""
    name = {"song-in-stems": "stems/x.song", "song-named-song.mid": "song.mid",
            "report.json-as-song": "report.json"}[layout]
    song = _song(tmp_path / "proj" / Path(name).parent, Path(name).name)
    before = song.read_bytes()
    assert _build(str(song), "-o", str(tmp_path / "proj"), "--midi-only") == 2
    err = capsys.readouterr().err
    assert "holds the song's source" in err and "-o out/" in err and len(err.splitlines()) == 1
    assert song.read_bytes() == before
    assert [p for p in (tmp_path / "proj").rglob("*") if p.is_file()] == [song]  # nothing written


def test_an_output_folder_holding_a_used_file_is_refused(tmp_path):
    styles = _song(tmp_path / "proj" / "lib", "styles.song", 'style my "mine"\n  time 4/4\n')
    song = _song(tmp_path / "proj", text='use "lib/styles.song"\n' + TINY)
    assert _build(str(song), "-o", str(tmp_path / "proj" / "lib"), "--midi-only") == 2
    assert styles.is_file()


def test_an_output_folder_inside_a_cache_is_refused(tmp_path):
    """Before: a build with -o X/.cache/mix was later pruned by a build of X."""
    song = _song(tmp_path)
    assert _build(str(song), "-o", str(tmp_path / "X" / ".cache" / "mix"), "--midi-only") == 2
    assert not (tmp_path / "X").exists()


def test_a_build_deletes_only_files_it_wrote(tmp_path):
    """Before: a full build deleted every non-hidden file in <out>/stems/ (a user's vocal_take.wav)."""
    song, out = _song(tmp_path), tmp_path / "o"
    assert _build(str(song), "-o", str(out)) == 0
    written = sorted(p.name for p in (out / "stems").iterdir())
    (out / "stems" / "vocal_take.wav").write_bytes(b"a take")
    (out / "notes.txt").write_text("keep")
    assert _build(str(song), "-o", str(out), "--solo", "bass") == 0
    assert sorted(p.name for p in (out / "stems").iterdir()) == ["bass.flac", "vocal_take.wav"]
    assert (out / "stems" / "vocal_take.wav").read_bytes() == b"a take" and (out / "notes.txt").is_file()
    assert len(written) > 1
    manifest = json.loads((out / ".songspec-manifest.json").read_text())["written"]
    assert "stems/bass.flac" in manifest and "stems/vocal_take.wav" not in manifest


def test_a_format_change_removes_the_old_master(tmp_path):
    song, out = _song(tmp_path), tmp_path / "o"
    assert _build(str(song), "-o", str(out)) == 0
    assert _build(str(song), "-o", str(out), "--format", "flac") == 0
    assert (out / "master.flac").is_file() and not (out / "master.wav").exists()


@pytest.mark.parametrize("names", [("lead#", "lead+"), ("Bass2", "bass2"), ("click",), ("Reverb",)])
def test_tracks_sharing_a_stem_file_are_a_diagnostic(tmp_path, names, capsys):
    """Before: `lead#`, `lead+` and `lead_4` all went to one stem file and one was lost."""
    tracks = "".join(f"track {name} alto_sax\n" for name in names)
    song = _song(tmp_path, text=TINY + tracks)
    assert main(["check", str(song)]) == 1
    assert "error[E091]" in capsys.readouterr().err


# -- the cache ------------------------------------------------------------------------------------
def test_stems_are_copies_a_daw_cannot_corrupt_the_cache_through(tmp_path):
    """Before: stems were hard links into the cache; an in-place edit corrupted it and came back on rebuild."""
    song, out = _song(tmp_path), tmp_path / "o"
    assert _build(str(song), "-o", str(out)) == 0
    clean = _hashes(out)
    stem = out / "stems" / "bass.flac"
    assert stem.stat().st_nlink == 1
    with open(stem, "r+b") as daw:  # an editor writing into the file it opened
        daw.seek(1000)
        daw.write(b"\x7f" * 4000)
    assert _build(str(song), "-o", str(out)) == 0
    assert _hashes(out) == clean


def test_cached_rebuilds_leak_no_part_files_and_keep_report_keys(tmp_path):
    """Before: each cached rebuild left a .part hard link per stem; report.json's stems[] keys changed order."""
    song, out = _song(tmp_path), tmp_path / "o"
    assert _build(str(song), "-o", str(out)) == 0
    clean = _hashes(out)
    for _ in range(2):
        assert _build(str(song), "-o", str(out)) == 0
    assert not [p for p in out.rglob("*") if p.name.endswith(".part") or ".staging-" in str(p)]
    assert _hashes(out) == clean


@pytest.mark.parametrize("damage", ["truncate", "random"])
def test_a_damaged_cache_is_reported_in_one_line_and_rebuilt(tmp_path, damage, capsys):
    """Before: exit 3 on every rebuild, or silently wrong audio (peak_dbfs 688.86) when the mix was redone."""
    song, out = _song(tmp_path), tmp_path / "o"
    assert _build(str(song), "-o", str(out)) == 0
    clean = _hashes(out)
    damaged = [*sorted((out / ".cache" / "stems").glob("*.npy"))[:1], *sorted((out / ".cache" / "mix").rglob("*.npy"))]
    for path in damaged:
        size = path.stat().st_size
        if damage == "truncate":
            os.truncate(path, size // 2)
        else:
            path.write_bytes(os.urandom(size))
    _not_up_to_date(out)
    capsys.readouterr()
    assert _build(str(song), "-o", str(out)) == 0
    err = capsys.readouterr().err
    assert "damaged" in err and "Traceback" not in err and all(line.startswith("song: ") for line in err.splitlines())
    assert _hashes(out) == clean


def test_a_cached_stem_damaged_inside_is_caught_before_it_is_mixed(tmp_path, capsys):
    """Same length, header intact, samples overwritten: found by its checksum when the stems are mixed."""
    import shutil

    song, out = _song(tmp_path), tmp_path / "o"
    assert _build(str(song), "-o", str(out)) == 0
    clean = _hashes(out)
    stem = sorted((out / ".cache" / "stems").glob("*.npy"))[0]
    with open(stem, "r+b") as cached:
        cached.seek(stem.stat().st_size // 2)
        cached.write(b"\x7f" * 4096)
    shutil.rmtree(out / ".cache" / "mix")  # so the stems are mixed again
    _not_up_to_date(out)
    capsys.readouterr()
    assert _build(str(song), "-o", str(out)) == 0
    assert "the cached stem" in capsys.readouterr().err
    assert _hashes(out) == clean


def test_report_source_does_not_depend_on_how_the_path_was_typed(tmp_path, monkeypatch):
    """Before: report.json stored `source` as typed (relative and absolute paths differed)."""
    monkeypatch.chdir(tmp_path)
    song = _song(tmp_path)
    assert _build("tiny.song", "-o", "a", "--midi-only") == 0
    assert _build(str(song), "-o", str(tmp_path / "b"), "--midi-only") == 0
    assert (tmp_path / "a" / "report.json").read_bytes() == (tmp_path / "b" / "report.json").read_bytes()


def test_the_users_blas_settings_do_not_change_the_audio(tmp_path):
    """Before: OPENBLAS_NUM_THREADS=2 or OPENBLAS_CORETYPE=Prescott changed master and stem bytes (setdefault)."""
    song = _song(tmp_path)
    results = []
    for name, extra in (("plain", {}), ("threads", {"OPENBLAS_NUM_THREADS": "2", "OPENBLAS_CORETYPE": "Prescott"})):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS")} | extra
        subprocess.run([sys.executable, "-m", "compiler", "build", str(song), "-o", str(tmp_path / name), "--quiet"],
                       check=True, env=env, cwd=ROOT, capture_output=True)
        results.append(_hashes(tmp_path / name))
    assert results[0] == results[1]


# -- song fmt in place ------------------------------------------------------------------------------
MESSY = "tempo   120\nsection A\n  |C|F|\n"


def test_fmt_writes_through_a_symlink_and_keeps_hard_links_and_mode(tmp_path):
    """Before: fmt replaced the symlink with a file, broke hard links and reset mode 640 to 644."""
    target = _song(tmp_path / "real", "tune.song", MESSY)
    os.chmod(target, 0o640)
    link = tmp_path / "link.song"
    link.symlink_to(target)
    hard = tmp_path / "hard.song"
    os.link(target, hard)
    assert main(["fmt", str(link)]) == 0
    assert link.is_symlink() and target.read_text() != MESSY
    assert hard.read_text() == target.read_text() and os.path.samefile(hard, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["tune.song"]  # no backup left behind


def test_fmt_refuses_a_read_only_file_with_exit_2(tmp_path, capsys):
    """Before: exit 3 (an internal error) on a read-only file."""
    song = _song(tmp_path, text=MESSY)
    os.chmod(song, 0o444)
    assert main(["fmt", str(song)]) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and len(err.splitlines()) == 1
    assert song.read_text() == MESSY


def test_leftovers_of_a_killed_build_are_removed_and_a_committed_one_finished(tmp_path):
    """Before: .part files of a SIGTERM'd or killed build stayed for good."""
    from compiler.outputs import JOURNAL, STAGING_PREFIX

    song, out = _song(tmp_path), tmp_path / "o"
    assert _build(str(song), "-o", str(out), "--midi-only") == 0
    dead = 2**30  # no process has this id
    parts = [out / f".song.mid.{dead}.1.0.part", out / ".cache" / f".x.npy.{dead}.1.2.part"]
    for part in parts:
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(b"half")
    committed = out / f"{STAGING_PREFIX}{dead}"
    committed.mkdir()
    (committed / "notes.txt").write_text("not an output")  # a journal names only what the build wrote
    (committed / JOURNAL).write_text(json.dumps({"written": [], "audio": False}))
    uncommitted = out / f"{STAGING_PREFIX}{dead + 1}"
    (uncommitted / "stems").mkdir(parents=True)
    assert _build(str(song), "-o", str(out), "--midi-only") == 0
    assert not any(part.exists() for part in parts) and not committed.exists() and not uncommitted.exists()
    assert not (out / "notes.txt").exists()
