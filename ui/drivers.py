"""Drivers in the dashboard: which columns can be drivers, and the what-if on the Forecast page.

Pure helpers (no Streamlit calls): the Data, Train, Forecast and Backtest pages draw what these
return. The engine decides everything about drivers (`lstm_core.drivers`,
`lstm_core.driver_inputs`, `lstm_core.pipeline.scenario_future` / `forecast_from_models`); this
module only turns its objects into tables, sentences, figures and "forecast this scenario"
callables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lstm_core.charts import future_figure, plain_text
from lstm_core.data import Dataset, read_table
from lstm_core.drivers import DriverData, check_future, numeric_driver
from lstm_core.errors import DataError
from lstm_core.i18n import fmt_number, fmt_signed, period_word, series_freq

KIND_LABELS = {"none": "not used", "known": "known ahead", "observed": "observed only"}
ENCODING_LABELS = {"cyclic": "Cyclic (sin/cos: December next to January)",
                   "onehot": "One-hot (one 0/1 column per month, weekday, ...)"}
ASSUMED_COLUMN = "assumed"
SCENARIO_COLOUR = "#7048e8"
ORIGINAL_CHOICE = "The run's own future values"


# ---------------------------------------------------------------- Data page


def driver_candidates(data: bytes, name: str, dataset: Dataset, sheet: str | None) -> tuple[
        str, ...]:
    """The file's columns that can be drivers: numbers or yes/no, neither the date nor the series.

    Args:
        data, name: the file's bytes and name.
        dataset: the series read from it (its date and value columns are left out).
        sheet: the Excel sheet read, if any.
    """
    choice = dataset.choice
    taken = {choice.date_column, choice.value_column}
    frame = read_table(data, name, sheet=sheet)
    found = []
    for column in frame.columns:
        if column in taken:
            continue
        if column in choice.numeric_columns:
            found.append(str(column))
            continue
        try:
            values = numeric_driver(frame[column], str(column))
        except (DataError, ValueError):
            continue  # text that is not yes/no: an id or a note, never a driver
        if np.isfinite(values).any():
            found.append(str(column))
    return tuple(found)


def driver_figure(drivers: DriverData) -> go.Figure:
    """The chosen driver columns over time: the history solid, the file's future rows dotted."""
    fig = go.Figure()
    palette = ("#1971c2", "#2f9e44", "#e8590c", "#7048e8", "#c2255c", "#0c8599")
    for i, column in enumerate(drivers.history.columns):
        colour = palette[i % len(palette)]
        past = drivers.history[column]
        fig.add_trace(go.Scatter(x=past.index, y=past.to_numpy(), mode="lines",
                                 name=plain_text(column), legendgroup=str(column),
                                 line={"color": colour, "shape": "hv"}))
        future = drivers.future
        if future is not None and column in future.columns and len(future):
            fig.add_trace(go.Scatter(
                x=future.index, y=future[column].to_numpy(), mode="lines+markers",
                name=plain_text(f"{column} (future rows)"), legendgroup=str(column),
                line={"color": colour, "dash": "dot", "shape": "hv"}))
    fig.update_layout(template="plotly_white", height=260, hovermode="x unified",
                      margin={"l": 40, "r": 20, "t": 30, "b": 30},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})
    return fig


# ---------------------------------------------------------------- Train page


def _labels(index: pd.Index) -> list[str]:
    """Forecast dates as the tables write them (ISO dates, or step numbers)."""
    if isinstance(index, pd.DatetimeIndex):
        timed = bool((index != index.normalize()).any())
        return [f"{t:%Y-%m-%d %H:%M}" if timed else f"{t:%Y-%m-%d}" for t in index]
    return [str(int(t)) for t in index]


def assumed_labels(assumed: Mapping[str, Sequence[Any]], index: pd.Index) -> dict[str, list[str]]:
    """`assume_future`'s dict with its labels written as the tables write them (JSON-safe)."""
    return {name: _labels(pd.Index(labels, dtype=index.dtype)) if len(labels) else []
            for name, labels in assumed.items() if len(labels)}


def assumed_sentence(assumed: Mapping[str, Sequence[str]]) -> str:
    """Which future values were assumed, e.g. "Future values assumed from one season earlier:
    'promo' for 2024-01-01 to 2024-06-01 (6 dates); edit them on the Forecast page." ("" if none).
    """
    parts = []
    for name, labels in assumed.items():
        if not labels:
            continue
        span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
        count = f"{len(labels)} date{'s' if len(labels) != 1 else ''}"
        parts.append(f"'{name}' for {span} ({count})")
    if not parts:
        return ""
    return ("Future values assumed from one season earlier (the file did not give them): "
            + "; ".join(parts) + ". Edit them on the Forecast page to see what they change.")


# ---------------------------------------------------------------- Forecast page


@dataclass(frozen=True)
class WhatIf:
    """What the Forecast page's future-values editor starts from.

    Attributes:
        owner: the result it belongs to ("<run id or 'result'>:<id of the result object>").
        version: bumped whenever the table is replaced (an upload, a saved scenario, another
            run), so a fresh editor shows it.
        table: `editor_table`'s columns: time, one per known-ahead driver, `assumed`.
        upload: the file id of the last upload put in the table (each file is put in once;
            None: no upload yet).
        scenario: the name of the saved scenario that gave the table (None: not a saved one).
        last: the last scenario forecast, `(values_key(values), forecast, seconds)`, so a
            rerun with unchanged values (a toggle, a typed name, a download) does not run the
            networks again.
    """

    owner: str
    version: int
    table: pd.DataFrame = field(repr=False)
    upload: str | None = None
    scenario: str | None = None
    last: tuple[str, pd.DataFrame, float] | None = field(default=None, repr=False)

    @property
    def editor_key(self) -> str:
        return f"future_editor:{self.owner}:{self.version}"


Forecaster = Callable[[pd.DataFrame], pd.DataFrame]
"""Forecast a scenario: checked future values (`scenario_values`) -> `date|step, forecast, lower,
upper`; raises `DataError` with the engine's message."""


def values_key(values: pd.DataFrame) -> str:
    """An exact fingerprint of a scenario's checked future values (`WhatIf.last`)."""
    return values.to_csv(float_format="%r")


@dataclass(frozen=True)
class RunNetworks:
    """A reopened run's trained networks, loaded from its bundle for the what-if.

    Attributes:
        run_id: the run they were loaded from.
        models: the ensemble members (Keras models).
        recipe: the bundle manifest's `transform` entry (the saved recipe).
        seconds: how long loading the bundle took.
    """

    run_id: str
    models: tuple[Any, ...] = field(repr=False)
    recipe: Mapping[str, Any] = field(repr=False)
    seconds: float = 0.0


def trained_forecaster(result: Any) -> Forecaster:
    """Scenarios of a run trained in this session (`ForecastResult` with its networks)."""

    def forecast(values: pd.DataFrame) -> pd.DataFrame:
        from lstm_core.pipeline import scenario_future

        return scenario_future(result, values)

    return forecast


def bundle_forecaster(run: Any, networks: RunNetworks) -> Forecaster:
    """Scenarios of a reopened run (`PresentedRun`) with the networks loaded from its bundle:
    the same last window, the run's driver history, the scenario's future values."""

    def forecast(values: pd.DataFrame) -> pd.DataFrame:
        from lstm_core.pipeline import forecast_from_models

        return forecast_from_models(run.series, list(networks.models), networks.recipe,
                                    drivers=run.drivers.with_future(values), refit=False)

    return forecast


def time_column(result: Any) -> str:
    """"date" or "step": what the result's future table is indexed by."""
    return "date" if "date" in result.future.columns else "step"


def future_index(result: Any) -> pd.Index:
    """The forecast's dates (or steps), `(horizon,)`."""
    column = time_column(result)
    values = result.future[column]
    if column == "date":
        return pd.DatetimeIndex(pd.to_datetime(values))
    return pd.Index(values.astype(int))


def editor_table(result: Any, assumed: Mapping[str, Sequence[str]] | None) -> pd.DataFrame:
    """The future values the run forecast with, one row per forecast date, for the data editor.

    Columns: the time column (text, read only), one per known-ahead driver, and `assumed` (the
    columns of that row whose value was assumed from a season earlier, read only).
    """
    column = time_column(result)
    index = future_index(result)
    known = list(result.drivers.spec.known)
    given = result.drivers.future
    values = (given.reindex(index)[known] if given is not None
              else pd.DataFrame(index=index, columns=known, dtype="float64"))
    labels = _labels(index)
    table = pd.DataFrame({column: labels})
    for name in known:
        table[name] = values[name].to_numpy(dtype=float)
    assumed = assumed or {}
    table[ASSUMED_COLUMN] = [
        ", ".join(name for name in known if label in set(assumed.get(name, ()))) or ""
        for label in labels
    ]
    return table


def uploaded_table(result: Any, values: pd.DataFrame) -> pd.DataFrame:
    """Checked future values (`scenario_values`) as an editor table (nothing assumed)."""
    table = pd.DataFrame({time_column(result): _labels(values.index)})
    for name in values.columns:
        table[name] = values[name].to_numpy(dtype=float)
    table[ASSUMED_COLUMN] = ""
    return table


def saved_editor_table(result: Any, record: Mapping[str, Any]) -> pd.DataFrame:
    """A saved scenario's future values as an editor table, checked against the run's horizon.

    Raises:
        DataError: `check_future`'s message (a value missing for a column and date).
    """
    table = saved_table(record).drop(columns=["forecast", "lower", "upper"], errors="ignore")
    values, _notes = scenario_values(result, table)
    return uploaded_table(result, values)


def scenario_values(result: Any, edited: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The edited (or uploaded) table checked by the engine: `(values, notes)`.

    Raises:
        DataError: `check_future`'s message, naming the column and the date.
    """
    known = list(result.drivers.spec.known)
    table = edited.drop(columns=[ASSUMED_COLUMN], errors="ignore")
    return check_future(table, known, future_index(result), time_column=time_column(result))


def is_original(result: Any, values: pd.DataFrame) -> bool:
    """True when `values` are the future values the run forecast with (no scenario yet)."""
    return result.drivers.future is not None and changed_cells(result, values) == 0


def changed_cells(result: Any, values: pd.DataFrame) -> int:
    """How many future values differ from those the run forecast with (all, without them)."""
    given = result.drivers.future
    if given is None:
        return int(values.size)
    original = given.reindex(values.index)[list(values.columns)].to_numpy(dtype=float)
    return int((~np.isclose(original, values.to_numpy(dtype=float), equal_nan=True)).sum())


def difference_sentence(result: Any, scenario: pd.DataFrame) -> str:
    """"The scenario's total over the next 12 months is 1,234 (+5.2%) against the original
    forecast's 1,173." (numbers written as the narrative writes them)."""
    original = float(np.nansum(result.future["forecast"].to_numpy(dtype=float)))
    changed = float(np.nansum(scenario["forecast"].to_numpy(dtype=float)))
    steps = len(scenario)
    span = f"the next {steps} {period_word(series_freq(result.series), 'en', steps)}"
    share = f" ({fmt_signed((changed - original) / abs(original) * 100, 1)}%)" if original else ""
    return (f"The scenario's total over {span} is {fmt_number(changed)}{share} against the "
            f"original forecast's {fmt_number(original)}.")


def scenario_figure(result: Any, scenario: pd.DataFrame | None) -> go.Figure:
    """The future forecast (`charts.future_figure`) with the scenario's line beside it."""
    fig = future_figure(result)
    if scenario is not None:
        column = time_column(result)
        fig.add_trace(go.Scatter(
            x=scenario[column], y=scenario["forecast"], mode="lines+markers", name="Scenario",
            line={"color": SCENARIO_COLOUR, "width": 3, "dash": "dash"},
            marker={"symbol": "diamond", "size": 8}))
        fig.update_layout(title="Forecast and scenario")
    return fig


def scenario_table(result: Any, values: pd.DataFrame, scenario: pd.DataFrame) -> pd.DataFrame:
    """The scenario as downloaded: date, the driver values, forecast, lower, upper."""
    column = time_column(result)
    table = pd.DataFrame({column: scenario[column].to_numpy()})
    for name in values.columns:
        table[name] = values[name].to_numpy(dtype=float)
    for name in ("forecast", "lower", "upper"):
        table[name] = scenario[name].to_numpy(dtype=float)
    return table


def saved_table(record: Mapping[str, Any]) -> pd.DataFrame:
    """A saved scenario (`run_record.scenario_record`) as the table the download gives: the
    time column, the driver values, forecast, lower, upper."""
    forecast = pd.DataFrame(record.get("forecast") or [])
    column = "date" if "date" in forecast.columns else "step"
    table = pd.DataFrame({column: forecast.get(column, pd.Series(dtype=object))})
    if column == "date" and len(table):
        table[column] = _labels(pd.DatetimeIndex(pd.to_datetime(table[column])))
    for name, values in ((record.get("future") or {}).get("columns") or {}).items():
        if len(values) == len(table):
            table[name] = pd.array(values, dtype="Float64").astype("float64")
    for name in ("forecast", "lower", "upper"):
        if name in forecast.columns:
            table[name] = forecast[name].astype("float64")
    return table


__all__ = [
    "WhatIf",
    "ASSUMED_COLUMN",
    "ENCODING_LABELS",
    "KIND_LABELS",
    "ORIGINAL_CHOICE",
    "Forecaster",
    "RunNetworks",
    "assumed_labels",
    "assumed_sentence",
    "bundle_forecaster",
    "changed_cells",
    "difference_sentence",
    "driver_candidates",
    "driver_figure",
    "editor_table",
    "is_original",
    "saved_editor_table",
    "saved_table",
    "scenario_figure",
    "scenario_table",
    "scenario_values",
    "time_column",
    "trained_forecaster",
    "uploaded_table",
]
