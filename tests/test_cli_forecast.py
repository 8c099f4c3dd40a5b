"""Tests for `python -m lstm_core forecast` (in-process, tiny models)."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.cli import build_parser, main
from lstm_core.commands._settings import resolve_settings

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--window", "12", "--units", "4", "--epochs", "2", "--patience", "0", "--seed", "3"]


@pytest.fixture()
def monthly_csv(tmp_path: Path) -> Path:
    t = np.arange(60)
    frame = pd.DataFrame(
        {
            "Month": pd.date_range("2018-01-01", periods=60, freq="MS").strftime("%Y-%m"),
            "Sales": 50 + t + 8 * np.sin(2 * np.pi * t / 12),
        }
    )
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    return path


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["forecast", *argv])


def test_forecast_writes_csv_of_right_length_and_dates(monthly_csv, tmp_path, capsys):
    out = tmp_path / "f.csv"
    report = tmp_path / "r.html"
    code = main(["forecast", str(monthly_csv), "--horizon", "4", "--out", str(out),
                 "--report", str(report), *TINY])
    assert code == 0
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["date", "forecast", "lower", "upper"]
    assert list(frame["date"]) == ["2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01"]
    summary = json.loads(capsys.readouterr().out)
    assert summary["settings"]["window"] == {"input_length": 12, "horizon": 4}
    assert summary["settings"]["train"]["epochs"] == 2
    assert set(summary["scores"]) == {"lstm", "naive", "seasonal_naive", "ets"}
    assert 0.0 <= summary["coverage"] <= 1.0
    assert summary["seconds"] > 0
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Checked on data it never saw" in page
    assert summary["report"] == str(report) and "deck" not in summary


def test_forecast_writes_deck_and_report_in_thai(monthly_csv, tmp_path, capsys):
    from pptx import Presentation

    deck, report = tmp_path / "x.pptx", tmp_path / "x.html"
    hostile = '=HYPERLINK("http://x","y") <script>alert(1)</script>'
    code = main(["forecast", str(monthly_csv), "--horizon", "4", "--out", str(tmp_path / "f.csv"),
                 "--deck", str(deck), "--report", str(report), "--lang", "th", "--no-save",
                 "--name", hostile, *TINY])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["deck"] == str(deck) and summary["report"] == str(report)
    slides = Presentation(str(deck)).slides
    assert len(slides) == 6 and slides[0].shapes.title.text == "'" + hostile
    assert slides[4].shapes.title.text == "ค่าพยากรณ์"
    page = report.read_text(encoding="utf-8")
    assert '<html lang="th">' in page and "<script>alert(1)" not in page


def test_an_output_folder_that_does_not_exist_exits_2_before_training(monthly_csv, tmp_path,
                                                                      capsys):
    deck = tmp_path / "missing" / "x.pptx"
    assert main(["forecast", str(monthly_csv), "--horizon", "4", "--deck", str(deck)]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: The folder for --deck ({deck.parent}) does not exist: create it or "
                   "choose another path.\n")
    assert main(["forecast", str(monthly_csv), "--horizon", "4", "--report", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"error: --report ({tmp_path}) is a folder: give a file path inside it.\n"
    )
    assert main(["forecast", str(monthly_csv), "--from-run", "x.zip", "--deck", "d.pptx"]) == 2
    assert capsys.readouterr().err.startswith("error: --deck cannot be used with --from-run")


def test_flags_override_config_which_overrides_defaults(tmp_path):
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"model": {"units": 3, "layers": 2}, "train": {"seed": 5},
                                  "level": 0.9}))
    settings = resolve_settings(
        _args("x.csv", "--horizon", "6", "--config", str(config), "--units", "8"), 144, 12
    )
    assert settings.model.units == 8  # flag beats config
    assert settings.model.layers == 2 and settings.train.seed == 5 and settings.level == 0.9
    assert settings.window.horizon == 6 and settings.holdout == 6
    assert settings.window.input_length == 24  # default: two seasons


def test_bad_config_is_a_settings_error(tmp_path):
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"model": {"colour": "red"}}))
    from lstm_core.errors import SettingsError

    with pytest.raises(SettingsError) as info:
        resolve_settings(_args("x.csv", "--horizon", "3", "--config", str(config)), 100, None)
    assert str(info.value) == (
        "Unknown model key 'colour'; allowed keys are activation, dropout, layers, units."
    )


def test_a_section_that_is_not_an_object_is_a_settings_error(tmp_path):
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"window": 5}))
    from lstm_core.errors import SettingsError

    with pytest.raises(SettingsError) as info:
        resolve_settings(_args("x.csv", "--horizon", "3", "--config", str(config)), 100, None)
    assert str(info.value) == "window in the settings file must be a JSON object."


def test_missing_horizon_exits_2(monthly_csv, capsys):
    assert main(["forecast", str(monthly_csv)]) == 2
    assert capsys.readouterr().err == (
        "error: --horizon is required: say how many steps to forecast.\n"
    )


def test_bad_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,colour\nalice,red\nbob,blue\n")
    proc = subprocess.run(
        [sys.executable, "-m", "lstm_core", "forecast", str(bad), "--horizon", "3",
         "--out", str(tmp_path / "f.csv")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert not (tmp_path / "f.csv").exists()


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["forecast", str(tmp_path / "nope.csv"), "--horizon", "3"]) == 2
    assert capsys.readouterr().err.startswith("error: file not found:")


def test_from_run_forecasts_without_training(monthly_csv, tmp_path, capsys):
    from lstm_core.data import load_dataset
    from lstm_core.pipeline import run_forecast
    from lstm_core.plan import default_settings
    from lstm_core.run_record import manifest_from_result
    from lstm_core.runs import save_bundle

    dataset = load_dataset(monthly_csv.read_bytes(), monthly_csv.name)
    settings = default_settings(60, 12)
    settings = type(settings).from_dict(
        {**settings.to_dict(), "window": {"input_length": 12, "horizon": 6},
         "model": {"units": 4}, "train": {"epochs": 2, "patience": 0}, "holdout": 6}
    )
    result = run_forecast(dataset.series, settings)
    bundle = tmp_path / "run.zip"
    save_bundle(bundle, list(result.models),
                manifest_from_result(result, name="tiny", dataset_name="sales.csv"))
    out = tmp_path / "again.csv"
    capsys.readouterr()
    code = main(["forecast", str(monthly_csv), "--from-run", str(bundle), "--horizon", "3",
                 "--out", str(out)])
    assert code == 0
    frame = pd.read_csv(io.BytesIO(out.read_bytes()))
    assert len(frame) == 3
    np.testing.assert_allclose(frame["forecast"], result.future["forecast"][:3], rtol=1e-5)
    assert json.loads(capsys.readouterr().out)["run_name"] == "tiny"
    assert main(["forecast", str(monthly_csv), "--from-run", str(bundle), "--epochs", "3"]) == 2


def _runs_json(capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["runs", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_forecast_records_a_run_unless_no_save(monthly_csv, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path / "home"))
    out = tmp_path / "f.csv"
    assert main(["forecast", str(monthly_csv), "--horizon", "4", "--out", str(out),
                 "--name", "scheduled", *TINY]) == 0
    summary = json.loads(capsys.readouterr().out)
    runs = _runs_json(capsys)
    assert [run["id"] for run in runs] == [summary["run_id"]]
    assert runs[0]["name"] == "scheduled" and runs[0]["dataset"] == "sales"
    assert main(["forecast", str(monthly_csv), "--horizon", "4", "--out", str(out),
                 "--no-save", *TINY]) == 0
    assert json.loads(capsys.readouterr().out)["run_id"] is None
    assert len(_runs_json(capsys)) == 1


def test_sixty_months_with_a_year_ahead_forecast_with_defaults(tmp_path, capsys):
    """The most common file: five years of monthly data, horizon 12 (crashed before the plan)."""
    t = np.arange(60)
    path = tmp_path / "short.csv"
    pd.DataFrame({"month": pd.date_range("2019-01-01", periods=60, freq="MS"),
                  "sales": 100 + t + 20 * np.sin(t * np.pi / 6)}).to_csv(path, index=False)
    assert main(["forecast", str(path), "--horizon", "12", "--epochs", "5", "--no-save",
                 "--out", str(tmp_path / "f.csv")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["season_length"] == 12
    assert summary["settings"]["window"] == {"input_length": 12, "horizon": 12}
    assert len(pd.read_csv(tmp_path / "f.csv")) == 12


def test_too_short_file_exits_2_naming_the_minimum(tmp_path, capsys):
    path = tmp_path / "tiny.csv"
    pd.DataFrame({"month": pd.date_range("2019-01-01", periods=20, freq="MS"),
                  "sales": np.arange(20.0) + 5}).to_csv(path, index=False)
    assert main(["forecast", str(path), "--horizon", "12", "--no-save"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: The series has 20 points")
    assert "need at least 27" in err
