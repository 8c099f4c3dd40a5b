"""The scoreboard's one-sentence verdict stays readable at every ratio."""

from __future__ import annotations

from lstm_core.scoreboard import verdict


def _scores(lstm: float, ets: float, naive: float = 50.0) -> dict:
    return {"lstm": {"mae": lstm}, "naive": {"mae": naive}, "ets": {"mae": ets}}


def test_verdict_in_percent_in_times_and_for_a_nearly_exact_baseline():
    assert verdict(_scores(8.0, 10.0)) == (
        "The LSTM's error is 20% lower than exponential smoothing (ETS), the best baseline on "
        "this holdout.")
    assert verdict(_scores(25.0, 5.0)) == (
        "The LSTM's error is 5.0 times that of exponential smoothing (ETS), the best baseline on "
        "this holdout.")
    assert verdict(_scores(2.903, 6.4e-6)) == (
        "The best baseline, exponential smoothing (ETS), is almost exact on the holdout (error "
        "6.4e-06); the LSTM's error is 2.9.")
    assert verdict(_scores(1.0, 0.0)) == (
        "The best baseline, exponential smoothing (ETS), is exact on the holdout; the LSTM is not.")
