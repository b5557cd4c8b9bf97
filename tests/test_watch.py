"""song watch: a real watcher process, real saves, and no process left behind."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import mido
import pytest

from conftest import ROOT

WAIT_S = 120  # a bound so a broken watcher fails the test instead of hanging it; no timing is asserted


class WatchProcess:
    """`song watch …` in its own session (so its process group is exactly it and its builds)."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "compiler", "watch", *args], cwd=cwd, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.lines: list[str] = []
        self._incoming: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._incoming.put(line.rstrip("\n"))
        self._incoming.put(None)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def wait_for(self, text: str, times: int = 1) -> None:
        """Read output until `text` has appeared in `times` lines."""
        while self.count(text) < times:
            try:
                line = self._incoming.get(timeout=WAIT_S)
            except queue.Empty:
                raise AssertionError(f"no {text!r} after {WAIT_S} s; output so far:\n" + "\n".join(self.lines))
            if line is None:
                raise AssertionError(f"watch ended before {text!r}:\n" + "\n".join(self.lines))
            self.lines.append(line)

    def ctrl_c(self) -> int:
        """What a terminal's Ctrl-C does: SIGINT to the whole foreground group. Returns the exit status."""
        os.killpg(self.proc.pid, signal.SIGINT)
        status = self.proc.wait(WAIT_S)
        self.wait_for("song watch: stopped")
        return status

    def left_behind(self) -> list[int]:
        """Processes still in the watcher's group after it exited (its builds, had one escaped)."""
        group = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended while we looked
            if int(fields[2]) == self.proc.pid:  # fields after the name: state, ppid, pgrp, ...
                group.append(int(stat.parent.name))
        return group

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def project(tmp_path):
    """amazing_grace.song, which `use`s lib/mystyles.song from a folder below it."""
    shutil.copy(ROOT / "specs" / "amazing_grace.song", tmp_path)
    (tmp_path / "lib").mkdir()
    shutil.copy(ROOT / "specs" / "lib" / "mystyles.song", tmp_path / "lib")
    return tmp_path


def _tempo(midi_path: Path) -> float:
    return mido.tempo2bpm(next(m.tempo for m in mido.MidiFile(midi_path).tracks[0] if m.type == "set_tempo"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_two_saves_are_two_rebuilds_and_ctrl_c_leaves_no_process(project):
    song, styles = project / "amazing_grace.song", project / "lib" / "mystyles.song"
    watch = WatchProcess("amazing_grace.song", "-o", "out", cwd=project)
    try:
        watch.wait_for("watching")
        watch.wait_for("built out/ (MIDI only)")
        first = _tempo(project / "out" / "song.mid")

        _edit(song, "tempo    ", "tempo    100 #")  # the song itself
        watch.wait_for("built out/", times=2)
        assert _tempo(project / "out" / "song.mid") == pytest.approx(100) != first

        _edit(styles, "# Only style", "# Edited. Only style")  # a file it `use`s, in a folder below it
        watch.wait_for("built out/", times=3)
        assert watch.count("mystyles.song changed") == 1

        assert watch.ctrl_c() == 0
    finally:
        watch.close()
    assert watch.left_behind() == []
    assert not any("Traceback" in line for line in watch.lines)
    assert not list((project / "out").glob(".staging-*"))


def test_a_save_with_an_error_prints_it_and_keeps_the_last_build(project):
    song = project / "amazing_grace.song"
    watch = WatchProcess("amazing_grace.song", "-o", "out", cwd=project)
    try:
        watch.wait_for("watching")
        watch.wait_for("built out/")
        before = (project / "out" / "song.mid").read_bytes()

        _edit(song, "tempo    ", "tempo    999 #")
        watch.wait_for("error[")
        assert (project / "out" / "song.mid").read_bytes() == before

        _edit(song, "tempo    999 #", "tempo    ")
        watch.wait_for("built out/", times=2)
        assert watch.ctrl_c() == 0
    finally:
        watch.close()
    assert "amazing_grace.song:" in next(line for line in watch.lines if "error[" in line)
    assert watch.left_behind() == []


def test_a_save_during_an_audio_build_stops_it(project):
    song = project / "amazing_grace.song"
    watch = WatchProcess("amazing_grace.song", "-o", "out", "--audio", "--quiet", cwd=project)
    try:
        watch.wait_for("watching")  # the first full build is rendering now (FluidSynth takes seconds)
        _edit(song, "tempo    ", "tempo    90 #")
        watch.wait_for("stopped the build: amazing_grace.song changed")
        watch.wait_for("built out/:")
        assert watch.ctrl_c() == 0
    finally:
        watch.close()
    assert watch.count("built out/") == 1  # the stopped build printed nothing
    assert (project / "out" / "master.wav").is_file()
    assert _tempo(project / "out" / "song.mid") == pytest.approx(90)
    assert not list((project / "out").glob(".staging-*"))
    assert watch.left_behind() == []


def test_watch_of_a_missing_file_is_a_usage_error(tmp_path, capsys):
    from compiler.cli import main

    assert main(["watch", str(tmp_path / "none.song")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_new_use_line_moves_the_watch_to_the_folder_it_names(project):
    song = project / "amazing_grace.song"
    (project / "more").mkdir()
    shutil.copy(project / "lib" / "mystyles.song", project / "more" / "mystyles.song")
    watch = WatchProcess("amazing_grace.song", "-o", "out", cwd=project)
    try:
        watch.wait_for("watching")
        watch.wait_for("built out/")
        _edit(song, '"lib/mystyles.song"', '"more/mystyles.song"')
        watch.wait_for("built out/", times=2)
        watch.wait_for("watching", times=2)  # a new watcher, over the folder of the file now `use`d
        _edit(project / "more" / "mystyles.song", "# Only style", "# Edited. Only style")
        watch.wait_for("built out/", times=3)
        assert watch.count("mystyles.song changed") == 1
        assert watch.ctrl_c() == 0
    finally:
        watch.close()
    assert watch.left_behind() == []


def test_sigterm_during_an_audio_build_ends_the_build_and_the_watcher(project):
    watch = WatchProcess("amazing_grace.song", "-o", "out", "--audio", "--quiet", cwd=project)
    try:
        watch.wait_for("watching")  # the first full build is rendering
        watch.proc.terminate()  # the watcher alone, as a supervisor or `kill` would
        assert watch.proc.wait(WAIT_S) == 0
        watch.wait_for("song watch: stopped")
    finally:
        watch.close()
    assert watch.count("stopped the build: Ctrl-C or SIGTERM") == 1
    assert watch.left_behind() == []
    assert not list((project / "out").glob(".staging-*"))
