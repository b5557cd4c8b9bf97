"""batch.executors: where a batch's jobs run, behind `concurrent.futures.Executor`.

    None                 a process pool on this machine (`-j N` processes, started with spawn: a
                         forked child of a process that has loaded libfluidsynth can hang in it)
    "local"              a Dask LocalCluster of N single-threaded worker processes (for trying Dask)
    "tcp://host:8786"    an existing Dask cluster's scheduler

Dask (`pip install 'songspec[dask]'`) is imported only for the last two. Its workers read the songs
and write the outputs themselves, at the same paths as this machine: on several machines, the songs
and the output folder must be on a file system they all mount at the same path (README, "Catalogue
builds on a Dask cluster").
"""

from __future__ import annotations

import contextlib
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Iterator

from .worker import warm_up


class SchedulerError(Exception):
    """The scheduler asked for cannot be used (no Dask, no answer): one line, exit 2."""


@contextlib.contextmanager
def executor(scheduler: str | None, workers: int) -> Iterator[Executor]:
    """The executor for `scheduler` (see the module docstring), shut down on exit."""
    if scheduler is None:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            # The pool starts a process only when a task waits for one: start them all now, each
            # loading the compiler, while the caller is still planning.
            for _ in range(workers):
                pool.submit(warm_up)
            yield pool
        return
    with _dask_client(scheduler, workers) as client:
        # pure=False: a job is run each time it is asked for, never answered from an earlier run.
        yield client.get_executor(pure=False)


@contextlib.contextmanager
def _dask_client(scheduler: str, workers: int):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SchedulerError("--scheduler needs Dask; install it with pip install 'songspec[dask]'") from None
    import logging

    if scheduler == "local":
        # Worker processes, one thread each: the audio stage runs its own two threads per job.
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            client.run(warm_up)
            yield client
        return
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        raise SchedulerError(f"no Dask scheduler answers at {scheduler}: {err}".splitlines()[0]) from None
    with client:
        yield client


def start_worker(scheduler: str, options: list[str]) -> None:
    """`song worker`: become `dask worker SCHEDULER --nthreads 1 OPTIONS…` with the BLAS settings that
    make audio jobs `song build`'s bytes (the process is replaced; it returns only if it cannot start)."""
    import importlib.util
    import os
    import sys

    from ..cli import blas_environment

    if importlib.util.find_spec("distributed") is None:
        raise SchedulerError("song worker needs Dask; install it with pip install 'songspec[dask]'")
    environment = {name: value for name, value in os.environ.items() if name not in blas_environment()}
    environment.update({name: value for name, value in blas_environment().items() if value is not None})
    command = [sys.executable, "-m", "distributed.cli.dask_worker", scheduler, "--nthreads", "1", *options]
    os.execve(sys.executable, command, environment)
