"""How the network reads drivers: feature columns, their scaling, and the channels of a window.

A window of the target gets extra input channels (`X: (n, input_length, 1 + channels)`):

- the *past* of every feature column at the window's own time steps: the chosen file columns
  (known ahead and observed alike), the calendar's and the holiday feature;
- the *forecast steps'* values of the columns known ahead (the known-ahead file columns, the
  calendar features and the holiday feature), `horizon` values per column, the same at every
  time step of the window, so the network's final state holds what is planned for the steps it
  forecasts.

Before any window is cut, the known-ahead file columns and the holiday feature also get a linear
*effect*, fitted on the training slice by regressing the series' seasonal differences on theirs
(regression with differenced errors, as in dynamic regression): the series minus that effect is
what the base forecast and the network see, and the effect of the forecast steps' values is added
back to every forecast. A promotion's lift therefore never has to be learnt from a few windows,
and the base forecast no longer copies last season's promotions. The network still reads every
driver, for what is not linear or not instantaneous.

An observed column is read only before the window's origin: its future values never enter (a
test poisons them). The scaling is fitted on the training slice only (`DriverScaler`); calendar
and holiday features are computed from the dates, so the future needs no values for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lstm_core.drivers import (
    CALENDAR_NEEDS_DATES,
    DriverData,
    DriverScaler,
    DriverSet,
    calendar_columns,
    calendar_features,
    check_future,
    holiday_feature,
    prefill_future,
)
from lstm_core.errors import BundleError, DataError, SettingsError

HOLIDAY_COLUMN = "holiday"


@dataclass(frozen=True)
class DriverInputs:
    """The drivers as the network reads them; fitted on the training slice, saved with the recipe.

    Attributes:
        spec: the chosen drivers, calendar and holidays.
        columns: every feature column, in the order of the past channels (file columns, then the
            calendar's, then `holiday`).
        ahead: the columns also read for the forecast steps, in order.
        scaler: per-column scaling fitted on the training slice.
        effect_columns: the columns with a linear effect (known-ahead file columns, holidays).
        effect: their coefficients, in model units per scaled unit.
    """

    spec: DriverSet
    columns: tuple[str, ...]
    ahead: tuple[str, ...]
    scaler: DriverScaler = field(repr=False)
    effect_columns: tuple[str, ...] = ()
    effect: tuple[float, ...] = ()

    def channels(self, horizon: int) -> int:
        """Extra input channels per time step: `len(columns) + horizon * len(ahead)`."""
        return len(self.columns) + horizon * len(self.ahead)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (inside the recipe's); `from_dict` reads it back."""
        return {"spec": self.spec.to_dict(), "columns": list(self.columns),
                "ahead": list(self.ahead), "scaler": self.scaler.to_dict(),
                "effect_columns": list(self.effect_columns),
                "effect": [float(b) for b in self.effect]}

    @classmethod
    def from_dict(cls, data: Any) -> DriverInputs:
        """Rebuild the inputs saved with a run.

        Raises:
            BundleError: a malformed entry.
        """
        keys = {"spec", "columns", "ahead", "scaler", "effect_columns", "effect"}
        if not isinstance(data, Mapping) or set(data) != keys:
            raise BundleError("The run's saved drivers are malformed; train it again.")
        try:
            spec = DriverSet.from_dict(data["spec"])
        except ValueError as exc:
            raise BundleError(f"The run's saved drivers cannot be read: {exc}") from exc
        scaler = DriverScaler.from_dict(data["scaler"])
        columns = tuple(str(c) for c in data["columns"])
        ahead = tuple(str(c) for c in data["ahead"])
        effect_columns = tuple(str(c) for c in data["effect_columns"])
        try:
            effect = tuple(float(b) for b in data["effect"])
        except (TypeError, ValueError) as exc:
            raise BundleError("The run's saved drivers are malformed; train it again.") from exc
        if (scaler.names != columns or not set(ahead) <= set(columns)
                or not set(effect_columns) <= set(ahead) or len(effect) != len(effect_columns)
                or not all(np.isfinite(effect))):
            raise BundleError("The run's saved drivers are malformed; train it again.")
        return cls(spec=spec, columns=columns, ahead=ahead, scaler=scaler,
                   effect_columns=effect_columns, effect=effect)


def feature_frame(
    spec: DriverSet, values: pd.DataFrame, index: pd.Index, freq: str | None
) -> pd.DataFrame:
    """Every feature column over `index`: the given file columns, calendar and holidays.

    Args:
        spec: the drivers.
        values: the file columns' values indexed by `index` (columns missing from it, e.g. the
            observed ones in the future, are NaN).
        index: the dates (or steps).
        freq: the series' frequency alias.

    Returns:
        float64 frame indexed by `index`, columns as `DriverInputs.columns`.
    """
    out = pd.DataFrame(index=index)
    for name in spec.names:
        out[name] = (values[name].to_numpy(dtype=float) if name in values.columns
                     else np.full(len(index), np.nan))
    if spec.calendar or spec.holidays:
        if not isinstance(index, pd.DatetimeIndex):
            raise DataError(CALENDAR_NEEDS_DATES)
    if spec.calendar:
        calendar = calendar_features(pd.DatetimeIndex(index), freq, spec.encoding)
        for name in calendar.columns:
            out[name] = calendar[name].to_numpy(dtype=float)
    if spec.holidays:
        out[HOLIDAY_COLUMN] = holiday_feature(pd.DatetimeIndex(index), spec.holidays,
                                              spec.subdivision, freq)
    return out.astype("float64")


def fit_inputs(
    drivers: DriverData, index: pd.Index, freq: str | None, train_end: int, z: np.ndarray,
    season: int | None,
) -> DriverInputs:
    """Choose the columns, fit their scaling and their linear effect on the first `train_end`
    points only.

    Args:
        drivers: the drivers' history aligned to `index`.
        index, freq: the series' index and frequency.
        train_end: the training slice's end (nothing after it is used).
        z: (n,) the series in model units (the recipe's transform).
        season: the plan's season (differences at that lag; 1 or None: first differences).
    """
    spec = drivers.spec
    _check_built_in(spec, freq)
    frame = feature_frame(spec, drivers.history, index, freq)
    columns = tuple(str(c) for c in frame.columns)
    calendar = [c for c in columns if c not in spec.names and c != HOLIDAY_COLUMN]
    ahead = tuple(c for c in columns if c not in spec.observed)
    cyclic = [c for c in calendar if c.endswith(("_sin", "_cos"))]
    scaler = DriverScaler.fit(frame.iloc[:train_end], columns, unscaled=cyclic)
    effect_columns = tuple(c for c in ahead if c not in calendar)
    scaled = scaler.transform(frame[list(columns)].to_numpy(dtype=float))
    scaled = scaled[:, [columns.index(c) for c in effect_columns]]  # (n, len(effect_columns))
    effect = fit_effect(scaled[:train_end], np.asarray(z, dtype=float)[:train_end], season or 1)
    return DriverInputs(spec=spec, columns=columns, ahead=ahead, scaler=scaler,
                        effect_columns=effect_columns, effect=tuple(float(b) for b in effect))


def effect_words(inputs: DriverInputs, transform: str) -> list[str]:
    """The fitted linear effects in words, per original unit of each column ("'promo' (per 1)
    adds about 31 %"), for the notes; empty without effects."""
    words = []
    scale = dict(zip(inputs.scaler.names, inputs.scaler.scale, strict=True))
    for name, beta in zip(inputs.effect_columns, inputs.effect, strict=True):
        per_unit = beta / scale[name]  # model units per original unit
        label = "a public holiday" if name == HOLIDAY_COLUMN else f"'{name}' (per 1)"
        if transform == "log":
            change = float(np.expm1(per_unit))
            words.append(f"{label} {'adds' if change >= 0 else 'takes off'} about "
                         f"{abs(change):.0%}")
        else:
            words.append(f"{label} {'adds' if per_unit >= 0 else 'takes off'} about "
                         f"{abs(per_unit):,.3g}")
    return words


def _check_built_in(spec: DriverSet, freq: str | None) -> None:
    """Refuse a calendar with nothing to add, and a file column named like a built-in feature
    (it would be silently replaced)."""
    from lstm_core.data import frequency_words

    built_in: tuple[str, ...] = ()
    if spec.calendar and freq is not None:
        built_in = calendar_columns(freq, spec.encoding)
        if not built_in:
            raise SettingsError(
                f"The series is {frequency_words(freq)}, so the calendar has nothing to add "
                "(it gives month, quarter, week, weekday or hour); leave out the calendar."
            )
    if spec.holidays:
        built_in += (HOLIDAY_COLUMN,)
    clash = [name for name in spec.names if name in built_in]
    if clash:
        raise SettingsError(
            f"The column '{clash[0]}' has the name of a built-in driver (the calendar's or the "
            "public holidays'); rename it in the file, or leave out the built-in one."
        )


def fit_effect(x: np.ndarray, z: np.ndarray, lag: int, ridge: float = 1e-3) -> np.ndarray:
    """Linear effect of drivers on a series, from differences at `lag` (level and season cancel).

    `z[t] - z[t-lag] = b · (x[t] - x[t-lag]) + e`, least squares over the points where both are
    known, with a small ridge (relative to the drivers' spread) so a driver that never changes
    gets no effect rather than an unstable one.

    Args:
        x: (n, k) scaled driver values.
        z: (n,) the series in model units.
        lag: the difference's lag (the season, or 1).

    Returns:
        (k,) coefficients (zeros when there are too few points).
    """
    k = x.shape[1]
    if k == 0 or len(z) <= lag + k:
        return np.zeros(k)
    dz = z[lag:] - z[:-lag]
    dx = x[lag:] - x[:-lag]
    known = np.isfinite(dz) & np.isfinite(dx).all(axis=1)
    dz, dx = dz[known], dx[known]
    if len(dz) <= k:
        return np.zeros(k)
    gram = dx.T @ dx
    penalty = ridge * max(float(np.trace(gram)) / k, 1e-12) * np.eye(k)
    return np.linalg.solve(gram + penalty, dx.T @ dz)


@dataclass(frozen=True)
class DriverMatrix:
    """Scaled feature values over the history and the given future, and the window channels.

    Attributes:
        values: (n + f, k) scaled values; rows from `n` on hold only the known-ahead columns
            (observed ones are NaN there and are never read).
        past: indices of the past channels (every column).
        ahead: indices of the columns read for the forecast steps.
        n: the history's length.
        index: the dates (or steps) of the rows.
    """

    values: np.ndarray = field(repr=False)
    past: np.ndarray = field(repr=False)
    ahead: np.ndarray = field(repr=False)
    n: int
    index: pd.Index = field(repr=False)
    effect: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    def offsets(self, origins: np.ndarray, horizon: int) -> np.ndarray:
        """The drivers' linear effect on the forecast steps of each origin: (k, horizon), model
        units (NaN beyond the rows there are)."""
        origins = np.asarray(origins, dtype=int)
        steps = origins[:, None] + np.arange(horizon)[None, :]
        rows = self.effect.shape[0]
        out = self.effect[np.clip(steps, 0, rows - 1)]
        out[steps >= rows] = np.nan
        return out

    def adjust(self, z: np.ndarray) -> np.ndarray:
        """The series minus the drivers' effect: what the base and the network see."""
        return np.asarray(z, dtype=float) - self.effect[: len(z)]

    def at(self, origins: np.ndarray, input_length: int, horizon: int) -> np.ndarray:
        """The extra channels of the windows whose first forecast step is each origin.

        Origin t reads every column at `t - input_length .. t - 1` and the known-ahead columns at
        `t .. t + horizon - 1` (NaN beyond the rows there are).

        Returns:
            (len(origins), input_length, len(past) + horizon * len(ahead)) float32.
        """
        origins = np.asarray(origins, dtype=int)
        rows = self.values.shape[0]
        steps = np.arange(-input_length, 0)[None, :] + origins[:, None]  # (k, input_length)
        past = self.values[np.clip(steps, 0, rows - 1)][:, :, self.past]
        past[steps < 0] = np.nan
        ahead_steps = origins[:, None] + np.arange(horizon)[None, :]  # (k, horizon)
        ahead = self.values[np.clip(ahead_steps, 0, rows - 1)][:, :, self.ahead]
        ahead[ahead_steps >= rows] = np.nan
        flat = ahead.reshape(len(origins), 1, horizon * len(self.ahead))
        spread = np.broadcast_to(flat, (len(origins), input_length, flat.shape[-1]))
        return np.concatenate([past, spread], axis=2).astype(np.float32)


def driver_matrix(
    inputs: DriverInputs, drivers: DriverData, index: pd.Index, freq: str | None,
    future_index: pd.Index | None = None,
) -> DriverMatrix:
    """The scaled matrix of the history and (when given) the future rows.

    Args:
        inputs: the fitted inputs.
        drivers: the values (`history` aligned to `index`; `future` indexed by `future_index`).
        index: the series' index.
        freq: its frequency.
        future_index: the forecast's dates (or steps); None when only the history is needed.
    """
    spec = inputs.spec
    history = feature_frame(spec, drivers.history, index, freq)
    parts = [history]
    if future_index is not None and len(future_index):
        given = drivers.future if drivers.future is not None else pd.DataFrame(index=future_index)
        known = given.reindex(future_index)[[c for c in spec.known if c in given.columns]]
        parts.append(feature_frame(spec, known, future_index, freq))
    whole = pd.concat(parts) if len(parts) > 1 else history
    for name in spec.observed:
        whole.loc[whole.index[len(index):], name] = np.nan  # only their past is ever used
    scaled = inputs.scaler.transform(whole[list(inputs.columns)].to_numpy(dtype=float))
    position = {name: i for i, name in enumerate(inputs.columns)}
    effect = np.zeros(len(scaled))
    if inputs.effect_columns:
        effect = scaled[:, [position[c] for c in inputs.effect_columns]] @ np.asarray(inputs.effect)
    return DriverMatrix(
        values=scaled, past=np.arange(len(inputs.columns)),
        ahead=np.array([position[c] for c in inputs.ahead], dtype=int), n=len(index),
        index=whole.index, effect=effect,
    )


def future_values(
    drivers: DriverData, future_index: pd.Index, *, time_column: str = "date"
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The known-ahead columns' values for the forecast steps, checked.

    Returns:
        `(values, notes)`: the values on `future_index`, and what was given but not used
        (other columns, later dates).

    Raises:
        DataError: a column or date without a value (`check_future`'s message, naming both).
    """
    known = list(drivers.spec.known)
    if not known:
        return pd.DataFrame(index=future_index), ()
    given = drivers.future
    if given is None:
        given = pd.DataFrame(columns=known)
    table = given.copy()
    table.insert(0, time_column, list(table.index))
    return check_future(table.reset_index(drop=True), known, future_index,
                        time_column=time_column)


def assume_future(
    drivers: DriverData, future_index: pd.Index, season: int | None
) -> tuple[DriverData, dict[str, list]]:
    """Fill the known-ahead values the file did not give from one season earlier.

    Values given (in `drivers.future`) are kept; the others come from `prefill_future` and are
    listed in the returned `assumed` dict (column -> labels), so the page can mark them.
    """
    known = list(drivers.spec.known)
    if not known:
        return drivers, {}
    prefilled, assumed = prefill_future(drivers.history, known, future_index, season)
    given = drivers.future
    if given is not None and len(given):
        aligned = given.reindex(future_index)
        for name in known:
            if name in aligned.columns:
                have = aligned[name].notna().to_numpy()
                prefilled.loc[have, name] = aligned.loc[have, name].to_numpy(dtype=float)
                assumed[name] = [label for label, h in zip(future_index, have, strict=True)
                                 if not h and label in assumed.get(name, [])]
    assumed = {name: labels for name, labels in assumed.items() if labels}
    return drivers.with_future(prefilled), assumed


__all__ = [
    "HOLIDAY_COLUMN",
    "DriverInputs",
    "DriverMatrix",
    "assume_future",
    "driver_matrix",
    "feature_frame",
    "effect_words",
    "fit_effect",
    "fit_inputs",
    "future_values",
]
