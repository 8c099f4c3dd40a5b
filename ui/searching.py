"""Start a session's settings search ("Find settings" on the Train page) as a background job.

The search (`lstm_core.search.search`) runs in a `TrainingJob` thread, so it shares the server-wide
limit on heavy jobs and the page stays responsive; its trials run on the server's worker
processes (`ui.backtesting`), or on Ray when `RAY_ADDRESS` is set. Finished trials collect in a
`SearchProgress` the page reads while the job runs.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from lstm_core.config import Settings
from lstm_core.data import Dataset
from ui import state
from ui.jobs import TrainingJob

BUDGETS = (15, 300)  # the budget slider's range, seconds
DEFAULT_BUDGET = 60


@dataclass
class SearchProgress:
    """What a running search has finished so far (written by the job thread, read by the page)."""

    budget: float
    dataset: tuple[str, str]  # ui.datasets.data_key of the series searched
    started: float = field(default_factory=time.monotonic)
    trials: list[Any] = field(default_factory=list)  # lstm_core.search.Trial, in order
    arrived: list[float] = field(default_factory=list)  # seconds after the start
    training: dict[int, int] = field(default_factory=dict)  # running trial -> epochs so far
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, trial: Any) -> None:
        with self._lock:
            self.trials.append(trial)
            self.arrived.append(time.monotonic() - self.started)
            self.training.pop(trial.number, None)

    def progress(self, index: int, payload: dict[str, Any]) -> None:
        with self._lock:
            if "trial" in payload:
                self.training[int(payload["trial"])] = int(payload.get("epoch", 0))

    def copy(self) -> tuple[list[Any], list[float], dict[int, int]]:
        with self._lock:
            return list(self.trials), list(self.arrived), dict(self.training)


_RAY: Any = None  # one Ray executor per server process, reused by every search
_RAY_LOCK = threading.Lock()


def _executor() -> Any:
    global _RAY
    if os.environ.get("RAY_ADDRESS"):
        from lstm_core.executor import executor_for

        with _RAY_LOCK:
            if _RAY is None:
                _RAY = executor_for("ray")
            return _RAY
    from ui.backtesting import shared_executor

    return shared_executor()


def start_search(dataset: Dataset, settings: Settings, budget: float) -> TrainingJob:
    """Create, store in the session and start a search from `settings` for `dataset`."""
    from lstm_core.search import search
    from ui.datasets import data_key
    from ui.training import freeze_tensorflow_objects, session_alive

    progress = SearchProgress(float(budget), data_key(dataset))
    series = dataset.series

    def work(on_epoch, should_stop):
        freeze_tensorflow_objects()
        progress.started = time.monotonic()
        return search(series, settings, budget=budget, executor=_executor(),
                      on_trial=progress.add, on_progress=progress.progress,
                      should_stop=should_stop)

    job = TrainingJob(work=work, epochs_total=1, alive=session_alive())
    state.put(state.SEARCH_JOB, job)
    state.put(state.SEARCH_PROGRESS, progress)
    state.put(state.SEARCH, None)
    job.start()
    return job


def best_curve(trials: list[Any], arrived: list[float]) -> tuple[list[float], list[float]]:
    """(seconds, best validation MASE so far) at each complete trial."""
    xs, ys, best = [], [], None
    for trial, when in zip(trials, arrived, strict=True):
        if trial.state == "complete" and trial.score is not None:
            best = trial.score if best is None else min(best, trial.score)
            xs.append(when)
            ys.append(best)
    return xs, ys
