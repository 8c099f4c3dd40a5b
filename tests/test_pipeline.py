"""Tests for lstm_core.pipeline on tiny models (few units, few epochs)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from lstm_core import evaluation as ev
from lstm_core.config import ModelConfig, Settings, TrainConfig, WindowConfig
from lstm_core.errors import BundleError, DataError, SettingsError
from lstm_core.pipeline import forecast_from_models, run_forecast
from lstm_core.recipe import Recipe

RNG = np.random.default_rng(3)
T = np.arange(72)
SERIES = pd.Series(
    100 + T + 10 * np.sin(2 * np.pi * T / 12) + RNG.normal(0, 1, T.size),
    index=pd.date_range("2015-01-01", periods=T.size, freq="MS"),
    name="sales",
)
TINY = Settings(
    window=WindowConfig(input_length=12, horizon=6),
    model=ModelConfig(units=4),
    train=TrainConfig(epochs=3, batch_size=16, patience=0, seed=7),
    holdout=6,
)


@pytest.fixture(scope="module")
def result():
    return run_forecast(SERIES, TINY)


def test_holdout_frame_is_consistent(result):
    frame = result.holdout
    assert list(frame.columns) == [
        "date", "actual", "forecast", "lower", "upper", "naive", "seasonal_naive", "ets",
    ]
    assert len(frame) == 6
    assert list(frame["date"]) == list(SERIES.index[-6:])
    np.testing.assert_array_equal(frame["actual"], SERIES.to_numpy()[-6:])
    assert (frame["lower"] <= frame["forecast"]).all()
    assert (frame["forecast"] <= frame["upper"]).all()
    np.testing.assert_array_equal(frame["seasonal_naive"], SERIES.to_numpy()[-18:-12])


def test_scores_match_the_frame(result):
    assert set(result.scores) == {"lstm", "naive", "seasonal_naive", "ets"}
    frame = result.holdout
    insample = SERIES.to_numpy()[:-6]
    assert result.scores["lstm"]["mase"] == pytest.approx(
        ev.mase(frame["actual"], frame["forecast"], insample, 12)
    )
    assert result.scores["seasonal_naive"]["mae"] == pytest.approx(
        ev.mae(frame["actual"], frame["seasonal_naive"])
    )
    assert result.coverage == ev.coverage(frame["actual"], frame["lower"], frame["upper"])


def test_future_frame_continues_the_dates(result):
    future = result.future
    assert list(future.columns) == ["date", "forecast", "lower", "upper"]
    assert list(future["date"]) == list(pd.date_range("2021-01-01", periods=6, freq="MS"))
    assert np.isfinite(future[["forecast", "lower", "upper"]].to_numpy()).all()
    assert (future["lower"] < future["upper"]).all()


def test_result_metadata(result):
    assert result.transform == "log"
    assert result.season_length == 12
    assert result.time_column == "date"
    assert len(result.models) == 1 and result.train_result.epochs_run == 3
    assert any("reuses the networks" in note for note in result.notes)
    assert result.settings.holdout == 6 and not result.stopped


def test_same_seed_gives_same_numbers(result):
    again = run_forecast(SERIES, TINY)
    np.testing.assert_allclose(again.holdout["forecast"], result.holdout["forecast"], rtol=1e-6)
    np.testing.assert_allclose(again.future["upper"], result.future["upper"], rtol=1e-6)


def test_forecast_from_models_reproduces_the_future(result):
    frame = forecast_from_models(SERIES, result.models, result.state)
    np.testing.assert_allclose(frame["forecast"], result.future["forecast"], rtol=1e-6)
    short = forecast_from_models(SERIES, result.models, result.state, horizon=2)
    assert len(short) == 2


def test_forecast_from_models_refuses_longer_horizon_and_foreign_state(result):
    with pytest.raises(SettingsError) as info:
        forecast_from_models(SERIES, result.models, result.state, horizon=7)
    assert str(info.value) == (
        "horizon must be between 1 and 6 (the horizon this run was trained for), got 7."
    )
    with pytest.raises(BundleError):
        forecast_from_models(SERIES, result.models, {"method": "other"})


def test_progress_and_stop_across_ensemble():
    seen = []
    settings = replace(TINY, ensemble=3)
    out = run_forecast(SERIES, settings, on_epoch=lambda e, logs: seen.append(dict(logs)),
                       should_stop=lambda: len(seen) >= 2)
    assert out.stopped
    assert len(seen) == 2  # the members train side by side: a stop ends them all at once
    assert len(out.train_results) == 3 and all(r.stopped for r in out.train_results)
    assert seen[0]["members"] == 3 and seen[0]["phase"] == "train"
    assert "loss" in seen[0] and "val_loss" in seen[0]
    assert len(out.future) == 6


def test_rolling_holdout_longer_than_horizon_and_step_index():
    series = pd.Series(SERIES.to_numpy() - 150, name="level")  # negatives: no log
    settings = replace(TINY, holdout=9)
    out = run_forecast(series, settings)
    assert out.transform == "none"
    assert list(out.holdout["step"]) == list(range(63, 72))
    assert out.holdout["forecast"].notna().all()
    assert list(out.future["step"]) == list(range(72, 78))


def test_too_short_series_raises_data_error():
    with pytest.raises(DataError):
        run_forecast(SERIES.iloc[:20], TINY)


# ---- calibration on points nothing was fitted to -------------------------------------------------


def _recipe(length: int, horizon: int, season: int = 1, drift: float = 0.0) -> Recipe:
    return Recipe(transform="none", season_length=season, input_length=length, horizon=horizon,
                  level=0.8, scale_floor=1e-9, drift=drift, members=1, time_column="step",
                  freq=None, half_widths=(0.0,) * horizon)


def _zero_correction_model(length: int, horizon: int):
    """A network whose correction is 0, so its forecast is exactly the base forecast."""
    from lstm_core.model import build_model

    model = build_model(WindowConfig(length, horizon), ModelConfig(units=2), seed=0)
    dense = model.layers[-1]
    dense.set_weights([np.zeros_like(w) for w in dense.get_weights()])
    return model


def test_rolling_calibration_covers_80_percent_of_later_points():
    # Seasonal level series with noise: the plain seasonal-naive base is a fair forecast and its
    # errors are exchangeable over time, so a conformal interval from one slice must cover about
    # 80% of every later point.
    from lstm_core.calibration import calibrate_on, rolling_residuals

    rng = np.random.default_rng(11)
    length, horizon, season = 8, 4, 4
    t = np.arange(1200)
    z = 5 * np.sin(2 * np.pi * t / season) + rng.normal(0, 1, t.size)
    model = _zero_correction_model(length, horizon)
    state = _recipe(length, horizon, season)
    half, notes = calibrate_on([model], z, state, 300, 400, 600)
    assert half.shape == (horizon,) and (half > 0).all() and (np.diff(half) >= 0).all()
    assert notes[0].startswith("Intervals are split-conformal, calibrated on the last 200 points "
                               "before the holdout")
    later = rolling_residuals([model], z, state, 600, 1200)  # (origins, horizon), NaN outside
    inside = np.abs(later) <= half[None, :]
    measured = np.nanmean(np.where(np.isnan(later), np.nan, inside))
    assert 0.70 <= measured <= 0.90


def test_too_few_calibration_errors_use_the_largest_and_say_so():
    from lstm_core.calibration import calibrate_on, rolling_residuals

    rng = np.random.default_rng(2)
    z = rng.normal(0, 1, 200)
    model = _zero_correction_model(8, 2)
    state = _recipe(8, 2)
    half, notes = calibrate_on([model], z, state, 100, 154, 156)  # 2 points: 4 errors
    residuals = np.abs(rolling_residuals([model], z, state, 154, 156))
    spread = np.maximum.accumulate(np.nanmean(residuals, axis=0))
    np.testing.assert_allclose(half, np.nanmax(residuals / spread) * spread)
    assert notes[1] == (
        "There are only 4 calibration errors, so the interval reaches the largest error seen "
        "there: a cautious interval; treat its level as indicative."
    )


def test_the_interval_is_one_pooled_quantile_times_each_steps_spread():
    from lstm_core.calibration import half_widths, rolling_residuals

    rng = np.random.default_rng(4)
    z = rng.normal(0, 1, 400)
    model = _zero_correction_model(8, 4)
    state = _recipe(8, 4)
    half, used, count = half_widths([model], z, state, 300, 340, 0.8)
    residuals = np.abs(rolling_residuals([model], z, state, 300, 340))
    assert count == int((~np.isnan(residuals)).sum()) == 160  # 40 per step, pooled
    assert used == pytest.approx(np.ceil(161 * 0.8) / 160)
    spread = np.maximum.accumulate(np.nanmean(residuals, axis=0))
    units = np.sort((residuals / spread).ravel())
    quantile = units[int(np.ceil(used * 160)) - 1]
    np.testing.assert_allclose(half, quantile * spread)
    assert (np.diff(half) >= 0).all()
    # 80 % of the pooled residuals fall inside (the conformal rank of 160)
    known = ~np.isnan(residuals)
    assert np.mean((residuals <= half)[known]) == pytest.approx(used, abs=1e-9)


def test_rolling_residuals_mark_only_steps_inside_the_slice():
    from lstm_core.calibration import rolling_residuals

    model = _zero_correction_model(4, 3)
    z = np.arange(30.0)
    residuals = rolling_residuals([model], z, _recipe(4, 3), 20, 25)
    # origins 18..24: step j of origin t counts when 20 <= t + j < 25 (5 points per step)
    assert residuals.shape == (7, 3)
    assert list((~np.isnan(residuals)).sum(axis=0)) == [5, 5, 5]
    assert np.isnan(residuals[0, :2]).all() and not np.isnan(residuals[0, 2])


def test_stopping_end_sets_aside_the_latest_validation_half():
    from lstm_core.plan import _stopping_end

    assert _stopping_end(100, 140, 4, 0.8) == 120
    # early stopping keeps one whole window: 30 validation points, horizon 24 -> 6 for calibration
    assert _stopping_end(100, 130, 24, 0.8) == 124
    # too few points left for an 80% conformal rank: nothing set aside
    assert _stopping_end(100, 108, 6, 0.8) == 108


def test_short_validation_falls_back_to_wider_level_and_says_so():
    settings = replace(TINY, train=replace(TINY.train, validation_fraction=0.1))
    out = run_forecast(SERIES, settings)  # 66 points before the holdout: 7 validation points
    assert (
        "The validation part (7 points) is too short to set a calibration slice aside, so the "
        "intervals are calibrated on the points that chose the stopping epoch, at 90% instead "
        "of 80% to offset that optimism."
    ) in out.notes
    assert (out.future["upper"] > out.future["forecast"]).all()


def test_drift_is_chosen_by_the_base_forecast_error():
    from lstm_core.recipe import choose_drift
    from lstm_core.windows import target_windows

    def drift(z, length, stop=200):
        x, y = target_windows(z, 0, stop, length, 12)
        return choose_drift(x[:, :, 0], y, 12, 12, 1e-9)

    rng = np.random.default_rng(5)
    t = np.arange(240)
    level = np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, t.size)
    assert drift(level, 24) == (0.0, (
        "The network corrects the plain seasonal-naive forecast: on the training windows adding "
        "each window's growth per season (drift) made that forecast worse."))
    assert drift(level + 0.2 * t, 24) == (1.0, "")
    assert drift(level, 12) == (1.0, "")  # one season: no drift term
    # A trend that reverses every three years: last season's growth is often half-right ahead.
    wander = level + 3 * np.cumsum(np.where((t // 36) % 2 == 0, 0.05, -0.05))
    chosen, note = drift(wander, 24)
    assert chosen == 0.5
    assert note.startswith("The network corrects the seasonal-naive forecast plus half")


def test_calibration_slice_is_the_last_validation_half(result):
    # 72 points, holdout 6, validation 13 (53..66): early stopping 53..60, calibration 60..66.
    assert any(note.startswith("Intervals are split-conformal, calibrated on the last 6 points "
                               "before the holdout") for note in result.notes)


def test_early_stopping_never_sees_the_calibration_slice(monkeypatch):
    import lstm_core.trainer as trainer

    seen = []
    real = trainer.train

    def spy(model, X_train, y_train, X_val, y_val, config, **kwargs):
        seen.append((len(X_train), len(X_val)))
        return real(model, X_train, y_train, X_val, y_val, config, **kwargs)

    monkeypatch.setattr(trainer, "train", spy)
    run_forecast(SERIES, replace(TINY, base="seasonal_naive"))  # a base from the window alone
    # Targets of 6 steps inside 53..60 (the early-stopping part): origins 53 and 54 only.
    assert seen == [(53 - 12 - 6 + 1, 2)]


def test_states_saved_before_the_drift_choice_still_forecast(result):
    assert result.state["drift"] == 1.0  # a trending series keeps the full drift
    old = {k: v for k, v in result.state.items() if k != "drift"} | {"version": 1}
    frame = forecast_from_models(SERIES, result.models, old)
    np.testing.assert_allclose(frame["forecast"], result.future["forecast"], rtol=1e-6)
