"""The plan: one season rule, one length rule, automatic settings that fit short series."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_core.config import LIMITS, ModelConfig, TrainConfig, WindowConfig
from lstm_core.data import choose_season
from lstm_core.errors import DataError
from lstm_core.plan import (
    MIN_TRAIN_WINDOWS,
    check_length,
    default_settings,
    make_plan,
    minimum_points,
    required_points,
)

RNG = np.random.default_rng(4)


def _seasonal(n: int, season: int, freq: str | None, start: str = "2000-01-01") -> pd.Series:
    t = np.arange(n)
    values = 50 + 0.05 * t + 5 * np.sin(2 * np.pi * t / season) + RNG.normal(0, 0.3, n)
    index = pd.date_range(start, periods=n, freq=freq) if freq else pd.RangeIndex(n, name="step")
    return pd.Series(values, index=index, name="y")


# ---- season rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("freq", "season", "expected"),
    [("MS", 12, 12), ("QS", 4, 4), ("D", 7, 7), ("30min", 48, 48), ("h", 24, 24),
     ("B", 5, 5), ("YS", 11, None)],
)
def test_season_rule_follows_the_calendar(freq, season, expected):
    series = _seasonal(400, season, freq)
    assert choose_season(series.to_numpy(), series.index.freqstr).season == expected


def test_weekly_season_is_52_even_when_the_autocorrelation_peaks_at_104():
    # A yearly pattern that alternates in strength (a two-year cycle): the differenced
    # autocorrelation is higher at lag 104 than at 52.
    t = np.arange(52 * 12)
    yearly = np.sin(2 * np.pi * t / 52) * np.where((t // 52) % 2 == 0, 1.0, 0.4)
    values = 10 + yearly + RNG.normal(0, 0.05, t.size)
    choice = choose_season(values, "W-SUN")
    assert 100 <= choice.detected <= 108  # two years, give or take the noise
    assert choice.season == 52
    assert choice.note == (f"The autocorrelation peaks at {choice.detected} steps, a multiple of "
                           "the calendar season 52; the calendar season 52 is used.")


def test_yearly_series_has_no_season_and_reports_a_cycle():
    series = _seasonal(120, 11, "YS")
    choice = choose_season(series.to_numpy(), "YS-JAN")
    assert choice.season is None and choice.detected == 11
    assert "no calendar season" in choice.note


def test_row_order_uses_the_detected_season_and_short_series_none():
    assert choose_season(_seasonal(300, 10, None).to_numpy(), None).season == 10
    monthly = _seasonal(20, 12, "MS")
    choice = choose_season(monthly.to_numpy(), "MS")
    assert choice.season is None
    assert choice.note == ("The series holds fewer than two full seasons (20 points, season 12), "
                           "so no season is used.")


def test_data_overrides_the_calendar_only_when_it_clearly_says_otherwise():
    # Daily data with no weekly pattern at all but a clear 10-day cycle.
    t = np.arange(600)
    values = np.sin(2 * np.pi * t / 10) + RNG.normal(0, 0.05, t.size)
    choice = choose_season(values, "D")
    assert choice.season == 10 and choice.calendar == 7


def test_health_card_and_plan_use_the_same_season():
    from lstm_core.data import load_dataset
    from lstm_core.samples import sample_bytes

    dataset = load_dataset(sample_bytes("airline"), "airline.csv")
    plan = make_plan(dataset.series, default_settings(len(dataset.series), 12))
    assert dataset.report.season_length == plan.season == 12


# ---- length rule ---------------------------------------------------------------------------------


def test_required_points_is_holdout_plus_three_training_windows():
    assert MIN_TRAIN_WINDOWS == 3
    assert required_points(24, 12, 12) == 12 + 24 + 12 + 2
    assert minimum_points(12) == 2 * 12 + 3  # two horizons plus a few points


def test_check_length_messages_name_the_minimum_and_the_fix():
    check_length(50, 24, 12, 12)
    with pytest.raises(DataError) as info:
        check_length(49, 24, 12, 12)
    assert str(info.value) == (
        "The series has 49 points, but a window of 24, a horizon of 12 and a holdout of 12 need "
        "at least 50; shorten the window to at most 23, or use a longer series.")
    with pytest.raises(DataError) as info:
        check_length(20, 12, 12, 12)
    assert str(info.value).endswith(
        "shorten the horizon and holdout to at most 8 (with a shorter window), or use a longer "
        "series.")
    with pytest.raises(DataError) as info:
        check_length(4, 1, 1, 1)
    assert str(info.value).endswith("even a one-step forecast needs 5 points; use a longer series.")


@pytest.mark.parametrize(
    ("n_points", "season"),
    [(144, 12), (731, 7), (100, None), (30, 12), (5000, 24), (12, 4), (8, None), (60, 12)],
)
def test_default_settings_fit_the_data(n_points, season):
    chosen = default_settings(n_points, season)
    window = chosen.window
    assert chosen.holdout == window.horizon
    assert n_points >= required_points(window.input_length, window.horizon, chosen.holdout)
    assert window.input_length <= LIMITS["input_length"]


def test_default_settings_follow_the_season_and_keep_a_seasonal_window_on_short_series():
    assert default_settings(144, 12).window == WindowConfig(input_length=24, horizon=12)
    assert default_settings(731, 7).window == WindowConfig(input_length=14, horizon=7)
    # Five years of monthly data: one season of window, so the network corrects seasonal naive.
    assert default_settings(60, 12).window == WindowConfig(input_length=12, horizon=12)
    assert default_settings(48, 12, horizon=12).window.input_length == 12


def test_short_series_shrink_validation_and_say_so():
    series = _seasonal(60, 12, "MS")
    plan = make_plan(series, default_settings(60, 12))
    assert (plan.train_end, plan.stop_end, plan.val_end, plan.n) == (36, 48, 48, 60)
    assert ("Validation uses 12 points instead of 10 (20%): early stopping needs one whole "
            "horizon. 13 training windows remain.") in plan.notes
    tight = make_plan(series, replace(default_settings(60, 12), window=WindowConfig(30, 12)))
    assert tight.train_end == tight.val_end == 48  # no room for validation
    assert any(note.startswith("The series is too short to set validation points aside")
               for note in tight.notes)


def test_plan_drops_a_season_the_data_before_the_holdout_cannot_show_twice():
    series = _seasonal(30, 12, "MS")
    plan = make_plan(series, default_settings(30, 12))
    assert plan.season is None and plan.base_season == 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 200), season=st.sampled_from([1, 4, 7, 12]), data=st.data())
def test_plan_succeeds_or_raises_data_error(n, season, data):
    freq = {1: "YS", 4: "QS", 7: "D", 12: "MS"}[season]
    horizon = data.draw(st.integers(1, 2 * season if season > 1 else 2))
    series = _seasonal(n, max(season, 2), freq)
    chosen = default_settings(n, season, horizon=horizon)
    try:
        plan = make_plan(series, chosen)
    except DataError as exc:
        assert n < minimum_points(horizon)
        assert str(exc).startswith(f"The series has {n} points")
    else:
        assert n >= minimum_points(horizon)
        assert 0 < plan.train_end <= plan.stop_end <= plan.val_end == n - horizon
        assert plan.val_end - plan.train_end in (0,) or plan.val_end - plan.train_end >= horizon


TINY_MODEL = ModelConfig(units=2)
TINY_TRAIN = TrainConfig(epochs=2, batch_size=16, patience=0, seed=1)


@pytest.mark.parametrize(
    ("n", "season", "horizon"),
    [(6, 1, 1), (9, 1, 2), (10, 4, 3), (12, 4, 4), (18, 7, 7), (31, 7, 14), (28, 12, 12),
     (40, 12, 12), (52, 12, 18), (33, 12, 1)],
)
def test_plans_that_succeed_give_a_forecast_end_to_end(n, season, horizon):
    from lstm_core.pipeline import run_forecast

    freq = {1: "YS", 4: "QS", 7: "D", 12: "MS"}[season]
    series = _seasonal(n, max(season, 2), freq)
    chosen = default_settings(n, season, horizon=horizon)
    chosen = replace(chosen, model=TINY_MODEL, train=TINY_TRAIN)
    make_plan(series, chosen)
    result = run_forecast(series, chosen)
    assert len(result.future) == horizon and result.future["forecast"].notna().all()
    assert result.holdout["forecast"].notna().all()


@pytest.mark.parametrize("n", [48, 54, 60, 66, 72])
def test_five_years_of_monthly_data_with_a_year_ahead_get_a_forecast(n):
    """Default settings (only the epochs cut, which the plan does not read) for 48-72 months."""
    from lstm_core.pipeline import run_forecast

    for length in range(48, 73):  # the plan holds for every length in the range
        make_plan(_seasonal(length, 12, "MS"), default_settings(length, 12, horizon=12))
    series = _seasonal(n, 12, "MS")
    chosen = default_settings(n, 12, horizon=12)
    result = run_forecast(series, replace(chosen, train=replace(chosen.train, epochs=5)))
    assert len(result.future) == 12 and result.future["forecast"].notna().all()
    assert result.season_length == 12
