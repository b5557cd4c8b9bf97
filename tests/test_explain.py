"""`song explain` and docs/diagnostics.md: one entry per code, whose example gives the code and whose fix does not;
the code table of docs/language.md is exactly the codes the compiler knows."""

from __future__ import annotations

import re

import pytest

from compiler.batch import BATCH_CODES
from compiler.charts import IMPORT_CODES
from compiler.cli import compile_front, main
from compiler.errors import CODES, RETIRED
from compiler.explain import explanations

from conftest import ROOT


def test_every_code_has_an_explanation_with_its_title():
    entries = explanations()
    assert list(entries) == list(CODES), "docs/diagnostics.md: one entry per code, in the order of errors.CODES"
    for code, entry in entries.items():
        assert entry.title == CODES[code], f"{code}: title differs from errors.CODES"


def test_language_table_is_exactly_the_codes():
    language = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    table = language[language.index("## Diagnostic codes"):]
    rows = re.findall(r"^\| ([EW]\d{3}) \| (.+) \|$", table, re.M)
    expected = [(code, title) for code, title in CODES.items()]
    expected += [(code, f"retired — {text}") for code, text in RETIRED.items()]
    assert sorted(rows) == sorted(expected)


def _write(folder, blocks: list[str]):
    """Write an example's blocks (the first is the song; `# file: NAME` names a further file)."""
    main_path = None
    for block in blocks:
        named = re.match(r"# file: (\S+)\n", block)
        path = folder / (named.group(1) if named else "song.song")
        path.write_text(block, encoding="utf-8")
        main_path = main_path or path
    return main_path


@pytest.mark.parametrize("code", [code for code in CODES if code not in IMPORT_CODES + BATCH_CODES])  # theirs:
# test_charts_* and test_batch
def test_example_gives_the_code_and_the_fix_does_not(code, tmp_path):
    bad, fixed = explanations()[code].examples()
    assert bad and fixed, f"{code}: needs an example and a fix, each in a ```song block"
    (tmp_path / "bad").mkdir()
    (tmp_path / "fixed").mkdir()
    _, diagnostics, _ = compile_front(str(_write(tmp_path / "bad", bad)))
    assert code in {d.code for d in diagnostics}, f"{code}: the example gives {[d.code for d in diagnostics]}"
    _, diagnostics, _ = compile_front(str(_write(tmp_path / "fixed", fixed)))
    assert not [d for d in diagnostics if d.severity == "error" or d.code == code], \
        f"{code}: the fix still gives {[(d.code, d.message) for d in diagnostics]}"


def test_explain_prints_the_entry(capsys):
    assert main(["explain", "e021"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("E021: bar length does not fit the time signature\n")
    assert "    section A\n" in out and "Fix:" in out and "```" not in out


def test_explain_lists_codes_and_rejects_unknown_ones(capsys):
    assert main(["explain"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(CODES)
    assert main(["explain", "E999"]) == 2
    assert "no diagnostic code E999" in capsys.readouterr().err
    assert main(["explain", "E031"]) == 0
    assert "W001" in capsys.readouterr().out
