"""limits: how much one song may ask for, each limit with its own code, checked before the work.

Real charts are far inside every limit (the longest spec plays 200 bars); the limits stop bombs
(`form ((A x64) x64) x64`, a `use` diamond, a 10 MB word, a 13-hour song, a thousand tracks) within seconds with a
diagnostic instead of memory exhaustion. docs/diagnostics.md explains each code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from .errors import Diagnostic, ParseError
from .source import MAX_FILE_BYTES, Source, Span


@dataclass(frozen=True)
class Limit:
    code: str
    most: int
    what: str


WORD_CHARS = Limit("E100", 256, "characters in one word or string")
BARS = Limit("E101", 10_000, "bars")
TRACKS = Limit("E102", 32, "tracks")
USE_DEPTH = Limit("E103", 8, "files deep")  # each file is read once however often it is `use`d
DURATION_S = Limit("E104", 3600, "seconds")
# Not song text, so without a code: a larger file cannot be read (exit 2, or E060 for a `use`d one),
# and `--count-in` beyond this is a usage error (exit 2).
FILE_BYTES = MAX_FILE_BYTES
COUNT_IN_BARS = 16

_WORDS = re.compile(r'"[^"\n]*"?|[^\s"]+')


def check_words(source: Source) -> None:
    """Every word and string is at most WORD_CHARS long (comments aside), checked before the parser
    sees the file: a 10 MB word would be echoed in full by its messages. The file size itself is
    bounded where it is read (`Source.read`, MAX_FILE_BYTES).

    Raises:
        ParseError: one E100 per line with an over-long word (its text shown cut short).
    """
    found = list(_long_words(source))
    if found:
        raise ParseError(found)


def _long_words(source: Source) -> Iterator[Diagnostic]:
    offset = 0
    for number, line in enumerate(source.text.splitlines(keepends=True), 1):
        code = _without_comment(line)
        for word in _WORDS.finditer(code):
            if len(word.group()) > WORD_CHARS.most:
                start = offset + word.start()
                span = Span(source.path, number, word.start() + 1, number, word.start() + 2, start, start + 1)
                yield Diagnostic(WORD_CHARS.code, f"a word of {len(word.group()):,} characters "
                                 f"(`{shown(word.group(), 16)}`)", span,
                                 f"songspec reads words and strings of at most {WORD_CHARS.most} characters")
                break
        offset += len(line)


def _without_comment(line: str) -> str:
    """The line up to a `#` comment (a `#` after a space or at the start, outside a string)."""
    in_string = False
    for index, char in enumerate(line):
        if char == '"':
            in_string = not in_string
        elif char == "#" and not in_string and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def shown(text: str, most: int = 40) -> str:
    """`text` as a message may echo it: control and separator characters escaped, cut to `most` characters.

    Example:
        >>> shown("a\\x00b\\u2028c"), shown("x" * 50, 8)
        ('a\\\\x00b\\\\u2028c', 'xxxxxxxx…')
    """
    cut = text[:most]
    safe = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in cut)
    return safe + ("…" if len(text) > most else "")


def over(limit: Limit, count: int, span: Span, doing: str) -> Diagnostic:
    """The diagnostic for `count` going over `limit` while `doing` (e.g. "the form plays")."""
    return Diagnostic(limit.code, f"{doing} {count:,} {limit.what}; the most is {limit.most:,}", span,
                      _HELP[limit.code])


_HELP = {
    BARS.code: "play fewer repeats (`x N`), or split the piece into several songs",
    TRACKS.code: "merge parts that play the same, or leave some out",
    USE_DEPTH.code: "`use` the style files from the song directly instead of through a chain",
    DURATION_S.code: "raise the tempo or play fewer bars (a song may last up to an hour)",
}
