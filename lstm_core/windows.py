"""Time-ordered splits and sliding windows for supervised training.

A window is `input_length` consecutive values followed by the next `horizon` values as targets. The
split is by time: train | validation | holdout, never shuffled across the boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core.errors import SettingsError


@dataclass(frozen=True)
class Split:
    """Index ranges of one series in time order: train | validation | holdout.

    Train is `[0, train_end)`, validation `[train_end, val_end)`, holdout `[val_end, n)`.
    Validation windows may read inputs from the training range, but their targets start at
    `train_end` or later; holdout targets (`val_end` onwards) never reach training or scaling.
    """

    n: int
    train_end: int
    val_end: int

    @property
    def train(self) -> slice:
        """Training positions (fit the scaler on these only)."""
        return slice(0, self.train_end)

    @property
    def validation(self) -> slice:
        """Validation target positions (may be empty)."""
        return slice(self.train_end, self.val_end)

    @property
    def holdout(self) -> slice:
        """Holdout positions (may be empty)."""
        return slice(self.val_end, self.n)

    @property
    def fit(self) -> slice:
        """Everything the model may learn from: train and validation."""
        return slice(0, self.val_end)


def split_series(n: int, holdout: int, validation_fraction: float) -> Split:
    """Split `n` positions into train | validation | holdout in time order.

    Args:
        n: series length.
        holdout: positions kept at the end for scoring (0 for none).
        validation_fraction: share of the positions before the holdout used for validation,
            rounded to whole steps (0 for none).

    Returns:
        The `Split` index ranges.

    Raises:
        SettingsError: when the holdout leaves no training data or the fraction is out of [0, 1).
    """
    if n < 1:
        raise SettingsError(f"The series must have at least one point, got {n}.")
    if holdout < 0 or holdout >= n:
        raise SettingsError(
            f"holdout must be at least 0 and less than the series length ({n}), got {holdout}."
        )
    if not 0.0 <= validation_fraction < 1.0:
        raise SettingsError(
            f"validation_fraction must be at least 0 and below 1, got {validation_fraction}."
        )
    val_end = n - holdout
    n_val = int(round(val_end * validation_fraction))
    return Split(n=n, train_end=val_end - n_val, val_end=val_end)


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

    Use with a `Split`: `target_windows(v, 0, s.train_end, ...)` for training and
    `target_windows(v, s.train_end, s.val_end, ...)` for validation: no target crosses a boundary.

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
