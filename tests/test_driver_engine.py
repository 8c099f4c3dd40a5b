"""Drivers in the engine: window channels, the linear effect, the comparison without drivers,
what-if scenarios, backtests and saved runs (tiny models, fixed seeds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_core.backtest import backtest, drivers_verdict
from lstm_core.config import ModelConfig, Settings, TrainConfig, WindowConfig
from lstm_core.driver_inputs import (
    DriverInputs,
    assume_future,
    driver_matrix,
    fit_effect,
    fit_inputs,
)
from lstm_core.drivers import Driver, DriverData, DriverSet
from lstm_core.errors import DataError
from lstm_core.pipeline import forecast_from_models, run_forecast, scenario_future
from lstm_core.recipe import Recipe
from lstm_core.run_record import PresentedRun, manifest_from_result, record_run
from lstm_core.runs import RunStore

N, H = 120, 12
INDEX = pd.date_range("2012-01-01", periods=N + H, freq="MS")
RNG = np.random.default_rng(11)
PROMO = (RNG.random(N + H) < 0.3).astype(float)
TEMP = RNG.normal(20, 5, N + H)
T = np.arange(N + H)
SALES = 100 + 0.2 * T + 10 * np.sin(2 * np.pi * T / 12) + 40 * PROMO + RNG.normal(0, 3, N + H)
SERIES = pd.Series(SALES[:N], index=pd.DatetimeIndex(INDEX[:N], freq="MS"), name="sales")
FUTURE_INDEX = pd.DatetimeIndex(INDEX[N:], freq="MS")
SPEC = DriverSet((Driver("promo", "known"), Driver("temp", "observed")))
DRIVERS = DriverData(
    SPEC,
    pd.DataFrame({"promo": PROMO[:N], "temp": TEMP[:N]}, index=SERIES.index),
    pd.DataFrame({"promo": PROMO[N:]}, index=FUTURE_INDEX),
)
SMALL = Settings(
    window=WindowConfig(input_length=24, horizon=H),
    model=ModelConfig(units=8),
    train=TrainConfig(epochs=40, batch_size=16, patience=0, seed=3),
    holdout=H,
)


@pytest.fixture(scope="module")
def result():
    return run_forecast(SERIES, SMALL, drivers=DRIVERS)


def test_a_known_promotion_halves_the_holdout_error(result):
    with_drivers = result.scores["lstm"]["mase"]
    without = result.scores["lstm_no_drivers"]["mase"]
    assert with_drivers <= 0.5 * without
    assert any(n.startswith("On the holdout the drivers helped: MASE") for n in result.notes)


def test_the_comparison_sits_beside_the_forecast(result):
    assert list(result.scores)[:2] == ["lstm", "lstm_no_drivers"]
    assert "no_drivers" in result.holdout.columns
    assert list(result.future.columns) == ["date", "forecast", "lower", "upper", "no_drivers"]
    plain = run_forecast(SERIES, SMALL)  # the same LSTM without drivers, same seed
    np.testing.assert_allclose(result.future["no_drivers"], plain.future["forecast"])
    assert result.scores["lstm_no_drivers"] == plain.scores["lstm"]


def test_the_windows_carry_every_driver_and_the_known_ones_ahead(result):
    inputs = result.recipe.drivers
    assert inputs.columns == ("promo", "temp")
    assert inputs.ahead == ("promo",)
    assert inputs.effect_columns == ("promo",)
    # (windows, input_length, 1 target + 2 past driver columns + 12 forecast-step promo values)
    assert result.models[0].input_shape == (None, 24, 1 + 2 + H)


def test_an_observed_driver_never_reads_future_values(result):
    matrix = driver_matrix(result.recipe.drivers, result.drivers, SERIES.index, "MS",
                           FUTURE_INDEX)
    poisoned = DriverData(SPEC, DRIVERS.history.assign(temp=lambda f: f["temp"].where(
        f.index < SERIES.index[100], 1e9)), DRIVERS.future)
    other = driver_matrix(result.recipe.drivers, poisoned, SERIES.index, "MS", FUTURE_INDEX)
    origins = np.arange(30, 101)  # windows ending before the poisoned points
    np.testing.assert_array_equal(matrix.at(origins, 24, H), other.at(origins, 24, H))
    # Observed values given for the future never enter the matrix, so no window reads them.
    given = DriverData(SPEC, DRIVERS.history, DRIVERS.future.assign(temp=1e9))
    future = driver_matrix(result.recipe.drivers, given, SERIES.index, "MS", FUTURE_INDEX)
    assert np.isnan(future.values[N:, 1]).all() and not np.isnan(future.values[N:, 0]).any()
    np.testing.assert_array_equal(scenario_future(result, given.future)["forecast"],
                                  result.future["forecast"])


def test_a_what_if_moves_only_with_the_known_values(result):
    same = scenario_future(result, result.drivers.future)
    np.testing.assert_allclose(same["forecast"], result.future["forecast"], rtol=1e-6)
    edited = result.drivers.future.copy()
    step = int(np.flatnonzero(edited["promo"].to_numpy() == 0)[0])
    edited.iloc[step, 0] = 1.0
    moved = scenario_future(result, edited)
    lift = moved["forecast"].to_numpy() - result.future["forecast"].to_numpy()
    assert lift[step] > 20  # the promotion's lift is about 40
    assert np.abs(np.delete(lift, step)).max() < lift[step] / 2


def test_missing_future_values_are_named_before_training():
    short = DriverData(SPEC, DRIVERS.history, DRIVERS.future.iloc[:5])
    with pytest.raises(DataError) as caught:
        run_forecast(SERIES, SMALL, drivers=short)
    assert str(caught.value) == (
        "Missing future values for column 'promo' from 2022-06-01; the forecast needs values "
        "up to 2022-12-01. Give them as rows after the data (a date and the drivers, no value), "
        "or as a table of future values."
    )


def test_assumed_future_values_come_from_a_season_earlier():
    filled, assumed = assume_future(DriverData(SPEC, DRIVERS.history, None), FUTURE_INDEX, 12)
    np.testing.assert_array_equal(filled.future["promo"], PROMO[N - 12:N])
    assert assumed == {"promo": list(FUTURE_INDEX)}
    partly = DriverData(SPEC, DRIVERS.history, DRIVERS.future.iloc[:4])
    filled, assumed = assume_future(partly, FUTURE_INDEX, 12)
    np.testing.assert_array_equal(filled.future["promo"].iloc[:4], PROMO[N:N + 4])
    assert assumed == {"promo": list(FUTURE_INDEX[4:])}


def test_the_effect_is_fitted_on_the_training_slice_only():
    x = PROMO[:N, None]
    effect = fit_effect(x, SALES[:N], 12)
    assert effect[0] == pytest.approx(40, abs=3)
    z = SERIES.to_numpy().copy()
    z[80:] = 1e6  # after the training slice: must not matter
    later = DRIVERS.history.copy()
    later.iloc[80:] = [[0.0, 1e6]]  # neither the drivers' values after it
    inputs = fit_inputs(DriverData(SPEC, later, DRIVERS.future), SERIES.index, "MS", 80,
                        np.log(np.abs(z)), 12)
    clean = fit_inputs(DRIVERS, SERIES.index, "MS", 80, np.log(SERIES.to_numpy()), 12)
    assert inputs.effect == clean.effect
    assert inputs.scaler == clean.scaler
    assert clean.scaler.mean[1] == pytest.approx(TEMP[:80].mean())  # the training slice's
    moved = fit_inputs(DRIVERS, SERIES.index, "MS", 100, np.log(SERIES.to_numpy()), 12)
    assert moved.scaler != clean.scaler  # a longer slice does move them


def test_the_recipe_round_trips_with_its_drivers(result):
    saved = result.recipe.to_dict()
    assert Recipe.from_dict(saved) == result.recipe
    assert DriverInputs.from_dict(saved["drivers"]) == result.recipe.drivers
    with pytest.raises(ValueError, match="Driver channels are needed"):
        result.recipe.normalise(np.zeros((1, 24)))


def test_a_saved_run_reforecasts_scenarios_from_its_bundle(result, tmp_path):
    store = RunStore(tmp_path)
    run_id, _ = record_run(result, dataset_name="promo", store=store)
    models, manifest = store.get(run_id)
    presented = PresentedRun.from_manifest(manifest)
    pd.testing.assert_frame_equal(presented.drivers.history, DRIVERS.history, check_freq=False)
    again = forecast_from_models(presented.series, models, manifest["transform"],
                                 drivers=presented.drivers)
    np.testing.assert_allclose(again["forecast"], result.future["forecast"], rtol=1e-5)
    edited = presented.drivers.future.assign(promo=1.0)
    scenario = forecast_from_models(presented.series, models, manifest["transform"],
                                    drivers=presented.drivers.with_future(edited))
    assert scenario["forecast"].sum() > again["forecast"].sum()
    with pytest.raises(DataError, match="This run was trained with drivers \\('promo', 'temp'\\)"):
        forecast_from_models(presented.series, models, manifest["transform"])


def test_a_run_without_drivers_saves_as_before():
    plain = run_forecast(SERIES, SMALL)
    manifest = manifest_from_result(plain, name="x", dataset_name="x")
    assert "drivers" not in manifest["extra"]
    assert "drivers" not in manifest["transform"]


def test_the_backtest_scores_the_lstm_with_and_without_drivers():
    settings = Settings(window=SMALL.window, model=SMALL.model,
                        train=TrainConfig(epochs=5, batch_size=16, patience=0, seed=3),
                        holdout=H)
    from lstm_core.executor import InlineExecutor

    result = backtest(SERIES, settings, origins=2, executor=InlineExecutor(), drivers=DRIVERS)
    assert "lstm_no_drivers" in result.frame.columns
    assert set(result.summary["models"]) == {"lstm", "lstm_no_drivers", "naive",
                                             "seasonal_naive", "ets"}
    assert drivers_verdict(result.summary).startswith("The drivers ")
    # the first cut-off forecast with the promotions that really followed it
    first = result.frame[result.frame["cutoff"] == result.frame["cutoff"].iloc[0]]
    assert len(first) == H


def test_calendar_and_holiday_drivers_need_dates():
    steps = pd.Series(SALES[:N], index=pd.RangeIndex(N, name="step"))
    spec = DriverSet(calendar=True)
    data = DriverData(spec, pd.DataFrame(index=steps.index), None)
    with pytest.raises(DataError, match="Calendar and holiday drivers need dates"):
        run_forecast(steps, SMALL, drivers=data)


def test_a_stop_during_the_training_with_drivers_skips_the_comparison():
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 3

    result = run_forecast(SERIES, SMALL, drivers=DRIVERS, should_stop=stop)
    assert "lstm_no_drivers" not in result.scores
    assert result.notes[-1] == (
        "Training was stopped before the LSTM without drivers finished, so this run cannot say "
        "whether the drivers helped; train again without stopping to see it."
    )


def test_the_holdout_verdict_is_one_rule():
    from lstm_core.scoreboard import drivers_holdout_verdict

    scores = {"lstm": {"mase": 0.5, "mae": 2.0}, "lstm_no_drivers": {"mase": 0.8, "mae": 3.0}}
    assert drivers_holdout_verdict(scores) == (
        "On the holdout the drivers helped: MASE 0.500 with them against 0.800 for the same "
        "LSTM trained without them (same seed, same run)."
    )
    scores["lstm"]["mase"] = None
    assert drivers_holdout_verdict(scores).startswith(
        "On the holdout the drivers helped: MAE 2.000")
    assert drivers_holdout_verdict({"lstm": {"mase": 1.0}}) == ""


def test_a_calendar_on_yearly_data_and_a_column_named_like_a_built_in_are_refused():
    from lstm_core.errors import SettingsError

    yearly = pd.Series(SALES[:60], index=pd.date_range("1960-01-01", periods=60, freq="YS"))
    settings = Settings(window=WindowConfig(8, 4), model=ModelConfig(units=4),
                        train=TrainConfig(epochs=2, patience=0, seed=3), holdout=4)
    data = DriverData(DriverSet(calendar=True), pd.DataFrame(index=yearly.index), None)
    with pytest.raises(SettingsError) as caught:
        run_forecast(yearly, settings, drivers=data)
    assert str(caught.value) == (
        "The series is yearly (YS-JAN), so the calendar has nothing to add (it gives month, "
        "quarter, week, weekday or hour); leave out the calendar."
    )
    clash = DriverData(DriverSet((Driver("holiday", "known"),), holidays="TH"),
                       DRIVERS.history.rename(columns={"promo": "holiday"})[["holiday"]],
                       DRIVERS.future.rename(columns={"promo": "holiday"}))
    with pytest.raises(SettingsError, match="The column 'holiday' has the name of a built-in"):
        run_forecast(SERIES, SMALL, drivers=clash)


def test_future_values_given_but_not_used_are_named():
    future = DRIVERS.future.assign(extra=1.0)
    result = run_forecast(SERIES, replace_epochs(SMALL, 2),
                          drivers=DriverData(SPEC, DRIVERS.history, future))
    assert "The future values' column 'extra' is not a driver and was not used." in result.notes


def replace_epochs(settings: Settings, epochs: int) -> Settings:
    from dataclasses import replace

    return replace(settings, train=replace(settings.train, epochs=epochs))
