"""The Backtest page on many series (AppTest): all series or the picked one, kept with the run."""

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
IDS = [f"shop {i}" for i in range(4)]
# Tiny networks; horizon and holdout 6 leave 48 months room for two cut-offs.
TINY = {"Epochs": 2, "LSTM units": 4, "Models in ensemble": 1, "Early-stopping patience": 0,
        "Horizon (steps ahead)": 6, "Holdout length": 6}
SCOPE = "What to backtest"


def long_csv() -> bytes:
    """Four monthly series of 48 points in a long file, and one of 8 (too short)."""
    dates = pd.date_range("2019-01-01", periods=48, freq="MS")
    rows = ["region,date,sales"]
    for i, key in enumerate(IDS):
        for t, day in enumerate(dates):
            value = 100 + 10 * i + 5 * math.sin(2 * math.pi * t / 12) + 0.5 * t
            rows.append(f"{key},{day.date()},{value:.2f}")
    rows += [f"tiny,{day.date()},{50 + t}" for t, day in enumerate(dates[:8])]
    return ("\n".join(rows) + "\n").encode()


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at


def _upload(at: AppTest) -> None:
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].set_value(("shops.csv", long_csv(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with this column (AppTest keeps no keys of dataframes)."""
    for frame in at.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame) and column in value.columns:
            return value
    raise AssertionError(f"no table with a column {column!r}")


def _scope(at: AppTest):
    found = [r for r in at.radio if r.label == SCOPE]
    return found[0] if found else None


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LSTM_STUDIO_WORKERS", "1")  # tasks in this process: quick and quiet


def test_the_choice_appears_only_for_a_panel():
    at = _app()  # the airline sample: one series
    at.switch_page("pages/backtest.py").run()
    _ok(at)
    assert _scope(at) is None
    assert [n for n in at.number_input if n.label == "Cut-offs"]  # today's form

    _upload(at)
    at.switch_page("pages/backtest.py").run()
    _ok(at)
    scope = _scope(at)
    assert scope is not None and scope.options == ["All 5 series",
                                                   "Only the picked series (shop 0)"]
    assert scope.value == "picked"  # no run of every series yet: today's flow first
    assert any("shop 0" in c.value for c in at.caption)

    scope.set_value("all").run()
    _ok(at)
    assert any("5 series, one LSTM for all series, with the automatic settings" in c.value
               for c in at.caption)
    # The automatic settings (horizon 12) leave 48 months no room for a cut-off.
    assert not [b for b in at.button if b.label == "Run backtest"]
    [warning] = at.warning
    assert warning.value.startswith("Every series is too short to backtest with a window of 12 "
                                    "and a horizon of 12")


@pytest.fixture(scope="module")
def backtested(tmp_path_factory: pytest.TempPathFactory):
    """One session that trained every series with one LSTM, then backtested all of them."""
    home = tmp_path_factory.mktemp("panel-backtest-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSTM_STUDIO_WORKERS", "1")
        patch.setenv("LSTM_STUDIO_HOME", str(home))
        at = _app()
        at.home = home  # type: ignore[attr-defined]
        _upload(at)
        at.switch_page("pages/train.py").run()
        for widget in at.number_input:
            if widget.label in TINY:
                widget.set_value(TINY[widget.label])
        [train] = [b for b in at.button if b.label == "Train"]
        train.click().run()
        job = at.session_state["job"]
        job.join(300)
        assert job.snapshot().status == "done", job.snapshot().error
        at.run()
        _ok(at)
        assert at.session_state["panel_result"].run_id

        at.switch_page("pages/backtest.py").run()
        _ok(at)
        assert _scope(at).value == "all"  # the current run is a run of every series
        [cutoffs] = [n for n in at.number_input if n.label == "Cut-offs"]
        cutoffs.set_value(2)
        [run] = [b for b in at.button if b.label == "Run backtest"]
        run.click().run()
        _ok(at)
        job = at.session_state["backtest_job"]
        assert job is not None and "panel_backtest" in job.meta
        job.join(300)
        assert job.snapshot().status == "done", job.snapshot().error
        assert job.snapshot().phase == "2 of 2 tasks done"
        at.run()
        _ok(at)
        yield at


def test_all_series_shows_the_aggregate_and_every_series(backtested: AppTest):
    result = backtested.session_state["panel_backtest"]
    assert result.summary["series"] == 4 and result.summary["origins"] == 8
    text = "\n".join(m.value for m in backtested.markdown)
    assert "The LSTM beat seasonal naive at" in text and "of 8 (series, cut-off) pairs" in text
    aggregate = _table(backtested, "Geometric-mean MASE")
    assert list(aggregate.index) == ["LSTM", "Naive", "Seasonal naive", "ETS"]
    assert "Mean MASE" in aggregate.columns
    assert aggregate.loc["Seasonal naive", "LSTM better in"].endswith("of 8 pairs (" + format(
        result.summary["lstm_beats"]["seasonal_naive"], ".0%") + ")")
    assert any("intervals covered" in c.value for c in backtested.caption)
    per_series = _table(backtested, "lstm_wins")
    assert list(per_series["series"]) == IDS
    assert (per_series["cutoffs"] == 2).all()


def test_the_series_left_out_are_listed_with_their_reason(backtested: AppTest):
    warnings = "\n".join(w.value for w in backtested.warning)
    assert "1 series was left out of the backtest" in warnings
    left_out = _table(backtested, "Reason")
    assert list(left_out["Series"]) == ["tiny"]
    assert left_out["Reason"].iloc[0] == "8 points fit 0 cut-offs with these settings, not 2."


def test_the_download_is_the_long_frame_with_a_series_column(backtested: AppTest):
    labels = [d.proto.label for d in backtested.get("download_button")]
    assert "Backtest of all series (CSV)" in labels
    result = backtested.session_state["panel_backtest"]
    frame = pd.read_csv(io.BytesIO(to_safe_csv(result.frame)))
    assert list(frame.columns[:3]) == ["series", "cutoff", "date"]
    assert list(frame["series"].unique()) == IDS
    assert len(frame) == 4 * 2 * 6  # every series, both cut-offs, six steps


def test_the_picked_series_view_shows_that_series_cutoffs(backtested: AppTest):
    picker = backtested.selectbox(key="backtest_series_pick")
    assert picker.options == IDS
    picker.set_value("shop 2").run()
    _ok(backtested)
    [chart] = backtested.get("plotly_chart")
    assert "Forecast made with data up to 2022-06-01" in chart.proto.spec
    [slider] = [s for s in backtested.select_slider if s.label == "Cut-off shown"]
    assert slider.options == ["2021-12-01", "2022-06-01"]
    slider.set_value("2021-12-01").run()
    _ok(backtested)
    [chart] = backtested.get("plotly_chart")
    assert "Forecast made with data up to 2021-12-01" in chart.proto.spec
    table = _table(backtested, "Cut-off")
    assert list(table["Cut-off"]) == ["2021-12-01", "2022-06-01", "mean"]
    result = backtested.session_state["panel_backtest"].series_result("shop 2")
    assert table["LSTM"].iloc[0] == pytest.approx(result.scores["lstm"].iloc[0])


def test_the_picked_series_alone_is_todays_flow(backtested: AppTest):
    _scope(backtested).set_value("picked").run()
    _ok(backtested)
    assert any("shop 0" in c.value and "points" in c.value for c in backtested.caption)
    assert not [t for t in backtested.dataframe if "lstm_wins" in t.value.columns]
    _scope(backtested).set_value("all").run()
    _ok(backtested)
    assert len(_table(backtested, "lstm_wins")) == 4  # the panel backtest is still there


def test_the_backtest_is_saved_with_the_run_and_shown_when_reopened(
    backtested: AppTest, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(backtested.home))  # type: ignore[attr-defined]
    run_id = backtested.session_state["panel_result"].run_id
    fresh = _app()
    fresh.switch_page("pages/runs.py").run()
    fresh.multiselect(key="runs_pick").set_value([run_id]).run()
    [open_button] = [b for b in fresh.button if b.label == "Open on the Forecast page"]
    open_button.click().run()
    _ok(fresh)
    fresh.switch_page("pages/backtest.py").run()
    _ok(fresh)
    assert fresh.session_state["panel"] is None  # the file is not loaded: the run's series
    scope = _scope(fresh)
    assert scope is not None and scope.value == "all" and scope.options[0] == "All 4 series"
    assert fresh.session_state["backtest_job"] is None
    assert list(_table(fresh, "lstm_wins")["series"]) == IDS  # read back from the run store
    assert list(_table(fresh, "Reason")["Series"]) == ["tiny"]
    [chart] = fresh.get("plotly_chart")  # drawn from the run's own copy of the series
    assert "Forecast made with data up to 2022-06-01" in chart.proto.spec
