"""The settings search: never reads the holdout, reproducible, budgeted, pruned, stoppable."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest

from lstm_core.config import ModelConfig, Settings, TrainConfig, WindowConfig
from lstm_core.errors import DataError
from lstm_core.executor import InlineExecutor
from lstm_core.search import (
    PRUNE_AFTER_EPOCHS,
    SearchResult,
    Trial,
    _distributions,
    _evaluate,
    _Task,
    apply_params,
    params_of,
    search,
    search_space,
    validation_cutoffs,
)

TINY = Settings(
    window=WindowConfig(input_length=8, horizon=4),
    model=ModelConfig(units=3),
    train=TrainConfig(epochs=3, batch_size=16, patience=0, seed=3),
    holdout=4,
)


def _quarterly(n: int = 60, seed: int = 9) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 20 + 0.3 * t + 3 * np.sin(np.pi * t / 2) + rng.normal(0, 0.5, n)
    return pd.Series(values, index=pd.date_range("2000-01-01", periods=n, freq="QS"), name="y")


def _signature(result: SearchResult) -> list[tuple]:
    return [(t.number, t.state, t.params, t.score) for t in result.trials]


def test_the_holdout_never_moves_the_choice():
    series = _quarterly()
    first = search(series, TINY, budget=600, trials=4, seed=1)
    poisoned = series.copy()
    poisoned.iloc[-TINY.holdout:] = poisoned.iloc[-TINY.holdout:] * 5 + 100
    second = search(poisoned, TINY, budget=600, trials=4, seed=1)
    assert _signature(first) == _signature(second)
    assert first.best_settings == second.best_settings
    assert all(t.state == "complete" for t in first.trials)


def test_same_seed_and_trials_give_the_same_search_and_trial_zero_is_the_given_settings():
    series = _quarterly()
    a = search(series, TINY, budget=600, trials=3, seed=7)
    b = search(series, TINY, budget=600, trials=3, seed=7)
    assert _signature(a) == _signature(b)
    assert a.trials[0].params == params_of(TINY)
    c = search(series, TINY, budget=600, trials=3, seed=8)
    assert [t.params for t in c.trials][1:] != [t.params for t in a.trials][1:]


def test_best_is_confirmed_against_the_start_and_round_trips():
    result = search(_quarterly(), TINY, budget=600, trials=4, seed=2)
    first, best = result.trials[0], result.best
    assert len(first.scores) == 3 and first.score == pytest.approx(np.mean(first.scores))
    assert best.number == 0 or best.scores[-1] <= first.scores[-1]
    assert result.best_settings == apply_params(TINY, best.params)
    again = SearchResult.from_dict(result.to_dict())
    assert _signature(again) == _signature(result) and again.best == result.best


def _trial(number: int, scores: tuple[float, ...]) -> Trial:
    return Trial(number, params_of(TINY), float(np.mean(scores)), "complete", 1.0, 10,
                 scores=scores)


def _result(*trials: Trial) -> SearchResult:
    return SearchResult(TINY, trials, 60.0, 1.0, 0, len(trials[0].scores), False)


def test_a_challenger_must_also_win_at_the_latest_cutoff_it_was_not_chosen_on():
    start = _trial(0, (1.0, 1.0, 1.0))
    lucky = _trial(1, (0.5, 0.5, 1.2))  # the lowest mean, but worse where it was not selected
    steady = _trial(2, (0.8, 0.9, 0.95))
    assert _result(start, lucky).best is start
    assert _result(start, lucky).lowest is lucky
    assert _result(start, lucky, steady).best is start  # only the selected one is confirmed
    confirmed = _trial(3, (0.5, 0.5, 1.0))
    assert _result(start, lucky, confirmed).best is start  # lucky is selected (earlier trial)
    assert _result(start, confirmed).best is confirmed  # a tie at the latest cut-off is enough
    one = _result(_trial(0, (1.0,)), _trial(1, (0.9,)))
    assert one.best.number == 1  # one cut-off: nothing to confirm on, the lowest wins


def test_a_trial_still_training_at_the_budget_is_stopped_and_not_scored(monkeypatch):
    import time
    import types

    import lstm_core.search as module

    ticks = iter(range(10**9))  # a clock that moves 10 ms whenever anyone reads it
    clock = types.SimpleNamespace(time=lambda: 1e9 + 0.01 * next(ticks),
                                  monotonic=time.monotonic)
    monkeypatch.setattr(module, "time", clock)
    slow = Settings.from_dict({**TINY.to_dict(), "train": {**TINY.to_dict()["train"],
                                                           "epochs": 2000}})
    result = search(_quarterly(), slow, budget=1.0, seed=0)
    assert [t.state for t in result.trials] == ["stopped"]
    assert result.best is None and result.best_settings == slow


def test_the_caller_can_stop_a_search_between_trials():
    calls = []
    result = search(_quarterly(), TINY, budget=600, trials=10, seed=0,
                    on_trial=calls.append, should_stop=lambda: len(calls) >= 2)
    assert len(result.trials) == 2 and result.stopped


def test_median_pruner_stops_a_trial_whose_losses_trail_the_finished_ones():
    series = _quarterly()
    space = search_space(48, TINY, 4)
    distributions = _distributions(space)
    finished = tuple(
        optuna.trial.create_trial(
            params=params_of(TINY), distributions=distributions, value=0.5,
            intermediate_values={step: 1e-9 for step in range(1, 60)},
        )
        for _ in range(5)
    )
    long = Settings.from_dict({**TINY.to_dict(), "train": {**TINY.to_dict()["train"],
                                                           "epochs": 200}})
    task = _Task(5, series.to_numpy(), series.index, "y", long,
                 validation_cutoffs(56, 4, 2), deadline=float("inf"), finished=finished,
                 distributions=distributions, params=params_of(long))

    class Context:
        def report(self, payload):
            pass

        def should_stop(self):
            return False

    trial = _evaluate(task, Context())
    assert trial.state == "pruned" and trial.score is None
    assert PRUNE_AFTER_EPOCHS <= len(trial.losses) < 200  # after the warm-up, long before the end


def test_windows_are_season_multiples_that_fit_plus_the_given_one():
    space = search_space(48, TINY, 4)
    assert space["input_length"] == (4, 8, 12)
    assert 3 in space["units"] and TINY.model.units in space["units"]
    assert validation_cutoffs(56, 4, 3) == (48, 52, 56)


def test_too_short_for_one_validation_cutoff_is_a_plain_error():
    short = _quarterly(n=20)
    with pytest.raises(DataError, match="The search needs data before the holdout"):
        search(short, TINY, budget=5, trials=1, executor=InlineExecutor())
