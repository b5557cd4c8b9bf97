"""Tests for compiler.midi: golden summary, round trip, ordering rules, determinism, pretty_midi timing."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import mido
import pretty_midi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.midi import key_name, note_message, summarize, to_midi, write_midi
from compiler.timeline import (ChordMark, Control, KeyPoint, Marker, MeterPoint, Note, TempoMap,
                               TempoPoint, Timeline, Track)

GOLDEN = Path(__file__).parent / "golden" / "midi"


def notes(*specs: tuple[int, int, int, int]) -> tuple[Note, ...]:
    """Notes from (start, dur, pitch, velocity) tuples."""
    return tuple(Note(start=s, dur=d, pitch=p, velocity=v) for s, d, p, v in specs)


BASS_NOTES = notes((0, 480, 48, 96), (480, 480, 48, 90), (960, 960, 41, 100), (1920, 1920, 43, 80))
DRUM_NOTES = notes((0, 60, 36, 110), (0, 60, 42, 70), (320, 60, 42, 60), (480, 60, 38, 100))
PIANO_NOTES = notes((0, 960, 63, 70), (0, 960, 58, 72), (960, 960, 57, 70), (960, 960, 63, 72))


def small_band(bass_notes: tuple[Note, ...] = BASS_NOTES) -> Timeline:
    """Two bars of "Autumn Leaves": a tempo change, two passes of A, a chord per half bar, N.C."""
    return Timeline(
        title="Autumn Leaves", end_tick=3840, bars=2,
        tempos=(TempoPoint(tick=0, bpm=Fraction(132)), TempoPoint(tick=1920, bpm=Fraction(120))),
        meters=(MeterPoint(tick=0, numerator=4, denominator=4),),
        keys=(KeyPoint(tick=0, tonic="G", mode="minor"),),
        markers=(Marker(tick=0, label="A", pass_no=1, first_bar=1, last_bar=1),
                 Marker(tick=1920, label="A", pass_no=2, first_bar=2, last_bar=2)),
        chords=(ChordMark(tick=0, bar=1, beat=Fraction(0), symbol="Cm7", root="C",
                          pitch_classes=(0, 3, 7, 10)),
                ChordMark(tick=960, bar=1, beat=Fraction(2), symbol="F7", root="F",
                          pitch_classes=(5, 9, 0, 3)),
                ChordMark(tick=1920, bar=2, beat=Fraction(0), symbol="NC", root=None)),
        tracks=(Track(name="bass", instrument="acoustic_bass", program=32, channel=0, role="bass",
                      notes=bass_notes),
                Track(name="drums", instrument="jazz_kit", program=32, bank=128, channel=9,
                      is_drums=True, role="drums", notes=DRUM_NOTES),
                Track(name="piano", instrument="electric_piano_1", program=4, channel=1, muted=True,
                      notes=PIANO_NOTES, controls=(Control(tick=0, controller=64, value=127),
                                                   Control(tick=1920, controller=64, value=0)))))


def midi_bytes(midi_file: mido.MidiFile) -> bytes:
    buffer = io.BytesIO()
    midi_file.save(file=buffer)
    return buffer.getvalue()


def events(midi_file: mido.MidiFile, index: int) -> list[tuple[int, mido.Message]]:
    """(absolute tick, message) pairs of one track."""
    tick, out = 0, []
    for msg in midi_file.tracks[index]:
        tick += msg.time
        out.append((tick, msg))
    return out


def test_golden_summary() -> None:
    text = summarize(to_midi(small_band()))
    golden = GOLDEN / "small_band.midi.txt"
    if not golden.exists():
        pytest.fail(f"missing golden {golden}; review this output and save it there:\n{text}")
    normalize = lambda s: [" ".join(line.split()) for line in s.strip().splitlines()]  # noqa: E731
    assert normalize(text) == normalize(golden.read_text(encoding="utf-8"))


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    midi_file = to_midi(small_band())
    path = tmp_path / "song.mid"
    write_midi(midi_file, path)
    assert summarize(mido.MidiFile(path, charset="utf-8")) == summarize(midi_file)
    assert [p.name for p in tmp_path.iterdir()] == ["song.mid"]  # no temp file left behind


def test_note_off_before_note_on_at_the_same_tick_and_pitch() -> None:
    bass = events(to_midi(small_band()), 1)
    at_480 = [msg.type for tick, msg in bass if tick == 480 and msg.type.startswith("note")]
    assert at_480 == ["note_off", "note_on"]


def test_meta_events_before_channel_events() -> None:
    for index in range(1, 4):
        kinds = [msg.is_meta for tick, msg in events(to_midi(small_band()), index) if tick == 0]
        assert kinds == sorted(kinds, reverse=True)


def test_bank_and_program_before_controls_before_notes() -> None:
    piano = [msg for tick, msg in events(to_midi(small_band()), 3) if tick == 0 and not msg.is_meta]
    assert [(m.type, getattr(m, "control", None)) for m in piano[:3]] == [
        ("control_change", 0), ("program_change", None), ("control_change", 7)]
    assert [m.control for m in piano if m.type == "control_change"][1:] == [7, 10, 64, 91]  # mix, then the track's own


def test_drums_on_channel_9_with_kit_program_and_bank_0() -> None:
    drums = [msg for _, msg in events(to_midi(small_band()), 2) if not msg.is_meta]
    assert {msg.channel for msg in drums} == {9}
    assert drums[0].dict() == {"type": "control_change", "time": 0, "channel": 9, "control": 0, "value": 0}
    assert drums[1].program == 32


def test_muted_track_is_written_and_marked() -> None:
    piano = events(to_midi(small_band()), 3)
    assert (0, "muted") in [(tick, msg.text) for tick, msg in piano if msg.type == "text"]
    assert sum(msg.type == "note_on" for _, msg in piano) == 4


def test_track_ends_at_last_event_and_conductor_at_end_tick() -> None:
    midi_file = to_midi(small_band())
    assert events(midi_file, 0)[-1] == (3840, mido.MetaMessage("end_of_track", time=1920))
    assert events(midi_file, 2)[-1][0] == 540


def test_non_drum_track_on_channel_9_is_refused() -> None:
    band = small_band()
    keys = band.tracks[2].model_copy(update={"channel": 9})
    with pytest.raises(ValueError, match="channel 9"):
        to_midi(band.model_copy(update={"tracks": (band.tracks[0], keys)}))


def test_two_programs_on_one_channel_are_refused() -> None:
    band = small_band()
    keys = band.tracks[2].model_copy(update={"channel": 0})
    with pytest.raises(ValueError, match="share channel 0"):
        to_midi(band.model_copy(update={"tracks": (band.tracks[0], keys)}))


@settings(max_examples=20, deadline=None)
@given(st.permutations(BASS_NOTES + notes((480, 240, 55, 90))))
def test_output_does_not_depend_on_note_order(shuffled: list[Note]) -> None:
    by_pitch = tuple(sorted(shuffled, key=lambda n: n.pitch))
    assert midi_bytes(to_midi(small_band(tuple(shuffled)))) == midi_bytes(to_midi(small_band(by_pitch)))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(("note_on", "note_off")), st.integers(0, 15), st.integers(0, 127), st.integers(0, 127),
       st.integers(0, 2**28 - 1))
def test_note_message_is_the_message_mido_builds(type_: str, channel: int, note: int, velocity: int,
                                                 time: int) -> None:
    fast = note_message(type_, time, channel, note, velocity)
    checked = mido.Message(type_, channel=channel, note=note, velocity=velocity, time=time)
    assert list(vars(fast).items()) == list(vars(checked).items())  # same attributes, in mido's order
    assert fast == checked and fast.bin() == checked.bin()


def through_midos_constructors(midi_file: mido.MidiFile) -> mido.MidiFile:
    """`midi_file` with every message rebuilt by mido's own, checking constructor."""
    def rebuilt(msg: mido.Message | mido.MetaMessage) -> mido.Message | mido.MetaMessage:
        kind = mido.MetaMessage if msg.is_meta else mido.Message
        return kind(msg.type, **{k: v for k, v in vars(msg).items() if k != "type"})
    return mido.MidiFile(type=1, ticks_per_beat=midi_file.ticks_per_beat, charset=midi_file.charset,
                         tracks=[mido.MidiTrack(rebuilt(msg) for msg in track) for track in midi_file.tracks])


@settings(max_examples=20, deadline=None)
@given(st.permutations(BASS_NOTES + notes((480, 240, 55, 90), (0, 1, 127, 127), (3839, 1, 0, 1))))
def test_file_is_byte_identical_to_one_built_through_midos_constructors(shuffled: list[Note]) -> None:
    midi_file = to_midi(small_band(tuple(shuffled)))
    assert midi_bytes(midi_file) == midi_bytes(through_midos_constructors(midi_file))


def test_tempo_ramp_gives_one_set_tempo_per_step() -> None:
    ramp = tuple(TempoPoint(tick=480 * i, bpm=Fraction(100 + 5 * i)) for i in range(4))
    midi_file = to_midi(small_band().model_copy(update={"tempos": ramp}))
    tempos = [(tick, msg.tempo) for tick, msg in events(midi_file, 0) if msg.type == "set_tempo"]
    assert tempos == [(0, 600000), (480, 571429), (960, 545455), (1440, 521739)]


def test_pretty_midi_reads_the_file_and_agrees_on_its_length(tmp_path: Path) -> None:
    ramp = tuple(TempoPoint(tick=480 * i, bpm=Fraction(90) + Fraction(7, 3) * i) for i in range(8))
    band = small_band().model_copy(update={"tempos": ramp})
    path = tmp_path / "song.mid"
    write_midi(to_midi(band), path)
    pm = pretty_midi.PrettyMIDI(str(path))
    assert abs(pm.get_end_time() - TempoMap(ramp, band.ppq).seconds(band.end_tick)) < 1e-3
    assert [(i.name, i.is_drum, i.program) for i in pm.instruments] == [
        ("bass", False, 32), ("drums", True, 32), ("piano", False, 4)]


@pytest.mark.parametrize(("tonic", "mode", "name"), [
    ("G", "minor", "Gm"), ("Bb", "major", "Bb"), ("D", "dorian", "C"), ("A", "mixolydian", "D"),
    ("F#", "minor", "F#m"), ("G#", "major", "Ab"), ("Gb", "minor", "F#m"), ("B", "locrian", "C"),
])
def test_key_names(tonic: str, mode: str, name: str) -> None:
    assert key_name(KeyPoint(tick=0, tonic=tonic, mode=mode)) == name


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        key_name(KeyPoint(tick=0, tonic="C", mode="bebop"))


def test_compound_meter_clicks_on_the_dotted_quarter() -> None:
    midi_file = to_midi(small_band().model_copy(
        update={"meters": (MeterPoint(tick=0, numerator=6, denominator=8),)}))
    meter = next(msg for _, msg in events(midi_file, 0) if msg.type == "time_signature")
    assert (meter.numerator, meter.denominator, meter.clocks_per_click) == (6, 8, 36)


def test_song_mid_carries_each_tracks_volume_pan_and_reverb_send():
    from compiler.mixspec import TrackSound

    base = small_band()
    tracks = list(base.tracks)
    tracks[0] = tracks[0].model_copy(update={"sound": TrackSound(volume_db=-6, pan=-100, reverb_send=0.25)})
    midi = to_midi(base.model_copy(update={"tracks": tuple(tracks)}))
    controls = {msg.control: msg.value for msg in midi.tracks[1] if msg.type == "control_change" and msg.control != 0}
    assert controls == {7: round(100 * 10 ** (-6 / 40)), 10: 0, 91: 32}
    loud = [t.model_copy(update={"sound": TrackSound(volume_db=12, pan=100)}) for t in base.tracks]
    values = {(msg.control, msg.value) for msg in to_midi(base.model_copy(update={"tracks": tuple(loud)})).tracks[1]
              if msg.type == "control_change"}
    assert (7, 127) in values and (10, 127) in values  # clamped to the MIDI range
