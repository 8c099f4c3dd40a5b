"""Turn a forecast result into a run manifest and back, so a saved run can be presented again.

`manifest_from_result` is what the dashboard and the CLI store for every finished training;
`PresentedRun.from_manifest` rebuilds everything the Forecast page and the charts need (the series,
holdout and future frames, scores, coverage, notes, loss history) without running a model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lstm_core.config import Settings
from lstm_core.errors import BundleError
from lstm_core.runs import make_manifest


def _series_record(series: pd.Series) -> dict[str, Any]:
    dated = isinstance(series.index, pd.DatetimeIndex)
    return {
        "name": None if series.name is None else str(series.name),
        "dated": dated,
        "freq": series.index.freqstr if dated and series.index.freq is not None else None,
        "index": [ts.isoformat() for ts in series.index] if dated else None,
        "values": [None if pd.isna(v) else float(v) for v in series.to_numpy()],
    }


def _series_from_record(record: dict[str, Any]) -> pd.Series:
    values = pd.array(record["values"], dtype="Float64").astype("float64")
    if record.get("dated"):
        index = pd.DatetimeIndex(pd.to_datetime(record["index"]))
        if record.get("freq"):
            try:
                index = pd.DatetimeIndex(index, freq=record["freq"])
            except ValueError:
                pass  # an irregular saved index stays as it was
    else:
        index = pd.RangeIndex(len(values), name="step")
    return pd.Series(values, index=index, name=record.get("name"))


def _table_record(frame: pd.DataFrame | None) -> dict[str, Any] | None:
    """A float frame indexed by dates (or steps) as JSON: index, columns and values by column."""
    if frame is None:
        return None
    dated = isinstance(frame.index, pd.DatetimeIndex)
    return {
        "dated": dated,
        "index": [ts.isoformat() for ts in frame.index] if dated else [int(i) for i in frame.index],
        "columns": {str(c): [None if pd.isna(v) else float(v) for v in frame[c].to_numpy()]
                    for c in frame.columns},
    }


def _table_from_record(record: dict[str, Any] | None, like: pd.Index) -> pd.DataFrame | None:
    if record is None:
        return None
    if record.get("dated"):
        index: pd.Index = pd.DatetimeIndex(pd.to_datetime(record["index"]))
    else:
        index = pd.Index([int(i) for i in record["index"]], name=like.name)
    columns = record.get("columns") or {}
    return pd.DataFrame(
        {name: pd.array(values, dtype="Float64").astype("float64")
         for name, values in columns.items()},
        index=index,
    )


def drivers_record(drivers: Any) -> dict[str, Any]:
    """A `DriverData` as the manifest stores it (`extra.drivers`)."""
    return {"spec": drivers.spec.to_dict(), "history": _table_record(drivers.history),
            "future": _table_record(drivers.future)}


def drivers_from_record(record: dict[str, Any], series: pd.Series) -> Any:
    """The `DriverData` a run was trained with (history aligned to its series), from
    `drivers_record`'s output.

    Raises:
        BundleError: a malformed record.
    """
    from lstm_core.drivers import DriverData, DriverSet

    try:
        spec = DriverSet.from_dict(record["spec"])
        history = _table_from_record(record["history"], series.index)
        future = _table_from_record(record.get("future"), series.index)
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError("This run's drivers were saved in a form that cannot be read; "
                          "train it again.") from exc
    history.index = series.index
    return DriverData(spec=spec, history=history, future=future)


def scenario_record(name: str, future: pd.DataFrame, forecast: pd.DataFrame) -> dict[str, Any]:
    """A what-if scenario as a run stores it (`extra.scenarios`): its name, the known-ahead
    values and the forecast they give."""
    from lstm_core.jsonable import to_jsonable

    return {"name": str(name), "future": _table_record(future),
            "forecast": to_jsonable(forecast.to_dict(orient="records"))}


def run_name(dataset_name: str, settings: Settings) -> str:
    """A readable default run name: data, the main settings, and the local time."""
    when = dt.datetime.now().strftime("%d %b %H:%M")
    return (
        f"{dataset_name} · window {settings.window.input_length}, "
        f"{settings.model.units} units · {when}"
    )


def record_run(
    result: Any, *, dataset_name: str, health: dict[str, Any] | None = None,
    name: str | None = None, store: Any = None,
) -> tuple[str, str]:
    """Save a finished `ForecastResult` as a run (dashboard and CLI alike); return id and name.

    Args:
        result: the `ForecastResult`.
        dataset_name: the file or sample the series came from.
        health: `HealthReport.to_dict()` of the dataset, if known.
        name: the run's name (default: `run_name`).
        store: a `RunStore` (default: the one under `LSTM_STUDIO_HOME`).
    """
    from lstm_core.runs import RunStore

    name = name or run_name(dataset_name, result.settings)
    manifest = manifest_from_result(result, name=name, dataset_name=dataset_name, health=health)
    return (store or RunStore()).add(list(result.models), manifest), name


def manifest_from_result(
    result: Any, *, name: str, dataset_name: str, health: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Build the run manifest for a `ForecastResult`.

    Args:
        result: a `lstm_core.pipeline.ForecastResult`.
        name: the run's display name.
        dataset_name: the file or sample the series came from.
        health: `HealthReport.to_dict()` of the dataset, if known.

    Returns:
        A validated, JSON-safe manifest (see `lstm_core.runs.make_manifest`).
    """
    first = result.train_results[0] if result.train_results else None
    histories = [dict(tr.history) for tr in result.train_results]
    return make_manifest(
        name=name,
        dataset_name=dataset_name,
        series=result.series,
        settings=result.settings.to_dict(),
        health=health or {},
        history=first.history if first is not None else {},
        best_epoch=first.best_epoch if first is not None else None,
        scores=result.scores,
        holdout=result.holdout,
        future=result.future,
        coverage=result.coverage,
        seconds=result.seconds,
        transform=result.state,
        extra={
            "series": _series_record(result.series),
            "season_length": result.season_length,
            "transform_name": result.transform,
            "notes": list(result.notes),
            "stopped": bool(result.stopped),
            "histories": histories,
            "validation": {k: v for k, v in result.validation.items()},
            **({"drivers": drivers_record(result.drivers)} if result.drivers is not None
               else {}),
        },
    )


@dataclass(frozen=True)
class PresentedRun:
    """A saved run, rebuilt for presentation: the same fields the charts read from a result."""

    name: str
    settings: Settings
    series: pd.Series = field(repr=False)
    season_length: int | None
    transform: str
    holdout: pd.DataFrame = field(repr=False)
    future: pd.DataFrame = field(repr=False)
    scores: dict[str, dict[str, float | None]]
    coverage: float | None
    notes: list[str]
    history: dict[str, list[float]]
    best_epoch: int | None
    seconds: float
    stopped: bool
    state: dict[str, Any]
    validation: dict[str, Any] = field(default_factory=dict)
    dataset: str = ""
    backtest: dict[str, Any] | None = field(default=None, repr=False)
    drivers: Any = field(default=None, repr=False)
    scenarios: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> PresentedRun:
        """Rebuild a run from its manifest.

        Raises:
            BundleError: if the manifest lacks what presenting a run needs.
        """
        extra = manifest.get("extra") or {}
        if "series" not in extra:
            raise BundleError(
                "This run was saved without its data, so it cannot be shown again; "
                "train it again from the Train page."
            )
        series = _series_from_record(extra["series"])
        holdout = _frame(manifest.get("holdout") or [], series)
        future = _frame(manifest.get("future") or [], series)
        return cls(
            name=str(manifest.get("name", "")),
            settings=Settings.from_dict(manifest["settings"]),
            series=series,
            season_length=extra.get("season_length"),
            transform=str(extra.get("transform_name", "")),
            holdout=holdout,
            future=future,
            scores=manifest.get("scores") or {},
            coverage=manifest.get("coverage"),
            notes=list(extra.get("notes") or []),
            history={k: list(v) for k, v in (manifest.get("history") or {}).items()},
            best_epoch=manifest.get("best_epoch"),
            seconds=float(manifest.get("seconds") or 0.0),
            stopped=bool(extra.get("stopped", False)),
            state=dict(manifest.get("transform") or {}),
            validation=dict(extra.get("validation") or {}),
            dataset=str(manifest.get("dataset_name", "")),
            backtest=extra.get("backtest"),
            drivers=(drivers_from_record(extra["drivers"], series) if extra.get("drivers")
                     else None),
            scenarios=list(extra.get("scenarios") or []),
        )


def present_result(result: Any, *, name: str, dataset_name: str = "") -> PresentedRun:
    """A fresh `ForecastResult` as the `PresentedRun` its saved manifest would give back.

    The narrative, the Present page, the deck and the report read runs in this one shape, so a
    result just trained and the same run reopened later are described identically.
    """
    if isinstance(result, PresentedRun):
        return result
    return PresentedRun.from_manifest(
        manifest_from_result(result, name=name, dataset_name=dataset_name)
    )


def _frame(records: list[dict[str, Any]], series: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records)
    if "date" in frame.columns and isinstance(series.index, pd.DatetimeIndex):
        frame["date"] = pd.to_datetime(frame["date"])
    for column in frame.columns:
        if column not in ("date", "step"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


# ---------------------------------------------------------------- many series


def panel_run_name(dataset_name: str, settings: Settings, count: int) -> str:
    """`run_name` of a run of many series: the data set, how many series, settings, time."""
    return run_name(f"{dataset_name} · {count:,} series", settings)


def record_panel_run(
    result: Any, *, dataset_name: str, health: dict[str, dict[str, Any]] | None = None,
    name: str | None = None, store: Any = None,
) -> tuple[str | None, str]:
    """Save a finished `PanelResult` as one run; return its id (None when not saved) and name.

    A global run stores its shared networks once; a local run stores every series' networks
    (it is not saved above the bundle's model cap, and the name says so).
    """
    from lstm_core.runs import MAX_MODELS, RunStore

    name = name or panel_run_name(dataset_name, result.settings, len(result.results))
    manifest, models = panel_manifest(result, name=name, dataset_name=dataset_name,
                                      health=health)
    if len(models) > MAX_MODELS:
        return None, name
    return (store or RunStore()).add(models, manifest), name


def panel_manifest(
    result: Any, *, name: str, dataset_name: str,
    health: dict[str, dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    """The manifest of a `PanelResult` and the models it stores, in bundle order.

    The top level describes the whole panel (scores are the mean MASE per model across series;
    `holdout` and `future` are long, with a `series` column); `extra.panel` holds every series'
    single-series entries, so `series_manifest` can rebuild any one of them as an ordinary run.
    """
    from lstm_core.panel import long_frame

    models: list[Any] = list(result.models)
    per_series: dict[str, dict[str, Any]] = {}
    shared = result.mode == "global"
    for key, one in result.results.items():
        if shared:
            indices = list(range(len(result.models)))
        else:
            indices = list(range(len(models), len(models) + len(one.models)))
            models += list(one.models)
        single = manifest_from_result(one, name=f"{name} · {key}", dataset_name=dataset_name,
                                      health=(health or {}).get(key))
        entry = {"models": indices,
                 **{k: single[k] for k in ("settings", "health", "best_epoch", "scores",
                                           "holdout", "future", "coverage", "transform",
                                           "points", "fingerprint")},
                 "extra": dict(single["extra"])}
        if shared:  # one training for every series: its loss history is stored once
            entry["extra"].pop("histories", None)
        else:
            entry["history"] = single["history"]
        per_series[key] = entry
    aggregate = result.aggregate()
    scores = {model: {"mase": values["mean_mase"]}
              for model, values in aggregate["models"].items()}
    first = result.train_results[0] if result.train_results else None
    everything = pd.concat([one.series.reset_index(drop=True)
                            for one in result.results.values()], ignore_index=True)
    manifest = make_manifest(
        name=name, dataset_name=dataset_name, series=everything,
        settings=result.settings.to_dict(), health={}, history=first.history if first else {},
        best_epoch=first.best_epoch if first else None, scores=scores,
        holdout=long_frame({k: r.holdout for k, r in result.results.items()}),
        future=long_frame({k: r.future for k, r in result.results.items()}),
        coverage=aggregate["coverage"], seconds=result.seconds,
        extra={
            "panel": {
                "mode": result.mode, "ids": list(result.results), "excluded": result.excluded,
                "aggregate": aggregate, "windows": result.windows, "notes": list(result.notes),
                "histories": [dict(r.history) for r in result.train_results],
                "series": per_series,
            },
            "stopped": bool(result.stopped),
        },
    )
    return manifest, models


def is_panel(manifest: dict[str, Any]) -> bool:
    """True for a run of many series (`record_panel_run`)."""
    return "panel" in (manifest.get("extra") or {})


def series_manifest(manifest: dict[str, Any], key: str) -> dict[str, Any]:
    """One series of a panel run as an ordinary run manifest (for the single-series views).

    Raises:
        BundleError: the run is not a panel, or holds no series `key`.
    """
    panel = (manifest.get("extra") or {}).get("panel")
    if panel is None:
        raise BundleError("This run holds one series; open it directly.")
    entry = (panel.get("series") or {}).get(key)
    if entry is None:
        raise BundleError(f"This run holds no series named '{key}'.")
    single = {k: v for k, v in manifest.items() if k != "extra"}
    single.update({k: v for k, v in entry.items() if k != "models"})
    single["extra"] = dict(entry.get("extra") or {})
    if "history" not in entry:  # a global run: the one training's history, stored once
        single["extra"]["histories"] = list(panel.get("histories") or [])
    single["name"] = f"{manifest.get('name', '')} · {key}"
    return single


def panel_models(manifest: dict[str, Any], models: list[Any], key: str) -> list[Any]:
    """The networks that forecast series `key` of a saved panel run (from `load_bundle`)."""
    entry = ((manifest.get("extra") or {}).get("panel") or {}).get("series", {}).get(key)
    if entry is None:
        raise BundleError(f"This run holds no series named '{key}'.")
    return [models[i] for i in entry["models"]]
