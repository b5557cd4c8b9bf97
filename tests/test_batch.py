"""`song batch`: a manifest of songs × keys × tempos builds the files `song build` builds, byte for byte,
in the process pool and on a Dask LocalCluster; a broken song fails alone; a re-run renders nothing."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.batch import BATCH_CODES
from compiler.batch.command import plan
from compiler.cli import blas_environment, main
from compiler.explain import explanations
from compiler.source import Source

from conftest import ROOT

MATRIX_SPECS = ("bossa_nova", "funk_vamp", "medium_swing")

TINY = """title "Tiny"
tempo 180
key C
style pop.eighths
seed 3
section A
  | C | F | G7 | C |
form A
"""

BROKEN = """title "Broken"
tempo 120
key C
section A
  | C | Hmaj7 |
form A
"""


def _manifest(folder: Path, text: str) -> Path:
    path = folder / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _matrix(folder: Path) -> Path:
    songs = ", ".join(f'"{ROOT / "specs" / name}.song"' for name in MATRIX_SPECS)
    return _manifest(folder, "".join(f"""
[[job]]
song = {song}
keys = ["Bb", "D", "Eb"]
tempos = [96, "110%"]
midi_only = true
""" for song in songs.split(", ")))


def _files(folder: Path) -> dict[str, bytes]:
    """Every file a build wrote under `folder`, by relative path (the render caches left out)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".cache" not in p.relative_to(folder).parts}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def _single_builds_equal(jobs, tmp_path: Path) -> None:
    """Each job's folder holds the bytes `song build` writes with the job's options."""
    for job in jobs:
        alone = tmp_path / "alone" / job.name.replace("/", "_")
        args = job.build_command()
        args[args.index("-o") + 1] = str(alone)
        assert main(["build", *args, "--quiet"]) == 0
        assert _files(Path(job.out_dir)) == _files(alone), f"{job.name} differs from song build {' '.join(args)}"


def test_matrix_in_the_pool_is_byte_equal_to_song_build(tmp_path, capsys):
    manifest = _matrix(tmp_path)
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "-o", str(out), "-j", "2", "--format", "json"]) == 0
    lines = _json_lines(capsys.readouterr().out)
    assert len(lines) == 18 and all(line["ok"] for line in lines) and lines[-1]["done"] == 18
    planned = plan(Source.read(manifest), out)
    jobs = planned.jobs
    assert not planned.failed and sorted(line["out"] for line in lines) == sorted(job.name for job in jobs)
    assert sorted(p.name for p in (out / "medium_swing").iterdir()) == \
        ["Bb-154", "Bb-96", "D-154", "D-96", "Eb-154", "Eb-96"]  # 110% of its 140 BPM
    _single_builds_equal(jobs, tmp_path)


def test_matrix_on_a_dask_local_cluster_is_the_pools_bytes(tmp_path, capsys):
    pytest.importorskip("distributed")
    manifest = _matrix(tmp_path)
    assert main(["batch", str(manifest), "-o", str(tmp_path / "pool"), "-j", "2", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["batch", str(manifest), "-o", str(tmp_path / "dask"), "-j", "2", "--quiet",
                 "--scheduler", "local", "--format", "json"]) == 0
    assert len(_json_lines(capsys.readouterr().out)) == 18
    pool, dask = _files(tmp_path / "pool"), _files(tmp_path / "dask")
    assert len(pool) == 18 * 4 and pool == dask  # song.mid, report.json, report.html, the manifest


def test_audio_jobs_equal_song_build_and_a_rerun_renders_nothing(tmp_path, capsys):
    (tmp_path / "tiny.song").write_text(TINY, encoding="utf-8")
    manifest = _manifest(tmp_path, """
[[job]]
song = "tiny.song"
keys = [0, 2]
minus = ["bass"]
""")
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "-o", str(out), "-j", "2", "--quiet"]) == 0
    assert sorted(p.name for p in (out / "tiny").iterdir()) == ["C-180", "C-180-minus-bass", "D-180", "D-180-minus-bass"]
    store = out / ".cache" / "stems"
    cached = {p.name: p.stat().st_mtime_ns for p in store.iterdir()}
    # C and D: 4 tracks each, the drums shared (a drum stem does not move with the key); minus-bass adds none.
    assert len([name for name in cached if name.endswith(".npy")]) == 7
    jobs = plan(Source.read(manifest), out).jobs
    _single_builds_equal(jobs, tmp_path)
    before = _files(out)
    assert main(["batch", str(manifest), "-o", str(out), "-j", "2", "--quiet"]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in store.iterdir()} == cached  # nothing rendered or rewritten
    assert _files(out) == before


def test_a_broken_song_fails_alone(tmp_path, capsys):
    (tmp_path / "broken.song").write_text(BROKEN, encoding="utf-8")
    manifest = _manifest(tmp_path, f"""
[[job]]
song = "broken.song"
keys = ["C", "D"]
midi_only = true

[[job]]
song = "{ROOT / 'specs' / 'funk_vamp.song'}"
keys = ["C", "D"]
midi_only = true
""")
    out = tmp_path / "out"
    assert main(["batch", str(manifest), "-o", str(out), "--format", "json"]) == 1
    lines = _json_lines(capsys.readouterr().out)
    failed = [line for line in lines if not line["ok"]]
    assert len(lines) == 3 and len(failed) == 1
    assert failed[0]["diagnostics"][0]["code"] == "E020" and failed[0]["song"].endswith("broken.song")
    assert sorted(p.name for p in (out / "funk_vamp").iterdir()) == ["C-100", "D-100"]
    assert not (out / "broken").exists()


def test_human_progress_names_each_job_and_the_failure(tmp_path, capsys):
    (tmp_path / "broken.song").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "tiny.song").write_text(TINY, encoding="utf-8")
    manifest = _manifest(tmp_path, '[[job]]\nsong = "*.song"\nmidi_only = true\ntempos = [90, 120]\n')
    assert main(["batch", str(manifest), "-o", str(tmp_path / "out"), "-j", "1"]) == 1
    captured = capsys.readouterr()
    assert "song: failed: " in captured.err and "error[E020]" in captured.err and "broken.song:5:" in captured.err
    assert "[2/3]" in captured.err or "[3/3]" in captured.err
    assert "built 2 of 3 jobs into" in captured.out and "1 failed" in captured.out


def test_keys_all_offsets_and_shares_name_the_folders(tmp_path):
    (tmp_path / "tiny.song").write_text(TINY.replace("key C", "key E minor"), encoding="utf-8")
    manifest = _manifest(tmp_path, '[[job]]\nsong = "tiny.song"\nkeys = "all"\nmidi_only = true\n'
                                   '[[job]]\nsong = "tiny.song"\nkeys = [1, -2]\ntempos = ["50%"]\nlabel = "slow"\n')
    jobs = plan(Source.read(manifest), tmp_path / "out").jobs
    names = [Path(job.name).name for job in jobs]
    assert names[:12] == ["Cm-180", "Csharpm-180", "Dm-180", "Ebm-180", "Em-180", "Fm-180", "Fsharpm-180",
                          "Gm-180", "Gsharpm-180", "Am-180", "Bbm-180", "Bm-180"]
    assert names[12:] == ["Fm-90-slow", "Dm-90-slow"]
    assert jobs[12].build_command()[-4:] == ["--transpose", "1", "--tempo", "90"]


@pytest.mark.parametrize("text, code, place", [
    ('[[job]]\nsong = "tiny.song"\nkeys = ["Bb", "C"\n', "E250", ":4:1"),
    ('[[job]]\nsong = "tiny.song"\ntempo = [100]\n', "E251", ":3:1"),
    ('[[job]]\nsong = "tiny.song"\nkeys = ["Bb", "H"]\n', "E252", ":3:15"),
    ('[[job]]\nsong = "tiny.song"\ntempos = [100, 900]\n', "E252", ":3:16"),
    ('[[job]]\nsong = "tiny.song"\ntempos = ["300%"]\n', "E252", ":3:10"),
    ('[[job]]\nsong = "nothing/*.song"\n', "E253", ":2:8"),
    ('[[job]]\nsong = "tiny.song"\n[[job]]\nsong = "tiny.song"\n', "E254", ":3:1"),
    ('# nothing yet\n', "E255", ":1:1"),
    ('[[job]]\nsong = "tiny.song"\nminus = ["bas"]\n', "E256", ":3:9"),
])
def test_a_bad_manifest_is_a_located_diagnostic_and_nothing_is_built(tmp_path, capsys, text, code, place):
    (tmp_path / "tiny.song").write_text(TINY, encoding="utf-8")
    manifest = _manifest(tmp_path, text)
    assert main(["batch", str(manifest), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{manifest}{place}: error[{code}]" in err, err
    assert not (tmp_path / "out").exists()


def test_a_scheduler_that_does_not_answer_is_one_line(tmp_path, capsys):
    pytest.importorskip("distributed")
    (tmp_path / "tiny.song").write_text(TINY, encoding="utf-8")
    manifest = _manifest(tmp_path, '[[job]]\nsong = "tiny.song"\nmidi_only = true\n')
    assert main(["batch", str(manifest), "--scheduler", "tcp://127.0.0.1:9", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("song: no Dask scheduler answers at tcp://127.0.0.1:9") and len(err.splitlines()) == 1


def _toml_blocks(text: str) -> list[str]:
    return re.findall(r"^```toml\n(.*?)^```\n", text + "\n", re.M | re.S)


@pytest.mark.parametrize("code", BATCH_CODES)
def test_each_batch_code_is_explained_by_an_example_that_gives_it(tmp_path, capsys, code):
    """docs/diagnostics.md: the manifest before **Fix** gives the line shown under it; the fix builds."""
    (tmp_path / "blues.song").write_text(TINY, encoding="utf-8")
    before, _, after = explanations()[code].body.partition("**Fix**")
    shown = re.search(r"^catalogue\.toml:.*$", before, re.M).group(0)
    manifest = _manifest(tmp_path, _toml_blocks(before)[0])
    assert main(["batch", str(manifest), "-o", "out", "--quiet"]) == 1
    assert str(tmp_path / shown) in capsys.readouterr().err.splitlines()
    fixed = _manifest(tmp_path, _toml_blocks(after)[0].replace("[[job]]\n", "[[job]]\nmidi_only = true\n"))
    assert main(["batch", str(fixed), "-o", str(tmp_path / "out"), "--quiet", "-j", "1"]) == 0


def _tiny_audio_manifest(folder: Path) -> Path:
    (folder / "tiny.song").write_text(TINY, encoding="utf-8")
    return _manifest(folder, '[[job]]\nsong = "tiny.song"\nkeys = [2]\nminus = ["piano"]\nfull = false\n'
                             'stems = "flac24"\n')


def test_audio_jobs_on_a_dask_local_cluster_are_the_pools_bytes(tmp_path):
    pytest.importorskip("distributed")
    manifest = _tiny_audio_manifest(tmp_path)
    assert main(["batch", str(manifest), "-o", str(tmp_path / "pool"), "-j", "1", "--quiet"]) == 0
    assert main(["batch", str(manifest), "-o", str(tmp_path / "dask"), "-j", "1", "--quiet", "--scheduler", "local"]) == 0
    pool = _files(tmp_path / "pool" / "tiny" / "D-180-minus-piano")
    assert "master.wav" in pool and "stems/bass.flac" in pool and "stems/piano.flac" not in pool
    assert pool == _files(tmp_path / "dask" / "tiny" / "D-180-minus-piano")


def test_song_worker_serves_a_scheduler_as_dask_worker_does(tmp_path):
    """`song worker ADDRESS` joins a running scheduler with the BLAS settings; a batch sent there builds
    the bytes the pool builds."""
    distributed = pytest.importorskip("distributed")
    manifest = _tiny_audio_manifest(tmp_path)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None, protocol="tcp",
                                  host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as client:
        worker = subprocess.Popen([sys.executable, "-m", "compiler", "worker", cluster.scheduler_address,
                                   "--nworkers", "1", "--death-timeout", "30"], stderr=subprocess.DEVNULL)
        try:
            client.wait_for_workers(1, timeout=120)
            settings = client.run(lambda: {name: os.environ.get(name) for name in blas_environment()})
            assert list(settings.values()) == [blas_environment()]
            assert main(["batch", str(manifest), "-o", str(tmp_path / "remote"), "--quiet",
                         "--scheduler", cluster.scheduler_address]) == 0
        finally:
            worker.terminate()
            worker.wait(60)
    assert main(["batch", str(manifest), "-o", str(tmp_path / "pool"), "-j", "1", "--quiet"]) == 0
    assert _files(tmp_path / "remote") == _files(tmp_path / "pool")


def test_a_songs_warnings_are_printed_once_however_many_jobs_it_has(tmp_path, capsys):
    (tmp_path / "tiny.song").write_text(TINY.replace("form A", "section B\n  | Am |\nform A"), encoding="utf-8")
    manifest = _manifest(tmp_path, '[[job]]\nsong = "tiny.song"\nkeys = [0, 1, 2]\nmidi_only = true\n')
    assert main(["batch", str(manifest), "-o", str(tmp_path / "out"), "-j", "1"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning[W001]") == 1 and "tiny.song:8:9: warning[W001]" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_one_status_line_counts_jobs_failures_and_the_time_left():
    from compiler.batch.jobs import Job
    from compiler.batch.progress import Progress
    from compiler.batch.worker import JobResult
    from compiler.options import BuildOptions

    err, out = _Terminal(), io.StringIO()
    progress = Progress(3, err=err, out=out)
    jobs = [Job(i, "/s/tiny.song", f"/o/tiny/C-{i}", f"o/tiny/C-{i}", BuildOptions()) for i in range(3)]
    progress.finished(jobs[0], JobResult(0, True, 1.0))
    progress.finished(jobs[1], JobResult(1, False, 1.0, message="the SoundFont x.sf2 cannot be read"))
    progress.finished(jobs[2], JobResult(2, True, 1.0))
    progress.close("o")
    shown = err.getvalue()
    assert "\r[1/3]" in shown and "ETA" in shown and "\r[3/3], 1 failed" in shown
    assert "song: failed: o/tiny/C-1 (tiny.song)\nsong: the SoundFont x.sf2 cannot be read" in shown
    assert shown.endswith("\r\033[K") and out.getvalue().startswith("built 2 of 3 jobs into o/")


def test_ctrl_c_while_the_workers_start_ends_the_batch_without_a_traceback(tmp_path):
    manifest = _manifest(tmp_path, f'[[job]]\nsong = "{ROOT / "specs" / "medium_swing.song"}"\nkeys = "all"\n'
                                   'midi_only = true\n')
    batch = subprocess.Popen([sys.executable, "-m", "compiler", "batch", str(manifest), "-o", str(tmp_path / "out"),
                              "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    while len(_children(batch.pid)) < 2 and batch.poll() is None:  # the workers exist, still importing
        time.sleep(0.005)
    os.killpg(batch.pid, signal.SIGINT)
    _, err = batch.communicate(timeout=120)
    assert batch.returncode == 130 and err == "song: interrupted\n"


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc); the workers' resource tracker is one too."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def test_ctrl_c_stops_the_batch_leaving_no_half_written_folder_and_no_process(tmp_path):
    manifest = _manifest(tmp_path, f'[[job]]\nsong = "{ROOT / "specs" / "medium_swing.song"}"\nkeys = "all"\n'
                                   'tempos = [100, 120, 140]\nmidi_only = true\n')
    out = tmp_path / "out"
    batch = subprocess.Popen([sys.executable, "-m", "compiler", "batch", str(manifest), "-o", str(out), "-j", "2",
                              "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    first = batch.stdout.readline()  # one job is done: the pool is working
    assert json.loads(first)["ok"]
    os.killpg(batch.pid, signal.SIGINT)  # what Ctrl-C sends: the whole group, the workers too
    rest, err = batch.communicate(timeout=120)
    assert batch.returncode == 130 and err.endswith("song: interrupted\n")
    assert len(_json_lines(first + rest)) < 36
    assert not list(out.rglob(".staging-*")) and not list(out.rglob("*.part"))
    complete = [".songspec-manifest.json", "report.html", "report.json", "song.mid"]
    for folder in (out / "medium_swing").iterdir():  # a job stopped half-way leaves its folder empty
        assert sorted(f.name for f in folder.iterdir() if f.name != ".cache") in ([], complete)
    _wait_until_gone(batch.pid)


def _wait_until_gone(group: int) -> None:
    """The batch's process group (its workers) has ended: polled, since the workers exit on their own."""
    for _ in range(600):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(group, signal.SIGKILL)
    raise AssertionError("the batch's workers outlived it")


def test_a_bad_manifest_in_json_is_one_line(tmp_path, capsys):
    manifest = _manifest(tmp_path, '[[job]]\nsong = "nothing.song"\n')
    assert main(["batch", str(manifest), "-o", str(tmp_path / "out"), "--format", "json"]) == 1
    (line,) = _json_lines(capsys.readouterr().out)
    assert not line["ok"] and line["diagnostics"][0]["code"] == "E253" and line["diagnostics"][0]["line"] == 2


def test_a_built_batch_prunes_the_shared_stems_to_what_its_jobs_need(tmp_path, capsys):
    (tmp_path / "tiny.song").write_text(TINY, encoding="utf-8")
    (tmp_path / "broken.song").write_text(BROKEN, encoding="utf-8")
    out = tmp_path / "out"
    store = out / ".cache" / "stems"
    two_keys = _manifest(tmp_path, '[[job]]\nsong = "tiny.song"\nkeys = [0, 2]\n')
    assert main(["batch", str(two_keys), "-o", str(out), "-j", "2", "--quiet"]) == 0
    both = {p.name for p in store.iterdir()}
    # The manifest now asks for C only, and a song that fails: the failed job keeps every stem.
    one_key = _manifest(tmp_path, '[[job]]\nsong = "tiny.song"\nkeys = [0]\n'
                                  '[[job]]\nsong = "broken.song"\nmidi_only = true\n')
    assert main(["batch", str(one_key), "-o", str(out), "-j", "2", "--quiet"]) == 1
    assert {p.name for p in store.iterdir()} == both
    one_key.write_text('[[job]]\nsong = "tiny.song"\nkeys = [0]\n', encoding="utf-8")
    assert main(["batch", str(one_key), "-o", str(out), "-j", "2", "--quiet"]) == 0
    # What a fresh store of the same batch holds is exactly what its jobs need: no more, no less.
    assert main(["batch", str(one_key), "-o", str(tmp_path / "fresh"), "-j", "2", "--quiet"]) == 0
    kept, needed = {p.name for p in store.iterdir()}, {p.name for p in (tmp_path / "fresh" / ".cache" / "stems").iterdir()}
    assert kept == needed and len([name for name in kept if name.endswith(".npy")]) == 4 and kept < both
    # Up to date, the C job still claims its stems: a re-run prunes nothing and renders nothing.
    assert main(["batch", str(one_key), "-o", str(out), "-j", "2", "--quiet"]) == 0
    assert {p.name for p in store.iterdir()} == needed


def test_a_job_without_a_record_of_its_stems_keeps_the_store_whole(tmp_path, capsys):
    (tmp_path / "tiny.song").write_text(TINY, encoding="utf-8")
    out = tmp_path / "out"
    manifest = _manifest(tmp_path, '[[job]]\nsong = "tiny.song"\nkeys = [0]\n')
    assert main(["batch", str(manifest), "-o", str(out), "-j", "1", "--quiet"]) == 0
    store = out / ".cache" / "stems"
    (store / "0123stale.npy").write_bytes(b"stale")
    (out / "tiny" / "C-180" / ".cache" / "shared-stems.json").unlink()  # as a folder from an older songspec
    assert main(["batch", str(manifest), "-o", str(out), "-j", "1", "--quiet"]) == 0
    assert (store / "0123stale.npy").exists()
