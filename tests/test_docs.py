"""Docs stay true: doctests run, the README's stage table names real modules, every code is documented."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re

import pytest

import compiler
from compiler.errors import CODES

from conftest import ROOT

MODULES = sorted(m.name for m in pkgutil.walk_packages(compiler.__path__, "compiler.") if m.name != "compiler.__main__")


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_readme_stage_table_names_real_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:compiler|grammar)/[\w/.]+)`", readme))
    assert len(paths) >= 10
    for path in sorted(paths):
        assert (ROOT / path).exists(), f"README names {path}, which does not exist"


def test_readme_has_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme


def test_every_diagnostic_code_is_documented():
    language = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for code, title in CODES.items():
        assert f"| {code} | {title} |" in language, f"docs/language.md lacks {code}"


def test_every_code_is_used_somewhere():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "compiler").rglob("*.py") if p.name != "errors.py")
    for code in CODES:
        assert f'"{code}"' in sources, f"{code} is never raised"


def test_every_song_example_in_the_docs_parses():
    from compiler.parse import parse
    from compiler.source import Source

    for doc in ("README.md", "docs/language.md"):  # diagnostics.md: its bad examples are test_explain.py's
        text = (ROOT / doc).read_text(encoding="utf-8")
        for block in re.findall(r"```song\n(.*?)```", text, re.S):
            parse(Source(doc, block))  # raises ParseError with the place
