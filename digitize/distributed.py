"""Pages on a Dask distributed cluster: ``digitize run ... --scheduler tcp://HOST:8786``.

The only module that imports dask. The cluster's workers run the same functions as the local pool
(:func:`digitize.batch.read_page_to_cache`, :func:`digitize.batch.export_from_cache`), so they need the
same software (the project's Docker image) and must see the inputs and the output folder at the same
paths (shared storage). The ledger stays with the process that runs ``digitize run``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from .errors import DependencyError, UsageError

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
