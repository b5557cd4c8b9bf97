"""ci_formats: diagnostics as CI tools read them — GitHub workflow commands and SARIF 2.1.0.

`song check --format github` prints one workflow command per diagnostic, which GitHub Actions shows as
an annotation on the line of the pull request:

    ::error file=a.song,line=3,col=5,endLine=3,endColumn=8,title=E020::unknown chord `Cx7`%0Ahelp: …

`song check --format sarif` prints a SARIF 2.1.0 log (one run, one rule per code reported, with the
code's explanation from docs/diagnostics.md as its help) for code-scanning uploads. Columns count
Unicode code points, as every other songspec output does; both end columns are exclusive.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from . import __version__
from .errors import CODES, Diagnostic
from .source import Span

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/songspec/"


# -- GitHub Actions workflow commands -------------------------------------------------------------
def github_annotations(diagnostics: list[Diagnostic]) -> str:
    """One `::error`/`::warning` workflow command per diagnostic, a line each."""
    return "".join(_workflow_command(diag) + "\n" for diag in diagnostics)


def _workflow_command(diag: Diagnostic) -> str:
    span = diag.span
    properties = {"file": span.path, "line": span.line, "col": span.col, "endLine": span.end_line,
                  "endColumn": span.end_col, "title": diag.code}
    listed = ",".join(f"{name}={_escape_property(str(value))}" for name, value in properties.items())
    return f"::{diag.severity} {listed}::{_escape_data(_full_message(diag))}"


def _full_message(diag: Diagnostic) -> str:
    """The message, then its help and notes on lines of their own (GitHub shows them in the annotation)."""
    lines = [diag.message]
    if diag.help:
        lines.append(f"help: {diag.help}")
    lines += [f"note: {span}: {text}" for span, text in diag.notes]
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF are escaped (so a message stays on one line)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A property value: as a message, and `:` and `,` too, which would end the value."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# -- SARIF 2.1.0 ----------------------------------------------------------------------------------
def sarif_log(diagnostics: list[Diagnostic]) -> dict:
    """The SARIF 2.1.0 log of one `song check` run."""
    codes = sorted({diag.code for diag in diagnostics})
    rule_index = {code: index for index, code in enumerate(codes)}
    driver = {"name": "songspec", "semanticVersion": __version__, "version": __version__,
              "informationUri": INFORMATION_URI, "rules": [_rule(code) for code in codes]}
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints",
           "results": [_result(diag, rule_index[diag.code]) for diag in diagnostics]}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(code: str) -> dict:
    """A reportingDescriptor: the code, its title, and its explanation (prose, example, fix) as help."""
    from .explain import explanations

    level = "warning" if code.startswith("W") else "error"
    rule = {"id": code, "name": _rule_name(CODES[code]), "shortDescription": {"text": CODES[code]},
            "defaultConfiguration": {"level": level}}
    entry = explanations().get(code)
    if entry is not None:
        rule["fullDescription"] = {"text": entry.body.split("\n\n")[0].replace("\n", " ")}
        rule["help"] = {"text": entry.as_text(), "markdown": entry.body}
    return rule


def _rule_name(title: str) -> str:
    """SARIF's rule name is one identifier-like word: `unknown chord` -> `UnknownChord`."""
    words = "".join(c if c.isalnum() else " " for c in title).split()
    return "".join(word[:1].upper() + word[1:] for word in words)


def _result(diag: Diagnostic, rule_index: int) -> dict:
    result = {"ruleId": diag.code, "ruleIndex": rule_index, "level": diag.severity,
              "message": {"text": diag.message + (f"\nhelp: {diag.help}" if diag.help else "")},
              "locations": [_location(diag.span)]}
    if diag.notes:
        result["relatedLocations"] = [_location(span, text, index) for index, (span, text) in enumerate(diag.notes)]
    return result


def _location(span: Span, message: str | None = None, index: int | None = None) -> dict:
    region = {"startLine": span.line, "startColumn": span.col, "endLine": span.end_line, "endColumn": span.end_col}
    location: dict = {"physicalLocation": {"artifactLocation": _artifact(span.path), "region": region}}
    if index is not None:
        location = {"id": index, **location, "message": {"text": message}}
    return location


def _artifact(path: str) -> dict:
    """A relative path stays relative to the checkout (`%SRCROOT%`); an absolute one is a file: URI."""
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(Path(path).as_posix()), "uriBaseId": "%SRCROOT%"}
