"""explain: the long explanation of each diagnostic code, read from docs/diagnostics.md (`song explain`).

The text lives once, in that page: a `## CODE: title` heading per code, prose, an example that
causes the code and the fix. `song explain CODE` prints one entry for a terminal; the docs show
the same page; the tests check that every code in `errors.CODES` has an entry with its title and
that each example really gives (and each fix really avoids) its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .resources import data_dir

_HEADING = re.compile(r"^## ([EW]\d{3}): (.+)$", re.M)
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)


@dataclass(frozen=True)
class Explanation:
    """One code's entry: its title and its Markdown body (prose, example, fix)."""

    code: str
    title: str
    body: str

    def examples(self) -> tuple[list[str], list[str]]:
        """The `song` blocks before **Fix** (they cause the code) and after it (they do not)."""
        before, _, after = self.body.partition("**Fix**")
        return _song_blocks(before), _song_blocks(after)

    def as_text(self) -> str:
        """For a terminal: the heading, then the body with code blocks indented instead of fenced."""
        body = _FENCE.sub(lambda m: "".join(f"    {line}\n" for line in m.group(2).splitlines()), self.body)
        body = body.replace("**Fix**", "Fix")
        heading = f"{self.code}: {self.title}"
        return f"{heading}\n{'=' * len(heading)}\n\n{body.strip()}\n"


@cache
def explanations() -> dict[str, Explanation]:
    """Every entry of docs/diagnostics.md by code, in the page's order."""
    text = (data_dir("docs") / "diagnostics.md").read_text(encoding="utf-8")
    headings = list(_HEADING.finditer(text))
    found = {}
    for here, after in zip(headings, headings[1:] + [None]):
        body = text[here.end(): after.start() if after else len(text)]
        found[here.group(1)] = Explanation(here.group(1), here.group(2), body.strip() + "\n")
    return found


def _song_blocks(text: str) -> list[str]:
    return [m.group(2) for m in _FENCE.finditer(text + "\n") if m.group(1) == "song"]
