"""Turn the chosen columns into a clean, regular series, counting and reporting every change."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from lstm_core.data._columns import (
    COLUMN_NOTES_KEY,
    DATE_FORMATS_KEY,
    DateFormat,
    detect_date_format,
    is_text,
    mixed_counts,
    parse_dates,
    parse_numbers,
)
from lstm_core.data._model import (
    FILL_POLICIES,
    MAX_CHANGES,
    MAX_ROWS,
    ColumnChoice,
    FillPolicy,
    HealthReport,
)
from lstm_core.data._season import choose_season
from lstm_core.errors import DataError

_FILL_WORDS = {
    "interpolate": "filled by interpolation in time",
    "ffill": "filled with the previous value",
    "zero": "set to 0",
    "drop": "left empty (windows touching it are skipped)",
}


class _Changes:
    """Collects change rows up to `MAX_CHANGES`; counts are kept separately by the caller."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.total = 0

    def add(self, **row: object) -> None:
        self.total += 1
        if len(self.rows) < MAX_CHANGES:
            self.rows.append(row)

    @property
    def room(self) -> int:
        return MAX_CHANGES - len(self.rows)


def to_series(
    df: pd.DataFrame,
    choice: ColumnChoice,
    fill: FillPolicy = "interpolate",
    *,
    dates: pd.DatetimeIndex | None = None,
) -> tuple[pd.Series, HealthReport]:
    """Build the cleaned series from the chosen columns.

    Steps, each counted in the report: blank and undated rows dropped, junk cells made missing,
    rows sorted by time, duplicate timestamps merged (mean), the frequency inferred, missing
    timestamps inserted, missing values handled by `fill`, the season length detected.

    Args:
        df: the table from `read_table` (the notes and date formats that reading and
            `detect_columns` left in `df.attrs` are used).
        choice: the columns from `detect_columns`.
        fill: "interpolate" (in time), "ffill", "zero", or "drop" (leave NaN).
        dates: the date column already parsed by `row_dates`, one per row of `df` (None: parse
            it here).

    Returns:
        The float64 series (see `Dataset`) and its `HealthReport`.

    Raises:
        DataError: when no usable rows remain or every value is missing.
    """
    notes = list(df.attrs.get("warnings", ()))
    if choice.date_column is None:
        notes.extend(df.attrs.get(COLUMN_NOTES_KEY, ()))
    known = df.attrs.get(DATE_FORMATS_KEY, {}).get(choice.date_column)
    return clean_rows(df, choice, fill, notes=notes, date_format=known, dates=dates)


def row_dates(df: pd.DataFrame, choice: ColumnChoice) -> pd.DatetimeIndex | None:
    """The date column parsed exactly as `to_series` parses it.

    Args:
        df: the table from `read_table`, after `detect_columns` (its date format is used).
        choice: the columns from `detect_columns`.

    Returns:
        One time per row of `df` (NaT where a cell cannot be read), or None without a date
        column.

    Raises:
        DataError: the date column does not hold dates.
    """
    if choice.date_column is None:
        return None
    known = df.attrs.get(DATE_FORMATS_KEY, {}).get(choice.date_column)
    return _dates(df[choice.date_column], choice, known)[0]


def clean_rows(
    df: pd.DataFrame,
    choice: ColumnChoice,
    fill: FillPolicy = "interpolate",
    *,
    notes: Sequence[str] = (),
    date_format: DateFormat | None = None,
    dates: pd.DatetimeIndex | None = None,
    style: str | None = None,
    frequency: str | None = None,
) -> tuple[pd.Series, HealthReport]:
    """`to_series` with what was decided for the whole file given, not read from `df.attrs`.

    A file of many series decides these once and cleans each series' rows with them (pandas
    copies `df.attrs` into every object derived from a frame, so rows are passed without them).

    Args:
        df, choice, fill: as for `to_series`.
        notes: notes to start the report with (reading notes, column notes).
        date_format: how the date column is parsed (None: detect it from these rows).
        dates: the date column already parsed with `date_format`, one per row of `df`.
        style: the value column's decimal style, "point" or "comma" (None: detect it).
        frequency: the frequency to use when the dates are too few to tell one (a many-series
            file's shared frequency), if they lie on its grid; None: never assume one.

    Returns:
        As for `to_series`.

    Raises:
        DataError: as for `to_series`.
    """
    if fill not in FILL_POLICIES:
        raise DataError(
            f"Unknown fill policy '{fill}'; choose one of: {', '.join(FILL_POLICIES)}."
        )
    notes = list(notes)
    changes = _Changes()
    rows_read = len(df)
    raw = df[choice.value_column]
    values = parse_numbers(raw, style).to_numpy(dtype="float64", copy=True)
    raw_text = raw.astype(str).str.strip().to_numpy() if is_text(raw) else None
    blank = blank_rows(df, np.isnan(values))

    if choice.date_column is not None:
        dates, found = _dates(df[choice.date_column], choice, date_format, dates)
        notes.extend(found)
        undated = np.asarray(dates.isna()) & ~blank
    else:
        dates = None
        undated = np.zeros(rows_read, dtype=bool)
    trailing = trailing_rows(values, dates, blank | undated)
    dropped = blank | undated | trailing
    rows_dropped = int(dropped.sum())
    if undated.any():
        bad = df[choice.date_column].astype(str).str.strip().to_numpy()[undated]
        shown = ", ".join(f"'{t}'" if t else "(empty)" for t in pd.unique(bad)[:5])
        n_bad = int(undated.sum())
        notes.append(
            f"Dropped {n_bad} row{'s' if n_bad != 1 else ''} whose date could not be read: "
            f"{shown}{' …' if len(pd.unique(bad)) > 5 else ''}."
        )
    if blank.any():
        n_blank = int(blank.sum())
        notes.append(f"Dropped {n_blank} empty row{'s' if n_blank != 1 else ''}.")
    if trailing.any():
        notes.append(_trailing_note(trailing, dates, choice.value_column))
    for r in np.flatnonzero(dropped)[: changes.room]:
        reason = ("row dropped: empty" if blank[r] else "row dropped: not a date" if undated[r]
                  else "row dropped: no value after the series' last value")
        changes.add(
            row=int(r) + 1, position=None, date=None,
            original=_row_text(df, choice, int(r)), new_value=None, reason=reason,
        )
    changes.total += max(0, rows_dropped - min(rows_dropped, MAX_CHANGES))

    keep = ~dropped
    junk = keep & np.isnan(values)
    junk_cells = int(junk.sum())
    row_numbers = np.flatnonzero(keep) + 1
    kept_values = values[keep]
    if len(kept_values) == 0:
        raise DataError(
            "No row has a readable date; check the date column or choose another one."
        )
    if np.isnan(kept_values).all():
        raise DataError(
            f"Every value in the column '{choice.value_column}' is missing; choose another "
            "value column or fill in the values."
        )

    if dates is None:
        series = pd.Series(kept_values, index=pd.RangeIndex(len(kept_values), name="step"))
        frequency = None
        timestamps_inserted = duplicates_merged = 0
    else:
        kept_dates = dates if not dropped.any() else pd.DatetimeIndex(dates[keep])
        series, frequency, regular, duplicates_merged, timestamps_inserted = _regularise(
            kept_values, kept_dates, row_numbers, raw_text, changes, notes, frequency
        )

    if junk_cells:
        notes.append(
            f"{junk_cells} cell{'s' if junk_cells != 1 else ''} in '{choice.value_column}' "
            f"{'were' if junk_cells != 1 else 'was'} not a number and treated as missing."
        )
    missing = np.flatnonzero(np.isnan(series.to_numpy()))
    series = _fill(series, fill, notes)
    filled = series.to_numpy()
    series.name = choice.value_column
    for row in changes.rows:
        if row["reason"] == "missing time inserted":
            row["new_value"] = _float(filled[row["position"]])
        elif row["position"] is None and row["date"] is not None:
            row["position"] = int(series.index.get_loc(pd.Timestamp(row["date"])))

    junk_rows = np.flatnonzero(junk)[: changes.room]
    if dates is None:
        junk_positions = np.searchsorted(row_numbers, junk_rows + 1)
    else:
        junk_positions = _positions(series.index, kept_dates[np.searchsorted(row_numbers,
                                                                           junk_rows + 1)],
                                    frequency, regular)
    for i, pos in zip(junk_rows, junk_positions, strict=True):
        pos = int(pos)
        changes.add(
            row=int(i) + 1, position=pos, date=_iso(series.index[pos]),
            original=str(raw_text[i]) if raw_text is not None else "",
            new_value=float(filled[pos]),
            reason=f"not a number; {_FILL_WORDS[fill]}",
        )
    changes.total += max(0, junk_cells - MAX_CHANGES)
    if changes.total > len(changes.rows):
        notes.append(
            f"{changes.total} rows were changed; the table of changes shows the first "
            f"{len(changes.rows)}."
        )

    season = choose_season(filled, frequency).season
    index = series.index
    report = HealthReport(
        rows_read=rows_read,
        rows_used=int(len(series)),
        duplicates_merged=duplicates_merged,
        junk_cells=junk_cells,
        rows_dropped=rows_dropped,
        timestamps_inserted=timestamps_inserted,
        values_filled=int(len(missing)),
        start=_iso(index[0]) if isinstance(index, pd.DatetimeIndex) else None,
        end=_iso(index[-1]) if isinstance(index, pd.DatetimeIndex) else None,
        frequency=frequency,
        season_length=season,
        warnings=tuple(notes),
        changes=tuple(changes.rows),
        filled_positions=tuple(int(p) for p in missing),
    )
    return series, report


# ---------------------------------------------------------------- steps


def trailing_rows(
    values: np.ndarray, dates: pd.DatetimeIndex | None, dropped: np.ndarray
) -> np.ndarray:
    """Rows after the last one with a value (in time order; row order without dates): they are
    not data (a file's planned future months, a period not reported yet), so the series ends at
    its last value instead of repeating it."""
    usable = ~dropped
    valued = usable & ~np.isnan(values)
    trailing = np.zeros(values.size, dtype=bool)
    if not valued.any():
        return trailing
    if dates is None:
        last = int(np.flatnonzero(valued)[-1])
        trailing[last + 1:] = usable[last + 1:]
        return trailing
    stamps = pd.DatetimeIndex(dates).asi8
    return usable & np.isnan(values) & (stamps > stamps[valued].max())


def _trailing_note(trailing: np.ndarray, dates: pd.DatetimeIndex | None, column: str) -> str:
    count = int(trailing.sum())
    if dates is not None:
        stamps = pd.DatetimeIndex(dates)[trailing]
        span = (f"{_iso(stamps.min())}" if count == 1
                else f"{_iso(stamps.min())} to {_iso(stamps.max())}")
    else:
        rows = np.flatnonzero(trailing) + 1
        span = f"row {rows[0]}" if count == 1 else f"rows {rows[0]} to {rows[-1]}"
    which = "The last row" if count == 1 else f"The last {count} rows"
    verb = "has" if count == 1 else "have"
    return (f"{which} ({span}) {verb} no value for '{column}' after its last value, so the "
            "series ends there; to use their other columns as planned future values, mark "
            "those columns as drivers known ahead.")


def blank_rows(df: pd.DataFrame, candidates: np.ndarray) -> np.ndarray:
    """Rows whose every cell is empty; only rows in `candidates` (value missing) can be.

    Returns:
        `(len(df),)` bool: True for a row `clean_rows` drops as empty.
    """
    blank = candidates.copy()
    rows = np.flatnonzero(blank)
    for name in df.columns:
        if rows.size == 0:
            break  # every candidate already has a filled cell
        col = df[name].iloc[rows]
        if is_text(col):
            blank[rows] &= col.astype(str).str.strip().eq("").to_numpy()
        else:
            blank[rows] &= col.isna().to_numpy()
        rows = rows[blank[rows]]
    return blank


def _row_text(df: pd.DataFrame, choice: ColumnChoice, row: int) -> str:
    cols = [c for c in (choice.date_column, choice.value_column) if c is not None]
    cells = (df[c].iloc[row] for c in cols)
    return ", ".join(_number_text(v) if isinstance(v, float) else str(v) for v in cells)


def _dates(
    column: pd.Series,
    choice: ColumnChoice,
    known: DateFormat | None,
    parsed: pd.DatetimeIndex | None = None,
) -> tuple[pd.DatetimeIndex, list[str]]:
    detected = known or detect_date_format(column, str(column.name))
    fmt: DateFormat | None = detected
    if detected is not None and choice.dayfirst is not None and detected.dayfirst is not None:
        if detected.dayfirst != choice.dayfirst:
            fmt = detect_date_format(column, str(column.name), dayfirst=choice.dayfirst)
    if fmt is None:
        raise DataError(
            f"The column '{column.name}' does not hold dates; choose another date column "
            "or leave it empty to use the row order."
        )
    if fmt is known and parsed is not None:
        return parsed, date_notes(column, fmt)
    return parse_dates(column, fmt), date_notes(column, fmt)


def date_notes(column: pd.Series, fmt: DateFormat) -> list[str]:
    """Plain-word notes on how a date column was read: an assumed day/month order, a mix of
    formats, UTC offsets dropped.

    Args:
        column: the date column (its name is used in the notes).
        fmt: the format it is parsed with.

    Returns:
        The notes, possibly none.
    """
    name = column.name
    notes: list[str] = []
    if fmt.kind == "mixed":
        n_iso, n_other, iso_example, other_example = mixed_counts(column)
        form = fmt.format or "%m/%d/%Y"
        parts = ("day", "month", "year") if form.startswith("%d") else ("month", "day", "year")
        order = form[2].join(parts)
        why = " (nothing in the file tells the order, so it was assumed)" if fmt.assumed else ""
        notes.append(
            f"The dates in '{name}' mix two formats: {n_iso} like '{iso_example}' were read as "
            f"year-month-day and {n_other} like '{other_example}' as {order}{why}; check the "
            "dates and write them all one way in the file if this is wrong."
        )
    elif fmt.assumed:
        order = "day before month" if fmt.dayfirst else "month before day"
        notes.append(
            f"The dates in '{name}' could be read either way; assumed {order}. "
            "Check the dates and reorder them in the file if this is wrong."
        )
    if fmt.kind == "utc" or (fmt.kind == "iso" and _has_offsets(column)):
        notes.append(
            f"The times in '{name}' carry UTC offsets (for example across a daylight-saving "
            "change); they were converted to UTC and the offset dropped."
        )
    return notes


def _has_offsets(column: pd.Series) -> bool:
    return bool(column.astype(str).iloc[:50].str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$").any())


def _regularise(
    values: np.ndarray,
    dates: pd.DatetimeIndex,
    row_numbers: np.ndarray,
    raw_text: np.ndarray | None,
    changes: _Changes,
    notes: list[str],
    fallback: str | None = None,
) -> tuple[pd.Series, str | None, bool, int, int]:
    """Sort, merge duplicates, infer the frequency and insert missing timestamps.

    `fallback` is the frequency used when the times are too few to infer one and lie on its grid.

    Returns:
        The series on a regular index, the frequency alias, whether the input times were on its
        grid, duplicates merged, timestamps inserted.
    """
    n = len(values)
    order = np.arange(n)
    if not dates.is_monotonic_increasing:
        order = np.argsort(dates.asi8, kind="stable")
        notes.append("The rows were not in time order; they were sorted by date.")
    sorted_dates = dates[order]
    sorted_values = values[order]
    series = pd.Series(sorted_values, index=sorted_dates)

    duplicates = 0
    # On a sorted index, uniqueness is just strictly increasing steps (no hash table needed).
    if not bool((np.diff(sorted_dates.asi8) > 0).all()):
        series = series.groupby(level=0, sort=True).mean()
        duplicates = n - len(series)
        notes.append(
            f"{duplicates} row{'s' if duplicates != 1 else ''} repeated a time already in the "
            "file and were merged by taking the mean."
        )
        dup_mask = sorted_dates.duplicated(keep=False)
        for stamp in pd.unique(sorted_dates[dup_mask])[: changes.room]:
            members = np.flatnonzero(sorted_dates == stamp)
            texts = [
                str(raw_text[order[m]]) if raw_text is not None else _number_text(sorted_values[m])
                for m in members
            ]
            changes.add(
                row=int(row_numbers[order[members[0]]]), position=None, date=_iso(stamp),
                original="; ".join(texts), new_value=_float(series.loc[stamp]),
                reason=f"{len(members)} rows with the same time merged (mean)",
            )

    frequency, regular = infer_frequency(series.index)
    used_fallback = (frequency is None and fallback is not None
                     and not off_grid(series.index, fallback).any())
    if used_fallback:
        frequency, regular = fallback, True
        notes.append(
            "There are too few distinct times to tell the frequency; the frequency the file's "
            f"other series share ('{fallback}') was used."
        )
    exact = regular and _inferred_exactly(series.index, frequency)
    inserted = 0
    if frequency is not None:
        if regular and exact:
            series.index.freq = to_offset(frequency)  # infer_freq saw no gaps: nothing to insert
        elif regular:
            grid = pd.date_range(series.index[0], series.index[-1], freq=frequency)
            _check_grid(len(grid))
            inserted = len(grid) - len(series)
            series = series.reindex(grid)
        else:
            buckets = series.resample(frequency)
            sizes = buckets.size()
            _check_grid(len(sizes))
            merged = int((sizes - 1).clip(lower=0).sum())
            inserted = int((sizes == 0).sum())
            series = buckets.mean()
            duplicates += merged
            extra = f", averaging {merged} reading(s) that shared a slot" if merged else ""
            notes.append(
                f"The times are irregular; they were placed on a regular grid of '{frequency}' "
                f"(the most common spacing){extra}."
            )
            series.index.freq = to_offset(frequency)
        if inserted:
            notes.append(
                f"{inserted} missing time{'s' if inserted != 1 else ''} "
                f"{'were' if inserted != 1 else 'was'} inserted to make the series regular."
            )
            new_stamps = series.index[np.isnan(series.to_numpy())]
            # Inserted stamps are those absent from the input; inputs can also be NaN (junk).
            new_stamps = new_stamps[~new_stamps.isin(sorted_dates)]
            for stamp in new_stamps[: changes.room]:
                changes.add(
                    row=None, position=int(series.index.get_loc(stamp)), date=_iso(stamp),
                    original="", new_value=None, reason="missing time inserted",
                )
            changes.total += max(0, len(new_stamps) - MAX_CHANGES)
    else:
        notes.append("There are too few distinct times to tell the frequency.")

    return series.astype("float64"), frequency, regular, duplicates, inserted


def off_grid(
    index: pd.DatetimeIndex, frequency: str, anchor: pd.Timestamp | None = None
) -> np.ndarray:
    """Which times do not lie on the grid of `frequency` through `anchor`.

    The one on-grid rule: a series too short to tell its frequency takes a shared one only if
    this finds nothing off its grid. The grid runs both ways from `anchor` in whole steps (a
    multiple like `2MS` keeps the anchor's phase) at the anchor's time of day.

    Args:
        index: sorted times.
        frequency: a pandas offset alias.
        anchor: a time on the grid (None: the first of `index`).

    Returns:
        (len(index),) bool: True for a time off the grid (every time, when the grid would span
        more than `MAX_ROWS` steps).
    """
    offset = to_offset(frequency)
    anchor = index[0] if anchor is None else anchor
    if isinstance(offset, pd.offsets.Tick):
        steps = np.asarray((index - anchor) / pd.Timedelta(offset), dtype="float64")
        return steps != np.round(steps)
    everywhere = np.ones(len(index), dtype=bool)
    if not offset.is_on_offset(anchor):
        return everywhere
    base = offset.base
    time_of_day = anchor - anchor.normalize()
    start = base.rollback(min(index.min(), anchor).normalize() + time_of_day)
    grid = pd.date_range(start, max(index.max(), anchor), freq=base)
    at = grid.get_indexer([anchor])[0]
    if at < 0 or len(grid) > MAX_ROWS * offset.n:
        return everywhere
    return ~np.asarray(index.isin(grid[at % offset.n::offset.n]))


def _positions(
    index: pd.DatetimeIndex, dates: pd.DatetimeIndex, frequency: str | None, regular: bool
) -> np.ndarray:
    """Position in the cleaned index of each given input date (a regridded date: its slot)."""
    if frequency is not None and not regular:
        slot = np.searchsorted(index.asi8, dates.asi8, side="right") - 1
        return np.clip(slot, 0, len(index) - 1)
    return index.get_indexer(dates)


def _check_grid(size: int) -> None:
    if size > MAX_ROWS:
        raise DataError(
            f"The dates span more than {MAX_ROWS:,} steps at their spacing, more than this server "
            "accepts; check the date column for stray dates far from the rest."
        )


def infer_frequency(index: pd.DatetimeIndex) -> tuple[str | None, bool]:
    """Infer the pandas offset alias of a sorted, unique DatetimeIndex.

    Returns:
        (alias, regular): `regular` is True when every time lies on the alias' grid (gaps allowed),
        False when the alias is only the most common spacing of irregular times. (None, False) for
        fewer than three times.
    """
    if len(index) < 3:
        return None, False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inferred = pd.infer_freq(index)
    if inferred is not None:
        return _alias(inferred), True
    alias = _alias_from_spacing(index)
    if alias is None:
        return None, False
    grid = pd.date_range(index[0], index[-1], freq=alias)
    if len(grid) <= MAX_ROWS and index.isin(grid).all():
        if alias == "D" and len(index) >= 10 and (index.dayofweek < 5).all():
            return "B", True  # business days: weekends are not gaps
        return alias, True
    return alias, False


def _inferred_exactly(index: pd.DatetimeIndex, frequency: str | None) -> bool:
    # Cheap check that the index already is the full grid: same length as the grid would have.
    if frequency is None or len(index) < 3:
        return False
    offset = to_offset(frequency)
    if isinstance(offset, pd.offsets.Tick):
        span = (index[-1] - index[0]) / pd.Timedelta(offset)
        return span == len(index) - 1
    return index[0] + (len(index) - 1) * offset == index[-1]


def _alias(value: object) -> str:
    return value if isinstance(value, str) else to_offset(value).freqstr


def _alias_from_spacing(index: pd.DatetimeIndex) -> str | None:
    diffs = np.diff(index.asi8)
    steps, counts = np.unique(diffs, return_counts=True)
    step = pd.Timedelta(int(steps[np.argmax(counts)]), unit=index.unit)
    days = step / pd.Timedelta(days=1)
    first = index[0]
    for low, high, months in ((27, 32, 1), (88, 93, 3), (180, 185, 6), (364, 367, 12)):
        if low <= days <= high:
            return _calendar_alias(first, months)
    if days == 7:
        return f"W-{first.day_name()[:3].upper()}"
    if days == int(days) and days >= 1:
        return "D" if days == 1 else f"{int(days)}D"
    return to_offset(step).freqstr


def _calendar_alias(first: pd.Timestamp, months: int) -> str:
    # Ask pandas what it would call a clean run of such dates, so aliases match `infer_freq`.
    if first.is_month_end:
        run = [first + pd.offsets.MonthEnd(months * i) for i in range(5)]
    else:
        run = [first + pd.DateOffset(months=months * i) for i in range(5)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inferred = pd.infer_freq(pd.DatetimeIndex(run))
    if inferred is not None:
        return _alias(inferred)
    return {1: "MS", 3: "QS", 6: "6MS", 12: "YS"}[months]


def _fill(series: pd.Series, fill: str, notes: list[str]) -> pd.Series:
    missing = int(series.isna().sum())
    if not missing:
        return series
    if fill == "drop":
        notes.append(
            f"{missing} value{'s are' if missing != 1 else ' is'} missing and left empty; "
            "training windows that touch them are skipped."
        )
        return series
    if fill == "zero":
        out = series.fillna(0.0)
    else:
        if fill == "interpolate":
            method = "time" if isinstance(series.index, pd.DatetimeIndex) else "linear"
            out = series.interpolate(method=method, limit_area="inside")
        else:
            out = series.ffill()
        edge = int(out.isna().sum())
        if edge:
            out = out.ffill().bfill()
            notes.append(
                f"{edge} missing value{'s' if edge != 1 else ''} at the start or end "
                f"{'were' if edge != 1 else 'was'} copied from the nearest value."
            )
    plural = "s were" if missing != 1 else " was"
    notes.append(f"{missing} missing value{plural} {_FILL_WORDS[fill]}.")
    return out


# ---------------------------------------------------------------- small helpers


def _iso(value: object) -> str | None:
    if isinstance(value, pd.Timestamp):
        if value.hour == value.minute == value.second == 0 and value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()
    return None


def _number_text(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _float(value: object) -> float | None:
    out = float(value)  # type: ignore[arg-type]
    return out if math.isfinite(out) else None
