"""Conformal interval half-widths from forecasts the networks made on points they never fitted.

Preferred: rolling-origin residuals on the plan's calibration slice `[stop_end, val_end)`, which
neither training nor early stopping saw. Short series without such a slice fall back to the whole
validation part (which chose the stopping epoch, so its residuals are a little optimistic) or,
without validation, to the training points; both fallbacks calibrate at a higher level, halfway
to 100 %, to offset that, and say so.

The interval widens with the step as the errors do: each step's residuals are divided by their
mean absolute size (never shrinking with the step), and one split-conformal quantile is taken
over all steps' normalised residuals together, so a short calibration slice still gives a
quantile from dozens of residuals rather than the largest of a few per step.
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
            f"Intervals are split-conformal, calibrated on the last {val_end - stop_end} points "
            "before the holdout, forecast from every origin by the trained networks; neither "
            "training nor early stopping used those points."
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
    half, used, count = half_widths(models, z, recipe, start, val_end, used, drivers)
    if used >= 1.0:
        notes.append(
            f"There are only {count} calibration errors, so the interval reaches the largest "
            "error seen there: a cautious interval; treat its level as indicative."
        )
    elif not ev.conformal_is_exact(max(1, count // recipe.horizon), level):
        # The pooled errors overlap (a j-step error shares j - 1 steps with its neighbours'):
        # about one independent error per horizon-long stretch is what the guarantee can count.
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
) -> tuple[np.ndarray, float, int]:
    """Conformal half-widths from the rolling residuals on `[start, stop)`, per step.

    Step j's spread is the mean absolute residual of its forecasts (the running maximum over the
    steps, since a step further ahead is never easier to forecast from the same origin; a step
    without residuals takes the largest). Every residual divided by its step's spread is pooled,
    and the half-width of step j is its spread times the split-conformal quantile of the n pooled
    values, at `ceil((n + 1)·level) / n` (the largest when that reaches 1).

    Returns:
        `(half, used, count)`: (horizon,) half-widths in window units, never shrinking with the
        step; the quantile level used; the number of pooled residuals.
    """
    residuals = np.abs(rolling_residuals(models, z, recipe, start, stop, drivers))
    horizon = recipe.horizon
    if not len(residuals) or np.isnan(residuals).all():
        return np.zeros(horizon), 1.0, 0
    counts = np.sum(~np.isnan(residuals), axis=0)
    with np.errstate(invalid="ignore"):
        spread = np.where(counts > 0, np.nansum(residuals, axis=0) / np.maximum(counts, 1),
                          np.nan)
    spread = np.maximum.accumulate(np.nan_to_num(spread, nan=float(np.nanmax(spread))))
    units = residuals / np.where(spread > 0, spread, 1.0)[None, :]
    units = np.sort(units[~np.isnan(units)])
    count = int(units.size)
    used = min(1.0, math.ceil((count + 1) * level) / count)
    quantile = float(units[min(count, math.ceil(used * count)) - 1])
    return quantile * spread, used, count
