"""Background training jobs: one per session, a server-wide limit on how many run at once.

A `TrainingJob` runs `lstm_core.pipeline.run_forecast` in a daemon thread so the page never freezes.
The job object itself is stored in the user's `st.session_state` (see `ui.state.JOB`), so moving to
another page and back shows the same job, and other users never see it. The only module-level object
is the semaphore that caps concurrent trainings on the whole server: it holds no user data.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("lstm_studio.jobs")


def _max_trainings() -> int:
    try:
        value = int(os.environ.get("LSTM_STUDIO_MAX_TRAININGS", "0"))
    except ValueError:
        value = 0
    return value if value > 0 else max(1, os.cpu_count() or 1)


MAX_TRAININGS = _max_trainings()
# Server-wide: trainings beyond this many wait in a queue (one per CPU core by default).
_SLOTS = threading.BoundedSemaphore(MAX_TRAININGS)
_running_lock = threading.Lock()
_running = 0


def running_trainings() -> int:
    """How many trainings hold a slot right now, server-wide."""
    with _running_lock:
        return _running


def _change_running(delta: int) -> None:
    global _running
    with _running_lock:
        _running += delta


@dataclass
class JobSnapshot:
    """A consistent copy of a job's progress, safe to render from the page thread."""

    status: str  # queued | running | done | stopped | failed
    epoch: int
    epochs_total: int
    phase: str
    history: dict[str, list[float]]
    best_epoch: int | None
    elapsed: float
    eta: float | None
    error: str | None
    detail: str = ""  # what the job is doing besides epochs ("Preparing series: 3 of 24")
    detail_fraction: float | None = None  # its share done, when it measures progress better

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def fraction(self) -> float:
        if self.status in ("done", "stopped"):
            return 1.0
        if self.detail_fraction is not None:
            return min(1.0, max(0.0, self.detail_fraction))
        if not self.epochs_total:
            return 0.0
        return min(1.0, self.epoch / self.epochs_total)


@dataclass
class TrainingJob:
    """One training run for one session.

    Args:
        work: the function to run; it receives `on_epoch(epoch, logs)` and `should_stop()` and
            returns the result object.
        epochs_total: how many `on_epoch` calls make up 100 % (for the progress bar and ETA).
        on_done: called in the worker thread with the result after a successful run (e.g. to save
            the run); its errors are logged and reported, the result is kept.
        meta: what the starting page keeps about the job (e.g. `{"series": [...]}`).
        alive: tells whether the owning browser session is still connected. A job whose session
            has been gone for `orphan_grace` seconds stops at the next epoch (keeping its best
            weights, and still saved by `on_done`), so an abandoned tab cannot hold a server-wide
            training slot for long.
    """

    work: Callable[[Callable[[int, dict], None], Callable[[], bool]], Any]
    epochs_total: int
    on_done: Callable[[Any], Any] | None = None
    alive: Callable[[], bool] | None = None
    orphan_grace: float = 120.0
    # What the starter keeps about the job for its page (e.g. the series a panel run was given).
    meta: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    status: str = "queued"
    result: Any = None
    done_value: Any = None
    error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _calls: int = 0
    _phase: str = ""
    _history: dict[str, list[float]] = field(default_factory=dict, repr=False)
    _best_epoch: int | None = None
    _best: float | None = None
    _recent: deque = field(default_factory=lambda: deque(maxlen=2), repr=False)
    _timed_from: tuple[int, float] | None = None  # (calls, time) at the first epoch report
    _alive_checked: float = 0.0
    _alive_seen: float = field(default_factory=time.monotonic)
    orphaned: bool = False
    _started: float | None = None
    _finished: float | None = None
    _detail: str = ""
    _detail_fraction: float | None = None

    def start(self) -> None:
        """Start the worker thread (it first waits for a free server-wide slot)."""
        self._thread = threading.Thread(target=self._run, name=f"train-{self.id}", daemon=True)
        self._thread.start()

    def set_detail(self, text: str, fraction: float | None = None) -> None:
        """Say what the job is doing besides epochs, e.g. "Preparing series: 3 of 24" (worker).

        Args:
            text: shown beside the progress bar ("" clears it).
            fraction: the share done (0-1) the bar shows instead of the epochs' share.
        """
        with self._lock:
            self._detail, self._detail_fraction = text, fraction

    def stop(self) -> None:
        """Ask the job to stop at the next epoch; the best weights so far are kept."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker thread (tests and shutdown)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def snapshot(self) -> JobSnapshot:
        """Return a consistent copy of the progress."""
        with self._lock:
            now = self._finished or time.monotonic()
            elapsed = (now - self._started) if self._started else 0.0
            eta = None
            if (self.status == "running" and self._timed_from is not None and self._recent
                    and self._calls > self._timed_from[0] and self.epochs_total):
                # Timed from the first report on, which leaves out compiling the model. The
                # compiled trainer reports epochs in bursts, so a short recent window says
                # nothing: the whole span since the first report is the rate.
                calls, since = self._timed_from
                per_call = (self._recent[-1] - since) / (self._calls - calls)
                eta = max(0.0, per_call * (self.epochs_total - self._calls))
            return JobSnapshot(
                status=self.status,
                epoch=self._calls,
                epochs_total=self.epochs_total,
                phase=self._phase,
                history={k: list(v) for k, v in self._history.items()},
                best_epoch=self._best_epoch,
                elapsed=elapsed,
                eta=eta,
                error=self.error,
                detail=self._detail,
                detail_fraction=self._detail_fraction,
            )

    # -- worker side -------------------------------------------------------------------------

    def _on_epoch(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        with self._lock:
            self._calls += 1
            self._recent.append(time.monotonic())
            if self._timed_from is None:
                self._timed_from = (self._calls, self._recent[-1])
            phase = str(logs.get("phase", ""))
            if logs.get("members", 1) and int(logs.get("members", 1)) > 1:
                at_once = f"{logs.get('members')} models at once"
                phase = f"{phase}, {at_once}" if phase else at_once
            if phase != self._phase:
                # A new phase (e.g. a backtest's next cut-off) starts a new loss curve.
                self._phase = phase
                self._history = {}
                self._best_epoch = None
                self._best = None
            for key in ("loss", "val_loss"):
                if key in logs and logs[key] is not None:
                    self._history.setdefault(key, []).append(float(logs[key]))
            # The trainer keeps the weights of the epoch with the lowest validation loss (training
            # loss without validation data): mark that epoch on the chart.
            monitored = logs.get("val_loss")
            if monitored is None or math.isnan(float(monitored)):
                monitored = logs.get("loss")
            if monitored is not None and (self._best is None or float(monitored) < self._best):
                self._best = float(monitored)
                self._best_epoch = len(self._history.get("loss", ())) or None
            if logs.get("best_epoch") is not None:
                self._best_epoch = int(logs["best_epoch"])

    def _should_stop(self) -> bool:
        if self._stop.is_set():
            return True
        if self.alive is not None:
            now = time.monotonic()
            if now - self._alive_checked >= 1.0:
                self._alive_checked = now
                if self.alive():
                    self._alive_seen = now
                elif now - self._alive_seen > self.orphan_grace:
                    logger.info("stopping training job %s: its session is gone", self.id)
                    self.orphaned = True
                    self._stop.set()
                    return True
        return False

    def _run(self) -> None:
        acquired = False
        try:
            while not (acquired := _SLOTS.acquire(timeout=0.2)):
                if self._stop.is_set():
                    with self._lock:
                        self.status = "stopped"
                        self._finished = time.monotonic()
                    return
            _change_running(+1)
            with self._lock:
                self.status = "running"
                self._started = time.monotonic()
            result = self.work(self._on_epoch, self._should_stop)
            with self._lock:
                self.result = result
            if self.on_done is not None:
                try:
                    self.done_value = self.on_done(result)
                except Exception:  # the result stays usable even if saving it failed
                    ref = uuid.uuid4().hex[:8]
                    logger.exception("saving the finished run failed (reference %s)", ref)
                    with self._lock:
                        self.error = (
                            "The model trained, but saving it to the run list failed "
                            f"(reference {ref}). Download it from the Forecast page instead."
                        )
            with self._lock:
                self.status = "stopped" if self._stop.is_set() else "done"
        except ValueError as exc:  # DataError / SettingsError: the user can fix these
            with self._lock:
                self.status = "failed"
                self.error = str(exc)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            logger.exception("training job %s failed (reference %s)", self.id, ref)
            with self._lock:
                self.status = "failed"
                self.error = (
                    "Sorry, training failed unexpectedly. Try other settings, or report reference "
                    f"{ref} (it is in the server log)."
                )
        finally:
            if acquired:
                _SLOTS.release()
                _change_running(-1)
            with self._lock:
                self._finished = time.monotonic()
