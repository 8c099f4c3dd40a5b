"""Driver columns read from the uploaded file, aligned to the cleaned series (issue 13).

A file may hold, besides the date and the series, columns that help explain it (a promotion, a
price, the temperature). `load_driven` reads the table once, cleans the series exactly as
`load_dataset` does and reads the chosen driver columns onto the series' index:

- Trailing rows without a value for the series (rows dated after its last value) are its future:
  they are left out of the series and their known-ahead driver values become the future values.
- Driver cells are parsed with the series' dates, merged like the series' rows (mean of a repeated
  date) and placed on its index; gaps are filled (0/1 columns by the previous value, others by
  linear interpolation) and every fill is named in a note.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

# `lstm_core.drivers` reads cells with this package's helpers, so it may still be loading when
# this module is: its names are looked up when called, not imported.
import lstm_core.drivers as driver_lib
from lstm_core.data._clean import blank_rows, off_grid, row_dates, to_series, trailing_rows
from lstm_core.data._columns import detect_columns, is_counter, parse_numbers
from lstm_core.data._model import ColumnChoice, Dataset, FillPolicy
from lstm_core.data._panel import frequency_words
from lstm_core.data._read import read_table
from lstm_core.errors import DataError

if TYPE_CHECKING:
    from lstm_core.drivers import DriverData, DriverSet

@dataclass(frozen=True)
class DrivenDataset:
    """A cleaned series with its driver columns, read from one file.

    Attributes:
        dataset: the series and its health report, exactly what `load_dataset` gives for the
            file without its future rows.
        drivers: the driver values: `history (len(series), len(spec.names))` on the series'
            index, without gaps; `future (m, len(spec.known))` from the file's future rows, or
            None when it has none.
        notes: plain sentences on what was done to the drivers: the value column chosen, the
            rows used as the future, the gaps filled.
    """

    dataset: Dataset
    drivers: DriverData
    notes: tuple[str, ...] = ()


def load_driven(
    data: bytes,
    filename: str,
    drivers: DriverSet,
    *,
    date_col: str | None = None,
    value_col: str | None = None,
    sheet: str | None = None,
    fill: FillPolicy = "interpolate",
    use_dates: bool = True,
) -> DrivenDataset:
    """Read a file's series and its driver columns in one call.

    With an empty `drivers` the dataset is exactly `load_dataset`'s. Without known-ahead drivers
    no row is taken as the future.

    Args:
        data: the raw file bytes.
        filename: the file's name (its suffix selects Excel or text reading; its stem names the
            dataset).
        drivers: the chosen driver columns and calendar and holiday features.
        date_col, value_col, sheet, fill, use_dates: as for `load_dataset`. When `value_col` is
            None and the detected value column is a driver, the first other numeric column is
            the series.

    Returns:
        The `DrivenDataset`.

    Raises:
        DataError: anything `load_dataset` refuses; a driver missing from the file; a driver
            cell that is neither a number nor yes/no; a driver without numbers in the series'
            rows; calendar or holiday drivers without dates; no column left to forecast.
        SettingsError: the value column is one of the drivers.
    """
    frame = read_table(data, filename, sheet=sheet)
    choice, notes = _choose_columns(frame, drivers, date_col, value_col, use_dates)
    dates = row_dates(frame, choice)
    values = parse_numbers(frame[choice.value_column]).to_numpy(dtype="float64")
    blank = blank_rows(frame, np.isnan(values))
    future = _future_rows(frame, drivers, dates, values, blank)
    body = frame if not future.any() else frame[~future].reset_index(drop=True)
    series, report = to_series(body, choice, fill,
                               dates=None if dates is None else dates[~future])
    dataset = Dataset(name=PurePath(filename).stem or "data", series=series, report=report,
                      choice=choice)
    if dates is None:  # the rows cleaning keeps, in order: not blank, not after the last value
        kept = ~future & ~blank & ~trailing_rows(values, None, blank | future)
    else:
        kept = ~future & np.asarray(dates.notna())
    cells = _read_drivers(frame, drivers, kept | future)
    history, filled = _history(cells, drivers, dates, kept, series.index)
    ahead, ahead_notes = _future(cells, drivers, dates, future, series)
    return DrivenDataset(
        dataset=dataset,
        drivers=driver_lib.DriverData(spec=drivers, history=history, future=ahead),
        notes=tuple(notes + ahead_notes + filled),
    )


# ---------------------------------------------------------------- columns


def _choose_columns(
    frame: pd.DataFrame,
    drivers: DriverSet,
    date_col: str | None,
    value_col: str | None,
    use_dates: bool,
) -> tuple[ColumnChoice, list[str]]:
    """Detect the columns, keep the drivers out of the value column and check the drivers."""
    choice = detect_columns(frame, date_col=date_col, value_col=value_col)
    notes: list[str] = []
    if value_col is None and choice.value_column in drivers.names:
        other = _free_value_column(frame, choice, drivers)
        notes.append(
            f"'{choice.value_column}' is a driver, so '{other}' is the series to forecast."
        )
        choice = replace(choice, value_column=other)
    if not use_dates and choice.date_column is not None:
        choice = replace(choice, date_column=None, dayfirst=None)
    drivers.check(choice.value_column, choice.columns)
    if (drivers.calendar or drivers.holidays) and choice.date_column is None:
        raise DataError(driver_lib.CALENDAR_NEEDS_DATES)
    return choice, notes


def _free_value_column(frame: pd.DataFrame, choice: ColumnChoice, drivers: DriverSet) -> str:
    """The first numeric column that is neither the date nor a driver (a row counter last)."""
    free = [name for name in choice.numeric_columns if name not in drivers.names]
    counted = [name for name in free if not is_counter(frame[name])] or free
    if not counted:
        raise DataError(
            f"The column '{choice.value_column}' is chosen as a driver and no other column "
            "holds numbers; choose the value column to forecast."
        )
    return counted[0]


# ---------------------------------------------------------------- rows


def _future_rows(
    frame: pd.DataFrame,
    drivers: DriverSet,
    dates: pd.DatetimeIndex | None,
    values: np.ndarray,
    blank: np.ndarray,
) -> np.ndarray:
    """Which rows are the series' future: `(len(frame),)` bool.

    With dates: the rows dated after the last row with a value. Without: the trailing rows
    (blank rows skipped) with no value but some driver value. Only known-ahead drivers have a
    future, so without them no row is.
    """
    none = np.zeros(len(frame), dtype=bool)
    if not drivers.known:
        return none
    if dates is not None:
        dated = np.asarray(dates.notna())
        valued = dated & ~np.isnan(values)
        if not valued.any():
            return none  # nothing to forecast from: cleaning says so
        return dated & np.asarray(dates > dates[valued].max())
    no_driver = blank_rows(frame[list(drivers.names)], np.ones(len(frame), dtype=bool))
    ahead = np.isnan(values) & ~no_driver
    stops = np.flatnonzero(~blank & ~ahead)
    if stops.size == 0:
        return none
    return ahead & (np.arange(len(frame)) > stops[-1])


def _read_drivers(
    frame: pd.DataFrame, drivers: DriverSet, rows: np.ndarray
) -> dict[str, np.ndarray]:
    """Each driver column read by `numeric_driver` on `rows` (NaN elsewhere), so a message names
    the file's row: `{name: (len(frame),) float64}`."""
    read = driver_lib.numeric_driver
    return {name: read(frame[name].where(rows), name) for name in drivers.names}


# ---------------------------------------------------------------- history


def _history(
    cells: dict[str, np.ndarray],
    drivers: DriverSet,
    dates: pd.DatetimeIndex | None,
    kept: np.ndarray,
    index: pd.Index,
) -> tuple[pd.DataFrame, list[str]]:
    """The drivers on the series' index, gaps filled: `(len(index), len(drivers.names))`."""
    if not drivers.names:
        return pd.DataFrame(index=index, dtype="float64"), []
    rows = pd.DataFrame({name: cells[name][kept] for name in drivers.names}, dtype="float64")
    for name in drivers.names:
        if rows[name].isna().all():
            raise DataError(
                f"The driver column '{name}' has no numbers in the rows of the series; fill it "
                "in or do not use it as a driver."
            )
    if dates is None:
        rows.index = index
    else:
        rows = _on_series_index(rows.set_axis(dates[kept]), index)
    notes: list[str] = []
    for name in drivers.names:
        rows[name], note = _fill_gaps(rows[name], observed=name in drivers.observed)
        if note:
            notes.append(note)
    return rows, notes


def _on_series_index(rows: pd.DataFrame, index: pd.DatetimeIndex) -> pd.DataFrame:
    """Dated rows merged and placed as the series' rows are: a repeated date by the mean, then
    onto the series' times (times off its grid averaged into their slot, as the series' were)."""
    merged = rows.groupby(level=0, sort=True).mean()
    if index.freq is not None and not merged.index.isin(index).all():
        merged = merged.resample(index.freq).mean()
    return merged.reindex(index)


def _fill_gaps(column: pd.Series, observed: bool = False) -> tuple[pd.Series, str | None]:
    """Fill a driver's gaps: a 0/1 column, or an observed one, by the previous value (the next
    one before its first); another by linear interpolation in position (the nearest value at the
    edges). An observed driver is never filled from a later value inside the series: a window
    would then read a value from its own forecast steps."""
    missing = int(column.isna().sum())
    if not missing:
        return column, None
    if observed or column.dropna().isin((0.0, 1.0)).all():
        filled = column.ffill().bfill()
        how = "copied from the previous value"
        if np.isnan(column.iloc[0]):
            how += "; at the start, from the next one"
    else:
        filled = column.interpolate(method="linear", limit_direction="both")
        how = "interpolated in time"
    values, were = ("value", "was") if missing == 1 else ("values", "were")
    return filled, f"{missing} missing {values} of '{column.name}' {were} filled ({how})."


# ---------------------------------------------------------------- future


def _future(
    cells: dict[str, np.ndarray],
    drivers: DriverSet,
    dates: pd.DatetimeIndex | None,
    future: np.ndarray,
    series: pd.Series,
) -> tuple[pd.DataFrame | None, list[str]]:
    """The known-ahead values of the future rows, on the steps after the series, and notes.

    Returns:
        `(m, len(drivers.known))` float64 on the first `m` steps after the series (the rows up
        to the first one that cannot be used), or None when there is none; the notes.
    """
    rows = np.flatnonzero(future)
    if rows.size == 0:
        return None, []
    known = pd.DataFrame({name: cells[name][rows] for name in drivers.known}, dtype="float64")
    if dates is None:
        known.index = pd.RangeIndex(len(series), len(series) + len(rows), name=series.index.name)
        places = _Places(tuple(str(row + 1) for row in rows), dated=False)
        usable, reason = _usable_rows(known, places)
    else:
        known = known.set_axis(dates[rows]).sort_index(kind="stable")
        places = _Places(tuple(_day(stamp) for stamp in known.index), dated=True)
        usable, reason = _usable_dated_rows(known, series.index, places)
    notes = _future_notes(places, usable, reason, str(series.name))
    notes += _observed_note(cells, drivers, rows)
    if usable == 0:
        return None, notes
    values = known.iloc[:usable]
    if dates is not None:
        values = values.set_axis(_steps_after(series.index, usable))
    return values, notes


@dataclass(frozen=True)
class _Places:
    """Where the future rows are, for notes: their dates (in time order) or file row numbers."""

    labels: tuple[str, ...]
    dated: bool

    def at(self, i: int) -> str:
        """Where row `i` is: "on 2024-03-01" or "in row 27"."""
        return f"on {self.labels[i]}" if self.dated else f"in row {self.labels[i]}"

    def span(self) -> str:
        """All the rows: "2024-01-01 to 2024-06-01", "rows 25 to 27" or "row 27"."""
        first, last = self.labels[0], self.labels[-1]
        if self.dated:
            return first if len(self.labels) == 1 else f"{first} to {last}"
        return f"row {first}" if len(self.labels) == 1 else f"rows {first} to {last}"


def _usable_dated_rows(
    known: pd.DataFrame, index: pd.DatetimeIndex, places: _Places
) -> tuple[int, str | None]:
    """`_usable_rows` for dated rows (in time order), which must also be the steps after the
    series' end at its frequency, one row each."""
    if index.freq is None:
        return 0, "the series is too short to tell its frequency, so its next steps are unknown"
    usable, reason = _usable_rows(known, places)
    steps = _steps_after(index, usable)
    off = off_grid(known.index, index.freqstr, anchor=index[-1])
    for i, (stamp, step) in enumerate(zip(known.index[:usable], steps, strict=True)):
        if off[i]:
            freq = frequency_words(index.freqstr)
            return i, f"{_day(stamp)} is not a step of the series, which is {freq}"
        if stamp > step:
            return i, f"there is no row for {_day(step)}"
        if i + 1 < len(known) and known.index[i + 1] == stamp:
            return i, f"{_day(stamp)} is in more than one row"
    return usable, reason


def _usable_rows(known: pd.DataFrame, places: _Places) -> tuple[int, str | None]:
    """How many leading rows give every known-ahead value, and why the next one cannot be used."""
    empty = known.isna().to_numpy()
    stops = np.flatnonzero(empty.any(axis=1))
    if stops.size == 0:
        return len(known), None
    row = int(stops[0])
    name = known.columns[int(np.flatnonzero(empty[row])[0])]
    return row, f"'{name}' has no value {places.at(row)}"


def _steps_after(index: pd.DatetimeIndex, count: int) -> pd.DatetimeIndex:
    """The `count` times after the series' end at its frequency."""
    steps = pd.date_range(index[-1], periods=count + 1, freq=index.freq, name=index.name)
    return steps[1:].as_unit(index.unit)


def _future_notes(
    places: _Places, usable: int, reason: str | None, target: str
) -> list[str]:
    """Which rows became the future, and where and why their values stop being used."""
    n = len(places.labels)
    one = n == 1
    head = (f"{'The last row' if one else f'The last {n} rows'} ({places.span()}) "
            f"{'has' if one else 'have'} no value for '{target}'")
    if usable == 0:
        return [f"{head}, so {'it was' if one else 'they were'} left out of the series; no "
                f"future driver values were taken from {'it' if one else 'them'}: {reason}."]
    notes = [f"{head}: {'its' if one else 'their'} known-ahead driver values are used as the "
             "future values."]
    if reason is not None:
        unused = n - usable
        rows = "row was" if unused == 1 else "rows were"
        notes.append(f"The future values stop {places.at(usable - 1)}: {reason}, so {unused} "
                     f"{rows} not used.")
    return notes


def _observed_note(
    cells: dict[str, np.ndarray], drivers: DriverSet, rows: np.ndarray
) -> list[str]:
    """A note when observed drivers have values in the future rows (only their past is used)."""
    given = [name for name in drivers.observed if not np.isnan(cells[name][rows]).all()]
    if not given:
        return []
    names = ", ".join(f"'{name}'" for name in given)
    return [f"The values of {names} in those rows were not used: an observed driver's future "
            "is not known ahead."]


def _day(stamp: pd.Timestamp) -> str:
    return str(stamp.date()) if stamp == stamp.normalize() else stamp.isoformat()
