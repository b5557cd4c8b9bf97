"""`song lsp` in process and at its edges: no pygls installed, a compiler failure, a document too large."""

from __future__ import annotations

import subprocess
import sys

from lsprotocol import types as T

from conftest import ROOT

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
