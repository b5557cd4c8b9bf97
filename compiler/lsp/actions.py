"""lsp.actions: textDocument/codeAction — quick fixes for diagnostics that carry exactly one fix:
a single did-you-mean (`did you mean 'Bb7'?`), a word songspec spells otherwise (`write `time` instead
of `meter``), and a stub for a section the form plays but nobody wrote (E030)."""

from __future__ import annotations

import re

from lsprotocol import types as T

from .documents import Analysed

_ONE_SUGGESTION = re.compile(r"^did you mean '([^']+)'\?$")
_INSTEAD = re.compile(r"write `([^`]+)` instead of `([^`]+)`")
_UNDEFINED_SECTION = re.compile(r"^section `([^`]+)` is not defined")
_WORD_BREAKS = " \t|(),"
_NAMED = re.compile(r"`([^`]+)`")
_BREAKS_CLASS = re.escape(_WORD_BREAKS)


def code_actions(doc: Analysed, params: T.CodeActionParams) -> list[T.CodeAction]:
    actions = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != "songspec":
            continue
        help = (diagnostic.data or {}).get("help") if isinstance(diagnostic.data, dict) else None
        fix = _replacement(help)
        if fix is not None and (replace := _replace_word(doc, diagnostic, fix)) is not None:
            actions.append(replace)
        if diagnostic.code == "E030" and (missing := _UNDEFINED_SECTION.match(diagnostic.message)) \
                and _top_level(doc, diagnostic.range.start.line):
            actions.append(_section_stub(doc, diagnostic, missing.group(1)))
    return actions


def _replacement(help: str | None) -> str | None:
    if not help:
        return None
    one = _ONE_SUGGESTION.match(help)
    if one:
        return one.group(1)
    instead = _INSTEAD.search(help)
    return instead.group(1) if instead else None


def _replace_word(doc: Analysed, diagnostic: T.Diagnostic, fix: str) -> T.CodeAction | None:
    """Replace the misspelled word: the one the message names (`unknown pattern `charlestn``), which
    is the word the diagnostic points into (an unknown chord's span is its quality alone) or, when the
    diagnostic points at the line's owner (a track), that word elsewhere on its line."""
    line = diagnostic.range.start.line
    text = doc.lines.lines[line] if line < len(doc.lines.lines) else ""
    named = _NAMED.search(diagnostic.message)
    start, end = _word_around(text, doc.lines.column(line, diagnostic.range.start.character) - 1)
    if named is not None and text[start:end] != named.group(1):
        found = re.search(rf"(?<![^{_BREAKS_CLASS}]){re.escape(named.group(1))}(?![^{_BREAKS_CLASS}])", text)
        if found is None:
            return None
        start, end = found.span()
    where = T.Range(start=doc.lines.position(line + 1, start + 1), end=doc.lines.position(line + 1, end + 1))
    return _action(f"Replace `{text[start:end]}` with `{fix}`", doc, [T.TextEdit(range=where, new_text=fix)],
                   diagnostic, preferred=True)


def _word_around(text: str, col: int) -> tuple[int, int]:
    start = end = col
    while start > 0 and text[start - 1] not in _WORD_BREAKS:
        start -= 1
    while end < len(text) and text[end] not in _WORD_BREAKS:
        end += 1
    return start, end


def _top_level(doc: Analysed, line: int) -> bool:
    """A line of the file's top level (the form, a melody): a section may be added above it."""
    return line < len(doc.lines.lines) and doc.lines.lines[line][:1] not in (" ", "\t", "")


def _section_stub(doc: Analysed, diagnostic: T.Diagnostic, label: str) -> T.CodeAction:
    """`section B` with one bar of the tonic (`I` is the tonic in any key), above the form line."""
    line = diagnostic.range.start.line
    at = T.Position(line=line, character=0)
    stub = f"section {label}\n  | I |\n\n"
    return _action(f"Add a section `{label}` (one bar to fill in)", doc,
                   [T.TextEdit(range=T.Range(start=at, end=at), new_text=stub)], diagnostic)


def _action(title: str, doc: Analysed, edits: list[T.TextEdit], diagnostic: T.Diagnostic,
            preferred: bool = False) -> T.CodeAction:
    return T.CodeAction(title=title, kind=T.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                        is_preferred=preferred or None,
                        edit=T.WorkspaceEdit(changes={doc.uri: edits}))
