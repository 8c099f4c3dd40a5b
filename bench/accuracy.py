"""Accuracy benchmark: the default LSTM settings against seasonal naive and ETS on real series.

Every series is one that an installed package (statsmodels) or this repository ships, so the
benchmark runs offline. For each series the last season (one default horizon) is held out; the
table shows the holdout MASE (below 1 beats the in-sample seasonal naive) of the LSTM, seasonal
naive and ETS, the measured coverage of the LSTM's interval and the wall time of the whole
`run_forecast` (training, baselines, intervals and the future forecast).

No installed package ships a real sub-daily (e.g. hourly) series, so none is included; the daily
births sample is the highest-frequency real series here.

Usage: `python bench/accuracy.py [--only NAME ...] [--ensemble N] [--transform auto|none|log]`.
The machine is shared, so wall seconds vary between runs (the summary prints the load average and
the process CPU seconds, both training threads included); the scores do not (fixed seeds).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # silence TensorFlow C++ info and warnings

import argparse
import io
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.config import default_settings  # noqa: E402
from lstm_core.pipeline import infer_season, run_forecast  # noqa: E402
from lstm_core.samples import sample_bytes  # noqa: E402


def _sample(key: str, freq: str) -> pd.Series:
    frame = pd.read_csv(io.BytesIO(sample_bytes(key)))
    index = pd.DatetimeIndex(pd.to_datetime(frame.iloc[:, 0]), freq=None)
    series = pd.Series(frame.iloc[:, 1].to_numpy(float), index=index, name=key)
    return series.asfreq(freq)


def _co2() -> pd.Series:
    from statsmodels.datasets import co2

    data = co2.load_pandas().data["co2"]
    # Weekly, with a few missing weeks: put on a regular weekly grid and interpolate the gaps.
    weekly = data.resample("W-SAT").mean().interpolate("linear")
    return weekly.rename("co2").astype(float)


def _elec_equip() -> pd.Series:
    from statsmodels.datasets import elec_equip

    data = elec_equip.load_pandas().data.iloc[:, 0]
    return pd.Series(data.to_numpy(float), index=pd.date_range(data.index[0], periods=len(data),
                                                              freq="MS"), name="elec_equip")


def _macro(column: str) -> pd.Series:
    from statsmodels.datasets import macrodata

    data = macrodata.load_pandas().data
    index = pd.date_range("1959-01-01", periods=len(data), freq="QS")
    return pd.Series(data[column].to_numpy(float), index=index, name=column)


def _elnino() -> pd.Series:
    from statsmodels.datasets import elnino

    data = elnino.load_pandas().data
    values = data.drop(columns="YEAR").to_numpy(float).ravel()
    index = pd.date_range(f"{int(data['YEAR'].iloc[0])}-01-01", periods=values.size, freq="MS")
    return pd.Series(values, index=index, name="elnino")


def _yearly(module: str, column: str, year: str) -> pd.Series:
    import importlib

    data = importlib.import_module(f"statsmodels.datasets.{module}").load_pandas().data
    index = pd.date_range(f"{int(data[year].iloc[0])}-01-01", periods=len(data), freq="YS")
    return pd.Series(data[column].to_numpy(float), index=index, name=module)


SERIES = {
    "airline (monthly)": lambda: _sample("airline", "MS"),
    "elec_equip (monthly)": _elec_equip,
    "elnino (monthly)": _elnino,
    "realgdp (quarterly)": lambda: _macro("realgdp"),
    "cpi (quarterly)": lambda: _macro("cpi"),
    "co2 (weekly)": _co2,
    "births (daily)": lambda: _sample("births", "D"),
    "sunspots (yearly)": lambda: _yearly("sunspots", "SUNACTIVITY", "YEAR"),
    "nile (yearly)": lambda: _yearly("nile", "volume", "year"),
}


def run(only: list[str] | None, ensemble: int | None, transform: str | None) -> list[dict]:
    """Run the benchmark and return one row per series."""
    rows = []
    for name, load in SERIES.items():
        if only and not any(o.lower() in name.lower() for o in only):
            continue
        series = load()
        season = infer_season(series.index)
        settings = default_settings(len(series), season)
        if ensemble is not None:
            settings = replace(settings, ensemble=ensemble)
        if transform is not None:
            settings = replace(settings, transform=transform)
        started, cpu = time.perf_counter(), time.process_time()
        result = run_forecast(series, settings, season_length=season or 1)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        rows.append(
            {
                "series": name,
                "n": len(series),
                "season": season,
                "horizon": settings.window.horizon,
                "window": settings.window.input_length,
                "lstm": result.scores["lstm"]["mase"],
                "snaive": result.scores["seasonal_naive"]["mase"],
                "ets": result.scores["ets"]["mase"],
                "coverage": result.coverage,
                "epochs": [r.epochs_run for r in result.train_results],
                "seconds": seconds,
                "cpu_seconds": cpu,
            }
        )
        _print_row(rows[-1])
    return rows


def _fmt(value: float | None) -> str:
    return "   n/a" if value is None or not np.isfinite(value) else f"{value:6.3f}"


def _print_row(row: dict) -> None:
    print(
        f"{row['series']:<22} n={row['n']:<5} h={row['horizon']:<3} L={row['window']:<4}"
        f" LSTM {_fmt(row['lstm'])}  sNaive {_fmt(row['snaive'])}  ETS {_fmt(row['ets'])}"
        f"  cover {row['coverage']:5.0%}  {row['seconds']:5.1f}s (cpu {row['cpu_seconds']:5.1f}s)"
        f"  epochs {row['epochs']}",
        flush=True,
    )


def summary(rows: list[dict]) -> dict:
    """Totals: mean MASE per model, wins over seasonal naive, mean coverage, total seconds."""
    def mean(key: str) -> float:
        return float(np.mean([r[key] for r in rows if r[key] is not None]))

    return {
        "series": len(rows),
        "mean_mase": {"lstm": mean("lstm"), "seasonal_naive": mean("snaive"), "ets": mean("ets")},
        "lstm_beats_seasonal_naive": sum(
            r["lstm"] is not None and r["snaive"] is not None and r["lstm"] < r["snaive"]
            for r in rows
        ),
        "lstm_beats_ets": sum(
            r["lstm"] is not None and r["ets"] is not None and r["lstm"] < r["ets"] for r in rows
        ),
        "mean_coverage": mean("coverage"),
        "seconds": sum(r["seconds"] for r in rows),
        "cpu_seconds": sum(r["cpu_seconds"] for r in rows),
        "load_average_1min": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only series whose name contains these")
    parser.add_argument("--ensemble", type=int, help="override the ensemble size")
    parser.add_argument("--transform", choices=("auto", "none", "log"))
    args = parser.parse_args(argv)
    rows = run(args.only, args.ensemble, args.transform)
    print(json.dumps(summary(rows), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
