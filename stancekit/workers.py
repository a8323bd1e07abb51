"""Classify batches in worker processes on one machine, each loading the models once.

Used by ``classify_file(..., workers=N)`` (``stancekit classify --workers N``). Batches
go to a process pool and come back in input order, with a bounded number in flight so
memory stays flat however long the input is. A cluster is a different job: see
:mod:`stancekit.cluster`, which uses Dask.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

T = TypeVar("T")
# Batches queued per worker beyond the one it is working on: enough to keep every
# worker busy, few enough that memory does not grow with the input.
BATCHES_IN_FLIGHT_PER_WORKER = 2

_CACHE: dict[Any, Any] = {}  # one process's loaded models, by source
_CACHE_LOCK = threading.Lock()
_WORKER: dict[str, Any] = {}  # the pool worker's models and batch size


def worker_models(source):
    """The models for ``source`` in this process, loaded on first use and then cached.

    ``source`` is ``None`` (the defaults), a model folder path, or a ``Models`` bundle
    (returned as is). A path is loaded once per process, however many batches or
    tasks the process runs: the "cached loader keyed per process" the pool and the
    Dask workers share.
    """
    from stancekit.pipeline import _models

    if source is not None and not isinstance(source, str):
        return _models(source)
    with _CACHE_LOCK:  # a Dask worker may run tasks on several threads
        if source not in _CACHE:
            _CACHE[source] = _models(source)
        return _CACHE[source]


def _init_worker(source, batch_size: int, cpus: Any) -> None:
    # Pin each worker to its share of the CPUs: models that size their thread pool
    # from the CPUs they may use (the transformer does) then do not oversubscribe.
    if cpus is not None:
        try:
            os.sched_setaffinity(0, cpus.get(timeout=5))
        except Exception:  # no share left (a replaced worker) or no affinity API: run unpinned
            pass
    _WORKER["models"] = worker_models(source)
    _WORKER["batch_size"] = batch_size


def _classify_batch(texts: list) -> list[dict]:
    from stancekit.pipeline import classify

    return classify(texts, _WORKER["models"], _WORKER["batch_size"])


def _cpu_shares(workers: int) -> list[set[int]] | None:
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if workers > len(cpus):
        return None
    return [set(cpus[i::workers]) for i in range(workers)]


def classify_batches(batches: Iterable[tuple[T, list]], models, workers: int,
                     batch_size: int) -> Iterator[tuple[T, list[dict]]]:
    """Classify ``(payload, texts)`` batches in ``workers`` processes; yield
    ``(payload, results)`` in input order.

    The processes are started with ``spawn`` (safe with torch and with threads in the
    parent). ``models`` (a loaded ``Models`` bundle, a model folder or ``None``) is
    sent to each worker once, when it starts: a bundle through the pool's own pipe
    (nothing is written to or read from disk; unpickling the default bundle takes
    milliseconds where loading its folder takes seconds), a folder by its path, which
    the worker loads. At most ``BATCHES_IN_FLIGHT_PER_WORKER + 1`` batches per worker
    are pending at a time.
    An error in a worker is raised here, for the batch it happened in; results of
    earlier batches have been yielded already.
    """
    import multiprocessing

    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    context = multiprocessing.get_context("spawn")
    shares = _cpu_shares(workers)
    cpus = None
    if shares is not None:
        cpus = context.Queue()
        for share in shares:
            cpus.put(share)
    limit = workers * (BATCHES_IN_FLIGHT_PER_WORKER + 1)
    if isinstance(models, (str, bytes)) or hasattr(models, "__fspath__"):
        models = str(Path(os.fsdecode(models)).resolve())  # the workers' cwd may differ
    with context.Pool(workers, initializer=_init_worker, initargs=(models, batch_size, cpus)) as pool:
        pending: deque = deque()
        for payload, texts in batches:
            pending.append((payload, pool.apply_async(_classify_batch, (texts,))))
            if len(pending) >= limit:
                payload, result = pending.popleft()
                yield payload, result.get()
        while pending:
            payload, result = pending.popleft()
            yield payload, result.get()
