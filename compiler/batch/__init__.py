"""batch: `song batch` — a catalogue of builds (songs × keys × tempos × minus-ones) from one manifest, a
driver over `pipeline.build` run on a local process pool or a Dask cluster.

    manifest.py   the TOML manifest -> checked entries (located diagnostics)
    jobs.py       entries + each song's front end -> jobs, one output folder each
    worker.py     job -> result, in a worker (what it keeps between jobs)
    executors.py  where the jobs run: spawn pool, Dask LocalCluster, a Dask scheduler
    progress.py   results -> progress lines or JSON lines
    command.py    the `song batch` command
"""

# The codes about a batch manifest (not a .song file): docs/diagnostics.md shows each with a manifest.
BATCH_CODES = ("E250", "E251", "E252", "E253", "E254", "E255", "E256")
