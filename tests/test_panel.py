"""Many series: the global LSTM, one model per series, the panel backtest and panel runs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from lstm_core import panel as panel_module
from lstm_core.config import ModelConfig, Settings, TrainConfig, WindowConfig
from lstm_core.errors import DataError, SettingsError
from lstm_core.executor import InlineExecutor
from lstm_core.panel import (
    common_season,
    panel_default_settings,
    panel_shape,
    run_panel,
    typical_length,
)
from lstm_core.panel_backtest import backtest_panel
from lstm_core.pipeline import forecast_from_models, run_forecast

SETTINGS = Settings(
    window=WindowConfig(input_length=12, horizon=6),
    model=ModelConfig(units=4),
    train=TrainConfig(epochs=3, batch_size=32, learning_rate=0.01, patience=0, seed=3),
    holdout=6,
)


def _series(n: int, phase: float, level: float, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = level + 0.2 * t + 5 * np.sin(2 * np.pi * t / 12 + phase) + rng.normal(0, 1, n)
    return pd.Series(values, index=pd.date_range("2010-01-01", periods=n, freq="MS"))


@pytest.fixture(scope="module")
def panel() -> dict[str, pd.Series]:
    return {"north": _series(72, 0.0, 50, 1), "south": _series(60, 1.0, 500, 2),
            "east": _series(80, 2.0, 5, 3), "tiny": _series(20, 0.0, 50, 4)}


@pytest.fixture(scope="module")
def global_result(panel):
    return run_panel(panel, SETTINGS)


def test_global_model_forecasts_every_long_enough_series_with_one_network(global_result, panel):
    assert global_result.ids == ("north", "south", "east")
    assert set(global_result.excluded) == {"tiny"}
    assert global_result.excluded["tiny"].startswith("The series has 20 points, but a window of "
                                                     "12, a horizon of 6 and a holdout of 6 need")
    network = global_result.models
    assert len(network) == 1
    for one in global_result.results.values():
        assert one.models == network  # the same network object forecasts every series
        assert len(one.future) == 6 and np.isfinite(one.future["forecast"]).all()
    # Every series' windows fed the one training set.
    expected = sum(len(run_forecast_windows(panel[k])) for k in global_result.ids)
    assert global_result.windows == expected


def run_forecast_windows(series: pd.Series) -> np.ndarray:
    from lstm_core.pipeline import fit_recipe, training_windows
    from lstm_core.plan import make_plan

    plan = make_plan(series, SETTINGS)
    recipe, _ = fit_recipe(plan, series.to_numpy())
    (x, _y), _val, _note = training_windows(plan, recipe, recipe.forward(series.to_numpy()))
    return x


def test_a_panel_of_one_is_exactly_the_single_series_forecast(panel):
    alone = run_forecast(panel["north"], SETTINGS)
    one = run_panel({"north": panel["north"]}, SETTINGS).results["north"]
    np.testing.assert_allclose(one.future["forecast"], alone.future["forecast"], rtol=1e-6)
    np.testing.assert_allclose(one.holdout["forecast"], alone.holdout["forecast"], rtol=1e-6)
    assert one.scores == alone.scores


def test_local_mode_is_run_forecast_on_each_series(panel):
    local = run_panel({k: panel[k] for k in ("north", "tiny")}, SETTINGS, mode="local")
    assert local.ids == ("north",) and "tiny" in local.excluded
    alone = run_forecast(panel["north"], SETTINGS)
    np.testing.assert_allclose(local.results["north"].future["forecast"],
                               alone.future["forecast"], rtol=1e-6)
    assert local.models == ()


def test_same_seed_same_numbers(panel, global_result):
    again = run_panel(panel, SETTINGS)
    pd.testing.assert_frame_equal(again.forecasts_long(), global_result.forecasts_long())


def test_long_forecast_frame_and_scores(global_result):
    frame = global_result.forecasts_long()
    assert list(frame.columns) == ["series", "date", "forecast", "lower", "upper"]
    assert frame["series"].value_counts().to_dict() == {"north": 6, "south": 6, "east": 6}
    assert (frame["lower"] <= frame["forecast"]).all()
    assert (frame["forecast"] <= frame["upper"]).all()
    scores = global_result.scores_frame()
    assert list(scores["series"]) == ["north", "south", "east"]
    aggregate = global_result.aggregate()
    assert aggregate["series"] == 3
    lstm = scores["lstm"].to_numpy()
    assert aggregate["models"]["lstm"]["median_mase"] == pytest.approx(np.median(lstm))
    assert aggregate["lstm_beats"]["seasonal_naive"] == int(
        np.sum(lstm < scores["seasonal_naive"].to_numpy()))


def test_an_epoch_is_capped_with_an_even_share_of_every_series(panel, monkeypatch):
    monkeypatch.setattr(panel_module, "MAX_PANEL_WINDOWS", 30)
    result = run_panel({k: panel[k] for k in ("north", "south", "east")}, SETTINGS)
    assert result.windows == 30  # 10 per series
    assert any("Training used at most 10 evenly spaced windows of every series (of "
               in n for n in result.notes)


def test_stop_during_training_keeps_what_was_learnt(panel):
    epochs: list[int] = []
    result = run_panel(panel, replace(SETTINGS, train=replace(SETTINGS.train, epochs=50)),
                       on_epoch=lambda epoch, _logs: epochs.append(epoch),
                       should_stop=lambda: bool(epochs))
    assert result.stopped and result.ids == ("north", "south", "east")
    assert len(epochs) < 50
    assert any("stopped early" in note for note in result.notes)


def test_a_stop_while_preparing_trains_nothing(panel):
    seen: list[dict] = []
    with pytest.raises(DataError, match="The run was stopped while the series were being "
                                        "prepared, before any training; run it again."):
        run_panel(panel, SETTINGS, on_progress=seen.append,
                  should_stop=lambda: any(e["phase"] == "prepare" for e in seen))


def test_local_series_a_stop_never_reached_are_listed_as_left_out(panel):
    done: list[dict] = []
    result = run_panel(panel, SETTINGS, mode="local", on_progress=done.append,
                       should_stop=lambda: bool(done))
    assert result.ids == ("north",) and result.stopped
    assert result.excluded == {k: "The run was stopped before it reached this series."
                               for k in ("south", "east", "tiny")}


def test_plain_errors():
    with pytest.raises(SettingsError, match="mode must be one of global, local, got 'both'."):
        run_panel({"a": _series(60, 0, 1, 1)}, SETTINGS, mode="both")
    with pytest.raises(DataError, match="No series could be forecast with these settings. 'a': "
                                        "The series has 20 points"):
        run_panel({"a": _series(20, 0, 1, 1)}, SETTINGS)
    with pytest.raises(DataError, match="The file holds no series to forecast."):
        run_panel({}, SETTINGS)


def test_panel_defaults_follow_the_typical_series():
    from types import SimpleNamespace

    from lstm_core.plan import default_settings

    series = {"a": _series(60, 0, 1, 1), "b": _series(100, 0, 1, 1), "c": _series(120, 0, 1, 1)}
    assert typical_length(series) == 100
    assert common_season([12, 12, None, 4]) == 12 and common_season([None]) is None
    seasons = zip(series, (12, None, 12), strict=True)
    reports = {k: SimpleNamespace(season_length=s) for k, s in seasons}
    panel = SimpleNamespace(series=series, reports=reports)
    assert panel_shape(panel) == (100, 12)
    assert panel_default_settings(panel) == default_settings(100, 12)


@pytest.mark.parametrize("mode", ["global", "local"])
def test_panel_backtest_scores_every_series_at_every_cutoff(panel, mode):
    chosen = {k: panel[k] for k in ("north", "east", "tiny")}
    result = backtest_panel(chosen, SETTINGS, mode=mode, origins=2, executor=InlineExecutor())
    assert set(result.excluded) == {"tiny"}
    assert result.summary["series"] == 2 and result.summary["origins"] == 4
    assert list(result.frame.columns[:3]) == ["series", "cutoff", "date"]
    assert result.frame.groupby("series").size().to_dict() == {"north": 12, "east": 12}
    # Each (series, cut-off) is scored on what came after its own cut-off.
    north = result.frame[result.frame["series"] == "north"]
    np.testing.assert_allclose(north["actual"], panel["north"].to_numpy()[-12:])
    assert list(result.per_series["series"]) == ["north", "east"]
    assert (result.per_series["cutoffs"] == 2).all()


def test_panel_run_saves_and_each_series_reloads_and_forecasts_again(global_result, panel,
                                                                      tmp_path):
    from lstm_core.run_record import (
        PresentedRun,
        is_panel,
        panel_models,
        record_panel_run,
        series_manifest,
    )
    from lstm_core.runs import RunStore

    store = RunStore(tmp_path)
    run_id, _name = record_panel_run(global_result, dataset_name="regions", store=store)
    models, manifest = store.get(run_id)
    assert is_panel(manifest) and len(models) == 1
    assert manifest["extra"]["panel"]["ids"] == ["north", "south", "east"]
    assert manifest["name"].startswith("regions · 3 series · window 12, 4 units")
    history = global_result.train_results[0].history
    for key in global_result.ids:
        assert "history" not in manifest["extra"]["panel"]["series"][key]  # stored once
        single = series_manifest(manifest, key)
        shown = PresentedRun.from_manifest(single)
        assert shown.history == {k: list(v) for k, v in history.items()}
        np.testing.assert_allclose(shown.future["forecast"],
                                   global_result.results[key].future["forecast"], rtol=1e-9)
        again = forecast_from_models(panel[key], panel_models(manifest, models, key),
                                     single["transform"])
        np.testing.assert_allclose(again["forecast"],
                                   global_result.results[key].future["forecast"], rtol=1e-5)


def test_identity_tells_the_network_which_series_a_window_comes_from(panel, tmp_path):
    from lstm_core.run_record import panel_models, record_panel_run, series_manifest
    from lstm_core.runs import RunStore

    chosen = {k: panel[k] for k in ("north", "south", "east")}
    result = run_panel(chosen, replace(SETTINGS, ensemble=2), identity=True)
    assert tuple(result.models[0].inputs[0].shape[1:]) == (12, 4)  # the window + 3 identities
    assert result.results["south"].recipe.channels == (0.0, 1.0, 0.0)
    store = RunStore(tmp_path)
    models, manifest = store.get(record_panel_run(result, dataset_name="r", store=store)[0])
    again = forecast_from_models(chosen["south"], panel_models(manifest, models, "south"),
                                 series_manifest(manifest, "south")["transform"])
    np.testing.assert_allclose(again["forecast"], result.results["south"].future["forecast"],
                               rtol=1e-5)


def test_recipe_channels_reach_every_window_and_only_when_asked():
    from lstm_core.recipe import Recipe

    recipe = Recipe(transform="none", season_length=1, input_length=4, horizon=2, level=0.8,
                    scale_floor=1e-6, drift=0.0, members=1, time_column="step", freq=None,
                    half_widths=(0.0, 0.0))
    windows = np.arange(8.0).reshape(2, 4)
    plain, _, _ = recipe.normalise(windows)
    assert plain.shape == (2, 4, 1) and "channels" not in recipe.to_dict()
    marked = replace(recipe, channels=(1.0, 0.0))
    X, _, _ = marked.normalise(windows)
    assert X.shape == (2, 4, 3)
    np.testing.assert_array_equal(X[..., 0], plain[..., 0])
    np.testing.assert_array_equal(X[..., 1:], np.broadcast_to([1.0, 0.0], (2, 4, 2)))
    assert Recipe.from_dict(marked.to_dict()) == marked


def test_identity_has_a_limit():
    from lstm_core import panel as module

    many = {f"s{i}": _series(60, 0, 1, i) for i in range(module.MAX_IDENTITY + 1)}
    with pytest.raises(SettingsError, match=f"works for at most {module.MAX_IDENTITY} series; "
                                            f"this panel has {module.MAX_IDENTITY + 1}"):
        run_panel(many, SETTINGS, identity=True)
