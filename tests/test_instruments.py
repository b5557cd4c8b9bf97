"""Tests for compiler.instruments (GM tables, lookup) and compiler.suggest (did-you-mean)."""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler import instruments
from compiler.instruments import (
    DRUM_BANK,
    DRUM_PIECES,
    INSTRUMENTS,
    Instrument,
    drum_piece_names,
    find_drum_piece,
    find_instrument,
    instrument_names,
    normalize,
)
from compiler.suggest import did_you_mean, suggestion_text

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
MELODIC = tuple(i for i in INSTRUMENTS if not i.is_drums)
KITS = tuple(i for i in INSTRUMENTS if i.is_drums)
FAMILIES = (
    "piano", "chromatic_percussion", "organ", "guitar", "bass", "strings", "ensemble", "brass",
    "reed", "pipe", "synth_lead", "synth_pad", "synth_effects", "ethnic", "percussive",
    "sound_effects",
)
EXPECTED_KITS = {
    "standard_kit": 0, "room_kit": 8, "power_kit": 16, "electronic_kit": 24, "tr808_kit": 25,
    "jazz_kit": 32, "brush_kit": 40, "orchestra_kit": 48,
}


def _sf2_presets(path: Path) -> dict[tuple[int, int], str]:
    """Read (bank, program) -> preset name from a SoundFont's 'phdr' chunk (SF2 spec 2.01, 7.2).

    Seeks past the sample data, so this is fast even for a 140 MB file.
    """
    with path.open("rb") as f:
        riff, _, kind = struct.unpack("<4sI4s", f.read(12))
        assert (riff, kind) == (b"RIFF", b"sfbk")
        while header := f.read(12):
            chunk, size, list_kind = struct.unpack("<4sI4s", header)
            if list_kind == b"pdta":
                return _phdr_records(f)
            f.seek(size - 4 + (size & 1), 1)
    raise AssertionError(f"{path} has no pdta chunk")


def _phdr_records(f: BinaryIO) -> dict[tuple[int, int], str]:
    """Walk the pdta sub-chunks to 'phdr' and decode its 38-byte records, minus the EOP sentinel."""
    while True:
        chunk, size = struct.unpack("<4sI", f.read(8))
        if chunk == b"phdr":
            data = f.read(size)
            break
        f.seek(size + (size & 1), 1)
    presets = {}
    for offset in range(0, size - 38, 38):
        name, program, bank = struct.unpack_from("<20sHH", data, offset)
        presets[(bank, program)] = name.split(b"\0", 1)[0].decode("latin-1")
    return presets


def _squash(label: str) -> str:
    """Compare GM labels ignoring case, spaces and punctuation ("SynthStrings" vs "Synth Strings")."""
    return re.sub(r"[^a-z0-9]", "", label.lower())


@pytest.fixture(scope="module")
def sf2_presets() -> dict[tuple[int, int], str]:
    """The installed FluidR3 SoundFont's presets; the renderer loads this file."""
    if not SOUNDFONT.is_file():
        pytest.skip(f"{SOUNDFONT} not installed (Debian package fluid-soundfont-gm; `make setup`)")
    return _sf2_presets(SOUNDFONT)


# --- melodic programs ---------------------------------------------------------------------------


def test_melodic_programs_are_exactly_0_to_127_in_bank_0():
    assert [i.program for i in MELODIC] == list(range(128))
    assert {i.bank for i in MELODIC} == {0}


def test_names_and_labels_unique():
    assert len({i.name for i in INSTRUMENTS}) == len(INSTRUMENTS)
    assert len({i.label for i in INSTRUMENTS}) == len(INSTRUMENTS)


def test_families_are_the_gm_groups_of_eight():
    for inst in MELODIC:
        assert inst.family == FAMILIES[inst.program // 8], inst


def test_canonical_names_are_snake_case_of_labels():
    for inst in MELODIC:
        assert inst.name == re.sub(r"[^a-z0-9]+", "_", inst.label.lower()).strip("_")
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", inst.name), inst.name


@pytest.mark.parametrize(
    ("name", "program"),
    [
        ("acoustic_grand_piano", 0), ("electric_piano_1", 4), ("honky_tonk_piano", 3),
        ("acoustic_guitar_nylon", 24), ("electric_bass_finger", 33), ("acoustic_bass", 32),
        ("synth_strings_1", 50), ("lead_1_square", 80), ("lead_8_bass_lead", 87),
        ("pad_2_warm", 89), ("fx_8_sci_fi", 103), ("gunshot", 127),
    ],
)
def test_canonical_name_examples(name, program):
    inst = find_instrument(name)
    assert (inst.name, inst.program, inst.bank) == (name, program, 0)


def test_labels_agree_with_pretty_midi_gm_map():
    """An independent copy of the GM list; it uses two non-standard labels, which we skip."""
    constants = pytest.importorskip("pretty_midi.constants")
    differs_in_pretty_midi = {7: "Clavinet", 54: "Synth Choir"}  # GM 1 says "Clavi", "Synth Voice"
    for inst in MELODIC:
        theirs = constants.INSTRUMENT_MAP[inst.program]
        if inst.program in differs_in_pretty_midi:
            assert theirs == differs_in_pretty_midi[inst.program]
        else:
            assert _squash(inst.label) == _squash(theirs), (inst, theirs)


def test_instrument_is_frozen():
    with pytest.raises(AttributeError):
        INSTRUMENTS[0].program = 5


# --- drum kits ----------------------------------------------------------------------------------


def test_drum_kits_in_bank_128():
    assert {i.name: i.program for i in KITS} == EXPECTED_KITS
    for kit in KITS:
        assert (kit.bank, kit.family, kit.is_drums) == (DRUM_BANK, "drums", True)
    assert DRUM_BANK == 128


def test_soundfont_has_every_kit(sf2_presets):
    for kit in KITS:
        assert (DRUM_BANK, kit.program) in sf2_presets, kit
    assert sf2_presets[(128, 25)] == "TR-808"
    assert sf2_presets[(128, 32)] == "Jazz"


def test_soundfont_has_every_melodic_program(sf2_presets):
    assert {p for (bank, p) in sf2_presets if bank == 0} == set(range(128))


# --- lookup and aliases -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("acoustic_grand", "acoustic_grand_piano"), ("piano", "acoustic_grand_piano"),
        ("grand_piano", "acoustic_grand_piano"), ("electric_piano", "electric_piano_1"),
        ("rhodes", "electric_piano_1"), ("wurlitzer", "electric_piano_2"),
        ("wurli", "electric_piano_2"), ("upright_bass", "acoustic_bass"),
        ("double_bass", "acoustic_bass"), ("fingered_bass", "electric_bass_finger"),
        ("electric_bass", "electric_bass_finger"), ("picked_bass", "electric_bass_pick"),
        ("synth_bass", "synth_bass_1"), ("nylon_guitar", "acoustic_guitar_nylon"),
        ("classical_guitar", "acoustic_guitar_nylon"), ("steel_guitar", "acoustic_guitar_steel"),
        ("acoustic_guitar", "acoustic_guitar_steel"), ("jazz_guitar", "electric_guitar_jazz"),
        ("clean_guitar", "electric_guitar_clean"), ("muted_guitar", "electric_guitar_muted"),
        ("overdrive_guitar", "overdriven_guitar"), ("distortion_guitar", "distortion_guitar"),
        ("strings", "string_ensemble_1"), ("synth_strings", "synth_strings_1"),
        ("organ", "drawbar_organ"), ("hammond", "drawbar_organ"), ("pad", "pad_2_warm"),
        ("warm_pad", "pad_2_warm"), ("sweep_pad", "pad_8_sweep"), ("alto_sax", "alto_sax"),
        ("tenor_sax", "tenor_sax"), ("soprano_sax", "soprano_sax"),
        ("baritone_sax", "baritone_sax"), ("trumpet", "trumpet"),
        ("muted_trumpet", "muted_trumpet"), ("trombone", "trombone"), ("flute", "flute"),
        ("clarinet", "clarinet"), ("vibes", "vibraphone"), ("vibraphone", "vibraphone"),
        ("marimba", "marimba"), ("choir", "choir_aahs"), ("brass", "brass_section"),
        ("synth_brass", "synth_brass_1"), ("lead", "lead_1_square"),
        ("square_lead", "lead_1_square"), ("saw_lead", "lead_2_sawtooth"),
        ("drums", "standard_kit"), ("kit", "standard_kit"), ("brushes", "brush_kit"),
        ("808", "tr808_kit"), ("jazz_kit", "jazz_kit"),
    ],
)
def test_musician_aliases(alias, name):
    assert find_instrument(alias).name == name


@pytest.mark.parametrize(
    "spelling", ["Acoustic Grand", "ACOUSTIC-GRAND", "acoustic grand", " acoustic__grand "]
)
def test_lookup_ignores_case_and_separators(spelling):
    assert find_instrument(spelling).name == "acoustic_grand_piano"


def test_kit_spellings():
    for spelling in ("TR-808", "tr-808 kit", "Jazz Kit", "jazz-kit"):
        assert find_instrument(spelling).is_drums, spelling


def test_unknown_instrument_is_none():
    assert find_instrument("theremin") is None
    assert find_instrument("") is None


def test_every_name_resolves_and_is_normalized():
    names = instrument_names()
    assert len(names) == len(set(names))
    for name in names:
        assert normalize(name) == name
        assert isinstance(find_instrument(name), Instrument)


def test_no_alias_shadows_another_canonical_name():
    canonical = {i.name: i for i in INSTRUMENTS}
    for name in instrument_names():
        if name in canonical:
            assert find_instrument(name) is canonical[name], name
    assert set(canonical) <= set(instrument_names())


def test_index_refuses_an_alias_for_two_instruments():
    with pytest.raises(ValueError, match="'keys' is defined twice"):
        instruments._build_index([("piano", 1), ("organ", 2)], {"piano": ("keys",), "organ": ("keys",)})


def test_index_refuses_an_alias_equal_to_another_canonical_name():
    with pytest.raises(ValueError, match="'organ' is defined twice"):
        instruments._build_index([("piano", 1), ("organ", 2)], {"piano": ("organ",)})


def test_index_refuses_unreachable_or_orphan_aliases():
    with pytest.raises(ValueError, match="not normalized"):
        instruments._build_index([("piano", 1)], {"piano": ("Grand Piano",)})
    with pytest.raises(ValueError, match="unknown names"):
        instruments._build_index([("piano", 1)], {"harp": ("lyre",)})


@given(st.sampled_from(instrument_names()), st.data())
def test_any_case_and_separator_variant_resolves(name, data):
    variant = "".join(
        data.draw(st.sampled_from(["_", "-", " "])) if ch == "_" else
        (ch.upper() if data.draw(st.booleans()) else ch)
        for ch in name
    )
    assert find_instrument(variant) is find_instrument(name)


# --- drum pieces --------------------------------------------------------------------------------

# Lane -> a word from the GM percussion map's name for its key (GM 1 Percussion Key Map).
GM_DRUM_WORDS = {
    "kick2": "Acoustic Bass Drum", "kick": "Bass Drum 1", "rim": "Side Stick",
    "snare": "Acoustic Snare", "clap": "Hand Clap", "snare2": "Electric Snare",
    "floor_lo": "Low Floor Tom", "hat": "Closed Hi", "floor": "High Floor Tom", "pedal": "Pedal",
    "tom_lo": "Low Tom", "open": "Open Hi", "tom_mid": "Low-Mid Tom", "tom_hi_mid": "Hi-Mid Tom",
    "crash": "Crash Cymbal 1", "tom_hi": "High Tom", "ride": "Ride Cymbal 1", "china": "Chinese",
    "bell": "Ride Bell", "tamb": "Tambourine", "splash": "Splash", "cowbell": "Cowbell",
    "crash2": "Crash Cymbal 2", "vibraslap": "Vibraslap", "ride2": "Ride Cymbal 2",
    "bongo_hi": "Hi Bongo", "bongo_lo": "Low Bongo", "conga_mute": "Mute Hi Conga",
    "conga_hi": "Open Hi Conga", "conga_lo": "Low Conga", "timbale_hi": "High Timbale",
    "timbale_lo": "Low Timbale", "agogo_hi": "High Agogo", "agogo_lo": "Low Agogo",
    "cabasa": "Cabasa", "shaker": "Maracas", "whistle": "Short Whistle",
    "whistle_long": "Long Whistle", "guiro": "Short Guiro", "guiro_long": "Long Guiro",
    "clave": "Claves", "block_hi": "Hi Wood Block", "block_lo": "Low Wood Block",
    "cuica_mute": "Mute Cuica", "cuica": "Open Cuica", "triangle_mute": "Mute Triangle",
    "triangle": "Open Triangle",
}


def test_drum_lanes_cover_gm_keys_35_to_81_once_each():
    assert sorted(DRUM_PIECES.values()) == list(range(35, 82))


def test_drum_lanes_match_gm_percussion_names():
    constants = pytest.importorskip("pretty_midi.constants")
    assert set(DRUM_PIECES) == set(GM_DRUM_WORDS)
    for lane, key in DRUM_PIECES.items():
        assert GM_DRUM_WORDS[lane] in constants.DRUM_MAP[key - 35], (lane, key)


def test_drum_pieces_read_only():
    with pytest.raises(TypeError):
        DRUM_PIECES["kick"] = 35


@pytest.mark.parametrize(
    ("name", "key"),
    [("kick", 36), ("KICK", 36), ("hihat", 42), ("Hi-Hat", 42), ("side stick", 37),
     ("maracas", 70), ("tambourine", 54), ("open_hat", 46), ("ride bell", 53)],
)
def test_find_drum_piece(name, key):
    assert find_drum_piece(name) == key


def test_drum_aliases_resolve_to_their_lanes_only():
    lanes = set(DRUM_PIECES)
    for name in drum_piece_names():
        assert find_drum_piece(name) in DRUM_PIECES.values()
        if name in lanes:
            assert find_drum_piece(name) == DRUM_PIECES[name]
    assert find_drum_piece("gong") is None


# --- did you mean -------------------------------------------------------------------------------

QUALITIES = ("maj", "m", "7", "maj7", "m7", "m7b5", "dim", "dim7", "aug", "sus2", "sus4", "6",
             "m6", "9", "maj9", "m9", "11", "13", "add9")


@pytest.mark.parametrize(
    ("typo", "expected"),
    [("acoustc_bass", "acoustic_bass"), ("pianno", "piano"), ("Rhodez", "rhodes"),
     ("wurly", "wurli"), ("jaz_kit", "jazz_kit"), ("trumpett", "trumpet")],
)
def test_did_you_mean_instruments(typo, expected):
    assert did_you_mean(typo, instrument_names()) == [expected]


def test_did_you_mean_qualities():
    for typo in ("mj9", "mja9", "ma9", "Maj9", "major9"):
        assert did_you_mean(typo, QUALITIES) == ["maj9"], typo
    assert did_you_mean("m7-5", QUALITIES) == ["m7b5"]
    # Equally close choices come out alphabetically.
    assert did_you_mean("sus", QUALITIES, n=2) == ["sus2", "sus4"]


def test_did_you_mean_prefix():
    assert did_you_mean("vibra", instrument_names(), n=3)[0] == "vibraphone"
    assert "vibraslap" in did_you_mean("vibra", drum_piece_names())


def test_did_you_mean_nothing_close():
    assert did_you_mean("zzzz", instrument_names()) == []
    assert did_you_mean("", QUALITIES) == []
    assert suggestion_text("qqqq", QUALITIES) is None


def test_did_you_mean_case_insensitive_keeps_spelling():
    assert did_you_mean("PIANNO", ["Piano", "Organ"]) == ["Piano"]


def test_did_you_mean_rejects_nonpositive_n():
    with pytest.raises(ValueError):
        did_you_mean("piano", ["piano"], n=0)


@given(st.permutations(QUALITIES), st.text(alphabet="majdis79b#", max_size=5))
def test_did_you_mean_order_independent(choices, word):
    assert did_you_mean(word, choices, n=4) == did_you_mean(word, QUALITIES, n=4)


def test_suggestion_text_wording():
    assert suggestion_text("maj9", ["maj7", "m7"]) == "did you mean 'maj7'?"
    assert suggestion_text("acoustc_bass", instrument_names()) == "did you mean 'acoustic_bass'?"
