"""audio: timeline.Timeline -> out_dir/stems/<track>.wav + out_dir/master.{wav,flac} + the audio report fragment.

How the modules fit, in the order `build_audio` runs them:

    render.py    Timeline -> a raw stem per audible track (FluidSynth on two threads), kept as float32
                 .npy under its content hash in `cache_dir/stems` (a scratch folder without a cache)
    effects.py   TrackSound + role -> the track's chain (EQ, compressor, distortion, chorus, delay)
    mix.py       raw stems -> stems/<track>.flac (post-fader, panned; .wav with --stems wav32) + the
                 pre-master mix, with the shared reverb bus (its return in stems/reverb.flac, at its
                 wet level against the dry mix)
    dynamics.py  the mix -> each section's level set by its dynamic mark (pp … ff: STEP_LU a step)
    master.py    prepare: low cut + glue + held true-peak level (depends on the mix alone);
                 finish: loudness target + true-peak limiter + final measurements
    loudness.py  BS.1770 / R128 measurements; the per-section loudness of the master
    files.py     atomic WAV/FLAC/.npy and cache-folder writing, TPDF dither for 16-bit

Two caches, each holding only what the current outputs need: raw stems (skip FluidSynth when only
mix or master settings change; the stems this build did not use are deleted) and the prepared master
bus under `cache_dir/mix` (skip mixing too when only master settings change; one entry). The mix
entry holds no copy of the stem files: it records their length and checksum, and is used only while
the output folder's stems are still exactly those (a stem edited or deleted there means mixing again). Audio is float32 (2, n), channels first, at
`timeline.master.sample_rate` throughout. Every output file is written to a temp file and renamed;
the same Timeline gives byte-identical files.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from compiler.mixspec import MasterSpec
from compiler.outputs import DEFAULT_STEMS, record_shared_stems
from compiler.timeline import Timeline

from . import dynamics, loudness
from .files import DamagedEntry, OutputsChanged, load_entry, prune, save_entry, write_audio
from .loudness import section_loudness
from .master import Prepared, finish, prepare
from .mix import mix_key, mix_stems
from .render import RenderError, Stem, drop_damaged, fluidsynth_version, render_stems, soundfont_identity

__all__ = ["RenderError", "build_audio", "section_loudness", "soundfont_identity"]

Progress = Callable[[float], None]
MIX_CACHE_ENTRIES = 1  # about 0.5 MB per second of song (the prepared mix and its held peak level)
_RENDER_SHARE, _MIXED = 0.8, 0.9  # of the progress bar: rendering dominates a cold build


@dataclass
class _Premaster:
    prepared: Prepared
    hops: np.ndarray  # the pre-master mix's loudness per 100 ms (its integrated loudness sets the master gain)
    stems: list[dict]
    reverb: dict | None = None  # the reverb return's file and levels (mix.Mix.reverb)
    unsaved: Path | None = None  # the mix-cache entry still to be written (just mixed, with a cache)


def build_audio(timeline: Timeline, out_dir: Path, *, soundfont: Path, identity: dict | None = None,
                cache_dir: Path | None = None, progress: Progress | None = None,
                unchanged_in: Path | None = None, shared_stems: Path | None = None,
                stems: str = DEFAULT_STEMS, track_soundfonts: dict[str, tuple[Path, dict]] | None = None) -> dict:
    """Render stems, mix, master; write out_dir/master.{wav,flac} and out_dir/stems/<track>.wav atomically.

    Args:
        timeline: the arranged song (its `master` sets format, bit depth, rate and loudness target).
        out_dir: created if missing; existing files are replaced only by complete new ones.
        soundfont: the General MIDI .sf2; RenderError (with an install hint) if it cannot be read.
        identity: `soundfont_identity(soundfont, cache_dir)`, when the caller has it already.
        cache_dir: where raw stems and prepared mixes are kept by content hash. None renders into a
            scratch folder that is removed afterwards.
        progress: called with the fraction done (0..1), mostly during rendering, from this thread.
        unchanged_in: the folder of the last build's outputs; when the mix cache holds this mix and
            the stem files there are still those it made, they are not written again into `out_dir`
            (the caller keeps them).
        shared_stems: a raw-stem store that other builds use too (a batch's), instead of
            `cache_dir/stems`; the stems in it that this build does not use are kept.
        stems: the stem files' format (`outputs.STEM_FORMATS`): "flac24" or "wav32".
        track_soundfonts: the tracks rendered with another SoundFont than `soundfont`, by name: (the
            file, its `soundfont_identity`).

    Returns:
        The report fragment: {"master": {...}, "sections": [...], "stems": [...], "reverb": {...} or None,
        "renderer": {...}}; the renderer names every SoundFont used and the tracks it rendered.
        Section loudness is the median short-term (3 s) loudness of the master.
    """
    report = progress or (lambda fraction: None)
    identity = identity or soundfont_identity(soundfont, cache_dir)
    others = track_soundfonts or {}
    out_dir.mkdir(parents=True, exist_ok=True)
    with _stem_store(shared_stems or cache_dir and cache_dir / "stems", out_dir) as store:
        def render() -> list[Stem]:
            return render_stems(timeline, soundfont, store, soundfont_sha256=identity["sha256"],
                                progress=lambda fraction: report(_RENDER_SHARE * fraction),
                                by_track={name: (path, found["sha256"]) for name, (path, found) in others.items()})

        raw = render()
        used = {name for stem in raw for name in (stem.path.name, stem.path.with_suffix(".sum").name)}
        if shared_stems is None:
            _keep_only(store, used)
        elif cache_dir is not None:  # a shared store holds other builds' stems too: its owner prunes it
            record_shared_stems(cache_dir, used)
        premaster = _premaster(timeline, raw, out_dir, cache_dir, render, unchanged_in, stems)
    report(_MIXED)
    spec = timeline.master
    measurements = _master(premaster, spec, out_dir)
    name = f"master.{spec.format}"
    write_audio(out_dir / name, premaster.prepared.audio, spec.sample_rate,
                "PCM_24" if spec.bit_depth == 24 else "PCM_16", container=spec.format.upper(), seed=timeline.seed)
    report(1.0)
    master_hops = measurements.pop("hops")
    # Each section's loudness on the master itself (after its gain and limiter), as the listener hears it.
    return {"master": {"file": name, **measurements},
            "sections": loudness.sections_from_hops(timeline, master_hops), "stems": premaster.stems,
            "reverb": premaster.reverb, "renderer": {"fluidsynth": fluidsynth_version(), "soundfont": identity,
                                                     "soundfonts": _fonts_used(raw, identity, others)}}


def _premaster(timeline: Timeline, stems: list[Stem], out_dir: Path, cache_dir: Path | None,
               render: Callable[[], list[Stem]], unchanged_in: Path | None, stem_format: str) -> _Premaster:
    """Mix and prepare the master bus, or take it from the mix cache (the stem files staying in `unchanged_in`).

    Cached raw stems are read through (checksums) only when they are about to be mixed: a rebuild
    that finds its mix cached never reads them. Damaged ones are rendered again (`render`).
    """
    entry = cache_dir / "mix" / mix_key(timeline, stems, stem_format) if cache_dir is not None else None
    if entry is not None and entry.is_dir() and unchanged_in is not None:
        try:
            return _load_premaster(entry, unchanged_in)
        except OutputsChanged:
            pass  # a stem file was edited or deleted since: mix again, which writes it again
        except DamagedEntry as damage:
            print(f"song: the mix cache entry {entry.name[:12]} was damaged ({damage}); mixing again",
                  file=sys.stderr)
            shutil.rmtree(entry, ignore_errors=True)
    if drop_damaged(stems):
        stems = render()
    rate = timeline.master.sample_rate
    mixed = mix_stems(timeline, stems, out_dir, stem_format)
    hops = dynamics.ride(timeline, mixed.audio, loudness.hop_power(mixed.audio, rate))  # sections to their marks
    return _Premaster(prepare(mixed.audio, rate, loudness.integrated(hops)), hops, mixed.stems, mixed.reverb, entry)


def _master(premaster: _Premaster, spec: MasterSpec, out_dir: Path) -> dict:
    """`finish` the master, saving a just-made mix to the cache meanwhile.

    The limiter works out its gain curve while the mix is written (file writes release the GIL), and
    changes the audio only once the mix is saved.
    """
    if premaster.unsaved is None:
        return finish(premaster.prepared, spec)
    with ThreadPoolExecutor(1, thread_name_prefix="mix-cache") as saver:
        saving = saver.submit(_save_premaster, premaster.unsaved, premaster, out_dir)
        return finish(premaster.prepared, spec, before_change=saving.result)


def _save_premaster(entry: Path, premaster: _Premaster, out_dir: Path) -> None:
    p = premaster.prepared
    meta = {"stems": premaster.stems, "reverb": premaster.reverb, "premaster_lufs": p.premaster_lufs,
            "toned_lufs": p.toned_lufs}
    files = {s["file"]: out_dir / s["file"] for s in _stem_files(premaster)}
    save_entry(entry, {"audio": p.audio, "peak_db": p.peak_db, "hops": premaster.hops}, meta, files)
    prune(entry.parent, MIX_CACHE_ENTRIES)


def _load_premaster(entry: Path, unchanged_in: Path) -> _Premaster:
    arrays, meta = load_entry(entry, unchanged_in)
    try:
        prepared = Prepared(arrays["audio"], arrays["peak_db"], meta["premaster_lufs"], meta["toned_lufs"])
        return _Premaster(prepared, arrays["hops"], [dict(stem) for stem in meta["stems"]], meta["reverb"])
    except (KeyError, TypeError, ValueError) as error:
        raise DamagedEntry(f"meta.json lacks {error}") from None


def _fonts_used(stems: list[Stem], default: dict, others: dict[str, tuple[Path, dict]]) -> list[dict]:
    """Each SoundFont that rendered a stem, with the tracks it rendered, in the order first used."""
    used: dict[str, dict] = {}
    for stem in stems:
        font = others[stem.track.name][1] if stem.track.name in others else default
        used.setdefault(font["sha256"], {**font, "tracks": []})["tracks"].append(stem.track.name)
    return list(used.values())


def _stem_files(premaster: _Premaster) -> list[dict]:
    """The report entries of every file in stems/: one per track, then the reverb return if any."""
    return premaster.stems + ([premaster.reverb] if premaster.reverb is not None else [])


def _keep_only(folder: Path, names: set[str]) -> None:
    """Delete raw stems in the render cache `folder` this build did not use: tracks since removed or changed.

    The render cache then holds exactly the current song's stems, so it cannot grow without bound,
    and a rebuild that changes only mix or master settings still finds every stem.
    """
    for path in sorted(folder.glob("*")):
        if path.is_file() and path.name not in names and not path.name.startswith("."):
            path.unlink()


@contextlib.contextmanager
def _stem_store(store: Path | None, out_dir: Path) -> Iterator[Path]:
    # Raw stems go to disk even without a cache: holding six 3-minute stems in memory costs 400 MB.
    if store is not None:
        store.mkdir(parents=True, exist_ok=True)
        yield store
        return
    with tempfile.TemporaryDirectory(prefix=".render-", dir=out_dir) as scratch:
        yield Path(scratch)
