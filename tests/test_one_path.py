"""One path: the CLI and the dashboard make the same forecast, and agree on what is too short."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.cli import main
from lstm_core.plan import required_points
from lstm_core.samples import sample_bytes

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TINY = {"Epochs": 3, "LSTM units": 4, "Models in ensemble": 1, "Early-stopping patience": 0}


def _set_numbers(at: AppTest, values: dict[str, float]) -> None:
    for widget in at.number_input:
        if widget.label in values:
            widget.set_value(values[widget.label])


def _press_train(at: AppTest, values: dict[str, float]) -> None:
    at.switch_page("pages/train.py").run()
    _set_numbers(at, values)
    [train] = [b for b in at.button if b.label == "Train"]
    train.click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_cli_and_dashboard_give_identical_forecasts(tmp_path, capsys):
    at = AppTest.from_file(APP, default_timeout=120).run()  # opens on the airline sample
    _press_train(at, {**TINY, "Seed": 5})
    job = at.session_state["job"]
    job.join(300)
    assert job.snapshot().status == "done", job.snapshot().error
    at.run()
    dashboard = at.session_state["result"]

    data = tmp_path / "airline.csv"
    data.write_bytes(sample_bytes("airline"))
    config = tmp_path / "settings.json"  # what the Train page's "Download these settings" gives
    config.write_text(json.dumps(dashboard.settings.to_dict()))
    out = tmp_path / "f.csv"
    capsys.readouterr()
    assert main(["forecast", str(data), "--horizon", str(dashboard.settings.window.horizon),
                 "--config", str(config), "--no-save", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    cli = pd.read_csv(out)
    assert summary["season_length"] == dashboard.season_length == 12
    assert list(cli["date"]) == [d.strftime("%Y-%m-%d") for d in dashboard.future["date"]]
    for column in ("forecast", "lower", "upper"):
        np.testing.assert_allclose(cli[column], dashboard.future[column], rtol=1e-12)
    assert summary["scores"]["lstm"]["mase"] == pytest.approx(
        dashboard.scores["lstm"]["mase"], rel=1e-12)


def _upload(at: AppTest, n: int) -> None:
    t = np.arange(n)
    frame = pd.DataFrame({"month": pd.date_range("2010-01-01", periods=n, freq="MS"),
                          "sales": 100 + t + 10 * np.sin(2 * np.pi * t / 12)})
    at.file_uploader[0].set_value(
        (f"n{n}.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    assert len(at.session_state["dataset"].series) == n


def test_train_page_and_job_agree_around_the_minimum_length():
    window, horizon = 6, 4
    need = required_points(window, horizon, horizon)
    for n in range(need - 2, need + 3):
        at = AppTest.from_file(APP, default_timeout=120).run()
        _upload(at, n)
        _press_train(at, {**TINY, "Window (past steps read)": window,
                          "Horizon (steps ahead)": horizon, "Holdout length": horizon})
        job = at.session_state["job"]
        if n < need:
            assert job is None, f"{n} points: the page started a job the plan refuses"
            assert any(f"need at least {need}" in e.value for e in at.error)
        else:
            job.join(300)
            assert job.snapshot().status == "done", (n, job.snapshot().error)
            at.run()
            assert len(at.session_state["result"].future) == horizon
