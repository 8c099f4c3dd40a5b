"""Start a session's backtest job and find the backtest that belongs to what is on screen.

A backtest runs in the same kind of background job as a training (`ui.jobs.TrainingJob`, one
server slot); its cut-offs run in server-wide worker processes, one per core
(`LSTM_STUDIO_WORKERS` sets how many; 1 keeps them in the server process), started when the
Backtest page opens and kept warm for ten minutes after a backtest. A backtest of the current run
is stored with the run, so reopening the run shows it again.

With many series loaded, a backtest of every series (`lstm_core.panel_backtest.backtest_panel`)
runs as the same kind of job on the same worker processes; it is stored with a saved panel run as
`extra.panel_backtest`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    drivers: Any = field(default=None, repr=False)  # lstm_core.drivers.DriverData, if any


@dataclass(frozen=True)
class PanelBacktestSource:
    """What a backtest of every series runs on: the loaded panel, or a panel run's own series.

    Attributes:
        key: the run id, "result:<id>" for an unsaved run, "panel:<hash>" without a run.
        label: what the page names it by.
        lengths: every series' id -> its number of points (too-short ones included).
        settings: the current panel run's, else the panel's automatic settings.
        mode: the current panel run's mode, else "global".
        run_id: the saved panel run it is stored with (None: kept in the session only).
        series_of: id -> the whole series (read only when needed: a reopened run rebuilds it).
    """

    key: str
    label: str
    lengths: Mapping[str, int]
    settings: Settings
    mode: str
    run_id: str | None
    series_of: Callable[[str], pd.Series] = field(repr=False)

    @property
    def ids(self) -> list[str]:
        return list(self.lengths)


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
    from ui.training import expected_epochs, freeze_tensorflow_objects, session_alive

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
                        executor=executor, on_progress=progress, should_stop=should_stop,
                        drivers=source.drivers)

    def save(result):
        if source.run_id is None:
            return None
        from lstm_core.runs import RunStore

        RunStore().attach(source.run_id, "backtest", result.to_dict())
        return source.run_id

    total = origins * expected_epochs(source.settings, drivers=source.drivers is not None)
    job = TrainingJob(work=work, epochs_total=total, on_done=save, alive=session_alive())
    state.put(state.BACKTEST_JOB, job)
    job.start()
    return job


def panel_tasks(source: PanelBacktestSource, origins: int, step: int) -> int:
    """How many tasks a panel backtest runs: one per cut-off (global) or per series and cut-off."""
    from lstm_core.backtest import max_origins

    if source.mode == "global":
        return origins
    fitting = sum(max_origins(n, source.settings, step) >= origins
                  for n in source.lengths.values())
    return origins * fitting


def start_panel_backtest(source: PanelBacktestSource, origins: int, step: int) -> TrainingJob:
    """Create, store in the session and start a backtest job over every series of a panel."""
    from ui.training import expected_epochs, freeze_tensorflow_objects, session_alive

    def work(on_epoch, should_stop):
        from lstm_core.panel_backtest import backtest_panel

        def progress(event: dict[str, Any]) -> None:
            on_epoch(event.get("epoch") or 0, {
                "phase": f"{event['done']:,} of {event['total']:,} tasks done",
                "loss": event.get("loss"), "val_loss": event.get("val_loss"),
            })

        executor = shared_executor()
        if executor.workers == 1:
            freeze_tensorflow_objects()  # training in this process: see ui.training
        series = {key: source.series_of(key) for key in source.ids}
        return backtest_panel(series, source.settings, mode=source.mode, origins=origins,
                              step=step, executor=executor, on_progress=progress,
                              should_stop=should_stop)

    def save(result):
        if source.run_id is None:
            return None
        from lstm_core.runs import RunStore

        RunStore().attach(source.run_id, "panel_backtest", result.to_dict())
        return source.run_id

    total = panel_tasks(source, origins, step) * expected_epochs(source.settings)
    job = TrainingJob(work=work, epochs_total=total, on_done=save, alive=session_alive(),
                      meta={"panel_backtest": source.key})
    state.put(state.BACKTEST_JOB, job)
    job.start()
    return job


def shown_panel_backtest(source: PanelBacktestSource) -> Any:
    """The panel backtest of `source`: from this session, else saved with its run (None if none).

    What was looked up is remembered for `source.key` (also "none saved"), so a rerun does not
    read a large manifest again.
    """
    if state.get(state.PANEL_BACKTEST_FOR) == source.key:
        return state.get(state.PANEL_BACKTEST)
    saved = None
    if source.run_id is not None:
        manifest = state.get(state.RUN_MANIFEST)
        if not (manifest and state.get(state.RUN_ID) == source.run_id):
            from lstm_core.errors import BundleError
            from lstm_core.runs import RunStore

            try:
                manifest = RunStore().manifest(source.run_id)
            except BundleError:
                manifest = None
        saved = ((manifest or {}).get("extra") or {}).get("panel_backtest")
    result = None
    if saved is not None:
        from lstm_core.panel_backtest import PanelBacktest

        result = PanelBacktest.from_dict(saved)
    state.put(state.PANEL_BACKTEST, result)
    state.put(state.PANEL_BACKTEST_FOR, source.key)
    return result


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
