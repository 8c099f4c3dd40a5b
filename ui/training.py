"""Start a session's training job: the pipeline in a background thread, then record the run."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

from lstm_core.config import Settings
from lstm_core.data import Dataset
from lstm_core.drivers import DriverData
from ui import state
from ui.jobs import TrainingJob
from ui.panels import LoadedPanel

_frozen = threading.Event()
_freeze_lock = threading.Lock()


def freeze_tensorflow_objects() -> None:
    """Move TensorFlow's many long-lived objects out of the garbage collector's sight, once.

    Streamlit clears the Keras session after every script run, and Keras' `clear_session` runs a
    full `gc.collect()`: with TensorFlow loaded that took 0.3-0.6 s each time, twice a second while
    the live loss chart polls, and starved the training thread (training ran ~50x slower in the
    server than in a script). After `gc.freeze()` the same collection takes well under 1 ms.
    """
    with _freeze_lock:
        if _frozen.is_set():
            return
        _import_and_freeze()


def _import_and_freeze() -> None:
    import keras  # noqa: F401  (loads TensorFlow)
    import tensorflow  # noqa: F401

    gc.collect()
    gc.freeze()
    _frozen.set()


def warm_up() -> None:
    """Load TensorFlow in the background (once per server) so pressing Train starts quickly."""
    if _frozen.is_set() or any(t.name == "tf-warm-up" for t in threading.enumerate()):
        return
    threading.Thread(target=freeze_tensorflow_objects, name="tf-warm-up", daemon=True).start()


def expected_epochs(settings: Settings, drivers: bool = False) -> int:
    """How many epochs the pipeline runs at most (ensemble members train side by side); with
    drivers, `run_forecast` also trains the same LSTM without them, so twice as many."""
    return settings.train.epochs * (2 if drivers else 1)


def session_alive() -> Callable[[], bool] | None:
    """A thread-safe check that this browser session is still connected (None outside a server)."""
    from streamlit.runtime import Runtime, exists
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not exists():
        return None
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)


# What the Train page's progress says while each part of a run with drivers trains.
DRIVER_PHASES = {"": "with drivers", "train": "with drivers",
                 "without drivers": "training the LSTM without drivers"}


def start_training(
    dataset: Dataset, settings: Settings, attach: dict | None = None,
    drivers: DriverData | None = None, assumed: dict[str, list[str]] | None = None,
) -> TrainingJob:
    """Create, store in the session and start a training job for `dataset` with `settings`.

    Args:
        dataset: the series.
        settings: the Train form's settings.
        attach: stored with the saved run (`RunStore.attach`), e.g. the search it came from.
        drivers: the drivers with their future values for the horizon (`assume_future` fills
            what the file did not give); the same LSTM is then also trained without them, and
            the epochs count both.
        assumed: which future values were assumed (`ui.drivers.assumed_labels`); kept in the
            job's meta and saved with the run as `assumed_future`.
    """
    from lstm_core.pipeline import run_forecast  # imports TensorFlow: only when training

    series = dataset.series
    if drivers is not None and assumed:
        attach = {**(attach or {}), "assumed_future": assumed}

    def work(on_epoch, should_stop):
        freeze_tensorflow_objects()
        if drivers is not None:
            def phased(epoch: int, logs: dict) -> None:
                phase = str(logs.get("phase", ""))
                on_epoch(epoch, {**logs, "phase": DRIVER_PHASES.get(phase, phase)})

            return run_forecast(series, settings, on_epoch=phased, should_stop=should_stop,
                                drivers=drivers)
        return run_forecast(series, settings, on_epoch=on_epoch, should_stop=should_stop)

    def save(result):
        from ui.run_store import record_run

        run_id, name = record_run(result, dataset)
        if attach:
            from lstm_core.runs import RunStore

            store = RunStore()
            for key, value in attach.items():
                store.attach(run_id, key, value)
        return run_id, name

    epochs = expected_epochs(settings, drivers=drivers is not None)
    job = TrainingJob(work=work, epochs_total=epochs, on_done=save, alive=session_alive(),
                      meta={"assumed": assumed or {}} if drivers is not None else {})
    state.put(state.JOB, job)
    job.start()
    return job


def start_panel_training(loaded: LoadedPanel, settings: Settings, mode: str) -> TrainingJob:
    """Create, store in the session and start a training job on every series of a panel.

    Args:
        loaded: the session's panel.
        settings: one set of settings for every series (too-short series are left out).
        mode: "global" (one LSTM for all series) or "local" (one per series).
    """
    from lstm_core.panel import prepare_in_workers, run_panel

    series = dict(loaded.panel.series)
    total = len(series)
    epochs = expected_epochs(settings)
    holder: list[TrainingJob] = []

    def work(on_epoch, should_stop):
        job = holder[0]
        job.set_detail(f"Preparing series: 0 of {total:,}" if mode == "global"
                       else f"Series 1 of {total:,}: starting", 0.0)
        freeze_tensorflow_objects()
        seen = {"index": -1, "calls": 0}

        def progress(event: dict) -> None:
            done, count = int(event.get("done", 0)), max(1, int(event.get("total", 1)))
            if event.get("phase") == "prepare":
                job.set_detail(f"Preparing series: {done:,} of {count:,}", done / count)
            elif event.get("phase") == "score":
                job.set_detail(f"Scoring series: {done:,} of {count:,}", done / count)

        def epoch(number: int, logs: dict) -> None:
            if mode == "local":
                index = int(logs.get("index", 0))
                if index != seen["index"]:
                    seen["index"], seen["calls"] = index, 0
                seen["calls"] += 1
                job.set_detail(
                    f"Series {index + 1:,} of {total:,}: epoch {seen['calls']}",
                    (index + min(1.0, seen["calls"] / epochs)) / total,
                )
                # Each series starts its own loss curve.
                logs = {**logs, "phase": f"series {index + 1} of {total}", "members": 1}
            elif job.snapshot().detail:
                job.set_detail("")  # training: the epochs measure progress now
            on_epoch(number, logs)

        executor = None
        if mode == "global" and prepare_in_workers(total, warm=True):
            from ui.backtesting import shared_executor

            executor = shared_executor()
        return run_panel(series, settings, mode=mode, executor=executor, on_epoch=epoch,
                         on_progress=progress, should_stop=should_stop)

    def save(result):
        from lstm_core.run_record import record_panel_run

        return record_panel_run(result, dataset_name=loaded.name, health=loaded.health())

    job = TrainingJob(work=work, epochs_total=epochs * (total if mode == "local" else 1),
                      on_done=save, alive=session_alive(),
                      meta={"series": list(series), "dataset": loaded.name})
    holder.append(job)
    state.put(state.JOB, job)
    job.start()
    return job
