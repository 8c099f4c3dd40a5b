"""Rolling-origin backtest: how the whole forecast would have done at several past cut-offs.

At each cut-off the backtest does exactly what `run_forecast` (and so `python -m lstm_core
forecast`) does on the data up to it: plan, train, calibrate; then its future forecast is scored
against what really happened next, beside naive, seasonal naive and ETS fitted on the same data.
Cut-offs are independent, so they run in parallel through an `Executor`.

The output follows statsforecast's `cross_validation`: one long frame with a row per cut-off and
forecast step (`cutoff, date|step, actual, lstm, lower, upper, naive, seasonal_naive, ets`), a
per-cut-off score table and a summary (mean and geometric-mean MASE per model, the share of
cut-offs where the LSTM beat each baseline, interval coverage).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lstm_core import evaluation as ev
from lstm_core.config import Settings
from lstm_core.errors import DataError, SettingsError
from lstm_core.executor import Executor, TaskContext, default_executor
from lstm_core.plan import make_plan, required_points
from lstm_core.scoreboard import NO_DRIVERS as PLAIN
from lstm_core.scoreboard import NO_DRIVERS_COLUMN

BASELINES = ("naive", "seasonal_naive", "ets")
MODELS = ("lstm", *BASELINES)
LABELS = {"lstm": "LSTM", "naive": "naive", "seasonal_naive": "seasonal naive", "ets": "ETS",
          PLAIN: "the LSTM without drivers"}
MAX_ORIGINS = 50

__all__ = [
    "BacktestResult",
    "backtest",
    "backtest_cutoffs",
    "backtest_verdict",
    "drivers_verdict",
    "max_origins",
]


@dataclass(frozen=True)
class BacktestResult:
    """Forecasts and scores at every cut-off.

    Attributes:
        frame: long frame, one row per cut-off and step: `cutoff` (last point trained on),
            `date` (or `step`), `actual`, `lstm`, `lower`, `upper`, `naive`, `seasonal_naive`,
            `ets`.
        scores: one row per cut-off: `cutoff`, MASE of `lstm, naive, seasonal_naive, ets`
            (NaN when undefined: a zero in-sample scale), `coverage` of the interval, `complete`
            (False when training was stopped early at that cut-off).
        summary: `{"models": {model: {"mean_mase", "geomean_mase", "mean_mae"}},
            "lstm_beats": {baseline: share of cut-offs where the LSTM's MAE was lower},
            "coverage": share of all actuals inside the interval, "level", "origins"}`.
        settings: the settings every cut-off used.
        horizon, step: steps forecast at each cut-off, and between cut-offs.
        notes: plain sentences (what was stopped, undefined scores).
        seconds: wall time.
        stopped: True when the user stopped the backtest.
    """

    frame: pd.DataFrame = field(repr=False)
    scores: pd.DataFrame = field(repr=False)
    summary: dict[str, Any]
    settings: Settings
    horizon: int
    step: int
    notes: list[str]
    seconds: float
    stopped: bool

    @property
    def time_column(self) -> str:
        return "date" if "date" in self.frame.columns else "step"

    @property
    def cutoffs(self) -> list[Any]:
        return list(self.scores["cutoff"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (stored in a run's manifest); `from_dict` reads it back."""
        from lstm_core.jsonable import to_jsonable

        return to_jsonable({
            "frame": self.frame, "scores": self.scores, "summary": self.summary,
            "settings": self.settings.to_dict(), "horizon": self.horizon, "step": self.step,
            "notes": list(self.notes), "seconds": self.seconds, "stopped": self.stopped,
        })

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BacktestResult:
        """Rebuild a stored backtest (no model needed)."""
        frame, scores = frames_from_records(data["frame"], data["scores"])
        return cls(
            frame=frame, scores=scores, summary=dict(data["summary"]),
            settings=Settings.from_dict(data["settings"]), horizon=int(data["horizon"]),
            step=int(data["step"]), notes=list(data.get("notes") or []),
            seconds=float(data.get("seconds") or 0.0), stopped=bool(data.get("stopped")),
        )


def frames_from_records(
    frame_records: list[dict[str, Any]], score_records: list[dict[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stored backtest's long frame and score table, with dates and numbers restored.

    Shared by `BacktestResult.from_dict` and the panel's (whose tables add a `series` column).
    """
    frame = pd.DataFrame.from_records(frame_records)
    scores = pd.DataFrame.from_records(score_records)
    if "date" in frame.columns:
        frame["date"] = pd.to_datetime(frame["date"])
        frame["cutoff"] = pd.to_datetime(frame["cutoff"])
        scores["cutoff"] = pd.to_datetime(scores["cutoff"])
    models = (*MODELS, PLAIN)
    for column in (*models, "actual", "lower", "upper"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in (*models, *(f"mae_{m}" for m in models), "coverage"):
        if column in scores.columns:
            scores[column] = pd.to_numeric(scores[column], errors="coerce").astype(float)
    return frame, scores


def backtest_cutoffs(n: int, horizon: int, origins: int, step: int) -> list[int]:
    """Positions where each cut-off's test starts (its training data is `series[:c]`), oldest first.

    The last cut-off's test ends with the series; earlier ones are `step` apart.
    """
    return [n - horizon - i * step for i in reversed(range(origins))]


def max_origins(n: int, settings: Settings, step: int | None = None) -> int:
    """How many cut-offs a series of `n` points fits with these settings (0 when none)."""
    horizon = settings.window.horizon
    step = step or horizon
    need = required_points(settings.window.input_length, horizon, settings.holdout or horizon)
    room = n - horizon - need
    return 0 if room < 0 else min(MAX_ORIGINS, room // step + 1)


@dataclass(frozen=True)
class _Origin:
    """One cut-off's task: everything a worker process needs (picklable)."""

    series: pd.Series
    settings: Settings
    horizon: int
    drivers: Any = None  # DriverData cut at this cut-off (the rest is its future), or None


def _forecast_origin(origin: _Origin, task: TaskContext) -> dict[str, Any]:
    """Worker: the forecast `forecast` would make on this data, plus the baselines."""
    from lstm_core.pipeline import run_forecast

    def on_epoch(epoch: int, logs: dict[str, Any]) -> None:
        task.report({"epoch": epoch, **{k: logs.get(k) for k in ("loss", "val_loss")}})

    # The baselines need only the plan's season: fit them in a thread while the networks train
    # (TensorFlow releases the GIL).
    season = make_plan(origin.series, origin.settings).season
    values = origin.series.to_numpy(dtype=float)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(ev.baselines, values, origin.horizon, season)
        result = run_forecast(origin.series, origin.settings, on_epoch=on_epoch,
                              should_stop=task.should_stop, holdout_baselines=False,
                              drivers=origin.drivers)
        baselines = {b.name: b.forecast for b in pending.result()}
    return {
        "future": result.future, "baselines": baselines, "season": result.season_length,
        "stopped": result.stopped, "epochs": sum(r.epochs_run for r in result.train_results),
    }


def backtest(
    series: pd.Series,
    settings: Settings,
    *,
    origins: int = 3,
    step: int | None = None,
    executor: Executor | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    drivers: Any = None,
) -> BacktestResult:
    """Forecast from each of the last `origins` cut-offs and score against what came next.

    Args:
        series: (n,) the whole series (dates with a frequency, or row numbers).
        settings: the settings every cut-off uses (as `forecast` would).
        origins: how many cut-offs, 1..`MAX_ORIGINS`.
        step: steps between cut-offs (default: one horizon, so the tests do not overlap).
        executor: where the cut-offs run (default: worker processes, one per core).
        on_progress: called with `{"origin", "origins", "epoch", "done", "loss", "val_loss"}`
            after every epoch of any cut-off and when a cut-off finishes (`epoch` None).
        should_stop: polled while waiting; True stops training at every running cut-off (best
            weights kept) and skips the ones not started.
        drivers: a `DriverData` aligned to the series: each cut-off trains on the drivers up to
            it and forecasts with the known-ahead values that really followed (as planned
            values would be), and the same LSTM without drivers is scored beside
            (`lstm_no_drivers`).

    Returns:
        The `BacktestResult`.

    Raises:
        SettingsError: origins or step out of range.
        DataError: the series is too short for this many cut-offs (the message says how many fit).
    """
    started = time.perf_counter()
    horizon = settings.window.horizon
    step = horizon if step is None else step
    if not isinstance(origins, int) or not 1 <= origins <= MAX_ORIGINS:
        raise SettingsError(f"origins must be between 1 and {MAX_ORIGINS}, got {origins}.")
    if not isinstance(step, int) or step < 1:
        raise SettingsError(f"step must be at least 1, got {step}.")
    n = len(series)
    fits = max_origins(n, settings, step)
    if fits < origins:
        _too_short(n, settings, origins, step, fits)
    cuts = backtest_cutoffs(n, horizon, origins, step)
    _check_gaps(series, cuts, settings.window.input_length)
    if drivers is not None and drivers.spec.empty:
        drivers = None
    tasks = [_Origin(series.iloc[:c], settings, horizon,
                     None if drivers is None else drivers.cut(c)) for c in cuts]
    done: list[int] = []

    def progress(index: int, payload: dict[str, Any]) -> None:
        if on_progress is not None:
            on_progress({"origin": index + 1, "origins": origins, "done": len(done), **payload})

    def finished(index: int, _result: Any) -> None:
        done.append(index)
        progress(index, {"epoch": None})

    executor = executor or default_executor(origins)
    outputs = executor.map(_forecast_origin, tasks, on_done=finished, on_progress=progress,
                           should_stop=should_stop)
    return _assemble(series, settings, cuts, outputs, step, started,
                     bool(should_stop is not None and should_stop()))


def _check_gaps(series: pd.Series, cuts: list[int], length: int) -> None:
    """Each cut-off forecasts from its last `length` points: they must be known."""
    values = series.to_numpy(dtype=float)
    for cut in cuts:
        if np.isnan(values[cut - length: cut]).any():
            raise DataError(
                f"The {length} points before the cut-off at {series.index[cut - 1]} have gaps, so "
                "no forecast can be made there; fill the gaps (fill policy) or choose other "
                "cut-offs (fewer, or another step)."
            )


def _too_short(n: int, settings: Settings, origins: int, step: int, fits: int) -> None:
    horizon = settings.window.horizon
    need = required_points(settings.window.input_length, horizon, settings.holdout or horizon)
    if fits == 0:
        raise DataError(
            f"The series has {n} points, too few for even one cut-off with these settings: it "
            f"needs {need + horizon} (the {need} a forecast needs, then the {horizon} it is "
            "scored on); shorten the window or horizon, or use a longer series."
        )
    earliest = n - horizon - (origins - 1) * step
    raise DataError(
        f"The series fits at most {fits} cut-off{'s' if fits != 1 else ''} with these settings: "
        f"with {origins}, {step} steps apart, the earliest would have {earliest} points to learn "
        f"from and a forecast needs {need}; choose {fits} or fewer, a smaller step, or a shorter "
        "window."
    )


def _assemble(
    series: pd.Series, settings: Settings, cuts: list[int], outputs: list[Any], step: int,
    started: float, stopped: bool,
) -> BacktestResult:
    values = series.to_numpy(dtype=float)
    time_column = "date" if isinstance(series.index, pd.DatetimeIndex) else "step"
    horizon = settings.window.horizon
    parts, rows, notes = [], [], []
    for cut, out in zip(cuts, outputs, strict=True):
        if out is None:
            continue
        actual = values[cut: cut + horizon]
        future = out["future"]
        part = pd.DataFrame({
            "cutoff": series.index[cut - 1],
            time_column: series.index[cut: cut + horizon].to_numpy(),
            "actual": actual,
            "lstm": future["forecast"].to_numpy(),
            "lower": future["lower"].to_numpy(),
            "upper": future["upper"].to_numpy(),
        })
        for name in BASELINES:
            forecast = out["baselines"].get(name)
            part[name] = np.full(horizon, np.nan) if forecast is None else forecast
        if NO_DRIVERS_COLUMN in future.columns:
            part[PLAIN] = future[NO_DRIVERS_COLUMN].to_numpy()
        parts.append(part)
        insample = values[:cut]
        row: dict[str, Any] = {"cutoff": series.index[cut - 1]}
        for name in _models(part):
            mase = ev.mase(actual, part[name].to_numpy(), insample, out["season"])
            row[name] = math.nan if mase is None else mase
            row[f"mae_{name}"] = ev.mae(actual, part[name].to_numpy())
        row["coverage"] = ev.coverage(actual, part["lower"].to_numpy(), part["upper"].to_numpy())
        row["complete"] = not out["stopped"]
        rows.append(row)
    if not rows:
        raise DataError("The backtest was stopped before any cut-off finished; run it again.")
    frame = pd.concat(parts, ignore_index=True)
    scores = pd.DataFrame(rows)
    if stopped:
        notes.append(f"The backtest was stopped: {len(rows)} of {len(cuts)} cut-offs are shown"
                     + ("; some of them with training cut short." if not scores["complete"].all()
                        else "."))
    if scores[list(MODELS)].isna().any().any():
        notes.append("MASE is undefined at some cut-offs: the history repeats its season exactly "
                     "(seasonal naive makes no in-sample error, so there is nothing to scale by) "
                     "or a baseline could not be fitted. Those are left out of the means; MAE "
                     "compares the models there.")
    summary = _summary(frame, scores, settings.level)
    return BacktestResult(
        frame=frame, scores=scores, summary=summary, settings=settings, horizon=horizon,
        step=step, notes=notes, seconds=time.perf_counter() - started, stopped=stopped,
    )


def _models(table: pd.DataFrame) -> tuple[str, ...]:
    """The models a frame or score table holds: the LSTM, the baselines, and the LSTM without
    drivers when there were drivers."""
    return (*MODELS, PLAIN) if PLAIN in table.columns else MODELS


def _summary(frame: pd.DataFrame, scores: pd.DataFrame, level: float) -> dict[str, Any]:
    models: dict[str, dict[str, float | None]] = {}
    for name in _models(scores):
        mase = scores[name].to_numpy(dtype=float)
        mase = mase[np.isfinite(mase)]
        positive = mase[mase > 0]
        models[name] = {
            "mean_mase": float(mase.mean()) if mase.size else None,
            "geomean_mase": float(np.exp(np.log(positive).mean())) if positive.size else None,
            "mean_mae": float(np.nanmean(scores[f"mae_{name}"])),
        }
    lstm = scores["mae_lstm"].to_numpy(dtype=float)
    beats = {
        name: float(np.mean(lstm < scores[f"mae_{name}"].to_numpy(dtype=float)))
        for name in _models(scores)[1:]
    }
    coverage = ev.coverage(frame["actual"].to_numpy(), frame["lower"].to_numpy(),
                           frame["upper"].to_numpy())
    return {"models": models, "lstm_beats": beats, "coverage": coverage, "level": level,
            "origins": int(len(scores))}


def backtest_verdict(summary: dict[str, Any], unit: str = "cut-off", allow_mae: bool = True) -> str:
    """One plain sentence: how often the LSTM beat seasonal naive, and who was best on average.

    `unit` names what was counted ("cut-off"; a panel's "(series, cut-off) pair"). When some
    model's mean MASE is undefined the averages fall back to MAE, unless `allow_mae` is False (a
    panel: MAE adds up different series' units), which then leaves the averages out.
    """
    k = summary["origins"]
    wins = round(summary["lstm_beats"]["seasonal_naive"] * k)
    lead = f"The LSTM beat seasonal naive at {wins} of {k} {unit}{'s' if k != 1 else ''}"
    metric = "mean_mase"
    means = {name: s[metric] for name, s in summary["models"].items() if s[metric] is not None}
    wanted = len(summary["models"])
    if len(means) < wanted and not allow_mae:
        return lead + "."
    if len(means) < wanted:
        metric = "mean_mae"
        means = {name: s[metric] for name, s in summary["models"].items()
                 if s[metric] is not None and math.isfinite(s[metric])}
    if not means:
        return lead + "."
    label = "MASE" if metric == "mean_mase" else "MAE"
    best = min(means, key=means.get)
    if best == "lstm":
        return f"{lead}; it also had the lowest mean {label} ({means['lstm']:.3f})."
    return (f"{lead}; {LABELS[best]} was better on average (mean {label} {means[best]:.3f} "
            f"against the LSTM's {means.get('lstm', math.nan):.3f}).")


def drivers_verdict(summary: dict[str, Any], unit: str = "cut-off") -> str:
    """One plain sentence: did the drivers help across the cut-offs ("" without drivers)."""
    models = summary["models"]
    if PLAIN not in models:
        return ""
    k = summary["origins"]
    wins = round(summary["lstm_beats"][PLAIN] * k)
    mine, theirs = models["lstm"]["mean_mase"], models[PLAIN]["mean_mase"]
    counted = f"at {wins} of {k} {unit}{'s' if k != 1 else ''}"
    if mine is None or theirs is None:
        return f"With its drivers the LSTM beat the same LSTM without them {counted}."
    verb = "helped" if mine < theirs else "did not help"
    return (f"The drivers {verb}: mean MASE {mine:.3f} with them against {theirs:.3f} without; "
            f"better {counted}.")
