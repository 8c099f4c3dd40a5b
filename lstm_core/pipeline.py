"""The end-to-end forecast: split, train, score against baselines, calibrate intervals, forecast.

How the network sees the data (the "method", recorded in `ForecastResult.state`):

1. An optional log transform (`settings.transform`; "auto" takes logs of a strictly positive
   series, so a growing seasonal swing becomes a constant one).
2. Each input window is normalised by itself: minus its last value, divided by its own standard
   deviation. A trending series therefore never leaves the range the network was trained on, which
   a scaler fitted once on the training slice cannot promise.
3. The network predicts the *correction* to the seasonal-naive-with-drift forecast of that window
   (last season repeated plus the window's growth per season), in the same window units (direct
   multi-output, `Dense(horizon)`, no recursion). A network that learns nothing falls back to
   that simple forecast instead of to nonsense. The drift is full, halved or dropped, whichever
   makes the base forecast most accurate on the training and early-stopping windows
   (`state["drift"]`: 1, 0.5 or 0; states saved before this choice existed always used 1): it
   helps trending series and adds noise to level ones (measured with bench/accuracy.py's
   rolling-origin run: rolling MASE 0.977 -> 0.948 for the on/off choice, 0.971 -> 0.967 and
   elec_equip's holdout 0.306 -> 0.075 for the damped option).

The part before the holdout is split in time: training | early stopping | calibration. Training
sees only windows whose targets end before the validation part; the first half of the validation
part drives early stopping; its last half is never used for fitting or selection and calibrates
the conformal intervals, from every forecast origin that reaches it, per forecast step. Short
series fall back to calibrating on the early-stopping points at a higher level and say so in the
notes. The holdout (the last `settings.holdout` points, one horizon by default) is scored once at
the end. The future forecast reuses the scored models, so the holdout score and coverage describe
the models that make it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from lstm_core import evaluation as ev
from lstm_core.config import Settings, WindowConfig
from lstm_core.errors import BundleError, DataError, SettingsError

METHOD = "window-std-snaive-drift-residual"
STATE_VERSION = 1
# Above this many training windows, or this many window steps (windows x input length, what an
# epoch costs), train on an evenly spaced subset (see run_forecast's note). The step budget binds
# only for long windows: weekly co2 (window 104) trains on 480 windows instead of 1000 at less than
# half the time, with the same rolling-origin MASE (0.744 against 0.733, bench/accuracy.py).
MAX_TRAIN_WINDOWS = 1000
MAX_TRAIN_STEPS = 50_000
MODEL_NAME = "lstm"
SCORE_MODELS = (MODEL_NAME, "naive", "seasonal_naive", "ets")
STATE_KEYS = frozenset(
    {"version", "method", "transform", "season_length", "input_length", "horizon", "level",
     "half_widths", "scale_floor", "members", "time_column", "freq"}
)


@dataclass(frozen=True)
class ForecastResult:
    """Everything one run produced; enough to show, score, save and reload it.

    Attributes:
        settings: the settings used (holdout filled in when it was None).
        series: the input series (unchanged).
        season_length: season used for seasonal naive, MASE and the model's base (None = none).
        transform: "log" or "none" (what "auto" resolved to).
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
        models: the trained Keras models (ensemble members).
        state: JSON-safe dict that, with `models`, reproduces forecasts (`forecast_from_models`).
        seconds: wall time of the whole run.
        stopped: True when `should_stop` ended training early.
    """

    settings: Settings
    series: pd.Series = field(repr=False)
    season_length: int | None
    transform: str
    train_results: tuple = field(repr=False)
    holdout: pd.DataFrame = field(repr=False)
    scores: dict[str, dict[str, float | None]]
    coverage: float
    future: pd.DataFrame = field(repr=False)
    notes: list[str]
    models: tuple = field(repr=False)
    state: dict[str, Any]
    seconds: float
    stopped: bool

    @property
    def time_column(self) -> str:
        """Name of the first column of `holdout` and `future`: "date" or "step"."""
        return self.state["time_column"]

    @property
    def train_result(self) -> Any:
        """The first member's `TrainResult` (for the loss chart)."""
        return self.train_results[0]


# --------------------------------------------------------------------------------------------------
# Season, transform and window normalisation


_SEASONS = {"M": 12, "Q": 4, "W": 52, "D": 7, "B": 5, "h": 24, "H": 24}


def infer_season(index: pd.Index) -> int | None:
    """A conventional season length for a date index's frequency (None without dates or season).

    Monthly 12, quarterly 4, weekly 52, daily 7, business-daily 5, hourly 24, and one day's worth of
    steps for minute frequencies that divide a day. Yearly and irregular series get None.
    """
    if not isinstance(index, pd.DatetimeIndex) or index.freq is None:
        return None
    offset = index.freq
    code = offset.rule_code.split("-")[0]
    if offset.n == 1:
        for prefix, season in _SEASONS.items():
            if code.startswith(prefix) and not code.startswith(("Y", "A")):
                return season
    try:
        nanos = pd.Timedelta(offset).value
    except ValueError:
        return None
    day = pd.Timedelta(days=1).value
    if 0 < nanos < day and day % nanos == 0:
        return day // nanos
    return None


def _resolve_transform(requested: str, values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    if requested == "auto":
        return "log" if finite.size and np.all(finite > 0) else "none"
    if requested == "log" and not np.all(finite > 0):
        raise SettingsError(
            "transform 'log' needs a series above zero; use transform 'none' or 'auto'."
        )
    return requested


def _forward_transform(values: np.ndarray, transform: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.log(values) if transform == "log" else values.copy()


def _inverse_transform(values: np.ndarray, transform: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.exp(values) if transform == "log" else values


def _base_season(season: int | None, input_length: int) -> int:
    return season if season and 1 < season <= input_length else 1


def _base_paths(x: np.ndarray, season: int, horizon: int, drift: float = 1.0) -> np.ndarray:
    """Seasonal naive (with drift) for each window: `x: (k, input_length)` -> `(k, horizon)`.

    Step j repeats the value one season earlier and adds `drift` (1 full, 0.5 damped, 0 none;
    True/False from older states mean 1/0) times the window's growth per season (mean of its last
    season minus mean of the season before) once per season ahead. The drift needs two seasons
    in the window; without a season (1) this is the naive forecast.
    """
    length = x.shape[1]
    steps = np.arange(horizon)
    base = x[:, length - season + (steps % season)]
    if drift and season > 1 and length >= 2 * season:
        growth = x[:, -season:].mean(axis=1) - x[:, -2 * season:-season].mean(axis=1)
        base = base + float(drift) * growth[:, None] * (1 + steps // season)[None, :]
    return base


def _normalise(
    windows: np.ndarray, season: int, horizon: int, floor: float, drift: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window-relative inputs plus the seasonal-naive base and scale of each window.

    Args:
        windows: (k, input_length) or (k, input_length, 1) transformed values.
        season: base season (1 = naive base).
        horizon: forecast steps.
        floor: smallest allowed scale (keeps flat windows from dividing by ~0).
        drift: share of the window's growth per season the base adds (see `_base_paths`).

    Returns:
        `X: (k, input_length, 1)` normalised inputs, `base: (k, horizon)`, `scale: (k, 1)`.
    """
    x = np.asarray(windows, dtype=float).reshape(len(windows), -1)  # (k, input_length)
    scale = np.maximum(x.std(axis=1, keepdims=True), floor)  # (k, 1)
    base = _base_paths(x, season, horizon, drift)
    X = ((x - x[:, -1:]) / scale)[:, :, None].astype(np.float32)
    return X, base, scale


def _predict_members(models: Sequence[Any], X: np.ndarray) -> np.ndarray:
    """Median of the members' normalised predictions, (k, horizon)."""
    from lstm_core.trainer import predict

    if not len(X):
        horizon = int(models[0].outputs[0].shape[-1])
        return np.zeros((0, horizon))
    outputs = np.stack([predict(model, X).astype(float) for model in models])
    return np.median(outputs, axis=0)


def _paths(
    models: Sequence[Any], windows: np.ndarray, state: dict[str, Any], steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Forecast, lower and upper (original units) for each input window: each (k, steps)."""
    X, base, scale = _normalise(
        windows, state["season_length"] or 1, state["horizon"], state["scale_floor"],
        state.get("drift", 1.0),  # states saved before the drift choice always used full drift
    )
    pred = _predict_members(models, X)  # (k, horizon) in window units
    half = np.asarray(state["half_widths"], dtype=float)  # (horizon,)
    transform = state["transform"]
    centre = base + scale * pred
    forecast = _inverse_transform(centre, transform)
    lower = _inverse_transform(centre - scale * half, transform)
    upper = _inverse_transform(centre + scale * half, transform)
    return forecast[:, :steps], lower[:, :steps], upper[:, :steps]


# --------------------------------------------------------------------------------------------------
# The run


def _time_column(index: pd.Index) -> str:
    return "date" if isinstance(index, pd.DatetimeIndex) else "step"


def _check_sizes(n: int, holdout: int, window: WindowConfig, train_end: int) -> None:
    needed = window.input_length + window.horizon
    if holdout >= n or train_end < needed:
        minimum = needed + holdout + max(1, math.ceil(0.25 * needed))
        raise DataError(
            f"The series has {n} points but a window of {window.input_length}, a horizon of "
            f"{window.horizon} and a holdout of {holdout} need at least about {minimum}; "
            f"shorten the window or horizon, or use more data."
        )


def _train_members(
    settings: Settings,
    train_xy: tuple[np.ndarray, np.ndarray],
    val_xy: tuple[np.ndarray, np.ndarray],
    on_epoch: Callable[[int, dict[str, Any]], None] | None,
    should_stop: Callable[[], bool] | None,
) -> list[Any]:
    from lstm_core.model import build_model
    from lstm_core.trainer import train

    results = []
    members = settings.ensemble
    for member in range(members):
        if results and should_stop is not None and should_stop():
            break
        seed = settings.train.seed + member
        model = build_model(settings.window, settings.model, seed)

        def report(epoch: int, logs: dict[str, float], member: int = member) -> None:
            if on_epoch is not None:
                on_epoch(epoch, {**logs, "member": member + 1, "members": members,
                                 "phase": "train"})

        result = train(
            model, *train_xy, *val_xy, replace(settings.train, seed=seed),
            on_epoch=report, should_stop=should_stop,
        )
        results.append(result)
        if result.stopped:
            break
    return results


def _holdout_baselines(
    values: np.ndarray, start: int, horizon: int, season: int | None
) -> dict[int, dict[str, ev.BaselineResult]]:
    """Baselines for every holdout block origin: `{origin: {name: BaselineResult}}`."""
    n = values.size
    return {
        origin: {b.name: b for b in ev.baselines(values[:origin], min(horizon, n - origin), season)}
        for origin in range(start, n, horizon)
    }


# Share of the validation part set aside (its latest points) to calibrate the intervals; early
# stopping sees only the rest, so the calibration residuals come from points nothing was fitted or
# selected on.
CALIBRATION_SHARE = 0.5


def _stopping_end(train_end: int, val_end: int, horizon: int, level: float) -> int:
    """Where early stopping's validation targets end and the calibration slice begins.

    The calibration slice is the last `CALIBRATION_SHARE` of the validation part, shrunk so that
    early stopping keeps at least one whole window. When what remains is too small for the
    conformal rank at `level`, no slice is set aside (returns `val_end`; see `_calibrate`).
    """
    n_val = val_end - train_end
    n_cal = min(int(n_val * CALIBRATION_SHARE), max(0, n_val - horizon))
    if not ev.conformal_is_exact(n_cal, level):
        return val_end
    return val_end - n_cal


def _choose_drift(
    z: np.ndarray, stop: int, length: int, horizon: int, season: int, floor: float,
    notes: list[str],
) -> float:
    """How much of the window's growth per season the base forecast adds: 1, 0.5 or 0.

    Decided by the base forecast's own error (no network) on every window whose targets end
    before `stop` (training and early-stopping targets, never the calibration slice or holdout),
    in window-scale units: the drift helps trending series and only adds noise to level ones;
    half of it (damped) suits a trend that wanders.
    """
    if season <= 1 or length < 2 * season:
        return 1.0  # no drift term is possible: nothing to choose
    from lstm_core.windows import target_windows

    X_raw, Y = target_windows(z, 0, stop, length, horizon)
    if not len(X_raw):
        return 1.0
    x = X_raw.reshape(len(X_raw), -1).astype(float)
    scale = np.maximum(x.std(axis=1, keepdims=True), floor)
    errors = {
        drift: float(np.mean(np.abs(Y - _base_paths(x, season, horizon, drift)) / scale))
        for drift in (1.0, 0.5, 0.0)  # ties keep the fuller drift
    }
    drift = min(errors, key=errors.get)
    if drift == 0.0:
        notes.append(
            "The network corrects the plain seasonal-naive forecast: on the training windows "
            "adding each window's growth per season (drift) made that forecast worse."
        )
    elif drift == 0.5:
        notes.append(
            "The network corrects the seasonal-naive forecast plus half of each window's growth "
            "per season (damped drift): on the training windows that beat full and no drift."
        )
    return drift


def _rolling_residuals(
    models: Sequence[Any], z: np.ndarray, state: dict[str, Any], start: int, stop: int
) -> np.ndarray:
    """Normalised residuals of forecasts from every origin that reaches into `[start, stop)`.

    Origin t forecasts `z[t : t + horizon]` from `z[t - input_length : t]`; step j of that forecast
    is a residual when `start <= t + j < stop` (NaN otherwise), so every step gets one residual per
    target point in the slice. Origins whose input has gaps are skipped.

    Returns:
        (k, horizon) residuals in window units (target minus forecast, divided by the window's
        scale), the units of `state["half_widths"]`.
    """
    length, horizon = state["input_length"], state["horizon"]
    origins = np.arange(max(length, start - horizon + 1), min(stop, z.size))
    if not origins.size:
        return np.zeros((0, horizon))
    windows = np.lib.stride_tricks.sliding_window_view(z, length)[origins - length]
    known = ~np.isnan(windows).any(axis=1)
    origins, windows = origins[known], windows[known]
    if not origins.size:
        return np.zeros((0, horizon))
    positions = origins[:, None] + np.arange(horizon)[None, :]  # (k, horizon)
    inside = (positions >= start) & (positions < stop)
    targets = np.where(inside, z[np.minimum(positions, z.size - 1)], np.nan)
    X, base, scale = _normalise(windows, state["season_length"] or 1, horizon,
                                state["scale_floor"], state.get("drift", 1.0))
    return (targets - base) / scale - _predict_members(models, X)


def _half_widths(
    models: Sequence[Any], z: np.ndarray, state: dict[str, Any], start: int, stop: int,
    level: float,
) -> tuple[np.ndarray, int]:
    """Per-step conformal half-widths from the rolling residuals on `[start, stop)`.

    Returns:
        `(half, fewest)`: (horizon,) half-widths in window units, never shrinking with the step,
        and the smallest number of residuals any step had.
    """
    residuals = _rolling_residuals(models, z, state, start, stop)
    half = ev.conformal_quantiles(residuals, level)
    counts = np.sum(~np.isnan(residuals), axis=0) if len(residuals) else np.zeros(1, int)
    if np.isnan(half).all():
        return np.zeros(state["horizon"]), int(counts.min())
    half = np.nan_to_num(half, nan=float(np.nanmax(half)))
    # A step further ahead is never easier to forecast from the same origin; each step's quantile
    # comes from a few dozen residuals, so a narrower later step is sampling noise. Taking the
    # running maximum only widens (bench rolling coverage 71% -> 73%, MASE unchanged).
    return np.maximum.accumulate(half), int(counts.min())


def _calibrate(
    models: Sequence[Any], z: np.ndarray, state: dict[str, Any], train_end: int, stop_end: int,
    val_end: int, level: float, notes: list[str],
) -> np.ndarray:
    """Per-step conformal half-widths (window units, (horizon,)); `notes` says how they were made.

    Preferred: rolling-origin residuals on the calibration slice `[stop_end, val_end)`, which
    neither training nor early stopping saw. Short series without such a slice fall back to the
    whole validation part (which chose the stopping epoch, so its residuals are a little
    optimistic) or, without validation, to the training points; both fallbacks calibrate at a
    higher level, halfway to 100%, to offset that, and say so in `notes`.
    """
    wider = (1.0 + level) / 2.0
    if stop_end < val_end:
        start, used = stop_end, level
        notes.append(
            f"Intervals are split-conformal, per forecast step, calibrated on the last "
            f"{val_end - stop_end} points before the holdout, forecast from every origin by the "
            "trained networks; neither training nor early stopping used those points."
        )
    elif val_end > train_end:
        start, used = train_end, wider
        notes.append(
            f"The validation part ({val_end - train_end} points) is too short to set a "
            "calibration slice aside, so the intervals are calibrated on the points that chose "
            f"the stopping epoch, at {used:.0%} instead of {level:.0%} to offset that optimism."
        )
    else:
        start, used = 0, wider
        notes.append(
            "There is no validation part, so the intervals are calibrated on the training "
            f"points the networks were fitted to, at {used:.0%} instead of {level:.0%}; they are "
            "probably still too narrow."
        )
    # Dependence correction: the residuals of one step from neighbouring origins share most of
    # their errors, so the calibration slice holds about one independent error per horizon-long
    # stretch, not one per point. The conformal finite-sample correction, about level·(1 + 1/n),
    # is taken with n = those stretches. Measured on bench/accuracy.py (10 series x 4 origins):
    # mean coverage of the 80% interval 72% without this, 82% with it; forecasts unchanged.
    blocks = max(1, (val_end - start) // state["horizon"])
    used = min(1.0, used * (1.0 + 1.0 / blocks))
    half, fewest = _half_widths(models, z, state, start, val_end, used)
    if used >= 1.0:
        notes.append(
            f"The calibration points span only {blocks} forecast horizon(s), so each step's "
            "interval reaches the largest error seen there: a cautious interval; treat its level "
            "as indicative."
        )
    elif not ev.conformal_is_exact(fewest, used):
        notes.append("There are too few calibration points for the interval's level to be "
                     "guaranteed; treat the interval as indicative.")
    return half


def run_forecast(
    series: pd.Series,
    settings: Settings,
    *,
    season_length: int | None = None,
    on_epoch: Callable[[int, dict[str, Any]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ForecastResult:
    """Train on the series, score on its held-out end against baselines, and forecast past it.

    Args:
        series: (n,) float values indexed by a `DatetimeIndex` with a frequency or by row numbers
            (NaN allowed; windows touching NaN are skipped).
        settings: window, model, training, transform, holdout, interval level, ensemble size.
        season_length: season in steps (1 for none); None infers it from the date frequency.
        on_epoch: progress callback `on_epoch(epoch, logs)`; `logs` holds `loss`, `val_loss`,
            `member` (1-based), `members` and `phase` ("train") so a UI can show a running view.
        should_stop: polled after every epoch; True ends training at once (best weights kept,
            remaining members skipped) and a result is still produced from what was trained.

    Returns:
        The `ForecastResult`.

    Raises:
        DataError: the series is too short for the window, horizon and holdout.
        SettingsError: settings that cannot apply to this series (e.g. log of non-positive data).
    """
    started = time.perf_counter()
    values = np.asarray(series, dtype=float)
    n = values.size
    window = settings.window
    horizon, length = window.horizon, window.input_length
    holdout = settings.holdout or horizon
    season = infer_season(series.index) if season_length is None else season_length
    season = season if season and season > 1 else None
    notes: list[str] = []

    from lstm_core.windows import split_series, target_windows

    if holdout >= n:
        _check_sizes(n, holdout, window, 0)
    split = split_series(n, holdout, settings.train.validation_fraction)
    _check_sizes(n, holdout, window, split.train_end)
    transform = _resolve_transform(settings.transform, values)
    if settings.transform == "auto":
        notes.append(
            "The model works on the logarithm of the values (the series is above zero)."
            if transform == "log"
            else "The model works on the raw values (the series has zeros or negatives, so no log)."
        )
    z = _forward_transform(values, transform)
    base_season = _base_season(season, length)
    floor = 1e-6 * (float(np.nanstd(z[: split.train_end])) + 1e-12)
    if season and base_season == 1:
        notes.append(
            f"The window ({length}) is shorter than the season ({season}), so the network "
            "corrects the naive forecast instead of the seasonal-naive one."
        )
    stop_end = _stopping_end(split.train_end, split.val_end, horizon, settings.level)
    drift = _choose_drift(z, stop_end, length, horizon, base_season, floor, notes)
    state: dict[str, Any] = {
        "version": STATE_VERSION, "method": METHOD, "transform": transform,
        "season_length": base_season, "input_length": length, "horizon": horizon,
        "level": settings.level, "half_widths": [0.0] * horizon, "scale_floor": floor,
        "members": settings.ensemble, "time_column": _time_column(series.index),
        "freq": getattr(series.index, "freqstr", None), "drift": drift,
    }

    def normalised(start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        X_raw, Y_raw = target_windows(z, start, stop, length, horizon)
        X, base, scale = _normalise(X_raw, base_season, horizon, floor, drift)
        return X, (Y_raw - base) / scale, scale

    X_tr, y_tr, _ = normalised(0, split.train_end)
    most = max(1, min(MAX_TRAIN_WINDOWS, MAX_TRAIN_STEPS // length))
    if len(X_tr) > most:
        # Neighbouring windows overlap in all but one step; every k-th (the latest always kept)
        # carries nearly the same information at a fraction of the training time.
        stride = math.ceil(len(X_tr) / most)
        keep = np.arange(len(X_tr) - 1, -1, -stride)[::-1]
        notes.append(f"Training used every {stride}th of the {len(X_tr)} overlapping training "
                     f"windows ({len(keep)}), to keep training time bounded.")
        X_tr, y_tr = X_tr[keep], y_tr[keep]
    # Early stopping sees only the validation windows before the calibration slice.
    X_val, y_val, _ = normalised(split.train_end, stop_end)
    # The baselines (ETS fits are the slow part) run in a thread while the networks train:
    # TensorFlow releases the GIL, so on a multi-core machine they are nearly free.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_holdout_baselines, values, split.val_end, horizon, season)
        results = _train_members(settings, (X_tr, y_tr), (X_val, y_val), on_epoch, should_stop)
        baselines = pending.result()
    models = tuple(r.model for r in results)
    stopped = any(r.stopped for r in results)
    if stopped:
        notes.append(
            f"Training was stopped early: {len(results)} of {settings.ensemble} model(s) used, "
            "each with its best weights so far."
        )
    elif settings.ensemble > 1:
        notes.append(f"The forecast is the median of {settings.ensemble} networks (seeds "
                     f"{settings.train.seed}..{settings.train.seed + settings.ensemble - 1}).")

    half = _calibrate(models, z, state, split.train_end, stop_end, split.val_end, settings.level,
                      notes)
    state["half_widths"] = [float(v) for v in half]

    holdout_frame, scores, cov = _score_holdout(
        series, values, z, models, state, split.val_end, season, baselines, notes
    )
    future = _future_frame(series, z, models, state, horizon)
    notes.append(
        "The future forecast reuses the networks scored on the holdout (no refit), so the "
        "holdout scores and interval coverage describe the same networks; its input is the "
        f"last {length} points, holdout included."
    )
    return ForecastResult(
        settings=replace(settings, holdout=holdout), series=series, season_length=season,
        transform=transform, train_results=tuple(results), holdout=holdout_frame,
        scores=scores, coverage=cov, future=future, notes=notes, models=models, state=state,
        seconds=time.perf_counter() - started, stopped=stopped,
    )


def _score_holdout(
    series: pd.Series,
    values: np.ndarray,
    z: np.ndarray,
    models: tuple,
    state: dict[str, Any],
    start: int,
    season: int | None,
    baselines: dict[int, dict[str, ev.BaselineResult]],
    notes: list[str],
) -> tuple[pd.DataFrame, dict[str, dict[str, float | None]], float]:
    """Forecast the holdout in horizon-sized blocks from successive origins; score everything."""
    n, horizon, length = values.size, state["horizon"], state["input_length"]
    columns: dict[str, list[np.ndarray]] = {
        k: [] for k in ("forecast", "lower", "upper", "naive", "seasonal_naive", "ets")
    }
    baseline_notes: dict[str, str] = {}
    for origin in range(start, n, horizon):
        steps = min(horizon, n - origin)
        window = z[origin - length: origin]
        if np.isnan(window).any():
            nan = np.full(steps, np.nan)
            for key in ("forecast", "lower", "upper"):
                columns[key].append(nan)
            notes.append("Part of the holdout could not be forecast: its input window has gaps.")
        else:
            forecast, lower, upper = _paths(models, window[None, :], state, steps)
            columns["forecast"].append(forecast[0])
            columns["lower"].append(lower[0])
            columns["upper"].append(upper[0])
        for name, result in baselines[origin].items():
            columns[name].append(result.forecast if result.forecast is not None
                                 else np.full(steps, np.nan))
            if result.note and name not in baseline_notes:
                baseline_notes[name] = result.note
    for name, note in baseline_notes.items():
        notes.append(f"Baseline {name}: {note}")
    actual = values[start:]
    frame = pd.DataFrame({state["time_column"]: series.index[start:].to_numpy(), "actual": actual})
    for key, parts in columns.items():
        frame[key] = np.concatenate(parts)
    insample = values[:start]
    scores = {
        name: ev.score_all(actual, frame["forecast" if name == MODEL_NAME else name].to_numpy(),
                           insample, season)
        for name in SCORE_MODELS
    }
    if any(s["mape"] is None for s in scores.values()):
        notes.append(ev.MAPE_ZERO_NOTE)
    cov = ev.coverage(actual, frame["lower"].to_numpy(), frame["upper"].to_numpy())
    return frame, scores, cov


def _future_frame(
    series: pd.Series, z: np.ndarray, models: Sequence[Any], state: dict[str, Any], steps: int
) -> pd.DataFrame:
    length = state["input_length"]
    window = z[-length:]
    if np.isnan(window).any():
        raise DataError(
            f"The last {length} values contain gaps, so the future cannot be forecast; "
            "fill the gaps (fill policy) and try again."
        )
    forecast, lower, upper = _paths(models, window[None, :], state, steps)
    index = ev.future_index(series.index, steps)
    return pd.DataFrame(
        {state["time_column"]: index.to_numpy(), "forecast": forecast[0], "lower": lower[0],
         "upper": upper[0]}
    )


def forecast_from_models(
    series: pd.Series, models: Sequence[Any], state: dict[str, Any], horizon: int | None = None
) -> pd.DataFrame:
    """Forecast the steps after `series` with saved networks, without training.

    Args:
        series: (n,) the history to forecast from (at least `state["input_length"]` points, the
            last of them without gaps), indexed like the series the models were trained on.
        models: the ensemble members (`ForecastResult.models` or loaded from a bundle).
        state: `ForecastResult.state` (or a manifest holding the same keys).
        horizon: steps to forecast, 1..the trained horizon (default: the trained horizon).

    Returns:
        Frame with `date` (or `step`), `forecast`, `lower`, `upper`.

    Raises:
        BundleError: `state` is not one this version wrote.
        SettingsError: horizon out of range.
        DataError: the series is too short or ends with gaps.
    """
    missing = STATE_KEYS - set(state)
    if missing or state.get("method") != METHOD or state.get("version") != STATE_VERSION:
        raise BundleError("This run was saved in a format this version cannot forecast from; "
                          "train it again.")
    if not models:
        raise BundleError("The run holds no trained network; train it again.")
    trained = int(state["horizon"])
    steps = trained if horizon is None else int(horizon)
    if not 1 <= steps <= trained:
        raise SettingsError(
            f"horizon must be between 1 and {trained} (the horizon this run was trained for), "
            f"got {horizon}."
        )
    values = np.asarray(series, dtype=float)
    length = int(state["input_length"])
    if values.size < length:
        raise DataError(f"The series needs at least {length} points to forecast from this run.")
    return _future_frame(series, _forward_transform(values, state["transform"]), models, state,
                         steps)
