"""Audio benchmark (issue 4): `song build` end to end against FluidSynth's own CLI render, in one run.

Ratio = our whole `song build` (front end, arrangement, MIDI, render, effects, mix, master, files)
over `fluidsynth -ni -F out.wav -r 44100 <its SoundFonts> song.mid` on the MIDI that build wrote, for a
6-track spec and a jazz trio.
Each contender runs `RUNS` times, alternating, and the medians are compared: one run of either
varies by about 5 % on a shared 2-core machine. Peak memory is the largest maximum resident set of
the builds. The cached rebuild changes only the master preset, so every stem comes from the render
cache; the no-op rebuild changes nothing, so the up-to-date check finds nothing to write. The disk
figures are the output folder's bytes (cache included) per minute of music, with the default FLAC
stems and with `--stems wav32`. Where a cold build's seconds go is measured inside the same builds
(`_STAGES`: wall time of rendering, mixing and mastering, the rest being start-up, the front end,
MIDI and the files), so the render can be compared with the CLI on its own. Nothing is asserted.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "pop_eighths.song"  # 3:11, six parts: drums, bass, piano, guitar, strings, organ
TRIO = ROOT / "specs" / "medium_swing.song"  # a jazz trio: drums, bass, piano
SOUNDFONTS = (Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"), Path("/usr/share/sounds/sf2/MuseScore_General_Full.sf2"))
PROTOTYPE = "a first prototype of this chain: 3.4x the CLI, 11x realtime, 1.7 GB"
# Measured on this spec before issue 11's lean builds (float stems written twice, two mix entries with
# copies of them): 1.49 GB for 3:11 of music.
BEFORE_MB_PER_MIN = 469
RUNS = 3
# Stages of `compiler.audio.build_audio`, timed by wrapping the module's names in the build process:
# (label, the names whose wall time it sums).
_STAGES = (("render", ("render_stems",)), ("mix", ("mix_stems",)), ("master", ("prepare", "finish")))
_TIMED = """
import json, resource, sys, time
import compiler.audio as audio
spent = {}
def timed(name, f):
    def call(*args, **kwargs):
        start = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
    return call
for name in %r:
    setattr(audio, name, timed(name, getattr(audio, name)))
from compiler.cli import main
code = main(sys.argv[1:])
print(json.dumps(spent))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
""" % ([name for _, names in _STAGES for name in names],)


def run_spec(workdir: Path) -> list[str]:
    out = workdir / "audio"
    lines = []
    for spec in (TRIO, SPEC):  # the trio: fixed costs weigh most in a small band
        cold_s, cli_s, peak_mb, report, stages = _cold(spec, out, workdir)
        song_s = report["duration_s"]
        tracks = sum(1 for t in report["tracks"] if t["notes"] and not t["muted"])
        fonts = " + ".join(f["name"] for f in report["renderer"]["soundfonts"])
        lines += [
            f"audio: {spec.name}, {song_s:.0f} s, {tracks} tracks ({fonts})",
            f"audio: `song build` (cold, median of {RUNS})  {cold_s:6.2f} s   fluidsynth CLI {cli_s:6.2f} s   "
            f"ratio {cold_s / cli_s:.2f} (target <= 1.0)   {song_s / cold_s:.0f}x realtime",
            f"audio: peak memory of the build {peak_mb:.0f} MB (target <= 600)   [{PROTOTYPE}]",
            "audio: where the cold build's seconds go (medians): " + "   ".join(
                f"{label} {seconds:.2f} s" for label, seconds in stages.items())
            + f"   the rest {cold_s - sum(stages.values()):.2f} s   (render alone / CLI {stages['render'] / cli_s:.2f})",
        ]
    remastered = SPEC.with_name(f".bench-{SPEC.name}")
    try:
        remastered.write_text(re.sub(r"(?m)^master .*$", "master apple", SPEC.read_text()))
        # Apple and streaming in turn, so every rebuild changes the master and finds the mix cached.
        cached_s = statistics.median(_build(remastered if i % 2 == 0 else SPEC, out)[0] for i in range(RUNS))
    finally:
        remastered.unlink(missing_ok=True)
    noop = [_build(SPEC, out)[0] for _ in range(RUNS + 1)][1:]  # the first makes the folder SPEC's again
    flac_mb = _megabytes(out)
    _build(SPEC, out, "--stems", "wav32")
    wav_mb = _megabytes(out)
    return lines + [
        f"audio: rebuild with only the master changed {cached_s:.2f} s   ratio {cached_s / cold_s:.2f} (target <= 0.2)",
        f"audio: rebuild of the unchanged song (up to date) {statistics.median(noop):.2f} s "
        f"(range {min(noop):.2f}-{max(noop):.2f})   ratio {statistics.median(noop) / cold_s:.2f} (target <= 0.1)",
        f"audio: disk per minute of music (outputs + cache) {flac_mb * 60 / song_s:.0f} MB with FLAC stems, "
        f"{wav_mb * 60 / song_s:.0f} MB with --stems wav32   [before issue 11: {BEFORE_MB_PER_MIN} MB]",
    ]


def _cold(spec: Path, out: Path, workdir: Path) -> tuple[float, float, float, dict, dict[str, float]]:
    """(median cold build s, median CLI s, peak MB, the report, median s per stage): each contender RUNS
    times, alternating. Cold: no render or mix cache (the SoundFont hash memo is in the user's cache)."""
    builds, clis, stages = [], [], []
    for _ in range(RUNS):
        shutil.rmtree(out, ignore_errors=True)
        seconds, peak_mb, spent = _timed_build(spec, out)
        builds.append((seconds, peak_mb))
        stages.append({label: sum(spent.get(name, 0.0) for name in names) for label, names in _STAGES})
        report = json.loads((out / "report.json").read_text())
        clis.append(_timed(_cli(report, out / "song.mid", workdir / "cli.wav")))
    medians = {label: statistics.median(run[label] for run in stages) for label, _ in _STAGES}
    return (statistics.median(s for s, _ in builds), statistics.median(clis), max(mb for _, mb in builds), report,
            medians)


def _cli(report: dict, midi: Path, wav: Path) -> list[str]:
    """FluidSynth's CLI on the same MIDI with the SoundFonts the build used, loading only the presets
    played, as the build does. The CLI cannot give each track its own file: the one that rendered most
    tracks is loaded last, so it plays every part (its presets are looked up first)."""
    fonts = sorted(report["renderer"]["soundfonts"], key=lambda f: len(f["tracks"]))
    paths = [str(next(p for p in SOUNDFONTS if p.name == f["name"])) for f in fonts]
    for path in paths:
        _read_through(Path(path))  # both contenders start with the SoundFonts in the page cache
    return ["fluidsynth", "-ni", "-o", "synth.dynamic-sample-loading=1", "-F", str(wav), "-r", "44100", *paths,
            str(midi)]


def _megabytes(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _build(spec: Path, out: Path, *options: str) -> tuple[float, float]:
    """Seconds and peak resident MB of one `song build` process."""
    seconds, peak_mb, _ = _timed_build(spec, out, *options)
    return seconds, peak_mb


def _timed_build(spec: Path, out: Path, *options: str) -> tuple[float, float, dict[str, float]]:
    """Seconds, peak resident MB and the seconds spent in each timed stage (`_STAGES`) of one `song build`."""
    args = [sys.executable, "-c", _TIMED, "build", str(spec), "-o", str(out), "--quiet", *options]
    start = time.perf_counter()
    done = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    *_, spent, peak_kb = done.stdout.splitlines()
    return seconds, int(peak_kb) / 1024, json.loads(spent)


def _timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _read_through(path: Path) -> None:
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(run_spec(Path(tmp))))
