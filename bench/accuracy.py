"""Accuracy benchmark: the default LSTM settings against seasonal naive and ETS on real series.

Every series is one that an installed package (statsmodels, vega_datasets) or this repository
ships, so the benchmark runs offline. Each series is run twice with the default settings:

1. *Holdout*: the last season (one default horizon) is held out, as the product does by default.
   The table shows the holdout MASE (below 1 beats the in-sample seasonal naive) of the LSTM,
   seasonal naive and ETS, and the measured coverage of the LSTM's interval.
2. *Rolling*: the last `--origins` horizons (default 4) are held out and forecast from that many
   successive origins by one training (the pipeline's rolling holdout). One season of 4 quarterly
   points says little about coverage; 4 origins are a less noisy measure of both the MASE and the
   coverage, and a second test period the defaults were not tuned on alone.

Wall and CPU seconds are those of both `run_forecast` calls (training, baselines, intervals and
the future forecast). The sub-daily series is Seattle's hourly temperature (NOAA, public domain,
shipped in the `vega_datasets` wheel), its last 4 weeks.

Last measured (2026-11-27, 2 shared cores, load 1.7-3.7; MASE, coverage of the 80% interval):

    series        holdout LSTM/sNaive/ETS   cover | 4 origins LSTM/sNaive/ETS   cover | wall
    airline       0.378 / 1.571 / 0.346     100%  | 0.940 / 1.266 / 0.709        77%  |  8.9 s
    elec_equip    0.075 / 0.415 / 0.110     100%  | 0.329 / 0.366 / 0.294       100%  |  4.2 s
    elnino        1.326 / 1.039 / 0.828      67%  | 1.431 / 0.996 / 1.183        71%  |  5.5 s
    realgdp       2.347 / 1.677 / 1.716       0%  | 0.864 / 1.330 / 0.688        75%  |  2.8 s
    cpi           1.875 / 0.412 / 2.099      50%  | 1.125 / 1.532 / 1.044        50%  |  4.0 s
    co2           0.299 / 1.143 / 0.461     100%  | 0.744 / 1.409 / 0.517        96%  | 14.7 s
    births        3.272 / 4.160 / 2.970      57%  | 1.491 / 1.913 / 1.663        79%  |  7.5 s
    sunspots      0.937 / 2.677 / 3.970     100%  | 1.216 / 2.804 / 4.083       100%  |  2.1 s
    nile          0.960 / 0.968 / 0.857      90%  | 0.793 / 0.845 / 0.602        92%  |  1.4 s
    seattle (h)   1.175 / 1.806 / 1.039      83%  | 0.735 / 1.070 / 0.589        80%  |  5.9 s
    mean          1.264 / 1.587 / 1.440      75%  | 0.967 / 1.353 / 1.137        82%  | 57 s
                                                      (CPU 81 s: baselines run beside training)

The holdout of realgdp and cpi is 2008Q4-2009Q3 (the recession) and that of births the last week
of the year (Christmas): single-season holdouts like these are why the rolling run exists.

Usage: `python bench/accuracy.py [--only NAME ...] [--ensemble N] [--transform auto|none|log]
[--origins N]`. The machine is shared, so wall seconds vary between runs (the summary prints the
load average and the process CPU seconds, both training threads included); the scores do not
(fixed seeds).
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

from lstm_core.data import choose_season  # noqa: E402
from lstm_core.errors import DataError, SettingsError  # noqa: E402
from lstm_core.pipeline import run_forecast  # noqa: E402
from lstm_core.plan import default_settings  # noqa: E402
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


def _seattle_hourly(weeks: int = 4) -> pd.Series:
    from vega_datasets import local_data

    data = local_data.seattle_temps()
    hourly = pd.Series(data["temp"].to_numpy(float), index=pd.DatetimeIndex(data["date"]))
    # One hour is missing (the spring clock change): a regular hourly grid, the gap interpolated.
    hourly = hourly.asfreq("h").interpolate("linear")
    return hourly.iloc[-weeks * 7 * 24:].rename("seattle_temp")


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
    "seattle temp (hourly)": _seattle_hourly,
}


def _timed(series: pd.Series, settings):
    started, cpu = time.perf_counter(), time.process_time()
    result = run_forecast(series, settings)
    return result, time.perf_counter() - started, time.process_time() - cpu


def run(only: list[str] | None, ensemble: int | None, transform: str | None,
        origins: int = 4) -> list[dict]:
    """Run the benchmark and return one row per series."""
    rows = []
    for name, load in SERIES.items():
        if only and not any(o.lower() in name.lower() for o in only):
            continue
        series = load()
        season = choose_season(series.to_numpy(), series.index.freqstr).season
        settings = default_settings(len(series), season)
        if ensemble is not None:
            settings = replace(settings, ensemble=ensemble)
        if transform is not None:
            settings = replace(settings, transform=transform)
        result, seconds, cpu = _timed(series, settings)
        row = {
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
        }
        # Rolling origins: fewer when the series cannot spare them (the defaults stay the same).
        rolling = None
        for k in range(origins, 1, -1):
            try:
                rolling, s2, c2 = _timed(
                    series, replace(settings, holdout=k * settings.window.horizon)
                )
            except (DataError, SettingsError):
                continue
            seconds, cpu = seconds + s2, cpu + c2
            break
        row.update({
            "origins": k if rolling is not None else 0,
            "roll_lstm": rolling.scores["lstm"]["mase"] if rolling else None,
            "roll_snaive": rolling.scores["seasonal_naive"]["mase"] if rolling else None,
            "roll_ets": rolling.scores["ets"]["mase"] if rolling else None,
            "roll_coverage": rolling.coverage if rolling else None,
            "seconds": seconds,
            "cpu_seconds": cpu,
        })
        rows.append(row)
        _print_row(row)
    return rows


def _fmt(value: float | None) -> str:
    return "   n/a" if value is None or not np.isfinite(value) else f"{value:6.3f}"


def _pct(value: float | None) -> str:
    return "  n/a" if value is None or not np.isfinite(value) else f"{value:5.0%}"


def _print_row(row: dict) -> None:
    print(
        f"{row['series']:<22} n={row['n']:<5} h={row['horizon']:<3} L={row['window']:<4}"
        f" holdout: LSTM {_fmt(row['lstm'])} sNaive {_fmt(row['snaive'])} ETS {_fmt(row['ets'])}"
        f" cover {_pct(row['coverage'])} | {row['origins']} origins: LSTM {_fmt(row['roll_lstm'])}"
        f" sNaive {_fmt(row['roll_snaive'])} ETS {_fmt(row['roll_ets'])}"
        f" cover {_pct(row['roll_coverage'])} | {row['seconds']:5.1f}s"
        f" (cpu {row['cpu_seconds']:5.1f}s) epochs {row['epochs']}",
        flush=True,
    )


def summary(rows: list[dict]) -> dict:
    """Totals: mean MASE per model, wins over seasonal naive, mean coverage, total seconds."""
    def mean(key: str) -> float:
        return float(np.mean([r[key] for r in rows if r[key] is not None]))

    def wins(a: str, b: str) -> int:
        return sum(r[a] is not None and r[b] is not None and r[a] < r[b] for r in rows)

    return {
        "series": len(rows),
        "mean_mase": {"lstm": mean("lstm"), "seasonal_naive": mean("snaive"), "ets": mean("ets")},
        "lstm_beats_seasonal_naive": wins("lstm", "snaive"),
        "lstm_beats_ets": wins("lstm", "ets"),
        "mean_coverage": mean("coverage"),
        "rolling_mean_mase": {"lstm": mean("roll_lstm"), "seasonal_naive": mean("roll_snaive"),
                              "ets": mean("roll_ets")},
        "rolling_lstm_beats_seasonal_naive": wins("roll_lstm", "roll_snaive"),
        "rolling_lstm_beats_ets": wins("roll_lstm", "roll_ets"),
        "rolling_mean_coverage": mean("roll_coverage"),
        "seconds": sum(r["seconds"] for r in rows),
        "cpu_seconds": sum(r["cpu_seconds"] for r in rows),
        "load_average_1min": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only series whose name contains these")
    parser.add_argument("--ensemble", type=int, help="override the ensemble size")
    parser.add_argument("--transform", choices=("auto", "none", "log"))
    parser.add_argument("--origins", type=int, default=4,
                        help="horizons held out in the rolling-origin run (default 4)")
    args = parser.parse_args(argv)
    rows = run(args.only, args.ensemble, args.transform, args.origins)
    print(json.dumps(summary(rows), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
