"""instruments: the General MIDI programs, drum kits and drum-kit pieces, by the names .song files use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol, Sequence, TypeVar

DRUM_BANK = 128

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Instrument:
    """One playable sound: a GM melodic program or a drum kit.

    Attributes:
        name: Canonical snake_case name, e.g. "acoustic_grand_piano".
        program: 0-based program number, 0..127 (for kits, the kit number within bank 128).
        bank: 0 for melodic programs, 128 (`DRUM_BANK`) for drum kits.
        family: GM family, e.g. "piano", "synth_pad"; "drums" for kits.
        is_drums: True for kits, which play on MIDI channel 10.
        label: Display name, e.g. "Acoustic Grand Piano".
    """

    name: str
    program: int
    bank: int
    family: str
    is_drums: bool
    label: str


# The GM 1 sound set, eight programs per family in program order. Labels follow the GM 1 list,
# except "Synth Strings"/"Synth Brass" (GM prints "SynthStrings") so the names split into words.
_GM_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("piano", ("Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano",
               "Honky-tonk Piano", "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavi")),
    ("chromatic_percussion", ("Celesta", "Glockenspiel", "Music Box", "Vibraphone", "Marimba",
                              "Xylophone", "Tubular Bells", "Dulcimer")),
    ("organ", ("Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ", "Reed Organ",
               "Accordion", "Harmonica", "Tango Accordion")),
    ("guitar", ("Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)",
                "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar",
                "Distortion Guitar", "Guitar Harmonics")),
    ("bass", ("Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass",
              "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2")),
    ("strings", ("Violin", "Viola", "Cello", "Contrabass", "Tremolo Strings", "Pizzicato Strings",
                 "Orchestral Harp", "Timpani")),
    ("ensemble", ("String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2",
                  "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit")),
    ("brass", ("Trumpet", "Trombone", "Tuba", "Muted Trumpet", "French Horn", "Brass Section",
               "Synth Brass 1", "Synth Brass 2")),
    ("reed", ("Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax", "Oboe", "English Horn",
              "Bassoon", "Clarinet")),
    ("pipe", ("Piccolo", "Flute", "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi", "Whistle",
              "Ocarina")),
    ("synth_lead", ("Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
                    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)")),
    ("synth_pad", ("Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)",
                   "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)")),
    ("synth_effects", ("FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
                       "FX 5 (brightness)", "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)")),
    ("ethnic", ("Sitar", "Banjo", "Shamisen", "Koto", "Kalimba", "Bagpipe", "Fiddle", "Shanai")),
    ("percussive", ("Tinkle Bell", "Agogo", "Steel Drums", "Woodblock", "Taiko Drum", "Melodic Tom",
                    "Synth Drum", "Reverse Cymbal")),
    ("sound_effects", ("Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet",
                       "Telephone Ring", "Helicopter", "Applause", "Gunshot")),
)

# (name, kit number in bank 128, label). These are the GS kit numbers; FluidR3_GM.sf2 has a preset
# at each of them (plus numbered variants such as "Jazz 1".."Jazz 4" that we do not name).
_DRUM_KITS: tuple[tuple[str, int, str], ...] = (
    ("standard_kit", 0, "Standard Kit"),
    ("room_kit", 8, "Room Kit"),
    ("power_kit", 16, "Power Kit"),
    ("electronic_kit", 24, "Electronic Kit"),
    ("tr808_kit", 25, "TR-808 Kit"),
    ("jazz_kit", 32, "Jazz Kit"),
    ("brush_kit", 40, "Brush Kit"),
    ("orchestra_kit", 48, "Orchestra Kit"),
)

# What musicians type, by canonical name. Deliberately absent: bare "bass", "guitar" and "sax",
# which name no single GM program; the user gets a did-you-mean list instead of a silent guess.
_ALIASES: Mapping[str, tuple[str, ...]] = {
    "acoustic_grand_piano": ("acoustic_grand", "piano", "grand_piano", "grand"),
    "bright_acoustic_piano": ("bright_piano",),
    "electric_grand_piano": ("electric_grand",),
    "honky_tonk_piano": ("honky_tonk", "honkytonk"),
    "electric_piano_1": ("electric_piano", "rhodes", "epiano", "ep"),
    "electric_piano_2": ("wurlitzer", "wurli"),
    "clavi": ("clavinet", "clav"),
    "glockenspiel": ("glock",),
    "vibraphone": ("vibes",),
    "tubular_bells": ("chimes",),
    "drawbar_organ": ("organ", "hammond", "b3"),
    "church_organ": ("pipe_organ",),
    "tango_accordion": ("bandoneon",),
    "acoustic_guitar_nylon": ("nylon_guitar", "classical_guitar"),
    "acoustic_guitar_steel": ("steel_guitar", "acoustic_guitar"),
    "electric_guitar_jazz": ("jazz_guitar",),
    "electric_guitar_clean": ("clean_guitar", "electric_guitar"),
    "electric_guitar_muted": ("muted_guitar",),
    "overdriven_guitar": ("overdrive_guitar",),
    "distortion_guitar": ("distorted_guitar",),
    "acoustic_bass": ("upright_bass", "double_bass", "upright"),
    "electric_bass_finger": ("fingered_bass", "electric_bass", "finger_bass"),
    "electric_bass_pick": ("picked_bass", "pick_bass"),
    "fretless_bass": ("fretless",),
    "slap_bass_1": ("slap_bass",),
    "synth_bass_1": ("synth_bass",),
    "pizzicato_strings": ("pizzicato", "pizz"),
    "tremolo_strings": ("tremolo",),
    "orchestral_harp": ("harp",),
    "string_ensemble_1": ("strings", "string_ensemble"),
    "string_ensemble_2": ("slow_strings",),
    "synth_strings_1": ("synth_strings",),
    "choir_aahs": ("choir", "aahs"),
    "voice_oohs": ("oohs",),
    "french_horn": ("horn",),
    "brass_section": ("brass", "horns"),
    "synth_brass_1": ("synth_brass",),
    "soprano_sax": ("soprano_saxophone",),
    "alto_sax": ("alto_saxophone",),
    "tenor_sax": ("tenor_saxophone",),
    "baritone_sax": ("baritone_saxophone", "bari_sax"),
    "english_horn": ("cor_anglais",),
    "pan_flute": ("pan_pipes", "panpipes"),
    "lead_1_square": ("lead", "square_lead"),
    "lead_2_sawtooth": ("saw_lead", "sawtooth_lead"),
    "lead_3_calliope": ("calliope_lead",),
    "lead_4_chiff": ("chiff_lead",),
    "lead_5_charang": ("charang_lead",),
    "lead_6_voice": ("voice_lead",),
    "lead_7_fifths": ("fifths_lead",),
    "lead_8_bass_lead": ("bass_lead",),
    "pad_1_new_age": ("new_age_pad",),
    "pad_2_warm": ("pad", "warm_pad"),
    "pad_3_polysynth": ("polysynth_pad", "polysynth"),
    "pad_4_choir": ("choir_pad",),
    "pad_5_bowed": ("bowed_pad",),
    "pad_6_metallic": ("metallic_pad",),
    "pad_7_halo": ("halo_pad",),
    "pad_8_sweep": ("sweep_pad",),
    "bagpipe": ("bagpipes",),
    "steel_drums": ("steel_drum", "steel_pan"),
    "taiko_drum": ("taiko",),
    "guitar_fret_noise": ("fret_noise",),
    "telephone_ring": ("telephone",),
    "standard_kit": ("drums", "kit", "drum_kit", "standard"),
    "electronic_kit": ("electronic_drums",),
    "tr808_kit": ("808", "tr808", "tr_808", "tr_808_kit"),
    "jazz_kit": ("jazz_drums",),
    "brush_kit": ("brushes", "brush"),
    "orchestra_kit": ("orchestral_kit",),
}

# Lane names in drum step grids, one per GM percussion key 35..81.
DRUM_PIECES: Mapping[str, int] = MappingProxyType({
    "kick2": 35, "kick": 36, "rim": 37, "snare": 38, "clap": 39, "snare2": 40,
    "floor_lo": 41, "hat": 42, "floor": 43, "pedal": 44, "tom_lo": 45, "open": 46,
    "tom_mid": 47, "tom_hi_mid": 48, "crash": 49, "tom_hi": 50, "ride": 51, "china": 52,
    "bell": 53, "tamb": 54, "splash": 55, "cowbell": 56, "crash2": 57, "vibraslap": 58,
    "ride2": 59, "bongo_hi": 60, "bongo_lo": 61, "conga_mute": 62, "conga_hi": 63,
    "conga_lo": 64, "timbale_hi": 65, "timbale_lo": 66, "agogo_hi": 67, "agogo_lo": 68,
    "cabasa": 69, "shaker": 70, "whistle": 71, "whistle_long": 72, "guiro": 73,
    "guiro_long": 74, "clave": 75, "block_hi": 76, "block_lo": 77, "cuica_mute": 78,
    "cuica": 79, "triangle_mute": 80, "triangle": 81,
})

# Other spellings of lanes, by lane name; they resolve to the lane's key.
_DRUM_PIECE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "kick": ("bd", "bass_drum"),
    "snare": ("sd",),
    "rim": ("side_stick", "sidestick", "cross_stick"),
    "clap": ("handclap", "hand_clap"),
    "hat": ("hh", "hihat", "hi_hat", "closed_hat"),
    "open": ("oh", "open_hat"),
    "pedal": ("pedal_hat",),
    "ride": ("ride1",),
    "bell": ("ride_bell",),
    "crash": ("crash1",),
    "tamb": ("tambourine",),
    "shaker": ("maracas",),
    "clave": ("claves",),
}


def normalize(name: str) -> str:
    """Fold case and treat runs of spaces, hyphens and underscores as one '_'.

    Example:
        >>> normalize("Acoustic-Grand  Piano")
        'acoustic_grand_piano'
    """
    return re.sub(r"[\s_-]+", "_", name.strip().lower())


def _snake(label: str) -> str:
    """Canonical name from a GM label: "Lead 8 (bass + lead)" -> "lead_8_bass_lead"."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def _melodic() -> tuple[Instrument, ...]:
    """The 128 GM programs, in program order."""
    return tuple(
        Instrument(_snake(label), index * 8 + offset, 0, family, False, label)
        for index, (family, labels) in enumerate(_GM_FAMILIES)
        for offset, label in enumerate(labels)
    )


def _kits() -> tuple[Instrument, ...]:
    """The named drum kits, in kit-number order."""
    return tuple(
        Instrument(name, program, DRUM_BANK, "drums", True, label)
        for name, program, label in _DRUM_KITS
    )


def _build_index(
    targets: Iterable[tuple[str, T]], aliases: Mapping[str, tuple[str, ...]]
) -> dict[str, T]:
    """Map every canonical name and alias to its target, refusing ambiguity.

    Args:
        targets: (canonical name, target) pairs.
        aliases: Extra names by canonical name; each must already be in `normalize` form.

    Returns:
        Name -> target, in `targets` order, each canonical name followed by its aliases.

    Raises:
        ValueError: If a name would map to two targets (or is listed twice), a name is not
            in normal form (it could never be looked up), or aliases name an unknown target.
    """
    pairs = list(targets)
    unknown = set(aliases) - {name for name, _ in pairs}
    if unknown:
        raise ValueError(f"aliases for unknown names: {sorted(unknown)}")
    index: dict[str, T] = {}
    for name, target in pairs:
        for key in (name, *aliases.get(name, ())):
            if key in index:
                raise ValueError(f"name {key!r} is defined twice")
            if key != normalize(key):
                raise ValueError(f"name {key!r} is not normalized; write {normalize(key)!r}")
            index[key] = target
    return index


INSTRUMENTS: tuple[Instrument, ...] = _melodic() + _kits()
_INSTRUMENT_INDEX = _build_index(((i.name, i) for i in INSTRUMENTS), _ALIASES)
_DRUM_PIECE_INDEX = _build_index(DRUM_PIECES.items(), _DRUM_PIECE_ALIASES)


def find_instrument(name: str) -> Instrument | None:
    """Look up an instrument by canonical name or alias, ignoring case, '-' and ' ' vs '_'.

    Example:
        >>> find_instrument("Acoustic Grand").program
        0
        >>> find_instrument("jazz-kit").bank
        128
    """
    return _INSTRUMENT_INDEX.get(normalize(name))


def instrument_names() -> tuple[str, ...]:
    """All names `find_instrument` accepts, in normal form; the candidates for did-you-mean."""
    return tuple(_INSTRUMENT_INDEX)


def find_drum_piece(name: str) -> int | None:
    """GM percussion key for a drum lane name or alias, ignoring case, '-' and ' ' vs '_'.

    Example:
        >>> find_drum_piece("Hi-Hat")
        42
    """
    return _DRUM_PIECE_INDEX.get(normalize(name))


def drum_piece_names() -> tuple[str, ...]:
    """All names `find_drum_piece` accepts, in normal form; the candidates for did-you-mean."""
    return tuple(_DRUM_PIECE_INDEX)


# --- MIDI channels -----------------------------------------------------------------------------------

DRUM_CHANNEL = 9  # General MIDI: MIDI channel 10, counted from 0


class Sounding(Protocol):
    """What channel allocation needs of a track (ir.TrackDef has it)."""

    name: str
    bank: int
    program: int
    is_drums: bool


class ChannelsFull(ValueError):
    """A track found no MIDI channel: 15 melodic channels are taken, none by its sound."""

    def __init__(self, index: int, name: str) -> None:
        super().__init__(f"track {name!r}: all 15 melodic MIDI channels are taken; "
                         "give it the instrument of another track or remove a track")
        self.index = index


def allocate_channels(tracks: Sequence[Sounding]) -> list[int]:
    """Drums on channel 9, the others on 0..15 in track order skipping 9; past 15, a track shares
    the channel of an earlier one with the same sound (a program change sets a whole channel).

    Raises:
        ChannelsFull: for the first track left without a channel.
    """
    free = [c for c in range(16) if c != DRUM_CHANNEL]
    sounds: dict[tuple[int, int], int] = {}
    channels = []
    for index, track in enumerate(tracks):
        sound = (track.bank, track.program)
        if track.is_drums:
            channel = DRUM_CHANNEL
        elif free:
            channel = free.pop(0)
        elif sound in sounds:
            channel = sounds[sound]
        else:
            raise ChannelsFull(index, track.name)
        sounds.setdefault(sound, channel)
        channels.append(channel)
    return channels
