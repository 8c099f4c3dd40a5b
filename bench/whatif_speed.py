"""What-if latency: a new scenario's forecast from a trained run, without training.

Run: `.venv/bin/python bench/whatif_speed.py` (about half a minute on 2 cores).

A monthly series of 156 points with a promotion flag (known ahead) and a temperature (observed)
is trained once at the default settings (window 24, horizon 12; the LSTM with drivers and the
same LSTM without them); so is two years of daily demand with a working-day flag, the calendar
and Thai public holidays (window 14, horizon 14). Then `pipeline.scenario_future(result,
future)` is timed for 50 new scenarios, each with one future value of the flag switched (what
the Forecast page does after an edit): the first call (it traces the compiled predict) and the
median and 95th percentile of the rest, beside the training time, so the ratio says how much
cheaper a what-if is. The goal is under 200 ms for a new scenario on a trained model.

Results (2 cores, 2026-11-28):

    case                              training   what-if first   median   95th pct   ratio
    monthly promotion (156 points)    6.0 s      14 ms           13 ms    14 ms      465x
                                      7.4 s      15 ms           11 ms    15 ms      647x
    daily, calendar and holidays      3.8 s      21 ms           15 ms    20 ms      254x
      (730 points)                    4.7 s      15 ms           15 ms    16 ms      323x

A new scenario takes 11-21 ms, well under the 200 ms goal: the networks run once on one window,
and the calendar and holiday columns of the 14 future days are recomputed from the installed
`holidays` data. (Two runs; the first call includes tracing the compiled predict.)
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pandas as pd

from lstm_core.drivers import Driver, DriverData, DriverSet
from lstm_core.pipeline import run_forecast, scenario_future
from lstm_core.plan import default_settings

N, H = 156, 12


def _time(result, base: pd.DataFrame, label: str, training: float) -> None:
    times = []
    for k in range(51):
        scenario = base.copy()
        scenario.iloc[k % len(base), 0] = 1.0 - scenario.iloc[k % len(base), 0]
        began = time.perf_counter()
        scenario_future(result, scenario)
        times.append(time.perf_counter() - began)
    first, rest = times[0], np.array(times[1:])
    print(f"{label}: training (with and without drivers) {training:.1f} s; what-if first call "
          f"{first * 1000:.0f} ms, next 50 median {np.median(rest) * 1000:.0f} ms, 95th "
          f"percentile {np.percentile(rest, 95) * 1000:.0f} ms; training / median what-if "
          f"{training / np.median(rest):.0f}x")


def daily() -> None:
    """Two years of daily demand with a working-day flag, calendar and Thai holidays."""
    rng = np.random.default_rng(1)
    n, h = 730, 14
    index = pd.date_range("2022-01-01", periods=n + h, freq="D")
    work = (index.day_of_week < 5).astype(float)
    t = np.arange(n + h)
    demand = 200 + 30 * work + 20 * np.sin(2 * np.pi * t / 365.25) + rng.normal(0, 5, t.size)
    series = pd.Series(demand[:n], index=pd.DatetimeIndex(index[:n], freq="D"), name="demand")
    spec = DriverSet((Driver("workday", "known"),), calendar=True, holidays="TH")
    future_index = pd.DatetimeIndex(index[n:], freq="D")
    drivers = DriverData(spec, pd.DataFrame({"workday": work[:n]}, index=series.index),
                         pd.DataFrame({"workday": work[n:]}, index=future_index))
    started = time.perf_counter()
    result = run_forecast(series, default_settings(n, 7, horizon=h), drivers=drivers)
    _time(result, result.drivers.future, "daily, calendar and holidays (730 points)",
          time.perf_counter() - started)


def main() -> None:
    rng = np.random.default_rng(0)
    index = pd.date_range("2010-01-01", periods=N + H, freq="MS")
    promo = (rng.random(N + H) < 0.25).astype(float)
    t = np.arange(N + H)
    sales = 100 + 0.2 * t + 10 * np.sin(2 * np.pi * t / 12) + 40 * promo + rng.normal(0, 3, t.size)
    series = pd.Series(sales[:N], index=pd.DatetimeIndex(index[:N], freq="MS"), name="sales")
    future_index = pd.DatetimeIndex(index[N:], freq="MS")
    spec = DriverSet((Driver("promo", "known"), Driver("temp", "observed")))
    history = pd.DataFrame({"promo": promo[:N], "temp": rng.normal(20, 5, N)}, index=series.index)
    drivers = DriverData(spec, history, pd.DataFrame({"promo": promo[N:]}, index=future_index))

    started = time.perf_counter()
    result = run_forecast(series, default_settings(N, 12), drivers=drivers)
    training = time.perf_counter() - started

    _time(result, result.drivers.future, "monthly promotion (156 points)", training)
    daily()


if __name__ == "__main__":
    main()
