"""Rolling-origin backtest: cut-offs, scores, the same forecast as `forecast`, stop, storage."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.backtest import (
    BacktestResult,
    backtest,
    backtest_cutoffs,
    backtest_verdict,
    max_origins,
)
from lstm_core.cli import main
from lstm_core.config import ModelConfig, Settings, TrainConfig, WindowConfig
from lstm_core.errors import DataError, SettingsError
from lstm_core.executor import InlineExecutor, LocalExecutor

TINY = Settings(
    window=WindowConfig(input_length=8, horizon=4),
    model=ModelConfig(units=3),
    train=TrainConfig(epochs=2, batch_size=16, patience=0, seed=3),
    holdout=4,
)


def _quarterly(values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=pd.date_range("2000-01-01", periods=len(values), freq="QS"),
                     name="y")


def _noisy(n: int = 60) -> pd.Series:
    rng = np.random.default_rng(9)
    t = np.arange(n)
    return _quarterly(20 + 0.3 * t + 3 * np.sin(np.pi * t / 2) + rng.normal(0, 0.5, n))


def test_cutoffs_end_with_the_series_and_are_one_step_apart():
    assert backtest_cutoffs(60, 4, 3, 4) == [48, 52, 56]
    assert backtest_cutoffs(60, 4, 3, 2) == [52, 54, 56]
    need = 4 + 8 + 4 + 2  # holdout, window, horizon, two more training windows
    assert max_origins(60, TINY) == (60 - 4 - need) // 4 + 1
    assert max_origins(need + 3, TINY) == 0


def test_exact_season_makes_seasonal_naive_perfect_and_mase_undefined():
    season = np.array([10.0, 14.0, 9.0, 17.0])
    result = backtest(_quarterly(np.tile(season, 12)), TINY, origins=3,
                      executor=InlineExecutor())
    assert len(result.frame) == 3 * 4 and list(result.frame.columns) == [
        "cutoff", "date", "actual", "lstm", "lower", "upper", "naive", "seasonal_naive", "ets"]
    np.testing.assert_array_equal(result.frame["seasonal_naive"], result.frame["actual"])
    assert result.scores["mae_seasonal_naive"].tolist() == [0.0, 0.0, 0.0]
    assert result.scores["seasonal_naive"].isna().all()  # undefined, not infinite
    assert not np.isinf(result.scores[["lstm", "naive", "seasonal_naive", "ets"]]).any().any()
    assert result.summary["models"]["seasonal_naive"]["mean_mase"] is None
    assert any(note.startswith("MASE is undefined at some cut-offs") for note in result.notes)
    json.dumps(result.to_dict(), allow_nan=False)  # undefined scores are null in JSON
    assert backtest_verdict(result.summary).startswith("The LSTM beat seasonal naive at 0 of 3")


def test_scores_and_summary_are_computed_from_the_frame():
    series = _noisy()
    result = backtest(series, TINY, origins=2, executor=InlineExecutor())
    values = series.to_numpy()
    for (cutoff, rows), score in zip(result.frame.groupby("cutoff"), result.scores.itertuples(),
                                     strict=True):
        cut = series.index.get_loc(cutoff) + 1
        scale = np.mean(np.abs(values[4:cut] - values[:cut - 4]))  # in-sample seasonal naive
        assert score.lstm == pytest.approx(np.mean(np.abs(rows["actual"] - rows["lstm"])) / scale)
        inside = (rows["actual"] >= rows["lower"]) & (rows["actual"] <= rows["upper"])
        assert score.coverage == pytest.approx(inside.mean())
    lstm = result.summary["models"]["lstm"]
    assert lstm["mean_mase"] == pytest.approx(result.scores["lstm"].mean())
    assert lstm["geomean_mase"] == pytest.approx(math.exp(np.log(result.scores["lstm"]).mean()))
    share = np.mean(result.scores["mae_lstm"] < result.scores["mae_ets"])
    assert result.summary["lstm_beats"]["ets"] == pytest.approx(share)


def test_last_cutoff_equals_forecast_on_the_file_cut_there(tmp_path, capsys):
    """In worker processes, the last cut-off's forecast is `forecast` on the data up to it."""
    series = _noisy()
    result = backtest(series, TINY, origins=2, executor=LocalExecutor(2))
    cut = tmp_path / "cut.csv"
    series.iloc[:-4].rename_axis("quarter").to_csv(cut)
    config = tmp_path / "settings.json"
    config.write_text(json.dumps(TINY.to_dict()))
    out = tmp_path / "f.csv"
    capsys.readouterr()
    assert main(["forecast", str(cut), "--horizon", "4", "--config", str(config), "--no-save",
                 "--out", str(out)]) == 0
    cli = pd.read_csv(out)
    last = result.frame[result.frame["cutoff"] == result.cutoffs[-1]]
    np.testing.assert_allclose(last["lstm"], cli["forecast"], rtol=1e-9)
    np.testing.assert_allclose(last["upper"], cli["upper"], rtol=1e-9)


def test_too_short_for_the_origins_names_how_many_fit():
    series = _noisy(30)
    fits = max_origins(30, TINY)
    with pytest.raises(DataError) as info:
        backtest(series, TINY, origins=fits + 1, executor=InlineExecutor())
    assert str(info.value).startswith(
        f"The series fits at most {fits} cut-off{'s' if fits != 1 else ''} with these settings")
    with pytest.raises(DataError) as info:
        backtest(series.iloc[:20], TINY, origins=1, executor=InlineExecutor())
    assert "too few for even one cut-off" in str(info.value)
    with pytest.raises(SettingsError):
        backtest(series, TINY, origins=0)


def test_progress_and_stop_keep_what_finished():
    events: list[dict] = []
    settings = replace(TINY, train=replace(TINY.train, epochs=50))
    result = backtest(_noisy(), settings, origins=3, executor=InlineExecutor(),
                      on_progress=events.append, should_stop=lambda: len(events) >= 3)
    assert result.stopped and len(result.scores) == 1
    assert not result.scores["complete"].iloc[0]  # its training was cut short
    assert events[0]["origin"] == 1 and events[0]["origins"] == 3 and events[0]["epoch"] == 1
    assert result.notes[0].startswith("The backtest was stopped: 1 of 3 cut-offs are shown")


def test_round_trip_through_a_run_manifest(tmp_path):
    from lstm_core.pipeline import run_forecast
    from lstm_core.run_record import record_run
    from lstm_core.runs import RunStore

    series = _noisy()
    result = backtest(series, TINY, origins=2, executor=InlineExecutor())
    store = RunStore(tmp_path / "home")
    run_id, _ = record_run(run_forecast(series, TINY), dataset_name="q", store=store)
    store.attach(run_id, "backtest", result.to_dict())
    again = BacktestResult.from_dict(store.manifest(run_id)["extra"]["backtest"])
    pd.testing.assert_frame_equal(again.frame, result.frame, check_dtype=False)
    assert again.summary == json.loads(json.dumps(result.to_dict()))["summary"]
    _, manifest = store.get(run_id)  # the bundle holds it too
    assert manifest["extra"]["backtest"]["horizon"] == 4


def test_cli_backtest_prints_a_summary_and_writes_the_long_csv(tmp_path, capsys):
    data = tmp_path / "q.csv"
    _noisy().rename_axis("quarter").to_csv(data)
    config = tmp_path / "settings.json"
    config.write_text(json.dumps(TINY.to_dict()))
    out, report = tmp_path / "bt.csv", tmp_path / "bt.html"
    capsys.readouterr()
    assert main(["backtest", str(data), "--horizon", "4", "--origins", "2", "--workers", "1",
                 "--config", str(config), "--out", str(out), "--report", str(report)]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert set(summary["mean_mase"]) == {"lstm", "naive", "seasonal_naive", "ets"}
    assert summary["origins"] == 2 and 0 <= summary["lstm_beat_seasonal_naive"] <= 1
    assert summary["verdict"].startswith("The LSTM beat seasonal naive at")
    assert "2 of 2 cut-offs done" in captured.err
    frame = pd.read_csv(out)
    assert list(frame.columns)[:3] == ["cutoff", "date", "actual"] and len(frame) == 8
    assert report.read_text(encoding="utf-8").count("Forecast made with data up to") == 2


def test_cli_backtest_bad_input_is_one_error_line(tmp_path, capsys):
    data = tmp_path / "q.csv"
    _noisy(24).rename_axis("quarter").to_csv(data)
    assert main(["backtest", str(data), "--horizon", "4", "--origins", "5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: The series fits at most")
    assert main(["backtest", str(Path(tmp_path) / "none.csv"), "--horizon", "4"]) == 2


def test_gaps_before_a_cutoff_are_named_before_any_training():
    series = _noisy()
    series.iloc[-7] = np.nan  # inside the last cut-off's input window (window 8, horizon 4)
    with pytest.raises(DataError) as info:
        backtest(series, TINY, origins=2, executor=InlineExecutor())
    assert str(info.value).startswith(f"The 8 points before the cut-off at {series.index[-5]} "
                                      "have gaps")
