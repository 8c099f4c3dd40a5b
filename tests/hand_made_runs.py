"""Hand-made runs for narrative, Present, deck and report tests: every number chosen, no training.

`hand_made_run` builds the `PresentedRun` a saved run would give back, from a history, a future
forecast (with its band) and holdout forecasts; the scores are computed from those frames the way
`score_holdout` does (MASE scaled by the in-sample seasonal-naive error), so tests can state which
model won without typing a score.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstm_core.config import Settings
from lstm_core.run_record import PresentedRun


def _mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, season: int) -> float:
    lag = season if len(train) > season else 1
    scale = float(np.mean(np.abs(train[lag:] - train[:-lag])))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def hand_made_run(
    history: np.ndarray | list[float],
    future: np.ndarray | list[float],
    *,
    holdout_forecast: np.ndarray | list[float] | None = None,
    baselines: dict[str, np.ndarray | list[float]] | None = None,
    band: float = 5.0,
    holdout_band: float | None = None,
    freq: str | None = "MS",
    start: str = "2020-01-01",
    season: int | None = 12,
    level: float = 0.8,
    name: str = "Hand-made run",
    series_name: str = "sales",
    history_losses: dict[str, list[float]] | None = None,
    best_epoch: int | None = None,
    stopped: bool = False,
    validation: dict[str, Any] | None = None,
    backtest: dict[str, Any] | None = None,
) -> PresentedRun:
    """A run whose last `len(holdout_forecast)` history points are its holdout.

    Args:
        history: every observed value (the holdout is its end).
        future: the forecast past the end; its band is `future ± band`.
        holdout_forecast: the LSTM's forecast of the holdout (default: the actual values + 1).
        baselines: baseline name → its holdout forecast (default: seasonal naive = actual + 2).
        band / holdout_band: half-width of the interval in the future / on the holdout.
        freq: pandas frequency of a dated index, or None for row numbers.
    """
    values = np.asarray(history, dtype="float64")
    ahead = np.asarray(future, dtype="float64")
    n, h = len(values), len(ahead)
    if freq is None:
        index: pd.Index = pd.RangeIndex(n, name="step")
        future_time: list[Any] = list(range(n, n + h))
        time = "step"
    else:
        index = pd.date_range(start, periods=n + h, freq=freq)
        future_time = list(index[n:])
        index = pd.DatetimeIndex(index[:n], freq=freq)
        time = "date"
    series = pd.Series(values, index=index, name=series_name)
    hold = np.asarray(values[-h:] + 1 if holdout_forecast is None else holdout_forecast,
                      dtype="float64")
    k = len(hold)
    actual = values[-k:]
    train = values[:-k]
    baselines = baselines if baselines is not None else {"seasonal_naive": actual + 2}
    width = band if holdout_band is None else holdout_band
    holdout = pd.DataFrame({
        time: list(series.index[-k:]),
        "actual": actual, "forecast": hold, "lower": hold - width, "upper": hold + width,
        **{name_: np.asarray(v, dtype="float64") for name_, v in baselines.items()},
    })
    lag = season or 1
    scores = {"lstm": {"mase": _mase(actual, hold, train, lag),
                       "mae": float(np.mean(np.abs(actual - hold)))}}
    for name_, v in baselines.items():
        v = np.asarray(v, dtype="float64")
        scores[name_] = {"mase": _mase(actual, v, train, lag),
                         "mae": float(np.mean(np.abs(actual - v)))}
    future_frame = pd.DataFrame({time: future_time, "forecast": ahead, "lower": ahead - band,
                                 "upper": ahead + band})
    covered = float(np.mean((actual >= hold - width) & (actual <= hold + width)))
    settings = Settings.from_dict({"window": {"input_length": min(12, max(1, n // 4)),
                                              "horizon": h}, "level": level, "holdout": k})
    losses = history_losses if history_losses is not None else {
        "loss": [1.0, 0.5, 0.3, 0.25], "val_loss": [1.2, 0.6, 0.4, 0.45]}
    return PresentedRun(
        name=name, settings=settings, series=series, season_length=season, transform="none",
        holdout=holdout, future=future_frame, scores=scores, coverage=covered, notes=[],
        history=losses, best_epoch=best_epoch if best_epoch is not None else 3, seconds=4.2,
        stopped=stopped, state={}, validation=validation or {}, dataset="sales.csv",
        backtest=backtest,
    )
