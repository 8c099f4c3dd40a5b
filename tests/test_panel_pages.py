"""Many series in one upload, under Streamlit's AppTest: Data, Train, Forecast and Runs pages."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.evaluation import to_safe_csv

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TINY = {"Epochs": 3, "LSTM units": 4, "Models in ensemble": 1, "Early-stopping patience": 0}
IDS = [f"shop {i}" for i in range(6)]


def long_csv(ids: list[str] = IDS, points: int = 48, short: int | None = 8) -> bytes:
    """A long file `region, date, sales` of monthly series (and one of `short` points)."""
    dates = pd.date_range("2019-01-01", periods=points, freq="MS")
    rows = ["region,date,sales"]
    for i, key in enumerate(ids):
        for t, day in enumerate(dates):
            value = 100 + 10 * i + 5 * math.sin(2 * math.pi * t / 12) + 0.5 * t
            rows.append(f"{key},{day.date()},{value:.2f}")
    if short:
        rows += [f"tiny,{day.date()},{50 + t}" for t, day in enumerate(dates[:short])]
    return ("\n".join(rows) + "\n").encode()


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at


def _upload(at: AppTest, data: bytes, name: str = "shops.csv") -> None:
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with this column (AppTest keeps no keys of dataframes)."""
    for frame in at.dataframe:
        value = frame.value
        if column in value.columns:
            return value
    raise AssertionError(f"no table with a column {column!r}")


def _warnings(at: AppTest) -> str:
    return "\n".join(w.value.replace("\\", "") for w in at.warning)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LSTM_STUDIO_WORKERS", "1")  # no worker processes in these tests
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path / "home"))


def test_long_file_shows_the_series_table_small_multiples_and_picker():
    at = _app()
    _upload(at, long_csv())
    loaded = at.session_state["panel"]
    assert loaded is not None and loaded.ids == [*IDS, "tiny"]
    table = _table(at, "timestamps_inserted")
    assert list(table["series"]) == [*IDS, "tiny"]
    assert list(table["points"]) == [48] * 6 + [8]
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the small multiples and the picked series
    picker = at.selectbox(key="data_series_pick")
    assert picker.value == "shop 0" and at.session_state["dataset"].name == "shops · shop 0"

    picker.set_value("shop 3").run()
    assert not at.exception
    assert at.session_state["series"] == "shop 3"
    assert at.session_state["dataset"].series.iloc[0] == pytest.approx(130.0)


def test_a_series_too_short_is_named_on_the_data_page_with_the_reason():
    at = _app()
    _upload(at, long_csv())
    text = _warnings(at)
    assert "1 of 7 series is too short for the automatic settings" in text
    assert "'tiny'" in text
    short = at.session_state["panel"].short
    assert list(short) == ["tiny"]
    assert short["tiny"].startswith("The series has 8 points, but a window of 12")
    at.selectbox(key="data_series_pick").set_value("tiny").run()
    assert "This series is too short for the automatic settings: The series has 8 points" in (
        _warnings(at))


def test_a_short_single_series_gets_a_warning_on_the_data_page():
    at = _app()
    _upload(at, b"date,sales\n2024-01-01,1\n2024-02-01,2\n2024-03-01,3\n2024-04-01,4\n",
            "short.csv")
    assert at.session_state["panel"] is None
    assert "This series is too short to forecast: The series has 4 points" in _warnings(at)


def test_a_single_series_file_shows_no_panel_controls():
    at = _app()  # the airline sample
    assert at.session_state["panel"] is None and at.session_state["series"] is None
    assert not [s for s in at.selectbox if s.label == "Series"]
    assert not [r for r in at.radio if r.label == "Layout"]  # one value column, no id column
    assert len(at.get("plotly_chart")) == 1
    assert not at.warning
    at.switch_page("pages/train.py").run()
    assert not [r for r in at.radio if r.label == "What to train"]


def test_a_wide_file_becomes_one_series_per_chosen_column():
    at = _app()
    dates = pd.date_range("2019-01-01", periods=40, freq="MS")
    frame = pd.DataFrame({"month": dates.strftime("%Y-%m-%d"), "north": range(40),
                          "south": range(100, 140), "east": range(200, 240)})
    _upload(at, frame.to_csv(index=False).encode(), "regions.csv")
    assert at.session_state["panel"] is None  # wide is never guessed
    [layout] = [r for r in at.radio if r.label == "Layout"]
    layout.set_value("wide").run()
    [values] = [m for m in at.multiselect if m.label == "Value columns"]
    values.set_value(["north", "east"])
    [apply] = [b for b in at.button if b.label == "Apply"]
    apply.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["panel"].ids == ["north", "east"]
    assert list(_table(at, "timestamps_inserted")["series"]) == ["north", "east"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """One session that trained every series of a long file with one global LSTM."""
    home = tmp_path_factory.mktemp("panel-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSTM_STUDIO_WORKERS", "1")
        patch.setenv("LSTM_STUDIO_HOME", str(home))
        at = _app()
        at.home = home  # type: ignore[attr-defined]
        _upload(at, long_csv())
        at.switch_page("pages/train.py").run()
        [scope] = [r for r in at.radio if r.label == "What to train"]
        assert scope.value == "global"
        for widget in at.number_input:
            if widget.label in TINY:
                widget.set_value(TINY[widget.label])
        [train] = [b for b in at.button if b.label == "Train"]
        train.click().run()
        assert not at.exception, [e.value for e in at.exception]
        job = at.session_state["job"]
        job.join(300)
        assert job.snapshot().status == "done", job.snapshot().error
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        yield at


def test_training_every_series_globally_gives_a_table_and_a_long_csv(trained: AppTest):
    run = trained.session_state["panel_result"]
    assert run.mode == "global" and run.ids == IDS
    assert run.run_id and trained.session_state["run_id"] == run.run_id
    assert "6 series" in trained.session_state["run_name"]
    assert trained.session_state["result"] is run.result.results["shop 0"]

    trained.switch_page("pages/forecast.py").run()
    assert not trained.exception, [e.value for e in trained.exception]
    scores = _table(trained, "seasonal_naive")
    assert list(scores["series"]) == IDS
    assert {"lstm", "naive", "seasonal_naive", "ets", "coverage"} <= set(scores.columns)
    aggregate = _table(trained, "Median MASE")
    assert {"LSTM", "Seasonal naive"} <= set(aggregate.index)
    assert "Mean MASE" in aggregate.columns and "Median MASE" in aggregate.columns
    text = "\n".join(m.value for m in trained.markdown)
    assert "The LSTM beat seasonal naive in" in text and "of 6 series" in text
    labels = [d.proto.label for d in trained.get("download_button")]
    assert "All forecasts (CSV)" in labels and "Forecast (CSV)" in labels

    long = pd.read_csv(io.BytesIO(to_safe_csv(run.forecasts_long())))
    assert list(long.columns) == ["series", "date", "forecast", "lower", "upper"]
    assert list(long["series"].unique()) == IDS
    assert len(long) == 6 * 12  # one season ahead for every series
    assert long["date"].iloc[0] == "2023-01-01"


def test_the_forecast_page_shows_the_picked_series(trained: AppTest):
    trained.switch_page("pages/forecast.py").run()
    trained.selectbox(key="forecast_series_pick").set_value("shop 4").run()
    assert not trained.exception, [e.value for e in trained.exception]
    run = trained.session_state["panel_result"]
    assert trained.session_state["result"] is run.result.results["shop 4"]
    assert trained.session_state["series"] == "shop 4"
    assert len(trained.get("plotly_chart")) == 2  # holdout and future of shop 4
    assert "shop 4" in [h.value for h in trained.subheader]


def test_the_series_left_out_are_listed_with_their_reason(trained: AppTest):
    run = trained.session_state["panel_result"]
    assert list(run.excluded) == ["tiny"]
    assert "need at least" in run.excluded["tiny"]
    trained.switch_page("pages/forecast.py").run()
    assert "1 series was left out of this run" in _warnings(trained)
    table = _table(trained, "Reason")
    assert list(table["Series"]) == ["tiny"]


def test_a_saved_run_of_many_series_reopens_on_a_picked_series(
    trained: AppTest, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(trained.home))  # type: ignore[attr-defined]
    run_id = trained.session_state["panel_result"].run_id
    trained.switch_page("pages/runs.py").run()
    trained.multiselect(key="runs_pick").set_value([run_id]).run()
    assert not trained.exception, [e.value for e in trained.exception]
    assert any("This run forecast 6 series (1 left out)" in c.value for c in trained.caption)
    trained.selectbox(key="runs_series_pick").set_value("shop 2").run()
    [open_button] = [b for b in trained.button if b.label == "Open on the Forecast page"]
    open_button.click().run()
    assert not trained.exception, [e.value for e in trained.exception]
    reopened = trained.session_state["panel_result"]
    assert reopened.result is None and reopened.ids == IDS
    assert type(trained.session_state["result"]).__name__ == "PresentedRun"
    assert trained.session_state["series"] == "shop 2"
    fresh = trained.session_state["panel_result"]
    assert list(fresh.scores["series"]) == IDS
    assert len(_table(trained, "seasonal_naive")) == 6


def _train_scope(at: AppTest, scope: str) -> None:
    at.switch_page("pages/train.py").run()
    [radio] = [r for r in at.radio if r.label == "What to train"]
    radio.set_value(scope).run()
    for widget in at.number_input:
        if widget.label in TINY:
            widget.set_value(TINY[widget.label])
    [train] = [b for b in at.button if b.label == "Train"]
    train.click().run()
    assert not at.exception, [e.value for e in at.exception]
    job = at.session_state["job"]
    job.join(300)
    assert job.snapshot().status == "done", job.snapshot().error
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_one_lstm_per_series_and_only_the_picked_series():
    at = _app()
    _upload(at, long_csv(IDS[:2], short=None))
    _train_scope(at, "local")
    run = at.session_state["panel_result"]
    assert run.mode == "local" and run.ids == IDS[:2]
    assert run.result.results["shop 1"].models is not run.result.results["shop 0"].models

    at.switch_page("pages/data.py").run()
    at.selectbox(key="data_series_pick").set_value("shop 1").run()
    assert at.session_state["result"] is run.result.results["shop 1"]  # the run's own series
    _train_scope(at, "picked")
    assert at.session_state["panel_result"] is None  # today's single-series flow
    result = at.session_state["result"]
    assert result.series.iloc[0] == pytest.approx(110.0)
    assert "shops · shop 1" in at.session_state["run_name"]


def test_backtest_and_present_pages_show_the_picked_series(
    trained: AppTest, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(trained.home))  # type: ignore[attr-defined]
    trained.switch_page("pages/forecast.py").run()
    trained.selectbox(key="forecast_series_pick").set_value("shop 1").run()
    trained.switch_page("pages/backtest.py").run()
    assert not trained.exception, [e.value for e in trained.exception]
    trained.radio(key="backtest_scope_pick").set_value("picked").run()
    assert not trained.exception, [e.value for e in trained.exception]
    assert any("shop 1" in c.value for c in trained.caption)
    trained.switch_page("pages/present.py").run()
    assert not trained.exception, [e.value for e in trained.exception]
    assert not trained.error, [e.value for e in trained.error]
    assert trained.get("plotly_chart")


def test_one_usable_series_still_shows_what_was_left_out_and_why():
    rows = ["store,date,sales"]
    rows += [f"A,2021-{m:02d}-01,{100 + m}" for m in range(1, 7)]
    rows += [f"A,{m:02d}/01/2021,{100 + m}" for m in range(7, 13)]  # US dates among ISO ones
    rows += [f"B,2021-{m:02d}-01," for m in range(1, 13)]  # B: no numbers at all
    rows += [",2021-06-01,5"]  # a row without an id
    at = _app()
    _upload(at, ("\n".join(rows) + "\n").encode(), "stores.csv")
    loaded = at.session_state["panel"]
    assert loaded is not None and loaded.ids == ["A"]
    assert at.session_state["series"] == "A"
    assert at.session_state["dataset"].name == "stores · A"
    assert list(_table(at, "timestamps_inserted")["series"]) == ["A"]
    assert list(_table(at, "Reason")["Series"]) == ["B"]
    text = _warnings(at)
    assert "The dates in 'date' mix two formats" in text
    assert "1 row with an empty 'store' was left out" in text
    assert "1 series was left out: 'B' (no numbers in 'sales')" in text
    assert not [s for s in at.selectbox if s.label == "Series"]  # nothing to pick from
    at.switch_page("pages/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [r for r in at.radio if r.label == "What to train"]  # trained as one series


def test_a_run_of_another_file_never_pairs_with_the_loaded_series(
    monkeypatch: pytest.MonkeyPatch,
):
    from lstm_core.data import load_panel
    from ui import panels, state

    session: dict = {}
    monkeypatch.setattr(state, "get", lambda key: session.get(key, state._DEFAULTS.get(key)))
    monkeypatch.setattr(state, "put", session.__setitem__)
    loaded = panels.LoadedPanel.build(load_panel(long_csv(IDS[:3], short=None), "shops.csv"))

    def run(dataset: str, ids: list[str]) -> panels.PanelRun:
        results = {key: f"{dataset}:{key}" for key in ids}
        return panels.PanelRun(
            name="run", dataset=dataset, mode="global", settings=loaded.defaults, ids=ids,
            excluded={}, notes=[], scores=pd.DataFrame(), aggregate={},
            result=type("Result", (), {"results": results})())

    other = run("other", IDS[:2])
    assert not panels.run_belongs(other, loaded)
    assert not panels.run_belongs(run("shops", [*IDS[:2], "elsewhere"]), loaded)
    session.update({state.PANEL: loaded, state.PANEL_RESULT: other,
                    state.DATASET: loaded.panel.dataset("shop 0"), state.RESULT: "other:shop 0"})
    panels.pick_series("shop 1")  # on the Data page: the loaded file's series
    assert session[state.DATASET].name == "shops · shop 1"
    assert session[state.RESULT] == "other:shop 0"  # not the other file's "shop 1"
    panels.pick_series("shop 0", of_run=True)  # on the Forecast page: the run's series
    assert session[state.RESULT] == "other:shop 0"
    assert session[state.DATASET].name == "shops · shop 1"  # not paired with the run's pick

    own = run("shops", IDS[:3])
    assert panels.run_belongs(own, loaded)
    session[state.PANEL_RESULT] = own
    for of_run in (False, True):
        panels.pick_series("shop 2", of_run=of_run)
        assert session[state.DATASET].name == "shops · shop 2"
        assert session[state.RESULT] == "shops:shop 2"
        panels.pick_series("shop 0", of_run=of_run)
