"""CI surfaces: `--format github` and `--format sarif` (goldens, SARIF 2.1.0 checked field by field),
folders and `-` in `song check` and `song fmt`, `fmt --diff`, and the pre-commit hooks."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from compiler.cli import main

from conftest import GOLDEN, ROOT

BAD = 'title "Bad"\ntempo 120\nsection A\n  | Cm7 | Fx7 |\nsection A\n  | C |\nsection B\n  | G7 |\nform A\n'
WARN = 'title "Ok"\nsection A\n  | C | F |\nsection B\n  | G |\nform A\n'
UNFORMATTED = 'title "x"\ntempo   120\nsection A\n  | Cm7 |  F7 |\nform A\n'


@pytest.fixture
def songs(tmp_path, monkeypatch):
    """A checkout with two songs in a folder (one with a comma in its name), run from its root."""
    folder = tmp_path / "songs"
    (folder / "nested").mkdir(parents=True)
    (folder / "bad, one.song").write_text(BAD, encoding="utf-8")
    (folder / "nested" / "warn.song").write_text(WARN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


def test_github_format_golden(songs, capsys, golden):
    assert main(["check", "--format", "github", "songs"]) == 1
    captured = capsys.readouterr()
    golden(GOLDEN / "ci" / "github.txt", captured.out)
    assert captured.err == ""
    for line in captured.out.splitlines():  # one workflow command a line, every property there
        assert re.fullmatch(r"::(error|warning) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,"
                            r"title=[EW]\d{3}::[^\n]+", line), line


def test_github_escapes_what_would_end_a_value():
    from compiler.ci_formats import github_annotations
    from compiler.errors import Diagnostic
    from compiler.source import Span

    diag = Diagnostic("E020", "50% off\nnext", Span("a:b,c.song", 1, 2, 1, 3, 1, 2), help="h")
    assert github_annotations([diag]) == (
        "::error file=a%3Ab%2Cc.song,line=1,col=2,endLine=1,endColumn=3,title=E020::50%25 off%0Anext%0Ahelp: h\n")


def test_sarif_format_golden(songs, capsys, golden):
    assert main(["check", "--format", "sarif", "songs"]) == 1
    out = capsys.readouterr().out
    golden(GOLDEN / "ci" / "sarif.json", out)
    log = json.loads(out)
    check_sarif_2_1_0(log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("E020", "error"), ("E013", "error"), ("W001", "warning"), ("W001", "warning")]
    assert results[1]["relatedLocations"][0]["message"]["text"] == "first defined here"
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "songs/bad%2C%20one.song"


def test_sarif_of_a_clean_run_is_a_valid_empty_log(songs, capsys):
    assert main(["check", "--format", "sarif", "songs/nested/warn.song", "--deny-warnings"]) == 1
    check_sarif_2_1_0(json.loads(capsys.readouterr().out))
    (songs / "nested" / "warn.song").write_text(WARN.replace("form A", "form A B"), encoding="utf-8")
    assert main(["check", "--format", "sarif", "songs/nested"]) == 0
    log = json.loads(capsys.readouterr().out)
    check_sarif_2_1_0(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


# The SARIF 2.1.0 schema (sarif-schema-2.1.0.json), as far as this log uses it: each object's allowed
# and required properties, and the value rules the schema states for them.
_SARIF_OBJECTS = {
    "log": ({"$schema", "version", "runs"}, {"version", "runs"}),
    "run": ({"tool", "results", "columnKind"}, {"tool"}),
    "tool": ({"driver"}, {"driver"}),
    "driver": ({"name", "version", "semanticVersion", "informationUri", "rules"}, {"name"}),
    "rule": ({"id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration"}, {"id"}),
    "message": ({"text", "markdown"}, set()),
    "configuration": ({"level"}, set()),
    "result": ({"ruleId", "ruleIndex", "level", "message", "locations", "relatedLocations"}, {"message"}),
    "location": ({"id", "physicalLocation", "message"}, set()),
    "physical": ({"artifactLocation", "region"}, set()),
    "artifact": ({"uri", "uriBaseId"}, set()),
    "region": ({"startLine", "startColumn", "endLine", "endColumn"}, set()),
}
_LEVELS = {"none", "note", "warning", "error"}


def _object(value, kind):
    allowed, required = _SARIF_OBJECTS[kind]
    assert isinstance(value, dict), kind
    assert set(value) <= allowed, (kind, set(value) - allowed)
    assert required <= set(value), (kind, required - set(value))


def check_sarif_2_1_0(log: dict) -> None:
    _object(log, "log")
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list) and log["runs"]
    for run in log["runs"]:
        _object(run, "run")
        assert run["columnKind"] in {"utf16CodeUnits", "unicodeCodePoints"}
        _object(run["tool"], "tool")
        driver = run["tool"]["driver"]
        _object(driver, "driver")
        assert urlsplit(driver["informationUri"]).scheme == "https"
        rules = driver["rules"]
        assert len({rule["id"] for rule in rules}) == len(rules)  # one rule per code
        for rule in rules:
            _check_rule(rule)
        for result in run["results"]:
            _check_result(result, rules)


def _check_rule(rule: dict) -> None:
    _object(rule, "rule")
    assert re.fullmatch(r"[EW]\d{3}", rule["id"]) and re.fullmatch(r"[A-Za-z0-9]+", rule["name"])
    for key in ("shortDescription", "fullDescription", "help"):
        _object(rule[key], "message")
        assert rule[key]["text"].strip()  # a multiformatMessageString must have text
    _object(rule["defaultConfiguration"], "configuration")
    assert rule["defaultConfiguration"]["level"] in _LEVELS


def _check_result(result: dict, rules: list[dict]) -> None:
    _object(result, "result")
    assert result["level"] in _LEVELS and result["message"]["text"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"]  # ruleIndex points at its own rule
    assert len(result["locations"]) == 1
    for index, location in enumerate(result["locations"] + result.get("relatedLocations", [])):
        _object(location, "location")
        if "id" in location:
            assert location["id"] == index - 1 and location["message"]["text"]
        _object(location["physicalLocation"], "physical")
        artifact = location["physicalLocation"]["artifactLocation"]
        _object(artifact, "artifact")
        assert " " not in artifact["uri"] and not urlsplit(artifact["uri"]).scheme  # a relative URI reference
        region = location["physicalLocation"]["region"]
        _object(region, "region")
        assert region["startLine"] >= 1 and region["startColumn"] >= 1 and region["endLine"] >= region["startLine"]
        assert region["endLine"] > region["startLine"] or region["endColumn"] > region["startColumn"]


# -- folders and stdin ----------------------------------------------------------------------------
def test_check_recurses_into_folders_skipping_hidden_and_output(songs, capsys):
    for skipped in (".git", "out"):
        (songs / skipped).mkdir()
        (songs / skipped / "x.song").write_text("tempo 999\n", encoding="utf-8")
    assert main(["check", "--format", "json", "songs"]) == 1
    files = {d["file"] for d in json.loads(capsys.readouterr().out)}
    assert files == {"songs/bad, one.song", "songs/nested/warn.song"}


def test_check_an_empty_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert f"no .song files in {tmp_path}" in capsys.readouterr().err


def test_check_reads_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(BAD))
    assert main(["check", "--format", "json", "-"]) == 1
    diagnostics = json.loads(capsys.readouterr().out)
    assert {d["file"] for d in diagnostics} == {"<stdin>"} and diagnostics[0]["code"] == "E020"


def test_fmt_check_takes_folders_and_diff_prints_a_unified_diff(songs, capsys):
    (songs / "nested" / "messy.song").write_text(UNFORMATTED, encoding="utf-8")
    assert main(["fmt", "--check", "--diff", "songs"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ("--- a/songs/nested/messy.song\n+++ b/songs/nested/messy.song\n@@ -1,5 +1,5 @@\n"
                            ' title "x"\n-tempo   120\n+tempo 120\n section A\n-  | Cm7 |  F7 |\n+  | Cm7 | F7 |\n'
                            " form A\n")
    assert "would reformat songs/nested/messy.song" in captured.err
    assert (songs / "nested" / "messy.song").read_text(encoding="utf-8") == UNFORMATTED  # never written
    assert main(["fmt", "--diff", "songs"]) == 0  # --diff alone shows, writes nothing, passes
    assert (songs / "nested" / "messy.song").read_text(encoding="utf-8") == UNFORMATTED


def test_diff_marks_a_missing_final_newline():
    from compiler.cli import unified_diff

    assert unified_diff("a.song", "tempo  120", "tempo 120\n").endswith(
        "-tempo  120\n\\ No newline at end of file\n+tempo 120\n")


def test_fmt_dash_is_a_filter(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(UNFORMATTED))
    assert main(["fmt", "-"]) == 0
    assert capsys.readouterr() == ('title "x"\ntempo 120\nsection A\n  | Cm7 | F7 |\nform A\n', "")
    monkeypatch.setattr(sys, "stdin", io.StringIO(UNFORMATTED))
    assert main(["fmt", "--check", "-"]) == 1
    assert capsys.readouterr().out == "would reformat <stdin>\n"


def test_fmt_filter_gives_back_text_it_cannot_parse(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("section A\n  | Cm7 | F7\n"))
    assert main(["fmt", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "section A\n  | Cm7 | F7\n" and "E001" in captured.err


# -- pre-commit -----------------------------------------------------------------------------------
def test_pre_commit_hooks_run_the_commands_they_name(tmp_path):
    yaml = pytest.importorskip("yaml")
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"song-fmt", "song-check"}
    messy, clean = tmp_path / "messy.song", tmp_path / "clean.song"
    messy.write_text(UNFORMATTED, encoding="utf-8")
    clean.write_text(WARN.replace("form A", "form A B"), encoding="utf-8")
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
        assert re.search(hook["files"], "songs/a.song") and not re.search(hook["files"], "a.song.bak")
    song = [sys.executable, "-m", "compiler"]
    run = lambda hook, *files: subprocess.run(song + hooks[hook]["entry"].split()[1:] + [str(f) for f in files],
                                              capture_output=True, text=True, cwd=ROOT)
    assert run("song-check", clean).returncode == 0
    assert run("song-check", messy, tmp_path / "nothing.song").returncode == 2
    assert run("song-fmt", messy).returncode == 0  # pre-commit fails the commit when the hook changes a file
    assert messy.read_text(encoding="utf-8") == 'title "x"\ntempo 120\nsection A\n  | Cm7 | F7 |\nform A\n'


def test_ci_doc_workflow_is_yaml_and_runs_real_commands():
    yaml = pytest.importorskip("yaml")
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    workflow = yaml.safe_load(blocks[1])
    steps = workflow["jobs"]["songs"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert "song check --format github ." in runs and "song fmt --check --diff ." in runs
    assert any(step.get("with", {}).get("path") == "out/*/.cache" for step in steps)
    for block in blocks:
        yaml.safe_load(block)
