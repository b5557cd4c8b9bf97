"""parse: Source -> syntax.SongFile. Lark LALR with an indentation post-lexer; recovers at line boundaries."""

from __future__ import annotations

from functools import cache

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedInput, UnexpectedToken, v_args
from lark.indenter import DedentError, Indenter
from lark.tree import Meta

from . import syntax as S
from .errors import Diagnostic, ParseError
from .limits import check_words
from .resources import data_dir
from .source import Source, Span
from .suggest import suggestion_text
from .syntax_errors import describe_syntax_error

MAX_ERRORS = 50
STATEMENT_KEYWORDS = ("section", "form", "arrange", "track", "melody", "mix", "master", "pattern", "style")


class SongIndenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types: list[str] = []
    CLOSE_PAREN_types: list[str] = []
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8


@cache
def song_parser() -> Lark:
    """The LALR parser, built once per process (and cached on disk by Lark between processes)."""
    return Lark.open(
        str(data_dir("grammar") / "song.lark"),
        parser="lalr",
        postlex=SongIndenter(),
        propagate_positions=True,
        maybe_placeholders=False,
        strict=True,
        cache=True,
    )


def parse(source: Source) -> S.SongFile:
    """Parse a whole file, reporting every syntax error it can find (one per broken line).

    A line that fails to parse is blanked (its characters replaced by spaces, so every offset
    stays true) and the file is parsed again; a broken block header takes its block with it.

    >>> parse(Source("demo.song", "tempo 120\\n")).statements[0].name.text
    'tempo'
    """
    check_words(source)  # before the parser: limits.py
    lines = _normalised_lines(source.text)
    diagnostics = _unindented_bodies(source.path, lines)
    indentation = _indentation_errors(source.path, lines)
    for diag in indentation:
        index = diag.span.line - 1
        lines[index] = _untabbed(lines[index]) if diag.message.startswith("tab") else _blanked(lines[index])
    diagnostics += indentation
    while len(diagnostics) < MAX_ERRORS:
        try:
            tree = song_parser().parse("".join(lines))
        except UnexpectedInput as err:
            diag = _syntax_diagnostic(source.path, lines, err)
            diagnostics.append(diag)
            _blank_broken(lines, diag.span.line - 1)
            continue
        except DedentError:
            # Blanking a broken block header can strand its deeper lines; they share its error.
            stranded = _indentation_errors(source.path, lines)
            if not stranded:  # or lines indented from the top of the file, under no header at all
                stranded = _indented_lines(source.path, lines)[:1]
                diagnostics += stranded
            if not stranded:
                raise ParseError([*diagnostics, _indent_diag(source.path, 1, lines[0], "indentation the "
                                  "parser cannot follow", "start every top-level line at column 1")]) from None
            for diag in stranded:
                _blank(lines, diag.span.line - 1)
            continue
        if diagnostics:
            raise ParseError(diagnostics)
        return ToSyntax(source.path).transform(tree)
    raise ParseError(diagnostics)


def _normalised_lines(text: str) -> list[str]:
    """Lines with their newlines; the last line always ends in one, so comments at EOF lex."""
    lines = text.splitlines(keepends=True)
    if not lines or not lines[-1].endswith("\n"):
        lines.append("\n") if not lines else lines.__setitem__(-1, lines[-1] + "\n")
    return lines


def _blank(lines: list[str], index: int) -> None:
    if 0 <= index < len(lines):
        lines[index] = _blanked(lines[index])


def _blanked(line: str) -> str:
    """The line as spaces: the parser skips it and every offset after it stays true."""
    body = line.rstrip("\r\n")
    return " " * len(body) + line[len(body):]


def _untabbed(line: str) -> str:
    """Leading tabs as spaces (already reported), so one tab does not break the whole block."""
    head = line[: len(line) - len(line.lstrip(" \t"))]
    return head.replace("\t", " " * SongIndenter.tab_len) + line[len(head):]


def _indent(line: str) -> int | None:
    """Indentation width of a line, or None for a blank or comment-only line."""
    stripped = line.lstrip(" \t")
    if not stripped.strip() or stripped.startswith("#"):
        return None
    head = line[: len(line) - len(stripped)]
    return head.count(" ") + head.count("\t") * SongIndenter.tab_len


def _blank_broken(lines: list[str], index: int) -> None:
    """Blank a broken line; a header at column 0 takes its indented block; an emptied block its header."""
    if index >= len(lines):
        return
    was_header = _indent(lines[index]) in (0, None)
    _blank(lines, index)
    end = index + 1
    if was_header:
        while end < len(lines) and _indent(lines[end]) != 0:
            _blank(lines, end)
            end += 1
        return
    header = index
    while header > 0 and _indent(lines[header]) != 0:
        header -= 1
    end = header + 1
    while end < len(lines) and _indent(lines[end]) != 0:
        if _indent(lines[end]) is not None:
            return
        end += 1
    _blank(lines, header)


def _unindented_bodies(path: str, lines: list[str]) -> list[Diagnostic]:
    """`section A` with its bar lines at column 1: one diagnostic at the first bar line, not one per
    line; the header and its bars are then left out, so nothing else trips over them."""
    found = []
    for index, line in enumerate(lines):
        words = line.split("#")[0].split()
        if _indent(line) != 0 or not words or words[0] not in ("section", "melody", "pattern"):
            continue
        body = index + 1
        while body < len(lines) and _indent(lines[body]) is None:
            body += 1
        bars = body
        while bars < len(lines) and _indent(lines[bars]) == 0 and lines[bars].lstrip().startswith("|"):
            bars += 1
        if bars == body:
            continue
        width = len(lines[body].rstrip("\r\n"))
        found.append(Diagnostic("E003", f"the bars of `{' '.join(words[:2])}` are not indented",
                                Span(path, body + 1, 1, body + 1, width + 1, 0, 0),
                                f"indent the lines of the block by two spaces, e.g.\n    {' '.join(words[:2])}\n"
                                f"      {lines[body].strip()}"))
        for blank in range(index, bars):
            _blank(lines, blank)
    return found


def _indentation_errors(path: str, lines: list[str]) -> list[Diagnostic]:
    """Dedents must return to an enclosing level, as the LALR post-lexer demands; say so per line."""
    stack = [0]
    found = []
    for number, line in enumerate(lines, start=1):
        width = _indent(line)
        if width is None:
            continue
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
            found.append(_indent_diag(path, number, line, "tab in indentation", "indent with spaces"))
        if width > stack[-1]:
            stack.append(width)
            continue
        levels = list(stack)
        while width < stack[-1]:
            stack.pop()
        if width != stack[-1]:
            choices = " or ".join(str(level) for level in reversed(levels))
            found.append(_indent_diag(path, number, line, "this line's indentation matches no enclosing block",
                                      f"indent it by {choices} spaces, like a line of the block it belongs to"))
            stack.append(width)
    return found


def _indented_lines(path: str, lines: list[str]) -> list[Diagnostic]:
    """Lines indented with no block header above them (`  section A` as a file's first line)."""
    found = []
    for number, line in enumerate(lines, start=1):
        width = _indent(line)
        if width == 0:
            break
        if width:
            found.append(_indent_diag(path, number, line, "this line is indented but no block opens above it",
                                      "start a `section`, `track` or other top-level line at column 1"))
    return found


def _indent_diag(path: str, number: int, line: str, message: str, help: str) -> Diagnostic:
    width = len(line) - len(line.lstrip(" \t"))
    span = Span(path, number, 1, number, width + 2, 0, 0)
    return Diagnostic("E003", message, span, help)


def _syntax_diagnostic(path: str, lines: list[str], err: UnexpectedInput) -> Diagnostic:
    line, col = err.line, err.column
    if isinstance(err, UnexpectedToken) and err.token.type == "_INDENT":
        line = err.token.end_line
        col = len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1
    elif isinstance(err, UnexpectedToken) and err.token.type in ("_NL", "$END", "_DEDENT"):
        line, col = _end_of_content(lines, err.token)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    width = _token_width(err, text, col)
    span = Span(path, line, col, line, col + width, 0, 0)
    code, message, help = describe_syntax_error(err, text, col)
    if isinstance(err, UnexpectedToken) and err.token.type == "_INDENT":
        help = _misspelt_header(lines, line) or help
    if message == "this `(` is not closed":
        span = _unclosed_paren(path, line, text)
    return Diagnostic(code, message, span, help)


def _unclosed_paren(path: str, line: int, text: str) -> Span:
    """Where the `(` that is never closed stands: the cause, not the end of the line."""
    open_at: list[int] = []
    for col, char in enumerate(text.split("#")[0], start=1):
        if char == "(":
            open_at.append(col)
        elif char == ")" and open_at:
            open_at.pop()
    col = open_at[0] if open_at else 1
    return Span(path, line, col, line, col + 1, 0, 0)


def _misspelt_header(lines: list[str], line: int) -> str | None:
    """An indented block under `sectoin A` most likely means a misspelt block keyword."""
    for above in range(line - 2, -1, -1):
        if _indent(lines[above]) == 0:
            word = lines[above].split()[0]
            hint = suggestion_text(word, STATEMENT_KEYWORDS)
            return f"`{word}` does not take an indented block; {hint}" if hint else None
    return None


def _end_of_content(lines: list[str], token: Token) -> tuple[int, int]:
    """Point a newline error at the end of the line it belongs to, not at the next line's start."""
    line = token.line if isinstance(token.line, int) else len(lines)
    line = min(max(line, 1), len(lines))
    while line > 1 and not lines[line - 1].split("#")[0].strip():
        line -= 1
    content = lines[line - 1].rstrip("\r\n")
    code = content.split(" #")[0].rstrip()
    return line, len(code) + 1


def _token_width(err: UnexpectedInput, text: str, col: int) -> int:
    if isinstance(err, UnexpectedToken) and err.token.type not in ("_NL", "$END", "_DEDENT", "_INDENT"):
        return max(1, len(str(err.token)))
    rest = text[col - 1:].rstrip("\r\n")
    word = rest.split()[0] if rest.split() else ""
    return max(1, len(word)) if isinstance(err, UnexpectedCharacters) and word.startswith('"') else 1


class ToSyntax(Transformer):
    """Reshapes Lark trees into syntax nodes with spans. No interpretation happens here."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    # -- helpers ----------------------------------------------------------------------------
    def _span(self, tok: Token) -> Span:
        return Span(self.path, tok.line, tok.column, tok.end_line, tok.end_column, tok.start_pos, tok.end_pos)

    def _word(self, tok: Token) -> S.Word:
        kind = {"NAME": "name", "NUMBER": "number", "STRING": "string", "REPEAT": "name"}.get(tok.type, "symbol")
        text = tok[1:-1] if tok.type == "STRING" else str(tok)
        return S.Word(kind, text, span=self._span(tok))

    @staticmethod
    def _split(children: list) -> tuple[list[S.Word], list]:
        words = [c for c in children if isinstance(c, S.Word)]
        rest = [c for c in children if not isinstance(c, S.Word)]
        return words, rest

    # -- leaves -------------------------------------------------------------------------------
    def value(self, children: list) -> S.Word:
        return self._word(children[0])

    def bar(self, children: list[Token]) -> S.Bar:
        cells = tuple(S.Cell(text=str(t), span=self._span(t)) for t in children)
        first, last = cells[0].span, cells[-1].span
        return S.Bar(cells=cells, span=first.to(last))

    def bars(self, children: list[S.Bar]) -> tuple[S.Bar, ...]:
        return tuple(children)

    # -- statements ---------------------------------------------------------------------------
    def start(self, children: list) -> S.SongFile:
        return S.SongFile(path=self.path, statements=tuple(children))

    def setting(self, children: list) -> S.Setting:
        name = self._word(children[0])
        return S.Setting(name=name, values=tuple(children[1:]), span=name.span.to(_last_span(children[1:], name)))

    def style_use(self, children: list) -> S.StyleUse:
        name = self._word(children[0])
        return S.StyleUse(name=name, span=name.span)

    def style_def(self, children: list) -> S.StyleDef:
        name, description = self._word(children[0]), self._word(children[1])
        return S.StyleDef(name=name, description=description, items=tuple(children[2:]), span=name.span)

    def section(self, children: list) -> S.Section:
        name = self._word(children[0])
        words, lines = self._split(children[1:])
        return S.Section(name=name, values=tuple(words), lines=tuple(lines), span=name.span)

    def section_line(self, children: list) -> S.SectionLine:
        repeat = self._word(children.pop()) if isinstance(children[-1], Token) and children[-1].type == "REPEAT" else None
        bars = children[-1]
        end = (repeat or bars[-1]).span
        if len(children) == 1:
            return S.SectionLine(bars=bars, repeat=repeat, span=bars[0].span.to(end))
        label = self._word(children[0])
        return S.SectionLine(label=label, values=tuple(children[1:-1]), bars=bars, repeat=repeat,
                             span=label.span.to(end))

    def form(self, children: list) -> S.Form:
        return S.Form(items=tuple(children), span=children[0].span.to(children[-1].span))

    def form_item(self, children: list) -> S.FormItem:
        head, repeat = children[0], (self._word(children[1]) if len(children) > 1 else None)
        if isinstance(head, Token):
            name = self._word(head)
            return S.FormItem(name=name, repeat=repeat, span=name.span.to((repeat or name).span))
        group, span = head
        return S.FormItem(group=group, repeat=repeat, span=span.to((repeat.span if repeat else span)))

    def group(self, children: list) -> tuple[tuple[S.FormItem, ...], Span]:
        return tuple(children), children[0].span.to(children[-1].span)

    def option_line(self, children: list) -> S.OptionLine:
        name = self._word(children[0])
        return S.OptionLine(name=name, values=tuple(children[1:]), span=name.span.to(_last_span(children[1:], name)))

    def arrange(self, children: list) -> S.Arrange:
        return S.Arrange(lines=tuple(children), span=children[0].span)

    def track(self, children: list) -> S.Track:
        name = self._word(children[0])
        return S.Track(name=name, values=tuple(children[1:]), span=name.span.to(_last_span(children[1:], name)))

    def melody_line(self, children: list) -> tuple[S.Bar, ...]:
        return children[0]

    def melody(self, children: list) -> S.Melody:
        name = self._word(children[0])
        words, lines = self._split(children[1:])
        return S.Melody(name=name, values=tuple(words), lines=tuple(lines), span=name.span)

    def mix(self, children: list) -> S.Mix:
        return S.Mix(lines=tuple(children), span=children[0].span)

    @v_args(meta=True)
    def master(self, meta: Meta, children: list) -> S.Master:
        # Anchored on the keyword itself: a bare `master` line has no other token to point at.
        words, lines = self._split(children)
        keyword = Span(self.path, meta.line, meta.column, meta.line, meta.column + len("master"),
                       meta.start_pos, meta.start_pos + len("master"))
        return S.Master(values=tuple(words), lines=tuple(lines), span=keyword)

    def pattern(self, children: list) -> S.Pattern:
        name = self._word(children[0])
        words, lines = self._split(children[1:])
        return S.Pattern(name=name, values=tuple(words), lines=tuple(lines), span=name.span)

    def lane(self, children: list) -> S.Lane:
        name = self._word(children[0])
        return S.Lane(name=name, bars=children[1], span=name.span.to(children[1][-1].span))

    def pattern_block(self, children: list) -> S.PatternBlock:
        name = self._word(children[0])
        words, lines = self._split(children[1:])
        return S.PatternBlock(name=name, values=tuple(words), lines=tuple(lines), span=name.span)





def _last_span(words: list, default: S.Word) -> Span:
    return words[-1].span if words else default.span
