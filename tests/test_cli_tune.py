"""Tests for `python -m lstm_core tune` (in-process, tiny models, trials run in this process)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.cli import main
from lstm_core.config import Settings

TINY = ["--window", "4", "--units", "3", "--epochs", "3", "--patience", "0", "--seed", "3"]


@pytest.fixture()
def quarterly_csv(tmp_path: Path) -> Path:
    t = np.arange(60)
    frame = pd.DataFrame({
        "Quarter": pd.date_range("2000-01-01", periods=60, freq="QS").strftime("%Y-%m-%d"),
        "Sales": 20 + 0.3 * t + 3 * np.sin(np.pi * t / 2),
    })
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    return path


def test_tune_writes_the_best_settings_that_forecast_reads(quarterly_csv, tmp_path, capsys):
    out = tmp_path / "best.json"
    code = main(["tune", str(quarterly_csv), "--horizon", "4", *TINY, "--trials", "3",
                 "--workers", "1", "--out", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert "trial 0: complete" in captured.err and "trial 2:" in captured.err
    lines = captured.out.splitlines()
    assert lines[0].split()[:3] == ["trial", "state", "score"] and len(lines) == 1 + 3 + 1
    assert lines[-1].startswith("Best: trial ")
    assert f"forecast {quarterly_csv} --horizon 4 --config {out}" in lines[-1]
    best = Settings.from_dict(json.loads(out.read_text()))
    assert best.window.horizon == 4 and best.train.epochs == 3  # unsearched settings kept


@pytest.mark.parametrize(
    ("flags", "message"),
    [(["--budget", "0"], "error: --budget must be between 0 and 3600 seconds, got 0."),
     (["--trials", "0"], "error: --trials must be at least 1, got 0."),
     (["--engine", "local", "--workers", "0"], "error: --workers must be at least 1, got 0."),
     (["--out", "/nonexistent/folder/x.json"],
      "error: The folder of --out (/nonexistent/folder) does not exist; create it or choose "
      "another path.")],
)
def test_tune_refuses_bad_flags_plainly(quarterly_csv, capsys, flags, message):
    assert main(["tune", str(quarterly_csv), "--horizon", "4", *flags]) == 2
    assert capsys.readouterr().err.strip() == message
