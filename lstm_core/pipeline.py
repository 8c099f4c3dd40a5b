"""The end-to-end forecast as a short list of named steps.

`run_forecast(series, settings)`:

1. `make_plan`: season, transform, split and length checks (`lstm_core.plan`).
2. `fit_recipe`: the transform, the floor of the window scale and the base forecast's drift,
   chosen on windows before the calibration slice (`lstm_core.recipe`).
3. `training_windows`: training and early-stopping windows in the recipe's units.
4. `train_members`: the ensemble, while the baselines are fitted in a thread.
5. `validate_correction`: how much of the networks' correction to use, chosen on the
   early-stopping points (never the calibration slice or the holdout).
6. `calibrate`: conformal half-widths on the calibration slice (`lstm_core.calibration`).
7. `score_holdout`: the holdout forecast in horizon-long blocks, beside naive, seasonal naive and
   ETS, with MASE and interval coverage.
8. `refit_base` and `future_frame`: the horizon after the series, from the same (scored)
   networks; a history smoothing base is fitted again, in the same form, on every point.

The holdout (the last `settings.holdout` points, one horizon by default) is scored once at the
end. The future forecast reuses the scored networks, so the holdout score and coverage describe the
networks that make it; only a history smoothing base is refitted for it, as ETS would be.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from lstm_core import evaluation as ev
from lstm_core.calibration import calibrate, rolling_targets
from lstm_core.config import Settings
from lstm_core.driver_inputs import (
    DriverMatrix,
    driver_matrix,
    effect_words,
    fit_inputs,
    future_values,
)
from lstm_core.drivers import DriverData
from lstm_core.errors import BundleError, DataError, SettingsError
from lstm_core.plan import MIN_TRAIN_WINDOWS, Plan, make_plan
from lstm_core.recipe import EsFit, Recipe, choose_base, choose_shrink, transform_values
from lstm_core.scoreboard import NO_DRIVERS, NO_DRIVERS_COLUMN, drivers_holdout_verdict

# Above this many training windows, or this many window steps (windows x input length, what an
# epoch costs), train on an evenly spaced subset (see `training_windows`). The step budget binds
# only for long windows: weekly co2 (window 104) trains on 480 windows instead of 1000 at less than
# half the time, with the same rolling-origin MASE (0.744 against 0.733, bench/accuracy.py).
MAX_TRAIN_WINDOWS = 1000
MAX_TRAIN_STEPS = 50_000
MODEL_NAME = "lstm"
SCORE_MODELS = (MODEL_NAME, "naive", "seasonal_naive", "ets")

OnEpoch = Callable[[int, dict[str, Any]], None]
# Where known-ahead values come from, said after a message about a missing or unreadable one.
FUTURE_VALUES_HINT = ("Give them as rows after the data (a date and the drivers, no value), or "
                      "as a table of future values.")


@dataclass(frozen=True)
class ForecastResult:
    """Everything one run produced; enough to show, score, save and reload it.

    Attributes:
        settings: the settings used (holdout filled in when it was None).
        series: the input series (unchanged).
        plan: what was decided before training (season, transform, split, notes).
        recipe: how the networks see the data, with calibrated half-widths: the recipe the
            future was forecast with (a history smoothing base refitted on every point,
            `refit_base`; the holdout was scored with the fit before the calibration slice).
        train_results: one `TrainResult` per ensemble member (may be fewer when stopped).
        holdout: frame with `date` (or `step`), `actual`, `forecast`, `lower`, `upper`, `naive`,
            `seasonal_naive`, `ets` (NaN where a baseline failed), one row per holdout point.
        scores: `{model: {metric: value}}` for models `lstm, naive, seasonal_naive, ets` and
            metrics `mae, rmse, smape, mape, mase` (None when not computable).
        coverage: measured share of holdout actuals inside [lower, upper] (nominal:
            `settings.level`).
        future: frame with `date` (or `step`), `forecast`, `lower`, `upper` for the horizon
            after the series.
        notes: plain sentences on what was decided automatically or went wrong.
        validation: what the early-stopping points said of the networks' correction:
            `{"shrink", "gain" (error reduction against the base, or None), "base" (in words),
            "points"}`.
        models: the trained Keras models (ensemble members).
        seconds: wall time of the whole run.
        stopped: True when `should_stop` ended training early.
        drivers: the drivers and the future values the forecast used (None without drivers).
            With drivers, `scores` also holds `lstm_no_drivers`, and `holdout` and `future` a
            `no_drivers` column: the same LSTM trained without them in the same run.
    """

    settings: Settings
    series: pd.Series = field(repr=False)
    plan: Plan = field(repr=False)
    recipe: Recipe
    train_results: tuple = field(repr=False)
    holdout: pd.DataFrame = field(repr=False)
    scores: dict[str, dict[str, float | None]]
    coverage: float
    future: pd.DataFrame = field(repr=False)
    notes: list[str]
    models: tuple = field(repr=False)
    seconds: float
    stopped: bool
    validation: dict[str, Any] = field(default_factory=dict)
    drivers: DriverData | None = field(default=None, repr=False)

    @property
    def season_length(self) -> int | None:
        """Season used for seasonal naive, ETS and MASE (None = none)."""
        return self.plan.season

    @property
    def transform(self) -> str:
        """"log" or "none" (what "auto" resolved to)."""
        return self.plan.transform

    @property
    def state(self) -> dict[str, Any]:
        """The recipe as the JSON-safe dict a run manifest stores."""
        return self.recipe.to_dict()

    @property
    def time_column(self) -> str:
        """Name of the first column of `holdout` and `future`: "date" or "step"."""
        return self.plan.time_column

    @property
    def train_result(self) -> Any:
        """The first member's `TrainResult` (for the loss chart)."""
        return self.train_results[0]


def run_forecast(
    series: pd.Series,
    settings: Settings,
    *,
    on_epoch: OnEpoch | None = None,
    should_stop: Callable[[], bool] | None = None,
    holdout_baselines: bool = True,
    drivers: DriverData | None = None,
) -> ForecastResult:
    """Train on the series, score on its held-out end against baselines, and forecast past it.

    Args:
        series: (n,) float values indexed by a `DatetimeIndex` with a frequency or by row numbers
            (NaN allowed; windows touching NaN are skipped).
        settings: window, model, training, transform, holdout, interval level, ensemble size.
        on_epoch: progress callback `on_epoch(epoch, logs)`; `logs` holds `loss`, `val_loss`
            (the members' means), `members` and `phase` ("train") so a UI can show a running view.
        should_stop: polled after every epoch; True ends training at once (best weights kept,
            remaining members skipped) and a result is still produced from what was trained.
        holdout_baselines: False skips fitting the baselines on the holdout (their columns are
            NaN and their scores None); the LSTM's numbers are the same. The backtest uses it:
            it scores the baselines at its own cut-offs.
        drivers: driver columns aligned to the series, with the known-ahead ones' values for
            the horizon after it (`DriverData.future`; `driver_inputs.assume_future` fills them
            from a season earlier). The same LSTM is also trained without them (same seed), and
            its scores sit beside the others as `lstm_no_drivers`.

    Returns:
        The `ForecastResult`.

    Raises:
        DataError: the series is too short for the settings, its gaps leave no window, or a
            known-ahead driver has no value for a forecast date (checked before training).
        SettingsError: settings that cannot apply to this series (e.g. log of non-positive data).
    """
    started = time.perf_counter()
    if drivers is not None and drivers.spec.empty:
        drivers = None
    prepared = prepare_series(series, settings, drivers=drivers)
    plain = prepare_series(series, settings) if drivers is not None else None
    # The baselines (ETS fits are the slow part) run in a thread while the networks train:
    # TensorFlow releases the GIL, so on a multi-core machine they are nearly free.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_holdout_baselines, np.asarray(series, dtype=float), prepared.plan,
                              holdout_baselines)
        results = train_members(prepared.plan.settings, prepared.train_xy, prepared.val_xy,
                                on_epoch, should_stop)
        plain_results = None
        # A Stop during the training with drivers leaves nothing fair to compare with.
        if plain is not None and not any(r.stopped for r in results):
            plain_results = train_members(plain.plan.settings, plain.train_xy, plain.val_xy,
                                          _phase(on_epoch, "without drivers"), should_stop)
        baselines = pending.result()
    result = finish_series(series, prepared, tuple(results), baselines, started=started)
    if plain is None:
        return result
    if plain_results is None or any(r.stopped for r in plain_results):
        return replace(result, notes=[*result.notes, (
            "Training was stopped before the LSTM without drivers finished, so this run cannot "
            "say whether the drivers helped; train again without stopping to see it.")])
    without = finish_series(series, plain, tuple(plain_results), baselines, started=started)
    return with_comparison(result, without, time.perf_counter() - started)


def _phase(on_epoch: OnEpoch | None, phase: str) -> OnEpoch | None:
    """`on_epoch` with another `phase` in its logs (the training without drivers)."""
    if on_epoch is None:
        return None

    def report(epoch: int, logs: dict[str, Any]) -> None:
        on_epoch(epoch, {**logs, "phase": phase})

    return report


def with_comparison(
    result: ForecastResult, without: ForecastResult, seconds: float
) -> ForecastResult:
    """A driven result with the same LSTM's numbers without drivers beside its own."""
    scores = {MODEL_NAME: result.scores[MODEL_NAME], NO_DRIVERS: without.scores[MODEL_NAME],
              **{k: v for k, v in result.scores.items() if k != MODEL_NAME}}
    holdout = result.holdout.copy()
    holdout.insert(holdout.columns.get_loc("upper") + 1, NO_DRIVERS_COLUMN,
                   without.holdout["forecast"].to_numpy())
    future = result.future.copy()
    future[NO_DRIVERS_COLUMN] = without.future["forecast"].to_numpy()
    notes = list(result.notes)
    verdict = drivers_holdout_verdict(scores)
    if verdict:
        notes.append(verdict)
    return replace(result, scores=scores, holdout=holdout, future=future, notes=notes,
                   seconds=seconds)


@dataclass(frozen=True)
class PreparedSeries:
    """One series made ready for training: what `run_forecast` (and each series of a panel) does
    before the networks train.

    Attributes:
        plan: the plan (`make_plan`).
        recipe: the fitted recipe, before validation and calibration.
        notes: what the plan and the recipe decided.
        train_xy: training windows `(X (n, input_length, 1), y (n, horizon))`.
        val_xy: early-stopping windows, the same shapes (n may be 0).
    """

    plan: Plan
    recipe: Recipe
    notes: tuple[str, ...]
    train_xy: tuple[np.ndarray, np.ndarray] = field(repr=False)
    val_xy: tuple[np.ndarray, np.ndarray] = field(repr=False)
    drivers: DriverData | None = field(default=None, repr=False)
    matrix: DriverMatrix | None = field(default=None, repr=False)


def prepare_series(
    series: pd.Series, settings: Settings, channels: tuple[float, ...] = (),
    drivers: DriverData | None = None,
) -> PreparedSeries:
    """Plan, recipe and windows of one series (steps 1-3 of `run_forecast`).

    `channels` are constant input values the network reads beside the window (a panel's series
    identity); none for one series. `drivers` (with their future values) add the drivers'
    channels (`lstm_core.driver_inputs`), scaled on the training slice.

    Raises:
        DataError: the series is too short for the settings, its gaps leave no window, or a
            known-ahead driver lacks a future value (naming the column and the date).
        SettingsError: settings that cannot apply to this series.
    """
    values = np.asarray(series, dtype=float)
    plan = make_plan(series, settings)
    inputs = matrix = None
    if drivers is not None and not drivers.spec.empty:
        drivers, future_notes = _with_future(series, drivers, plan.horizon, plan.time_column)
        inputs = fit_inputs(drivers, series.index, plan.freq, plan.train_end,
                            transform_values(values, plan.transform), plan.season)
        matrix = driver_matrix(inputs, drivers, series.index, plan.freq,
                               ev.future_index(series.index, plan.horizon))
    else:
        drivers = None
    recipe, note = fit_recipe(plan, values, matrix)
    recipe = replace(recipe, channels=tuple(channels), drivers=inputs)
    train_xy, val_xy, window_note = training_windows(plan, recipe,
                                                     model_units(recipe, values, matrix), matrix)
    notes = (*plan.notes, *(n for n in (note, window_note) if n))
    if drivers is not None:
        notes += (_drivers_note(recipe), *future_notes)
    return PreparedSeries(plan=plan, recipe=recipe, notes=notes, train_xy=train_xy,
                          val_xy=val_xy, drivers=drivers, matrix=matrix)


def _with_future(
    series: pd.Series, drivers: DriverData, horizon: int, time_column: str
) -> tuple[DriverData, tuple[str, ...]]:
    """The drivers with their future values checked for the horizon (before any training), and
    notes on what was given but not used.

    Raises:
        DataError: rows that do not match the series, or a missing future value (naming the
            column and the date, and where such values come from).
    """
    if len(drivers.history) != len(series) or not drivers.history.index.equals(series.index):
        raise DataError("The drivers' rows do not match the series' dates; load the file again.")
    future_index = ev.future_index(series.index, horizon)
    try:
        known, notes = future_values(drivers, future_index, time_column=time_column)
    except DataError as exc:
        raise DataError(f"{exc} {FUTURE_VALUES_HINT}") from exc
    return drivers.with_future(known if drivers.spec.known else None), notes


def _drivers_note(recipe: Recipe) -> str:
    inputs = recipe.drivers
    spec = inputs.spec
    parts = []
    if spec.known:
        parts.append("known ahead: " + ", ".join(f"'{n}'" for n in spec.known))
    if spec.observed:
        parts.append("observed only (past values): " + ", ".join(f"'{n}'" for n in spec.observed))
    if spec.calendar:
        parts.append(f"calendar ({spec.encoding})")
    if spec.holidays:
        region = f"-{spec.subdivision}" if spec.subdivision else ""
        parts.append(f"public holidays ({spec.holidays}{region})")
    effects = effect_words(inputs, recipe.transform)
    effect = ""
    if effects:
        effect = (" Their linear effect, fitted on the training points' seasonal differences, is "
                  "taken out before the base forecast and the network and added back to the "
                  f"forecast: {'; '.join(effects)}.")
    return (f"Drivers: {'; '.join(parts)}. Each window reads their past, and the known-ahead ones "
            "also for the steps it forecasts; they are scaled on the training points only."
            + effect)


def finish_series(
    series: pd.Series,
    prepared: PreparedSeries,
    train_results: tuple,
    baselines: dict[int, dict[str, ev.BaselineResult]],
    *,
    started: float,
) -> ForecastResult:
    """Steps 5-8 of `run_forecast` with trained networks: validate the correction, calibrate,
    score the holdout and forecast the future.

    Args:
        series: the series `prepared` was made from.
        prepared: from `prepare_series`.
        train_results: the trained members' `TrainResult`s (shared by every series of a global
            panel model).
        baselines: the holdout baselines (`_holdout_baselines`).
        started: `time.perf_counter()` when the run began (for `seconds`).
    """
    plan, recipe, matrix = prepared.plan, prepared.recipe, prepared.matrix
    values = np.asarray(series, dtype=float)
    z = model_units(recipe, values, matrix)
    notes = list(prepared.notes)
    models = tuple(r.model for r in train_results)
    stopped = any(r.stopped for r in train_results)
    notes += _ensemble_notes(plan.settings, stopped)
    recipe, validation = validate_correction(models, z, recipe, plan, matrix)
    notes.append(validation["note"])
    half, calibration_notes = calibrate(models, z, recipe, plan, matrix)
    recipe = recipe.with_half_widths(half)
    notes += calibration_notes
    holdout_frame, scores, cov, score_notes = score_holdout(
        series, values, z, models, recipe, plan, baselines, matrix
    )
    notes += score_notes
    recipe, refit_note = refit_base(recipe, z)
    if refit_note:
        notes.append(refit_note)
    future = future_frame(series, z, models, recipe, plan.horizon, matrix)
    notes.append(
        "The future forecast reuses the networks scored on the holdout (no retraining), so the "
        "holdout scores and interval coverage describe the same networks; its input is the "
        f"last {plan.input_length} points, holdout included."
    )
    return ForecastResult(
        settings=plan.settings, series=series, plan=plan, recipe=recipe,
        train_results=tuple(train_results), holdout=holdout_frame, scores=scores, coverage=cov,
        future=future, notes=notes, models=models, seconds=time.perf_counter() - started,
        stopped=stopped, validation=validation, drivers=prepared.drivers,
    )


def refit_base(recipe: Recipe, z: np.ndarray) -> tuple[Recipe, str]:
    """The recipe the future is forecast with: a history smoothing base fitted again, in the same
    form, on every point of `z` (up to the fit's point cap), as the ETS baseline is fitted on
    everything before its forecast.

    Training, validation, calibration and the holdout scores all use the smoothing fitted on the
    points before the calibration slice, so none of them is scored by a fit that saw it; the
    future, which has no such points, gets the fit on all of them (the last points carry the most
    about the next ones, and short series lose a third of their points otherwise). The form the
    networks learnt to correct stays. Other bases read their own windows and are returned
    unchanged, with an empty note; so is a history smoothing that no longer fits.
    """
    from lstm_core.recipe import es_shape, fit_es

    if not recipe.refits_smoothing:
        return recipe, ""
    fitted = fit_es(z, recipe.season_length, form=es_shape(recipe.smoothing, recipe.states))
    if fitted is None:
        return recipe, ""
    points = int(np.sum(~np.isnan(np.asarray(z, dtype=float)[int(fitted.states[0]):])))
    return replace(recipe, smoothing=fitted.params, states=fitted.states), (
        f"For the future forecast the exponential smoothing ({fitted.form}) was fitted again on "
        f"the last {points} points, the holdout included. The networks were not retrained, and "
        "the holdout scores and the interval widths come from the earlier fit on the points "
        "before the calibration slice, which saw neither the calibration points nor the holdout.")


def model_units(recipe: Recipe, values: np.ndarray, drivers: DriverMatrix | None) -> np.ndarray:
    """The series as the base and the networks see it: transformed, minus the drivers' linear
    effect when there are drivers (`paths` adds the effect of the forecast steps back)."""
    z = recipe.forward(values)
    return z if drivers is None else drivers.adjust(z)


def fit_recipe(
    plan: Plan, values: np.ndarray, drivers: DriverMatrix | None = None
) -> tuple[Recipe, str]:
    """The recipe's constants for this plan: scale floor and base forecast.

    The base is seasonal naive (with full, half or no drift) or exponential smoothing, run over each
    window or over the whole history before it, whichever forecasts the windows whose targets end
    before the calibration slice best (`settings.base` "seasonal_naive" keeps the first). With
    drivers, all of it is fitted on the series minus their linear effect.
    """
    from lstm_core.recipe import fit_es
    from lstm_core.windows import target_windows

    recipe = Recipe(
        transform=plan.transform, season_length=plan.base_season,
        input_length=plan.input_length, horizon=plan.horizon, level=plan.settings.level,
        scale_floor=0.0, drift=1.0, members=plan.settings.ensemble,
        time_column=plan.time_column, freq=plan.freq, half_widths=(0.0,) * plan.horizon,
    )
    z = model_units(recipe, values, drivers)
    floor = 1e-6 * (float(np.nanstd(z[: plan.train_end])) + 1e-12)
    length, horizon = plan.input_length, plan.horizon
    x, y = target_windows(z, 0, plan.stop_end, length, horizon)
    x = x.reshape(len(x), length).astype(float)
    auto = plan.settings.base == "auto"
    drift, smoothing, note = choose_base(x, y, plan.base_season, horizon, floor, smoothing=auto)
    recipe = replace(recipe, scale_floor=floor, drift=drift, smoothing=smoothing)
    recipe, history_note = _history_snaive(recipe, plan, z, x, y, floor)
    note = history_note or note
    fitted = fit_es(z[: plan.stop_end], plan.season or 1) if auto and len(x) else None
    if fitted is not None:
        candidate = replace(recipe, smoothing=fitted.params, states=fitted.states, history=True,
                            season_length=plan.season or 1)
        gain = _history_gain(recipe, candidate, plan, z, x, y, floor)
        if gain is not None:
            note = _smoothing_note(fitted, gain, recipe.describe_base())
            recipe = candidate
    return recipe, note


def _smoothing_note(fitted: EsFit, gain: float, other: str) -> str:
    """What the history smoothing base is and why it won (`fit_recipe`)."""
    from lstm_core.recipe import es_shape

    alpha, beta, gamma, phi = fitted.params
    trend, damped, seasonal = es_shape(fitted.params, fitted.states)
    start = int(fitted.states[0])
    over = ("the whole history before each window" if not start else
            f"the history before each window from point {start + 1} on, where its fit starts "
            "(earlier windows are not trained on)")
    return (
        f"The network corrects exponential smoothing ({fitted.form}, chosen by AICc; parameters "
        f"fitted by maximum likelihood: alpha {alpha:.2f}{f', beta {beta:.2f}' if trend else ''}"
        f"{f', gamma {gamma:.2f}' if seasonal else ''}{f', damping {phi:.2f}' if damped else ''})"
        f" run over {over}: on the training windows, which its parameters were fitted on, it "
        f"forecast {gain:.0%} better than {other}."
    )


def _history_gain(
    recipe: Recipe, candidate: Recipe, plan: Plan, z: np.ndarray, x: np.ndarray, y: np.ndarray,
    floor: float,
) -> float | None:
    """How much better a base read from the history (`candidate`) forecasts the windows with
    targets before the calibration slice than `recipe`'s base, as `1 - its error / the current`;
    None unless it is better and at least `MIN_TRAIN_WINDOWS` training windows have it (windows
    before its first origin are left out of training).

    Args:
        x: (k, input_length) the windows of `z` with targets before `plan.stop_end`.
        y: (k, horizon) their targets.
    """
    from lstm_core.recipe import history_error
    from lstm_core.windows import target_origins

    origins = target_origins(z, 0, plan.stop_end, plan.input_length, plan.horizon)
    history = candidate.base_at(z, origins)
    known = ~np.isnan(history).any(axis=1)
    usable = int(np.sum(known & (origins + plan.horizon <= plan.train_end)))
    scale = np.maximum(x.std(axis=1, keepdims=True), floor)
    mine = recipe.base_at(z, origins) if recipe.history else recipe.base_forecast(x)
    current = history_error(y[known], mine[known], scale[known])
    challenger = history_error(y, history, scale)
    if usable < MIN_TRAIN_WINDOWS or challenger >= current:
        return None
    return 1 - challenger / current


def _history_snaive(
    recipe: Recipe, plan: Plan, z: np.ndarray, x: np.ndarray, y: np.ndarray, floor: float
) -> tuple[Recipe, str]:
    """A window shorter than the season cannot repeat it: then the seasonal-naive forecast read
    from the history before each window is a candidate base, kept when it forecasts the windows
    with targets before the calibration slice better than the window's own base."""
    season = plan.season or 1
    if plan.settings.base != "auto" or season <= 1 or plan.input_length >= season or not len(x):
        return recipe, ""
    candidate = replace(recipe, history=True, smoothing=(), drift=0.0, season_length=season)
    gain = _history_gain(recipe, candidate, plan, z, x, y, floor)
    if gain is None:
        return recipe, ""
    return candidate, (
        f"The window ({plan.input_length}) is shorter than the season ({season}), so the network "
        f"corrects the seasonal-naive forecast read from the history before each window: on the "
        f"training windows it forecast {gain:.0%} better than {recipe.describe_base()}.")


def _windows(
    recipe: Recipe, z: np.ndarray, start: int, stop: int, drivers: DriverMatrix | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Windows with targets in `[start, stop)`: inputs, targets, (history) base forecasts and
    the drivers' channels (None without drivers).

    Windows whose history base is not defined yet (before it starts: its first season, or where
    the smoothing's fit starts), or whose drivers have gaps, are left out.
    """
    from lstm_core.windows import target_origins, target_windows

    length, horizon = recipe.input_length, recipe.horizon
    X_raw, Y_raw = target_windows(z, start, stop, length, horizon)
    origins = target_origins(z, start, stop, length, horizon)
    base = recipe.base_at(z, origins)
    known = np.ones(len(X_raw), dtype=bool)
    if base is not None:
        known &= ~np.isnan(base).any(axis=1)
    extra = None
    if drivers is not None:
        extra = drivers.at(origins, length, horizon)
        known &= ~np.isnan(extra).any(axis=(1, 2))
        extra = extra[known]
    if not known.all():
        X_raw, Y_raw = X_raw[known], Y_raw[known]
        base = None if base is None else base[known]
    return X_raw, Y_raw, base, extra


def validate_correction(
    models: Sequence[Any], z: np.ndarray, recipe: Recipe, plan: Plan,
    drivers: DriverMatrix | None = None,
) -> tuple[Recipe, dict[str, Any]]:
    """Choose how much of the networks' correction to use, on the early-stopping points only.

    The calibration slice and the holdout never enter the choice (their intervals and scores then
    describe the forecast as made). With `settings.shrink` off, or no early-stopping points, the
    whole correction is used.

    Returns:
        The recipe with `shrink` set, and `{"shrink", "gain", "base", "points", "note"}`.
    """
    base = recipe.describe_base()
    points = plan.stop_end - plan.train_end
    targets, corrections = rolling_targets(models, z, recipe, plan.train_end, plan.stop_end,
                                          drivers)
    shrink, gain = choose_shrink(targets, corrections, allowed=plan.settings.shrink)
    if gain is None:
        note = (f"The network corrects {base}; there were no validation points to check that "
                "the correction helps, so all of it is used.")
    elif shrink == 0.0:
        note = (f"On the {points} validation points the network's correction did not improve on "
                f"{base}, so the forecast is {base}.")
    else:
        share = "all of it is used" if shrink == 1.0 else f"{shrink:.0%} of it is used"
        who = "An LSTM" if len(models) == 1 else f"An ensemble of {len(models)} LSTMs (median)"
        note = (f"{who} correcting {base}: on the {points} validation points the correction "
                f"{'reduced' if gain >= 0 else 'raised'} the error by {abs(gain):.0%} ({share}).")
    validation = {"shrink": shrink, "gain": gain, "base": base, "points": points, "note": note}
    return replace(recipe, shrink=shrink), validation


def training_windows(
    plan: Plan, recipe: Recipe, z: np.ndarray, drivers: DriverMatrix | None = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], str]:
    """Training and early-stopping windows `(X, y)` in the recipe's units, and a note.

    Training windows have targets before `plan.train_end`; early stopping's before
    `plan.stop_end` (never the calibration slice). Above `MAX_TRAIN_WINDOWS` windows (or
    `MAX_TRAIN_STEPS` window steps) every k-th is kept, the latest always.

    Raises:
        DataError: gaps leave no complete training window.
    """
    length, horizon = plan.input_length, plan.horizon
    X_tr, y_tr = recipe.targets(*_windows(recipe, z, 0, plan.train_end, drivers))
    if not len(X_tr):
        raise DataError(
            f"Every training window of {length + horizon} points touches a missing value; fill "
            "the gaps (choose another fill policy) or shorten the window."
        )
    note = ""
    most = max(1, min(MAX_TRAIN_WINDOWS, MAX_TRAIN_STEPS // length))
    if len(X_tr) > most:
        # Neighbouring windows overlap in all but one step; every k-th (the latest always kept)
        # carries nearly the same information at a fraction of the training time.
        stride = math.ceil(len(X_tr) / most)
        keep = np.arange(len(X_tr) - 1, -1, -stride)[::-1]
        note = (f"Training used every {stride}th of the {len(X_tr)} overlapping training "
                f"windows ({len(keep)}), to keep training time bounded.")
        X_tr, y_tr = X_tr[keep], y_tr[keep]
    val = recipe.targets(*_windows(recipe, z, plan.train_end, plan.stop_end, drivers))
    return (X_tr, y_tr), val, note


def train_members(
    settings: Settings,
    train_xy: tuple[np.ndarray, np.ndarray],
    val_xy: tuple[np.ndarray, np.ndarray],
    on_epoch: Callable[[int, dict[str, Any]], None] | None,
    should_stop: Callable[[], bool] | None,
) -> list[Any]:
    """Train the ensemble's members (seeds seed, seed+1, ...) at once, in one compiled step.

    `on_epoch` logs hold the members' mean `loss` and `val_loss`, `members` and `phase`.
    """
    from lstm_core.model import build_model
    from lstm_core.trainer import train_ensemble

    members = settings.ensemble
    features = int(train_xy[0].shape[2]) if np.ndim(train_xy[0]) == 3 else 1
    models = [build_model(settings.window, settings.model, settings.train.seed + member, features)
              for member in range(members)]

    def report(epoch: int, logs: dict[str, float]) -> None:
        if on_epoch is not None:
            on_epoch(epoch, {**logs, "members": members, "phase": "train"})

    return train_ensemble(models, *train_xy, *val_xy, settings.train, on_epoch=report,
                          should_stop=should_stop)


def _ensemble_notes(settings: Settings, stopped: bool) -> list[str]:
    notes = []
    if stopped:
        notes.append("Training was stopped early: the forecast uses the best weights so far.")
    if settings.ensemble > 1:
        notes.append(f"The forecast is the median of {settings.ensemble} networks (seeds "
                     f"{settings.train.seed}..{settings.train.seed + settings.ensemble - 1}), "
                     "trained side by side in one compiled step.")
    return notes


def _holdout_baselines(
    values: np.ndarray, plan: Plan, fit: bool = True
) -> dict[int, dict[str, ev.BaselineResult]]:
    """Baselines for every holdout block origin: `{origin: {name: BaselineResult}}`."""
    n, horizon = values.size, plan.horizon
    if not fit:
        skipped = {name: ev.BaselineResult(name, None) for name in SCORE_MODELS[1:]}
        return dict.fromkeys(range(plan.val_end, n, horizon), skipped)
    return {
        origin: {b.name: b
                 for b in ev.baselines(values[:origin], min(horizon, n - origin), plan.season)}
        for origin in range(plan.val_end, n, horizon)
    }


def score_holdout(
    series: pd.Series,
    values: np.ndarray,
    z: np.ndarray,
    models: tuple,
    recipe: Recipe,
    plan: Plan,
    baselines: dict[int, dict[str, ev.BaselineResult]],
    drivers: DriverMatrix | None = None,
) -> tuple[pd.DataFrame, dict[str, dict[str, float | None]], float, list[str]]:
    """Forecast the holdout in horizon-sized blocks from successive origins; score everything.

    Returns:
        `(frame, scores, coverage, notes)`.
    """
    n, horizon, length, start = values.size, recipe.horizon, recipe.input_length, plan.val_end
    notes: list[str] = []
    columns: dict[str, list[np.ndarray]] = {
        k: [] for k in ("forecast", "lower", "upper", "naive", "seasonal_naive", "ets")
    }
    baseline_notes: dict[str, str] = {}
    for origin in range(start, n, horizon):
        steps = min(horizon, n - origin)
        window = z[origin - length: origin]
        extra = offset = None
        if drivers is not None:
            extra = drivers.at(np.array([origin]), length, horizon)
            offset = drivers.offsets(np.array([origin]), horizon)
        if np.isnan(window).any() or (extra is not None and np.isnan(extra).any()):
            nan = np.full(steps, np.nan)
            for key in ("forecast", "lower", "upper"):
                columns[key].append(nan)
            notes.append("Part of the holdout could not be forecast: its input window has gaps.")
        else:
            base = recipe.base_at(z, np.array([origin]))
            forecast, lower, upper = recipe.paths(models, window[None, :], steps, base, extra,
                                                  offset)
            columns["forecast"].append(forecast[0])
            columns["lower"].append(lower[0])
            columns["upper"].append(upper[0])
        for name, result in baselines[origin].items():
            columns[name].append(result.forecast if result.forecast is not None
                                 else np.full(steps, np.nan))
            if result.note and name not in baseline_notes:
                baseline_notes[name] = result.note
    notes += [f"Baseline {name}: {note}" for name, note in baseline_notes.items()]
    actual = values[start:]
    frame = pd.DataFrame({plan.time_column: series.index[start:].to_numpy(), "actual": actual})
    for key, parts in columns.items():
        frame[key] = np.concatenate(parts)
    insample = values[:start]
    scores = {
        name: ev.score_all(actual, frame["forecast" if name == MODEL_NAME else name].to_numpy(),
                           insample, plan.season)
        for name in SCORE_MODELS
    }
    if any(s["mape"] is None for s in scores.values()):
        notes.append(ev.MAPE_ZERO_NOTE)
    cov = ev.coverage(actual, frame["lower"].to_numpy(), frame["upper"].to_numpy())
    return frame, scores, cov, notes


def future_frame(
    series: pd.Series, z: np.ndarray, models: Sequence[Any], recipe: Recipe, steps: int,
    drivers: DriverMatrix | None = None,
) -> pd.DataFrame:
    """Forecast and interval for the `steps` after the series (from its last window).

    With drivers, `drivers` holds the known-ahead values for the horizon (checked before).
    """
    length = recipe.input_length
    window = z[-length:]
    if np.isnan(window).any():
        raise DataError(
            f"The last {length} values contain gaps, so the future cannot be forecast; "
            "fill the gaps (fill policy) and try again."
        )
    base = recipe.base_at(z, np.array([z.size]))
    if base is not None and np.isnan(base).any():
        raise DataError(
            "This run's base forecast smooths the whole history, and this series is too short "
            f"for it; give at least {2 * max(recipe.season_length, 1) + 1} points, ideally the "
            "whole history the run was trained on."
        )
    extra = offset = None
    if drivers is not None:
        extra = drivers.at(np.array([z.size]), length, recipe.horizon)
        offset = drivers.offsets(np.array([z.size]), recipe.horizon)
        if np.isnan(extra).any() or np.isnan(offset).any():
            raise DataError("The drivers have gaps in the last window or the forecast steps; "
                            "fill them in and try again.")
    forecast, lower, upper = recipe.paths(models, window[None, :], steps, base, extra, offset)
    index = ev.future_index(series.index, steps)
    return pd.DataFrame(
        {recipe.time_column: index.to_numpy(), "forecast": forecast[0], "lower": lower[0],
         "upper": upper[0]}
    )


def forecast_from_models(
    series: pd.Series,
    models: Sequence[Any],
    recipe: Recipe | Mapping[str, Any],
    horizon: int | None = None,
    drivers: DriverData | None = None,
    *,
    refit: bool = True,
) -> pd.DataFrame:
    """Forecast the steps after `series` with saved networks, without training.

    A history smoothing base is fitted again on `series` in the run's form (`refit_base`), as
    the run's own future was: the run's series gives the run's forecast, and a longer or shorter
    history gets the smoothing of that history.

    Args:
        series: (n,) the history to forecast from (at least `input_length` points, the last of
            them without gaps), indexed like the series the models were trained on.
        models: the ensemble members (`ForecastResult.models` or loaded from a bundle).
        recipe: `ForecastResult.recipe`, or a saved recipe dict (a manifest's `transform` entry,
            any known version).
        horizon: steps to forecast, 1..the trained horizon (default: the trained horizon).
        drivers: for a run trained with drivers: their history aligned to `series` and the
            known-ahead values for the trained horizon after it (a scenario).
        refit: False keeps the recipe's fitted smoothing as it is: only for the run's own
            series (a what-if), where refitting would give the same fit more slowly.

    Returns:
        Frame with `date` (or `step`), `forecast`, `lower`, `upper`.

    Raises:
        BundleError: the recipe is not one this version can read, or there are no models.
        SettingsError: horizon out of range.
        DataError: the series is too short or ends with gaps, or the run needs drivers that were
            not given or lack a future value (naming the column and the date).
    """
    if not isinstance(recipe, Recipe):
        recipe = Recipe.from_dict(recipe)
    if not models:
        raise BundleError("The run holds no trained network; train it again.")
    trained = recipe.horizon
    steps = trained if horizon is None else int(horizon)
    if not 1 <= steps <= trained:
        raise SettingsError(
            f"horizon must be between 1 and {trained} (the horizon this run was trained for), "
            f"got {horizon}."
        )
    values = np.asarray(series, dtype=float)
    if values.size < recipe.input_length:
        raise DataError(
            f"The series needs at least {recipe.input_length} points to forecast from this run."
        )
    matrix = None
    if recipe.drivers is not None:
        if drivers is None:
            raise DataError(
                "This run was trained with drivers ("
                + ", ".join(f"'{n}'" for n in recipe.drivers.spec.names or ("calendar",))
                + "); give their values and the future values of the known-ahead ones."
            )
        try:
            drivers, _notes = _with_future(
                series, DriverData(recipe.drivers.spec, drivers.history, drivers.future),
                trained, recipe.time_column)
        except DataError as exc:
            if steps == trained:
                raise
            raise DataError(
                f"{exc} The run was trained for {trained} steps, and its networks read the "
                "planned values of all of them even when fewer are forecast."
            ) from exc
        matrix = driver_matrix(recipe.drivers, drivers, series.index, recipe.freq,
                               ev.future_index(series.index, trained))
    z = model_units(recipe, values, matrix)
    if refit and recipe.refits_smoothing:
        refitted = refit_base(recipe, z)[0]
        if refitted is recipe:  # the run's states are placed on the run's own series
            raise DataError(_refit_failed(recipe, z))
        recipe = refitted
    return future_frame(series, z, models, recipe, steps, matrix)


def _refit_failed(recipe: Recipe, z: np.ndarray) -> str:
    """Why the run's history smoothing could not be fitted to the series a future is forecast
    from (`forecast_from_models`), and what to give instead."""
    from lstm_core.recipe import es_form, es_min_points, es_shape

    form = es_form(recipe.smoothing, recipe.states)
    need = es_min_points(recipe.season_length, es_shape(recipe.smoothing, recipe.states)[2])
    have = int(np.sum(np.isfinite(z)))
    if have < need:
        return (f"This run's base forecast is exponential smoothing ({form}) fitted to the "
                f"history, which needs at least {need} values; this series has {have}. Give at "
                "least that many, ideally the whole history the run was trained on.")
    return (f"This run's base forecast, exponential smoothing ({form}), could not be fitted to "
            "this series; give the whole history the run was trained on.")


def scenario_future(result: ForecastResult, future: pd.DataFrame) -> pd.DataFrame:
    """The future forecast of a trained run with other known-ahead values (a what-if).

    No training: the run's networks and recipe forecast again from the same last window.

    Args:
        result: a run trained with drivers.
        future: the known-ahead columns' values for the run's horizon, indexed by the forecast
            dates (or steps), e.g. the Forecast page's edited table (`check_future` output).

    Returns:
        Frame with `date` (or `step`), `forecast`, `lower`, `upper`.

    Raises:
        DataError: a missing value (naming the column and the date), or a run without drivers.
    """
    if result.drivers is None:
        raise DataError("This run has no drivers, so there is no scenario to change.")
    return forecast_from_models(result.series, result.models, result.recipe,
                                drivers=result.drivers.with_future(future), refit=False)
