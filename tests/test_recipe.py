"""The recipe: exact inverses, a network that learns nothing, validated shrinkage, old versions."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from lstm_core.config import ModelConfig, Settings, TrainConfig, WindowConfig
from lstm_core.errors import BundleError, DataError
from lstm_core.recipe import Recipe, base_paths, choose_shrink, shrink_errors

RNG = np.random.default_rng(8)


def _recipe(**changes) -> Recipe:
    recipe = Recipe(transform="log", season_length=4, input_length=8, horizon=4, level=0.8,
                    scale_floor=1e-9, drift=1.0, members=1, time_column="step", freq=None,
                    half_widths=(0.1, 0.2, 0.2, 0.3))
    return replace(recipe, **changes)


def _zero_model(length: int, horizon: int):
    from lstm_core.model import build_model

    model = build_model(WindowConfig(length, horizon), ModelConfig(units=2), seed=0)
    dense = model.layers[-1]
    dense.set_weights([np.zeros_like(w) for w in dense.get_weights()])
    return model


def test_transform_inverts_exactly_and_never_mutates():
    values = np.array([1.0, 2.5, 40.0, 0.3])
    kept = values.copy()
    recipe = _recipe()
    np.testing.assert_allclose(recipe.inverse(recipe.forward(values)), values, rtol=1e-15)
    np.testing.assert_array_equal(values, kept)
    assert recipe.forward(values) is not values


def test_a_network_that_learns_nothing_returns_its_base_forecast():
    recipe = _recipe(transform="none", half_widths=(0.0,) * 4)
    windows = RNG.normal(10, 2, (5, 8))
    forecast, lower, upper = recipe.paths([_zero_model(8, 4)], windows, 4)
    np.testing.assert_allclose(forecast, base_paths(windows, 4, 4, 1.0), rtol=1e-6)
    np.testing.assert_allclose(lower, forecast)
    np.testing.assert_allclose(upper, forecast)


def test_choose_shrink_follows_what_the_correction_is_worth():
    targets = RNG.normal(0, 1, (40, 4))
    assert choose_shrink(targets, targets) == (1.0, 1.0)  # a perfect correction
    assert choose_shrink(targets, 2 * targets)[0] == 0.5  # twice too strong
    noise = RNG.normal(0, 3, (40, 4))  # unrelated to the targets: only hurts
    shrink, gain = choose_shrink(targets, noise)
    assert shrink == 0.0 and gain == 0.0
    full, gain = choose_shrink(targets, noise, allowed=False)
    errors = shrink_errors(targets, noise)
    assert full == 1.0 and gain == pytest.approx(1 - errors[1.0] / errors[0.0]) and gain < 0
    empty = np.full((3, 4), np.nan)
    assert choose_shrink(empty, empty) == (1.0, None)


def _series(n: int = 96) -> pd.Series:
    t = np.arange(n)
    values = 50 + 0.4 * t + 6 * np.sin(2 * np.pi * t / 12) + RNG.normal(0, 1.5, n)
    return pd.Series(values, index=pd.date_range("2010-01-01", periods=n, freq="MS"), name="y")


TINY = Settings(window=WindowConfig(24, 12), model=ModelConfig(units=4),
                train=TrainConfig(epochs=8, batch_size=16, patience=0, seed=2), holdout=12)


def test_shrink_is_chosen_on_validation_points_never_the_calibration_slice_or_holdout():
    from lstm_core.pipeline import run_forecast
    from lstm_core.plan import make_plan

    series = _series()
    first = run_forecast(series, TINY)
    plan = make_plan(series, TINY)
    assert plan.train_end < plan.stop_end < plan.val_end < plan.n
    changed = series.copy()
    changed.iloc[plan.stop_end:] *= RNG.uniform(0.5, 2.0, plan.n - plan.stop_end)
    second = run_forecast(changed, TINY)
    assert second.recipe.shrink == first.recipe.shrink
    assert second.validation["gain"] == first.validation["gain"]
    assert (second.holdout["actual"] != first.holdout["actual"]).any()  # the change was seen
    assert first.validation["points"] == plan.stop_end - plan.train_end
    assert first.validation["note"] in first.notes


def test_shrink_off_uses_the_whole_correction():
    from lstm_core.pipeline import run_forecast

    result = run_forecast(_series(), replace(TINY, shrink=False))
    assert result.recipe.shrink == 1.0 and result.settings.shrink is False


def test_recipes_of_every_known_version_load_and_others_are_refused():
    current = _recipe(shrink=0.5)
    assert Recipe.from_dict(current.to_dict()) == current
    v2 = {k: v for k, v in current.to_dict().items() if k != "shrink"} | {"version": 2}
    assert Recipe.from_dict(v2).shrink == 1.0 and Recipe.from_dict(v2).version == 2
    with pytest.raises(BundleError):
        Recipe.from_dict(current.to_dict() | {"version": 99})
    with pytest.raises(BundleError):
        Recipe.from_dict({"method": "other"})


def test_a_bundle_saved_before_the_recipe_object_forecasts_as_it_did():
    """`fixtures/bundle_recipe_v1.zip` was saved by the release before this recipe (version 1)."""
    from pathlib import Path

    from lstm_core.pipeline import forecast_from_models
    from lstm_core.run_record import PresentedRun
    from lstm_core.runs import load_bundle

    models, manifest = load_bundle(Path(__file__).parent / "fixtures" / "bundle_recipe_v1.zip")
    assert manifest["transform"]["version"] == 1 and len(models) == 2
    presented = PresentedRun.from_manifest(manifest)
    again = forecast_from_models(presented.series, models, manifest["transform"])
    saved = pd.DataFrame(manifest["future"])
    np.testing.assert_allclose(again["forecast"], saved["forecast"], rtol=1e-6)
    np.testing.assert_allclose(again["upper"], saved["upper"], rtol=1e-6)
    assert Recipe.from_dict(manifest["transform"]).shrink == 1.0


def test_exponential_smoothing_base_repeats_a_pure_season_and_a_constant():
    from lstm_core.recipe import es_paths

    season = np.array([3.0, -1.0, 2.0, -4.0])
    x = np.tile(10 + season, 4)[None, :]  # 16 points, no trend
    for params in ((0.3, 0.1, 0.2, 0.9), (0.9, 0.0, 0.5, 1.0)):
        np.testing.assert_allclose(es_paths(x, 4, 6, *params), (10 + np.resize(season, 6))[None],
                                   atol=1e-12)
    flat = np.full((2, 7), 5.0)
    np.testing.assert_allclose(es_paths(flat, 1, 3, 0.5, 0.1, 0.0, 0.9), np.full((2, 3), 5.0))
    line = np.arange(8.0)[None, :]  # Holt's linear trend continues a straight line
    np.testing.assert_allclose(es_paths(line, 1, 3, 0.5, 0.5, 0.0, 1.0), [[8.0, 9.0, 10.0]])


def test_smoothing_normalisation_inverts_exactly():
    recipe = _recipe(transform="none", smoothing=(0.3, 0.1, 0.2, 0.9))
    windows = RNG.normal(50, 5, (6, 8))
    y = RNG.normal(50, 5, (6, 4))
    X, target = recipe.targets(windows, y)
    _, base, scale = recipe.normalise(windows)
    np.testing.assert_allclose(base + scale * target, y, rtol=1e-13)
    assert X.shape == (6, 8, 1) and X.dtype == np.float32


def test_choose_base_takes_smoothing_only_when_it_beats_seasonal_naive_on_training_windows():
    from lstm_core.recipe import choose_base
    from lstm_core.windows import target_windows

    t = np.arange(400)
    noisy = 10 + np.sin(2 * np.pi * t / 4) + RNG.normal(0, 0.8, t.size)  # noise: smooth it
    x, y = target_windows(noisy, 0, 300, 8, 4)
    drift, smoothing, note = choose_base(x[:, :, 0], y, 4, 4, 1e-9)
    assert smoothing and note.startswith("The network corrects exponential smoothing")
    assert choose_base(x[:, :, 0], y, 4, 4, 1e-9, smoothing=False)[1] == ()
    exact = np.tile([1.0, 5.0, 2.0, 8.0], 100)  # seasonal naive is already perfect
    x, y = target_windows(exact, 0, 300, 8, 4)
    assert choose_base(x[:, :, 0], y, 4, 4, 1e-9)[1] == ()


def test_history_smoothing_forecasts_from_each_origin_with_only_the_past():
    from lstm_core.recipe import es_history

    season = np.array([3.0, -1.0, 2.0, -4.0])
    z = np.tile(10 + season, 10)  # a pure season: every origin's forecast repeats it
    origins = np.array([8, 13, 40])
    forecast = es_history(z, 4, 6, (0.3, 0.1, 0.2, 0.9), origins)
    for row, t in zip(forecast, origins, strict=True):
        np.testing.assert_allclose(row, 10 + season[(t + np.arange(6)) % 4], atol=1e-9)
    # Before the first two seasons the starting states would read the origin's own targets.
    assert np.isnan(es_history(z, 4, 2, (0.3, 0.1, 0.2, 0.9), np.array([2, 5, 7]))).all()
    for t in range(8, 30):  # no origin's forecast moves when its future changes
        later = z.copy()
        later[t:] *= 3.0
        np.testing.assert_array_equal(es_history(later, 4, 3, (0.4, 0.2, 0.3, 0.95), [t]),
                                      es_history(z, 4, 3, (0.4, 0.2, 0.3, 0.95), [t]))
    changed = z.copy()
    changed[20:] += 100.0  # the future of origin 20 never reaches its forecast
    np.testing.assert_array_equal(es_history(changed, 4, 5, (0.5, 0.1, 0.3, 1.0), [20]),
                                  es_history(z, 4, 5, (0.5, 0.1, 0.3, 1.0), [20]))


def test_a_history_base_forecast_reloads_identically():
    from lstm_core.pipeline import forecast_from_models, run_forecast

    t = np.arange(120)
    rng = np.random.default_rng(3)
    values = 100 + t + 15 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 4, t.size)
    series = pd.Series(values, index=pd.date_range("2000-01-01", periods=120, freq="MS"))
    result = run_forecast(series, replace(TINY, window=WindowConfig(6, 12)))
    saved = Recipe.from_dict(result.recipe.to_dict())
    assert saved == result.recipe
    again = forecast_from_models(series, list(result.models), result.recipe.to_dict())
    np.testing.assert_allclose(again["forecast"], result.future["forecast"], rtol=1e-9)
    # The window (6) is shorter than the season: only the history base can repeat the season.
    assert result.recipe.history and result.recipe.season_length == 12


def test_history_seasonal_naive_repeats_the_season_before_each_origin():
    from lstm_core.recipe import snaive_history

    z = np.arange(30.0)
    out = snaive_history(z, 12, 14, np.array([12, 20, 30, 5]))
    np.testing.assert_array_equal(out[0], np.r_[np.arange(12.0), np.arange(2.0)])
    np.testing.assert_array_equal(out[1], np.r_[np.arange(8.0, 20.0), np.arange(8.0, 10.0)])
    np.testing.assert_array_equal(out[2], np.r_[np.arange(18.0, 30.0), np.arange(18.0, 20.0)])
    assert np.isnan(out[3]).all()  # less than a season in: no base
    later = z.copy()
    later[20:] = -1.0  # the future of origin 20 never reaches its forecast
    np.testing.assert_array_equal(snaive_history(later, 12, 14, np.array([20])), out[1:2])


def test_a_short_window_on_a_seasonal_series_corrects_the_season_read_from_the_history():
    from lstm_core.pipeline import _history_snaive, forecast_from_models, model_units, run_forecast
    from lstm_core.plan import make_plan
    from lstm_core.windows import target_windows

    t = np.arange(72)
    rng = np.random.default_rng(6)
    values = 1000 + 300 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 20, t.size)
    series = pd.Series(values, index=pd.date_range("2000-01-01", periods=72, freq="MS"))
    settings = replace(TINY, window=WindowConfig(4, 12), base="auto")
    result = run_forecast(series, settings)
    recipe = result.recipe
    # A fixed season plus noise: the fitted smoothing (read from the history) wins.
    assert recipe.history and recipe.smoothing and recipe.season_length == 12
    assert recipe.version == 5 and recipe.states
    assert Recipe.from_dict(recipe.to_dict()) == recipe
    again = forecast_from_models(series, list(result.models), recipe.to_dict())
    np.testing.assert_allclose(again["forecast"], result.future["forecast"], rtol=1e-9)
    # Before the smoothing is considered, the season read from the history beats what a window
    # of 4 can do by itself.
    plan = make_plan(series, settings)
    window_base = replace(recipe, history=False, smoothing=(), states=(), drift=1.0,
                          season_length=plan.base_season)
    z = model_units(window_base, values, None)
    x, y = target_windows(z, 0, plan.stop_end, 4, 12)
    chosen, note = _history_snaive(window_base, plan, z, x[:, :, 0], y, 1e-9)
    assert chosen.history and not chosen.smoothing and chosen.season_length == 12
    assert chosen.describe_base() == ("the seasonal-naive forecast (the season before, read "
                                      "from the history)")
    assert note.startswith("The window (4) is shorter than the season (12)")


def test_logs_are_kept_unless_they_clearly_hurt_the_base():
    from lstm_core.recipe import LOG_MARGIN, choose_transform

    t = np.arange(200)
    rng = np.random.default_rng(2)
    # a multiplicative season on a growing level: logs make the swing constant
    growing = np.exp(0.01 * t) * (100 + 30 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 1, 200)
    transform, with_logs, without = choose_transform(growing, 160, 24, 12, 12)
    assert transform == "log" and with_logs <= LOG_MARGIN * without
    # a cycle that dips near zero: a trend in logs explodes
    cycling = 80 * (1 + np.sin(2 * np.pi * t / 11)) ** 2 + 1 + rng.gamma(1.0, 2.0, 200)
    transform, with_logs, without = choose_transform(cycling, 160, 12, 6, None)
    assert transform == "none" and with_logs > LOG_MARGIN * without
    # the choice reads nothing after `stop`
    spoiled = cycling.copy()
    spoiled[160:] = 1e9
    assert choose_transform(spoiled, 160, 12, 6, None) == choose_transform(cycling, 160, 12, 6,
                                                                            None)


def test_the_plan_says_why_it_did_not_take_logs():
    from lstm_core.plan import make_plan

    t = np.arange(120)
    values = 80 * (1 + np.sin(2 * np.pi * t / 11)) ** 2 + 1 + np.random.default_rng(2).gamma(
        1.0, 2.0, 120)
    yearly = pd.date_range("1900-01-01", periods=120, freq="YS")  # yearly: no season
    plan = make_plan(pd.Series(values, index=yearly),
                     replace(TINY, window=WindowConfig(12, 6), holdout=6))
    assert plan.transform == "none"
    assert any(n.startswith("The model works on the raw values: the series is above zero, but on "
                            "the windows before the calibration points its base forecast erred")
               for n in plan.notes)


def _statsmodels_forecast(z: np.ndarray, season: int, form: str, steps: int) -> np.ndarray:
    """The forecast statsmodels makes with the form `fit_es` chose (refitted the same way).

    Steps at a multiple of the season are NaN: there the installed statsmodels reuses the season
    from before its last update (statsmodels issue #9538, fixed upstream in PR #10230), while
    `es_history` uses Hyndman's formula, the updated season.
    """
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    from lstm_core.recipe import _initialization

    trend = None if form.startswith("no trend") else "add"
    seasonal = "add" if form.endswith("additive season") else None
    init = _initialization(z.size, season if seasonal else 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(z, trend=trend, damped_trend=form.startswith("damped"),
                                   seasonal=seasonal, seasonal_periods=season if seasonal else None,
                                   initialization_method=init).fit()
    forecast = np.asarray(fit.forecast(steps), dtype=float)
    if seasonal:
        forecast[season - 1::season] = np.nan
    return forecast


def test_fitted_smoothing_reproduces_statsmodels_exactly_and_reads_only_the_past():
    from lstm_core.recipe import es_history, fit_es

    rng = np.random.default_rng(8)
    t = np.arange(96)
    trending = np.log(200 + 3 * t + 40 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 6, t.size))
    flat = 5 + rng.normal(0, 0.3, 80)  # no trend, no season: the form says so
    for z, season in ((trending, 12), (flat, 1), (trending[:40], 12)):
        fitted = fit_es(z, season)
        assert fitted is not None and fitted.states[0] == 0.0
        ours = es_history(z, season, 12, fitted.params, np.array([z.size]), fitted.states)[0]
        theirs = _statsmodels_forecast(z, season, fitted.form, 12)
        same = ~np.isnan(theirs)
        np.testing.assert_allclose(ours[same], theirs[same], rtol=1e-9, atol=1e-9)
    assert fit_es(flat, 1).form == "no trend, no season" and fit_es(flat, 1).params[3] == 0.0
    assert fit_es(trending, 12).form.endswith("additive season")
    # With fitted states every origin from the second point has a forecast, and none of them
    # moves when its future changes.
    fitted = fit_es(trending, 12)
    origins = np.arange(1, 90)
    base = es_history(trending, 12, 6, fitted.params, origins, fitted.states)
    assert not np.isnan(base).any()
    for origin in (1, 13, 50):
        later = trending.copy()
        later[origin:] += 1.0
        moved = es_history(later, 12, 6, fitted.params, [origin], fitted.states)
        np.testing.assert_array_equal(moved, base[origin - 1:origin])


def test_fitted_smoothing_bridges_gaps_and_refuses_what_it_cannot_fit():
    from lstm_core.recipe import es_history, fit_es

    rng = np.random.default_rng(10)
    t = np.arange(72)
    z = 3 + 0.01 * t + 0.2 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.02, t.size)
    gappy = z.copy()
    gappy[[5, 30, 31]] = np.nan
    fitted = fit_es(gappy, 12)  # the fit bridges the gaps; the recursion skips them
    assert fitted is not None
    assert np.isfinite(es_history(gappy, 12, 12, fitted.params, np.arange(1, 73),
                                  fitted.states)).all()
    assert fit_es(np.full(20, np.nan), 1) is None
    assert fit_es(np.r_[z[:30], np.inf], 1) is None
    assert fit_es(z[:9], 1) is None
    flat = fit_es(np.full(40, 5.0), 12)  # constant: a fit or None, never an exception
    assert flat is None or np.isfinite(flat.params).all()
    assert fit_es(z[:20], 24) is None or fit_es(z[:20], 24).form.endswith("no season")


def test_fitted_smoothing_on_a_long_series_starts_where_its_fit_starts():
    from lstm_core.evaluation import ETS_MAX_POINTS, ets_points
    from lstm_core.recipe import es_history, fit_es

    rng = np.random.default_rng(9)
    z = np.cumsum(rng.normal(0.1, 1.0, ETS_MAX_POINTS + 150))
    fitted = fit_es(z, 1)
    assert fitted.states[0] == 150.0  # the fit reads the last ETS_MAX_POINTS points
    ours = es_history(z, 1, 5, fitted.params, np.array([z.size]), fitted.states)[0]
    np.testing.assert_allclose(ours, _statsmodels_forecast(z[150:], 1, fitted.form, 5),
                               rtol=1e-9, atol=1e-9)
    assert np.isnan(es_history(z, 1, 5, fitted.params, np.array([100]), fitted.states)).all()
    # With a season the fit can start mid-season: the slots still line up with statsmodels'.
    t = np.arange(ets_points(7) + 53)
    weekly = 20 + 0.01 * t + 3 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.5, t.size)
    fitted = fit_es(weekly, 7)
    assert fitted.states[0] == 53.0 and fitted.form.endswith("additive season")
    ours = es_history(weekly, 7, 6, fitted.params, np.array([weekly.size]), fitted.states)[0]
    np.testing.assert_allclose(ours, _statsmodels_forecast(weekly[53:], 7, fitted.form, 6),
                               rtol=1e-9, atol=1e-9)
    # too short to fit: no candidate
    assert fit_es(z[:9], 1) is None


def test_recipes_before_version_5_start_their_smoothing_from_the_first_seasons():
    from lstm_core.recipe import es_history

    t = np.arange(60)
    z = 10 + 0.1 * t + np.sin(2 * np.pi * t / 4)
    old = {"version": 4, "method": "window-std-snaive-drift-residual", "transform": "none",
           "season_length": 4, "input_length": 8, "horizon": 4, "level": 0.8,
           "half_widths": [1.0] * 4, "scale_floor": 1e-6, "members": 1, "time_column": "step",
           "freq": None, "drift": 1.0, "shrink": 0.5, "smoothing": [0.3, 0.1, 0.2, 0.9],
           "history": True}
    recipe = Recipe.from_dict(old)
    assert recipe.states == () and "states" not in recipe.to_dict()
    np.testing.assert_array_equal(recipe.base_at(z, np.array([30, 60])),
                                  es_history(z, 4, 4, (0.3, 0.1, 0.2, 0.9), np.array([30, 60])))
    # That start, written out: the level is the first season's mean, the trend the step from it
    # to the second season's mean per point, the season the first season minus the level. With
    # nothing smoothed (alpha = beta = gamma = 0, no damping) the forecast at the first origin
    # it allows (8) is the first season carried forward on that trend: z[j - 1] + (4 + j) trend.
    frozen = Recipe.from_dict({**old, "smoothing": [0.0, 0.0, 0.0, 1.0]})
    trend = (z[4:8].mean() - z[:4].mean()) / 4
    steps = np.arange(1, 5)
    np.testing.assert_allclose(frozen.base_at(z, np.array([8]))[0], z[:4] + (4 + steps) * trend,
                               rtol=1e-12)


def test_a_smoothing_fitted_from_a_later_point_says_where_it_starts():
    saved = {"version": 5, "method": "window-std-snaive-drift-residual", "transform": "none",
             "season_length": 4, "input_length": 8, "horizon": 4, "level": 0.8,
             "half_widths": [1.0] * 4, "scale_floor": 1e-6, "members": 1, "time_column": "step",
             "freq": None, "drift": 1.0, "shrink": 1.0, "smoothing": [0.3, 0.1, 0.2, 0.9],
             "history": True, "states": [0.0, 10.0, 0.1, 1.0, 0.0, -1.0, 0.0]}
    recipe = Recipe.from_dict(saved)
    assert recipe.describe_base() == (
        "exponential smoothing (damped trend, additive season) run over the whole history")
    later = Recipe.from_dict({**saved, "states": [53.0, *saved["states"][1:]]})
    assert later.describe_base() == (
        "exponential smoothing (damped trend, additive season) run over the history from point "
        "54 on")


def test_the_future_refits_the_smoothing_on_every_point_but_the_holdout_never_sees_it():
    from lstm_core.pipeline import forecast_from_models, model_units, run_forecast
    from lstm_core.recipe import es_min_points, es_shape, fit_es

    t = np.arange(60)
    rng = np.random.default_rng(12)
    values = 500 + 4 * t + 80 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 10, t.size)
    index = pd.date_range("2010-01-01", periods=60, freq="MS")
    settings = replace(TINY, window=WindowConfig(12, 12), base="auto")
    result = run_forecast(pd.Series(values, index=index), settings)
    recipe = result.recipe
    assert recipe.history and recipe.states
    z = model_units(recipe, values, None)
    # the same form the networks learnt to correct, fitted again on every point
    refit = fit_es(z, 12, form=es_shape(recipe.smoothing, recipe.states))
    assert (recipe.smoothing, recipe.states) == (refit.params, refit.states)
    assert any(n.startswith(f"For the future forecast the exponential smoothing ({refit.form}) "
                            "was fitted again on the last 60 points") for n in result.notes)
    # The saved recipe is the future's: a reload forecasts the same numbers, refitting or not.
    for refit_again in (True, False):
        again = forecast_from_models(pd.Series(values, index=index), list(result.models),
                                     recipe.to_dict(), refit=refit_again)
        np.testing.assert_allclose(again["forecast"], result.future["forecast"], rtol=1e-9)
    # A file that starts later gets the smoothing of its own history, not states placed by the
    # run's first point: the same as refitting that history.
    later = pd.Series(values[7:], index=index[7:])
    shifted = forecast_from_models(later, list(result.models), recipe.to_dict())
    fitted = fit_es(z[7:], 12, form=es_shape(recipe.smoothing, recipe.states))
    own = forecast_from_models(later, list(result.models), replace(
        recipe, smoothing=fitted.params, states=fitted.states).to_dict(), refit=False)
    np.testing.assert_allclose(shifted["forecast"], own["forecast"], rtol=1e-9)
    # A file too short to fit that form is refused, not forecast from the run's own states.
    need = es_min_points(12, es_shape(recipe.smoothing, recipe.states)[2])
    assert need == 26  # the run chose a seasonal form: two seasons plus two
    forecast_from_models(pd.Series(values[-need:], index=index[-need:]), list(result.models),
                         recipe.to_dict())
    with pytest.raises(DataError) as err:
        forecast_from_models(pd.Series(values[1 - need:], index=index[1 - need:]),
                             list(result.models), recipe.to_dict())
    assert str(err.value) == (
        f"This run's base forecast is exponential smoothing ({refit.form}) fitted to the "
        "history, which needs at least 26 values; this series has 25. Give at least that many, "
        "ideally the whole history the run was trained on.")
    # A different holdout moves the future (it is fitted on) but not the holdout's forecast.
    changed = values.copy()
    changed[-12:] *= 1.3
    other = run_forecast(pd.Series(changed, index=index), settings)
    np.testing.assert_array_equal(other.holdout["forecast"], result.holdout["forecast"])
    assert not np.allclose(other.future["forecast"], result.future["forecast"])
