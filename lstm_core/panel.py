"""Many series at once: one global LSTM trained on the windows of every series, or one per series.

`run_panel(series, settings)` is `run_forecast` for a panel (several series sharing a frequency):

1. `prepare`: for every series, `make_plan` (a series too short for the settings is left out, with
   the plan's own message as the reason), `fit_recipe`, its training and early-stopping windows and
   its holdout baselines. Series are independent, so this runs in chunks through an `Executor`.
2. `train`: in "global" mode one ensemble is trained on the windows of every series at once. Each
   window is normalised by itself (the recipe), so series of any scale share one network. Above
   `MAX_PANEL_WINDOWS` windows an epoch sees an evenly spaced subset of every series.
3. per series, exactly the single-series steps: `validate_correction` (how much of the correction
   this series uses, on its own early-stopping points), `calibrate` (its conformal intervals),
   `score_holdout` and `future_frame`.

The result holds one `ForecastResult` per series, so every single-series view (charts, scoreboard,
narrative) works on any of them. In "local" mode every series gets its own `run_forecast`: the
comparison the global model has to beat.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from lstm_core.config import Settings
from lstm_core.errors import DataError, SettingsError
from lstm_core.executor import Executor, InlineExecutor, TaskContext
from lstm_core.pipeline import (
    SCORE_MODELS,
    ForecastResult,
    PreparedSeries,
    _holdout_baselines,
    finish_series,
    prepare_series,
    run_forecast,
    train_members,
)
from lstm_core.plan import default_settings

Mode = Literal["global", "local"]
MODES: tuple[str, ...] = ("global", "local")
MODE_LABELS = {"global": "one LSTM for all series", "local": "one LSTM per series"}
# An epoch of the global model sees at most this many windows (an even share of every series):
# beyond it more windows of the same series add training time, not information.
MAX_PANEL_WINDOWS = 20_000
# How many series one preparation task handles (a worker pays its start-up once per task).
CHUNK = 25
# From this many series the preparation runs in worker processes (see `prepare_in_workers`).
PARALLEL_FROM = 2 * CHUNK
PARALLEL_FROM_WARM = 10
# A one-hot series identity adds one input per series: beyond this many it is too wide to learn.
MAX_IDENTITY = 64

OnProgress = Callable[[dict[str, Any]], None]
STOPPED_REASON = "The run was stopped before it reached this series."

__all__ = [
    "MAX_PANEL_WINDOWS",
    "MODES",
    "MODE_LABELS",
    "PanelResult",
    "check_mode",
    "common_season",
    "panel_default_settings",
    "panel_shape",
    "prepare_in_workers",
    "run_panel",
    "typical_length",
]


def check_mode(mode: str) -> str:
    """The one refusal of an unknown panel mode."""
    if mode not in MODES:
        raise SettingsError(f"mode must be one of {', '.join(MODES)}, got '{mode}'.")
    return mode


def typical_length(series: Mapping[str, pd.Series]) -> int:
    """The series length a panel's automatic settings are made for: the median length."""
    lengths = [len(s) for s in series.values()]
    if not lengths:
        raise DataError("The file holds no series to forecast.")
    return int(np.median(lengths))


def common_season(seasons: Sequence[int | None]) -> int | None:
    """The season a panel's automatic settings use: the one most of its series have."""
    known = [s for s in seasons if s]
    if not known:
        return None
    values, counts = np.unique(known, return_counts=True)
    return int(values[np.argmax(counts)])


def panel_shape(panel: Any) -> tuple[int, int | None]:
    """The length and season a panel's automatic settings are made for.

    Args:
        panel: a `lstm_core.data.Panel` (its `series` and the season of each series' report).

    Returns:
        `(typical_length(panel.series), common_season(the series' seasons))`.
    """
    seasons = [report.season_length for report in panel.reports.values()]
    return typical_length(panel.series), common_season(seasons)


def panel_default_settings(panel: Any, horizon: int | None = None) -> Settings:
    """Automatic settings for a panel: `default_settings` for its typical series and season.

    One set of settings serves every series (a global network has one window and horizon); series
    shorter than they need are left out by `run_panel`, with the reason.
    """
    return default_settings(*panel_shape(panel), horizon)


def prepare_in_workers(count: int, warm: bool = False) -> bool:
    """Whether preparing `count` series is worth worker processes.

    A series of 200 points takes about a second to prepare (its ETS baseline above all). Cold
    workers first import TensorFlow (about 5 s each), so the CLI uses them from `PARALLEL_FROM`
    series; the dashboard's are started ahead (`warm`), so a few dozen already pay.
    """
    return count >= (PARALLEL_FROM_WARM if warm else PARALLEL_FROM)


@dataclass(frozen=True)
class PanelResult:
    """What a panel run produced: one `ForecastResult` per series, and what was left out.

    Attributes:
        settings: the settings every series used.
        mode: "global" (one network for all series) or "local" (one per series).
        results: series id -> its `ForecastResult` (in global mode they share `models`).
        excluded: series id -> why it was left out (too short for the settings, ...).
        notes: plain sentences about the whole run.
        models: the global networks (empty in local mode: each result has its own).
        train_results: the global training (empty in local mode).
        windows: training windows per epoch (global mode), for the record.
        seconds: wall time.
        stopped: True when the user stopped the run.
    """

    settings: Settings
    mode: str
    results: dict[str, ForecastResult] = field(repr=False)
    excluded: dict[str, str]
    notes: list[str]
    models: tuple = field(repr=False, default=())
    train_results: tuple = field(repr=False, default=())
    windows: int = 0
    seconds: float = 0.0
    stopped: bool = False

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.results)

    def scores_frame(self) -> pd.DataFrame:
        """One row per forecast series: MASE of every model, interval coverage, points."""
        return scores_frame({key: (r.scores, r.coverage, r.plan.n)
                             for key, r in self.results.items()})

    def aggregate(self) -> dict[str, Any]:
        """Mean and median MASE per model across series, and in how many series the LSTM won."""
        return aggregate_scores(self.scores_frame())

    def forecasts_long(self) -> pd.DataFrame:
        """Every series' future as one long frame: `series, date|step, forecast, lower, upper`."""
        return long_frame({key: r.future for key, r in self.results.items()})

    def holdout_long(self) -> pd.DataFrame:
        """Every series' holdout (actuals, forecast, interval, baselines) as one long frame."""
        return long_frame({key: r.holdout for key, r in self.results.items()})


def scores_frame(scores: Mapping[str, tuple[dict, float, int]]) -> pd.DataFrame:
    """`{series: (scores, coverage, points)}` -> one row per series (MASE per model)."""
    rows = []
    for key, (score, coverage, points) in scores.items():
        row: dict[str, Any] = {"series": key, "points": int(points)}
        for name in SCORE_MODELS:
            value = (score.get(name) or {}).get("mase")
            row[name] = math.nan if value is None else float(value)
        row["coverage"] = float(coverage)
        rows.append(row)
    columns = ["series", "points", *SCORE_MODELS, "coverage"]
    return pd.DataFrame(rows, columns=columns)


def aggregate_scores(frame: pd.DataFrame) -> dict[str, Any]:
    """The aggregate scoreboard of a `scores_frame`, over the series every model was scored on.

    A series where some model's MASE is undefined (a flat history, a baseline that could not be
    fitted) is left out of every figure, so all models are compared on the same series.

    Returns:
        `{"series": series compared, "unscored": series left out, "models": {model: {"mean_mase",
        "median_mase", "geomean_mase"}}, "lstm_beats": {baseline: how many of those series the
        LSTM's MASE was lower in}, "coverage": mean interval coverage}`.
    """
    scored = frame[np.isfinite(frame[list(SCORE_MODELS)].to_numpy(dtype=float)).all(axis=1)]
    models: dict[str, dict[str, float | None]] = {}
    for name in SCORE_MODELS:
        values = scored[name].to_numpy(dtype=float)
        positive = values[values > 0]
        models[name] = {
            "mean_mase": float(values.mean()) if values.size else None,
            "median_mase": float(np.median(values)) if values.size else None,
            "geomean_mase": float(np.exp(np.log(positive).mean())) if positive.size else None,
        }
    lstm = scored[SCORE_MODELS[0]].to_numpy(dtype=float)
    beats = {name: int(np.sum(lstm < scored[name].to_numpy(dtype=float)))
             for name in SCORE_MODELS[1:]}
    coverage = frame["coverage"].to_numpy(dtype=float)
    return {"series": int(len(scored)), "unscored": int(len(frame) - len(scored)),
            "models": models, "lstm_beats": beats,
            "coverage": float(np.nanmean(coverage)) if np.isfinite(coverage).any() else None}


def long_frame(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Stack per-series frames into one with a leading `series` column."""
    parts = [frame.assign(series=key) for key, frame in frames.items()]
    if not parts:
        return pd.DataFrame(columns=["series"])
    out = pd.concat(parts, ignore_index=True)
    return out[["series", *[c for c in out.columns if c != "series"]]]


@dataclass(frozen=True)
class _Chunk:
    """One preparation task: a few series, the settings and their input channels (picklable)."""

    series: dict[str, pd.Series]
    settings: Settings
    baselines: bool
    channels: dict[str, tuple[float, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Prepared:
    """One series made ready for the global network, with its holdout baselines."""

    series: PreparedSeries
    baselines: dict = field(repr=False)


def _prepare_chunk(chunk: _Chunk, task: TaskContext) -> dict[str, _Prepared | str]:
    """Worker: plan, recipe, windows and holdout baselines of each series (or why it is out)."""
    out: dict[str, _Prepared | str] = {}
    for key, series in chunk.series.items():
        if task.should_stop():
            break
        try:
            prepared = prepare_series(series, chunk.settings, chunk.channels.get(key, ()))
        except (DataError, SettingsError) as exc:
            out[key] = str(exc)
        else:
            baselines = _holdout_baselines(np.asarray(series, dtype=float), prepared.plan,
                                           chunk.baselines)
            out[key] = _Prepared(prepared, baselines)
        task.report({"prepared": 1})
    return out


def run_panel(
    series: Mapping[str, pd.Series],
    settings: Settings,
    *,
    mode: str = "global",
    executor: Executor | None = None,
    on_epoch: Callable[[int, dict[str, Any]], None] | None = None,
    on_progress: OnProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
    holdout_baselines: bool = True,
    identity: bool = False,
) -> PanelResult:
    """Forecast every series of a panel, scored on each series' own holdout.

    Args:
        series: id -> (n_i,) series, all with the same kind of index (dates of one frequency, or
            row numbers); lengths may differ.
        settings: one window, horizon, model and training for all series.
        mode: "global" (one ensemble trained on the windows of every series) or "local"
            (`run_forecast` on each series).
        executor: where the per-series preparation of the global mode runs (plan, recipe,
            windows, holdout baselines; chunks of `CHUNK` series); default: this process. Local
            mode trains in this process (its networks stay here).
        on_epoch: training progress `on_epoch(epoch, logs)` as in `run_forecast` (in local mode
            logs also carry `series` and `index`).
        on_progress: global mode: `{"phase": "prepare"|"score", "done", "total"}` as series are
            prepared and scored; local mode: `{"phase": "train", "done", "total"}` per series.
        should_stop: polled throughout; True during training ends it (best weights kept) and a
            result is made from what was trained; True before training raises `DataError`.
        holdout_baselines: False skips the holdout baselines (the backtest scores its own).
        identity: global mode: also tell the network which series each window comes from (a
            one-hot input beside the window, at most `MAX_IDENTITY` series). Off by default:
            `bench/panel_accuracy.py --identity` measured it.

    Returns:
        The `PanelResult`.

    Raises:
        DataError: no series, every series too short (the message gives the first reason), or
            stopped before anything was trained.
        SettingsError: an unknown mode.
    """
    started = time.perf_counter()
    check_mode(mode)
    if not series:
        raise DataError("The file holds no series to forecast.")
    executor = executor or InlineExecutor()
    if mode == "local":
        return _run_local(series, settings, on_epoch, on_progress, should_stop,
                          holdout_baselines, started)
    channels = _identity_channels(list(series)) if identity else {}
    prepared, excluded = _prepare(series, settings, executor, on_progress, should_stop,
                                  holdout_baselines, channels)
    if should_stop is not None and should_stop():
        raise DataError("The run was stopped while the series were being prepared, before any "
                        "training; run it again.")
    if not prepared:
        _nothing_left(excluded)
    (train_xy, val_xy), kept_note = _stack(prepared)
    notes = [f"One LSTM learnt from the windows of {len(prepared)} series at once "
             f"({len(train_xy[0])} training windows); each window is scaled by itself, "
             "so series of any size share the network."]
    notes += [kept_note] if kept_note else []
    notes += _excluded_notes(excluded)
    first = next(iter(prepared.values())).series.plan.settings
    results = tuple(train_members(first, train_xy, val_xy, on_epoch, should_stop))
    per_series = {}
    for index, (key, prep) in enumerate(prepared.items()):
        per_series[key] = finish_series(series[key], prep.series, results, prep.baselines,
                                        started=time.perf_counter())
        if on_progress is not None:
            on_progress({"phase": "score", "done": index + 1, "total": len(prepared)})
    stopped = any(r.stopped for r in results)
    if stopped:
        notes.append("Training was stopped early: every series' forecast uses the best weights "
                     "so far.")
    return PanelResult(
        settings=settings, mode=mode, results=per_series, excluded=excluded, notes=notes,
        models=tuple(r.model for r in results), train_results=results,
        windows=len(train_xy[0]), seconds=time.perf_counter() - started, stopped=stopped,
    )


def _identity_channels(keys: list[str]) -> dict[str, tuple[float, ...]]:
    """One-hot series identities, in the panel's order."""
    if len(keys) > MAX_IDENTITY:
        raise SettingsError(f"Telling the network which series a window comes from works for at "
                            f"most {MAX_IDENTITY} series; this panel has {len(keys)}.")
    return {key: tuple(float(i == j) for j in range(len(keys))) for i, key in enumerate(keys)}


def _prepare(
    series: Mapping[str, pd.Series], settings: Settings, executor: Executor,
    on_progress: OnProgress | None, should_stop: Callable[[], bool] | None, baselines: bool,
    channels: Mapping[str, tuple[float, ...]],
) -> tuple[dict[str, _Prepared], dict[str, str]]:
    keys = list(series)
    size = max(1, min(CHUNK, math.ceil(len(keys) / max(1, executor.workers))))
    chunks = [_Chunk({k: series[k] for k in keys[i: i + size]}, settings, baselines,
                     {k: channels[k] for k in keys[i: i + size] if k in channels})
              for i in range(0, len(keys), size)]
    done = [0]

    def progress(_index: int, payload: dict[str, Any]) -> None:
        done[0] += int(payload.get("prepared", 0))
        if on_progress is not None:
            on_progress({"phase": "prepare", "done": done[0], "total": len(keys)})

    outputs = executor.map(_prepare_chunk, chunks, on_progress=progress, should_stop=should_stop)
    prepared: dict[str, _Prepared] = {}
    excluded: dict[str, str] = {}
    for out in outputs:
        for key, item in (out or {}).items():
            if isinstance(item, str):
                excluded[key] = item
            else:
                prepared[key] = item
    for key in keys:  # only a Stop leaves series unprepared
        if key not in prepared and key not in excluded:
            excluded[key] = STOPPED_REASON
    return prepared, excluded


def _stack(
    prepared: Mapping[str, _Prepared],
) -> tuple[tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]], str]:
    """Every series' windows in one training set of at most `MAX_PANEL_WINDOWS` windows.

    Above the cap every series keeps the same number of evenly spaced windows (its latest
    always), chosen once: neighbouring windows overlap in all but one step, so the subset carries
    nearly the same information at a fraction of the training time.
    """
    parts = [p.series for p in prepared.values()]
    total = sum(len(p.train_xy[0]) for p in parts)
    share = max(1, MAX_PANEL_WINDOWS // len(parts))
    note = ""
    if total > MAX_PANEL_WINDOWS:
        note = (f"Training used at most {share} evenly spaced windows of every series "
                f"(of {total} in all), to keep training time bounded.")
    train = [_even(p.train_xy, share if total > MAX_PANEL_WINDOWS else None) for p in parts]
    val_total = sum(len(p.val_xy[0]) for p in parts)
    val = [_even(p.val_xy, share if val_total > MAX_PANEL_WINDOWS else None)
           for p in parts if len(p.val_xy[0])]
    train_xy = (np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train]))
    if val:
        val_xy = (np.concatenate([x for x, _ in val]), np.concatenate([y for _, y in val]))
    else:
        val_xy = (None, None)
    return (train_xy, val_xy), note


def _even(xy: tuple[np.ndarray, np.ndarray], most: int | None) -> tuple[np.ndarray, np.ndarray]:
    """At most `most` evenly spaced rows of `(X, y)`, the latest always kept."""
    x, y = xy
    if most is None or len(x) <= most:
        return x, y
    keep = np.unique(np.round(np.linspace(len(x) - 1, 0, most)).astype(int))
    return x[keep], y[keep]


def _run_local(
    series: Mapping[str, pd.Series], settings: Settings,
    on_epoch: Callable[[int, dict[str, Any]], None] | None, on_progress: OnProgress | None,
    should_stop: Callable[[], bool] | None, holdout_baselines: bool, started: float,
) -> PanelResult:
    """One `run_forecast` per series, one after another in this process (models stay here)."""
    results: dict[str, ForecastResult] = {}
    excluded: dict[str, str] = {}
    stopped = False
    for index, (key, one) in enumerate(series.items()):
        if should_stop is not None and should_stop():
            stopped = True
            break

        def report(epoch: int, logs: dict[str, Any], key: str = key, index: int = index) -> None:
            if on_epoch is not None:
                on_epoch(epoch, {**logs, "series": key, "index": index})

        try:
            results[key] = run_forecast(one, settings, on_epoch=report, should_stop=should_stop,
                                        holdout_baselines=holdout_baselines)
        except (DataError, SettingsError) as exc:
            excluded[key] = str(exc)
        stopped = stopped or bool(key in results and results[key].stopped)
        if on_progress is not None:
            on_progress({"phase": "train", "done": index + 1, "total": len(series)})
    for key in series:
        if key not in results and key not in excluded:
            excluded[key] = STOPPED_REASON
    if not results:
        _nothing_left(excluded)
    notes = [f"Each of the {len(results)} series got its own LSTM, trained on its windows only."]
    notes += _excluded_notes(excluded)
    if stopped:
        notes.append(f"The run was stopped: {len(results)} of {len(series)} series were "
                     "forecast.")
    return PanelResult(settings=settings, mode="local", results=results, excluded=excluded,
                       notes=notes, seconds=time.perf_counter() - started, stopped=stopped)


def _excluded_notes(excluded: Mapping[str, str]) -> list[str]:
    if not excluded:
        return []
    names = ", ".join(f"'{k}'" for k in list(excluded)[:5])
    more = f" and {len(excluded) - 5} more" if len(excluded) > 5 else ""
    return [f"{len(excluded)} series were left out ({names}{more}): the series table says why."]


def _nothing_left(excluded: Mapping[str, str]) -> None:
    if excluded and STOPPED_REASON not in excluded.values():
        key, reason = next(iter(excluded.items()))
        raise DataError(f"No series could be forecast with these settings. '{key}': {reason}")
    raise DataError("The run was stopped before any series was forecast; run it again.")

