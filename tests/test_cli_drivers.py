"""`python -m lstm_core forecast|backtest` with drivers (in-process, tiny models)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.cli import main

TINY = ["--window", "24", "--units", "8", "--epochs", "30", "--patience", "0", "--seed", "3"]
N, H = 96, 12
HINT = ("Give them as rows after the data (a date and the drivers, no value), or as a table of "
        "future values.")


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    t = np.arange(N + H)
    promo = rng.random(N + H) < 0.3
    sales = 100 + 0.2 * t + 10 * np.sin(2 * np.pi * t / 12) + 40 * promo + rng.normal(0, 3, t.size)
    frame = pd.DataFrame({
        "date": pd.date_range("2016-01-01", periods=N + H, freq="MS").strftime("%Y-%m-%d"),
        "sales": sales.round(2), "promo": np.where(promo, "yes", "no"),
        "temp": rng.normal(20, 5, N + H).round(1),
    })
    frame.loc[N:, ["sales", "temp"]] = np.nan  # the planned months: promotions known, no sales
    return frame


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("drivers")
    frame = _frame()
    paths = {"data": folder / "promo.csv", "future": folder / "future.csv",
             "short": folder / "short.csv", "text": folder / "text.csv",
             "history": folder / "history.csv"}
    frame.to_csv(paths["data"], index=False)
    frame.iloc[:N].to_csv(paths["history"], index=False)
    future = frame.loc[N:, ["date", "promo"]]
    future.assign(promo="yes").to_csv(paths["future"], index=False)
    future.iloc[:5].to_csv(paths["short"], index=False)
    future.assign(promo=["maybe", *future["promo"].iloc[1:]]).to_csv(paths["text"], index=False)
    return paths


@pytest.fixture(scope="module")
def trained(files, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out") / "f.csv"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["forecast", str(files["data"]), "--drivers", "promo", "--observed", "temp",
                     "--horizon", str(H), "--out", str(out), *TINY])
    assert code == 0
    return {"summary": json.loads(buffer.getvalue()), "out": out}


def test_forecast_with_drivers_scores_the_lstm_without_them(trained):
    summary = trained["summary"]
    assert list(summary["scores"])[:2] == ["lstm", "lstm_no_drivers"]
    assert summary["scores"]["lstm"]["mase"] < summary["scores"]["lstm_no_drivers"]["mase"]
    assert summary["drivers"]["drivers"] == [{"name": "promo", "kind": "known"},
                                             {"name": "temp", "kind": "observed"}]
    assert summary["driver_notes"] == [
        "The last 12 rows (2024-01-01 to 2024-12-01) have no value for 'sales': their "
        "known-ahead driver values are used as the future values."
    ]
    frame = pd.read_csv(trained["out"])
    assert list(frame.columns) == ["date", "forecast", "lower", "upper", "no_drivers"]
    assert frame["date"].iloc[0] == "2024-01-01" and len(frame) == H


def test_a_scenario_is_reforecast_from_the_saved_run(trained, files, tmp_path, capsys):
    out = tmp_path / "scenario.csv"
    code = main(["forecast", str(files["data"]), "--from-run", trained["summary"]["run_id"],
                 "--future", str(files["future"]), "--out", str(out)])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["future_values"] == str(files["future"])
    original = pd.read_csv(trained["out"])
    scenario = pd.read_csv(out)
    planned = _frame()["promo"].iloc[N:].to_numpy() == "yes"
    lift = scenario["forecast"].to_numpy() - original["forecast"].to_numpy()
    assert (lift[~planned] > 15).all()  # a promotion every month lifts the months without one
    assert np.abs(lift[planned]).max() < 10
    # the file's own future rows reproduce the trained forecast
    again = tmp_path / "again.csv"
    assert main(["forecast", str(files["data"]), "--from-run", trained["summary"]["run_id"],
                 "--out", str(again)]) == 0
    np.testing.assert_allclose(pd.read_csv(again)["forecast"], original["forecast"], rtol=1e-5)


@pytest.mark.parametrize(("name", "message"), [
    ("short", "error: Missing future values for column 'promo' from 2024-06-01; the forecast "
              f"needs values up to 2024-12-01. {HINT}\n"),
    ("text", "error: The future value of 'promo' on 2024-01-01 is 'maybe', not a number; write "
             f"a number (or yes/no) in that cell. {HINT}\n"),
])
def test_bad_future_values_are_one_error_line(files, tmp_path, capsys, name, message):
    code = main(["forecast", str(files["history"]), "--drivers", "promo", "--horizon", str(H),
                 "--future", str(files[name]), "--out", str(tmp_path / "x.csv"), *TINY])
    assert code == 2
    assert capsys.readouterr().err == message


def test_no_future_values_at_all_is_one_error_line(files, tmp_path, capsys):
    code = main(["forecast", str(files["history"]), "--drivers", "promo", "--horizon", str(H),
                 "--out", str(tmp_path / "x.csv"), *TINY])
    assert code == 2
    assert capsys.readouterr().err == (
        "error: Missing future values for column 'promo' from 2024-01-01; the forecast needs "
        f"values up to 2024-12-01. {HINT}\n"
    )


def test_driver_flags_are_refused_where_they_cannot_apply(files, trained, tmp_path, capsys):
    out = str(tmp_path / "x.csv")
    assert main(["forecast", str(files["data"]), "--from-run", trained["summary"]["run_id"],
                 "--drivers", "promo", "--out", out]) == 2
    assert capsys.readouterr().err.startswith("error: --drivers cannot be used with --from-run")
    assert main(["forecast", str(files["history"]), "--future", str(files["future"]),
                 "--horizon", "3", "--out", out]) == 2
    assert capsys.readouterr().err == (
        "error: --future gives future values of drivers; choose them with --drivers (or leave "
        "out --future).\n"
    )
    assert main(["forecast", str(files["history"]), "--value-col", "sales", "--drivers", "sales",
                 "--horizon", "3", "--out", out]) == 2
    assert "cannot also be a driver" in capsys.readouterr().err


def test_backtest_with_drivers(files, tmp_path, capsys):
    code = main(["backtest", str(files["data"]), "--drivers", "promo", "--horizon", str(H),
                 "--origins", "2", "--workers", "1", "--out", str(tmp_path / "b.csv"), *TINY])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["mean_mase"]) == {"lstm", "lstm_no_drivers", "naive", "seasonal_naive",
                                         "ets"}
    assert summary["drivers_verdict"].startswith("The drivers ")
    assert "lstm_no_drivers" in pd.read_csv(tmp_path / "b.csv").columns
