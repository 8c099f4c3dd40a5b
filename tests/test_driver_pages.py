"""Drivers in the dashboard, under Streamlit's AppTest: mark a driver on the Data page, train with
it, read the scoreboard's "LSTM without drivers" row, and change the future in the what-if."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TINY = {"Epochs": 3, "LSTM units": 4, "Models in ensemble": 1, "Early-stopping patience": 0,
        "Seed": 7}
POINTS, FUTURE = 96, 12


def promo_csv(future: int = FUTURE) -> bytes:
    """Monthly `date, sales, promo`: a promotion lifts sales by 60; `future` rows without sales."""
    rng = np.random.default_rng(7)
    total = POINTS + future
    dates = pd.date_range("2016-01-01", periods=total, freq="MS")
    t = np.arange(total)
    promo = (rng.random(total) < 0.3).astype(int)
    sales = 200 + t + 25 * np.sin(2 * np.pi * t / 12) + 60 * promo + rng.normal(0, 5, total)
    rows = ["date,sales,promo"]
    for i in range(total):
        value = f"{sales[i]:.1f}" if i < POINTS else ""
        rows.append(f"{dates[i].date()},{value},{'yes' if promo[i] else 'no'}")
    return ("\n".join(rows) + "\n").encode()


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _button(at: AppTest, label: str):
    [button] = [b for b in at.button if b.label == label]
    return button


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def _errors(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.error).replace("\\", "")


def _mark(at: AppTest, kinds: dict[str, str], **form: object) -> None:
    """Choose drivers in the Data page's form and press Apply drivers."""
    for name, kind in kinds.items():
        at.radio(key=f"driver_kind:{name}").set_value(kind)
    for label, value in form.items():
        [widget] = [w for w in [*at.text_input, *at.toggle] if w.label == label]
        widget.set_value(value)
    _button(at, "Apply drivers").click().run()
    _ok(at)


def _upload_and_mark(at: AppTest, data: bytes, kinds: dict[str, str]) -> None:
    at.file_uploader[0].set_value(("promo.csv", data, "text/csv")).run()
    _ok(at)
    _mark(at, kinds)


def _finish(at: AppTest, key: str, seconds: float) -> None:
    """Wait for the background job in `session_state[key]`; it must finish cleanly."""
    _ok(at)
    job = at.session_state[key]
    job.join(seconds)
    assert job.snapshot().status == "done", job.snapshot().error
    at.run()
    _ok(at)


def _train(at: AppTest) -> None:
    at.switch_page("pages/train.py").run()
    for widget in at.number_input:
        if widget.label in TINY:
            widget.set_value(TINY[widget.label])
    _button(at, "Train").click().run()
    _finish(at, "job", 300)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    # No worker processes; the store is the suite's temporary one (conftest), or the trained
    # session's own while it is in use.
    monkeypatch.setenv("LSTM_STUDIO_WORKERS", "1")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """One session that marked promo as known ahead and trained with it, on the Forecast page."""
    home = tmp_path_factory.mktemp("drivers-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSTM_STUDIO_WORKERS", "1")
        patch.setenv("LSTM_STUDIO_HOME", str(home))
        at = _app()
        _upload_and_mark(at, promo_csv(), {"promo": "known"})
        _train(at)
        at.switch_page("pages/forecast.py").run()
        _ok(at)
        yield at


# -- Data page ----------------------------------------------------------------------------------


def test_marking_a_driver_takes_the_rows_without_sales_as_its_future():
    at = _app()
    at.file_uploader[0].set_value(("promo.csv", promo_csv(), "text/csv")).run()
    assert [r.label for r in at.radio if r.key == "driver_kind:promo"] == ["promo"]
    _mark(at, {"promo": "known"})
    spec = at.session_state["drivers"]
    assert spec.known == ("promo",)
    assert len(at.session_state["dataset"].series) == POINTS  # the future rows left the series
    future = at.session_state["driven"].drivers.future
    assert len(future) == FUTURE and set(future["promo"]) <= {0.0, 1.0}
    texts = _texts(at)
    assert "Drivers in use: 'promo' (known ahead)" in texts
    assert "known-ahead driver values are used as the future values" in texts


def test_an_unknown_holiday_country_is_the_engines_message():
    at = _app()
    at.file_uploader[0].set_value(("promo.csv", promo_csv(), "text/csv")).run()
    _mark(at, {}, **{"Public holidays: country code": "XX"})
    assert "There are no public holidays for the country code 'XX'" in _errors(at)
    assert at.session_state["drivers"] is None


def test_changing_the_drivers_forgets_the_trained_result():
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["result"] = object()  # stands for a run trained with other drivers
    at.run()
    at.file_uploader[0].set_value(("promo.csv", promo_csv(), "text/csv")).run()
    at.session_state["result"] = object()
    _mark(at, {"promo": "observed"})
    assert at.session_state["result"] is None
    assert at.session_state["drivers"].observed == ("promo",)


# -- Train and Forecast pages -------------------------------------------------------------------


def test_the_scoreboard_has_the_lstm_without_drivers_and_says_whether_they_helped(
        trained: AppTest):
    result = trained.session_state["result"]
    assert "lstm_no_drivers" in result.scores
    [board] = [d.value for d in trained.dataframe if "MASE" in d.value.columns]
    assert "LSTM without drivers" in list(board.index)
    assert "On the holdout the drivers" in _texts(trained)


def test_the_editor_is_prefilled_with_the_files_future_values(trained: AppTest):
    [editor] = trained.data_editor
    table = editor.value
    assert list(table.columns) == ["date", "promo", "assumed"]
    assert len(table) == FUTURE and table["date"].iloc[0] == "2024-01-01"
    future = trained.session_state["result"].drivers.future
    assert table["promo"].tolist() == future["promo"].tolist()
    assert (table["assumed"] == "").all()  # the file gave every value


def _a_rerun_reuses_the_scenario(trained: AppTest) -> None:
    """A rerun with the same future values (a toggle elsewhere on the page) shows the scenario
    again without running the networks (a fresh run forecasts a scenario with `scenario_future`,
    a reopened one with `forecast_from_models`: neither may be called)."""
    from lstm_core import pipeline

    calls: list[str] = []
    names = ("scenario_future", "forecast_from_models")
    real = {name: getattr(pipeline, name) for name in names}

    def counted(name):
        def call(*args, **kwargs):
            calls.append(name)
            return real[name](*args, **kwargs)
        return call

    for name in names:
        setattr(pipeline, name, counted(name))
    try:
        [toggle] = [t for t in trained.toggle if t.label == "Show baselines"]
        toggle.set_value(False).run()
        _ok(trained)
        assert "The scenario's total over the next 12 months is" in _texts(trained)
        assert calls == []
        toggle.set_value(True).run()
    finally:
        for name in names:
            setattr(pipeline, name, real[name])


def test_the_difference_sentence_writes_numbers_as_the_narrative_does():
    from types import SimpleNamespace

    from ui.drivers import difference_sentence

    months = pd.date_range("2024-01-01", periods=3, freq="MS")
    run = SimpleNamespace(series=pd.Series([1.0, 2, 3], index=months),
                          future=pd.DataFrame({"forecast": [1000.0, 1500.0]}))
    more = pd.DataFrame({"forecast": [1100.0, 1600.0]})
    assert difference_sentence(run, more) == (
        "The scenario's total over the next 2 months is 2,700 (+8.0%) against the original "
        "forecast's 2,500.")
    less = pd.DataFrame({"forecast": [4.5, 3.25]})
    small = SimpleNamespace(series=run.series, future=pd.DataFrame({"forecast": [5.0, 5.0]}))
    assert difference_sentence(small, less) == (
        "The scenario's total over the next 2 months is 7.75 (−22.5%) against the original "
        "forecast's 10.0.")


def test_a_what_if_edit_moves_the_forecast_and_states_the_difference(trained: AppTest):
    [editor] = trained.data_editor
    row = int(np.flatnonzero(editor.value["promo"].to_numpy() == 0)[0])
    trained.session_state[editor.key] = {"edited_rows": {row: {"promo": 1}}, "added_rows": [],
                                         "deleted_rows": []}
    trained.run()
    _ok(trained)
    texts = _texts(trained)
    assert "The scenario's total over the next 12 months is" in texts
    assert "against the original forecast's" in texts
    assert "1 future value changed; redrawn from the trained networks in" in texts
    _a_rerun_reuses_the_scenario(trained)
    [name] = [t for t in trained.text_input if t.label == "Scenario name"]
    name.set_value(f"promo in {row}").run()
    _button(trained, "Save scenario").click().run()
    _ok(trained)
    run_id, records = trained.session_state["scenarios"]
    assert run_id == trained.session_state["run_id"] and records[0]["name"] == f"promo in {row}"
    from lstm_core.runs import RunStore

    saved = RunStore().manifest(run_id)["extra"]["scenarios"]
    assert saved[0]["future"]["columns"]["promo"][row] == 1.0
    trained.session_state[editor.key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    trained.run()


def test_an_uploaded_future_with_a_gap_names_the_column_and_the_date(trained: AppTest):
    dates = pd.date_range("2024-01-01", periods=FUTURE, freq="MS")
    rows = ["date,promo"] + [f"{d.date()},{'' if i == 4 else 0}" for i, d in enumerate(dates)]
    [uploader] = [u for u in trained.file_uploader if u.label == "Or upload future values"]
    uploader.set_value(("plan.csv", ("\n".join(rows) + "\n").encode(), "text/csv")).run()
    _ok(trained)
    assert ("Missing future values for column 'promo' on 2024-05-01" in _errors(trained))


def test_without_future_rows_the_values_are_assumed_and_marked():
    at = _app()
    _upload_and_mark(at, promo_csv(future=0), {"promo": "known"})
    assert at.session_state["driven"].drivers.future is None
    _train(at)
    assert "Future values assumed from one season earlier" in _texts(at)
    assert "'promo' for 2024-01-01 to 2024-12-01 (12 dates)" in _texts(at)
    at.switch_page("pages/forecast.py").run()
    _ok(at)
    [editor] = at.data_editor
    assert (editor.value["assumed"] == "promo").all()


def test_the_promo_sample_marks_its_promotions_as_known_ahead():
    at = _app()
    at.selectbox(key="sample_pick").set_value("promo_sales").run()
    _button(at, "Load sample").click().run()
    _mark(at, {"promo": "known"})
    assert len(at.session_state["dataset"].series) == POINTS
    future = at.session_state["driven"].drivers.future
    assert future["promo"].tolist() == [0.0] * 6 + [1.0] * 4 + [0.0] * 2


def test_the_backtest_scores_the_lstm_without_drivers_and_says_whether_they_helped(
        trained: AppTest):
    trained.switch_page("pages/backtest.py").run()
    _ok(trained)
    [origins] = [w for w in trained.number_input if w.label == "Cut-offs"]
    origins.set_value(2)
    _button(trained, "Run backtest").click().run()
    _finish(trained, "backtest_job", 600)
    result = trained.session_state["backtest"]
    assert "lstm_no_drivers" in result.summary["models"]
    texts = _texts(trained)
    assert "The drivers helped" in texts or "The drivers did not help" in texts
    table = next(d.value for d in trained.dataframe if "Cut-off" in d.value.columns)
    assert "LSTM without drivers" in table.columns


def _reopen(at: AppTest) -> str:
    """Open the session's run again from the Runs page (on the Forecast page); its id."""
    run_id = at.session_state["run_id"]
    at.switch_page("pages/runs.py").run()
    at.multiselect(key="runs_pick").set_value([run_id]).run()
    _button(at, "Open on the Forecast page").click().run()
    at.switch_page("pages/forecast.py").run()  # AppTest's next runs stay on this page
    _ok(at)
    assert at.session_state["run_networks"] is None  # opening a run drops any loaded networks
    return run_id


def _saved_scenario_row(at: AppTest) -> tuple[str, int]:
    """The scenario the what-if test saved: its name and the future row it set to 1."""
    [record] = at.session_state["result"].scenarios
    return record["name"], int(record["name"].split()[-1])


def test_a_reopened_run_lists_its_drivers_and_scenarios_and_offers_its_networks(
        trained: AppTest):
    _reopen(trained)
    result = trained.session_state["result"]
    assert type(result).__name__ == "PresentedRun" and result.drivers is not None
    assert not trained.data_editor  # networks not loaded yet: no what-if editor
    used = next(d.value for d in trained.dataframe if "promo" in d.value.columns)
    assert used["promo"].tolist() == result.drivers.future["promo"].tolist()
    _button(trained, "Load the networks for a what-if")
    texts = _texts(trained)
    assert "takes a few seconds the first time" in texts
    assert "--from-run" in texts
    assert "LSTM without drivers" in next(
        d.value for d in trained.dataframe if "MASE" in d.value.columns).index
    saved = [e for e in trained.expander if e.label.startswith("Saved scenarios")]
    assert saved and saved[0].label == "Saved scenarios (1)"


def test_a_reopened_run_loads_its_networks_and_forecasts_a_scenario(trained: AppTest):
    from ui.drivers import bundle_forecaster, scenario_values

    run_id = _reopen(trained)
    _button(trained, "Load the networks for a what-if").click().run()
    _ok(trained)
    networks = trained.session_state["run_networks"]
    assert networks is not None, (_errors(trained), _texts(trained)[-2000:])
    assert networks.run_id == run_id and len(networks.models) == 1
    assert "its 1 trained network was loaded from its bundle in" in _texts(trained)
    result = trained.session_state["result"]
    [editor] = trained.data_editor
    assert editor.value["promo"].tolist() == result.drivers.future["promo"].tolist()
    # The run's own future values, forecast again from the bundle, give its saved forecast.
    values, _ = scenario_values(result, editor.value)
    again = bundle_forecaster(result, networks)(values)
    np.testing.assert_allclose(again["forecast"], result.future["forecast"], rtol=1e-4)

    row = int(np.flatnonzero(editor.value["promo"].to_numpy() == 0)[-1])
    trained.session_state[editor.key] = {"edited_rows": {row: {"promo": 1}}, "added_rows": [],
                                         "deleted_rows": []}
    trained.run()
    _ok(trained)
    texts = _texts(trained)
    assert "The scenario's total over the next 12 months is" in texts
    assert "1 future value changed; redrawn from the trained networks in" in texts
    _a_rerun_reuses_the_scenario(trained)
    original = float(result.future["forecast"].sum())
    assert f"against the original forecast's {original:,.0f}." in texts
    _button(trained, "Save scenario")  # a reopened run saves scenarios like a fresh one
    assert trained.session_state["run_networks"] is networks  # kept across reruns


def test_a_saved_scenario_is_shown_again_on_a_reopened_run(trained: AppTest):
    _reopen(trained)
    name, row = _saved_scenario_row(trained)
    _button(trained, "Load the networks for a what-if").click().run()
    [pick] = [b for b in trained.selectbox if b.label == "Show a saved scenario"]
    pick.set_value(name).run()
    _button(trained, "Show in the table").click().run()
    _ok(trained)
    [editor] = trained.data_editor
    assert editor.value["promo"].iloc[row] == 1.0
    texts = _texts(trained)
    assert f"Showing the saved scenario '{name}'." in texts
    assert "The scenario's total over the next 12 months is" in texts
    [record] = trained.session_state["result"].scenarios
    saved = pd.DataFrame(record["forecast"])["forecast"].sum()
    assert f"The scenario's total over the next 12 months is {saved:,.0f}" in texts
    [name_input] = [t for t in trained.text_input if t.label == "Scenario name"]
    assert name_input.value == name  # saving again replaces it


def test_a_reopened_runs_what_if_names_a_missing_value(trained: AppTest):
    run_id = _reopen(trained)
    _button(trained, "Load the networks for a what-if").click().run()
    [editor] = trained.data_editor
    trained.session_state[editor.key] = {"edited_rows": {3: {"promo": None}}, "added_rows": [],
                                         "deleted_rows": []}
    trained.run()
    _ok(trained)
    assert "Missing future values for column 'promo' on 2024-04-01" in _errors(trained)
    assert trained.session_state["run_id"] == run_id


def test_a_bundle_that_cannot_be_loaded_says_why(trained: AppTest, monkeypatch):
    from lstm_core.errors import BundleError
    from lstm_core.runs import RunStore

    message = "The bundle file of run 'x' is missing from /nowhere; delete the run."

    def broken(self, run_id):
        raise BundleError(message)

    _reopen(trained)
    monkeypatch.setattr(RunStore, "get", broken)
    _button(trained, "Load the networks for a what-if").click().run()
    _ok(trained)
    assert message in _errors(trained)
    assert trained.session_state["run_networks"] is None and not trained.data_editor
