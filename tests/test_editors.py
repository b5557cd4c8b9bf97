"""editors/vscode: the TextMate grammar's scope assertions, its run over every .song in the repository,
the language configuration (all `npm test`), and the extension packed into a .vsix.

The npm packages are installed by `make editors` (`npm ci`, part of `make test`); without them these
tests fail and say so, rather than skip.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from lark import Lark, Token

from compiler.parse import SongIndenter
from compiler.resources import data_dir

from conftest import ROOT

EXTENSION = ROOT / "editors" / "vscode"
FIXTURES = sorted((EXTENSION / "tests" / "grammar").glob("*.song"))
INLINED = {"statement", "style_item"}  # `?rule`s: Lark puts their one child in their place


def _npm(*args: str) -> subprocess.CompletedProcess:
    assert (EXTENSION / "node_modules" / ".installed").is_file(), "the extension's npm packages are missing: run `make editors`"
    return subprocess.run(["npm", *args], cwd=EXTENSION, capture_output=True, text=True, timeout=600)


def test_grammar_scope_assertions_and_the_corpus_pass():
    done = _npm("test")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert len(FIXTURES) >= 6
    for fixture in FIXTURES:
        assert f"✓ tests/grammar/{fixture.name} run successfuly" in done.stdout
    assert "# fail 0" in done.stdout and "# skipped 0" in done.stdout
    assert "# pass 6" in done.stdout  # node's tests: the corpus (2) and the language configuration (4)


def test_the_fixtures_cover_every_rule_and_token_of_the_grammar():
    """Each rule and terminal of grammar/song.lark occurs in some fixture, so a construct added to the
    language without a highlighting fixture fails here."""
    parser = Lark.open(str(data_dir("grammar") / "song.lark"), parser="lalr", postlex=SongIndenter(),
                       keep_all_tokens=True, maybe_placeholders=False)
    rules = {str(rule.alias or rule.origin.name) for rule in parser.rules} - INLINED
    terminals = {terminal.name for terminal in parser.terminals} - set(parser.lexer_conf.ignore)
    seen_rules, seen_terminals = set(), set()
    for fixture in FIXTURES:
        tree = parser.parse(fixture.read_text(encoding="utf-8"))
        seen_rules |= {str(subtree.data) for subtree in tree.iter_subtrees()}
        seen_terminals |= {token.type for token in tree.scan_values(lambda value: isinstance(value, Token))}
    assert {rule for rule in rules if not rule.startswith("_")} - seen_rules == set()
    assert terminals - seen_terminals == set()


def test_the_extension_packs_into_a_vsix(tmp_path):
    vsix = tmp_path / "songspec.vsix"
    done = _npm("run", "package", "--", "--out", str(vsix))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    names = set(zipfile.ZipFile(vsix).namelist())
    assert {"extension/package.json", "extension/out/extension.js", "extension/syntaxes/song.tmLanguage.json",
            "extension/language-configuration.json", "extension/node_modules/vscode-languageclient/package.json"} <= names
    assert not any(name.startswith(("extension/src/", "extension/tests/")) for name in names)
    main = (EXTENSION / "out" / "extension.js").read_text(encoding="utf-8")
    assert '"lsp"' in main and "LanguageClient" in main  # it starts `song lsp`
