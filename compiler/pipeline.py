"""pipeline: the only place that knows the order of the stages. Source -> ... -> files.

    parse      Source -> syntax.SongFile
    resolve    syntax.SongFile + Library -> ir.Song
    check      ir.Song -> ir.Song
    arrange    ir.Song -> timeline.Timeline
    midi       timeline.Timeline -> song.mid         report   -> report.json
    audio      timeline.Timeline -> stems/*.wav, master.wav|flac (+ report fragment)
    page       report.json + song.mid -> report.html (compiler.report_html, also `song report`)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import ir
from . import syntax as S
from .check import check
from .errors import Diagnostic, DiagnosticSink, SongError
from .library import Library
from .options import BuildOptions, FrontOptions
from .parse import parse
from .resolve import resolve
from .source import Source

if TYPE_CHECKING:
    import mido

    from .timeline import Timeline

SOUNDFONT_FOLDERS = (Path("/usr/share/sounds/sf2"), Path("/usr/share/sounds/sf3"))
# The default sounds, chosen by measurement (README, "How the sounds were chosen"; bench/soundfonts.py):
# MuseScore General for pitched parts (velocity layers, a centred piano), FluidR3 for drum kits (stereo).
DEFAULT_SOUNDFONT = SOUNDFONT_FOLDERS[0] / "MuseScore_General_Full.sf2"
DEFAULT_KIT_SOUNDFONT = SOUNDFONT_FOLDERS[0] / "FluidR3_GM.sf2"


@dataclass(frozen=True)
class Checked:
    """What the front end gives: the checked song, and the warnings any stage found on the way."""

    song: ir.Song
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Analysis:
    """All the front end learned about one source, for a resident tool that needs the parts even when
    the song has errors (the language server): the syntax tree (None if the file does not parse), the
    checked song (None if any stage found an error) and every diagnostic, sorted."""

    tree: S.SongFile | None
    song: ir.Song | None
    diagnostics: tuple[Diagnostic, ...]


def front_end(source: Source, library: Library, options: FrontOptions = FrontOptions(),
              tree: S.SongFile | None = None) -> Checked:
    """Source -> checked ir.Song and its warnings. Raises SongError with every diagnostic found
    (errors, and the warnings found before them). `tree` is `parse(source)` if the caller has it
    (a batch parses each song once and resolves it in several keys and tempos)."""
    sink = DiagnosticSink()                                                           # shared by the stages
    song = _resolved_and_checked(tree or parse(source), library, options, sink)      # ir.Song
    return Checked(song, _sorted(sink.warnings))


def analyse(source: Source, library: Library, options: FrontOptions = FrontOptions()) -> Analysis:
    """The front end without raising: what `front_end` finds, with the syntax tree kept."""
    try:
        tree = parse(source)                                                          # syntax.SongFile
    except SongError as err:
        return Analysis(None, None, tuple(err.diagnostics))
    sink = DiagnosticSink()
    try:
        song = _resolved_and_checked(tree, library, options, sink)
    except SongError as err:
        return Analysis(tree, None, tuple(err.diagnostics))
    return Analysis(tree, song, _sorted(sink.warnings))


def _resolved_and_checked(tree: S.SongFile, library: Library, options: FrontOptions,
                          sink: DiagnosticSink) -> ir.Song:
    song = resolve(tree, library, sink, transpose=options.transpose, tempo=options.tempo, key=options.key)
    return check(song, sink)                                                          # ir.Song


def _sorted(diagnostics: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=Diagnostic.sort_key))


def build(source: Source, library: Library, out_dir: Path, options: BuildOptions = BuildOptions(),
          checked: Checked | None = None, shared_cache: Path | None = None) -> dict:
    """Compile one song into `out_dir`: song.mid, report.json, report.html and, unless MIDI-only, stems
    and master. `checked` is the song's front end if the caller has run it already (to show its
    warnings first). `shared_cache` is a render cache that other builds use too (a batch's): raw
    stems and SoundFont hashes are kept there rather than in `out_dir/.cache`, so a stem one build
    rendered is not rendered again by another; the mix cache stays in `out_dir/.cache`.

    Returns the report that was written. The files are made in a staging folder inside `out_dir` and
    moved into place together (`outputs.Staging`), so an interrupted build leaves the previous set.
    If `out_dir` holds this very build already (`uptodate`), nothing is written and its report is returned.

    Raises:
        OutputError: `out_dir` is or holds one of the song's sources, or lies in a `.cache` (before any work).
    """
    from .outputs import Staging, check_out_dir, is_up_to_date, recover
    from .uptodate import build_key

    check_out_dir(out_dir, [source.path, *library.sources])
    song = (checked or front_end(source, library, options.front)).song          # ir.Song
    song = _with_master(_with_format(song, options.format), options.master)
    if not song.bars:  # nothing to hear (warning W003): a MIDI build, not a master of no samples
        options = replace(options, midi_only=True)
    soundfont = None if options.midi_only else _soundfonts(source, song, options, shared_cache or out_dir / ".cache")
    key = build_key(source, library, options.key_fields(), soundfont)
    if out_dir.is_dir():
        recover(out_dir)  # what killed builds left, first: a committed one changes what is up to date
    if is_up_to_date(out_dir, key):
        if options.on_up_to_date is not None:
            options.on_up_to_date()
        return _previous_report(out_dir)
    with Staging(out_dir, replaces_audio=not options.midi_only) as staging:
        report = _build_into(source, song, staging.folder, out_dir, options, soundfont, shared_cache)
        staging.commit(_written(report), key)
    return report


def _soundfonts(source: Source, song: ir.Song, options: BuildOptions, memo: Path) -> dict:
    """The build's SoundFonts: the default file, the tracks that use another, and each file's identity
    (name, size, content hash, its hash remembered in `memo`; RenderError if one cannot be read)."""
    from .audio import soundfont_identity

    default, by_track = soundfont_plan(source, song, options)
    files = sorted({default, *by_track.values()})
    return {"default": str(default), "by_track": {name: str(path) for name, path in by_track.items()},
            "files": {str(path): soundfont_identity(path, memo) for path in files}}


def _previous_report(out_dir: Path) -> dict:
    import json

    return json.loads((out_dir / "report.json").read_text(encoding="utf-8"))


def _build_into(source: Source, song: ir.Song, folder: Path, out_dir: Path, options: BuildOptions,
                soundfont: dict | None, shared_cache: Path | None = None) -> dict:
    """Write every output of one build into `folder` (the staging folder for `out_dir`) and return the
    report. A stem that `out_dir` already holds as it should be is left there, not written again."""
    from .report import as_written, write_report
    from .report_html import write_page

    timeline, midi_file, report = _midi(source, song, folder, options)
    if soundfont is not None:
        from .audio import build_audio

        audio = build_audio(timeline, folder, soundfont=Path(soundfont["default"]),
                            identity=soundfont["files"][soundfont["default"]], cache_dir=out_dir / ".cache",
                            progress=options.progress, unchanged_in=out_dir, stems=options.stems,
                            shared_stems=shared_cache / "stems" if shared_cache else None,
                            track_soundfonts={name: (Path(path), soundfont["files"][path])
                                              for name, path in soundfont["by_track"].items()})
        _merge_audio(report, audio)
    write_report(report, folder / "report.json")                                # report.json
    write_page(folder, (as_written(report), midi_file), kept=out_dir)          # report.html
    return report


def _written(report: dict) -> list[str]:
    """The files one build wrote, relative to its folder."""
    audio = []
    if "master" in report:
        audio = [report["master"]["file"], *(stem["file"] for stem in report["stems"])]
        audio += [report["reverb"]["file"]] if report.get("reverb") else []  # stems/reverb.wav
    return ["song.mid", "report.json", "report.html", *audio]


def _midi(source: Source, song: ir.Song, out_dir: Path,
          options: BuildOptions) -> tuple[Timeline, mido.MidiFile, dict]:
    """Arrange, write song.mid, and make the MIDI part of the report."""
    from .arrange import ArrangeOptions, arrange
    from .midi import to_midi, write_midi
    from .report import midi_report

    arrange_options = ArrangeOptions(seed=options.seed, mute=options.mute, solo=options.solo,
                                     count_in=options.count_in)
    timeline = arrange(song, arrange_options)                                  # timeline.Timeline
    midi_file = to_midi(timeline)                                               # mido.MidiFile
    write_midi(midi_file, out_dir / "song.mid")                                 # song.mid
    report = midi_report(timeline, source=Path(source.path).name, key=f"{song.key.tonic} {song.key.mode}",
                         tempo=float(song.tempo), style=song.style.name, composer=song.composer)
    return timeline, midi_file, report


def _merge_audio(report: dict, audio: dict) -> None:
    """Add the audio fragment to the MIDI report; section loudness joins the sections it measures."""
    for section, measured in zip(report["sections"], audio.pop("sections"), strict=True):
        section["short_term_lufs"] = measured["short_term_median_lufs"]
    report.update(audio)


def _with_format(song: ir.Song, fmt: str | None) -> ir.Song:
    if fmt is None:
        return song
    return song.model_copy(update={"master": song.master.model_copy(update={"format": fmt})})


def _with_master(song: ir.Song, preset: str | None) -> ir.Song:
    """The song with the master preset `preset` (its loudness target and ceiling) over its own."""
    if preset is None:
        return song
    from .mixspec import MASTER_PRESETS

    target, ceiling = MASTER_PRESETS[preset]
    update = {"preset": preset, "target_lufs": target, "ceiling_dbtp": ceiling}
    return song.model_copy(update={"master": song.master.model_copy(update=update)})


def soundfont_plan(source: Source, song: ir.Song, options: BuildOptions) -> tuple[Path, dict[str, Path]]:
    """(the default SoundFont, {track: the file it uses instead}).

    `--soundfont` renders every track. Otherwise a track's own `soundfont` (from its track or mix line,
    in the song or the style) wins, then the song's `soundfont` line (relative to the song), then the
    defaults: DEFAULT_SOUNDFONT for pitched parts, DEFAULT_KIT_SOUNDFONT for drum kits and the count-in.
    """
    if options.soundfont is not None:
        return options.soundfont, {}
    default = Path(source.path).parent / song.soundfont if song.soundfont is not None else DEFAULT_SOUNDFONT
    by_track = {}
    for track in song.tracks:
        if track.sound.soundfont is not None:
            by_track[track.name] = find_soundfont(track.sound.soundfont, Path(source.path).parent)
        elif track.is_drums and song.soundfont is None:
            by_track[track.name] = DEFAULT_KIT_SOUNDFONT
    if song.soundfont is None:
        from .outputs import COUNT_IN_TRACK

        by_track.setdefault(COUNT_IN_TRACK, DEFAULT_KIT_SOUNDFONT)
    return default, by_track


def find_soundfont(name: str, song_folder: Path) -> Path:
    """A track's `soundfont "NAME"`: in the song's folder, else the first system SoundFont folder holding it
    (a name found nowhere is looked for in the song's folder, so the error names that place)."""
    for folder in (song_folder, *SOUNDFONT_FOLDERS):
        if (folder / name).is_file():
            return folder / name
    return song_folder / name