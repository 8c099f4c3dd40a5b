"""`forecast` and `backtest` on files of many series (long and wide), in-process, tiny models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.cli import main

TINY = ["--window", "12", "--units", "4", "--epochs", "2", "--patience", "0", "--seed", "3"]
REGIONS = {"North": 100.0, "South": 1000.0, "East": 10.0}


def _long_frame() -> pd.DataFrame:
    months = pd.date_range("2018-01-01", periods=48, freq="MS")
    t = np.arange(48)
    parts = [pd.DataFrame({"region": name, "month": months.strftime("%Y-%m-%d"),
                           "sales": level * (1 + 0.01 * t + 0.1 * np.sin(2 * np.pi * t / 12))})
             for name, level in REGIONS.items()]
    parts.append(pd.DataFrame({"region": "Tiny", "month": months[-10:].strftime("%Y-%m-%d"),
                               "sales": np.arange(10.0) + 1}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture()
def long_csv(tmp_path: Path) -> Path:
    path = tmp_path / "regions.csv"
    _long_frame().to_csv(path, index=False)
    return path


@pytest.fixture()
def wide_csv(tmp_path: Path) -> Path:
    frame = _long_frame()
    frame = frame[frame["region"] != "Tiny"]
    path = tmp_path / "regions_wide.csv"
    frame.pivot(index="month", columns="region", values="sales").reset_index().to_csv(
        path, index=False)
    return path


def test_long_file_is_detected_and_every_series_forecast(long_csv, tmp_path, capsys):
    out = tmp_path / "all.csv"
    assert main(["forecast", str(long_csv), "--horizon", "6", "--out", str(out), *TINY]) == 0
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["series", "date", "forecast", "lower", "upper"]
    assert frame.groupby("series").size().to_dict() == {"East": 6, "North": 6, "South": 6}
    assert list(frame["date"][:2]) == ["2022-01-01", "2022-02-01"]
    summary = json.loads(capsys.readouterr().out)
    assert summary["layout"] == "long" and summary["mode"] == "global"
    assert summary["series"] == 3
    assert summary["excluded"]["Tiny"].startswith("The series has 10 points")
    assert [row["series"] for row in summary["per_series"]] == ["North", "South", "East"]
    assert summary["aggregate"]["series"] == 3
    assert set(summary["aggregate"]["lstm_beats"]) == {"naive", "seasonal_naive", "ets"}
    assert summary["run_id"]


def test_long_and_wide_layouts_give_the_same_forecasts(long_csv, wide_csv, tmp_path, capsys):
    by_id, wide = tmp_path / "a.csv", tmp_path / "b.csv"
    main(["forecast", str(long_csv), "--id-col", "region", "--horizon", "6", "--out", str(by_id),
          "--no-save", *TINY])
    main(["forecast", str(wide_csv), "--all-values", "--horizon", "6", "--out", str(wide),
          "--no-save", *TINY])
    capsys.readouterr()
    first = pd.read_csv(by_id).sort_values(["series", "date"], ignore_index=True)
    second = pd.read_csv(wide).sort_values(["series", "date"], ignore_index=True)
    pd.testing.assert_frame_equal(first, second)


def test_wide_value_columns_and_local_mode(wide_csv, tmp_path, capsys):
    out = tmp_path / "two.csv"
    assert main(["forecast", str(wide_csv), "--value-cols", "North,East", "--mode", "local",
                 "--horizon", "6", "--out", str(out), "--no-save", *TINY]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["layout"] == "wide" and summary["mode"] == "local"
    assert sorted(pd.read_csv(out)["series"].unique()) == ["East", "North"]


def test_panel_backtest_prints_aggregate_and_per_series(long_csv, tmp_path, capsys):
    out = tmp_path / "bt.csv"
    assert main(["backtest", str(long_csv), "--horizon", "6", "--origins", "2", "--workers", "1",
                 "--out", str(out), *TINY]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["series"] == 3 and summary["pairs"] == 6
    assert "Tiny" in summary["excluded"]
    assert summary["verdict"].startswith("The LSTM beat seasonal naive at ")
    assert "(series, cut-off) pairs" in summary["verdict"]
    frame = pd.read_csv(out)
    assert list(frame.columns[:3]) == ["series", "cutoff", "date"]
    assert len(frame) == 3 * 2 * 6


@pytest.mark.parametrize(("extra", "message"), [
    (["--report", "r.html"], "error: --report works on one series, and this file holds 4; "),
    (["--value-cols", ","], "error: --value-cols needs at least one column name"),
    (["--id-col", "nope"], "error: There is no id column named 'nope'"),
])
def test_panel_user_errors_are_one_line(long_csv, tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    assert main(["forecast", str(long_csv), "--horizon", "6", *extra, *TINY]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert "Traceback" not in err


def test_a_saved_panel_run_forecasts_the_file_again_without_training(long_csv, tmp_path,
                                                                     capsys):
    first, again = tmp_path / "a.csv", tmp_path / "b.csv"
    main(["forecast", str(long_csv), "--horizon", "6", "--out", str(first), *TINY])
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert main(["forecast", str(long_csv), "--from-run", run_id, "--out", str(again)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["series"] == 3 and summary["not_in_run"] == ["Tiny"]
    pd.testing.assert_frame_equal(pd.read_csv(first), pd.read_csv(again), rtol=1e-5)


def test_a_single_series_run_is_refused_for_a_file_of_many(long_csv, tmp_path, capsys):
    one = tmp_path / "one.csv"
    _long_frame().query("region == 'North'")[["month", "sales"]].to_csv(one, index=False)
    main(["forecast", str(one), "--horizon", "6", "--out", str(tmp_path / "o.csv"), *TINY])
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert main(["forecast", str(long_csv), "--from-run", run_id,
                 "--out", str(tmp_path / "x.csv")]) == 2
    assert capsys.readouterr().err == (
        "error: This run forecast one series, and the file holds 4; use the run with the file of "
        "its series, or a run trained on this file.\n")


def test_local_mode_that_cannot_be_saved_is_refused_before_training(tmp_path, capsys):
    months = pd.date_range("2018-01-01", periods=30, freq="MS").strftime("%Y-%m-%d")
    frame = pd.DataFrame({f"s{i}": 2 * np.arange(30.0) + 5 + i for i in range(70)})
    frame.insert(0, "month", months)
    path = tmp_path / "many.csv"
    frame.to_csv(path, index=False)
    assert main(["forecast", str(path), "--all-values", "--mode", "local", "--horizon", "3",
                 "--out", str(tmp_path / "o.csv"), *TINY]) == 2
    assert capsys.readouterr().err.startswith(
        "error: One LSTM per series makes 70 networks here, more than a saved run holds (64); "
        "use --mode global, or --no-save")


def test_identity_is_for_the_global_model(long_csv, tmp_path, capsys):
    out = tmp_path / "id.csv"
    assert main(["forecast", str(long_csv), "--identity", "--horizon", "6", "--out", str(out),
                 "--no-save", *TINY]) == 0
    assert json.loads(capsys.readouterr().out)["series"] == 3
    assert main(["forecast", str(long_csv), "--identity", "--mode", "local", "--horizon", "6",
                 "--out", str(out), "--no-save", *TINY]) == 2
    assert capsys.readouterr().err == (
        "error: --identity works with --mode global (one LSTM per series already knows its "
        "series); leave one of them out.\n")
