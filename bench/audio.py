"""bench.audio: times `compiler.audio.build_audio` against the FluidSynth CLI on the same song, plus memory and cache.

`run(timeline, midi_path, workdir)` takes any Timeline with its .mid rendering (the pipeline's) and
returns printable lines: a cold build (empty cache), then rebuilds from that cache with only the master
preset changed and with one track's fader moved. Each build runs in a fresh Python process
(`python -m bench.audio --child`), so its peak memory (ru_maxrss) is its own; its time is that of the
`build_audio` call. Standalone, `python -m bench.audio` benchmarks a synthetic 3-minute, 6-track song
made by `synthetic_song` below; `make bench` runs `run_spec`, the same on a real spec. Nothing here is asserted; the targets are ratio ≤ 1.0, peak memory
≤ 600 MB, cached rebuild ≤ 0.2×.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import mido
import numpy as np

from compiler.mixspec import MASTER_PRESETS, Chorus, Compressor, Delay, MasterSpec, TrackSound
from compiler.timeline import PPQ, Marker, MeterPoint, Note, TempoMap, TempoPoint, Timeline, Track

DEFAULT_SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
_ROOT = Path(__file__).resolve().parents[1]
SPEC = _ROOT / "specs" / "funk_vamp.song"  # the busiest spec near 3 minutes: 3:26, four dense parts


def run(timeline: Timeline, midi_path: Path, workdir: Path, *, soundfont: Path = DEFAULT_SOUNDFONT) -> list[str]:
    """Benchmark one song: our cold build, the CLI on `midi_path`, memory, and two cached rebuilds."""
    workdir.mkdir(parents=True, exist_ok=True)
    cache = workdir / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    _read_through(soundfont)  # both contenders start with the SoundFont in the page cache
    song_s = TempoMap(timeline.tempos, timeline.ppq).seconds(timeline.end_tick)
    cli_s = _time_cli(midi_path, workdir / "cli.wav", soundfont)
    full = _child_build(timeline, workdir / "full", cache, soundfont)
    other = "apple" if timeline.master.preset != "apple" else "streaming"
    target, ceiling = MASTER_PRESETS[other]
    remastered = timeline.model_copy(update={"master": timeline.master.model_copy(
        update={"preset": other, "target_lufs": target, "ceiling_dbtp": ceiling})})
    cached = _child_build(remastered, workdir / "remastered", cache, soundfont)
    remixed = _child_build(_one_track_louder(timeline), workdir / "remixed", cache, soundfont)
    return [
        f"song: {song_s:.1f} s, {sum(1 for t in timeline.tracks if t.notes and not t.muted)} audible tracks, "
        f"{timeline.master.sample_rate} Hz",
        f"build_audio (cold cache):  {full['seconds']:.2f} s  ({song_s / full['seconds']:.1f}x realtime)",
        f"fluidsynth CLI -r 44100:   {cli_s:.2f} s",
        f"ratio build/CLI:           {full['seconds'] / cli_s:.2f}  (target <= 1.0)",
        f"peak memory (fresh process, ru_maxrss): {full['maxrss_mb']:.0f} MB  (target <= 600)",
        f"cached rebuild, {other} master:  {cached['seconds']:.2f} s  ratio {cached['seconds'] / full['seconds']:.2f}"
        f"  (target <= 0.2)",
        f"cached rebuild, one fader moved: {remixed['seconds']:.2f} s  ratio {remixed['seconds'] / full['seconds']:.2f}"
        f"  (renders cached, mix redone)",
        f"master: {full['master']['integrated_lufs']} LUFS, {full['master']['true_peak_dbtp']} dBTP; "
        f"{other}: {cached['master']['integrated_lufs']} LUFS, {cached['master']['true_peak_dbtp']} dBTP",
    ]


def run_spec(workdir: Path) -> list[str]:
    """`make bench`: `run` on SPEC as the pipeline compiles it (front end, arrange, MIDI)."""
    from compiler.arrange import arrange
    from compiler.library import Library
    from compiler.midi import to_midi, write_midi
    from compiler.pipeline import front_end
    from compiler.source import Source

    timeline = arrange(front_end(Source.read(SPEC), Library()))
    folder = workdir / "audio"
    folder.mkdir(parents=True, exist_ok=True)
    write_midi(to_midi(timeline), folder / "song.mid")
    return [f"audio ({SPEC.name}): {line}" for line in run(timeline, folder / "song.mid", folder)]


def _one_track_louder(timeline: Timeline) -> Timeline:
    track = next(t for t in timeline.tracks if t.notes and not t.muted)
    louder = track.model_copy(update={"sound": track.sound.model_copy(update={"volume_db": track.sound.volume_db + 1})})
    return timeline.model_copy(update={"tracks": tuple(louder if t is track else t for t in timeline.tracks)})


def _time_cli(midi_path: Path, wav: Path, soundfont: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["fluidsynth", "-ni", "-F", str(wav), "-r", "44100", str(soundfont), str(midi_path)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _child_build(timeline: Timeline, out_dir: Path, cache: Path, soundfont: Path) -> dict:
    spec = out_dir.with_suffix(".timeline.json")
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(timeline.model_dump_json())
    done = subprocess.run([sys.executable, "-m", "bench.audio", "--child", str(spec), str(out_dir), str(cache),
                           str(soundfont)], cwd=_ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(spec: Path, out_dir: Path, cache: Path, soundfont: Path) -> None:
    from compiler.audio import build_audio

    timeline = Timeline.model_validate_json(spec.read_text())
    start = time.perf_counter()
    report = build_audio(timeline, out_dir, soundfont=soundfont, cache_dir=cache)
    seconds = time.perf_counter() - start
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "maxrss_mb": maxrss_mb, "master": report["master"]}))


def _read_through(path: Path) -> None:
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


# --- a synthetic song, for running this benchmark on its own ---------------------------------------

BAR = 4 * PPQ
_PROGRESSION = ((0, 4, 7, 11), (9, 0, 4, 7), (5, 9, 0, 4), (7, 11, 2, 5))  # Cmaj7 Am7 Fmaj7 G7, as pcs
_FORM = (("intro", 4, 60), ("verse", 16, 64), ("chorus", 16, 104), ("verse", 16, 64), ("chorus", 16, 104),
         ("bridge", 8, 80), ("chorus", 8, 110), ("outro", 6, 70))  # (label, bars, velocity): 90 bars


def synthetic_song(seed: int = 7) -> Timeline:
    """A plausible 3-minute pop song at 120 bpm: drums, bass, piano, pad, guitar, lead; mp verses, f choruses."""
    rng = np.random.default_rng(seed)
    sections, markers, bar, passes = [], [], 0, {}
    for label, bars, velocity in _FORM:
        passes[label] = passes.get(label, 0) + 1
        markers.append(Marker(tick=bar * BAR, label=label, pass_no=passes[label], first_bar=bar + 1,
                              last_bar=bar + bars))
        sections += [velocity] * bars
        bar += bars
    parts = {"drums": _drums, "bass": _bass, "piano": _piano, "pad": _pad, "guitar": _guitar, "lead": _lead}
    notes = {name: tuple(n for b, v in enumerate(sections) for n in make(b, v, rng)) for name, make in parts.items()}
    tracks = (
        Track(name="drums", instrument="standard_kit", program=0, bank=128, channel=9, is_drums=True, role="drums",
              sound=TrackSound(reverb_send=0.1), notes=notes["drums"]),
        Track(name="bass", instrument="fingered_bass", program=33, channel=0, role="bass",
              sound=TrackSound(compress=Compressor(ratio=3.0)), notes=notes["bass"]),
        Track(name="piano", instrument="piano", program=0, channel=1, role="comp",
              sound=TrackSound(pan=25, reverb_send=0.25, volume_db=-2), notes=notes["piano"]),
        Track(name="pad", instrument="warm_pad", program=89, channel=2, role="pad",
              sound=TrackSound(reverb_send=0.4, volume_db=-6), notes=notes["pad"]),
        Track(name="guitar", instrument="steel_guitar", program=25, channel=3, role="comp",
              sound=TrackSound(pan=-40, chorus=Chorus(mix=0.3), reverb_send=0.2), notes=notes["guitar"]),
        Track(name="lead", instrument="lead_square", program=80, channel=4, role="melody",
              sound=TrackSound(delay=Delay(beats=0.75, mix=0.2), reverb_send=0.3, volume_db=-4), notes=notes["lead"]),
    )
    return Timeline(title="bench", end_tick=bar * BAR, bars=bar, tempos=(TempoPoint(tick=0, bpm=Fraction(120)),),
                    meters=(MeterPoint(tick=0, numerator=4, denominator=4),), markers=tuple(markers),
                    tracks=tracks, master=MasterSpec(), seed=seed)


def _chord(bar: int) -> tuple[int, ...]:
    return _PROGRESSION[bar % len(_PROGRESSION)]


def _drums(bar: int, velocity: int, rng: np.random.Generator) -> list[Note]:
    start, eighth = bar * BAR, PPQ // 2
    notes = [Note(start=start + i * eighth, dur=eighth, pitch=42, velocity=max(1, velocity - 20 + 8 * (i % 2 == 0)))
             for i in range(8)]
    notes += [Note(start=start + beat * PPQ, dur=eighth, pitch=36 if beat % 2 == 0 else 38, velocity=velocity)
              for beat in range(4)]
    if bar % 8 == 0:
        notes.append(Note(start=start, dur=PPQ, pitch=49, velocity=velocity))
    return notes


def _bass(bar: int, velocity: int, rng: np.random.Generator) -> list[Note]:
    root = 36 + _chord(bar)[0]
    return [Note(start=bar * BAR + i * PPQ, dur=PPQ - 40, pitch=root + (7 if i == 2 else 0), velocity=velocity)
            for i in range(4)]


def _piano(bar: int, velocity: int, rng: np.random.Generator) -> list[Note]:
    voicing = [60 + (pc - 60) % 12 for pc in _chord(bar)]
    return [Note(start=bar * BAR + beat * PPQ, dur=PPQ - 60, pitch=p, velocity=max(1, velocity - 10))
            for beat in (0, 1, 2, 3) for p in voicing]


def _pad(bar: int, velocity: int, rng: np.random.Generator) -> list[Note]:
    return [Note(start=bar * BAR, dur=BAR - 20, pitch=48 + (pc - 48) % 12, velocity=max(1, velocity - 20))
            for pc in _chord(bar)]


def _guitar(bar: int, velocity: int, rng: np.random.Generator) -> list[Note]:
    strum = [52 + (pc - 52) % 12 for pc in _chord(bar)] + [64 + (pc - 64) % 12 for pc in _chord(bar)[:2]]
    return [Note(start=bar * BAR + i * (PPQ // 2) + 15 * k, dur=PPQ // 2 - 30, pitch=p, velocity=max(1, velocity - 15))
            for i in range(8) for k, p in enumerate(strum)]


def _lead(bar: int, velocity: int, rng: np.random.Generator) -> list[Note]:
    scale = [0, 2, 4, 5, 7, 9, 11]
    steps = rng.integers(0, len(scale), 8)
    return [Note(start=bar * BAR + i * (PPQ // 2), dur=PPQ // 2 - 20, pitch=72 + scale[s], velocity=velocity)
            for i, s in enumerate(steps) if (i + bar) % 3 != 2]


def write_midi(timeline: Timeline, path: Path) -> None:
    """A type-1 .mid of the timeline (tempo map + one track per part), for the FluidSynth CLI."""
    midi = mido.MidiFile(type=1, ticks_per_beat=timeline.ppq)
    conductor = [(t.tick, mido.MetaMessage("set_tempo", tempo=round(60_000_000 / t.bpm))) for t in timeline.tempos]
    midi.tracks.append(_delta_track(conductor))
    for track in timeline.tracks:
        ch = track.channel
        events = [(0, mido.Message("program_change", channel=ch, program=track.program))]
        for n in track.notes:
            events.append((n.start + n.dur, mido.Message("note_off", channel=ch, note=n.pitch)))
            events.append((n.start, mido.Message("note_on", channel=ch, note=n.pitch, velocity=n.velocity)))
        midi.tracks.append(_delta_track(events))
    midi.save(path)


def _delta_track(events: list[tuple[int, mido.Message]]) -> mido.MidiTrack:
    events.sort(key=lambda e: (e[0], e[1].type != "note_off"))
    track, now = mido.MidiTrack(), 0
    for tick, message in events:
        track.append(message.copy(time=tick - now))
        now = tick
    return track


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=4, metavar=("TIMELINE", "OUT", "CACHE", "SOUNDFONT"))
    args = parser.parse_args()
    if args.child:
        _child(*map(Path, args.child))
        return
    timeline = synthetic_song()
    with tempfile.TemporaryDirectory(prefix="songspec-bench-") as tmp:
        midi = Path(tmp) / "song.mid"
        write_midi(timeline, midi)
        for line in run(timeline, midi, Path(tmp)):
            print(line)


if __name__ == "__main__":
    main()
