"""Drivers: other columns that help explain a series, and the calendar and holidays.

A driver is *known ahead* (a planned promotion, a price, a holiday: its future values are given)
or *observed* (temperature, a competitor's sales: only its past is used). This module holds the
pure building blocks the plan, the recipe and the fronts share:

- `Driver` and `DriverSet`: which drivers a run uses (saved with the run), validated in one place.
- `numeric_driver`: a file column read as numbers or yes/no (1/0), or a `DataError` naming the cell.
- `calendar_features` and `holiday_feature`: features computed from the dates alone, so the same
  call serves the history and the future. Holidays come from the `holidays` package (no network).
- `DriverScaler`: per-column standardisation fitted on the training slice only.
- `check_future` and `prefill_future`: the future values of known-ahead drivers, validated with
  messages that name the column and the first missing date (never a shape error), and prefilled
  from one season earlier with the assumed cells reported.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.tseries import offsets
from pandas.tseries.frequencies import to_offset

from lstm_core.data._columns import (
    JUNK_TOKENS,
    DateFormat,
    detect_date_format,
    is_text,
    parse_dates,
    parse_numbers,
    unknown_column,
)
from lstm_core.errors import BundleError, DataError, SettingsError

DriverKind = Literal["known", "observed"]
Encoding = Literal["cyclic", "onehot"]
DRIVER_KINDS: tuple[str, ...] = ("known", "observed")
ENCODINGS: tuple[str, ...] = ("cyclic", "onehot")
DRIVERS_VERSION = 1
# The one refusal of calendar or holiday drivers on a series without dates.
CALENDAR_NEEDS_DATES = (
    "Calendar and holiday drivers need dates, and this series has none (the row order is the "
    "time axis); choose the date column, or leave out the calendar and holidays."
)

# Cells read as yes (1) or no (0), compared in lower case after stripping.
YES_TOKENS = frozenset({"yes", "y", "true", "1"})
NO_TOKENS = frozenset({"no", "n", "false", "0"})

# The mean number of ISO weeks in a year (20871 weeks in the 400-year Gregorian cycle), so that the
# cyclic week feature turns once a year.
WEEKS_PER_YEAR = 20871 / 400
# Longest cell text quoted in a message.
_QUOTE_MAX = 40
# Country codes shown when an unknown one is given and no supported code shares its first letter.
_EXAMPLE_COUNTRIES = ("TH", "US", "GB", "DE", "FR", "JP", "IN", "AU")


# ---------------------------------------------------------------- driver specs


@dataclass(frozen=True)
class Driver:
    """One column used as a driver.

    Args:
        name: the column's name in the file.
        kind: "known" (known ahead: its future values are given) or "observed" (only its past
            is used).

    Raises:
        SettingsError: an empty name or an unknown kind.
    """

    name: str
    kind: DriverKind

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise SettingsError(f"A driver needs a column name, got {self.name!r}.")
        if self.kind not in DRIVER_KINDS:
            raise SettingsError(
                f"The driver '{self.name}' must be 'known' (known ahead) or 'observed' "
                f"(observed only), got {self.kind!r}."
            )


@dataclass(frozen=True)
class DriverSet:
    """The drivers a run uses: chosen columns plus the built-in calendar and holiday features.

    Args:
        drivers: the chosen columns, in the order the network reads them.
        calendar: add the calendar features `calendar_features` gives for the frequency.
        encoding: "cyclic" (sin/cos pairs) or "onehot" for the calendar features.
        holidays: a country code for public holidays (`check_country`), or None.
        subdivision: a region of that country (`check_subdivision`), or None.

    Country and region codes are stored in the `holidays` package's spelling ("usa" becomes "US",
    "california" becomes "CA").

    Raises:
        SettingsError: a driver chosen twice, an unknown encoding, country or region, or a
            region without a country.
    """

    drivers: tuple[Driver, ...] = ()
    calendar: bool = False
    encoding: Encoding = "cyclic"
    holidays: str | None = None
    subdivision: str | None = None
    version: int = field(default=DRIVERS_VERSION, repr=False)

    def __post_init__(self) -> None:
        drivers = tuple(self.drivers)
        for driver in drivers:
            if not isinstance(driver, Driver):
                raise SettingsError(f"A driver must be a Driver(name, kind), got {driver!r}.")
        seen: set[str] = set()
        for driver in drivers:
            if driver.name in seen:
                raise SettingsError(
                    f"The driver '{driver.name}' is chosen twice; choose each column once."
                )
            seen.add(driver.name)
        object.__setattr__(self, "drivers", drivers)
        if not isinstance(self.calendar, bool):
            raise SettingsError(f"calendar must be true or false, got {self.calendar!r}.")
        _check_encoding(self.encoding)
        if self.version != DRIVERS_VERSION:
            raise SettingsError(
                f"Driver settings version {self.version!r} is not one this program reads "
                f"(it reads version {DRIVERS_VERSION})."
            )
        if self.holidays is None:
            if self.subdivision is not None:
                raise SettingsError(
                    f"The holiday region '{self.subdivision}' needs a holiday country; "
                    "choose the country too."
                )
            return
        country = check_country(self.holidays)
        object.__setattr__(self, "holidays", country)
        if self.subdivision is not None:
            object.__setattr__(self, "subdivision", check_subdivision(country, self.subdivision))

    @property
    def names(self) -> tuple[str, ...]:
        """Every chosen column, in order."""
        return tuple(driver.name for driver in self.drivers)

    @property
    def known(self) -> tuple[str, ...]:
        """The known-ahead columns (their future values are needed to forecast)."""
        return tuple(driver.name for driver in self.drivers if driver.kind == "known")

    @property
    def observed(self) -> tuple[str, ...]:
        """The observed-only columns (only their past is used)."""
        return tuple(driver.name for driver in self.drivers if driver.kind == "observed")

    @property
    def empty(self) -> bool:
        """True when nothing beyond the series itself is used."""
        return not (self.drivers or self.calendar or self.holidays)

    def check(self, target: str, columns: Sequence[str] | None = None) -> None:
        """Check the chosen columns against the file: not the target, and present.

        Args:
            target: the column being forecast.
            columns: the file's columns (None: skip the presence check).

        Raises:
            SettingsError: a driver is the target column.
            DataError: a driver column is not in the file (`unknown_column`'s message).
        """
        for driver in self.drivers:
            if driver.name == target:
                raise SettingsError(
                    f"The column '{target}' is the series being forecast, so it cannot also be "
                    "a driver; choose another column."
                )
        if columns is not None:
            names = [str(c) for c in columns]
            for driver in self.drivers:
                if driver.name not in names:
                    raise unknown_column("driver", driver.name, names)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict; `DriverSet.from_dict` reads it back."""
        return {
            "version": self.version,
            "drivers": [{"name": d.name, "kind": d.kind} for d in self.drivers],
            "calendar": self.calendar,
            "encoding": self.encoding,
            "holidays": self.holidays,
            "subdivision": self.subdivision,
        }

    @classmethod
    def from_dict(cls, data: Any) -> DriverSet:
        """Build a driver set from `to_dict`'s output (missing keys take their defaults).

        Raises:
            SettingsError: not a dict, an unknown key, a malformed driver or an invalid value.
        """
        if not isinstance(data, Mapping):
            raise SettingsError("The driver settings must be a JSON object.")
        allowed = ("version", "drivers", "calendar", "encoding", "holidays", "subdivision")
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            raise SettingsError(
                f"Unknown driver setting(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}."
            )
        raw = data.get("drivers", [])
        if not isinstance(raw, list | tuple):
            raise SettingsError(f"drivers must be a list, got {raw!r}.")
        drivers = []
        for item in raw:
            if not isinstance(item, Mapping) or set(item) != {"name", "kind"}:
                raise SettingsError(
                    f"Each driver must be an object with a name and a kind, got {item!r}."
                )
            drivers.append(Driver(item["name"], item["kind"]))
        rest = {key: data[key] for key in allowed[2:] if key in data}
        return cls(drivers=tuple(drivers), version=data.get("version", DRIVERS_VERSION), **rest)


@dataclass(frozen=True)
class DriverData:
    """A driver set with its values, aligned to one series: what the engine trains on.

    Attributes:
        spec: which drivers (and calendar and holiday features) are used.
        history: float64 values of the chosen columns (`spec.names`), one row per point of the
            series, indexed like it (gaps already filled and reported by the data layer).
        future: float64 values of the known-ahead columns (`spec.known`) for the points after
            the series, indexed by their dates (or steps); None or fewer rows than the horizon
            when the file did not give them (the forecast then asks for them).
    """

    spec: DriverSet
    history: pd.DataFrame = field(repr=False)
    future: pd.DataFrame | None = field(default=None, repr=False)

    def cut(self, points: int) -> DriverData:
        """The drivers of the series cut after `points` points: the rest of the history (and
        the given future) becomes the future of the known-ahead columns (a backtest's cut-off)."""
        rest = self.history.iloc[points:][list(self.spec.known)]
        if self.future is not None and len(self.future):
            rest = pd.concat([rest, self.future[list(self.spec.known)]])
        return DriverData(spec=self.spec, history=self.history.iloc[:points], future=rest)

    def with_future(self, future: pd.DataFrame | None) -> DriverData:
        """The same drivers with other future values (a scenario)."""
        return DriverData(spec=self.spec, history=self.history, future=future)


# ---------------------------------------------------------------- reading a driver column


def _quote(text: str) -> str:
    return text if len(text) <= _QUOTE_MAX else text[: _QUOTE_MAX - 1] + "…"


def _read_cells(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Read cells as numbers or yes/no.

    Returns:
        `values: (n,)` float64 (yes 1, no 0, empty or junk cells NaN) and `bad: (n,)` bool, True
        where a cell holds something that is neither a number nor yes/no.
    """
    n = len(column)
    if pd.api.types.is_bool_dtype(column.dtype):
        values = column.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        return values, np.zeros(n, dtype=bool)
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        values[~np.isfinite(values)] = np.nan
        return values, np.zeros(n, dtype=bool)
    missing = column.isna().to_numpy()
    if not (is_text(column) or isinstance(column.dtype, pd.CategoricalDtype)):
        return np.full(n, np.nan), ~missing  # dates, periods, intervals: not a driver
    text = column.astype(str).str.strip()
    lower = text.str.lower()
    empty = missing | lower.isin(JUNK_TOKENS).to_numpy()
    yes = lower.isin(YES_TOKENS).to_numpy() & ~empty
    no = lower.isin(NO_TOKENS).to_numpy() & ~empty
    rest = ~(empty | yes | no)
    values = np.full(n, np.nan)
    values[yes] = 1.0
    values[no] = 0.0
    if rest.any():
        values[rest] = parse_numbers(text[rest]).to_numpy()
    return values, rest & np.isnan(values)


def numeric_driver(column: pd.Series, name: str) -> np.ndarray:
    """Read a driver column as numbers: numeric cells as they are, yes/no cells as 1/0.

    Yes/no cells are yes/no, true/false, y/n and 1/0 in any case, or booleans. Empty and junk
    cells ("", "n/a", "-", ...) become NaN; what to do with them is the caller's decision.

    Args:
        column: the column as read from the file (any dtype).
        name: the column's name, for the message.

    Returns:
        `(n,)` float64 values.

    Raises:
        DataError: a cell holds text that is neither a number nor yes/no; the message names the
            column, the first such row (counted from 1, as the health report counts rows) and
            its text.
    """
    values, bad = _read_cells(column)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        cell = _quote(str(column.iloc[row]).strip())
        raise DataError(
            f"The driver '{name}' has text that is not a number or yes/no in row {row + 1} "
            f"('{cell}'); fix the cell or choose another column."
        )
    return values


# ---------------------------------------------------------------- calendar features

_YEAR_OFFSETS = (offsets.YearBegin, offsets.YearEnd, offsets.BYearBegin, offsets.BYearEnd)
_QUARTER_OFFSETS = (
    offsets.QuarterBegin, offsets.QuarterEnd, offsets.BQuarterBegin, offsets.BQuarterEnd,
)
_MONTH_OFFSETS = (
    offsets.MonthBegin, offsets.MonthEnd, offsets.BusinessMonthBegin, offsets.BusinessMonthEnd,
    offsets.SemiMonthBegin, offsets.SemiMonthEnd,
)
_DAY = pd.Timedelta(days=1)


def _offset(freq: str | None, index: pd.Index | None = None) -> offsets.BaseOffset:
    if freq is None and isinstance(index, pd.DatetimeIndex) and index.freq is not None:
        return index.freq
    if freq is None:
        raise SettingsError(
            "Calendar and holiday drivers need dates at a regular frequency; this series has none."
        )
    try:
        return to_offset(freq)
    except ValueError as exc:
        raise SettingsError(f"'{freq}' is not a date frequency pandas knows.") from exc


def _calendar_kind(offset: offsets.BaseOffset) -> str:
    """One of year, quarter, month, week, day, business, hour."""
    if isinstance(offset, _YEAR_OFFSETS):
        return "year"
    if isinstance(offset, _QUARTER_OFFSETS):
        return "quarter"
    if isinstance(offset, _MONTH_OFFSETS):
        return "month"
    if isinstance(offset, offsets.Week):
        return "week"
    if isinstance(offset, offsets.BusinessDay):
        return "business"
    if isinstance(offset, offsets.Day | offsets.CustomBusinessDay):
        return "day"
    if isinstance(offset, offsets.BusinessHour):
        return "hour"
    if isinstance(offset, offsets.Tick):
        return "day" if pd.Timedelta(offset) >= _DAY else "hour"
    raise SettingsError(
        f"Calendar and holiday drivers are not available for the frequency '{offset.freqstr}'."
    )


# (feature, levels, period of the cycle) per kind; a feature's one-hot columns are
# `feature_level` for every level, its cyclic columns `feature_sin`, `feature_cos`.
_FEATURES: dict[str, tuple[tuple[str, tuple[int, ...], float], ...]] = {
    "year": (),
    "quarter": (("quarter", (1, 2, 3, 4), 4.0),),
    "month": (("month", tuple(range(1, 13)), 12.0),),
    "week": (("week", tuple(range(1, 54)), WEEKS_PER_YEAR),),
    "day": (("dow", tuple(range(7)), 7.0), ("month", tuple(range(1, 13)), 12.0)),
    "business": (("dow", tuple(range(5)), 5.0), ("month", tuple(range(1, 13)), 12.0)),
    "hour": (("hour", tuple(range(24)), 24.0), ("dow", tuple(range(7)), 7.0)),
}


def _feature_values(index: pd.DatetimeIndex, feature: str) -> np.ndarray:
    if feature == "quarter":
        return np.asarray(index.quarter)
    if feature == "month":
        return np.asarray(index.month)
    if feature == "week":
        return index.isocalendar().week.to_numpy(dtype="int64")
    if feature == "dow":
        return np.asarray(index.day_of_week)
    return np.asarray(index.hour)


def _check_encoding(encoding: str) -> None:
    if encoding not in ENCODINGS:
        raise SettingsError(
            f"The calendar encoding must be 'cyclic' or 'onehot', got {encoding!r}."
        )


def calendar_columns(freq: str, encoding: Encoding = "cyclic") -> tuple[str, ...]:
    """The names of the columns `calendar_features` gives for a frequency, in order.

    Raises:
        SettingsError: an unknown encoding or a frequency without calendar features.
    """
    _check_encoding(encoding)
    names: list[str] = []
    for feature, levels, _period in _FEATURES[_calendar_kind(_offset(freq))]:
        if encoding == "cyclic":
            names += [f"{feature}_sin", f"{feature}_cos"]
        else:
            names += [f"{feature}_{level}" for level in levels]
    return tuple(names)


def calendar_features(
    index: pd.DatetimeIndex, freq: str | None, encoding: Encoding = "cyclic"
) -> pd.DataFrame:
    """Calendar features of each date: what is meaningful for the frequency.

    - monthly (and semi-monthly): month of year (`month_*`);
    - quarterly: quarter of year (`quarter_*`);
    - weekly: ISO week of year (`week_*`; the cyclic pair turns once per 52.1775 weeks);
    - daily: day of week (`dow_*`, Monday 0) and month of year; business days: day of week
      (Monday to Friday, cycle of 5) and month of year;
    - hourly and finer: hour of day (`hour_*`) and day of week;
    - yearly: none (a frame without columns).

    "cyclic" gives a `_sin`, `_cos` pair per feature (value v of a cycle of p:
    `sin(2π(v - first)/p)`, `cos(...)`), so December sits next to January; "onehot" gives one 0/1
    column per level (`month_1` ... `month_12`, `dow_0` ... `dow_6`), every level whether or not
    the dates reach it, so the columns depend only on the frequency. Dates alone decide the
    values: the same call serves the history and a future index.

    Args:
        index: the dates, history or future.
        freq: the series' pandas frequency alias ("MS", "D", "h", ...); None takes `index.freq`.
        encoding: "cyclic" or "onehot".

    Returns:
        A float64 frame `(len(index), k)` indexed by `index`, columns as `calendar_columns`.

    Raises:
        SettingsError: no dates, no frequency, a frequency without calendar features or an
            unknown encoding.
    """
    _check_encoding(encoding)
    if not isinstance(index, pd.DatetimeIndex):
        raise SettingsError(
            "Calendar drivers need dates; this series is indexed by row order."
        )
    columns: dict[str, np.ndarray] = {}
    for feature, levels, period in _FEATURES[_calendar_kind(_offset(freq, index))]:
        values = _feature_values(index, feature)
        if encoding == "cyclic":
            angle = 2.0 * np.pi * (values - levels[0]) / period
            columns[f"{feature}_sin"] = np.sin(angle)
            columns[f"{feature}_cos"] = np.cos(angle)
        else:
            for level in levels:
                columns[f"{feature}_{level}"] = (values == level).astype("float64")
    return pd.DataFrame(columns, index=index, dtype="float64")


# ---------------------------------------------------------------- holidays


def _supported() -> dict[str, list[str]]:
    import holidays

    return holidays.list_supported_countries(include_aliases=True)


def check_country(code: str) -> str:
    """Return the `holidays` package's code for a country (two letters, "usa" → "US").

    Accepts two- and three-letter ISO codes and the package's aliases (such as "UK"), in any case.

    Raises:
        SettingsError: a code the package does not know, naming it and a few valid ones.
    """
    import holidays

    text = str(code).strip().upper() if code is not None else ""
    if text not in _supported():
        two_letter = sorted(holidays.list_supported_countries(include_aliases=False))
        near = [c for c in two_letter if text and c[0] == text[0]][:5]
        near += [c for c in _EXAMPLE_COUNTRIES if c not in near][: 8 - len(near)]
        raise SettingsError(
            f"There are no public holidays for the country code '{code}'; use a two-letter "
            f"country code such as {', '.join(near)} ({len(two_letter)} countries and "
            "territories are known)."
        )
    return str(getattr(holidays, text).country)


def check_subdivision(country: str, subdivision: str) -> str:
    """Return the `holidays` package's code for a region of a country ("california" → "CA").

    Accepts the region's code or its name, in any case.

    Raises:
        SettingsError: an unknown country, a country without regions or an unknown region,
            naming the code and a few valid ones.
    """
    import holidays

    country = check_country(country)
    entity = getattr(holidays, country)
    codes = [str(c) for c in entity.subdivisions]
    if not codes:
        raise SettingsError(
            f"The public holidays of {country} have no regions, so '{subdivision}' cannot be "
            "used; leave the region empty."
        )
    wanted = str(subdivision).strip().casefold()
    for code in codes:
        if code.casefold() == wanted:
            return code
    for code, aliases in entity.get_subdivision_aliases().items():
        if any(str(alias).casefold() == wanted for alias in aliases):
            return str(code)
    shown = ", ".join(codes[:10]) + (", ..." if len(codes) > 10 else "")
    raise SettingsError(
        f"The public holidays of {country} have no region '{subdivision}'; choose one of "
        f"{shown} ({len(codes)} in all)."
    )


def holiday_dates(
    country: str, years: Sequence[int] | range, subdivision: str | None = None
) -> np.ndarray:
    """The public holidays (including days observed in lieu) of a country in some years.

    Returns:
        Sorted `datetime64[D]` dates.

    Raises:
        SettingsError: an unknown country or region.
    """
    import holidays

    country = check_country(country)
    if subdivision is not None:
        subdivision = check_subdivision(country, subdivision)
    calendar = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
    return np.array(sorted(calendar.keys()), dtype="datetime64[D]")


# Business-day anchored periods stand for the whole calendar period (a business month is the
# month: a holiday on the 1st still falls in it).
_CALENDAR_OF: dict[type, type] = {
    offsets.BYearBegin: offsets.YearBegin,
    offsets.BYearEnd: offsets.YearEnd,
    offsets.BQuarterBegin: offsets.QuarterBegin,
    offsets.BQuarterEnd: offsets.QuarterEnd,
    offsets.BusinessMonthBegin: offsets.MonthBegin,
    offsets.BusinessMonthEnd: offsets.MonthEnd,
}
_BEGINS = (
    offsets.YearBegin, offsets.QuarterBegin, offsets.MonthBegin, offsets.SemiMonthBegin,
)


def _calendar_offset(offset: offsets.BaseOffset) -> offsets.BaseOffset:
    """The same period in calendar days, one step long."""
    calendar = _CALENDAR_OF.get(type(offset))
    if calendar is None:
        return offset.base
    if isinstance(offset, _YEAR_OFFSETS):
        return calendar(month=offset.month)
    if isinstance(offset, _QUARTER_OFFSETS):
        return calendar(startingMonth=offset.startingMonth)
    return calendar()


def _period_bounds(
    index: pd.DatetimeIndex, offset: offsets.BaseOffset
) -> tuple[np.ndarray, np.ndarray]:
    """First day and the day after the last day of the period each date stands for.

    Begin-anchored frequencies (MS, QS, YS) stand for the period that starts at the date,
    end-anchored ones (ME, QE, YE) and weeks (W-SUN: the week ending on that Sunday, as pandas
    reads it) for the period that ends on it.
    """
    base = _calendar_offset(offset)
    step = base * offset.n
    days = index.normalize()
    if isinstance(base, _BEGINS):
        starts = pd.DatetimeIndex([base.rollback(t) for t in days])
        ends = starts + step
    else:
        last = pd.DatetimeIndex([base.rollforward(t) for t in days])
        ends = last + _DAY
        starts = last - step + _DAY
    return starts.values.astype("datetime64[D]"), ends.values.astype("datetime64[D]")


def holiday_feature(
    index: pd.DatetimeIndex,
    country: str,
    subdivision: str | None = None,
    freq: str | None = None,
) -> np.ndarray:
    """Public holidays per date: a 0/1 flag for days and hours, a count for longer periods.

    - daily (and business-day, hourly and finer) data: 1.0 when the date is a public holiday
      (days observed in lieu included), else 0.0; a multi-day step (2D) counts its days;
    - weekly, monthly, quarterly and yearly data: the number of public holidays in the period
      the date stands for (see `_period_bounds`: MS/QS/YS from the date on, ME/QE/YE and W-xxx
      up to the date).

    Only the installed `holidays` package is read (no network); dates alone decide the values,
    so the same call serves the history and a future index.

    Args:
        index: the dates, history or future.
        country: a country code (`check_country`).
        subdivision: a region code or name (`check_subdivision`), or None for the whole country.
        freq: the series' pandas frequency alias; None takes `index.freq`.

    Returns:
        `(len(index),)` float64.

    Raises:
        SettingsError: no dates, no frequency, an unsupported frequency, an unknown country
            or region.
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise SettingsError("Holiday drivers need dates; this series is indexed by row order.")
    offset = _offset(freq, index)
    kind = _calendar_kind(offset)
    if len(index) == 0:
        check_country(country)
        return np.zeros(0)
    if kind in ("hour", "business") or (kind == "day" and not isinstance(offset, offsets.Day)):
        days = index.normalize().values.astype("datetime64[D]")
        starts, ends = days, days + np.timedelta64(1, "D")
    elif kind == "day":
        days = index.normalize().values.astype("datetime64[D]")
        starts, ends = days, days + np.timedelta64(offset.n, "D")
    else:
        starts, ends = _period_bounds(index, offset)
    first = int(starts.min().astype("datetime64[Y]").astype("int64")) + 1970
    last = int((ends.max() - np.timedelta64(1, "D")).astype("datetime64[Y]").astype("int64")) + 1970
    dates = holiday_dates(country, range(first, last + 1), subdivision)
    counts = np.searchsorted(dates, ends, side="left") - np.searchsorted(dates, starts, "left")
    return counts.astype("float64")


# ---------------------------------------------------------------- scaling


@dataclass(frozen=True)
class DriverScaler:
    """Per-column standardisation of driver values, fitted on the training slice only.

    `transform(x) = (x - mean) / scale` column by column. Columns whose training values are all
    0 or 1 (yes/no, one-hot, holiday flags) and columns named in `unscaled` keep their values
    (mean 0, scale 1); a constant column gets scale 1, so it becomes 0 rather than dividing by 0.
    NaN stays NaN.

    Attributes:
        names: the column names, in the order of the last axis.
        mean: per-column mean of the training slice.
        scale: per-column standard deviation of the training slice (population, as
            scikit-learn's StandardScaler), 1 where it would be 0.
    """

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    @classmethod
    def fit(
        cls,
        values: np.ndarray | pd.DataFrame,
        names: Sequence[str] | None = None,
        *,
        unscaled: Sequence[str] = (),
    ) -> DriverScaler:
        """Fit on the training slice: `DriverScaler.fit(values[:train_end], names)`.

        Args:
            values: `(n_train, k)` driver values (a DataFrame gives its column names).
            names: the k column names (None: the DataFrame's columns, else `x0`, `x1`, ...).
            unscaled: columns to leave as they are whatever their values (e.g. sin/cos pairs).

        Returns:
            The fitted scaler.

        Raises:
            ValueError: values that are not 2-D or names that do not match their columns.
        """
        if isinstance(values, pd.DataFrame):
            if names is None:
                names = [str(c) for c in values.columns]
            else:
                values = values[list(names)]
        array = np.asarray(values, dtype="float64")
        if array.ndim != 2:
            raise ValueError(f"values must be 2-D (n, k), got shape {array.shape}.")
        names = tuple(names) if names is not None else tuple(f"x{i}" for i in range(array.shape[1]))
        if len(names) != array.shape[1]:
            raise ValueError(f"{len(names)} names for {array.shape[1]} columns.")
        keep = set(unscaled)
        means, scales = [], []
        for j, name in enumerate(names):
            column = array[:, j]
            finite = column[np.isfinite(column)]
            if name in keep or finite.size == 0 or np.isin(finite, (0.0, 1.0)).all():
                means.append(0.0)
                scales.append(1.0)
                continue
            mean = float(finite.mean())
            std = float(finite.std())
            means.append(mean)
            # A relative floor: float noise in a constant column must not blow it up.
            scales.append(std if std > 1e-12 * max(1.0, abs(mean)) else 1.0)
        return cls(tuple(names), tuple(means), tuple(scales))

    def _array(self, values: np.ndarray | pd.DataFrame) -> np.ndarray:
        if isinstance(values, pd.DataFrame):
            missing = [n for n in self.names if n not in values.columns]
            if missing:
                raise ValueError(f"values lack the driver column(s) {', '.join(missing)}.")
            values = values[list(self.names)]
        array = np.array(values, dtype="float64", copy=True)
        if array.ndim == 0 or array.shape[-1] != len(self.names):
            raise ValueError(
                f"expected {len(self.names)} driver column(s) ({', '.join(self.names)}) on the "
                f"last axis, got shape {array.shape}."
            )
        return array

    def transform(self, values: np.ndarray | pd.DataFrame) -> np.ndarray:
        """Scale values: `(..., k)` in, `(..., k)` float64 out (a new array; input untouched).

        A DataFrame is read by column name. Works on windows `(n, input_length, k)` too.
        """
        return (self._array(values) - np.asarray(self.mean)) / np.asarray(self.scale)

    def inverse_transform(self, values: np.ndarray | pd.DataFrame) -> np.ndarray:
        """Undo `transform`: `(..., k)` in, `(..., k)` float64 out (a new array)."""
        return self._array(values) * np.asarray(self.scale) + np.asarray(self.mean)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict; `DriverScaler.from_dict` reads it back."""
        return {"names": list(self.names), "mean": list(self.mean), "scale": list(self.scale)}

    @classmethod
    def from_dict(cls, data: Any) -> DriverScaler:
        """Rebuild a scaler saved with a run.

        Raises:
            BundleError: missing keys, lengths that differ, or non-finite or non-positive scales.
        """
        if not isinstance(data, Mapping) or set(data) != {"names", "mean", "scale"}:
            raise BundleError("The saved driver scaler must have names, mean and scale.")
        names, mean, scale = data["names"], data["mean"], data["scale"]
        if not (isinstance(names, list | tuple) and isinstance(mean, list | tuple)
                and isinstance(scale, list | tuple) and len(names) == len(mean) == len(scale)):
            raise BundleError("The saved driver scaler's names, mean and scale differ in length.")
        try:
            means = tuple(float(m) for m in mean)
            scales = tuple(float(s) for s in scale)
        except (TypeError, ValueError) as exc:
            raise BundleError(
                "The saved driver scaler holds a value that is not a number."
            ) from exc
        if not all(math.isfinite(m) for m in means) or not all(
            math.isfinite(s) and s > 0 for s in scales
        ):
            raise BundleError("The saved driver scaler holds a non-finite mean or scale.")
        return cls(tuple(str(n) for n in names), means, scales)


# ---------------------------------------------------------------- future values


def _label(when: Hashable, index: pd.Index) -> str:
    """A date (or step) as the messages write it: 2024-03-01, 2024-03-01 13:00 or step 12."""
    if isinstance(index, pd.DatetimeIndex):
        stamp = pd.Timestamp(when)
        timed = bool((index != index.normalize()).any()) or stamp != stamp.normalize()
        return f"{stamp:%Y-%m-%d %H:%M}" if timed else f"{stamp:%Y-%m-%d}"
    return f"step {int(when)}"


def _any_iso(text: pd.Series) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(pd.to_datetime(text, format="ISO8601", errors="coerce").notna().any())


def _future_stamps(
    future: pd.DataFrame, expected: pd.Index, time_column: str, dayfirst: bool | None
) -> pd.Index:
    """The future table's dates (or steps), one per row; NaT/NaN for empty cells."""
    first, last = _label(expected[0], expected), _label(expected[-1], expected)
    if time_column in future.columns:
        raw = future[time_column]
    elif future.index.name == time_column or (
        isinstance(expected, pd.DatetimeIndex) and isinstance(future.index, pd.DatetimeIndex)
    ):
        raw = future.index.to_series(index=range(len(future)))
    else:
        raise DataError(
            f"The future values have no column '{time_column}'; add it with one row per "
            f"{'date' if isinstance(expected, pd.DatetimeIndex) else 'step'} from {first} "
            f"to {last}."
        )
    raw = raw.reset_index(drop=True)
    if not isinstance(expected, pd.DatetimeIndex):
        steps, bad = _read_cells(raw)
        if bad.any() or not np.all(np.isnan(steps) | (steps == np.round(steps))):
            row = int(np.flatnonzero(bad | ~(np.isnan(steps) | (steps == np.round(steps))))[0])
            raise DataError(
                f"The future values' step in row {row + 1} ('{_quote(str(raw.iloc[row]))}') "
                f"is not a whole number; write the steps as {int(expected[0])}, "
                f"{int(expected[0]) + 1}, ... (they continue the series' row numbers)."
            )
        return pd.Index(steps)
    text = raw.astype(str).str.strip()
    empty = raw.isna().to_numpy() | text.str.lower().isin(JUNK_TOKENS).to_numpy()
    fmt = detect_date_format(raw[~empty], time_column, dayfirst) if (~empty).any() else None
    if fmt is None and _any_iso(text[~empty]):
        fmt = DateFormat("iso")  # mostly unreadable cells: the first one is named below
    if fmt is None and (~empty).any():
        raise DataError(
            f"The future values' column '{time_column}' does not hold dates; write them as "
            f"YYYY-MM-DD (for example {_label(expected[0], expected)})."
        )
    stamps = parse_dates(raw, fmt) if fmt is not None else pd.DatetimeIndex([pd.NaT] * len(raw))
    unread = np.asarray(stamps.isna()) & ~empty
    if unread.any():
        row = int(np.flatnonzero(unread)[0])
        raise DataError(
            f"The future values' date in row {row + 1} ('{_quote(text.iloc[row])}') could not be "
            f"read; write dates as YYYY-MM-DD (for example {_label(expected[0], expected)})."
        )
    if expected.tz is not None:
        stamps = stamps.tz_localize(expected.tz)
    return stamps


def _place_rows(stamps: pd.Index, expected: pd.Index) -> tuple[np.ndarray, list[str]]:
    """Position in `expected` of each row (-1: ignored), and the notes on ignored rows."""
    present = ~np.asarray(pd.isna(stamps))
    dup = np.asarray(stamps.duplicated()) & present
    if dup.any():
        when = _label(stamps[int(np.flatnonzero(dup)[0])], expected)
        raise DataError(
            f"The future values have two rows for {when}; keep one row per "
            f"{'date' if isinstance(expected, pd.DatetimeIndex) else 'step'}."
        )
    positions = np.asarray(expected.get_indexer(stamps))
    start, end = expected[0], expected[-1]
    before = present & np.asarray(stamps < start)
    if before.any():
        when = _label(stamps[present].min(), expected)
        raise DataError(
            f"The future values start at {when}, before the first forecast date "
            f"{_label(start, expected)}; remove the rows before {_label(start, expected)}."
        )
    after = present & np.asarray(stamps > end)
    off_grid = present & (positions < 0) & ~after
    if off_grid.any():
        when = _label(stamps[int(np.flatnonzero(off_grid)[0])], expected)
        shown = [_label(t, expected) for t in expected[:3]]
        listed = ", ".join(shown) + (f", ..., {_label(end, expected)}" if len(expected) > 3 else "")
        raise DataError(
            f"The future values have a row for {when}, which is not a forecast date; use the "
            f"forecast dates {listed}."
        )
    notes = []
    if after.any():
        count = int(after.sum())
        notes.append(
            f"{count} row{'s' if count > 1 else ''} of future values after "
            f"{_label(end, expected)} (the last forecast date) {'were' if count > 1 else 'was'} "
            "not used."
        )
    return np.where(present & ~after, positions, -1), notes


def _missing_message(name: str, missing: np.ndarray, expected: pd.Index, unit: str) -> str:
    first = int(np.flatnonzero(missing)[0])
    last_label = _label(expected[-1], expected)
    if missing[first:].all() and first < len(missing) - 1:
        return (
            f"Missing future values for column '{name}' from {_label(expected[first], expected)}; "
            f"the forecast needs values up to {last_label}."
        )
    others = int(missing.sum()) - 1
    more = f" and {others} other {unit}{'s' if others > 1 else ''}" if others else ""
    return (
        f"Missing future values for column '{name}' on {_label(expected[first], expected)}{more}; "
        f"the forecast needs one value per {unit} from {_label(expected[0], expected)} to "
        f"{last_label}."
    )


def check_future(
    future: pd.DataFrame,
    drivers: Sequence[str],
    expected_index: pd.Index,
    *,
    time_column: str = "date",
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Validate a user's future values (an edited table or an uploaded CSV) and align them.

    The table needs the time column (or dates as its index) and one column per driver; cells are
    numbers or yes/no (`numeric_driver`'s rule). Every forecast date needs a value in every
    driver column. Rows after the last forecast date and columns that are not drivers are not
    used, and the returned notes say so; rows before the first forecast date, or between
    forecast dates, are refused rather than dropped.

    Args:
        future: the table; the time column holds dates (any format `load_dataset` reads) or,
            for series without dates, whole step numbers.
        drivers: the known-ahead driver columns needed.
        expected_index: the forecast's dates (or steps), `(horizon,)`.
        time_column: the name of the time column ("date" or "step").
        dayfirst: the history's day/month order for ambiguous dates (None: detect).

    Returns:
        `(values, notes)`: a float64 frame `(horizon, len(drivers))` indexed by `expected_index`
        with the drivers as columns, and plain sentences about what was not used.

    Raises:
        DataError: a missing time or driver column, an unreadable or repeated date, a row
            before or between the forecast dates, a cell that is not a number or yes/no, or a
            forecast date without a value; each message names the column and the date.
    """
    drivers = [str(d) for d in drivers]
    expected = pd.Index(expected_index)
    if not isinstance(future, pd.DataFrame):
        raise DataError("The future values must be a table with one row per forecast date.")
    if len(expected) == 0:
        return pd.DataFrame(index=expected, columns=drivers, dtype="float64"), ()
    first, last = _label(expected[0], expected), _label(expected[-1], expected)
    unit = "date" if isinstance(expected, pd.DatetimeIndex) else "step"
    columns = [str(c) for c in future.columns]
    absent = [d for d in drivers if d not in columns]
    if absent:
        quoted = ", ".join(f"'{d}'" for d in absent)
        which = f"column {quoted}; add it" if len(absent) == 1 else f"columns {quoted}; add them"
        raise DataError(
            f"The future values have no {which} (one value per {unit} from {first} to {last})."
        )
    table = future.reset_index(drop=True)
    table.columns = columns
    stamps = _future_stamps(future, expected, time_column, dayfirst)
    cells = {name: _read_cells(table[name]) for name in drivers}
    # A row without a date is ignored only when it holds nothing (a CSV's trailing blank line,
    # an unused editor row); one with values is refused rather than dropped.
    undated = np.asarray(pd.isna(stamps))
    for values, bad in cells.values():
        filled = undated & (~np.isnan(values) | bad)
        if filled.any():
            row = int(np.flatnonzero(filled)[0])
            raise DataError(
                f"Row {row + 1} of the future values has values but no {unit}; add its {unit} "
                "or clear the row."
            )
    positions, notes = _place_rows(stamps, expected)
    unused = [c for c in columns if c not in drivers and c != time_column]
    if unused:
        quoted = ", ".join(f"'{c}'" for c in unused)
        notes.append(
            f"The future values' column{'s' if len(unused) > 1 else ''} {quoted} "
            f"{'are' if len(unused) > 1 else 'is'} not a driver and "
            f"{'were' if len(unused) > 1 else 'was'} not used."
        )
    used = positions >= 0
    out = pd.DataFrame(index=expected_index, columns=drivers, dtype="float64")
    for name in drivers:
        values, bad = cells[name]
        bad_used = bad & used
        if bad_used.any():
            row = int(np.flatnonzero(bad_used)[0])
            when = _label(expected[positions[row]], expected)
            cell = _quote(str(table[name].iloc[row]).strip())
            raise DataError(
                f"The future value of '{name}' on {when} is '{cell}', not a number; write a "
                "number (or yes/no) in that cell."
            )
        column = np.full(len(expected), np.nan)
        column[positions[used]] = values[used]
        missing = np.isnan(column)
        if missing.any():
            raise DataError(_missing_message(name, missing, expected, unit))
        out[name] = column
    return out, tuple(notes)


def prefill_future(
    history: pd.DataFrame,
    drivers: Sequence[str],
    expected_index: pd.Index,
    season: int | None,
) -> tuple[pd.DataFrame, dict[str, list[Hashable]]]:
    """Suggest future values of known-ahead drivers: the same period one season earlier.

    With a season s, the value for forecast step j (the (n + j)-th point after n points of
    history) is the value s points earlier; a horizon longer than a season repeats the last
    season. Without a season (or with a history shorter than one) it is the last value. Empty
    history cells fall back to the column's last value. Every filled cell is an assumption, and
    the returned dict lists them so a table can mark them.

    Args:
        history: the drivers' past, one row per point of the series (in order, ending just
            before `expected_index`), the driver columns as read (`numeric_driver` reads them).
        drivers: the known-ahead columns to fill.
        expected_index: the forecast's dates (or steps), `(horizon,)`.
        season: the plan's season, or None.

    Returns:
        `(values, assumed)`: a float64 frame `(horizon, len(drivers))` indexed by
        `expected_index` (NaN where the history has no value at all), and for each driver the
        index labels whose value was filled in.

    Raises:
        DataError: a driver column missing from the history or holding text that is neither a
            number nor yes/no.
    """
    expected = pd.Index(expected_index)
    horizon = len(expected)
    out = pd.DataFrame(index=expected_index, columns=list(drivers), dtype="float64")
    assumed: dict[str, list[Hashable]] = {}
    for name in drivers:
        if name not in history.columns:
            raise unknown_column("driver", name, [str(c) for c in history.columns])
        past = numeric_driver(history[name], name)
        n = len(past)
        finite = np.flatnonzero(np.isfinite(past))
        last_value = past[finite[-1]] if finite.size else np.nan
        values = np.full(horizon, last_value)
        if season is not None and season > 1 and n >= season:
            whole = np.concatenate([past, np.full(horizon, np.nan)])
            for j in range(horizon):
                whole[n + j] = whole[n + j - season]
            values = whole[n:]
            values[np.isnan(values)] = last_value
        out[name] = values
        assumed[name] = [expected[j] for j in range(horizon) if np.isfinite(values[j])]
    return out, assumed


__all__ = [
    "CALENDAR_NEEDS_DATES",
    "DRIVERS_VERSION",
    "DRIVER_KINDS",
    "ENCODINGS",
    "Driver",
    "DriverData",
    "DriverKind",
    "DriverScaler",
    "DriverSet",
    "Encoding",
    "calendar_columns",
    "calendar_features",
    "check_country",
    "check_future",
    "check_subdivision",
    "holiday_dates",
    "holiday_feature",
    "numeric_driver",
    "prefill_future",
]
