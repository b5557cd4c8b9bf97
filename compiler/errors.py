"""errors: diagnostics with stable codes, and how they are printed (human excerpt or JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal, Mapping

from .source import Source, Span

# Stable diagnostic codes. Tools match on these; never renumber, only add.
CODES: dict[str, str] = {
    "E001": "syntax error",
    "E002": "unexpected character",
    "E003": "inconsistent indentation",
    "E004": "unterminated string",
    "E010": "unknown statement or setting",
    "E011": "missing or malformed value",
    "E012": "value out of range",
    "E013": "duplicate definition",
    "E014": "unknown option",
    "E020": "unknown chord",
    "E021": "bar length does not fit the time signature",
    "E022": "`%` or `.` with nothing to repeat",
    "E023": "bad ending",
    "E024": "bad repeat bars",
    "E030": "undefined section",
    "E032": "bad form",
    "E040": "unknown instrument",
    "E041": "unknown pattern",
    "E042": "unknown style",
    "E043": "unknown track",
    "E044": "unknown melody",
    "E045": "unknown drum piece or step",
    "E046": "a second drum kit",
    "E047": "more sounds than MIDI channels",
    "E050": "bad note",
    "E060": "bad use",
    "E061": "use cycle",
    "E062": "use outside the project",
    "E070": "unknown arrangement mark",
    "E071": "bad pattern variation",
    "E072": "bad meter adaptation",
    "E076": "bad build-up",
    "E080": "bad mix or master setting",
    "E081": "reverb level as a percentage",
    "E082": "track SoundFont given as a path",
    "E090": "file not found",
    "E091": "two tracks share a stem file",
    "E092": "SoundFont outside the song's folder",
    "E100": "word too long",
    "E101": "too many bars",
    "E102": "too many tracks",
    "E103": "`use` chain too deep",
    "E104": "song too long",
    "E200": "no chart found",
    "E201": "malformed chart",
    "E202": "unreadable chart music",
    "E203": "too many chords in a chart bar",
    "E204": "bad chart endings",
    "E205": "imported chart does not check",
    "E206": "import would overwrite a file",
    "E207": "malformed ChordPro file",
    "E208": "chart bar does not share its beats evenly",
    "E209": "malformed MusicXML file",
    "E210": "unreadable MusicXML harmony",
    "E211": "song cannot be written in the export format",
    "E212": "no such part in the MusicXML score",
    "E250": "batch manifest is not TOML",
    "E251": "unknown batch manifest setting",
    "E252": "bad batch manifest value",
    "E253": "no song for a batch job",
    "E254": "two batch jobs write one folder",
    "E255": "batch manifest without jobs",
    "E256": "unknown track in a batch job",
    # Warnings: the song is valid and builds, but probably not as meant. Exit 0 unless --deny-warnings.
    "W001": "unused section",
    "W002": "unused melody",
    "W003": "empty song",
    "W004": "stop or break longer than its pass",
    "W005": "a mark given twice on one arrange line",
    "W006": "a style played in a meter it is not written in",
    "W200": "iReal style not in the style table",
    "W201": "bar lines inferred from chords over lyrics",
    "W202": "no melody in the MusicXML part and voice asked for",
    "W203": "a tuplet no .song note value writes",
}

# Codes no longer reported, and what reports the situation now; never reused for anything else.
RETIRED: dict[str, str] = {
    "E031": "unused section: now warning W001",
}

Severity = Literal["error", "warning"]


def severity_of(code: str) -> Severity:
    """`W` codes are warnings, every other code is an error."""
    return "warning" if code.startswith("W") else "error"


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place. `notes` point at related places (e.g. the first definition)."""

    code: str
    message: str
    span: Span
    help: str | None = None
    notes: tuple[tuple[Span, str], ...] = ()
    severity: Severity = "error"

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.line, self.span.col, self.code, self.message)


class SongError(Exception):
    """One or more diagnostics; raised by a stage that cannot go on."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(f"{first.span}: {first.message}" if first else "error")


class ParseError(SongError):
    """Raised by `parse`."""


class ResolveError(SongError):
    """Raised by `resolve` and `check`."""


class ArrangeError(SongError):
    """Raised by `arrange`."""


class RenderError(Exception):
    """The audio renderer cannot run: no usable SoundFont or no FluidSynth library.

    Not a source diagnostic (nothing in the song is wrong), so it is reported as one line.
    """


@dataclass
class DiagnosticSink:
    """Collects diagnostics so a stage can report every problem of a file in one run.

    One sink may be shared by the stages of the front end (`pipeline.front_end`), so warnings found by
    any stage reach the caller with the song.
    """

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, span: Span, help: str | None = None,
              notes: tuple[tuple[Span, str], ...] = ()) -> None:
        """Something the song must not say (an `E` code); the stage raises at its end."""
        assert code in CODES and severity_of(code) == "error", code
        self.items.append(Diagnostic(code, message, span, help, notes))

    def warning(self, code: str, message: str, span: Span, help: str | None = None,
                notes: tuple[tuple[Span, str], ...] = ()) -> None:
        """Something valid but suspicious (a `W` code); the song still builds."""
        assert code in CODES and severity_of(code) == "warning", code
        self.items.append(Diagnostic(code, message, span, help, notes, "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_any(self, kind: type[SongError] = ResolveError) -> None:
        """Raise `kind` with every diagnostic (warnings too) if there is an error; warnings alone stay."""
        if self.errors:
            raise kind(self.items)


def render_human(diag: Diagnostic, sources: Mapping[str, Source]) -> str:
    """rustc-style text: location, message, the source line, carets under the span, help, notes.

    Control and separator characters (NUL, VT, FF, U+2028, a BOM) are shown escaped, never raw, and
    a long line is shown as a window around the span.
    """
    lines = [f"{diag.span}: {diag.severity}[{diag.code}]: {_escaped(diag.message)}"]
    lines += _excerpt(diag.span, sources.get(diag.span.path))
    if diag.help:
        lines.append(f"  = help: {_escaped(diag.help)}")
    for span, text in diag.notes:
        lines.append(f"  note: {span}: {_escaped(text)}")
        lines += _excerpt(span, sources.get(span.path))
    return "\n".join(lines)


EXCERPT_WIDTH = 100  # characters of a source line shown; a longer line is cut around the span


def _excerpt(span: Span, source: Source | None) -> list[str]:
    if source is None:
        return []
    text = source.line_text(span.line)
    width = len(str(span.line))
    end_col = span.end_col if span.end_line == span.line else len(text) + 1
    first = max(0, min(span.col - 1 - EXCERPT_WIDTH // 3, len(text) - EXCERPT_WIDTH))
    shown = ("…" if first else "") + _one_column_each(text[first:first + EXCERPT_WIDTH])
    shown += "…" if first + EXCERPT_WIDTH < len(text) else ""
    offset = (1 if first else 0) - first
    carets = "^" * max(1, min(end_col - span.col, EXCERPT_WIDTH))
    pad = " " * width
    return [f" {pad} |", f" {span.line} | {shown}", f" {pad} | {' ' * (span.col - 1 + offset)}{carets}"]


def _one_column_each(text: str) -> str:
    """Each character that would not print as itself (a tab, NUL, U+2028) as one visible stand-in, so
    the carets below stay under the right characters."""
    return "".join(char if char.isprintable() else " " if char == "\t" else "\ufffd" for char in text)


def _escaped(text: str) -> str:
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def to_json(diag: Diagnostic) -> dict:
    """The `--format json` record; keys in a fixed order."""
    span = diag.span
    return {
        "code": diag.code,
        "severity": diag.severity,
        "message": diag.message,
        "file": span.path,
        "line": span.line,
        "column": span.col,
        "end_line": span.end_line,
        "end_column": span.end_col,
        "help": diag.help,
        "notes": [{"file": s.path, "line": s.line, "column": s.col, "message": m} for s, m in diag.notes],
    }
