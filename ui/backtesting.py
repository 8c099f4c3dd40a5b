"""Start a session's backtest job and find the backtest that belongs to what is on screen.

A backtest runs in the same kind of background job as a training (`ui.jobs.TrainingJob`, one
server slot); its cut-offs run in server-wide worker processes, one per core
(`LSTM_STUDIO_WORKERS` sets how many; 1 keeps them in the server process), started when the
Backtest page opens and kept warm for ten minutes after a backtest. A backtest of the current run
is stored with the run, so reopening the run shows it again.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lstm_core.config import Settings
from lstm_core.executor import InlineExecutor, LocalExecutor
from ui import state
from ui.jobs import TrainingJob


@dataclass(frozen=True)
class BacktestSource:
    """What a backtest runs on: the current run (its series and settings) or the dataset."""

    key: str  # the run id, or "data:<fingerprint>" without a run
    label: str
    series: pd.Series
    settings: Settings
    run_id: str | None


# Server-wide worker processes for backtests: they hold no user data between tasks, stay alive
# for ten minutes after a backtest, and run one backtest at a time (others wait their turn).
_SHARED: LocalExecutor | None = None
_SHARED_LOCK = threading.Lock()
KEEP_ALIVE = 600.0


def _workers() -> int:
    try:
        workers = int(os.environ.get("LSTM_STUDIO_WORKERS", "0"))
    except ValueError:
        workers = 0
    return workers if workers > 0 else (os.cpu_count() or 1)


def shared_executor() -> InlineExecutor | LocalExecutor:
    """The server-wide worker processes (this process when `LSTM_STUDIO_WORKERS` is 1)."""
    global _SHARED
    if _workers() == 1:
        return InlineExecutor()
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = LocalExecutor(_workers(), keep_alive=KEEP_ALIVE)
        return _SHARED


def warm_workers() -> None:
    """Start the worker processes in the background so that pressing Run starts at once."""
    executor = shared_executor()
    if isinstance(executor, LocalExecutor):
        executor.start()


def start_backtest(source: BacktestSource, origins: int, step: int) -> TrainingJob:
    """Create, store in the session and start a backtest job."""
    from ui.training import freeze_tensorflow_objects, session_alive

    def work(on_epoch, should_stop):
        from lstm_core.backtest import backtest

        def progress(event: dict[str, Any]) -> None:
            on_epoch(event.get("epoch") or 0, {
                "phase": f"{event['done']} of {event['origins']} cut-offs done",
                "loss": event.get("loss"), "val_loss": event.get("val_loss"),
            })

        executor = shared_executor()
        if executor.workers == 1:
            freeze_tensorflow_objects()  # training in this process: see ui.training
        return backtest(source.series, source.settings, origins=origins, step=step,
                        executor=executor, on_progress=progress, should_stop=should_stop)

    def save(result):
        if source.run_id is None:
            return None
        from lstm_core.runs import RunStore

        RunStore().attach(source.run_id, "backtest", result.to_dict())
        return source.run_id

    settings = source.settings
    total = origins * settings.train.epochs
    job = TrainingJob(work=work, epochs_total=total, on_done=save, alive=session_alive())
    state.put(state.BACKTEST_JOB, job)
    job.start()
    return job


def shown_backtest(source: BacktestSource) -> Any:
    """The backtest of `source`: from this session, else saved with its run (None if none)."""
    if state.get(state.BACKTEST_FOR) == source.key and state.get(state.BACKTEST) is not None:
        return state.get(state.BACKTEST)
    saved = None
    manifest = state.get(state.RUN_MANIFEST)
    if source.run_id is not None and not (manifest and state.get(state.RUN_ID) == source.run_id):
        from lstm_core.errors import BundleError
        from lstm_core.runs import RunStore

        try:
            manifest = RunStore().manifest(source.run_id)
        except BundleError:
            manifest = None
    if source.run_id is not None and manifest:
        saved = (manifest.get("extra") or {}).get("backtest")
    if saved is None:
        return None
    from lstm_core.backtest import BacktestResult

    result = BacktestResult.from_dict(saved)
    state.put(state.BACKTEST, result)
    state.put(state.BACKTEST_FOR, source.key)
    return result
