"""A panel backtest survives the trip through JSON (how a panel run stores it)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest

from lstm_core.config import ModelConfig, Settings, TrainConfig, WindowConfig
from lstm_core.executor import InlineExecutor
from lstm_core.panel_backtest import PanelBacktest, backtest_panel

SETTINGS = Settings(
    window=WindowConfig(input_length=12, horizon=6),
    model=ModelConfig(units=4),
    train=TrainConfig(epochs=2, batch_size=32, learning_rate=0.01, patience=0, seed=3),
    holdout=6,
)


def _series(n: int, level: float, seed: int, dated: bool) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = level + 0.2 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n)
    index = pd.date_range("2010-01-01", periods=n, freq="MS") if dated else pd.RangeIndex(n)
    return pd.Series(values, index=index)


@pytest.fixture(scope="module", params=[True, False], ids=["dates", "steps"])
def result(request) -> PanelBacktest:
    dated = request.param
    panel = {"north": _series(60, 50, 1, dated), "007": _series(54, 500, 2, dated),
             "tiny": _series(20, 5, 3, dated)}
    return backtest_panel(panel, SETTINGS, origins=2, executor=InlineExecutor())


def test_the_round_trip_through_json_gives_the_same_backtest(result):
    data = result.to_dict()
    before = copy.deepcopy(data)
    again = PanelBacktest.from_dict(json.loads(json.dumps(data, allow_nan=False)))
    assert data == before  # reading does not change what was stored
    pd.testing.assert_frame_equal(again.frame, result.frame, check_dtype=False)
    pd.testing.assert_frame_equal(again.scores, result.scores, check_dtype=False)
    pd.testing.assert_frame_equal(again.per_series, result.per_series, check_dtype=False)
    assert again.time_column == result.time_column
    assert list(again.frame["series"].unique()) == ["north", "007"]  # ids stay text
    for model, values in result.summary["models"].items():
        for key, value in values.items():
            assert again.summary["models"][model][key] == (
                None if value is None else pytest.approx(value))
    assert again.summary["origins"] == result.summary["origins"] == 4
    assert again.summary["series"] == 2
    assert again.summary["lstm_beats"] == pytest.approx(result.summary["lstm_beats"])
    assert again.excluded == result.excluded and set(again.excluded) == {"tiny"}
    assert again.settings == result.settings
    assert (again.mode, again.horizon, again.step, again.stopped) == ("global", 6, 6, False)
    assert again.notes == result.notes
    assert again.seconds == pytest.approx(result.seconds)


def test_the_stored_form_is_plain_json(result):
    text = json.dumps(result.to_dict(), allow_nan=False)  # NaN would be stored as null
    assert '"series": "north"' in text
