"""Language-server benchmark (issue 12): didChange -> publishDiagnostics on the 104-bar medium_swing spec,
as an editor sees it (a real client over stdio, `bench/lsp_client.py`), against the front end alone
in process (what each change must cost at least), measured in the same run.

    python -m bench.lsp            # also part of `make bench`
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from lsprotocol import types as T

from compiler.lsp.server import DEBOUNCE_S

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "medium_swing.song"
CHANGES = 60
TARGET_MS = 50.0


async def _latencies(path: Path, changes: int) -> tuple[list[float], list[float]]:
    """Seconds from each didChange sent to its version's diagnostics received: first with the whole text
    (what a client without incremental sync sends), then as an editor sends a keystroke (one character)."""
    from pygls.uris import from_fs_path

    from .lsp_client import CONFIG, change_document, diagnostics_of, open_document, start_session

    client = await CONFIG.start()
    try:
        await start_session(client, from_fs_path(str(path.parent)))
        text = path.read_text(encoding="utf-8")
        assert "tempo    140" in text, "the benchmark edits the spec's tempo line"
        uri = from_fs_path(str(path))
        await open_document(client, uri, text)
        whole, typed = [], []
        for version in range(2, changes + 2):
            # Each change alternates the tempo, so every version is a new text that checks clean.
            changed = text.replace("tempo    140", f"tempo    {140 + version % 2}")
            start = time.perf_counter()
            await change_document(client, uri, changed, version)
            whole.append(time.perf_counter() - start)
        line = text.split("\n").index("tempo    140")
        digit = T.Range(start=T.Position(line=line, character=11), end=T.Position(line=line, character=12))
        for version in range(changes + 2, 2 * changes + 2):
            start = time.perf_counter()
            client.text_document_did_change(T.DidChangeTextDocumentParams(
                text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[T.TextDocumentContentChangePartial(range=digit, text=str(version % 2))]))
            await diagnostics_of(client, uri, version)
            typed.append(time.perf_counter() - start)
        await client.shutdown_session()
        return whole, typed
    finally:
        await client.stop()


def _front_end_times(path: Path, repeat: int) -> list[float]:
    from compiler.library import Library
    from compiler.pipeline import analyse
    from compiler.source import Source

    source, library = Source.read(path), Library()
    analyse(source, library)  # warm: the stdlib parsed once, as the server's session has it
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        analyse(source, library)
        times.append(time.perf_counter() - start)
    return times


def run(workdir: Path | None = None) -> list[str]:
    whole, typed = asyncio.run(_latencies(SPEC, CHANGES))
    alone = statistics.median(_front_end_times(SPEC, 15))
    return [_line("didChange -> publishDiagnostics, 104 bars", whole, alone),
            _line("the same, one character typed (incremental)", typed, alone),
            f"song lsp: the front end alone in process (the baseline)  median {alone * 1000:6.1f} ms   "
            f"(the server adds its {DEBOUNCE_S * 1000:.0f} ms debounce and the pipe)"]


def _line(what: str, took: list[float], alone: float) -> str:
    took = sorted(took)
    median, p95 = statistics.median(took), took[int(0.95 * (len(took) - 1))]
    return (f"song lsp: {what:<45} median {median * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   "
            f"range {took[0] * 1000:.1f}-{took[-1] * 1000:.1f} ms ({len(took)} changes)   "
            f"target {TARGET_MS:.0f} ms (ratio {median * 1000 / TARGET_MS:.2f})   "
            f"{median / alone:.2f}x the front end alone")


if __name__ == "__main__":
    for line in run():
        print(line)
