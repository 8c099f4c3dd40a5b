"""Tests for lstm_core.evaluation: metrics, baselines, conformal intervals, dates, CSV safety."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from lstm_core import evaluation as ev
from lstm_core.errors import DataError

# ---- metrics, against values worked out by hand ----------------------------------------------

ACTUAL = np.array([10.0, 20.0, 30.0, 40.0])
FORECAST = np.array([12.0, 18.0, 33.0, 40.0])  # errors 2, -2, 3, 0


def test_mae_hand_computed():
    assert ev.mae(ACTUAL, FORECAST) == pytest.approx(7 / 4)


def test_rmse_hand_computed():
    assert ev.rmse(ACTUAL, FORECAST) == pytest.approx(math.sqrt((4 + 4 + 9 + 0) / 4))


def test_smape_hand_computed():
    expected = 100 / 4 * (2 * 2 / 22 + 2 * 2 / 38 + 2 * 3 / 63 + 0)
    assert ev.smape(ACTUAL, FORECAST) == pytest.approx(expected)


def test_smape_counts_zero_over_zero_as_perfect():
    assert ev.smape(np.array([0.0, 10.0]), np.array([0.0, 10.0])) == 0.0


def test_mape_hand_computed():
    expected = 100 / 4 * (2 / 10 + 2 / 20 + 3 / 30 + 0)
    assert ev.mape(ACTUAL, FORECAST) == pytest.approx(expected)


def test_mape_is_none_when_actuals_contain_zero():
    assert ev.mape(np.array([0.0, 1.0]), np.array([1.0, 1.0])) is None


def test_mase_uses_seasonal_naive_scale():
    insample = np.array([1.0, 5.0, 2.0, 7.0, 4.0, 6.0])
    # season 2: |2-1|, |7-5|, |4-2|, |6-7| -> mean 1.5
    assert ev.seasonal_naive_scale(insample, 2) == pytest.approx(1.5)
    assert ev.mase(ACTUAL, FORECAST, insample, 2) == pytest.approx((7 / 4) / 1.5)


def test_mase_without_season_uses_naive_scale():
    insample = np.array([1.0, 3.0, 2.0, 6.0])  # |2|, |1|, |4| -> 7/3
    assert ev.mase(ACTUAL, FORECAST, insample, None) == pytest.approx((7 / 4) / (7 / 3))


def test_mase_of_seasonal_naive_on_a_repeating_series_is_zero():
    history = np.tile([1.0, 2.0, 3.0], 4)
    base = ev.seasonal_naive(history, 3, 3).forecast
    assert ev.mase(np.array([1.0, 2.0, 3.0]), base, history + np.arange(12) * 0.1, 3) == 0.0


def test_mase_is_none_for_constant_history():
    assert ev.mase(ACTUAL, FORECAST, np.ones(10), None) is None


def test_metrics_skip_nan_pairs():
    a = np.array([1.0, np.nan, 3.0])
    f = np.array([2.0, 5.0, 3.0])
    assert ev.mae(a, f) == pytest.approx(0.5)


def test_metrics_reject_shape_mismatch():
    with pytest.raises(ValueError):
        ev.mae(np.ones(3), np.ones(4))


# ---- baselines ---------------------------------------------------------------------------------


def test_naive_repeats_last_known_value():
    out = ev.naive(np.array([1.0, 2.0, np.nan]), 3)
    assert out.name == "naive"
    np.testing.assert_array_equal(out.forecast, [2.0, 2.0, 2.0])


def test_naive_fails_soft_on_empty_history():
    out = ev.naive(np.array([np.nan]), 2)
    assert out.forecast is None and out.note


def test_seasonal_naive_repeats_last_season():
    out = ev.seasonal_naive(np.arange(10.0), 5, 4)
    np.testing.assert_array_equal(out.forecast, [6.0, 7.0, 8.0, 9.0, 6.0])


def test_seasonal_naive_without_season_is_naive_with_note():
    out = ev.seasonal_naive(np.arange(5.0), 2, None)
    np.testing.assert_array_equal(out.forecast, [4.0, 4.0])
    assert out.note == "Same as naive: no season was detected."


def test_ets_tracks_a_seasonal_trending_series():
    t = np.arange(96)
    y = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12)
    out = ev.ets(y[:84], 12, 12)
    assert out.forecast is not None and out.forecast.shape == (12,)
    assert out.note.startswith("ETS chosen by AICc")
    snaive = ev.seasonal_naive(y[:84], 12, 12).forecast
    assert ev.mae(y[84:], out.forecast) < ev.mae(y[84:], snaive)


def test_ets_cuts_a_long_weekly_history_to_the_point_cap():
    t = np.arange(1100)
    y = 300 + 0.02 * t + 3 * np.sin(2 * np.pi * t / 52)
    out = ev.ets(y, 52, 52)
    assert out.forecast is not None and out.forecast.shape == (52,)
    assert out.note.endswith(f" Fit on the last {ev.ETS_MAX_POINTS} points of the history.")
    monthly = ev.ets(y[:300], 12, 12)  # 20 seasons of 12 is 240 points: cut by seasons
    assert monthly.note.endswith(" Fit on the last 240 points of the history.")


def test_ets_fails_soft_on_missing_values():
    out = ev.ets(np.array([1.0, np.nan] * 10), 3, None)
    assert out.forecast is None
    assert out.note == "ETS needs a history without missing values."


# ---- conformal intervals -----------------------------------------------------------------------


def test_conformal_quantile_rank():
    residuals = np.arange(1.0, 10.0)[:, None]  # 9 residuals: rank ceil(10*0.8)=8 -> 8.0
    np.testing.assert_array_equal(ev.conformal_quantiles(-residuals, 0.8), [8.0])
    assert ev.conformal_is_exact(9, 0.8)
    assert not ev.conformal_is_exact(3, 0.8)


def test_conformal_quantiles_per_step_ignore_nan():
    residuals = np.array([[1.0, 10.0], [2.0, np.nan], [3.0, 30.0]])
    np.testing.assert_array_equal(ev.conformal_quantiles(residuals, 0.5), [2.0, 30.0])


def test_conformal_80_percent_interval_covers_70_to_90_percent():
    rng = np.random.default_rng(0)
    horizon, level, hits = 6, 0.8, []
    noise_sd = np.linspace(1.0, 3.0, horizon)  # wider noise further ahead
    for _ in range(200):
        calibration = rng.normal(0, noise_sd, size=(40, horizon))
        half = ev.conformal_quantiles(calibration, level)
        truth = 50 + rng.normal(0, noise_sd)
        lower, upper = ev.interval(np.full(horizon, 50.0), half)
        hits.append(ev.coverage(truth, lower, upper))
    measured = float(np.mean(hits))
    assert 0.70 <= measured <= 0.90


def test_coverage_counts_inclusive_bounds():
    assert ev.coverage(np.array([1.0, 2.0, 5.0, np.nan]), np.zeros(4), np.full(4, 2.0)) == 2 / 3


# ---- future dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("MS", ["2020-04-01", "2020-05-01"]),
        ("ME", ["2020-04-30", "2020-05-31"]),
        ("D", ["2020-01-04", "2020-01-05"]),
        ("h", ["2020-01-01 03:00", "2020-01-01 04:00"]),
        ("QS", ["2020-10-01", "2021-01-01"]),
        ("W-SUN", ["2020-01-26", "2020-02-02"]),
    ],
)
def test_future_index_continues_frequency(freq, expected):
    index = pd.date_range("2020-01-01", periods=3, freq=freq)
    out = ev.future_index(index, 2)
    assert list(out) == list(pd.to_datetime(expected))
    assert out.freq == index.freq


def test_future_index_infers_missing_freq():
    index = pd.DatetimeIndex(["2021-01-01", "2021-02-01", "2021-03-01"])
    assert list(ev.future_index(index, 1)) == [pd.Timestamp("2021-04-01")]


def test_future_index_irregular_dates_raise():
    index = pd.DatetimeIndex(["2021-01-01", "2021-01-05", "2021-03-01"])
    with pytest.raises(DataError):
        ev.future_index(index, 1)


def test_future_index_without_dates_continues_row_numbers():
    out = ev.future_index(pd.RangeIndex(0, 10, name="step"), 3)
    assert list(out) == [10, 11, 12] and out.name == "step"


# ---- CSV safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("hello", "hello"),
        ("-3.5", "-3.5"),
        (-3.5, -3.5),
        (7, 7),
    ],
)
def test_neutralise_csv_cell(cell, expected):
    assert ev.neutralise_csv_cell(cell) == expected


def test_to_safe_csv_neutralises_text_and_names_but_keeps_numbers():
    frame = pd.DataFrame({"=HYPERLINK()": ["=evil", "ok"], "value": [-1.5, 2.0]})
    raw = ev.to_safe_csv(frame)
    back = pd.read_csv(io.BytesIO(raw))
    assert list(back.columns) == ["'=HYPERLINK()", "value"]
    assert list(back["'=HYPERLINK()"]) == ["'=evil", "ok"]
    assert list(back["value"]) == [-1.5, 2.0]
    assert list(frame.columns) == ["=HYPERLINK()", "value"]  # input untouched
