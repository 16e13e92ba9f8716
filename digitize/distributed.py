"""Where the batch's tasks run: a local process pool, or a Dask cluster (``--scheduler tcp://HOST:8786``).

The only module that imports dask, and only when a scheduler is given. The cluster's workers run the
same functions as the local pool (:func:`digitize.batch.read_page_to_cache` and
:func:`digitize.batch.export_from_cache`), so they need the same software (the project's Docker image)
and must see the inputs and the output folder at the same paths (shared storage). The ledger stays
with the process that runs ``digitize run``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Collection
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Protocol

from .errors import DependencyError, UsageError


class Runner(Protocol):
    """A pool of workers: :class:`LocalRunner` or :class:`DaskRunner`."""

    name: str

    @property
    def slots(self) -> int:
        """How many tasks to keep in flight: enough to keep every worker busy, few enough to bound memory."""
        ...

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any: ...

    def wait_first(self, futures: Collection[Any]) -> Collection[Any]: ...

    def close(self, *, cancel: bool) -> None: ...


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides, and stops the workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler, inherited through fork
    os.environ["OMP_THREAD_LIMIT"] = "1"


class LocalRunner:
    """A process pool on this machine: one Tesseract per worker, one worker per core by default."""

    def __init__(self, jobs: int) -> None:
        # fork: the workers inherit the imported pipeline instead of importing it again (spawn and
        # forkserver cost 1-3 s per run). They are all forked here, before any progress-bar thread starts.
        ctx = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker)
        self._pool.submit(int).result()
        self.jobs = jobs
        self.name = f"local process pool ({jobs} workers)"

    @property
    def slots(self) -> int:
        return 2 * self.jobs

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        return self._pool.submit(fn, *args)

    def wait_first(self, futures: Collection[Any]) -> Collection[Any]:
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        return done

    def close(self, *, cancel: bool) -> None:
        if not cancel:
            self._pool.shutdown(wait=True)
            return
        # interrupted: do not wait minutes for pages whose results would not be recorded anyway
        workers = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for proc in workers:
            with contextlib.suppress(OSError, ValueError):
                proc.terminate()


def make_runner(jobs: int, scheduler: str | None = None) -> Runner:
    """The Dask cluster at ``scheduler`` if given, else a local pool of ``jobs`` processes."""
    return DaskRunner(scheduler) if scheduler else LocalRunner(max(1, jobs))


#: How long to wait for the scheduler to answer before giving up with a clear error.
CONNECT_TIMEOUT = "30s"


class DaskRunner:
    """Submits tasks to a running Dask scheduler and keeps about two tasks per worker thread in flight."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise DependencyError(
                "--scheduler needs dask.distributed; install digitize with the 'dask' extra "
                "(pip install 'digitize[dask]')"
            ) from None
        try:
            self._client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
        self.name = f"Dask scheduler {address}"
        self._slots = 2
        self._slots_checked = 0.0

    @property
    def slots(self) -> int:
        # workers join and leave while a long batch runs; ask the scheduler now and then, not per task
        now = time.monotonic()
        if now - self._slots_checked > 10.0:
            threads = sum(self._client.nthreads().values())
            self._slots = 2 * max(1, threads)
            self._slots_checked = now
        return self._slots

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        # pure=False: two reads of the same page are two tasks, never a cached result of an old input
        return self._client.submit(fn, *args, pure=False)

    def wait_first(self, futures: Collection[Any]) -> Collection[Any]:
        from distributed import wait

        with self._client.as_current():  # wait() finds its client this way, not as an argument
            return wait(list(futures), return_when="FIRST_COMPLETED").done

    def close(self, *, cancel: bool) -> None:
        # closing the client releases its futures; the scheduler drops tasks nobody waits for any more
        del cancel
        self._client.close()
