"""The Backtest page under AppTest: run, move the cut-off slider, read the table, reopen a run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.plan import default_settings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture()
def tiny_backtests(monkeypatch, tmp_path):
    monkeypatch.setenv("LSTM_STUDIO_WORKERS", "1")  # cut-offs in this process: quick and quiet
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path / "home"))


def _tiny(at: AppTest) -> None:
    dataset = at.session_state["dataset"]
    chosen = default_settings(len(dataset.series), dataset.report.season_length)
    at.session_state["settings"] = replace(
        chosen, train=replace(chosen.train, epochs=2, patience=0),
        model=replace(chosen.model, units=3))
    at.session_state["_settings_for"] = dataset.name


def _run_backtest(at: AppTest, origins: int) -> None:
    at.switch_page("pages/backtest.py").run()
    assert not at.exception, [e.value for e in at.exception]
    [cutoffs] = [n for n in at.number_input if n.label == "Cut-offs"]
    cutoffs.set_value(origins)
    [run] = [b for b in at.button if b.label == "Run backtest"]
    run.click().run()
    job = at.session_state["backtest_job"]
    job.join(300)
    assert job.snapshot().status == "done", job.snapshot().error
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_three_cutoffs_on_the_airline_sample(tiny_backtests):
    at = AppTest.from_file(APP, default_timeout=120).run()
    _tiny(at)
    _run_backtest(at, 3)
    result = at.session_state["backtest"]
    assert len(result.scores) == 3
    [slider] = [s for s in at.select_slider if s.label == "Cut-off shown"]
    assert slider.value == "1959-12-01" and slider.options == [
        "1957-12-01", "1958-12-01", "1959-12-01"]
    slider.set_value("1958-12-01").run()
    assert not at.exception
    [chart] = at.get("plotly_chart")
    assert "Forecast made with data up to 1958-12-01" in chart.proto.spec
    [table] = [d.value for d in at.dataframe]
    assert list(table["Cut-off"]) == ["1957-12-01", "1958-12-01", "1959-12-01", "mean"]
    assert {"LSTM", "Naive", "Seasonal naive", "ETS", "Interval coverage"} <= set(table.columns)
    text = "\n".join(m.value for m in at.markdown)
    assert "The LSTM beat seasonal naive at" in text and "of 3 cut-offs" in text


def _upload_months(at: AppTest, months: int) -> None:
    csv = "month,sales\n" + "".join(
        f"{2015 + m // 12}-{m % 12 + 1:02d}-01,{100 + m + 10 * (m % 12 in (5, 6, 7))}\n"
        for m in range(months))
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].set_value((f"m{months}.csv", csv.encode(), "text/csv")).run()
    _tiny(at)
    at.switch_page("pages/backtest.py").run()
    assert not at.exception


def test_too_many_cutoffs_gets_a_plain_message(tiny_backtests):
    at = AppTest.from_file(APP, default_timeout=120).run()
    _upload_months(at, 60)  # five years, horizon 12: one cut-off fits
    [cutoffs] = [n for n in at.number_input if n.label == "Cut-offs"]
    assert cutoffs.value == 1
    cutoffs.set_value(3)
    [run] = [b for b in at.button if b.label == "Run backtest"]
    run.click().run()
    assert not at.exception
    assert at.session_state["backtest_job"] is None
    [error] = at.error
    assert error.value.startswith("This series fits at most 1 cut-off 12 steps apart")

    _upload_months(at, 36)  # three years: not even one cut-off
    assert not [n for n in at.number_input if n.label == "Cut-offs"]
    [warning] = at.warning
    assert "too short to backtest" in warning.value


def test_backtest_is_stored_with_the_run_and_shown_when_reopened(tiny_backtests):
    at = AppTest.from_file(APP, default_timeout=120).run()
    _tiny(at)
    at.switch_page("pages/train.py").run()
    [train] = [b for b in at.button if b.label == "Train"]
    train.click().run()
    job = at.session_state["job"]
    job.join(300)
    at.run()
    run_id = at.session_state["run_id"]
    assert run_id
    _run_backtest(at, 2)

    fresh = AppTest.from_file(APP, default_timeout=120).run()
    fresh.switch_page("pages/runs.py").run()
    fresh.multiselect(key="runs_pick").set_value([run_id]).run()
    [open_button] = [b for b in fresh.button if b.label == "Open on the Forecast page"]
    open_button.click().run()
    fresh.switch_page("pages/backtest.py").run()
    assert not fresh.exception, [e.value for e in fresh.exception]
    [table] = [d.value for d in fresh.dataframe]
    assert len(table) == 3  # two cut-offs and the mean, read back from the run store


def test_stop_keeps_the_finished_cutoffs_and_says_so(tiny_backtests):
    at = AppTest.from_file(APP, default_timeout=120).run()
    _tiny(at)
    settings = at.session_state["settings"]
    at.session_state["settings"] = replace(settings, train=replace(settings.train, epochs=2000))
    at.switch_page("pages/backtest.py").run()
    [run] = [b for b in at.button if b.label == "Run backtest"]
    run.click().run()
    job = at.session_state["backtest_job"]
    assert [b for b in at.button if b.label == "Run backtest"][0].disabled
    import time

    deadline = time.monotonic() + 120
    while job.snapshot().epoch < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    job.stop()
    job.join(300)
    assert job.snapshot().status == "stopped"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["backtest"]
    assert result.stopped and len(result.scores) == 1
    shown = [i.value.replace("\\", "") for i in at.info]
    assert any("The backtest was stopped: 1 of 3 cut-offs are shown" in text for text in shown)
