"""batch.prune: a finished batch's jobs + its shared stem store -> the store holding only what they need.

Each audio job's folder records the shared stems its outputs were made from (`outputs.record_shared_stems`,
kept while the job is up to date). After a batch in which every job was built, the store keeps the
files those records name and loses the rest: stems of songs, keys, tempos or tracks the manifest no
longer asks for, or that a changed song no longer makes. Nothing is pruned after a batch with a failed
job (it may still need its stems), nor when an audio job has no record (a folder from an older
songspec, or cleaned with `song clean --cache-only`): keeping a stem costs disk, losing one a render.
"""

from __future__ import annotations

from pathlib import Path

from ..outputs import shared_stems_of
from .jobs import Job


def prune_shared_stems(store: Path, jobs: list[Job]) -> list[str] | None:
    """Delete the files in `store` no job of `jobs` (all built) records; return their names, or None
    when a job's needs are unknown (nothing deleted). Temp files (`.*`) of builds still writing stay."""
    needed: set[str] = set()
    for job in jobs:
        if job.options.midi_only:
            continue
        names = shared_stems_of(Path(job.out_dir))
        if names is None:
            return None
        needed |= names
    if not store.is_dir():
        return []
    stale = [path for path in sorted(store.iterdir())
             if path.is_file() and not path.name.startswith(".") and path.name not in needed]
    for path in stale:
        path.unlink(missing_ok=True)
    return [path.name for path in stale]
