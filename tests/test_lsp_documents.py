"""`song lsp` in process and at its edges: no pygls installed, a compiler failure, a document too large, and
formatting edits over every spec."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from lsprotocol import types as T

from bench.lsp_client import apply_edits
from conftest import ROOT, SPECS

GOOD = 'title "Blue"\nstyle jazz.swing\nsection A\n  | F7 | Bb7 |\n'


def test_without_pygls_song_lsp_says_what_to_install():
    probe = ("import sys; sys.modules['pygls'] = None; from compiler.cli import main; "
             "sys.exit(main(['lsp']))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.startswith("song: song lsp needs pygls") and "pip install 'songspec[lsp]'" in done.stderr


def test_a_compiler_failure_is_one_diagnostic_not_a_stopped_server():
    from compiler.library import Library
    from compiler.lsp.diagnostics import lsp_diagnostics
    from compiler.lsp.documents import analyse_document

    class Broken(Library):
        def stdlib_file(self, style):  # the failure a compiler bug would be
            raise RuntimeError("boom")

    doc = analyse_document("file:///tmp/x.song", 1, GOOD, Broken(), T.PositionEncodingKind.Utf16)
    [diag] = lsp_diagnostics(doc)
    assert diag.message.startswith("internal error: RuntimeError: boom")
    assert diag.range.start == T.Position(line=0, character=0)


def test_a_document_larger_than_song_check_reads_is_not_checked():
    from compiler.library import Library
    from compiler.lsp.diagnostics import lsp_diagnostics
    from compiler.lsp.documents import analyse_document
    from compiler.source import MAX_FILE_BYTES

    text = GOOD + "# " + "x" * MAX_FILE_BYTES + "\n"
    [diag] = lsp_diagnostics(analyse_document("file:///tmp/big.song", 1, text, Library(), "utf-16"))
    assert diag.message.startswith(f"songspec reads files up to {MAX_FILE_BYTES:,} bytes")


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.stem)
def test_formatting_edits_give_what_song_fmt_gives(spec):
    """Over every spec, squeezed out of shape (runs of spaces made one, a blank line at the end taken
    away): the line edits the server sends make exactly `song fmt`'s text."""
    from compiler.fmt import format_source
    from compiler.library import Library
    from compiler.lsp.documents import analyse_document
    from compiler.lsp.formatting import format_document

    text = re.sub(r"(?<=\S) {2,}(?=\S)", " ", spec.read_text(encoding="utf-8")).rstrip("\n")
    doc = analyse_document(spec.as_uri(), 1, text, Library(), T.PositionEncodingKind.Utf16)
    edits = format_document(doc)
    assert edits, "the squeezed text is not canonical"
    assert apply_edits(text, edits) == format_source(text)



def test_the_example_in_docs_editors_md_says_what_the_server_publishes():
    from compiler.library import Library
    from compiler.lsp.diagnostics import lsp_diagnostics
    from compiler.lsp.documents import analyse_document

    page = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    section = page[page.index("## The language server"):]
    example = re.search(r"```song\n(.*?)```", section, re.S).group(1)
    [diag] = lsp_diagnostics(analyse_document("file:///tmp/x.song", 1, example, Library(), "utf-16"))
    assert (diag.code, diag.range.start.line, diag.range.start.character, diag.range.end.character) == ("E020", 2, 6, 8)
    first, help = diag.message.split("\n")
    assert f"message ``{first}``" in section.replace("\n", " ")
    assert f"`{help}`" in section.replace("\n", " ")
    assert diag.code_description.href.endswith("/docs/diagnostics.md#e020-unknown-chord")


def test_a_message_that_is_not_json_rpc_is_one_log_line_and_the_server_goes_on():
    garbage = b'Content-Length: 2\r\n\r\n{}' + b'Content-Length: 9\r\n\r\nnot json!'
    done = subprocess.run([sys.executable, "-m", "compiler", "lsp"], input=garbage, capture_output=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 0  # it served until its input ended
    assert b"Traceback" not in done.stderr
    assert done.stderr.decode().startswith("song lsp: ")


def test_a_crlf_document_is_formatted_whole_to_lf_as_song_fmt_writes_it():
    from compiler.fmt import format_source
    from compiler.library import Library
    from compiler.lsp.documents import analyse_document
    from compiler.lsp.formatting import format_document

    text = GOOD.replace("| F7 | Bb7 |", "|F7|Bb7|").replace("\n", "\r\n")
    doc = analyse_document("file:///tmp/crlf.song", 1, text, Library(), T.PositionEncodingKind.Utf16)
    [edit] = format_document(doc)
    assert edit.new_text == format_source(text) and "\r" not in edit.new_text
    assert (edit.range.start, edit.range.end) == (T.Position(line=0, character=0), T.Position(line=4, character=0))
