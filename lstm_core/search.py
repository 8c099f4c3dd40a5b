"""Find good settings within a time budget: Optuna proposes, an executor evaluates; no holdout.

`search(series, settings, budget=60)` asks Optuna (TPE sampler, seeded; median pruner on the
epoch losses) for settings in a small space that matters (window as multiples of the season or
horizon, units, layers, learning rate, dropout, batch size, and the recipe's base and shrinkage),
and scores each on a rolling-origin backtest over the data BEFORE the holdout: the mean MASE of
`run_forecast` at the last `origins` cut-offs of `series[:n - holdout]`. The holdout itself never
reaches a trial, so choosing on the search's score cannot tune to it. The given settings are
always trial 0; another trial replaces them only if, selected on the earlier validation cut-offs,
it also does as well at the latest one (`SearchResult.best`: against the winner's curse). The
sampler is told the mean over every cut-off, the latest included, so the latest cut-off guides
which trials are tried though not which one is chosen.

Trials run in batches of `executor.workers` through `Executor.map` (inline, local processes or
Ray: the same numbers on each); Optuna's ask-and-tell keeps the proposals in the caller. The
budget is wall-clock: no batch starts after it, and a running trial is stopped at it through the
trainer's stop hook (a stopped trial is recorded, not scored). Pruning happens in the worker,
with Optuna's `MedianPruner` over the intermediate values of the trials finished before its batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lstm_core.config import Settings
from lstm_core.errors import DataError
from lstm_core.plan import largest_window, make_plan

DEFAULT_BUDGET = 60.0
DEFAULT_ORIGINS = 3
UNITS = (8, 16, 32, 64)
LAYERS = (1, 2)
DROPOUT = (0.0, 0.1, 0.2)
BATCH_SIZES = (16, 32, 64)
LEARNING_RATE = (1e-3, 3e-2)
BASES = ("auto", "seasonal_naive")
# Median pruning starts after this many finished trials and this many epochs of a trial.
PRUNE_AFTER_TRIALS = 4
PRUNE_AFTER_EPOCHS = 15

OnTrial = Callable[["Trial"], None]

__all__ = ["DEFAULT_BUDGET", "SearchResult", "Trial", "search", "search_space"]


@dataclass(frozen=True)
class Trial:
    """One evaluated proposal.

    Attributes:
        number: 0 for the given settings, then in the order Optuna proposed them.
        params: the proposal (`input_length, units, layers, learning_rate, dropout, batch_size,
            base, shrink`).
        score: mean validation MASE over the search's cut-offs (lower is better); None unless
            the trial is complete.
        state: "complete", "pruned" (its epoch losses trailed the median), "stopped" (the budget
            or the user ended it) or "failed" (its settings could not run on this series).
        seconds: wall time of the trial.
        epochs: epochs trained (summed over cut-offs).
        note: why a trial failed.
        scores: the MASE at each validation cut-off, oldest first (complete trials).
    """

    number: int
    params: dict[str, Any]
    score: float | None
    state: str
    seconds: float
    epochs: int
    note: str = ""
    losses: tuple[float, ...] = field(default=(), repr=False)
    scores: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fields."""
        return {"number": self.number, "params": dict(self.params), "score": self.score,
                "state": self.state, "seconds": self.seconds, "epochs": self.epochs,
                "note": self.note, "losses": list(self.losses), "scores": list(self.scores)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trial:
        """The inverse of `to_dict`."""
        return cls(int(data["number"]), dict(data["params"]), data.get("score"),
                   str(data["state"]), float(data["seconds"]), int(data["epochs"]),
                   str(data.get("note", "")), tuple(data.get("losses") or ()),
                   tuple(data.get("scores") or ()))


@dataclass(frozen=True)
class SearchResult:
    """What a search found, and every trial it ran (in the order they were proposed)."""

    settings: Settings = field(repr=False)
    trials: tuple[Trial, ...]
    budget: float
    seconds: float
    seed: int
    origins: int
    stopped: bool

    @property
    def best(self) -> Trial | None:
        """The chosen trial: selected on the earlier cut-offs, confirmed on the latest.

        The lowest of many noisy scores flatters its trial (the winner's curse), so the trial
        with the lowest mean MASE over the earlier validation cut-offs replaces the starting
        settings (trial 0) only if it also does at least as well as they do at the latest
        cut-off, whose score played no part in selecting it. With one cut-off, or without a
        complete trial 0, the lowest mean wins. Ties go to the earlier trial.
        """
        done = [t for t in self.trials if t.state == "complete" and t.score is not None]
        if not done:
            return None
        first = next((t for t in done if t.number == 0), None)
        if first is None or len(first.scores) < 2:
            return min(done, key=lambda t: (t.score, t.number))
        challenger = min(done, key=lambda t: (float(np.mean(t.scores[:-1])), t.number))
        return challenger if challenger.scores[-1] <= first.scores[-1] else first

    @property
    def lowest(self) -> Trial | None:
        """The complete trial with the lowest mean score over every cut-off (unconfirmed)."""
        done = [t for t in self.trials if t.state == "complete" and t.score is not None]
        return min(done, key=lambda t: (t.score, t.number)) if done else None

    @property
    def best_settings(self) -> Settings:
        """The given settings with the best trial's parameters (the given ones without one)."""
        best = self.best
        return self.settings if best is None else apply_params(self.settings, best.params)

    def trials_frame(self) -> pd.DataFrame:
        """One row per trial: number, state, score, seconds, epochs and the parameters."""
        rows = [{"trial": t.number, "state": t.state, "score": t.score,
                 "seconds": round(t.seconds, 2), "epochs": t.epochs, **t.params}
                for t in self.trials]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: stored with the run the search leads to."""
        return {"settings": self.settings.to_dict(), "trials": [t.to_dict() for t in self.trials],
                "budget": self.budget, "seconds": self.seconds, "seed": self.seed,
                "origins": self.origins, "stopped": self.stopped}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchResult:
        """The inverse of `to_dict`."""
        return cls(Settings.from_dict(data["settings"]),
                   tuple(Trial.from_dict(t) for t in data["trials"]), float(data["budget"]),
                   float(data["seconds"]), int(data["seed"]), int(data["origins"]),
                   bool(data["stopped"]))


def search_space(n: int, settings: Settings, season: int | None) -> dict[str, tuple]:
    """The choices a search makes for a series of `n` points before the holdout.

    Windows are 1, 2 and 3 seasons (or horizons without a season) that leave three training
    windows at every cut-off, plus the given window; the rest are fixed lists.
    """
    horizon = settings.window.horizon
    unit = season if season and season > 1 else horizon
    widest = largest_window(n, horizon, settings.holdout)
    given = params_of(settings)
    windows = {unit * k for k in (1, 2, 3) if unit * k <= widest}
    rate = float(given["learning_rate"])

    def with_given(name: str, choices: Sequence[Any]) -> tuple:
        return tuple(sorted(set(choices) | {given[name]}, key=str if name == "base" else None))

    return {"input_length": with_given("input_length", windows),
            "units": with_given("units", UNITS), "layers": with_given("layers", LAYERS),
            "learning_rate": (min(LEARNING_RATE[0], rate), max(LEARNING_RATE[1], rate)),
            "dropout": with_given("dropout", DROPOUT),
            "batch_size": with_given("batch_size", BATCH_SIZES),
            "base": with_given("base", BASES), "shrink": (True, False)}


def params_of(settings: Settings) -> dict[str, Any]:
    """The search parameters that describe `settings`."""
    return {"input_length": settings.window.input_length, "units": settings.model.units,
            "layers": settings.model.layers, "learning_rate": settings.train.learning_rate,
            "dropout": settings.model.dropout, "batch_size": settings.train.batch_size,
            "base": settings.base, "shrink": settings.shrink}


def apply_params(settings: Settings, params: dict[str, Any]) -> Settings:
    """`settings` with a trial's parameters (everything else, seed included, unchanged)."""
    data = settings.to_dict()
    data["window"] = {**data["window"], "input_length": int(params["input_length"])}
    data["model"] = {**data["model"], "units": int(params["units"]),
                     "layers": int(params["layers"]), "dropout": float(params["dropout"])}
    data["train"] = {**data["train"], "learning_rate": float(params["learning_rate"]),
                     "batch_size": int(params["batch_size"])}
    data["base"], data["shrink"] = str(params["base"]), bool(params["shrink"])
    return Settings.from_dict(data)


def _distributions(space: dict[str, tuple]) -> dict[str, Any]:
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    out: dict[str, Any] = {}
    for name, choices in space.items():
        if name == "learning_rate":
            out[name] = FloatDistribution(*choices, log=True)
        else:
            out[name] = CategoricalDistribution(choices)
    return out


@dataclass(frozen=True)
class _Task:
    """One trial for a worker: picklable, and all it needs."""

    number: int
    values: np.ndarray
    index: pd.Index
    name: Any
    settings: Settings
    cutoffs: tuple[int, ...]
    deadline: float
    finished: tuple[Any, ...]  # optuna FrozenTrials done before this batch (for pruning)
    distributions: dict[str, Any]
    params: dict[str, Any]


def _evaluate(task: _Task, context: Any) -> Trial:
    """Train and score one trial at every cut-off; prune or stop on the way (runs in a worker)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.monotonic()
    study = optuna.create_study(
        pruner=optuna.pruners.MedianPruner(n_startup_trials=PRUNE_AFTER_TRIALS,
                                           n_warmup_steps=PRUNE_AFTER_EPOCHS),
    )
    study.add_trials(task.finished)
    trial = study.ask(task.distributions)  # the pruner's view of this trial
    # Pruning reads the first cut-off's curve: epochs of later cut-offs are a new curve.
    state = {"epoch": 0, "pruned": False, "losses": [], "first": True}

    def on_epoch(epoch: int, logs: dict[str, Any]) -> None:
        loss = logs.get("val_loss", logs.get("loss"))
        state["epoch"] += 1
        if not state["first"] or loss is None or not math.isfinite(float(loss)):
            return
        state["losses"].append(float(loss))
        step = len(state["losses"])
        trial.report(float(loss), step)
        if step % 5 == 0:
            context.report({"trial": task.number, "epoch": step})
        if trial.should_prune():
            state["pruned"] = True

    def stop() -> bool:
        return state["pruned"] or time.time() > task.deadline or context.should_stop()

    from lstm_core.pipeline import run_forecast

    series = pd.Series(task.values, index=task.index, name=task.name)
    scores = []
    try:
        for cutoff in task.cutoffs:
            result = run_forecast(series.iloc[:cutoff], task.settings, on_epoch=on_epoch,
                                  should_stop=stop, holdout_baselines=False)
            if state["pruned"] or result.stopped:
                break
            state["first"] = False
            scores.append(result.scores["lstm"]["mase"])
    except (DataError, ValueError) as exc:
        return Trial(task.number, task.params, None, "failed", time.monotonic() - started,
                     state["epoch"], str(exc), tuple(state["losses"]))
    seconds = time.monotonic() - started
    if state["pruned"]:
        verdict = "pruned"
    elif len(scores) < len(task.cutoffs):
        verdict = "stopped"
    else:
        verdict = "complete"
    finite = verdict == "complete" and all(s is not None and math.isfinite(s) for s in scores)
    score = float(np.mean(scores)) if finite else None
    if verdict == "complete" and score is None:
        verdict, note = "failed", "its validation error was not a number"
    else:
        note = ""
    return Trial(task.number, task.params, score, verdict, seconds, state["epoch"], note,
                 tuple(state["losses"]), tuple(float(s) for s in scores) if finite else ())


def validation_cutoffs(n_before_holdout: int, horizon: int, origins: int) -> tuple[int, ...]:
    """Ends of the series a trial trains on: the last `origins` horizons before the holdout."""
    return tuple(n_before_holdout - k * horizon for k in range(origins - 1, -1, -1))


def search(
    series: pd.Series,
    settings: Settings,
    *,
    budget: float = DEFAULT_BUDGET,
    trials: int | None = None,
    seed: int = 0,
    origins: int = DEFAULT_ORIGINS,
    executor: Any = None,
    on_trial: OnTrial | None = None,
    on_progress: Callable[[int, dict[str, Any]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SearchResult:
    """Search settings for `series` within `budget` seconds, scored before the holdout only.

    Args:
        series: the whole series (its holdout, `settings.holdout` points, is never used).
        settings: the starting settings: trial 0, and everything the search does not vary.
        budget: wall-clock seconds; no trial starts after it and running ones stop at it.
        trials: at most this many trials (including trial 0); None: as many as the budget allows.
        seed: the sampler's seed (same seed, trials and workers: same proposals and scores).
        origins: validation cut-offs each trial is scored on (a small backtest).
        executor: runs the trials (`InlineExecutor` by default); batches of `executor.workers`.
        on_trial: called with each finished `Trial`, in proposal order.
        on_progress: `(index, {"trial", "epoch"})` while trials train.
        should_stop: True ends the search (the running trials stop; what finished is kept).

    Raises:
        DataError: the data before the holdout is too short for even one validation cut-off.
    """
    import optuna

    from lstm_core.executor import InlineExecutor

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.monotonic()
    deadline = time.time() + budget
    executor = executor or InlineExecutor()
    plan = make_plan(series, settings)  # refuses what the forecast itself would refuse
    settings = plan.settings
    n_before = plan.n - plan.holdout
    origins = max(1, origins)
    while origins > 1 and not _fits(series, settings, n_before - (origins - 1) * plan.horizon):
        origins -= 1
    cutoffs = validation_cutoffs(n_before, plan.horizon, origins)
    if not _fits(series, settings, cutoffs[0]):
        raise DataError(
            f"The search needs data before the holdout to validate on: the first "
            f"{n_before} points are too few for a window of {settings.window.input_length} and "
            f"a horizon of {plan.horizon}. Shorten the window or the holdout, or add data."
        )
    space = search_space(cutoffs[0], settings, plan.season)
    distributions = _distributions(space)
    study = optuna.create_study(
        direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=PRUNE_AFTER_TRIALS,
                                           n_warmup_steps=PRUNE_AFTER_EPOCHS),
    )
    study.enqueue_trial(params_of(settings))
    done: list[Trial] = []
    stopped = False
    values, index = series.to_numpy(dtype="float64"), series.index
    while True:
        if should_stop is not None and should_stop():
            stopped = True
            break
        left = None if trials is None else trials - len(done)
        if (left is not None and left <= 0) or time.time() >= deadline:
            break
        batch = [study.ask(distributions) for _ in range(min(executor.workers, left or 10**9))]
        finished = tuple(study.get_trials(deepcopy=False, states=(
            optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)))
        tasks = [_Task(len(done) + i, values, index, series.name,
                       apply_params(settings, trial.params), cutoffs, deadline, finished,
                       distributions, dict(trial.params))
                 for i, trial in enumerate(batch)]
        results = executor.map(_evaluate, tasks, on_progress=on_progress,
                               should_stop=should_stop)
        for trial, task, result in zip(batch, tasks, results, strict=True):
            if result is None:  # cancelled before it started
                result = Trial(task.number, task.params, None, "stopped", 0.0, 0)
            for step, loss in enumerate(result.losses, start=1):
                trial.report(loss, step)
            if result.state == "complete":
                study.tell(trial, result.score)
            elif result.state == "pruned":
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            else:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            done.append(result)
            if on_trial is not None:
                on_trial(result)
    return SearchResult(settings, tuple(done), float(budget), time.monotonic() - started, seed,
                        origins, stopped)


def _fits(series: pd.Series, settings: Settings, end: int) -> bool:
    """Whether a forecast of `series[:end]` with `settings` (one horizon held out) can run."""
    if end <= 0:
        return False
    try:
        make_plan(series.iloc[:end], settings)
    except (DataError, ValueError):
        return False
    return True


def _study_of(result: SearchResult) -> Any:
    """The search's trials as an Optuna study, for Optuna's own figures."""
    import optuna

    complete = [t for t in result.trials if t.state == "complete" and t.score is not None]
    if len(complete) < 3:
        return None
    distributions = _distributions({k: _choices(result, k) for k in complete[0].params})
    study = optuna.create_study(direction="minimize")
    for t in complete:
        study.add_trial(optuna.trial.create_trial(params=t.params, distributions=distributions,
                                                  value=t.score))
    return study


def _choices(result: SearchResult, name: str) -> tuple:
    if name == "learning_rate":
        rates = [t.params[name] for t in result.trials if name in t.params]
        return (min([LEARNING_RATE[0], *rates]), max([LEARNING_RATE[1], *rates]))
    seen: Sequence[Any] = sorted({t.params[name] for t in result.trials if name in t.params},
                                 key=str)
    return tuple(seen)


def optuna_figures(result: SearchResult) -> dict[str, Any]:
    """Optuna's Plotly figures of a search: parameter importances and parallel coordinates."""
    study = _study_of(result)
    if study is None:
        return {}
    from optuna.visualization import plot_parallel_coordinate, plot_param_importances

    figures: dict[str, Any] = {}
    try:
        figures["importance"] = plot_param_importances(study)
    except (RuntimeError, ValueError):
        pass
    figures["parallel"] = plot_parallel_coordinate(study)
    return figures
