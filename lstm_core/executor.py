"""Run independent tasks (backtest cut-offs, later search trials) in parallel; progress, stop.

`Executor.map(fn, items, on_done=None, on_progress=None, should_stop=None)` calls the top-level
function `fn(item, task)` for every item and returns the results in item order. `task` is a
`TaskContext`: `task.report(payload)` sends a small dict of progress to the caller's
`on_progress(index, payload)`, and `task.should_stop()` says the caller asked to stop (the task
should then end soon with what it has). Items and results must be picklable.

- `InlineExecutor`: one task after another in this process (one worker, tests, tiny jobs).
- `LocalExecutor`: worker processes (one per core by default), started with "spawn" so that no
  TensorFlow state is forked; each worker imports TensorFlow once and runs many tasks.
- `RayExecutor`: Ray tasks, on a local Ray started on first use or on a cluster (`address` or
  `RAY_ADDRESS`). Ray is imported only inside its methods: nothing else needs it installed.

`executor_for(engine, tasks)` picks one for the CLI and the dashboard. Same seeds give the same
numbers on every backend: a task's result depends only on its item.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queue_module
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Protocol

from lstm_core.errors import SettingsError

OnDone = Callable[[int, Any], None]
OnProgress = Callable[[int, dict[str, Any]], None]

__all__ = [
    "Executor",
    "InlineExecutor",
    "LocalExecutor",
    "RayExecutor",
    "TaskContext",
    "default_executor",
    "executor_for",
]

ENGINES = ("local", "ray")


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
    _WORKER["progress"], _WORKER["stop"] = progress, stop
    _limit_threads(threads)


def _limit_threads(threads: int) -> None:
    """Give this worker process's TensorFlow `threads` threads (once: TensorFlow fixes them)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if threads and "threads" not in _WORKER:
        # OpenMP's own pool (oneDNN) would otherwise take every core in every worker, as Ray's
        # workers avoid by default: with it at the worker's share, a warm backtest ran ~1.7x
        # faster on 2 cores (bench/engine_speed.py), with the same numbers.
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        # Same numbers: the trainer's arithmetic does not depend on thread counts.
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        _WORKER["threads"] = threads


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


# -- Ray -----------------------------------------------------------------------------------------

# How stale a Ray task's view of Stop may be: the trainer asks every epoch, and one question is a
# round trip to the channel actor.
STOP_POLL_SECONDS = 0.5
# A Ray task sends a report at once when its last one went this long ago, else with the next
# one (or with its result): fast epochs then cost one message per this many seconds.
REPORT_SECONDS = 0.2


class _Channel:
    """Ray actor between a `RayExecutor` and its tasks: progress goes up, Stop comes down.

    `generation` numbers the executor's maps, so a task left over from an earlier map (one that
    raised) sees Stop, and its progress is dropped.
    """

    def __init__(self) -> None:
        self.generation, self.stopped = 0, False
        self.reports: list[tuple[int, dict[str, Any]]] = []

    def begin(self, generation: int) -> None:
        self.generation, self.stopped, self.reports = generation, False, []

    def report(self, generation: int, batch: list[tuple[int, dict[str, Any]]]) -> None:
        if generation == self.generation:
            self.reports.extend(batch)

    def drain(self) -> list[tuple[int, dict[str, Any]]]:
        reports, self.reports = self.reports, []
        return reports

    def stop(self) -> None:
        self.stopped = True

    def should_stop(self, generation: int) -> bool:
        return self.stopped or generation != self.generation


class _RayContext:
    def __init__(self, channel: Any, generation: int, index: int) -> None:
        self._channel, self._generation, self._index = channel, generation, index
        self._batch: list[tuple[int, dict[str, Any]]] = []
        self._last: Any = None  # the latest report sent (the channel runs them in order)
        self._sent = -REPORT_SECONDS  # the first report goes at once
        self._asked = -STOP_POLL_SECONDS
        self._stopped = False

    def report(self, payload: dict[str, Any]) -> None:
        self._batch.append((self._index, payload))
        if time.monotonic() - self._sent >= REPORT_SECONDS:
            self._send()

    def should_stop(self) -> bool:
        if not self._stopped and time.monotonic() - self._asked >= STOP_POLL_SECONDS:
            import ray

            self._stopped = ray.get(self._channel.should_stop.remote(self._generation))
            self._asked = time.monotonic()
        return self._stopped

    def _send(self) -> None:
        if self._batch:
            self._last = self._channel.report.remote(self._generation, self._batch)
            self._batch = []
        self._sent = time.monotonic()

    def finish(self) -> None:
        """Deliver every report before the result, so the caller sees progress, then done."""
        self._send()
        if self._last is not None:
            import ray

            ray.get(self._last)


def _run_ray_task(fn: Callable[[Any, TaskContext], Any], index: int, item: Any, channel: Any,
                  generation: int, threads: int) -> Any:
    _limit_threads(threads)
    task = _RayContext(channel, generation, index)
    try:
        return fn(item, task)
    finally:
        task.finish()


def _warm_ray_worker(threads: int) -> None:
    _limit_threads(threads)
    _warm_up()


def _ray_runtime_env() -> dict[str, Any]:
    # Workers import `lstm_core` from this checkout: it must be on their path, without uploading
    # it (a `working_dir` would copy the folder to the cluster on every start).
    root = str(Path(__file__).resolve().parents[1])
    return {"env_vars": {"PYTHONPATH": f"{root}{os.pathsep}${{PYTHONPATH}}",
                         "TF_CPP_MIN_LOG_LEVEL": "2"}}


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise SettingsError(
            "Ray is not installed: run `.venv/bin/python -m pip install -r requirements.txt` "
            "(it pins ray), or use the local engine (--engine local, and unset RAY_ADDRESS)."
        ) from exc
    return ray


class RayExecutor:
    """Ray tasks, one CPU each, on a local Ray or on a cluster.

    Ray starts (or is connected to) at the first `map` or `start()` and stays up until `close()`,
    so its worker processes keep TensorFlow imported between maps. A task's Stop check asks a
    small channel actor at most every `STOP_POLL_SECONDS`; its progress reaches the caller in
    batches (`REPORT_SECONDS`), drained every 0.2 s. At most `workers` tasks are handed to Ray at
    once: the others wait here, so Stop simply never sends them (their result is None).

    Args:
        address: a running cluster ("auto", "host:port", "ray://host:port"); default
            `RAY_ADDRESS`, else a local Ray is started here with `workers` CPUs and no dashboard.
        workers: tasks running at once (default: every CPU of the Ray in use; before Ray is up,
            the cores of this machine).

    Raises:
        SettingsError: Ray is not installed, cannot start, or the cluster cannot be reached.
    """

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise SettingsError(f"workers must be at least 1, got {workers}.")
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            _import_ray()  # raises the plain message
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self._workers = workers
        self._lock = threading.RLock()
        self._owns_ray = False
        self._job: Any = None  # the Ray job the channel and remote functions belong to
        self._channel: Any = None
        self._remote: Any = None
        self._generation = 0

    @property
    def workers(self) -> int:
        if self._workers:
            return self._workers
        ray = sys.modules.get("ray")
        if ray is not None and ray.is_initialized():
            return max(1, int(ray.cluster_resources().get("CPU", 1)))
        return os.cpu_count() or 1

    def start(self) -> None:
        """Start or join Ray now and let the workers import TensorFlow (returns without waiting).

        Does nothing while a `map` is running.
        """
        if not self._lock.acquire(blocking=False):
            return
        try:
            ray = self._connect()
            warm = ray.remote(_warm_ray_worker).options(num_cpus=1,
                                                        runtime_env=_ray_runtime_env())
            for _ in range(self.workers):
                warm.remote(self._threads())
        finally:
            self._lock.release()

    def close(self) -> None:
        """Shut down the local Ray this executor started; a cluster it joined keeps running."""
        with self._lock:
            ray = sys.modules.get("ray")
            if ray is not None and ray.is_initialized():
                if self._channel is not None and self._job == _job_id(ray):
                    ray.kill(self._channel)
                if self._owns_ray:
                    ray.shutdown()  # from a cluster: only this process leaves it
            self._owns_ray, self._job, self._channel, self._remote = False, None, None, None

    def map(self, fn, items, *, on_done=None, on_progress=None, should_stop=None):  # noqa: D102
        if not items:
            return []
        while not self._lock.acquire(timeout=0.2):  # one map at a time, as LocalExecutor
            if should_stop is not None and should_stop():
                return [None] * len(items)
        try:
            ray = self._connect()
            return self._map(ray, fn, items, on_done, on_progress, should_stop)
        finally:
            self._lock.release()

    def _connect(self) -> Any:
        """Import Ray, start or join it when this process has not, and set up the channel."""
        ray = _import_ray()
        if not ray.is_initialized():
            quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
            try:
                if self.address:
                    _check_reachable(self.address)
                    ray.init(address=self.address, **quiet)
                else:
                    ray.init(address="local", num_cpus=self._workers or os.cpu_count() or 1,
                             include_dashboard=False, **quiet)
            except Exception as exc:  # Ray raises many kinds; each means the same to a user
                raise SettingsError(_ray_start_message(self.address, exc)) from exc
            self._owns_ray = True
        if self._channel is None or self._job != _job_id(ray):
            env = _ray_runtime_env()
            self._channel = ray.remote(num_cpus=0, runtime_env=env)(_Channel).remote()
            self._remote = ray.remote(_run_ray_task).options(num_cpus=1, runtime_env=env)
            self._job = _job_id(ray)
        return ray

    def _threads(self) -> int:
        # One TensorFlow thread pool per core share, as LocalExecutor's workers.
        return max(1, (os.cpu_count() or 1) // self.workers)

    def _map(self, ray, fn, items, on_done, on_progress, should_stop) -> list[Any]:
        channel, remote = self._channel, self._remote
        self._generation += 1
        generation, threads, workers = self._generation, self._threads(), self.workers
        ray.get(channel.begin.remote(generation))
        results: list[Any] = [None] * len(items)
        running: dict[Any, int] = {}  # ObjectRef -> item index
        sent, stopping = 0, False
        try:
            while True:
                while not stopping and sent < len(items) and len(running) < workers:
                    ref = remote.remote(fn, sent, items[sent], channel, generation, threads)
                    running[ref] = sent
                    sent += 1
                if not running:
                    break
                ready, _ = ray.wait(list(running), num_returns=1, timeout=0.2)
                _deliver(ray.get(channel.drain.remote()), on_progress)
                if should_stop is not None and not stopping and should_stop():
                    stopping = True  # running tasks end at their next check; the rest never go
                    ray.get(channel.stop.remote())
                for ref in ready:
                    index = running.pop(ref)
                    results[index] = _ray_result(ray, ref)  # a task's exception is raised here
                    if on_done is not None:
                        on_done(index, results[index])
        except BaseException:
            channel.stop.remote()  # tasks still running end at their next epoch
            raise
        return results


def _job_id(ray: Any) -> str:
    return ray.get_runtime_context().get_job_id()


def _deliver(reports: list[tuple[int, dict[str, Any]]], on_progress: OnProgress | None) -> None:
    if on_progress is not None:
        for index, payload in reports:
            on_progress(index, payload)


def _ray_result(ray: Any, ref: Any) -> Any:
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, Exception) and not isinstance(cause, ray.exceptions.RayError):
            raise cause from error  # the task's own exception, as LocalExecutor raises it
        raise


def _check_reachable(address: str) -> None:
    """Fail fast when nothing listens at a host:port (Ray itself retries for many minutes)."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # "auto" and other forms: Ray resolves them quickly
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=3).close()
    except OSError as exc:
        raise ConnectionError(f"nothing answers there: {exc}") from exc


def _ray_start_message(address: str | None, exc: Exception) -> str:
    if address:
        return (
            f"Could not connect to Ray at {address} ({exc}). Start a cluster with `ray start "
            "--head`, then set RAY_ADDRESS=auto on that machine (or its address, with "
            "RAY_AUTH_MODE=token); or use the local engine (--engine local, RAY_ADDRESS unset)."
        )
    return (
        f"Ray could not start on this machine ({type(exc).__name__}: {exc}); use the local "
        "engine (--engine local), or start Ray with `ray start --head` and set RAY_ADDRESS=auto."
    )


def default_executor(tasks: int) -> Executor:
    """Worker processes for several tasks on a multi-core machine, else this process."""
    workers = min(tasks, os.cpu_count() or 1)
    return LocalExecutor(workers) if workers > 1 else InlineExecutor()


def executor_for(engine: str | None = None, tasks: int = 1,
                 workers: int | None = None) -> Executor:
    """The executor the CLI and the dashboard use.

    Args:
        engine: "local" (worker processes on this machine) or "ray"; default "ray" when
            `RAY_ADDRESS` is set, else "local".
        tasks: how many tasks the job has (the local default uses no more workers than that).
        workers: tasks running at once (default: one per core, or every CPU of the Ray cluster);
            1 with the local engine runs them in this process.

    Raises:
        SettingsError: an unknown engine, or Ray is not installed.
    """
    if engine is None:
        engine = "ray" if os.environ.get("RAY_ADDRESS") else "local"
    if engine == "ray":
        return RayExecutor(workers=workers)
    if engine != "local":
        raise SettingsError(f"--engine must be local or ray, got {engine!r}.")
    if workers is None:
        return default_executor(tasks)
    return InlineExecutor() if workers == 1 else LocalExecutor(workers)
