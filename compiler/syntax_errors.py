"""syntax_errors: turn a Lark parse failure into a musician-readable message (code, message, help).

Kept beside the grammar's shape: each rule below names the grammar situation it recognises.
"""

from __future__ import annotations

from lark import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .suggest import suggestion_text

BLOCK_KEYWORDS = ("section", "form", "arrange", "track", "melody", "mix", "master", "pattern", "style")


def describe_syntax_error(err: UnexpectedInput, line_text: str, col: int) -> tuple[str, str, str | None]:
    """Code, message and help for one parse failure at `col` of `line_text`."""
    if isinstance(err, UnexpectedCharacters):
        return _unexpected_character(line_text, col)
    assert isinstance(err, UnexpectedToken)
    token, expected = err.token, set(err.expected)
    if token.type == "_INDENT":
        return ("E003", "unexpected indented line",
                "only the lines of a block (section, arrange, melody, mix, master, pattern, style) are indented; "
                "start this line at column 1, or check the spelling of the block header above it")
    if token.type in ("_NL", "$END", "_DEDENT"):
        return _unexpected_end(line_text, expected)
    if str(token).startswith('"'):
        return "E004", "unterminated string", 'close the string with `"` on the same line'
    if token.type == "CELL" and not any(ch.isalnum() for ch in str(token)):
        return "E002", f"unexpected character `{token}`", "remove it; values are words, numbers, \"strings\", % / : and ,"
    if token.type == "CELL":
        return "E001", f"unexpected `{token}`", "chords and notes go between `|` bar lines"
    return _unexpected_token(str(token), token.type, expected, line_text)


def _unexpected_character(line_text: str, col: int) -> tuple[str, str, str | None]:
    char = line_text[col - 1] if 0 < col <= len(line_text) else "?"
    if char == '"':
        return "E004", "unterminated string", 'close the string with `"` on the same line'
    if char == "#":
        return "E002", "a comment needs a space after `#`", "write `# comment`"
    return "E002", f"unexpected character `{char}`", "remove it; values are words, numbers, \"strings\", % / : and ,"


def _unexpected_end(line_text: str, expected: set[str]) -> tuple[str, str, str | None]:
    stripped = line_text.split(" #")[0].strip()
    if "VBAR" in expected or stripped.startswith("|") and not stripped.endswith("|"):
        return "E001", "bar line is not closed", "end every bar with `|`, e.g. `| Cm7 | F7 |`"
    if "_INDENT" in expected:
        return "E001", "this block has no body", "indent its lines below it by two spaces, e.g.\n    section A\n      | C | G7 |"
    if "CELL" in expected:
        return "E001", "empty bar", "put a chord, a note or `%` in every bar"
    if "RPAR" in expected and stripped.count("(") > stripped.count(")"):
        return "E032", "this `(` is not closed", "close the group with `)`, e.g. `form intro (A A B A) x2 ending`"
    if "NAME" in expected and "LPAR" in expected:
        return "E032", "`form` needs section names", "e.g. `form intro (A A B A) x2 ending`"
    return "E001", "the line ends too early", None


def _unexpected_token(text: str, kind: str, expected: set[str], line_text: str) -> tuple[str, str, str | None]:
    if kind == "VBAR" and "CELL" in expected:
        return "E001", "empty bar", "put a chord, a note or `%` in every bar (`%` repeats the previous bar)"
    if kind == "RPAR":
        return "E032", "`)` without a matching `(`", "groups in a form look like `(A A B A) x2`"
    if kind == "LPAR" and "LPAR" not in expected:
        return "E001", "`(` only groups sections on a `form` line", None
    if kind == "STRING" and "NAME" in expected:
        return "E011", f"unexpected string {text}", "a name goes here, without quotes"
    if kind in BLOCK_KEYWORDS or kind.upper() in {k.upper() for k in BLOCK_KEYWORDS}:
        return "E001", f"`{text}` must start a line", "put each statement on its own line"
    if kind == "VBAR":
        return "E001", "unexpected `|`", "bars go on the indented lines of a section, melody or pattern"
    hint = suggestion_text(text, BLOCK_KEYWORDS) if kind == "NAME" else None
    return "E001", f"unexpected `{text}`", hint
