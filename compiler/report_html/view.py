"""report_html.view: the parts of report.json the page reads, as closed, validated models.

This is the page's whole contract with report.json: a field not named here is not read, so the
report can grow without touching the page. Unknown keys are ignored; a field the page needs that is
missing or of the wrong type is a `ReportProblem` naming where it is ("sections.3.start_s").

Per-section loudness (`sections[].short_term_lufs`) is deliberately not read: the page measures each
section on the master's own short-term curve (`master.envelope`), which stays in master terms
whatever the report's section figure is measured on.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _View(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, allow_inf_nan=False)


class SectionView(_View):
    """One section pass: bars `first_bar`..`last_bar`, `ending` played from `ending_bar` (or none)."""

    label: str
    pass_no: int = Field(alias="pass")
    first_bar: int
    last_bar: int
    start_s: float
    end_s: float
    ending: int | None = None
    ending_bar: int | None = None


class ChordView(_View):
    """A chord change: `beat` counted from 1, `symbol` spelled as in the song ("N.C." for none)."""

    bar: int
    beat: float
    symbol: str
    start_s: float


class TrackView(_View):
    """A part as the report lists it; `notes` must equal the notes of its track in song.mid."""

    name: str
    instrument: str = ""
    role: str = ""
    muted: bool = False
    notes: int


class EnvelopeView(_View):
    """The master per `hop_s` hop: sample peak (linear) and short-term loudness (null: none yet, or silence)."""

    hop_s: float = Field(gt=0)
    peak: list[float]
    short_term_lufs: list[float | None]


class MasterView(_View):
    file: str
    sample_rate: int | None = None
    duration_s: float | None = None
    target_lufs: float | None = None
    ceiling_dbtp: float | None = None
    integrated_lufs: float | None = None
    true_peak_dbtp: float | None = None
    sample_peak_dbfs: float | None = None
    loudness_range_lu: float | None = None
    envelope: EnvelopeView | None = None


class StemView(_View):
    """A stem file; any further number the report gives a stem (e.g. a loudness) is shown as well."""

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)

    track: str
    file: str
    peak_dbfs: float | None = None
    rms_dbfs: float | None = None

    def figures(self) -> dict[str, float | None]:
        """Every measured figure of the stem, by report key, peak and RMS first."""
        extra = {key: value for key, value in (self.model_extra or {}).items() if value is None or _finite(value)}
        return {"peak_dbfs": self.peak_dbfs, "rms_dbfs": self.rms_dbfs, **extra}


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class ReportView(_View):
    """A build's report.json as the page reads it. `master` and `stems` are absent in MIDI-only builds."""

    title: str
    composer: str = ""
    source: str = ""
    style: str = ""
    tempo: float
    key: str = ""
    time_signature: str = ""
    ppq: int = Field(gt=0)
    bars: int = Field(ge=0)
    end_tick: int = Field(ge=0)
    lead_in_s: float = Field(default=0.0, ge=0)
    duration_s: float = Field(ge=0)
    sections: list[SectionView]
    tracks: list[TrackView]
    chords: list[ChordView]
    master: MasterView | None = None
    stems: list[StemView] = []


class ReportProblem(ValueError):
    """report.json is JSON but not a report the page can draw; the message names the first bad field."""


def read_view(report: object) -> ReportView:
    """Validate a parsed report.json; raises `ReportProblem` with the first problem's location."""
    try:
        return ReportView.model_validate(report)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        raise ReportProblem(f"{where}: {first['msg'][:1].lower()}{first['msg'][1:]}") from None
