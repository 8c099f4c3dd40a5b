"""The one season rule: what the calendar says, checked against what the data shows.

Every caller that needs a season (the health card, the plan, baselines, MASE) gets it from
`choose_season`; nothing else decides one.

The rule:
- Dates with a calendar season (monthly 12, quarterly 4, weekly 52, daily 7, business-daily 5,
  hourly 24, half-hourly 48, ...): the calendar season is used when the series holds at least two
  of them. An autocorrelation peak at a multiple or a divisor of it (weekly data peaking at 104)
  is reported, not used. Only when the data clearly says otherwise (no autocorrelation at the
  calendar lag above noise, and a clear peak at an unrelated lag) is the detected season used.
- Dates without a calendar season (yearly, every 5 minutes over more than a day of steps...): no
  season; a detected cycle (sunspots' 11 years) is reported, not used.
- No dates (row order): the detected season, if any.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

# Season detection reads at most this many recent points: enough for any season we look for.
SEASON_POINTS = 20_000
MAX_SEASON = 400


@dataclass(frozen=True)
class SeasonChoice:
    """The season every caller uses, and what it was decided from.

    Attributes:
        season: the season length in steps, or None (no season).
        calendar: what the date frequency suggests (None without dates or without a season).
        detected: the strongest clear autocorrelation peak (None when there is none).
        note: one plain sentence when the detected and used seasons differ, else None.
    """

    season: int | None
    calendar: int | None
    detected: int | None
    note: str | None = None


def calendar_season(frequency: str | None) -> int | None:
    """The season length the calendar suggests for a frequency alias (None when there is none)."""
    if frequency is None:
        return None
    offset = to_offset(frequency)
    name = offset.rule_code
    if offset.n != 1 and not isinstance(offset, pd.offsets.Tick):
        return None
    if name in ("MS", "ME", "BMS", "BME"):
        return 12
    if name.startswith(("QS", "QE", "BQ")):
        return 4
    if name.startswith("W"):
        return 52
    if name == "B":
        return 5
    if name == "D":  # a calendar day (not a fixed 24 h Tick) since pandas 3
        return 7
    if isinstance(offset, pd.offsets.Tick):
        per_day = pd.Timedelta(days=1) / pd.Timedelta(offset)
        if per_day == 1:
            return 7
        if per_day > 1 and per_day == int(per_day) and per_day <= MAX_SEASON:
            return int(per_day)
    return None


def choose_season(values: np.ndarray, frequency: str | None) -> SeasonChoice:
    """Decide the season of a series (see the module docstring for the rule).

    Args:
        values: the series, shape (n,); NaN allowed.
        frequency: the pandas offset alias of its dates, or None without dates.

    Returns:
        The `SeasonChoice`.
    """
    x = np.asarray(values, dtype="float64")[-SEASON_POINTS:]
    calendar = calendar_season(frequency)
    acf, noise = _differenced_acf(x)
    detected = _strongest_peak(acf, noise) if acf is not None else None
    if frequency is None:
        return SeasonChoice(detected, None, detected)
    if calendar is None:
        note = None
        if detected:
            note = (f"The values repeat roughly every {detected} steps, but this frequency has "
                    "no calendar season, so none is used.")
        return SeasonChoice(None, None, detected, note)
    if x.size < 2 * calendar:
        return SeasonChoice(None, calendar, detected, (
            f"The series holds fewer than two full seasons ({x.size} points, season "
            f"{calendar}), so no season is used."))
    if detected is None or detected == calendar:
        return SeasonChoice(calendar, calendar, detected)
    if _related(detected, calendar):
        if abs(detected - calendar) <= max(1, calendar // 10):
            kind = "close to"
        else:
            kind = "a multiple of" if detected > calendar else "a divisor of"
        return SeasonChoice(calendar, calendar, detected, (
            f"The autocorrelation peaks at {detected} steps, {kind} the calendar season "
            f"{calendar}; the calendar season {calendar} is used."))
    calendar_seen = acf is not None and calendar < acf.size and acf[calendar] > noise
    if not calendar_seen:
        return SeasonChoice(detected, calendar, detected, (
            f"The data shows no pattern at the calendar season {calendar} but a clear one every "
            f"{detected} steps, so {detected} is used."))
    return SeasonChoice(calendar, calendar, detected, (
        f"The autocorrelation also peaks at {detected} steps; the calendar season {calendar} "
        "is used."))


def _related(detected: int, calendar: int) -> bool:
    """Whether `detected` is (near) a multiple or a divisor of `calendar`.

    Noise shifts a long season's autocorrelation peak by a lag or two (a year is 52.18 weeks), so
    a multiple only has to be within a tenth of the calendar season.
    """
    if calendar % detected == 0:
        return True
    multiple = max(1, round(detected / calendar))
    return abs(detected - multiple * calendar) <= max(1, calendar // 10)


def season_length(values: np.ndarray, frequency: str | None) -> int | None:
    """The season `choose_season` decides (int or None)."""
    return choose_season(values, frequency).season


def _differenced_acf(x: np.ndarray) -> tuple[np.ndarray | None, float]:
    """Autocorrelation of the differenced series up to half its length, and its noise level."""
    if np.isnan(x).any():
        x = pd.Series(x).interpolate(limit_direction="both").to_numpy()
    x = np.diff(x)  # removes a trend that would otherwise swamp the seasonal peaks
    n = len(x)
    if n < 8 or not np.isfinite(x).all() or np.std(x) == 0:
        return None, math.inf
    max_lag = min(n // 2, MAX_SEASON)
    return _acf(x, max_lag), 2.0 / math.sqrt(n)


def _strongest_peak(acf: np.ndarray, noise: float) -> int | None:
    """The highest clear seasonal peak of the autocorrelation, or None.

    A seasonal peak follows a dip below zero (short-lag bumps from smoothing or noise do not) and
    stands well above noise.
    """
    dipped = np.minimum.accumulate(acf) < 0
    peaks = [
        k for k in range(2, len(acf) - 1)
        if dipped[k - 1] and _is_peak(acf, k) and acf[k] > max(3 * noise, 0.3)
    ]
    if not peaks:
        return None
    return max(peaks, key=lambda k: acf[k])


def _acf(x: np.ndarray, max_lag: int) -> np.ndarray:
    # FFT autocorrelation; statsmodels would give the same numbers but costs ~1.5 s to import,
    # which the `inspect` command and the Data page should not pay.
    x = x - x.mean()
    size = 1 << (2 * len(x) - 1).bit_length()
    spectrum = np.fft.rfft(x, size)
    corr = np.fft.irfft(spectrum * np.conj(spectrum), size)[: max_lag + 1]
    return corr / corr[0]


def _is_peak(acf: np.ndarray, k: int) -> bool:
    left = acf[k - 1]
    right = acf[k + 1] if k + 1 < len(acf) else -np.inf
    return bool(acf[k] >= left and acf[k] >= right)
