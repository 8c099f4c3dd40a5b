"""Many series in one file: the session's panel, the picked series, and a panel run's views.

A file with several series is kept as a `LoadedPanel` (`state.PANEL`): the engine's `Panel` plus
what the Data page shows of it, worked out once when the file is read (the health table, the
automatic settings and which series are too short for them, the small multiples), so that no
rerun recomputes them. The picked series (`state.SERIES`) is an ordinary `Dataset` in
`state.DATASET`, so every single-series page keeps working on it.

A finished or reopened run of many series is a `PanelRun` (`state.PANEL_RESULT`); the picked
series' own result is `state.RESULT`, so the single-series views show it unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lstm_core.config import Settings
from lstm_core.data import Panel
from lstm_core.errors import DataError
from lstm_core.plan import check_length
from ui import state

# What the Train page can train when a panel is loaded.
SCOPES: tuple[str, ...] = ("global", "local", "picked")
# At most this many small charts on the Data page: a thousand would freeze the browser.
SMALL_MULTIPLES = 24
# How the per-series tables (Forecast and Backtest pages) label each model's MASE column.
MASE_COLUMNS = {
    "series": st.column_config.TextColumn("Series"),
    "lstm": st.column_config.NumberColumn("LSTM MASE", format="%.3f"),
    "naive": st.column_config.NumberColumn("Naive MASE", format="%.3f"),
    "seasonal_naive": st.column_config.NumberColumn("Seasonal naive MASE", format="%.3f"),
    "ets": st.column_config.NumberColumn("ETS MASE", format="%.3f"),
}


def scope_label(scope: str, count: int, picked: str | None) -> str:
    """The Train page's words for a scope."""
    if scope == "global":
        return f"All {count:,} series, one LSTM for all (global)"
    if scope == "local":
        return f"All {count:,} series, one LSTM per series (local)"
    return f"Only the picked series ({picked})" if picked else "Only the picked series"


def too_short(series: dict[str, pd.Series], settings: Settings) -> dict[str, str]:
    """Series too short for `settings`, with the plan's own reason (its one length rule)."""
    window, horizon = settings.window.input_length, settings.window.horizon
    holdout = settings.holdout or horizon
    short: dict[str, str] = {}
    for key, one in series.items():
        try:
            check_length(len(one), window, horizon, holdout)
        except DataError as exc:
            short[key] = str(exc)
    return short


@dataclass(frozen=True)
class LoadedPanel:
    """The current long or wide file's series and what the Data page shows of them.

    Attributes:
        panel: the engine's `lstm_core.data.Panel`.
        key: what identifies the data (`panel_key`), to tell a new file from the same one.
        table: the per-series health table.
        total: the health table's totals (`Panel.health_total()`).
        defaults: the automatic settings for the panel (`panel_default_settings`).
        short: series too short for `defaults` -> the reason.
        figure: the small multiples of the first `SMALL_MULTIPLES` series.
    """

    panel: Panel
    key: tuple[str, str]
    table: pd.DataFrame = field(repr=False)
    total: dict[str, Any]
    defaults: Settings
    short: dict[str, str]
    figure: go.Figure = field(repr=False)

    @property
    def ids(self) -> list[str]:
        return list(self.panel.series)

    @property
    def name(self) -> str:
        return str(self.panel.name)

    @classmethod
    def build(cls, panel: Panel) -> LoadedPanel:
        """Work out once everything the Data and Train pages show of `panel`."""
        from lstm_core.charts import small_multiples
        from lstm_core.panel import panel_default_settings

        series = dict(panel.series)
        defaults = panel_default_settings(panel)
        return cls(
            panel=panel, key=panel_key(panel), table=panel.health_table(),
            total=dict(panel.health_total()), defaults=defaults,
            short=too_short(series, defaults),
            figure=small_multiples(series, limit=SMALL_MULTIPLES),
        )

    def health(self) -> dict[str, dict[str, Any]]:
        """Every series' `HealthReport.to_dict()`, for the saved run."""
        return {k: r.to_dict() for k, r in self.panel.reports.items()}


def panel_key(panel: Panel) -> tuple[str, str]:
    """What identifies a panel's data: its name and one hash over every series' ids, times, values.

    One vectorised hash of the long frame (`Panel.to_long`) covers every series at once, so the
    cost grows with the number of points, not with a Python call per series, and any change to
    an id, a time or a value changes the key.
    """
    import hashlib

    hashes = pd.util.hash_pandas_object(panel.to_long(), index=False).to_numpy()
    return str(panel.name), hashlib.sha256(hashes.tobytes()).hexdigest()


def run_belongs(run: PanelRun, loaded: LoadedPanel) -> bool:
    """The panel run was trained on the loaded file (a reopened run may be of another file)."""
    return run.dataset == loaded.name and set(run.ids) <= set(loaded.ids)


def pick_series(key: str, *, of_run: bool = False) -> None:
    """Make series `key` the current one: its dataset from the loaded file, its result from the run.

    When the current run of many series was trained on the loaded file (`run_belongs`), both
    follow `key`. A run reopened from another file never pairs with the loaded file's series,
    even where the ids are the same: then only the side the pick came from follows it.
    Without a run, a single-series result of another series is forgotten, as new data would be.

    Args:
        key: the series id.
        of_run: the pick names a series of the current run (Forecast, Runs pages), not one of
            the loaded file (Data page).
    """
    from ui.datasets import data_key, forget_results

    state.put(state.SERIES, key)
    loaded: LoadedPanel | None = state.get(state.PANEL)
    run: PanelRun | None = state.get(state.PANEL_RESULT)
    together = run is None or loaded is None or run_belongs(run, loaded)
    if loaded is not None and key in loaded.panel.series and (together or not of_run):
        before = state.get(state.DATASET)
        dataset = loaded.panel.dataset(key)
        state.put(state.DATASET, dataset)
        if run is None and (before is None or data_key(before) != data_key(dataset)):
            forget_results()
    if run is not None and (together or of_run):
        state.put(state.RESULT, run.series_result(key) if key in run.ids else None)


@dataclass
class PanelRun:
    """A run of many series, fresh or reopened, as the Forecast page shows it.

    The scores table and aggregate are worked out once; a series' result is rebuilt (from a
    saved manifest) only when it is first shown.

    Attributes:
        name: the run's name.
        dataset: the file or sample the series came from.
        mode: "global" or "local".
        settings: the settings every series used.
        ids: the series that were forecast, in file order.
        excluded: series left out -> why.
        notes: sentences about the whole run.
        scores: one row per series (`PanelResult.scores_frame()`).
        aggregate: `PanelResult.aggregate()`.
        stopped: the user stopped the run.
        run_id: the saved run's id (None when not saved).
        result: the fresh `PanelResult` (None for a reopened run).
        manifest: the saved manifest (None for a fresh run).
    """

    name: str
    dataset: str
    mode: str
    settings: Settings
    ids: list[str]
    excluded: dict[str, str]
    notes: list[str]
    scores: pd.DataFrame = field(repr=False)
    aggregate: dict[str, Any] = field(repr=False)
    stopped: bool = False
    run_id: str | None = None
    result: Any = field(default=None, repr=False)
    manifest: dict[str, Any] | None = field(default=None, repr=False)
    _opened: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_result(cls, result: Any, *, name: str, dataset: str,
                    run_id: str | None) -> PanelRun:
        """A `PanelResult` just trained (series a Stop never reached are in its `excluded`)."""
        from lstm_core.panel import aggregate_scores

        scores = result.scores_frame()
        excluded = dict(result.excluded)
        return cls(name=name, dataset=dataset, mode=result.mode, settings=result.settings,
                   ids=list(result.results), excluded=excluded,
                   notes=list(result.notes), scores=scores, aggregate=aggregate_scores(scores),
                   stopped=bool(result.stopped), run_id=run_id, result=result)

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], run_id: str) -> PanelRun:
        """A saved run of many series (`lstm_core.run_record.record_panel_run`)."""
        from lstm_core.panel import scores_frame

        panel = manifest["extra"]["panel"]
        entries = panel.get("series") or {}
        ids = [k for k in panel.get("ids") or entries if k in entries]
        scores = scores_frame({
            k: (entries[k].get("scores") or {}, _number(entries[k].get("coverage")),
                int(entries[k].get("points") or 0))
            for k in ids
        })
        return cls(name=str(manifest.get("name", "")),
                   dataset=str(manifest.get("dataset_name", "")), mode=str(panel.get("mode")),
                   settings=Settings.from_dict(manifest["settings"]), ids=ids,
                   excluded=dict(panel.get("excluded") or {}),
                   notes=list(panel.get("notes") or []), scores=scores,
                   aggregate=dict(panel.get("aggregate") or {}),
                   stopped=bool(manifest["extra"].get("stopped", False)), run_id=run_id,
                   manifest=manifest)

    def series_result(self, key: str) -> Any:
        """Series `key`'s result: a `ForecastResult`, or a `PresentedRun` when reopened."""
        if self.result is not None:
            return self.result.results[key]
        if key not in self._opened:
            from lstm_core.run_record import PresentedRun, series_manifest

            assert self.manifest is not None
            self._opened[key] = PresentedRun.from_manifest(series_manifest(self.manifest, key))
        return self._opened[key]

    def forecasts_long(self) -> pd.DataFrame:
        """Every series' future in one long frame: `series, date|step, forecast, lower, upper`."""
        if self.result is not None:
            return self.result.forecasts_long()
        assert self.manifest is not None
        return pd.DataFrame.from_records(self.manifest.get("future") or [])


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)
