"""RayExecutor on a local Ray (2 CPUs): the Executor contract, and the numbers of local runs."""

from __future__ import annotations

import json
import logging
import socket
import sys
import time

import numpy as np
import pandas as pd
import pytest
import ray  # pinned in requirements.txt, like every runtime dependency

from lstm_core.backtest import backtest
from lstm_core.cli import main
from lstm_core.config import ModelConfig, Settings, TrainConfig, WindowConfig
from lstm_core.errors import SettingsError
from lstm_core.executor import (
    InlineExecutor,
    LocalExecutor,
    RayExecutor,
    default_executor,
    executor_for,
)

TINY = Settings(
    window=WindowConfig(input_length=8, horizon=4),
    model=ModelConfig(units=3),
    train=TrainConfig(epochs=2, batch_size=16, patience=0, seed=3),
    holdout=4,
)


def _noisy(n: int = 60) -> pd.Series:
    rng = np.random.default_rng(9)
    t = np.arange(n)
    values = 20 + 0.3 * t + 3 * np.sin(np.pi * t / 2) + rng.normal(0, 0.5, n)
    return pd.Series(values, index=pd.date_range("2000-01-01", periods=n, freq="QS"), name="y")


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray of 2 CPUs for this module (never one someone else started on this machine)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("RAY_ADDRESS", raising=False)
        ray.init(address="local", num_cpus=2, include_dashboard=False,
                 logging_level=logging.ERROR, log_to_driver=False)
        # Ray workers cannot import this test module: send its task functions by value.
        ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
        try:
            yield
        finally:
            ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
            ray.shutdown()


# -- choosing the engine (before the module's Ray starts) ---------------------------------------

def test_executor_for_picks_the_engine(monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert type(executor_for(tasks=3)) is type(default_executor(3))
    assert isinstance(executor_for("local", tasks=3, workers=1), InlineExecutor)
    assert isinstance(executor_for("local", tasks=3, workers=2), LocalExecutor)
    assert isinstance(executor_for("ray", workers=2), RayExecutor)
    monkeypatch.setenv("RAY_ADDRESS", "auto")
    executor = executor_for(tasks=3)
    assert isinstance(executor, RayExecutor) and executor.address == "auto"
    assert isinstance(executor_for("local", tasks=3), type(default_executor(3)))
    with pytest.raises(SettingsError) as info:
        executor_for("spark")
    assert str(info.value) == "--engine must be local or ray, got 'spark'."


def test_without_ray_the_message_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    with pytest.raises(SettingsError) as info:
        RayExecutor()
    assert str(info.value).startswith("Ray is not installed: run `.venv/bin/python -m pip "
                                      "install -r requirements.txt`")


def test_an_unreachable_cluster_is_a_plain_error_at_once(monkeypatch):
    assert not ray.is_initialized()  # these tests run before the module's Ray starts
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
    started = time.perf_counter()
    with pytest.raises(SettingsError) as info:
        RayExecutor().map(_square, [1])
    assert str(info.value).startswith(f"Could not connect to Ray at 127.0.0.1:{port} (nothing "
                                      "answers there")
    assert time.perf_counter() - started < 10  # Ray alone would retry for many minutes
    assert not ray.is_initialized()


# -- task functions (run in Ray workers) ---------------------------------------------------------

def _square(item: int, task) -> int:
    for epoch in range(3):
        task.report({"epoch": epoch})
    return item * item


def _fail_on_two(item: int, task) -> int:
    if item == 2:
        raise ValueError(f"item {item} cannot be used")
    return item


def _train_until_stopped(item: int, task) -> tuple[str, int]:
    task.report({"epoch": 0})
    for _ in range(300):  # 30 s unless stopped
        if task.should_stop():
            return ("stopped", item)
        time.sleep(0.1)
    return ("finished", item)


# -- the contract --------------------------------------------------------------------------------

def test_results_in_item_order_progress_before_done(local_ray):
    executor = RayExecutor()
    assert executor.workers == 2  # every CPU of the Ray in use
    events: list[tuple] = []
    results = executor.map(_square, list(range(5)),
                           on_done=lambda i, r: events.append(("done", i, r)),
                           on_progress=lambda i, p: events.append(("epoch", i, p["epoch"])))
    assert results == [0, 1, 4, 9, 16]
    assert sorted(e[1:] for e in events if e[0] == "done") == [(i, i * i) for i in range(5)]
    for index in range(5):
        mine = [e for e in events if e[1] == index]
        assert mine == [("epoch", index, 0), ("epoch", index, 1), ("epoch", index, 2),
                        ("done", index, index * index)]
    assert executor.map(_square, []) == []


def test_a_task_exception_reaches_the_caller_and_the_executor_still_works(local_ray):
    executor = RayExecutor(workers=2)
    with pytest.raises(ValueError, match="^item 2 cannot be used$"):
        executor.map(_fail_on_two, [0, 1, 2, 3])
    assert executor.map(_fail_on_two, [5]) == [5]


def test_stop_ends_running_tasks_and_never_starts_the_queued_ones(local_ray):
    executor = RayExecutor(workers=2)
    seen: list[int] = []
    started = time.perf_counter()
    results = executor.map(_train_until_stopped, [0, 1, 2, 3, 4],
                           on_progress=lambda i, p: seen.append(i),
                           should_stop=lambda: len(seen) >= 2)
    assert results == [("stopped", 0), ("stopped", 1), None, None, None]
    assert time.perf_counter() - started < 15  # not the 30 s the tasks would take


def test_close_leaves_a_ray_it_did_not_start(local_ray):
    executor = RayExecutor(workers=1)
    assert executor.map(_square, [3]) == [9]
    executor.close()
    assert ray.is_initialized()


# -- the same numbers ----------------------------------------------------------------------------

def test_backtest_on_ray_gives_exactly_the_inline_numbers(local_ray):
    series = _noisy()
    inline = backtest(series, TINY, origins=2, executor=InlineExecutor())
    events: list[dict] = []
    on_ray = backtest(series, TINY, origins=2, executor=RayExecutor(), on_progress=events.append)
    pd.testing.assert_frame_equal(on_ray.frame, inline.frame, check_exact=True)
    pd.testing.assert_frame_equal(on_ray.scores, inline.scores, check_exact=True)
    assert on_ray.summary == inline.summary
    assert sum(e["epoch"] is None for e in events) == 2  # one "cut-off done" each
    assert any(e["epoch"] == 1 for e in events)  # and the epochs of the workers


def test_search_on_ray_gives_the_local_processes_trials(local_ray):
    search = pytest.importorskip("lstm_core.search").search
    series = _noisy()

    def signature(result) -> list[tuple]:
        return [(t.number, t.state, t.params, t.score) for t in result.trials]

    # Trials go in batches of `executor.workers`: the same on both, so the same proposals.
    common = {"budget": 600, "trials": 4, "seed": 1, "origins": 2}
    local = search(series, TINY, executor=LocalExecutor(2), **common)
    on_ray = search(series, TINY, executor=RayExecutor(workers=2), **common)
    assert len(on_ray.trials) == 4
    assert signature(on_ray) == signature(local)


def test_cli_backtest_runs_on_ray(local_ray, tmp_path, capsys):
    data = tmp_path / "q.csv"
    _noisy().rename_axis("quarter").to_csv(data)
    config = tmp_path / "settings.json"
    config.write_text(json.dumps(TINY.to_dict()))
    out = tmp_path / "bt.csv"
    capsys.readouterr()
    assert main(["backtest", str(data), "--horizon", "4", "--origins", "2", "--engine", "ray",
                 "--config", str(config), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)  # nothing from Ray mixed into the JSON
    inline = backtest(_noisy(), TINY, origins=2, executor=InlineExecutor())
    assert summary["mean_mase"]["lstm"] == inline.summary["models"]["lstm"]["mean_mase"]
    assert "2 of 2 cut-offs done" in captured.err
