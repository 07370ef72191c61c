"""Where independent tasks run (what-if variants, the regions and reps of one big scenario): one after
another, in a local process pool, or on a Dask distributed cluster — with the same results in the same
order either way.

A :class:`Runner` is opened once (``with Runner("process", workers=2) as runner``) and its ``map`` is
used by every stage of a plan, so one pool or one cluster serves the whole run; solvers never start
pools of their own (they receive ``runner.map`` as ``SolverOptions.mapper``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any, Literal, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Executor = Literal["serial", "process", "dask"]


class Runner:
    """One executor for a whole run: ``serial``, a local ``process`` pool of ``workers`` (default: the CPU
    count; started with forkserver so that solver threads of the parent are never forked), or ``dask``:
    the scheduler at ``scheduler`` (``tcp://host:8786``), else a LocalCluster of ``workers``
    single-threaded workers. Use it as a context manager; the pool or cluster starts on first use."""

    def __init__(
        self, executor: Executor = "serial", workers: int | None = None, scheduler: str | None = None
    ):
        if executor not in ("serial", "process", "dask"):
            raise ValueError(f"unknown executor {executor!r}; use serial, process or dask")
        self.executor = executor
        self.workers = workers
        self.scheduler = scheduler
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def parallel(self) -> bool:
        return self.executor != "serial"

    def map(
        self,
        function: Callable[[T], R],
        items: Sequence[T],
        on_done: Callable[[int, int], None] | None = None,
    ) -> list[R]:
        """``[function(item) for item in items]``, results in input order; ``on_done(done, total)``."""
        total = len(items)
        if self.executor == "serial" or total <= 1:
            results = []
            for index, item in enumerate(items):
                results.append(function(item))
                if on_done:
                    on_done(index + 1, total)
            return results
        if self.executor == "process":
            pool = self._process_pool()
            futures = [pool.submit(function, item) for item in items]
            results = []
            for index, future in enumerate(futures):
                results.append(future.result())
                if on_done:
                    on_done(index + 1, total)
            return results
        client = self._dask_client()
        from dask.distributed import as_completed

        futures = client.map(function, list(items), pure=False)
        if on_done:
            for done, _ in enumerate(as_completed(futures), start=1):
                on_done(done, len(futures))
        return list(client.gather(futures))

    def peak_memory(self) -> dict[str, float]:
        """The largest resident set, in MiB, of this process (``main``) and of every worker started so far
        (``worker 1``, ``worker 2`` … in the executor's order); read before the runner closes."""
        peaks = {"main": _own_peak()}
        if self._pool is not None:
            # the pool's worker processes are not public; /proc/PID/status has each one's high-water mark
            pids = sorted(getattr(self._pool, "_processes", None) or {})
            for index, pid in enumerate(pids, start=1):
                peak = _peak_of(pid)
                if peak is not None:
                    peaks[f"worker {index}"] = peak
        if self._client is not None:
            found = self._client.run(_own_peak)
            for index, address in enumerate(sorted(found), start=1):
                peaks[f"worker {index}"] = float(found[address])
        return peaks

    def mapper(self) -> Callable[[Callable[[Any], Any], Sequence[Any]], list[Any]] | None:
        """The ``SolverOptions.mapper`` of this runner (None when serial)."""
        return self.map if self.parallel else None

    def _process_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            count = max(1, self.workers or os.cpu_count() or 1)
            context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
            self._pool = ProcessPoolExecutor(max_workers=count, mp_context=context)
        return self._pool

    def _dask_client(self) -> Any:
        if self._client is None:
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise RuntimeError("the dask executor needs `pip install 'salesplan[dask]'`") from exc
            if self.scheduler:
                self._client = Client(self.scheduler)
            else:
                self._cluster = LocalCluster(
                    n_workers=self.workers or 1, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self._client = Client(self._cluster)
        return self._client


def _own_peak() -> float:
    """This process's largest resident set so far, MiB (ru_maxrss: KiB on Linux, bytes on macOS)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _peak_of(pid: int) -> float | None:
    """The largest resident set of process ``pid``, MiB (VmHWM; None where /proc does not say)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def run_tasks(
    function: Callable[[T], R],
    items: Sequence[T],
    *,
    executor: Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> list[R]:
    """``[function(item) for item in items]`` on a :class:`Runner` opened for this one call."""
    count = workers if executor != "process" else max(1, min(workers or os.cpu_count() or 1, len(items) or 1))
    with Runner(executor, count, scheduler) as runner:
        return runner.map(function, items, on_done)
