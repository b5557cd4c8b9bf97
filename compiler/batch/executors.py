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
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Callable, Iterator

from .worker import start_pool_worker, warm_up


class SchedulerError(Exception):
    """The scheduler asked for cannot be used (no Dask, no answer): one line, exit 2."""


@contextlib.contextmanager
def executor(scheduler: str | None, workers: int) -> Iterator[Executor]:
    """The executor for `scheduler` (see the module docstring), shut down on exit."""
    if scheduler is None:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=start_pool_worker) as pool:
            # The pool starts a process only when a task waits for one: start them all now, each
            # loading the compiler, while the caller is still planning.
            with _ctrl_c_held():
                for _ in range(workers):
                    pool.submit(warm_up)
            with _cancelled_on_error(lambda: pool.shutdown(wait=False, cancel_futures=True)):
                yield pool
        return
    with _dask_client(scheduler, workers) as client:
        # pure=False: a job is run each time it is asked for, never answered from an earlier run.
        pool = client.get_executor(pure=False)
        with _cancelled_on_error(lambda: pool.shutdown(wait=False)):  # Dask's: cancels what has not finished
            yield pool


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold SIGINT while the pool spawns its processes: they inherit the held signal, so a Ctrl-C (sent
    to the whole process group) that comes while one is still importing the compiler waits for its
    initializer (`worker.start_pool_worker`) instead of printing a KeyboardInterrupt traceback."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextlib.contextmanager
def _cancelled_on_error(cancel: Callable[[], None]) -> Iterator[None]:
    """On Ctrl-C (or any error), drop the jobs not yet started (`cancel`) rather than wait for them all."""
    try:
        yield
    except BaseException:
        cancel()
        raise


@contextlib.contextmanager
def _dask_client(scheduler: str, workers: int):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SchedulerError("--scheduler needs Dask; install it with pip install 'songspec[dask]'") from None
    import logging

    if scheduler == "local":
        # Worker processes, one thread each: the audio stage runs its own two threads per job.
        with _dask_settings(), \
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
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


def _dask_settings():
    """Dask's settings for songspec's workers: without the MALLOC_TRIM_THRESHOLD_ its nannies give their
    workers. That setting also turns off glibc's adaptive mmap threshold, so every large numpy array
    an audio job makes is mapped and faulted in afresh: a full build took 40 % more CPU (twice the
    system time) with it."""
    import dask

    return dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})


def start_worker(scheduler: str, options: list[str]) -> None:
    """`song worker`: run `dask worker SCHEDULER --nthreads 1 OPTIONS…` in this process, with the BLAS
    settings that make audio jobs `song build`'s bytes and `_dask_settings`; it returns when the
    worker stops."""
    from ..cli import _pin_blas_kernels

    try:
        from distributed.cli.dask_worker import main
    except ImportError:
        raise SchedulerError("song worker needs Dask; install it with pip install 'songspec[dask]'") from None
    _pin_blas_kernels()  # the worker processes it starts inherit the environment
    with _dask_settings():
        main.main(args=[scheduler, "--nthreads", "1", *options], prog_name="song worker", standalone_mode=False)
