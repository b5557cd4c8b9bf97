"""batch.jobs: manifest `Entry`s + each song's checked front end -> `Job`s, one output folder each (E254, E256).

A job is one `song build`: a song and its options, and the folder it writes,

    <out>/<song>/<key>-<tempo>[-minus-<track>][-<label>]/

where `<key>` is the key played (`Bb`, `Fsharpm` for F# minor: a `#` would end a file:// URL) and
`<tempo>` its BPM. A job knows the `song build` command that makes the same files (`build_command`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from typing import TYPE_CHECKING

from ..errors import Diagnostic
from ..options import BuildOptions, FrontOptions
from ..outputs import COUNT_IN_TRACK, safe_name
from ..pitch import MODES, Key, parse_key
from ..suggest import check_track_names
from .manifest import Entry, KeyChoice, Tempo

if TYPE_CHECKING:
    from .worker import SongFacts

# The twelve keys of `keys = "all"`, spelled as players read them (Db major, C# minor).
MAJOR_TONICS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_TONICS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")


@dataclass(frozen=True)
class Job:
    """One build of a batch: `song` (its path) with `options` into `out_dir`. `name` is `out_dir`
    relative to the batch's folder, as progress lines show it."""

    index: int
    song: str
    out_dir: str
    name: str
    options: BuildOptions

    def build_command(self) -> list[str]:
        """The `song build` arguments that write the same files (`song build` + these)."""
        o = self.options
        args = [self.song, "-o", self.out_dir]
        if o.front.key is not None:
            args += ["--key", f"{o.front.key.tonic} {o.front.key.mode}"]
        args += ["--transpose", str(o.front.transpose)] if o.front.transpose else []
        args += ["--tempo", str(o.front.tempo)] if o.front.tempo is not None else []
        args += [arg for name in o.mute for arg in ("--mute", name)]
        args += [arg for name in o.solo for arg in ("--solo", name)]
        args += ["--count-in", str(o.count_in)] if o.count_in else []
        args += ["--seed", str(o.seed)] if o.seed is not None else []
        args += ["--midi-only"] if o.midi_only else []
        args += ["--format", o.format] if o.format else []
        args += ["--master", o.master] if o.master else []
        args += ["--stems", o.stems] if o.stems != BuildOptions().stems else []
        args += ["--soundfont", str(o.soundfont)] if o.soundfont else []
        return args


@dataclass(frozen=True)
class Variant:
    """The part of a job's options one entry varies, with its folder name."""

    folder: str
    front: FrontOptions
    mute: tuple[str, ...]


def entry_jobs(entry: Entry, song_path: Path, song: SongFacts, out: Path, first_index: int) -> list[Job]:
    """Every job of one entry for one song (`song`: what its front end found), numbered from `first_index`.

    Raises:
        ValueError: (setting name, message) — a track named in `minus`, `mute` or `solo` the song lacks.
    """
    minus = song.tracks if entry.minus == "each" else entry.minus
    for setting, names in (("minus", minus), ("mute", entry.mute), ("solo", entry.solo)):
        try:
            check_track_names(song.tracks, names, COUNT_IN_TRACK)
        except ValueError as err:
            raise ValueError(setting, str(err)) from None
    base = BuildOptions(seed=entry.seed, mute=entry.mute, solo=entry.solo, count_in=entry.count_in,
                        midi_only=entry.midi_only, format=entry.format, master=entry.master,
                        soundfont=entry.soundfont, **({"stems": entry.stems} if entry.stems else {}))
    song_dir = out / safe_name(song_path.stem, "song")
    jobs = []
    for variant in _variants(entry, song, minus):
        folder = song_dir / variant.folder
        options = replace(base, front=variant.front, mute=tuple(dict.fromkeys(base.mute + variant.mute)))
        jobs.append(Job(first_index + len(jobs), str(song_path), str(folder.absolute()),
                        str(folder), options))
    return jobs


def _variants(entry: Entry, song: SongFacts, minus: tuple[str, ...]) -> list[Variant]:
    label = f"-{entry.label}" if entry.label else ""
    variants = []
    for key_name, key, transpose in _keys(entry, song):
        for tempo in _tempos(entry, song):
            front = FrontOptions(transpose=transpose, tempo=tempo, key=key)
            stem = f"{key_name}-{_tempo_name(tempo or song.tempo)}"
            if entry.full:
                variants.append(Variant(f"{stem}{label}", front, ()))
            variants += [Variant(f"{stem}-minus-{safe_name(name, 'track')}{label}", front, (name,)) for name in minus]
    return variants


def _keys(entry: Entry, song: SongFacts) -> list[tuple[str, Key | None, int]]:
    """(folder name, practice key, semitones) of each key the entry asks for."""
    written = song.key
    if entry.keys is None:
        return [(key_name(written), None, 0)]
    choices: tuple[KeyChoice, ...] = twelve_keys(written) if entry.keys == "all" else entry.keys
    return [(key_name(written.transposed(choice)), None, choice) if isinstance(choice, int)
            else (key_name(choice), choice, 0) for choice in choices]


def twelve_keys(written: Key) -> tuple[Key, ...]:
    """The twelve keys in the song's mode, from C up, spelled as `MAJOR_TONICS` or, for a mode with a
    minor third, `MINOR_TONICS`."""
    tonics = MINOR_TONICS if MODES[written.mode][2] == 3 else MAJOR_TONICS
    return tuple(Key(tonic, written.mode) for tonic in tonics)


def key_name(key: Key) -> str:
    """A key as a folder-name part: `Bb`, `Bbm` (minor), `Fsharp`, `D-dorian`.

    Example:
        >>> key_name(parse_key("F#m")), key_name(parse_key("Bb")), key_name(parse_key("D", "dorian"))
        ('Fsharpm', 'Bb', 'D-dorian')
    """
    tonic = key.tonic.replace("#", "sharp")
    mode = {"major": "", "minor": "m"}.get(key.mode, "-" + key.mode)
    return tonic + mode


def _tempos(entry: Entry, song: SongFacts) -> list[Fraction | None]:
    return [_bpm(tempo, song) for tempo in entry.tempos] or [None]


def _bpm(tempo: Tempo, song: SongFacts) -> Fraction:
    return tempo.bpm if tempo.bpm is not None else song.tempo * tempo.percent / 100


def _tempo_name(bpm: Fraction) -> str:
    """`100`, `105.6`: the BPM as a folder-name part (a repeating fraction is rounded to 3 places)."""
    return str(bpm.numerator) if bpm.denominator == 1 else f"{float(bpm):.3f}".rstrip("0")


def tempo_in_range(entry: Entry, song: SongFacts) -> Diagnostic | None:
    """E252 at `tempos` if a share of the song's tempo falls outside 20-400 BPM."""
    for tempo in entry.tempos:
        bpm = _bpm(tempo, song)
        if not 20 <= bpm <= 400:
            return Diagnostic("E252", f"{tempo.percent}% of {song.title}'s {float(song.tempo):g} BPM is "
                              f"{float(bpm):g} BPM, outside 20-400", entry.spans["tempos"],
                              "give this song a share that lands from 20 to 400 BPM")
    return None


def folder_clashes(jobs: list[Job], entries_of: dict[int, Entry]) -> list[Diagnostic]:
    """E254 for each job whose folder an earlier job already writes (`entries_of`: job index -> entry)."""
    seen: dict[str, Job] = {}
    found, reported = [], set()
    for job in jobs:
        first = seen.setdefault(job.out_dir, job)
        entry, earlier = entries_of[job.index], entries_of[first.index]
        if first is not job and (entry.index, earlier.index) not in reported:  # once for each pair of entries
            reported.add((entry.index, earlier.index))
            notes = ((earlier.span, f"the earlier job writing {job.name}"),) if earlier is not entry else ()
            found.append(Diagnostic("E254", f"two jobs would write {job.name} ({Path(job.song).name})",
                                    entry.span, 'give one of them label = "…" (added to its folder names)', notes))
    return found
