"""Background training jobs: progress, stop, errors, and the server-wide queue."""

from __future__ import annotations

import threading
import time

import pytest

from lstm_core.errors import SettingsError
from ui import jobs
from ui.jobs import TrainingJob


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def _epochs_work(n: int, gate: threading.Event | None = None):
    """A stand-in for run_forecast: n epochs of falling loss, honouring stop requests."""

    def work(on_epoch, should_stop):
        done = 0
        for epoch in range(n):
            if gate is not None:
                gate.wait(5)
            if should_stop():
                break
            on_epoch(epoch, {"loss": 1.0 / (epoch + 1), "val_loss": 2.0 / (epoch + 1),
                             "phase": "train", "member": 1, "members": 1})
            done += 1
            time.sleep(0.002)
        return {"epochs": done}

    return work


@pytest.fixture
def one_slot(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(jobs, "_SLOTS", threading.BoundedSemaphore(1))
    monkeypatch.setattr(jobs, "MAX_TRAININGS", 1)


def test_job_reports_history_and_finishes(one_slot):
    saved = []
    job = TrainingJob(work=_epochs_work(5), epochs_total=5, on_done=saved.append)
    job.start()
    job.join(10)
    snap = job.snapshot()
    assert snap.status == "done" and snap.epoch == 5 and snap.fraction == 1.0
    assert snap.history["loss"] == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    assert snap.history["val_loss"][0] == 2.0
    assert snap.best_epoch == 5  # the lowest validation loss is marked on the chart
    assert job.result == {"epochs": 5} and saved == [{"epochs": 5}]


def test_stop_ends_the_job_at_the_next_epoch(one_slot):
    gate = threading.Event()
    job = TrainingJob(work=_epochs_work(1000, gate), epochs_total=1000)
    job.start()
    gate.set()
    _wait(lambda: job.snapshot().epoch >= 3)
    job.stop()
    job.join(10)
    snap = job.snapshot()
    assert snap.status == "stopped"
    assert snap.epoch < 1000 and job.result == {"epochs": snap.epoch}


def test_second_job_is_queued_until_the_first_finishes(one_slot):
    gate = threading.Event()
    first = TrainingJob(work=_epochs_work(3, gate), epochs_total=3)
    second = TrainingJob(work=_epochs_work(3), epochs_total=3)
    first.start()
    _wait(lambda: first.snapshot().status == "running")
    second.start()
    time.sleep(0.3)
    assert second.snapshot().status == "queued"
    assert jobs.running_trainings() == 1
    gate.set()
    first.join(10)
    second.join(10)
    assert first.snapshot().status == "done" and second.snapshot().status == "done"
    assert jobs.running_trainings() == 0


def test_stop_while_queued_never_starts(one_slot):
    gate = threading.Event()
    first = TrainingJob(work=_epochs_work(3, gate), epochs_total=3)
    started = []
    second = TrainingJob(work=lambda on_epoch, should_stop: started.append(1), epochs_total=3)
    first.start()
    _wait(lambda: first.snapshot().status == "running")
    second.start()
    second.stop()
    second.join(5)
    assert second.snapshot().status == "stopped" and started == []
    gate.set()
    first.join(10)


def test_user_error_message_is_kept_and_unexpected_error_gets_a_reference(one_slot, caplog):
    def bad_settings(on_epoch, should_stop):
        raise SettingsError("window is longer than the series; choose a window below 20.")

    job = TrainingJob(work=bad_settings, epochs_total=1)
    job.start()
    job.join(5)
    assert job.snapshot().status == "failed"
    assert job.error == "window is longer than the series; choose a window below 20."

    def crash(on_epoch, should_stop):
        raise RuntimeError("boom")

    job = TrainingJob(work=crash, epochs_total=1)
    job.start()
    job.join(5)
    assert job.snapshot().status == "failed"
    assert job.error.startswith("Sorry, training failed unexpectedly.")
    assert "boom" not in job.error  # details go to the server log, not to the page
    reference = job.error.split("reference ")[1].split(" ")[0]
    assert any(reference in r.getMessage() for r in caplog.records)
    assert jobs.running_trainings() == 0


def test_failed_save_keeps_the_result_and_says_so(one_slot):
    def failing_save(result):
        raise OSError("disk full")

    job = TrainingJob(work=_epochs_work(2), epochs_total=2, on_done=failing_save)
    job.start()
    job.join(5)
    assert job.snapshot().status == "done" and job.result == {"epochs": 2}
    assert "saving it to the run list failed" in job.error


def test_job_of_a_session_that_is_gone_stops_after_the_grace_period(one_slot):
    connected = threading.Event()
    connected.set()
    gate = threading.Event()
    gate.set()
    job = TrainingJob(work=_epochs_work(100_000, gate), epochs_total=100_000,
                      alive=connected.is_set, orphan_grace=0.5)
    job.start()
    _wait(lambda: job.snapshot().epoch >= 5)
    time.sleep(1.5)
    assert job.snapshot().status == "running"  # a connected session keeps its job
    connected.clear()  # the tab was closed
    job.join(10)
    snap = job.snapshot()
    assert snap.status == "stopped" and job.orphaned
    assert job.result is not None  # what was trained is kept (and saved by on_done)
    assert jobs.running_trainings() == 0
