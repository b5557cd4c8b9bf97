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

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "medium_swing.song"
CHANGES = 60
TARGET_MS = 50.0


async def _latencies(path: Path, changes: int) -> list[float]:
    """Seconds from each whole-text didChange sent to its version's diagnostics received."""
    from pygls.uris import from_fs_path

    from .lsp_client import CONFIG, change_document, open_document, start_session

    client = await CONFIG.start()
    try:
        await start_session(client, from_fs_path(str(path.parent)))
        text = path.read_text(encoding="utf-8")
        assert "tempo    140" in text, "the benchmark edits the spec's tempo line"
        uri = from_fs_path(str(path))
        await open_document(client, uri, text)
        took = []
        for version in range(2, changes + 2):
            # Each change alternates the tempo, so every version is a new text that checks clean.
            changed = text.replace("tempo    140", f"tempo    {140 + version % 2}")
            start = time.perf_counter()
            await change_document(client, uri, changed, version)
            took.append(time.perf_counter() - start)
        await client.shutdown_session()
        return took
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
    took = sorted(asyncio.run(_latencies(SPEC, CHANGES)))
    median, p95 = statistics.median(took), took[int(0.95 * (len(took) - 1))]
    alone = statistics.median(_front_end_times(SPEC, 15))
    return [
        f"song lsp: didChange -> publishDiagnostics, 104 bars   median {median * 1000:6.1f} ms   "
        f"p95 {p95 * 1000:6.1f} ms   range {took[0] * 1000:.1f}-{took[-1] * 1000:.1f} ms ({len(took)} changes)   "
        f"target {TARGET_MS:.0f} ms   ratio {median * 1000 / TARGET_MS:.2f}",
        f"song lsp: the front end alone in process               median {alone * 1000:6.1f} ms   "
        f"(server median / front end: {median / alone:.1f}x; the rest is the 10 ms debounce and the pipe)",
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
