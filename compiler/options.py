"""options: what a build is asked for beyond the song (`song build`'s options, a batch job's), for
`pipeline.build`. Kept apart from the pipeline so a driver can make them without loading the stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable

from .pitch import Key


@dataclass(frozen=True)
class FrontOptions:
    """Practice overrides applied while resolving: `transpose` in semitones, `tempo` in BPM, or
    `key` to play in (the song moves the short way from its written key; this replaces `transpose`)."""

    transpose: int = 0
    tempo: Fraction | None = None
    key: Key | None = None


@dataclass(frozen=True)
class BuildOptions:
    """What `song build` was asked for, beyond the song itself."""

    front: FrontOptions = FrontOptions()
    seed: int | None = None
    mute: tuple[str, ...] = ()
    solo: tuple[str, ...] = ()
    count_in: int = 0
    midi_only: bool = False
    format: str | None = None
    master: str | None = None  # a `mixspec.MASTER_PRESETS` name, over the song's `master` block
    soundfont: Path | None = None
    stems: str = "flac24"  # outputs.STEM_FORMATS: FLAC 24-bit, or "wav32" for 32-bit float WAV
    progress: Callable[[float], None] | None = field(default=None, compare=False)
    on_up_to_date: Callable[[], None] | None = field(default=None, compare=False)  # told when nothing was written

    def key_fields(self) -> dict:
        """Every option that changes what a build writes, as JSON-able values (for `uptodate.build_key`)."""
        front = self.front
        return {"transpose": front.transpose, "tempo": str(front.tempo), "key": str(front.key), "seed": self.seed,
                "mute": self.mute, "solo": self.solo, "count_in": self.count_in, "midi_only": self.midi_only,
                "format": self.format, "master": self.master, "stems": self.stems}
