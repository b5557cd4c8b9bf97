"""words: a cursor over the value words of one line, reading typed values with diagnostics.

`resolve` uses it for every option list (`volume -2dB pan +20 reverb 20%`), so every option in the
language reports a bad value the same way: what was expected and how to write it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from .errors import DiagnosticSink
from .source import Span
from .suggest import suggestion_text
from .syntax import Word


class Words:
    """Reads a line's words left to right. Errors go to `sink`; readers return None on failure."""

    def __init__(self, words: Sequence[Word], sink: DiagnosticSink, anchor: Span) -> None:
        self.words = list(words)
        self.pos = 0
        self.sink = sink
        self.anchor = anchor

    # -- looking -------------------------------------------------------------------------------
    def done(self) -> bool:
        return self.pos >= len(self.words)

    def peek(self, offset: int = 0) -> Word | None:
        i = self.pos + offset
        return self.words[i] if i < len(self.words) else None

    def peek_name(self) -> str | None:
        word = self.peek()
        return word.text if word is not None and word.kind == "name" else None

    def here(self) -> Span:
        """Where the next word is, or just after the last one."""
        word = self.peek()
        if word is not None:
            return word.span
        last = self.words[self.pos - 1].span if self.pos else self.anchor
        return Span(last.path, last.end_line, last.end_col, last.end_line, last.end_col + 1, last.end, last.end + 1)

    def take(self) -> Word | None:
        word = self.peek()
        if word is not None:
            self.pos += 1
        return word

    def skip_rest(self) -> None:
        self.pos = len(self.words)

    # -- reading -------------------------------------------------------------------------------
    def name(self, what: str, example: str) -> Word | None:
        word = self.peek()
        if word is None or word.kind != "name":
            self.expected(what, example)
            return None
        return self.take()

    def choice(self, what: str, example: str, choices: Sequence[str], code: str = "E014") -> Word | None:
        """A name that must be one of `choices`; otherwise a did-you-mean diagnostic."""
        word = self.name(what, example)
        if word is not None and word.text not in choices:
            self.sink.error(code, f"unknown {what} `{word.text}`", word.span,
                            suggestion_text(word.text, choices) or f"choose one of: {', '.join(choices)}")
            return None
        return word

    def string(self, what: str, example: str) -> str | None:
        word = self.peek()
        if word is None or word.kind != "string":
            self.expected(what, example)
            return None
        self.take()
        return word.text

    def number(self, what: str, example: str, low: float, high: float,
               units: Sequence[str] = (), scale: dict[str, float] | None = None) -> Fraction | None:
        """A number, optionally followed by one of `units` (`-2dB`, `8kHz`, `62%`); range-checked."""
        word = self.peek()
        if word is None or word.kind != "number":
            self.expected(what, example)
            return None
        self.take()
        value = Fraction(word.text)
        span = word.span
        unit = self._unit(units)
        if unit is not None:
            value *= Fraction(str((scale or {}).get(unit[0], 1)))
            span = word.span.to(unit[1])
        if not low <= value <= high:
            written = word.text + (unit[0] if unit is not None else "")  # as written: 100.0000001% is not 100
            self.sink.error("E012", f"{what} {written} is out of range", span,
                            f"use a value from {_fmt(low)} to {_fmt(high)}, e.g. `{example}`")
            return None
        return value

    def ratio(self, what: str, example: str) -> Fraction | None:
        """`3:1` or `1/8`."""
        first = self.number(what, example, 0, 1000)
        sep = self.peek()
        if first is None or sep is None or sep.text not in (":", "/"):
            if first is not None:
                self.expected(what, example)
            return None
        self.take()
        second = self.number(what, example, Fraction(1, 1000), 1000)
        return None if second is None else first / second

    def _unit(self, units: Sequence[str]) -> tuple[str, Span] | None:
        word = self.peek()
        if word is None or not units:
            return None
        text = word.text
        lowered = {u.lower(): u for u in units}
        if text.lower() in lowered and (word.kind == "name" or text == "%"):
            self.take()
            return lowered[text.lower()], word.span
        return None

    def expected(self, what: str, example: str) -> None:
        got = self.peek()
        found = f"`{got.text}`" if got is not None else "the end of the line"
        self.sink.error("E011", f"expected {what}, found {found}", self.here(), f"write `{example}`")
        self.skip_rest()





def _fmt(value: Fraction | float) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
