"""Unit tests of compiler.arrange's pieces: grid and swing, voicings, harmony, humanize, channels; its doctests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import random
import zlib
from fractions import Fraction

import pytest

import compiler.arrange
from compiler import ir
from compiler.arrange.context import Hit
from compiler.arrange.grid import Step, layout, split, swung
from compiler.arrange.feel import Feel, feel_for
from compiler.arrange.humanize import humanize, rng_for, tidy
from compiler.arrange.melody import fold, harmonize
from compiler.arrange.patterns import level_part
from compiler.arrange.voicing import KINDS, MUD_GAP, MUD_LINE, candidates, lead, movement
from compiler.chords import parse_chord
from compiler.instruments import ChannelsFull, allocate_channels
from compiler.pitch import Key
from compiler.resolve.chart import chord_ir

C_MAJOR = Key("C", "major")
HALF = Fraction(1, 2)


def chord(symbol: str) -> ir.Chord:
    return chord_ir(parse_chord(symbol, C_MAJOR))


@pytest.mark.parametrize("module", sorted(m.name for m in pkgutil.iter_modules(compiler.arrange.__path__)))
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"compiler.arrange.{module}"))
    assert result.failed == 0


# -- grid ------------------------------------------------------------------------------------------

def test_swing_moves_off_beat_eighths_and_sixteenths() -> None:
    swing = Fraction(62, 100)
    eighth, sixteenth, triplet = Fraction(240), Fraction(120), Fraction(160)
    assert swung(Fraction(1200), eighth, swing) == 960 + swing * 480
    assert swung(Fraction(960), eighth, swing) == 960
    assert swung(Fraction(120), sixteenth, swing) == swing * 240
    assert swung(Fraction(360), sixteenth, swing) == 240 + swing * 240
    assert swung(Fraction(240), sixteenth, swing) == 240
    assert swung(Fraction(160), triplet, swing) == 160  # triplets are already swung


def test_a_grid_keeps_its_step_length_and_is_cut_to_a_shorter_bar() -> None:
    laid = layout("xoxoxoXo", 1920, 1440, HALF)
    assert [(start, end, char) for start, end, char, _ in laid] == [
        (0, 240, "x"), (240, 480, "o"), (480, 720, "x"), (720, 960, "o"), (960, 1200, "x"), (1200, 1440, "o")]


def test_a_grid_cycles_through_a_longer_bar() -> None:
    laid = layout("RWWA", 1920, 2400, HALF)
    assert "".join(char for _, _, char, _ in laid) == "RWWAR"
    assert laid[-1][:2] == (1920, 2400)


def test_swing_shortens_the_off_beat_step() -> None:
    laid = layout("x.x.", 960, 960, Fraction(66, 100))
    assert [(start, end) for start, end, _, _ in laid] == [(0, 317), (317, 480), (480, 797), (797, 960)]
    assert [offset for _, _, _, offset in laid] == [0, 240, 480, 720]


def test_split_cuts_steps_at_changes() -> None:
    steps = [Step(0, 960, "x", 0, 0), Step(960, 1920, ".", 960, 0)]
    assert [(s.start, s.end, s.char, s.offset) for s in split(steps, [480, 960, 1440])] == [
        (0, 480, "x", 0), (480, 960, "-", 480), (960, 1440, ".", 960), (1440, 1920, ".", 1440)]


# -- voicings --------------------------------------------------------------------------------------

ALLOWED_CHORDS = ("Dm7", "G7", "Cmaj7", "F#m7b5", "B7b9", "E7alt", "Am6", "C", "Ebdim7", "Bb7sus", "D7/F#", "Ab13")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("symbol", ALLOWED_CHORDS)
def test_candidates_use_chord_tones_fit_the_register_and_are_not_muddy(kind: str, symbol: str) -> None:
    spec = chord(symbol)
    allowed = {(spec.root_pc + i) % 12 for i in spec.intervals + spec.tensions}
    found = candidates(spec, kind, (48, 79))
    assert found
    for voicing in found:
        assert {p % 12 for p in voicing} <= allowed, voicing
        assert 48 <= min(voicing) and max(voicing) <= 79
        assert list(voicing) == sorted(voicing)
        assert not any(a < MUD_LINE and b - a < MUD_GAP for a, b in zip(voicing, voicing[1:]))


def test_voicing_kinds_choose_their_tones() -> None:
    g7 = chord("G7")
    assert all({p % 12 for p in v} == {11, 5, 9, 4} for v in candidates(g7, "rootless", (48, 79)))  # 3 7 9 13
    assert all(v[0] % 12 == 7 and len(v) == 3 for v in candidates(g7, "shell", (48, 79)))
    assert candidates(chord("C"), "power", (48, 72)) == ((48, 55, 60), (60, 67, 72))
    spread = candidates(chord("Cmaj7"), "spread", (36, 84))
    assert all(v[0] % 12 == 0 and v[1] - v[0] >= MUD_GAP for v in spread)
    assert all(max(v) - min(v) > 12 for v in candidates(chord("Cmaj7"), "open", (36, 84)))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("symbol", ["Fmaj7", "Cmaj9", "Am(maj7)", "E7b9", "Bbmaj7#11", "Dm9", "G7#9b13", "C69"])
def test_no_voicing_holds_a_minor_ninth_but_a_dominants_b9_over_its_root(kind: str, symbol: str) -> None:
    found = chord(symbol)
    dominant = {(found.root_pc + 4) % 12, (found.root_pc + 10) % 12} <= {(found.root_pc + i) % 12 for i in found.intervals}
    for register in ((48, 84), (40, 79), (36, 84)):
        for voicing in candidates(found, kind, register):
            rubs = [(a, b) for k, a in enumerate(voicing) for b in voicing[k + 1:] if b - a > 12 and (b - a) % 12 == 1]
            assert all(dominant and a % 12 == found.root_pc for a, _ in rubs), (symbol, kind, voicing)


def test_a_register_too_narrow_still_gets_a_voicing() -> None:
    assert candidates(chord("Cmaj7"), "close", (60, 64)) == ((60, 64),)


def test_lead_takes_the_nearest_voicing() -> None:
    options = candidates(chord("G7"), "rootless", (48, 79))
    dm7 = (53, 57, 60, 64)  # F A C E
    assert lead(dm7, options, 60) == (53, 57, 59, 64)  # F A B E: one voice moves a half step
    assert movement(dm7, lead(dm7, options, 60)) == 1
    assert abs(sum(lead(None, options, 60)) / 4 - 60) <= 3


def test_movement_pairs_voices_in_order() -> None:
    assert movement((48, 52, 55), (47, 50, 53, 55)) == 2
    assert movement((60, 64), (60, 64)) == 0


# -- patterns --------------------------------------------------------------------------------------

def part(name: str) -> ir.PatternPart:
    return ir.PatternPart(lanes=(ir.Lane(name="comp", steps=(name,)),))


def test_a_missing_level_falls_back_to_the_nearest_lower_then_to_any() -> None:
    pattern = ir.PatternDef(name="p", role="comp", levels=(None, part("x"), part("xx")))
    assert level_part(pattern, 1) == part("x")
    assert level_part(pattern, 3) == part("xx")
    pattern = ir.PatternDef(name="p", role="comp", levels=(part("x"), None, None))
    assert level_part(pattern, 3) == part("x")


# -- melody ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("pitch", "interval", "above", "expected"), [
    (64, 3, False, 60),  # E4: a 3rd below is C4
    (60, 3, False, 57),  # C4: A3
    (71, 3, True, 74),   # B4: D5
    (64, 6, False, 55),  # E4: a 6th below is G3
    (65, 6, True, 74),   # F4: D5
    (66, 3, True, 69),   # F#4 is chromatic: a minor 3rd up reaches A4, in the scale
    (61, 3, False, 57),  # C#4: a major 3rd down reaches A3
])
def test_harmony_is_diatonic_in_the_key(pitch: int, interval: int, above: bool, expected: int) -> None:
    assert harmonize(pitch, ir.Harmony(interval=interval, above=above), C_MAJOR) == expected


def test_harmony_of_a_chromatic_note_follows_the_chord() -> None:
    a_minor = Key("A", "minor")
    third_above = ir.Harmony(interval=3, above=True)
    assert harmonize(72, ir.Harmony(interval=3), a_minor) == 69  # C5 -> A4
    assert harmonize(68, third_above, a_minor, frozenset({4, 8, 11, 2})) == 71  # G#4 over E7 -> B4
    assert harmonize(68, third_above, C_MAJOR, frozenset({5, 8, 0})) == 72  # Ab4 over Fm -> C5
    assert harmonize(68, third_above, C_MAJOR) == 72  # no chord: the major 3rd, in the scale


def test_fold_moves_by_octaves_into_the_register() -> None:
    assert fold(40, (55, 80)) == 64
    assert fold(90, (55, 80)) == 78
    assert fold(60, (62, 65)) == 72  # a register narrower than an octave: as close as it gets


# -- feel ------------------------------------------------------------------------------------------

def test_feel_by_tempo_and_role() -> None:
    bass = ir.TrackDef(name="bass", instrument="acoustic_bass", program=32, role="bass")
    piano = ir.TrackDef(name="piano", instrument="acoustic_grand", program=0, role="comp")
    drums = ir.TrackDef(name="drums", instrument="jazz_kit", program=32, role="drums", is_drums=True)
    slow, fast = Fraction(66), Fraction(240)
    assert feel_for(bass, fast).offset < feel_for(bass, slow).offset <= 0  # a hair ahead, more when fast
    assert feel_for(piano, slow).offset > 0 == feel_for(piano, fast).offset  # behind in a ballad
    assert feel_for(drums, fast).offset == feel_for(drums, slow).offset == 0  # the ride on top
    # the same few milliseconds of jitter: fewer ticks when slow
    assert feel_for(drums, slow).jitter < feel_for(drums, Fraction(120)).jitter < feel_for(drums, fast).jitter
    assert feel_for(drums, fast).squeeze < 1.0 == feel_for(drums, Fraction(120)).squeeze
    pushed = piano.model_copy(update={"timing_ms": Fraction(-4)})
    assert feel_for(pushed, Fraction(120)).offset == -4  # 4 ms at 120 BPM, about 4 ticks


def test_the_feel_moves_onsets_keeps_ends_and_squeezes_velocities() -> None:
    feel = Feel(jitter=12, offset=-10, squeeze=0.5)
    moved = humanize([Hit(480, 480, 60, 120), Hit(0, 240, 64, 40)], 1e-9, random.Random(1), False, feel=feel)
    assert moved == [Hit(0, 240, 64, 60), Hit(470, 490, 60, 100)]


def test_humanize_moves_downbeats_half_as_far() -> None:
    hits = [Hit(1920 * b, 60, 60, 80) for b in range(200)]
    free = humanize(hits, 1.0, random.Random(2), drums=False, timing=20)
    held = humanize(hits, 1.0, random.Random(2), drums=False, timing=20, downbeats=frozenset(h.start for h in hits))
    assert max(abs(a.start - h.start) for a, h in zip(free, hits)) > 10
    assert max(abs(a.start - h.start) for a, h in zip(held, hits)) <= 10


# -- humanize --------------------------------------------------------------------------------------

HITS = [Hit(0, 480, 60, 80), Hit(0, 480, 64, 80), Hit(480, 240, 36, 100), Hit(480, 60, 42, 70),
        Hit(960, 30, 38, 40), Hit(1440, 480, 67, 90)]


def test_humanize_is_seeded_and_bounded() -> None:
    first = humanize(HITS, 1.0, rng_for(3, "piano"), drums=False)
    assert first == humanize(HITS, 1.0, rng_for(3, "piano"), drums=False)
    assert first != humanize(HITS, 1.0, rng_for(4, "piano"), drums=False)
    assert first != humanize(HITS, 1.0, rng_for(3, "bass"), drums=False)
    for before, after in zip(sorted(HITS), first):
        assert after.start >= 0 and after.dur > 0
        assert abs(after.start - before.start) <= 12 and abs(after.velocity - before.velocity) <= 10
    assert first[0].start == first[1].start  # one chord, one gesture
    assert humanize(HITS, 0.0, rng_for(3, "piano"), drums=False) == HITS


def test_humanize_keeps_note_ends_and_tightens_kick_and_hat() -> None:
    moved = humanize([Hit(480, 480, 60, 80)], 1.0, random.Random(1), drums=False)[0]
    assert moved.start + moved.dur == 960
    drums = humanize([Hit(480, 60, 36, 90), Hit(480, 60, 49, 90)], 1.0, random.Random(5), drums=True)
    kick, crash = sorted(drums, key=lambda h: h.pitch)
    assert abs(kick.start - 480) <= abs(crash.start - 480) / 2 + 1


def test_rng_streams_come_from_crc32_not_hash() -> None:
    expected = random.Random(7 * 2**32 + zlib.crc32(b"bass")).random()
    assert rng_for(7, "bass").random() == expected


def test_tidy_cuts_overlaps_and_drops_doubles() -> None:
    tidied = tidy([Hit(0, 600, 60, 80), Hit(480, 480, 60, 70), Hit(480, 100, 60, 90), Hit(0, 0, 62, 80)])
    assert tidied == [Hit(0, 480, 60, 80), Hit(480, 100, 60, 90)]


# -- channels --------------------------------------------------------------------------------------

def track(name: str, program: int, drums: bool = False) -> ir.TrackDef:
    return ir.TrackDef(name=name, instrument="kit" if drums else "x", program=program, is_drums=drums,
                       bank=128 if drums else 0, role="drums" if drums else "comp")


def test_channels_skip_nine_and_share_a_sound_when_full() -> None:
    tracks = (track("d", 0, drums=True), *(track(f"t{n}", n % 15) for n in range(16)))
    assert allocate_channels(tracks) == [9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 0]
    with pytest.raises(ChannelsFull, match="channels are taken") as full:
        allocate_channels((*tracks, track("new", 99)))
    assert full.value.index == len(tracks)
