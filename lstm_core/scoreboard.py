"""The scoreboard: holdout scores as a table, and one plain sentence about the LSTM."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

# The same LSTM trained without the drivers, in the same run with the same seed: its name among
# the scores, and the column of its forecasts in the holdout and future frames.
NO_DRIVERS = "lstm_no_drivers"
NO_DRIVERS_COLUMN = "no_drivers"
MODEL_LABELS = {
    "lstm": "LSTM",
    NO_DRIVERS: "LSTM without drivers",
    "naive": "Naive",
    "seasonal_naive": "Seasonal naive",
    "ets": "ETS",
}
# The baselines the LSTM is judged against ("LSTM without drivers" is not one of them).
BASELINES = ("naive", "seasonal_naive", "ets")
# How each baseline is said in a sentence.
BASELINE_WORDS = {
    "naive": "repeating the last value",
    "seasonal_naive": "repeating the last season",
    "ets": "exponential smoothing (ETS)",
}
BASELINE_WORDS_TH = {
    "naive": "การใช้ค่าล่าสุดซ้ำ (naive)",
    "seasonal_naive": "การใช้ค่าของฤดูกาลก่อนซ้ำ (seasonal naive)",
    "ets": "การปรับเรียบแบบเอ็กซ์โพเนนเชียล (ETS)",
}
METRICS = {"mae": "MAE", "rmse": "RMSE", "smape": "sMAPE (%)", "mape": "MAPE (%)", "mase": "MASE"}


def scoreboard_frame(scores: Mapping[str, Mapping[str, float | None]]) -> pd.DataFrame:
    """Scores as a table: one row per model (LSTM first), one column per metric.

    MAPE is left out when no model has it (the actual values contain zeros).
    """
    rows = {
        MODEL_LABELS.get(name, name): {
            label: (None if metrics.get(key) is None else float(metrics[key]))
            for key, label in METRICS.items()
        }
        for name, metrics in scores.items()
    }
    frame = pd.DataFrame.from_dict(rows, orient="index", dtype="float64")
    if "MAPE (%)" in frame.columns and frame["MAPE (%)"].isna().all():
        frame = frame.drop(columns="MAPE (%)")
    frame.index.name = "Model"
    return frame


def baseline_words(name: str, lang: str = "en") -> str:
    """How a baseline is said in a sentence, in English or Thai."""
    words = BASELINE_WORDS_TH if lang == "th" else BASELINE_WORDS
    return words.get(name, MODEL_LABELS.get(name, name))


def best_baseline(
    scores: Mapping[str, Mapping[str, float | None]], metric: str = "mae"
) -> tuple[str, float] | None:
    """The baseline with the lowest finite `metric` and its score, or None if none has one."""
    baselines = {
        name: float(values[metric])
        for name, values in scores.items()
        if name in BASELINES and values.get(metric) is not None and math.isfinite(values[metric])
    }
    if not baselines:
        return None
    name = min(baselines, key=baselines.__getitem__)
    return name, baselines[name]


def verdict(scores: Mapping[str, Mapping[str, float | None]], metric: str = "mae") -> str:
    """One sentence comparing the LSTM's error with the strongest baseline.

    Example: "The LSTM's error is 23 % lower than repeating the last season's."
    Returns an empty string when the LSTM or every baseline lacks the metric.
    """
    lstm = (scores.get("lstm") or {}).get(metric)
    found = best_baseline(scores, metric)
    if lstm is None or found is None:
        return ""
    best_name, best = found
    words = baseline_words(best_name)
    if best == 0:
        if lstm == 0:
            return f"The LSTM is as exact as {words}: both make no error on the holdout."
        return f"The best baseline, {words}, is exact on the holdout; the LSTM is not."
    change = (lstm - best) / best
    if lstm > 100 * best:  # a percentage this large says nothing a reader can use
        return (f"The best baseline, {words}, is almost exact on the holdout (error {best:.3g}); "
                f"the LSTM's error is {lstm:.3g}.")
    if lstm > 3 * best:
        return (f"The LSTM's error is {lstm / best:.1f} times that of {words}, the best baseline "
                "on this holdout.")
    if abs(change) < 0.005:
        return f"The LSTM's error is the same as {words}, the best baseline."
    direction = "lower" if change < 0 else "higher"
    return (
        f"The LSTM's error is {abs(change):.0%} {direction} than {words}, "
        "the best baseline on this holdout."
    )


def drivers_holdout_verdict(scores: Mapping[str, Mapping[str, float | None]]) -> str:
    """One sentence: did the drivers help on the holdout ("" for a run without drivers).

    Compares the LSTM's MASE (MAE when MASE is undefined) with the same LSTM's without drivers.
    """
    plain = scores.get(NO_DRIVERS)
    if not plain:
        return ""
    for metric in ("mase", "mae"):
        mine, theirs = (scores.get("lstm") or {}).get(metric), plain.get(metric)
        if None not in (mine, theirs) and math.isfinite(mine) and math.isfinite(theirs):
            better = "helped" if mine < theirs else "did not help"
            return (f"On the holdout the drivers {better}: {metric.upper()} {mine:.3f} with them "
                    f"against {theirs:.3f} for the same LSTM trained without them (same seed, same "
                    "run).")
    return ""
