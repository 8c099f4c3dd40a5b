"""Honest scoring: metrics, baselines, conformal intervals, future dates and safe CSV export.

Everything here works on plain numpy arrays and pandas objects and never imports TensorFlow, so the
dashboard can score and export without loading a model.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lstm_core.errors import DataError

MAPE_ZERO_NOTE = (
    "MAPE is not shown because the actual values contain zeros (it would divide by zero)."
)

# Cells starting with these are read as formulas (or commands) by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------------------------------
# Metrics


def _pair(actual: np.ndarray, forecast: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return both as float arrays of equal length, dropping positions where either is NaN."""
    a = np.asarray(actual, dtype=float).ravel()
    f = np.asarray(forecast, dtype=float).ravel()
    if a.shape != f.shape:
        raise ValueError(f"actual has {a.size} values but forecast has {f.size}.")
    keep = ~(np.isnan(a) | np.isnan(f))
    return a[keep], f[keep]


def mae(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute error over positions where both values are known.

    Args:
        actual: (n,) observed values.
        forecast: (n,) forecast values.

    Returns:
        The mean of |actual - forecast| (NaN if no position is known).
    """
    a, f = _pair(actual, forecast)
    return float(np.mean(np.abs(a - f))) if a.size else math.nan


def rmse(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Root mean squared error over positions where both values are known (shapes as in `mae`)."""
    a, f = _pair(actual, forecast)
    return float(np.sqrt(np.mean((a - f) ** 2))) if a.size else math.nan


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent, 0..200: mean of 200·|a - f| / (|a| + |f|).

    A position where both values are zero counts as a perfect forecast (0), not as 0/0.
    """
    a, f = _pair(actual, forecast)
    if not a.size:
        return math.nan
    denom = np.abs(a) + np.abs(f)
    terms = np.divide(2.0 * np.abs(a - f), denom, out=np.zeros_like(a), where=denom > 0)
    return float(100.0 * np.mean(terms))


def mape(actual: np.ndarray, forecast: np.ndarray) -> float | None:
    """Mean absolute percentage error in percent, or None when an actual value is zero.

    Callers show `MAPE_ZERO_NOTE` when this returns None.
    """
    a, f = _pair(actual, forecast)
    if not a.size:
        return math.nan
    if np.any(a == 0):
        return None
    return float(100.0 * np.mean(np.abs((a - f) / a)))


def seasonal_naive_scale(insample: np.ndarray, season: int | None) -> float | None:
    """In-sample MAE of the seasonal-naive forecast (naive when there is no season).

    Args:
        insample: (n,) the training history; NaN pairs are skipped.
        season: season length, or None/1 for none. Falls back to 1 when the history is shorter
            than one season plus one point.

    Returns:
        The scale, or None when it cannot be computed or is zero (a constant history).
    """
    x = np.asarray(insample, dtype=float).ravel()
    m = season if season and season > 1 and x.size > season else 1
    if x.size <= m:
        return None
    diffs = np.abs(x[m:] - x[:-m])
    diffs = diffs[~np.isnan(diffs)]
    if not diffs.size:
        return None
    scale = float(np.mean(diffs))
    return scale if scale > 0 else None


def mase(
    actual: np.ndarray, forecast: np.ndarray, insample: np.ndarray, season: int | None
) -> float | None:
    """Mean absolute scaled error: out-of-sample MAE over the in-sample seasonal-naive MAE.

    A value below 1 means the forecast beats the in-sample seasonal-naive forecast.

    Args:
        actual: (h,) holdout values.
        forecast: (h,) forecast values.
        insample: (n,) the history the forecast was made from.
        season: season length (None or 1 uses the naive forecast as the scale).

    Returns:
        The MASE, or None when the scale is zero or cannot be computed.
    """
    scale = seasonal_naive_scale(insample, season)
    if scale is None:
        return None
    return mae(actual, forecast) / scale


def score_all(
    actual: np.ndarray, forecast: np.ndarray, insample: np.ndarray, season: int | None
) -> dict[str, float | None]:
    """Every metric at once: keys `mae, rmse, smape, mape, mase` (values may be None)."""
    return {
        "mae": mae(actual, forecast),
        "rmse": rmse(actual, forecast),
        "smape": smape(actual, forecast),
        "mape": mape(actual, forecast),
        "mase": mase(actual, forecast, insample, season),
    }


# --------------------------------------------------------------------------------------------------
# Baselines


@dataclass(frozen=True)
class BaselineResult:
    """A baseline forecast, or `forecast=None` and a `note` saying why it could not be made.

    Attributes:
        name: short label (`naive`, `seasonal_naive`, `ets`).
        forecast: (h,) values, or None.
        note: plain sentence about how it was made or why it failed ("" when nothing to say).
    """

    name: str
    forecast: np.ndarray | None
    note: str = ""


def _known(history: np.ndarray) -> np.ndarray:
    x = np.asarray(history, dtype=float).ravel()
    return x[~np.isnan(x)]


def naive(history: np.ndarray, h: int) -> BaselineResult:
    """Repeat the last known value `h` times.

    Args:
        history: (n,) past values (NaN allowed; the last known value is used).
        h: number of steps to forecast.
    """
    x = _known(history)
    if not x.size:
        return BaselineResult("naive", None, "Naive needs at least one known value.")
    return BaselineResult("naive", np.full(h, x[-1]))


def seasonal_naive(history: np.ndarray, h: int, season: int | None) -> BaselineResult:
    """Repeat the last full season: step k gets the value one season before it.

    Without a season (None or 1), or with less than one season of history, this is the naive
    forecast and the note says so.
    """
    x = np.asarray(history, dtype=float).ravel()
    if not season or season <= 1 or x.size < season:
        base = naive(history, h)
        why = "no season was detected" if not season or season <= 1 else "less than one season"
        note = f"Same as naive: {why}." if base.forecast is not None else base.note
        return BaselineResult("seasonal_naive", base.forecast, note)
    last = x[-season:]
    if np.isnan(last).any():
        return BaselineResult(
            "seasonal_naive", None, "Seasonal naive needs the last season without missing values."
        )
    return BaselineResult("seasonal_naive", np.resize(last, h).astype(float))


# Beyond this many seasons (or points) ETS is fit on the most recent part only: the fit time grows
# with the length and old seasons barely move the smoothed states. The point cap binds only for
# long seasons (weekly data: 600 points, 11 years); there it was also more accurate (co2, 8 origins:
# MASE 0.47 on 12 years against 0.68 on 20).
ETS_MAX_SEASONS = 20
ETS_MAX_POINTS = 600


def ets_points(season: int | None) -> int:
    """How many of the latest points an exponential-smoothing fit reads (`ets` and the recipe's
    history smoothing): `ETS_MAX_SEASONS` seasons or `ETS_MAX_POINTS` points, whichever is
    shorter, but never below 4 seasons."""
    if season and season > 1:
        return max(min(ETS_MAX_SEASONS * season, ETS_MAX_POINTS), 4 * season)
    return ETS_MAX_POINTS


def ets_initialization(points: int, periods: int) -> str:
    """statsmodels' initialization for a fit of `points` values with this season (1: none): its
    heuristic when there is enough history (fast and robust on long seasons), else maximum
    likelihood ("estimated")."""
    return "heuristic" if points >= 10 + 2 * periods else "estimated"


def ets_seasonal_points(season: int) -> int:
    """The fewest points a seasonal exponential-smoothing form is fitted on: two seasons plus
    two (`ets_candidates`, and so `ets` and the recipe's history smoothing)."""
    return 2 * season + 2


def ets_candidates(
    x: np.ndarray, season: int | None, multiplicative: bool = True
) -> list[dict]:
    """statsmodels `ExponentialSmoothing` settings of every form ETS chooses among for `x`: no,
    additive or damped trend, each without and (with `ets_seasonal_points` of data) with an
    additive or, for positive data when `multiplicative`, a multiplicative season."""
    seasonal_ok = bool(season and season > 1 and x.size >= ets_seasonal_points(season))
    seasons: list[str | None] = [None]
    if seasonal_ok:
        seasons += ["add", "mul"] if multiplicative and bool(np.all(x > 0)) else ["add"]
    out = []
    for trend, damped in ((None, False), ("add", False), ("add", True)):
        for seas in seasons:
            out.append(
                {
                    "trend": trend,
                    "damped_trend": damped,
                    "seasonal": seas,
                    "seasonal_periods": season if seas else None,
                }
            )
    return out


def best_by_aicc(x: np.ndarray, specs: list[dict]) -> tuple[dict, Any] | None:
    """Fit `ExponentialSmoothing(x, **spec)` for every spec and keep the lowest finite AICc (the
    first of equals); a spec that cannot be fit is skipped.

    Returns:
        `(spec, fitted results)`, or None when no spec fits.
    """
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    best: tuple[float, dict, Any] | None = None
    for spec in specs:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                fit = ExponentialSmoothing(x, **spec).fit()
            aicc = float(fit.aicc)
        except Exception:  # noqa: BLE001 - a candidate that cannot be fit is skipped
            continue
        if math.isfinite(aicc) and (best is None or aicc < best[0]):
            best = (aicc, spec, fit)
    return None if best is None else best[1:]


def ets(history: np.ndarray, h: int, season: int | None) -> BaselineResult:
    """Exponential smoothing (statsmodels Holt-Winters) with trend and season chosen by AICc.

    Candidates: no/additive/damped trend × no/additive/multiplicative season (multiplicative only
    for positive data; seasonal only with two full seasons of history). Initial states use
    statsmodels' heuristic (fast and robust on long seasons) when there is enough history.
    A long history is cut to its last `ETS_MAX_SEASONS` seasons or `ETS_MAX_POINTS` points,
    whichever is shorter (but never below 4 seasons), and the note says so.

    Args:
        history: (n,) past values without NaN.
        h: steps to forecast.
        season: season length or None.

    Returns:
        `BaselineResult("ets", forecast, note)`; the note names the chosen model, or why none fit.
    """
    x = np.asarray(history, dtype=float).ravel()
    if np.isnan(x).any():
        return BaselineResult("ets", None, "ETS needs a history without missing values.")
    if x.size < 6:
        return BaselineResult("ets", None, "ETS needs at least 6 values of history.")
    keep = ets_points(season)
    cut = x.size > keep
    x = x[-keep:]
    specs = [{**spec, "initialization_method": ets_initialization(
        x.size, spec["seasonal_periods"] or 1)} for spec in ets_candidates(x, season)]
    best = best_by_aicc(x, specs)
    if best is None:
        return BaselineResult("ets", None, "ETS could not be fit to this history.")
    spec, fit = best
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        values = np.asarray(fit.forecast(h), dtype=float)
    if not np.all(np.isfinite(values)):
        return BaselineResult("ets", None, "ETS produced non-finite forecasts.")
    trend = {None: "none", "add": "additive"}[spec["trend"]]
    if spec["damped_trend"]:
        trend = "damped"
    seas = {None: "none", "add": "additive", "mul": "multiplicative"}[spec["seasonal"]]
    note = f"ETS chosen by AICc: trend {trend}, season {seas}."
    if cut:
        note += f" Fit on the last {keep} points of the history."
    return BaselineResult("ets", values, note)


def baselines(history: np.ndarray, h: int, season: int | None) -> list[BaselineResult]:
    """Naive, seasonal naive and ETS forecasts of the `h` steps after `history`."""
    return [naive(history, h), seasonal_naive(history, h, season), ets(history, h, season)]


# --------------------------------------------------------------------------------------------------
# Conformal intervals


def conformal_quantiles(residuals: np.ndarray, level: float) -> np.ndarray:
    """Per-step half-widths of split-conformal intervals from out-of-sample residuals.

    For each forecast step, the ⌈(n+1)·level⌉-th smallest absolute residual (the finite-sample
    conformal quantile). With too few residuals for that rank the largest one is used, which
    under-covers slightly; callers can say so using `conformal_is_exact`.

    Args:
        residuals: (n, horizon) actual minus forecast on windows the model did not train on;
            NaN entries are ignored.
        level: nominal coverage in (0, 1).

    Returns:
        (horizon,) non-negative half-widths (NaN for a step without any residual).
    """
    r = np.abs(np.asarray(residuals, dtype=float))
    if r.ndim == 1:
        r = r[:, None]
    out = np.full(r.shape[1], np.nan)
    for k in range(r.shape[1]):
        col = np.sort(r[:, k][~np.isnan(r[:, k])])
        if not col.size:
            continue
        rank = math.ceil((col.size + 1) * level)
        out[k] = col[min(rank, col.size) - 1]
    return out


def conformal_is_exact(n_residuals: int, level: float) -> bool:
    """Whether `n_residuals` are enough for the conformal guarantee at `level`."""
    return math.ceil((n_residuals + 1) * level) <= n_residuals


def interval(forecast: np.ndarray, half_width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds `forecast ∓ half_width`, both (h,)."""
    f = np.asarray(forecast, dtype=float)
    w = np.asarray(half_width, dtype=float)[: f.size]
    return f - w, f + w


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Fraction of known actual values inside [lower, upper] (NaN when none is known)."""
    a = np.asarray(actual, dtype=float).ravel()
    lo = np.asarray(lower, dtype=float).ravel()
    hi = np.asarray(upper, dtype=float).ravel()
    keep = ~(np.isnan(a) | np.isnan(lo) | np.isnan(hi))
    if not keep.any():
        return math.nan
    return float(np.mean((a[keep] >= lo[keep]) & (a[keep] <= hi[keep])))


# --------------------------------------------------------------------------------------------------
# Future dates


def future_index(index: pd.Index, steps: int) -> pd.Index:
    """The `steps` index labels after `index`, continuing its frequency (or its row numbers).

    Args:
        index: a `DatetimeIndex` (with `freq` set, or regular enough for `pd.infer_freq`) or a
            row-number index.
        steps: how many labels to add (≥ 1).

    Returns:
        A `DatetimeIndex` with the same frequency, or a `RangeIndex` named like `index` (default
        `"step"`) continuing the row numbers.

    Raises:
        DataError: when dates have no regular frequency to continue.
    """
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq
        if freq is None and len(index) >= 3:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas 3 warns that this will return an offset
                inferred = pd.infer_freq(index)
            freq = pd.tseries.frequencies.to_offset(inferred) if inferred else None
        if freq is None:
            raise DataError(
                "The dates have no regular frequency, so future dates cannot be continued; "
                "regularise the dates or drop the date column."
            )
        out = pd.date_range(start=index[-1], periods=steps + 1, freq=freq, tz=index.tz)[1:]
        return pd.DatetimeIndex(out, freq=freq, name=index.name)
    start = int(index[-1]) + 1 if len(index) else 0
    return pd.RangeIndex(start, start + steps, name=index.name or "step")


# --------------------------------------------------------------------------------------------------
# CSV safety


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower().lstrip("+-") not in ("inf", "infinity", "nan")


def neutralise_csv_cell(value: object) -> object:
    """Stop a text cell from being run as a spreadsheet formula; leave everything else alone.

    Text starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, unless it is
    a plain number such as `-3.5` (which spreadsheets read as a number, never as a formula).
    Numbers, dates and missing values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        if not _is_plain_number(value):
            return "'" + value
    return value


def to_safe_csv(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """UTF-8 CSV bytes of `frame` with every text cell and column name neutralised.

    Args:
        frame: the table to export; not modified.
        index: whether to write the index as the first column (its name is neutralised too).

    Returns:
        The CSV file contents.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        kind = pd.api.types
        if not (kind.is_numeric_dtype(series) or kind.is_datetime64_any_dtype(series)):
            out[col] = series.astype(object).map(neutralise_csv_cell)
    out.columns = [neutralise_csv_cell(str(c)) for c in out.columns]
    if index:
        names = [neutralise_csv_cell(str(n)) if n is not None else None for n in out.index.names]
        out.index = out.index.set_names(names)
        if not pd.api.types.is_numeric_dtype(out.index) and not isinstance(
            out.index, pd.DatetimeIndex
        ):
            out.index = out.index.map(neutralise_csv_cell)
    buffer = io.StringIO()
    out.to_csv(buffer, index=index)
    return buffer.getvalue().encode("utf-8")
