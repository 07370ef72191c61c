"""Run independent tasks (what-if variants, regions of one big scenario) serially, in a local process
pool, or on a Dask distributed cluster — with the same results in the same order either way."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Literal, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Executor = Literal["serial", "process", "dask"]


def run_tasks(
    function: Callable[[T], R],
    items: Sequence[T],
    *,
    executor: Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> list[R]:
    """``[function(item) for item in items]``, computed by the chosen executor, results in input order.

    process: a local pool of ``workers`` processes (default: the CPU count), started with forkserver so
    that solver threads of the parent are never forked. dask: the Dask scheduler at ``scheduler``
    (``tcp://host:8786``); without an address, a LocalCluster of ``workers`` single-threaded workers.
    ``on_done(done, total)`` reports progress.
    """
    total = len(items)
    if executor == "serial" or total <= 1:
        results = []
        for index, item in enumerate(items):
            results.append(function(item))
            if on_done:
                on_done(index + 1, total)
        return results
    if executor == "process":
        count = max(1, min(workers or os.cpu_count() or 1, total))
        context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            futures = [pool.submit(function, item) for item in items]
            results = []
            for index, future in enumerate(futures):
                results.append(future.result())
                if on_done:
                    on_done(index + 1, total)
            return results
    if executor == "dask":
        return _run_dask(function, items, workers, scheduler, on_done)
    raise ValueError(f"unknown executor {executor!r}; use serial, process or dask")


def _run_dask(
    function: Callable[[T], R],
    items: Sequence[T],
    workers: int | None,
    scheduler: str | None,
    on_done: Callable[[int, int], None] | None,
) -> list[R]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("the dask executor needs `pip install 'salesplan[dask]'`") from exc
    cluster: Any = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers or 1, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = client.map(function, list(items), pure=False)
        if on_done:
            for done, _ in enumerate(as_completed(futures), start=1):
                on_done(done, len(futures))
        return list(client.gather(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
