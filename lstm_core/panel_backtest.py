"""Rolling-origin backtest of a panel: every series, several cut-offs, global or one model each.

At each cut-off every series is cut at the same distance from its own end (the last `origins`
horizons of each series, `step` apart), and the panel forecast `forecast` would make on the data
up to it is scored against what came next, beside naive, seasonal naive and ETS fitted on the same
data. In "global" mode a cut-off is one task (one network for every series); in "local" mode each
(cut-off, series) is a task, exactly the single-series backtest's.

The output is the single-series one with a leading `series` column: a long frame (`series,
cutoff, date|step, actual, lstm, lower, upper, naive, seasonal_naive, ets`), a score row per
(series, cut-off) and a summary over all of them (mean and geometric-mean MASE, the share of
(series, cut-off) pairs where the LSTM beat each baseline, coverage), plus a per-series table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lstm_core import evaluation as ev
from lstm_core.backtest import (
    MAX_ORIGINS,
    MODELS,
    BacktestResult,
    _assemble,
    _forecast_origin,
    _Origin,
    _summary,
    backtest_cutoffs,
    frames_from_records,
    max_origins,
)
from lstm_core.config import Settings
from lstm_core.errors import DataError, SettingsError
from lstm_core.executor import Executor, TaskContext, default_executor
from lstm_core.panel import check_mode, long_frame

__all__ = ["PanelBacktest", "backtest_panel"]


@dataclass(frozen=True)
class PanelBacktest:
    """A panel's backtest: the single-series tables stacked with a `series` column.

    Attributes:
        frame: long frame, one row per series, cut-off and step.
        scores: one row per (series, cut-off): MASE per model, `mae_<model>`, `coverage`,
            `complete`.
        summary: as `BacktestResult.summary`, over every (series, cut-off) pair, plus `series`.
        per_series: one row per series: mean MASE per model over its cut-offs, `lstm_wins`
            (cut-offs where the LSTM beat seasonal naive).
        excluded: series left out (too short for this many cut-offs), with the reason.
        settings, mode, horizon, step, notes, seconds, stopped: as the single-series result.
    """

    frame: pd.DataFrame = field(repr=False)
    scores: pd.DataFrame = field(repr=False)
    summary: dict[str, Any]
    per_series: pd.DataFrame = field(repr=False)
    excluded: dict[str, str]
    settings: Settings
    mode: str
    horizon: int
    step: int
    notes: list[str]
    seconds: float
    stopped: bool

    @property
    def time_column(self) -> str:
        return "date" if "date" in self.frame.columns else "step"

    @property
    def ids(self) -> list[str]:
        """The series backtested, in order."""
        return [str(k) for k in self.per_series["series"]]

    def series_result(self, key: str) -> BacktestResult:
        """Series `key`'s backtest as a single-series result: its rows, scores and summary.

        Raises:
            KeyError: `key` was not backtested (left out, or not in the panel).
        """
        frame = self.frame[self.frame["series"] == key]
        if frame.empty:
            raise KeyError(key)
        frame = frame.drop(columns="series").reset_index(drop=True)
        scores = self.scores[self.scores["series"] == key].drop(columns="series")
        scores = scores.reset_index(drop=True)
        return BacktestResult(
            frame=frame, scores=scores, summary=_summary(frame, scores, self.settings.level),
            settings=self.settings, horizon=self.horizon, step=self.step, notes=[],
            seconds=self.seconds, stopped=self.stopped,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (stored in a panel run's manifest); `from_dict` reads it back."""
        from lstm_core.jsonable import to_jsonable

        return to_jsonable({
            "frame": self.frame, "scores": self.scores, "summary": self.summary,
            "per_series": self.per_series, "excluded": dict(self.excluded),
            "settings": self.settings.to_dict(), "mode": self.mode, "horizon": self.horizon,
            "step": self.step, "notes": list(self.notes), "seconds": self.seconds,
            "stopped": self.stopped,
        })

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PanelBacktest:
        """Rebuild a stored panel backtest (no model needed)."""
        frame, scores = frames_from_records(data["frame"], data["scores"])
        per_series = pd.DataFrame.from_records(data["per_series"])
        for table in (frame, scores, per_series):
            if "series" in table.columns:
                table["series"] = table["series"].astype(str)
        for column in MODELS:
            if column in per_series.columns:
                per_series[column] = pd.to_numeric(per_series[column],
                                                   errors="coerce").astype(float)
        return cls(
            frame=frame, scores=scores, summary=dict(data["summary"]), per_series=per_series,
            excluded={str(k): str(v) for k, v in (data.get("excluded") or {}).items()},
            settings=Settings.from_dict(data["settings"]), mode=str(data["mode"]),
            horizon=int(data["horizon"]), step=int(data["step"]),
            notes=list(data.get("notes") or []), seconds=float(data.get("seconds") or 0.0),
            stopped=bool(data.get("stopped")),
        )


@dataclass(frozen=True)
class _PanelOrigin:
    """One cut-off of a global backtest: every series cut there (picklable)."""

    series: dict[str, pd.Series]
    settings: Settings
    horizon: int
    identity: bool = False


def _forecast_panel_origin(origin: _PanelOrigin, task: TaskContext) -> dict[str, Any]:
    """Worker: the global panel forecast at one cut-off, plus every series' baselines.

    The baselines need only each series' season: they are fitted in a thread while the network
    trains (TensorFlow releases the GIL), as the single-series backtest does.
    """
    from lstm_core.executor import InlineExecutor
    from lstm_core.panel import run_panel
    from lstm_core.plan import make_plan

    def on_epoch(epoch: int, logs: dict[str, Any]) -> None:
        task.report({"epoch": epoch, **{k: logs.get(k) for k in ("loss", "val_loss")}})

    seasons = {}
    for key, one in origin.series.items():
        try:
            seasons[key] = make_plan(one, origin.settings).season
        except (DataError, SettingsError):
            continue  # run_panel leaves it out and says why

    def fit_baselines() -> dict[str, dict[str, Any]]:
        return {key: {b.name: b.forecast
                      for b in ev.baselines(origin.series[key].to_numpy(dtype=float),
                                            origin.horizon, season)}
                for key, season in seasons.items()}

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(fit_baselines)
        try:
            result = run_panel(origin.series, origin.settings, executor=InlineExecutor(),
                               on_epoch=on_epoch, should_stop=task.should_stop,
                               holdout_baselines=False, identity=origin.identity)
        except DataError as exc:  # stopped, or no series left at this cut-off
            return {"series": {}, "excluded": {key: str(exc) for key in origin.series}}
        baselines = pending.result()
    out = {key: {"future": one.future, "baselines": baselines[key],
                 "season": one.season_length, "stopped": one.stopped, "epochs": 0}
           for key, one in result.results.items()}
    return {"series": out, "excluded": result.excluded}


def _forecast_local_origin(origin: _Origin, task: TaskContext) -> dict[str, Any]:
    """Worker: one series at one cut-off (the single-series backtest's task), or why not."""
    try:
        return _forecast_origin(origin, task)
    except (DataError, SettingsError) as exc:
        return {"error": str(exc)}


def backtest_panel(
    series: Mapping[str, pd.Series],
    settings: Settings,
    *,
    mode: str = "global",
    origins: int = 3,
    step: int | None = None,
    executor: Executor | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    identity: bool = False,
) -> PanelBacktest:
    """Backtest every series of a panel at its last `origins` cut-offs.

    Args:
        series: id -> series (one frequency; lengths may differ).
        settings: the settings every cut-off and series uses.
        mode: "global" or "local" (see `lstm_core.panel`).
        origins: cut-offs per series, 1..`MAX_ORIGINS`.
        step: steps between cut-offs (default one horizon).
        executor: where the tasks run (default: worker processes, one per core).
        on_progress: `{"done", "total", "epoch", "loss", "val_loss"}` as tasks report.
        should_stop: True stops running tasks (best weights kept) and skips the rest.
        identity: global mode: the network is also told which series a window comes from
            (`run_panel`'s `identity`).

    Returns:
        The `PanelBacktest`.

    Raises:
        SettingsError: origins, step or mode out of range.
        DataError: no series fits this many cut-offs (the message names the longest's limit).
    """
    started = time.perf_counter()
    check_mode(mode)
    horizon = settings.window.horizon
    step = horizon if step is None else step
    if not isinstance(origins, int) or not 1 <= origins <= MAX_ORIGINS:
        raise SettingsError(f"origins must be between 1 and {MAX_ORIGINS}, got {origins}.")
    if not isinstance(step, int) or step < 1:
        raise SettingsError(f"step must be at least 1, got {step}.")
    fitting, excluded = {}, {}
    for key, one in series.items():
        fits = max_origins(len(one), settings, step)
        if fits >= origins:
            fitting[key] = one
        else:
            excluded[key] = (f"{len(one)} points fit {fits} cut-off{'s' if fits != 1 else ''} "
                             f"with these settings, not {origins}.")
    if not fitting:
        longest = max(series, key=lambda k: len(series[k]))
        raise DataError(
            f"No series is long enough for {origins} cut-offs with these settings (the longest, "
            f"'{longest}', fits {max_origins(len(series[longest]), settings, step)}); choose "
            "fewer cut-offs, a smaller step or a shorter window."
        )
    cuts = {key: backtest_cutoffs(len(one), horizon, origins, step)
            for key, one in fitting.items()}
    if mode == "global":
        tasks: list[Any] = [
            _PanelOrigin({key: one.iloc[: cuts[key][i]] for key, one in fitting.items()},
                         settings, horizon, identity)
            for i in range(origins)
        ]
    else:
        tasks = [_Origin(one.iloc[: cuts[key][i]], settings, horizon)
                 for key, one in fitting.items() for i in range(origins)]
    done: list[int] = []

    def progress(index: int, payload: dict[str, Any]) -> None:
        if on_progress is not None:
            on_progress({"done": len(done), "total": len(tasks), "task": index + 1, **payload})

    def finished(index: int, _result: Any) -> None:
        done.append(index)
        progress(index, {"epoch": None})

    executor = executor or default_executor(len(tasks))
    outputs = executor.map(
        _forecast_panel_origin if mode == "global" else _forecast_local_origin, tasks,
        on_done=finished, on_progress=progress, should_stop=should_stop,
    )
    per_key, refused = _outputs_by_series(mode, list(fitting), origins, outputs)
    for key, reason in refused.items():
        excluded[key] = reason
        per_key.pop(key, None)
    stopped = bool(should_stop is not None and should_stop())
    notes = _end_notes(fitting)
    return _combine(fitting, cuts, per_key, settings, mode, step, excluded, notes, started,
                    stopped)


def _outputs_by_series(
    mode: str, keys: list[str], origins: int, outputs: list[Any]
) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """`{series: [output per cut-off, None where it did not finish]}`, and the series refused at
    some cut-off with the reason (they are left out entirely, so every series scored has all
    its cut-offs)."""
    refused: dict[str, str] = {}
    if mode == "local":
        per_key = {key: list(outputs[i * origins: (i + 1) * origins])
                   for i, key in enumerate(keys)}
        for key, parts in per_key.items():
            errors = [p["error"] for p in parts if p is not None and "error" in p]
            if errors:
                refused[key] = f"At a cut-off: {errors[0]}"
        return per_key, refused
    per_key = {key: [None if out is None else out["series"].get(key) for out in outputs]
               for key in keys}
    for out in outputs:
        for key, reason in ((out or {}).get("excluded") or {}).items():
            refused.setdefault(key, f"At a cut-off: {reason}")
    return per_key, refused


def _end_notes(series: Mapping[str, pd.Series]) -> list[str]:
    """Cut-offs count from each series' own end: say so when the series end on different dates."""
    ends = {key: one.index[-1] for key, one in series.items()
            if isinstance(one.index, pd.DatetimeIndex) and len(one)}
    if not ends or len(set(ends.values())) == 1:
        return []
    latest = max(ends.values())
    early = [key for key, end in ends.items() if end < latest]
    return [f"The cut-offs are counted from each series' own end, and {len(early)} series end "
            f"before {latest.date()}: their cut-offs fall on earlier dates, so in one model for "
            "all series the network learns from other series' later data."]


def _combine(
    fitting: Mapping[str, pd.Series], cuts: Mapping[str, list[int]],
    per_key: Mapping[str, list[Any]], settings: Settings, mode: str, step: int,
    excluded: dict[str, str], notes: list[str], started: float, stopped: bool,
) -> PanelBacktest:
    results: dict[str, BacktestResult] = {}
    for key, outputs in per_key.items():
        if not any(o is not None for o in outputs):
            excluded[key] = "The backtest was stopped before any of its cut-offs finished."
            continue
        results[key] = _assemble(fitting[key], settings, cuts[key], outputs, step, started,
                                 stopped)
    if not results:
        raise DataError("The backtest was stopped before any cut-off finished; run it again.")
    frame = long_frame({key: r.frame for key, r in results.items()})
    scores = long_frame({key: r.scores for key, r in results.items()})
    summary = {**_summary(frame, scores, settings.level), "series": len(results)}
    rows = []
    for key, r in results.items():
        row: dict[str, Any] = {"series": key}
        for name in MODELS:
            row[name] = float(np.nanmean(r.scores[name])) if r.scores[name].notna().any() \
                else np.nan
        row["lstm_wins"] = int(np.sum(r.scores["mae_lstm"] < r.scores["mae_seasonal_naive"]))
        row["cutoffs"] = len(r.scores)
        rows.append(row)
    notes = list(notes)
    if stopped:
        notes.append("The backtest was stopped: only the cut-offs that finished are scored.")
    for r in results.values():  # what the single-series assembly noticed, said once
        notes += [note for note in r.notes
                  if note not in notes and not note.startswith("The backtest was stopped")]
    if excluded:
        notes.append(f"{len(excluded)} series were left out of the backtest: "
                     + "; ".join(f"'{k}': {v}" for k, v in list(excluded.items())[:3])
                     + (" ..." if len(excluded) > 3 else ""))
    return PanelBacktest(
        frame=frame, scores=scores, summary=summary, per_series=pd.DataFrame(rows),
        excluded=excluded, settings=settings, mode=mode, horizon=settings.window.horizon,
        step=step, notes=notes, seconds=time.perf_counter() - started, stopped=stopped,
    )
