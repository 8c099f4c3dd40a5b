"""Conformal interval half-widths from forecasts the networks made on points they never fitted.

Preferred: rolling-origin residuals on the plan's calibration slice `[stop_end, val_end)`, which
neither training nor early stopping saw, per forecast step. Short series without such a slice
fall back to the whole validation part (which chose the stopping epoch, so its residuals are a
little optimistic) or, without validation, to the training points; both fallbacks calibrate at a
higher level, halfway to 100 %, to offset that, and say so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from lstm_core import evaluation as ev
from lstm_core.driver_inputs import DriverMatrix
from lstm_core.plan import Plan
from lstm_core.recipe import Recipe, predict_members


def calibrate(
    models: Sequence[Any], z: np.ndarray, recipe: Recipe, plan: Plan,
    drivers: DriverMatrix | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Per-step conformal half-widths (window units, `(horizon,)`) and notes on how they were made.

    Args:
        models: the trained ensemble members.
        z: (n,) the series in model units (`recipe.forward`).
        recipe: the run's recipe (its half-widths are ignored).
        plan: the run's plan (split positions; the level is the recipe's).
        drivers: the drivers' matrix when the recipe has drivers.
    """
    return calibrate_on(models, z, recipe, plan.train_end, plan.stop_end, plan.val_end, drivers)


def calibrate_on(
    models: Sequence[Any], z: np.ndarray, recipe: Recipe, train_end: int, stop_end: int,
    val_end: int, drivers: DriverMatrix | None = None,
) -> tuple[np.ndarray, list[str]]:
    """`calibrate` with the split positions given directly (see `Plan` for their meaning)."""
    level = recipe.level
    wider = (1.0 + level) / 2.0
    notes: list[str] = []
    if stop_end < val_end:
        start, used = stop_end, level
        notes.append(
            f"Intervals are split-conformal, per forecast step, calibrated on the last "
            f"{val_end - stop_end} points before the holdout, forecast from every origin "
            "by the trained networks; neither training nor early stopping used those points."
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
    # Dependence correction. Split conformal takes the ceil((n + 1)·level)-th of n exchangeable
    # residuals. Step j's residuals from neighbouring origins are not exchangeable: a j-step error
    # shares j - 1 steps with its neighbours' (an MA(j-1) process), so step j holds about one
    # independent error per j points, n = count / j. One-step intervals keep nearly the nominal
    # level; the last steps get the cautious level of one error per horizon-long stretch.
    blocks = max(1, (val_end - start) // recipe.horizon)
    half, levels, fewest = half_widths(models, z, recipe, start, val_end, used, drivers)
    if levels[-1] >= 1.0:
        notes.append(
            f"The calibration points span only {blocks} forecast horizon(s), so the later "
            "steps' intervals reach the largest error seen there: a cautious interval; treat "
            "its level as indicative."
        )
    elif not ev.conformal_is_exact(fewest, float(levels[-1])):
        notes.append("There are too few calibration points for the interval's level to be "
                     "guaranteed; treat the interval as indicative.")
    return half, notes


def rolling_residuals(
    models: Sequence[Any], z: np.ndarray, recipe: Recipe, start: int, stop: int,
    drivers: DriverMatrix | None = None,
) -> np.ndarray:
    """Normalised residuals of forecasts from every origin that reaches into `[start, stop)`.

    See `rolling_targets`; the residual is the target minus the (shrunk) correction.

    Returns:
        (k, horizon) residuals in window units (target minus forecast, divided by the window's
        scale), the units of `recipe.half_widths`.
    """
    targets, corrections = rolling_targets(models, z, recipe, start, stop, drivers)
    return targets - recipe.shrink * corrections


def rolling_targets(
    models: Sequence[Any], z: np.ndarray, recipe: Recipe, start: int, stop: int,
    drivers: DriverMatrix | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Normalised targets and the networks' full corrections from every origin reaching a slice.

    Origin t forecasts `z[t : t + horizon]` from `z[t - input_length : t]`; step j of that forecast
    is a residual when `start <= t + j < stop` (NaN otherwise), so every step gets one residual per
    target point in the slice. Origins whose input (or drivers' channels) has gaps are skipped.

    Returns:
        `(targets, corrections)`, each (k, horizon) in window units: the target minus the base
        over the window's scale (NaN outside the slice), and the unshrunk network correction.
    """
    length, horizon = recipe.input_length, recipe.horizon
    empty = np.zeros((0, horizon))
    origins = np.arange(max(length, start - horizon + 1), min(stop, z.size))
    if not origins.size:
        return empty, empty
    windows = np.lib.stride_tricks.sliding_window_view(z, length)[origins - length]
    known = ~np.isnan(windows).any(axis=1)
    origins, windows = origins[known], windows[known]
    if not origins.size:
        return empty, empty
    base = recipe.base_at(z, origins)
    if base is not None:  # a history base starts after the first season(s)
        defined = ~np.isnan(base).any(axis=1)
        origins, windows, base = origins[defined], windows[defined], base[defined]
    extra = None
    if drivers is not None:
        extra = drivers.at(origins, length, horizon)
        whole = ~np.isnan(extra).any(axis=(1, 2))
        origins, windows, extra = origins[whole], windows[whole], extra[whole]
        base = None if base is None else base[whole]
        if not origins.size:
            return empty, empty
    positions = origins[:, None] + np.arange(horizon)[None, :]  # (k, horizon)
    inside = (positions >= start) & (positions < stop)
    targets = np.where(inside, z[np.minimum(positions, z.size - 1)], np.nan)
    X, base, scale = recipe.normalise(windows, base, extra)
    return (targets - base) / scale, predict_members(models, X, horizon)


def half_widths(
    models: Sequence[Any], z: np.ndarray, recipe: Recipe, start: int, stop: int, level: float,
    drivers: DriverMatrix | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Per-step conformal half-widths from the rolling residuals on `[start, stop)`.

    Step j (1-based) with c residuals holds about `n = c / j` independent errors (see
    `calibrate_on`); its half-width is the empirical quantile of the c absolute residuals at
    `ceil((n + 1)·level) / n`, the split-conformal level for n exchangeable errors (the largest
    residual when that reaches 1).

    Returns:
        `(half, levels, fewest)`: (horizon,) half-widths in window units, never shrinking with
        the step; (horizon,) the quantile level each step used; the smallest number of residuals
        any step had.
    """
    residuals = np.abs(rolling_residuals(models, z, recipe, start, stop, drivers))
    horizon = recipe.horizon
    counts = (np.sum(~np.isnan(residuals), axis=0) if len(residuals)
              else np.zeros(horizon, int))
    levels = np.ones(horizon)
    half = np.full(horizon, np.nan)
    for j in range(horizon):
        column = np.sort(residuals[:, j][~np.isnan(residuals[:, j])]) if len(residuals) else []
        if not len(column):
            continue
        n_eff = max(1.0, len(column) / (j + 1))
        levels[j] = min(1.0, math.ceil((n_eff + 1) * level) / n_eff)
        half[j] = column[min(len(column), math.ceil(levels[j] * len(column))) - 1]
    if np.isnan(half).all():
        return np.zeros(horizon), levels, int(counts.min())
    half = np.nan_to_num(half, nan=float(np.nanmax(half)))
    # A step further ahead is never easier to forecast from the same origin; each step's quantile
    # comes from a few dozen residuals, so a narrower later step is sampling noise. Taking the
    # running maximum only widens (bench rolling coverage 71 % -> 73 %, MASE unchanged).
    return np.maximum.accumulate(half), levels, int(counts.min())
