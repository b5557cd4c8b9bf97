"""xmltree: a small read-only XML tree whose elements know where they are in the text (for located
diagnostics), built with the standard library's expat; no DTD or external entity is ever fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from .model import ChartProblem


@dataclass
class Element:
    """`offset` is where the element's start tag is in the text (characters)."""

    tag: str
    attrib: dict[str, str]
    offset: int
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def find(self, path: str) -> Element | None:
        """The first element down a `a/b/c` path of child tags, or None."""
        node: Element | None = self
        for tag in path.split("/"):
            node = next((child for child in node.children if child.tag == tag), None)
            if node is None:
                return None
        return node

    def findall(self, tag: str) -> list[Element]:
        return [child for child in self.children if child.tag == tag]

    def text_of(self, path: str, default: str = "") -> str:
        node = self.find(path)
        return node.text.strip() if node is not None else default


def parse(text: str, code: str = "E209") -> Element:
    """The root element of an XML text. Raises ChartProblem(`code`) at the first malformed place."""
    starts = _line_starts(text)
    parser = expat.ParserCreate()
    stack: list[Element] = []
    root: list[Element] = []

    def where() -> int:  # expat counts lines from 1 and columns (in characters) from 0
        return starts[min(parser.CurrentLineNumber, len(starts)) - 1] + parser.CurrentColumnNumber

    def start(tag: str, attrib: dict[str, str]) -> None:
        element = Element(tag, attrib, where())
        (stack[-1].children if stack else root).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def data(chars: str) -> None:
        if stack:
            stack[-1].text += chars

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    try:
        parser.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as err:
        at = starts[min(err.lineno, len(starts)) - 1] + err.offset
        raise ChartProblem(code, f"not well-formed XML: {expat.ErrorString(err.code)}",
                           "export the score again from the notation program", min(at, len(text))) from None
    except LookupError as err:  # the XML declaration names an encoding there is no codec for
        raise ChartProblem(code, f"the XML declaration's encoding is unknown: {err}",
                           'write encoding="UTF-8" in the first line, or export the score again', 0) from None
    return root[0]


def _line_starts(text: str) -> list[int]:
    starts, at = [0], text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts
