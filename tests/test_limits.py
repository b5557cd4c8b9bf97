"""Limits (compiler/limits.py), safe reads, exit-3 cases made diagnostics, and clean messages.

One test per finding of issue 8's adversarial run; each failed before the fix (exit 3, a hang, an
unbounded build, or a raw or endless message), as noted per test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from compiler.cli import main

TINY = "style pop.eighths\nsection A\n  | C | F |\n"


def _file(folder: Path, text: str | bytes, name: str = "song.song") -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def _codes(capsys) -> list[str]:
    return [line.split("[", 1)[1].split("]", 1)[0] for line in capsys.readouterr().err.splitlines()
            if ": error[" in line or ": warning[" in line]


# -- unbounded work ---------------------------------------------------------------------------------
@pytest.mark.parametrize("form, code", [("((((((A) x64) x64) x64) x64) x64) x64", "E101"), ("(A x8) x8", None)])
def test_nested_repeats_are_counted_before_they_are_expanded(tmp_path, capsys, form, code):
    """Before: the first form grew at ~400 MB/s until killed. 8 x 8 passes of 2 bars is 128: allowed."""
    song = _file(tmp_path, TINY + f"form {form}\n")
    assert main(["check", str(song)]) == (1 if code else 0)
    assert _codes(capsys) == ([code] if code else [])


def test_a_use_diamond_reads_each_file_once(tmp_path, capsys):
    """Before: each file `use`d the next twice and the work doubled per level (2^30 here)."""
    for level in range(30):
        _file(tmp_path, f'use "f{level + 1}.song"\nuse "f{level + 1}.song"\nstyle s{level} "x"\n  time 4/4\n',
              f"f{level}.song")
    _file(tmp_path, 'style s30 "x"\n  time 4/4\n', "f30.song")
    song = _file(tmp_path, 'use "f0.song"\n' + TINY)
    assert main(["check", str(song)]) == 1
    assert set(_codes(capsys)) == {"E103"}  # 30 deep: over the chain limit, reported where it is crossed


def test_a_use_chain_of_500_is_a_diagnostic_not_a_recursion_error(tmp_path, capsys):
    """Before: a `use` chain deeper than ~450 was RecursionError (exit 3)."""
    for level in range(500):
        _file(tmp_path, f'use "f{level + 1}.song"\n', f"f{level}.song")
    _file(tmp_path, "", "f500.song")
    song = _file(tmp_path, 'use "f0.song"\n' + TINY)
    assert main(["check", str(song)]) == 1
    assert _codes(capsys) == ["E103"]


def test_a_slow_tempo_over_many_bars_is_too_long_not_a_memory_error(tmp_path, capsys):
    """Before: `tempo 20` with 4,000 bars was a MemoryError (exit 3) in the build."""
    song = _file(tmp_path, "tempo 20\nsection A\n  " + "| C " * 4000 + "|\n")
    assert main(["build", str(song), "-o", str(tmp_path / "o"), "--quiet"]) == 1
    assert _codes(capsys) == ["E104"]
    assert not (tmp_path / "o").exists()


def test_a_thousand_tracks_are_refused_before_anything_is_rendered(tmp_path, capsys):
    """Before: 1,000 tracks in a 4-second song wrote 3.7 GB of stems."""
    tracks = "".join(f"track t{n} acoustic_grand\n" for n in range(1000))
    song = _file(tmp_path, TINY + tracks)
    assert main(["build", str(song), "-o", str(tmp_path / "o"), "--quiet"]) == 1
    assert _codes(capsys) == ["E102"]


def test_count_in_is_bounded(tmp_path, capsys):
    """Before: `--count-in` took any number (a million bars of clicks)."""
    song = _file(tmp_path, TINY)
    assert main(["build", str(song), "--count-in", "1000000", "--midi-only", "-o", str(tmp_path / "o")]) == 2
    assert "from 0 to 16" in capsys.readouterr().err


def test_a_huge_or_endless_file_is_read_no_further_than_the_limit(tmp_path, capsys):
    """Before: `song check /dev/urandom` took 3.4 GB."""
    assert main(["check", "/dev/urandom"]) == 2
    assert "larger than 1,000,000 bytes" in capsys.readouterr().err
    big = _file(tmp_path, TINY + "# " + "x" * 1_100_000 + "\n")
    assert main(["check", str(big)]) == 2


def test_100k_bars_are_a_diagnostic(tmp_path, capsys):
    """Before: 100k bars took 23 s to check and then built; now the bar limit stops them (E101)."""
    song = _file(tmp_path, "section A\n" + "  | C | C | C | C |\n" * 25_000)
    assert main(["check", str(song)]) == 1
    assert "E101" in _codes(capsys)


# -- exit 3 where 1 or 2 is due ------------------------------------------------------------------------
@pytest.mark.parametrize("text, code", [
    ("  section A\n    | C |\n  pattern p x\n", "E003"),       # before: DedentError
    ("tempo " + "9" * 5000 + "\nsection A\n  | C |\n", "E100"),  # before: ValueError (int digits limit)
    ("tempo 1e309\nsection A\n  | C |\n", "E012"),
    ('title "' + "t" * 10_000_000 + '"\nsection A\n  | C |\n', None),  # over 1 MB: exit 2, see above
])
def test_malformed_files_are_diagnostics(tmp_path, capsys, text, code):
    song = _file(tmp_path, text)
    status = main(["check", str(song)])
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    assert status == (2 if code is None else 1)
    if code:
        assert f"[{code}]" in err
    assert len(err) < 5000  # a 10 MB token is not echoed


def test_a_used_file_that_is_not_utf8_is_a_diagnostic(tmp_path, capsys):
    """Before: UnicodeDecodeError (exit 3)."""
    _file(tmp_path, b'style s "\xff\xfe"\n', "styles.song")
    song = _file(tmp_path, 'use "styles.song"\n' + TINY)
    assert main(["check", str(song)]) == 1
    err = capsys.readouterr().err
    assert "[E060]" in err and "UTF-8" in err


def test_fmt_on_a_broken_string_is_a_diagnostic(tmp_path, capsys):
    """Before: exit 3. It parses (as the chords `"a` and `b`, which `song check` reports), so fmt lays it out."""
    song = _file(tmp_path, 'section A\n  | "a | b |\n')
    assert main(["fmt", str(song)]) == 0
    assert "internal error" not in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["truncated midi", "bad json", "a list", "missing keys"])
def test_analyze_validates_its_inputs(tmp_path, capsys, damage):
    """Before: truncated MIDI or a malformed report.json was EOFError / JSONDecodeError / KeyError (exit 3)."""
    song = _file(tmp_path, TINY)
    out = tmp_path / "o"
    assert main(["build", str(song), "-o", str(out), "--midi-only", "--quiet"]) == 0
    if damage == "truncated midi":
        (out / "song.mid").write_bytes((out / "song.mid").read_bytes()[:300])
    else:
        (out / "report.json").write_text({"bad json": '{"x": 1', "a list": "[]", "missing keys": '{"chords": 5}'}[damage])
    capsys.readouterr()
    assert main(["analyze", str(out / "song.mid")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "internal error" not in err


# -- reads it should not -----------------------------------------------------------------------------
def test_a_song_may_not_name_a_soundfont_outside_its_folder(tmp_path, capsys):
    """Before: `soundfont "/etc/shadow"` was opened and its SHA-256 written to .cache/soundfonts/."""
    _file(tmp_path, b"RIFF\x00\x00\x00\x00sfbk", "outside.sf2")
    (tmp_path / "proj").mkdir()
    for name in ("/etc/shadow", "../outside.sf2"):
        song = _file(tmp_path / "proj", f'soundfont "{name}"\n' + TINY)
        assert main(["build", str(song), "-o", str(tmp_path / "o"), "--quiet"]) == 1
        assert _codes(capsys) == ["E092"]
    assert not list(tmp_path.rglob("*.sha256"))


@pytest.mark.parametrize("kind", ["fifo", "device", "random"])
def test_a_soundfont_that_is_not_a_regular_sf2_file_is_refused_at_once(tmp_path, capsys, kind):
    """Before: a FIFO hung forever; devices were opened before the is_file check; a corrupt file printed
    ~16 lines of FluidSynth/libinstpatch output before the error."""
    if kind == "fifo":
        font = tmp_path / "fifo.sf2"
        os.mkfifo(font)
    elif kind == "device":
        font = Path("/dev/zero")
    else:
        font = _file(tmp_path, os.urandom(4096), "random.sf2")
    song = _file(tmp_path, TINY)
    assert main(["build", str(song), "-o", str(tmp_path / "o"), "--quiet", "--soundfont", str(font)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and ("not a regular file" in err or "not a SoundFont" in err)


# -- messages ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x0c", "\u2028", "\ufeff"])
def test_control_characters_are_never_echoed_raw(tmp_path, capsys, char):
    song = _file(tmp_path, f"section A\n  | C {char}x |\n")
    main(["check", str(song)])
    err = capsys.readouterr().err
    assert char not in err


def test_an_out_of_range_number_is_shown_as_written(tmp_path, capsys):
    """Before: `humanize 100.0000000000000000000000000001%` said "100 is out of range"."""
    song = _file(tmp_path, "humanize 100.0000000000000000000000000001%\n" + TINY)
    assert main(["check", str(song)]) == 1
    assert "100.0000000000000000000000000001% is out of range" in capsys.readouterr().err


@pytest.mark.parametrize("key", ["", "C major extra"])
def test_practice_keys_that_are_not_keys_are_usage_errors(tmp_path, capsys, key):
    """Before: `--key ''` said "list index out of range"; `--key 'C major extra'` was accepted."""
    song = _file(tmp_path, TINY)
    assert main(["build", str(song), "--key", key, "--midi-only", "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "write e.g. --key" in err and "index" not in err


def test_an_empty_file_builds_midi_and_reports_without_a_master_of_no_samples(tmp_path, capsys):
    """Before: an empty file built a 0-sample master.wav."""
    song = _file(tmp_path, "")
    assert main(["build", str(song), "-o", str(tmp_path / "o"), "--quiet"]) == 0
    assert "W003" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "o").iterdir() if not p.name.startswith(".")) == \
        ["report.html", "report.json", "song.mid"]
    assert json.loads((tmp_path / "o" / "report.json").read_text())["bars"] == 0


@pytest.mark.skipif(not Path("/usr/share/sounds/sf2/FluidR3_GM.sf2").exists(), reason="needs fluid-soundfont-gm")
def test_a_damaged_soundfont_is_one_line_without_fluidsynths_own_output(tmp_path, capfd):
    """Before: ~16 lines of FluidSynth and libinstpatch CRITICAL output came before the one-line error."""
    with open("/usr/share/sounds/sf2/FluidR3_GM.sf2", "rb") as real:
        font = _file(tmp_path, real.read(4096), "cut.sf2")  # a valid header, then nothing
    song = _file(tmp_path, TINY)
    assert main(["build", str(song), "-o", str(tmp_path / "o"), "--quiet", "--soundfont", str(font)]) == 1
    err = capfd.readouterr().err
    assert len(err.splitlines()) == 1 and "could not load the SoundFont" in err and "CRITICAL" not in err
