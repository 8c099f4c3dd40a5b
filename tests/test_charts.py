"""Tests for lstm_core.charts: the figures hold the traces the dashboard and report rely on."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from lstm_core import charts

INDEX = pd.date_range("2020-01-01", periods=30, freq="MS")
SERIES = pd.Series(np.arange(30.0), index=INDEX, name="sales")


def _fake_result(with_ets: bool = True) -> SimpleNamespace:
    dates = INDEX[-6:]
    holdout = pd.DataFrame(
        {
            "date": dates,
            "actual": SERIES.iloc[-6:].to_numpy(),
            "forecast": SERIES.iloc[-6:].to_numpy() + 1,
            "lower": SERIES.iloc[-6:].to_numpy() - 2,
            "upper": SERIES.iloc[-6:].to_numpy() + 3,
            "naive": np.full(6, 23.0),
            "seasonal_naive": np.arange(6.0),
            "ets": np.arange(6.0) if with_ets else np.full(6, np.nan),
        }
    )
    future_dates = pd.date_range(INDEX[-1], periods=5, freq="MS")[1:]
    future = pd.DataFrame(
        {"date": future_dates, "forecast": [30.0, 31, 32, 33], "lower": [29.0, 29, 29, 29],
         "upper": [31.0, 33, 35, 37]}
    )
    return SimpleNamespace(series=SERIES, holdout=holdout, future=future,
                           settings=SimpleNamespace(level=0.8))


def _names(fig) -> list[str]:
    return [trace.name for trace in fig.data]


def test_series_figure_marks_filled_values_and_has_slider():
    fig = charts.series_figure(SERIES, filled_positions=(3, 7, 99), title="My data")
    assert _names(fig) == ["sales", "Filled values"]
    assert len(fig.data[0].y) == 30
    assert list(fig.data[1].y) == [3.0, 7.0]
    assert fig.layout.xaxis.rangeslider.visible is True


def test_series_figure_without_fills_has_one_trace():
    assert _names(charts.series_figure(SERIES)) == ["sales"]


def test_user_text_is_escaped():
    series = SERIES.rename("<img src=x onerror=alert(1)>")
    fig = charts.series_figure(series, title="<script>x</script>")
    assert "<" not in fig.data[0].name
    assert fig.data[0].name == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<script>" not in fig.layout.title.text
    cmp = charts.compare_figure([("<b>run</b>", _fake_result().holdout)])
    assert cmp.data[1].name == "&lt;b&gt;run&lt;/b&gt;"


def test_loss_figure_traces_and_best_epoch():
    fig = charts.loss_figure({"loss": [3, 2, 1], "val_loss": [4, 3, 3.5]}, best_epoch=2, log_y=True)
    assert _names(fig) == ["Training loss", "Validation loss"]
    assert list(fig.data[0].x) == [1, 2, 3]
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.shapes[0].x0 == 2


def test_holdout_figure_traces():
    fig = charts.holdout_figure(_fake_result())
    names = _names(fig)
    assert names == [
        "History", "Actual", "80% interval upper", "80% interval", "LSTM forecast",
        "Naive", "Seasonal naive", "ETS",
    ]
    assert len(fig.data[0].y) == 24  # history stops where the holdout starts
    assert len(fig.data[4].y) == 6
    assert fig.data[3].fill == "tonexty"
    assert fig.layout.xaxis.rangeslider.visible is True


def test_holdout_figure_skips_failed_baselines_and_can_hide_them():
    assert "ETS" not in _names(charts.holdout_figure(_fake_result(with_ets=False)))
    names = _names(charts.holdout_figure(_fake_result(), show_baselines=False))
    assert names[-1] == "LSTM forecast"


def test_a_run_with_drivers_shows_the_lstm_without_them_beside_the_baselines():
    driven = _fake_result()
    driven.holdout["no_drivers"] = np.arange(6.0) + 5
    fig = charts.holdout_figure(driven)
    assert _names(fig)[-4:] == ["Naive", "Seasonal naive", "ETS", "LSTM without drivers"]
    assert list(fig.data[-1].y) == list(np.arange(6.0) + 5)
    assert fig.data[-1].line.dash == "dash"
    assert "LSTM without drivers" not in _names(charts.holdout_figure(driven, False))
    assert "LSTM without drivers" not in _names(charts.holdout_figure(_fake_result()))
    # A backtest cut-off of a run with drivers: the same line from the long frame's column.
    frame = driven.holdout.rename(columns={"forecast": "lstm", "no_drivers": "lstm_no_drivers"})
    frame.insert(0, "cutoff", INDEX[-7])
    cut = charts.backtest_figure(SERIES, frame, INDEX[-7], 0.8)
    assert _names(cut)[-1] == "LSTM without drivers"
    assert list(cut.data[-1].y) == list(np.arange(6.0) + 5)


def test_future_figure_traces():
    fig = charts.future_figure(_fake_result())
    assert _names(fig) == ["History", "80% interval upper", "80% interval", "Forecast"]
    assert len(fig.data[0].y) == 24
    assert len(fig.data[3].y) == 4


def test_compare_figure_uses_first_actual_when_not_given():
    result = _fake_result()
    other = result.holdout.assign(forecast=result.holdout["forecast"] - 5)
    fig = charts.compare_figure([("run A", result.holdout), ("run B", other)])
    assert _names(fig) == ["Actual", "run A", "run B"]
    assert all(len(trace.y) == 6 for trace in fig.data)


def test_compare_figure_with_explicit_actual():
    result = _fake_result()
    fig = charts.compare_figure([("a", result.holdout)], actual=SERIES.iloc[-6:])
    assert list(fig.data[0].y) == list(SERIES.iloc[-6:])


def test_small_multiples_draws_at_most_the_limit_with_escaped_titles():
    from lstm_core.charts import small_multiples

    index = pd.date_range("2020-01-01", periods=10, freq="MS")
    series = {f"<b>s{i}</b>": pd.Series(np.arange(10.0) + i, index=index) for i in range(30)}
    fig = small_multiples(series, limit=24, columns=4)
    assert len(fig.data) == 24
    assert fig.data[0].name == "&lt;b&gt;s0&lt;/b&gt;"
    assert [a.text for a in fig.layout.annotations][:2] == ["&lt;b&gt;s0&lt;/b&gt;",
                                                           "&lt;b&gt;s1&lt;/b&gt;"]
    assert list(fig.data[5].y) == list(np.arange(10.0) + 5)
    assert len(small_multiples({"one": series["<b>s0</b>"]}).data) == 1
