"""Sliding windows for supervised training.

A window is `input_length` consecutive values followed by the next `horizon` values as targets.
The split itself (train | validation | calibration | holdout, in time order) is the plan's
(`lstm_core.plan.make_plan`); `target_windows` cuts windows whose targets lie in one part.
"""

from __future__ import annotations

import numpy as np

from lstm_core.errors import SettingsError


def make_windows(
    values: np.ndarray, input_length: int, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into overlapping (input, target) windows, one per start position.

    Window `k` reads `values[k : k + input_length]` and targets
    `values[k + input_length : k + input_length + horizon]`. Windows touching a NaN are dropped.

    Args:
        values: 1-D series, shape (n,).
        input_length: steps in each input.
        horizon: steps in each target.

    Returns:
        `X: (n_windows, input_length, 1)` and `y: (n_windows, horizon)`, float32, fresh copies.
        `n_windows = n - input_length - horizon + 1` minus NaN windows (0 when too short).

    Raises:
        SettingsError: when `input_length` or `horizon` is below 1.
    """
    if input_length < 1 or horizon < 1:
        raise SettingsError(
            f"input_length and horizon must be at least 1, got {input_length} and {horizon}."
        )
    series = np.asarray(values, dtype=np.float64).reshape(-1)
    span = input_length + horizon
    if series.size < span:
        return (
            np.empty((0, input_length, 1), dtype=np.float32),
            np.empty((0, horizon), dtype=np.float32),
        )
    views = np.lib.stride_tricks.sliding_window_view(series, span)  # (n_windows, span), no copy
    keep = ~np.isnan(views).any(axis=1)
    chosen = views[keep].astype(np.float32)  # fancy index + astype: a copy, never a view
    return chosen[:, :input_length, None], np.ascontiguousarray(chosen[:, input_length:])


def target_windows(
    values: np.ndarray, start: int, stop: int, input_length: int, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Windows whose targets lie entirely in `values[start:stop]`; inputs may reach back before it.

    Use with a `Plan`: `target_windows(v, 0, plan.train_end, ...)` for training and
    `target_windows(v, plan.train_end, plan.stop_end, ...)` for early stopping: no target
    crosses a boundary.

    Args:
        values: 1-D series, shape (n,).
        start: first position a target may occupy.
        stop: one past the last position a target may occupy.
        input_length: steps in each input.
        horizon: steps in each target.

    Returns:
        `X: (n_windows, input_length, 1)`, `y: (n_windows, horizon)` as from `make_windows`.
    """
    first = max(0, start - input_length)
    return make_windows(np.asarray(values)[first:stop], input_length, horizon)


def target_origins(
    values: np.ndarray, start: int, stop: int, input_length: int, horizon: int
) -> np.ndarray:
    """The origins (first target position) of the windows `target_windows` returns, in order.

    Window i of `target_windows(values, start, stop, ...)` reads `values[t - input_length : t]`
    and targets `values[t : t + horizon]` for `t = target_origins(...)[i]`.
    """
    series = np.asarray(values, dtype=np.float64).reshape(-1)[:stop]
    first = max(0, start - input_length)
    span = input_length + horizon
    if series.size - first < span:
        return np.zeros(0, dtype=int)
    views = np.lib.stride_tricks.sliding_window_view(series[first:], span)
    keep = ~np.isnan(views).any(axis=1)
    return np.flatnonzero(keep) + first + input_length
