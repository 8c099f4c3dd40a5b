"""Run independent tasks (backtest cut-offs, later search trials) in parallel; progress, stop.

`Executor.map(fn, items, on_done=None, on_progress=None, should_stop=None)` calls the top-level
function `fn(item, task)` for every item and returns the results in item order. `task` is a
`TaskContext`: `task.report(payload)` sends a small dict of progress to the caller's
`on_progress(index, payload)`, and `task.should_stop()` says the caller asked to stop (the task
should then end soon with what it has). Items and results must be picklable.

- `InlineExecutor`: one task after another in this process (one worker, tests, tiny jobs).
- `LocalExecutor`: worker processes (one per core by default), started with "spawn" so that no
  TensorFlow state is forked; each worker imports TensorFlow once and runs many tasks.

A later cluster backend (Ray) implements the same `map`. Same seeds give the same numbers on every
backend: a task's result depends only on its item.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

OnDone = Callable[[int, Any], None]
OnProgress = Callable[[int, dict[str, Any]], None]

__all__ = ["Executor", "InlineExecutor", "LocalExecutor", "TaskContext", "default_executor"]


class TaskContext(Protocol):
    """What a running task can tell its caller, and ask it."""

    def report(self, payload: dict[str, Any]) -> None: ...

    def should_stop(self) -> bool: ...


class Executor(Protocol):
    """Runs `fn(item, task)` for every item; results in item order (None for cancelled items)."""

    workers: int

    def map(
        self,
        fn: Callable[[Any, TaskContext], Any],
        items: Sequence[Any],
        *,
        on_done: OnDone | None = None,
        on_progress: OnProgress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[Any]: ...


class _InlineContext:
    def __init__(self, index: int, on_progress: OnProgress | None,
                 should_stop: Callable[[], bool] | None) -> None:
        self._index, self._on_progress, self._should_stop = index, on_progress, should_stop

    def report(self, payload: dict[str, Any]) -> None:
        if self._on_progress is not None:
            self._on_progress(self._index, payload)

    def should_stop(self) -> bool:
        return bool(self._should_stop is not None and self._should_stop())


class InlineExecutor:
    """Runs the tasks one after another in the calling process."""

    workers = 1

    def map(self, fn, items, *, on_done=None, on_progress=None, should_stop=None):  # noqa: D102
        results: list[Any] = [None] * len(items)
        for index, item in enumerate(items):
            if index and should_stop is not None and should_stop():
                break  # the first task always runs, so a stopped job still has a result
            results[index] = fn(item, _InlineContext(index, on_progress, should_stop))
            if on_done is not None:
                on_done(index, results[index])
        return results


# -- worker processes ----------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(progress: Any, stop: Any, threads: int) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _WORKER["progress"], _WORKER["stop"] = progress, stop
    if threads:  # same numbers: the trainer's arithmetic does not depend on thread counts
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


class _ProcessContext:
    def __init__(self, index: int) -> None:
        self._index = index

    def report(self, payload: dict[str, Any]) -> None:
        _WORKER["progress"].put((self._index, payload))

    def should_stop(self) -> bool:
        return bool(_WORKER["stop"].is_set())


def _run_task(fn: Callable[[Any, TaskContext], Any], index: int, item: Any) -> Any:
    return fn(item, _ProcessContext(index))


class LocalExecutor:
    """Worker processes on this machine (one per core by default).

    Args:
        workers: processes to start (default: the number of cores).
        keep_alive: seconds the workers stay alive after a `map`, so the next one skips their
            start and TensorFlow import (0: shut them down at once). Workers hold no data
            between tasks; one `map` runs at a time (others wait for it).
    """

    def __init__(self, workers: int | None = None, keep_alive: float = 0.0) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.keep_alive = keep_alive
        self._lock = threading.RLock()
        self._pool: ProcessPoolExecutor | None = None
        self._progress: Any = None
        self._stop: Any = None
        self._timer: threading.Timer | None = None

    def start(self) -> None:
        """Start the workers now and let them import TensorFlow (returns at once).

        Does nothing when the workers are already up or a `map` is running.
        """
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self._pool is not None:
                return
            pool = self._ensure_pool()
            for _ in range(self.workers):
                pool.submit(_warm_up)
            self._schedule_close()
        finally:
            self._lock.release()

    def close(self) -> None:
        """Shut the workers down (a later `map` starts new ones)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._pool is not None:
                self._stop.set()  # running tasks end at their next epoch instead of finishing
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def map(self, fn, items, *, on_done=None, on_progress=None, should_stop=None):  # noqa: D102
        if not items:
            return []
        # One map at a time: a second caller waits its turn, and may stop while it waits.
        while not self._lock.acquire(timeout=0.2):
            if should_stop is not None and should_stop():
                return [None] * len(items)
        try:
            if self._timer is not None:
                self._timer.cancel()
            try:
                return self._map(fn, items, on_done, on_progress, should_stop)
            except BaseException:
                self.close()
                raise
            finally:
                self._schedule_close()
        finally:
            self._lock.release()

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._progress, self._stop = context.Queue(), context.Event()
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=context, initializer=_init_worker,
                # One TensorFlow thread pool per core share: workers on every core already keep
                # the machine busy, and oversubscribed threads only thrash (bench/backtest_speed).
                initargs=(self._progress, self._stop,
                          max(1, (os.cpu_count() or 1) // self.workers)),
            )
        return self._pool

    def _schedule_close(self) -> None:
        if self._pool is None:
            return
        if self.keep_alive <= 0:
            self.close()
            return
        self._timer = threading.Timer(self.keep_alive, self.close)
        self._timer.daemon = True
        self._timer.start()

    def _map(self, fn, items, on_done, on_progress, should_stop) -> list[Any]:
        pool = self._ensure_pool()
        stop, progress = self._stop, self._progress
        stop.clear()
        _drain(progress, None)  # nothing from an earlier map reaches this caller
        results: list[Any] = [None] * len(items)
        futures: dict[Future, int] = {
            pool.submit(_run_task, fn, index, item): index for index, item in enumerate(items)
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(progress, on_progress)
            if should_stop is not None and not stop.is_set() and should_stop():
                stop.set()  # running tasks end at their next epoch; queued ones never start
                for future in pending:
                    future.cancel()
            for future in done:
                if future.cancelled():
                    continue
                index = futures[future]
                results[index] = future.result()  # a task's exception is raised here
                if on_done is not None:
                    on_done(index, results[index])
        _drain(progress, on_progress)
        return results


def _warm_up() -> None:
    """Import what every task needs (TensorFlow above all) while nothing waits for it."""
    import keras  # noqa: F401
    import statsmodels.tsa.holtwinters  # noqa: F401
    import tensorflow  # noqa: F401

    import lstm_core.pipeline  # noqa: F401


def _drain(progress: Any, on_progress: OnProgress | None) -> None:
    while True:
        try:
            index, payload = progress.get_nowait()
        except (queue_module.Empty, EOFError, OSError):
            return
        if on_progress is not None:
            on_progress(index, payload)


def default_executor(tasks: int) -> Executor:
    """Worker processes for several tasks on a multi-core machine, else this process."""
    workers = min(tasks, os.cpu_count() or 1)
    return LocalExecutor(workers) if workers > 1 else InlineExecutor()
