"""Many series in one file (a panel): long rows (`store, date, sales`) or wide columns.

`detect_layout` decides how a table holds its series; `load_panel` reads, splits and cleans them.
Each series is cleaned by `to_series` on its own rows, so its health report, gap filling and
duplicate merging are exactly those of a single-series file. The table is grouped once and the
date format and decimal style are decided once for the whole file, then handed to every series.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import PurePath
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from lstm_core.data._clean import clean_rows, date_notes, infer_frequency, off_grid, to_series
from lstm_core.data._columns import (
    COLUMN_NOTES_KEY,
    DATE_FORMATS_KEY,
    detect_columns,
    is_counter,
    is_text,
    number_style,
    parse_dates,
    parse_numbers,
    sample_of,
    unknown_column,
)
from lstm_core.data._model import MAX_ROWS, ColumnChoice, Dataset, FillPolicy, HealthReport
from lstm_core.data._read import read_table
from lstm_core.errors import DataError
from lstm_core.jsonable import to_jsonable

Layout = Literal["single", "long", "wide"]

# More series than this in one upload is a data warehouse, not an analyst's export.
MAX_SERIES = 5000
ID_SEPARATOR = " / "
# Real long files repeat a few (id, date) pairs (a re-sent row): one, or up to this share of rows.
_REPEATS_ALLOWED = 0.01
# A long file's series overlap in time: at least this share of rows shares its date with another
# row. A single series with a few repeated dates stays one series.
_SHARED_DATES = 0.2
# An id column may be empty on a few rows (a footer, a stray total), not more.
_EMPTY_IDS = 0.1
# Auto-detection tries sets of up to this many text columns, among at most this many candidates.
_MAX_ID_COLUMNS = 3
_MAX_ID_CANDIDATES = 6
# A whole-number column is taken for ids only with at least this many rows per id on average.
_ROWS_PER_NUMBER_ID = 3
_FREQUENCY_WORDS = {
    "D": "daily", "W": "weekly", "MS": "monthly", "ME": "monthly", "QS": "quarterly",
    "QE": "quarterly", "YS": "yearly", "YE": "yearly", "h": "hourly",
}
_TABLE_COUNTS = (
    ("gaps_filled", "values_filled"),
    ("timestamps_inserted", "timestamps_inserted"),
    ("duplicates_merged", "duplicates_merged"),
    ("rows_dropped", "rows_dropped"),
    ("junk_cells", "junk_cells"),
)


@dataclass(frozen=True)
class PanelChoice:
    """How a table holds its series.

    `layout` is "single" (one series, as `detect_columns` picks it), "long" (one row per id and
    time: `id_columns` name the series, `value_columns` is the one value column) or "wide" (one
    numeric column per series: `value_columns`). `dayfirst` is as in `ColumnChoice`.
    """

    layout: Layout
    date_column: str | None
    id_columns: tuple[str, ...]
    value_columns: tuple[str, ...]
    columns: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    dayfirst: bool | None = None


@dataclass(frozen=True)
class Panel:
    """The series of one file, each cleaned on its own, sharing one frequency.

    Attributes:
        name: the file's stem, like `Dataset.name`.
        choice: the layout and columns.
        series: id -> cleaned float64 series named after its id, in the file's order of first
            appearance (long ids of several columns are joined with " / ").
        reports: id -> that series' `HealthReport` (rows are numbered as in the file).
        dropped: ids left out while loading -> the reason in plain words.
        frequency: the shared pandas offset alias (None without dates).
        warnings: notes about the whole file in plain words; for the single layout, its report's.
    """

    name: str
    choice: PanelChoice
    series: dict[str, pd.Series]
    reports: dict[str, HealthReport]
    dropped: dict[str, str]
    frequency: str | None
    warnings: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """The series' ids in file order."""
        return tuple(self.series)

    def __len__(self) -> int:
        return len(self.series)

    def dataset(self, key: str) -> Dataset:
        """One series as a single-series `Dataset` (its series named after the value column).

        Raises:
            KeyError: if `key` is not one of `ids`.
        """
        if key not in self.series:
            raise KeyError(f"No series '{key}' in {self.name}; choose one of: "
                           f"{', '.join(self.ids[:10])}{' …' if len(self) > 10 else ''}.")
        choice = self.choice
        value_column = key if choice.layout == "wide" else choice.value_columns[0]
        name = self.name if choice.layout == "single" else f"{self.name} · {key}"
        return Dataset(
            name=name,
            series=self.series[key].rename(value_column),
            report=self.reports[key],
            choice=ColumnChoice(
                columns=choice.columns,
                date_column=choice.date_column,
                value_column=value_column,
                numeric_columns=choice.numeric_columns,
                dayfirst=choice.dayfirst,
            ),
        )

    def health_table(self) -> pd.DataFrame:
        """One row per series: its size, span and what cleaning changed (sortable columns).

        Returns:
            Columns `series, points, start, end, frequency, season, gaps_filled,
            timestamps_inserted, duplicates_merged, rows_dropped, junk_cells, warnings` (the
            last is a count); `start`/`end` are ISO text (None without dates).
        """
        reports = list(self.reports.values())
        table = pd.DataFrame({
            "series": list(self.reports),
            "points": [r.rows_used for r in reports],
            "start": pd.Series([r.start for r in reports], dtype=object),
            "end": pd.Series([r.end for r in reports], dtype=object),
            "frequency": pd.Series([r.frequency for r in reports], dtype=object),
            "season": pd.array([r.season_length for r in reports], dtype="Int64"),
        })
        for column, field in _TABLE_COUNTS:
            table[column] = np.array([getattr(r, field) for r in reports], dtype="int64")
        table["warnings"] = np.array([len(r.warnings) for r in reports], dtype="int64")
        return table

    def health_total(self) -> dict[str, Any]:
        """The total line under `health_table`: counts summed, the earliest start, latest end."""
        reports = list(self.reports.values())
        starts = [r.start for r in reports if r.start is not None]
        ends = [r.end for r in reports if r.end is not None]
        total: dict[str, Any] = {
            "series": len(reports),
            "points": sum(r.rows_used for r in reports),
            "start": min(starts) if starts else None,
            "end": max(ends) if ends else None,
            "frequency": self.frequency,
        }
        for column, field in _TABLE_COUNTS:
            total[column] = sum(getattr(r, field) for r in reports)
        total["warnings"] = sum(len(r.warnings) for r in reports)
        return total

    def to_long(self) -> pd.DataFrame:
        """Every series stacked: columns `series`, `date` (or `step` without dates), `value`."""
        parts = list(self.series.items())
        time = "date" if parts and isinstance(parts[0][1].index, pd.DatetimeIndex) else "step"
        keys = np.repeat(np.array([k for k, _ in parts], dtype=object),
                         [len(s) for _, s in parts])
        return pd.DataFrame({
            "series": keys,
            time: np.concatenate([s.index.to_numpy() for _, s in parts]),
            "value": np.concatenate([s.to_numpy(dtype="float64") for _, s in parts]),
        })


def detect_layout(
    df: pd.DataFrame,
    *,
    date_col: str | None = None,
    id_cols: Sequence[str] | None = None,
    value_col: str | None = None,
    value_cols: Sequence[str] | None = None,
    all_values: bool = False,
) -> PanelChoice:
    """Decide whether a table holds one series, long rows of several, or a column per series.

    Without flags a table is long when its dates repeat and a set of columns (the fewest, at
    most three; text columns first, whole-number columns only when no text ones will do) makes
    (ids, date) nearly unique; the value column is then another number column. Otherwise it is
    one series exactly as `detect_columns` picks it. Wide is never guessed: a file with extra
    numeric columns stays one series unless `value_cols` or `all_values` asks for more.

    Args:
        df: the table from `read_table` (detected formats are left in `df.attrs`).
        date_col: force the date column (None: detect).
        id_cols: the columns naming each series (long layout; numeric columns allowed).
        value_col: the value column of a long or single file (None: the first numeric one).
        value_cols: wide layout: these columns, one series each.
        all_values: wide layout: every numeric column except the date and row counters.

    Returns:
        The `PanelChoice`.

    Raises:
        DataError: for unknown columns, a column asked to play two parts, or no numeric column.
    """
    columns = [str(c) for c in df.columns]
    ids = tuple(dict.fromkeys(id_cols or ()))
    wanted = tuple(dict.fromkeys(value_cols or ()))
    if ids and (wanted or all_values):
        raise DataError(
            "Choose id columns (one series per id) or several value columns (one series per "
            "column), not both."
        )
    if value_col is not None and (wanted or all_values):
        raise DataError("Choose one value column or several value columns, not both.")
    for name in ids:
        if name not in columns:
            raise unknown_column("id", name, columns)
    for name in wanted:
        if name not in columns:
            raise unknown_column("value", name, columns)
    if wanted or all_values:
        return _wide_choice(df, date_col, wanted)
    for name, part in ((date_col, "the date"), (value_col, "the value")):
        if name is not None and name in ids:
            raise DataError(
                f"'{name}' cannot be both {part} column and an id column; choose another one."
            )

    choice = detect_columns(df, date_col=date_col, value_col=value_col)
    if ids:
        if choice.date_column in ids:
            raise DataError(
                f"'{choice.date_column}' cannot be both the date column and an id column; "
                "choose the date column with the date option."
            )
        value = choice.value_column
        if value in ids:
            value = _first_value_column(df, choice, ids)
        return _choice("long", choice, ids, (value,))
    if choice.date_column is not None:
        found = _find_ids(df, choice, value_given=value_col is not None)
        if found:
            value = choice.value_column
            if value in found:
                value = _first_value_column(df, choice, found)
            return _choice("long", choice, found, (value,))
    return _choice("single", choice, (), (choice.value_column,))


def load_panel(
    data: bytes,
    filename: str,
    *,
    date_col: str | None = None,
    id_cols: Sequence[str] | None = None,
    value_col: str | None = None,
    value_cols: Sequence[str] | None = None,
    all_values: bool = False,
    sheet: str | None = None,
    fill: FillPolicy = "interpolate",
    use_dates: bool = True,
) -> Panel:
    """Read a file of one or many series and clean each one.

    A single-series file gives one series identical to `load_dataset`'s, with the same report.
    In a long or wide file every series is cleaned by `to_series` on its own rows; series with
    no usable numbers or dates are left out with the reason (`Panel.dropped`), never silently.

    Args:
        data: the raw file bytes.
        filename: the file's name (its suffix selects the reader; its stem names the panel).
        date_col, id_cols, value_col, value_cols, all_values: see `detect_layout`.
        sheet: for workbooks, the sheet to read (None: the first).
        fill: how missing values are handled: "interpolate", "ffill", "zero" or "drop".
        use_dates: False ignores any date column (each series' row order is its time axis).

    Returns:
        The `Panel`.

    Raises:
        DataError: with one plain sentence saying what to do: for any file `load_dataset`
            refuses, more than `MAX_SERIES` series, series of different frequencies, or when no
            series can be used.
    """
    frame = read_table(data, filename, sheet=sheet)
    choice = detect_layout(frame, date_col=date_col, id_cols=id_cols, value_col=value_col,
                           value_cols=value_cols, all_values=all_values)
    if not use_dates and choice.date_column is not None:
        choice = replace(choice, date_column=None, dayfirst=None)
    name = PurePath(filename).stem or "data"
    if choice.layout == "single":
        key = choice.value_columns[0]
        series, report = to_series(frame, _column_choice(choice, key), fill=fill)
        return Panel(name=name, choice=choice, series={key: series}, reports={key: report},
                     dropped={}, frequency=report.frequency, warnings=report.warnings)
    return _load_many(frame, choice, name, fill)


def panel_summary(panel: Panel) -> dict[str, Any]:
    """The JSON object `python -m lstm_core inspect` prints for a file of several series."""
    table = panel.health_table()
    records = [
        {key: to_jsonable(None if pd.isna(value) else value) for key, value in row.items()}
        for row in table.astype(object).to_dict(orient="records")
    ]
    return {
        "name": panel.name,
        "layout": panel.choice.layout,
        "series": len(panel),
        "frequency": panel.frequency,
        "date_column": panel.choice.date_column,
        "id_columns": list(panel.choice.id_columns),
        "value_columns": list(panel.choice.value_columns),
        "dropped": dict(panel.dropped),
        "warnings": list(panel.warnings),
        "table": records,
        "total": {key: to_jsonable(value) for key, value in panel.health_total().items()},
    }


# ---------------------------------------------------------------- layout


def _choice(
    layout: Layout, choice: ColumnChoice, ids: tuple[str, ...], values: tuple[str, ...]
) -> PanelChoice:
    return PanelChoice(
        layout=layout, date_column=choice.date_column, id_columns=ids, value_columns=values,
        columns=choice.columns, numeric_columns=choice.numeric_columns, dayfirst=choice.dayfirst,
    )


def _column_choice(choice: PanelChoice, value_column: str) -> ColumnChoice:
    return ColumnChoice(
        columns=choice.columns, date_column=choice.date_column, value_column=value_column,
        numeric_columns=choice.numeric_columns, dayfirst=choice.dayfirst,
    )


def _wide_choice(df: pd.DataFrame, date_col: str | None, wanted: tuple[str, ...]) -> PanelChoice:
    """One series per chosen column (`wanted`), or per numeric column when none are named."""
    if date_col is not None and date_col in wanted:
        raise DataError(
            f"'{date_col}' cannot be both the date and a value column; choose another one."
        )
    choice = detect_columns(df, date_col=date_col, value_col=wanted[0] if wanted else None)
    if not wanted:
        numeric = choice.numeric_columns
        return _choice("wide", choice, (),
                       tuple(n for n in numeric if not is_counter(df[n])) or numeric)
    for name in wanted:
        if name == choice.date_column:
            raise DataError(
                f"'{name}' cannot be both the date and a value column; choose the date column "
                "with the date option."
            )
        empty = is_text(df[name]) and sample_of(df[name]).empty
        if name not in choice.numeric_columns and not empty:
            options = ", ".join(choice.numeric_columns) or "none found"
            raise DataError(
                f"The column '{name}' does not hold numbers; choose a numeric column ({options})."
            )
    return _choice("wide", choice, (), wanted)


def _first_value_column(df: pd.DataFrame, choice: ColumnChoice, ids: tuple[str, ...]) -> str:
    numeric = [n for n in choice.numeric_columns if n not in ids]
    if not numeric:
        raise DataError(
            "No column besides the id columns holds numbers; the file needs a column of numeric "
            "values to forecast."
        )
    return next((n for n in numeric if not is_counter(df[n])), numeric[0])


def _find_ids(df: pd.DataFrame, choice: ColumnChoice, value_given: bool) -> tuple[str, ...]:
    """The fewest columns that, with the date, nearly identify each row (empty: none).

    Only when the dates repeat (`_SHARED_DATES` of the rows share their date with another row),
    and only columns that repeat (two rows or more per id on average) and are rarely empty.
    Text columns are tried first; whole-number columns (store 7, region 3) only when no set of
    text columns will do, and never so that no value column is left.

    Args:
        df: the table.
        choice: the columns `detect_columns` picked.
        value_given: the user named the value column (it is then never an id).
    """
    n = len(df)
    date_codes = pd.factorize(_id_text(df[choice.date_column]))[0]
    if n < 4 or pd.Series(date_codes).duplicated(keep=False).mean() < _SHARED_DATES:
        return ()
    text = _text_ids(df, choice)
    found = _fewest_ids(date_codes, text, lambda names: True)
    if found:
        return found
    numbers = _number_ids(df, choice, value_given)
    if not numbers:
        return ()
    numeric = set(choice.numeric_columns)
    return _fewest_ids(date_codes, (text + numbers)[:_MAX_ID_CANDIDATES],
                       lambda names: bool(numeric - set(names)))


def _text_ids(df: pd.DataFrame, choice: ColumnChoice) -> list[tuple[str, np.ndarray]]:
    """Text columns that could name series: (name, codes) with codes -1 for an empty cell."""
    n = len(df)
    candidates: list[tuple[str, np.ndarray]] = []
    for name in choice.columns:
        if name in (choice.date_column, choice.value_column) or name in choice.numeric_columns:
            continue
        if not is_text(df[name]):
            continue
        codes, uniques = pd.factorize(_id_text(df[name]).replace("", None))
        if (codes < 0).mean() > _EMPTY_IDS or not 2 <= len(uniques) <= n / 2:
            continue
        candidates.append((name, codes))
        if len(candidates) == _MAX_ID_CANDIDATES:
            break
    return candidates


def _number_ids(
    df: pd.DataFrame, choice: ColumnChoice, value_given: bool
) -> list[tuple[str, np.ndarray]]:
    """Whole-number columns that look like ids: few distinct values, each on several rows.

    A value column seldom holds whole numbers drawn from a few hundred values that each recur on
    most dates; ids do. Row counters and a value column the user named are never ids.
    """
    n = len(df)
    candidates: list[tuple[str, np.ndarray]] = []
    for name in choice.numeric_columns:
        if name == choice.date_column or (value_given and name == choice.value_column):
            continue
        column = df[name]
        if pd.api.types.is_bool_dtype(column.dtype) or is_counter(column):
            continue
        values = parse_numbers(column).to_numpy(dtype="float64")
        known = values[~np.isnan(values)]
        if np.isnan(values).mean() > _EMPTY_IDS or not np.array_equal(known, np.round(known)):
            continue
        codes, uniques = pd.factorize(_id_text(column).replace("", None))
        if not 2 <= len(uniques) <= min(MAX_SERIES, n / _ROWS_PER_NUMBER_ID):
            continue
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        if (counts >= 2).mean() < 1 - _EMPTY_IDS:
            continue
        candidates.append((name, codes))
    return candidates


def _fewest_ids(
    date_codes: np.ndarray,
    candidates: list[tuple[str, np.ndarray]],
    allowed_set: Callable[[tuple[str, ...]], bool],
) -> tuple[str, ...]:
    """The smallest set of candidates (in their order) making (ids, date) nearly unique."""
    n = len(date_codes)
    allowed = max(1, int(n * _REPEATS_ALLOWED))
    for size in range(1, min(_MAX_ID_COLUMNS, len(candidates)) + 1):
        for combo in combinations(candidates, size):
            names = tuple(name for name, _ in combo)
            if not allowed_set(names):
                continue
            key = date_codes.astype("int64")
            for _, codes in combo:
                key = pd.factorize(key * (codes.max() + 2) + codes + 1)[0].astype("int64")
            if n - len(np.unique(key)) <= allowed:
                return names
    return ()


def _id_text(column: pd.Series) -> pd.Series:
    """Cells as id text: stripped, integers without `.0` (`7` not `7.0`), missing as ""."""
    if is_text(column):
        return column.astype(str).str.strip()
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
        column.dtype
    ):
        values = column.astype("float64")
        text = pd.Series("", index=column.index, dtype=object)
        whole = values.notna() & (values == values.round()) & (values.abs() < 2**53)
        text[whole] = values[whole].astype("int64").astype(str)
        other = values.notna() & ~whole
        text[other] = values[other].astype(str)
        return text
    return column.astype(str).str.strip()


# ---------------------------------------------------------------- loading


def _load_many(frame: pd.DataFrame, choice: PanelChoice, name: str, fill: FillPolicy) -> Panel:
    """Split a long or wide table into series, clean each and check they share a frequency."""
    cleaner = _Cleaner(frame, choice, fill)
    notes = cleaner.file_notes(frame)
    if choice.layout == "wide":
        if len(frame) * len(choice.value_columns) > MAX_ROWS:
            raise _too_many_points()
        groups: list[tuple[str, np.ndarray | None]] = [
            (c, _filled_span(frame[c])) for c in choice.value_columns
        ]
        dropped = _unusable_columns(frame, choice, cleaner.styles)
        cleaner.parse_dates()
    else:
        groups, dropped, found = _long_groups(frame, choice, cleaner)
        notes.extend(found)
    series: dict[str, pd.Series] = {}
    reports: dict[str, HealthReport] = {}
    points = 0
    for key, rows in groups:
        if key in dropped:
            continue
        try:
            series[key], reports[key] = cleaner.clean(key, rows)
        except DataError as exc:
            dropped[key] = _reason(exc)
            continue
        points += len(series[key])
        if points > MAX_ROWS:
            raise _too_many_points()
    frequency = _shared_frequency(series, reports)
    if frequency is not None:
        _adopt_frequency(frequency, series, reports, dropped, cleaner, dict(groups))
    dropped = {key: dropped[key] for key, _ in groups if key in dropped}  # in file order
    notes.extend(_dropped_notes(dropped, used=len(series)))
    return Panel(name=name, choice=choice, series=series, reports=reports, dropped=dropped,
                 frequency=frequency, warnings=tuple(notes))


class _Cleaner:
    """`to_series` on one series' rows, with the formats decided once for the whole file."""

    def __init__(self, frame: pd.DataFrame, choice: PanelChoice, fill: FillPolicy) -> None:
        self.choice = choice
        self.fill = fill
        self.styles = {col: number_style(sample_of(frame[col]))
                       for col in choice.value_columns if is_text(frame[col])}
        self.date_format = None
        if choice.date_column is not None:
            self.date_format = frame.attrs.get(DATE_FORMATS_KEY, {}).get(choice.date_column)
        self.dates: pd.DatetimeIndex | None = None  # the date column, parsed once
        # pandas copies a frame's attrs into every slice and column: slice a copy without them.
        self.body = frame.copy(deep=False)
        self.body.attrs = {}

    def file_notes(self, frame: pd.DataFrame) -> list[str]:
        """Notes about the whole file: reading, an unreadable date column, the date format."""
        notes = list(frame.attrs.get("warnings", ()))
        if self.choice.date_column is None:
            notes.extend(frame.attrs.get(COLUMN_NOTES_KEY, ()))
        elif self.date_format is not None:
            notes.extend(date_notes(frame[self.choice.date_column], self.date_format))
        return notes

    def parse_dates(self) -> pd.DatetimeIndex | None:
        """The date column parsed with the file's format (None without dates)."""
        if self.choice.date_column is None or self.date_format is None:
            return None
        if self.dates is None:
            self.dates = parse_dates(self.body[self.choice.date_column], self.date_format)
        return self.dates

    def clean(
        self, key: str, rows: np.ndarray | None, frequency: str | None = None
    ) -> tuple[pd.Series, HealthReport]:
        """Clean the series `key` from `rows` (None: every row, for a wide column)."""
        part = self.body if rows is None else self.body.take(rows)
        dates = self.dates if self.dates is None or rows is None else self.dates[rows]
        wide = self.choice.layout == "wide"
        value_column = key if wide else self.choice.value_columns[0]
        one, report = clean_rows(
            part, _column_choice(self.choice, value_column), self.fill,
            notes=self.span_notes(key, rows) if wide else (),
            date_format=self.date_format, dates=dates, style=self.styles.get(value_column),
            frequency=frequency,
        )
        return one.rename(key), _file_rows(report, rows)

    def span_notes(self, key: str, rows: np.ndarray | None) -> list[str]:
        """A wide column that starts later or ends earlier than the file: where it runs."""
        if rows is None:
            return []
        outside = "the empty cells outside that span were left out, not filled."
        if self.dates is None:
            return [f"'{key}' has values in rows {rows[0] + 1} to {rows[-1] + 1} only, while the "
                    f"file has rows 1 to {len(self.body)}; {outside}"]
        own, every = self.dates[rows].dropna(), self.dates.dropna()
        if own.empty or (own.min(), own.max()) == (every.min(), every.max()):
            return []
        return [f"'{key}' has values from {_day(own.min())} to {_day(own.max())} only, while the "
                f"file runs from {_day(every.min())} to {_day(every.max())}; {outside}"]


def _long_groups(
    frame: pd.DataFrame, choice: PanelChoice, cleaner: _Cleaner
) -> tuple[list[tuple[str, np.ndarray]], dict[str, str], list[str]]:
    """Group a long table by id once.

    Returns:
        (id, row positions) per series in file order; ids without numbers or dates -> reason;
        notes on rows left out (empty, or without an id).
    """
    labels = [_id_text(frame[c]) for c in choice.id_columns]
    no_id = np.zeros(len(frame), dtype=bool)
    for label in labels:
        no_id |= label.eq("").to_numpy()
    label = labels[0] if len(labels) == 1 else labels[0].str.cat(labels[1:], sep=ID_SEPARATOR)
    codes, uniques = pd.factorize(label.where(~no_id, None))
    if len(uniques) > MAX_SERIES:
        raise DataError(
            f"The file holds {len(uniques):,} series, more than this server accepts "
            f"({MAX_SERIES:,}); keep only the series you need and try again."
        )
    if not len(uniques):
        raise DataError(
            f"Every row has an empty {_id_words(choice.id_columns)}; choose the columns that "
            "name each series."
        )
    value_column = choice.value_columns[0]
    numbers = parse_numbers(frame[value_column], cleaner.styles.get(value_column))
    has_number = _any_by_group(codes, numbers.notna(), len(uniques))
    dates = cleaner.parse_dates()
    has_date = (np.ones(len(uniques), dtype=bool) if dates is None
                else _any_by_group(codes, dates.notna(), len(uniques)))
    unusable = {
        str(uniques[i]): (f"no numbers in '{value_column}'" if has_date[i]
                          else f"no readable date in '{choice.date_column}'")
        for i in np.flatnonzero(~(has_date & has_number))
    }
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    groups = [(str(key), order[starts[i]:starts[i + 1]]) for i, key in enumerate(uniques)]
    return groups, unusable, _no_id_notes(frame, no_id, choice.id_columns)


def _any_by_group(codes: np.ndarray, flags: Any, groups: int) -> np.ndarray:
    """Per group code, whether any of its rows has the flag set."""
    mask = (codes >= 0) & np.asarray(flags, dtype=bool)
    return np.bincount(codes[mask], minlength=groups) > 0


def _no_id_notes(frame: pd.DataFrame, no_id: np.ndarray, id_columns: tuple[str, ...]) -> list[str]:
    """Notes for rows left out of every series: wholly empty rows, and rows without an id."""
    if not no_id.any():
        return []
    rows = np.flatnonzero(no_id)
    empty = np.ones(len(rows), dtype=bool)
    for name in frame.columns:
        cells = frame[name].iloc[rows]
        if is_text(cells):
            empty &= cells.astype(str).str.strip().eq("").to_numpy()
        else:
            empty &= cells.isna().to_numpy()
    notes = []
    n_empty = int(empty.sum())
    if n_empty:
        notes.append(f"Dropped {n_empty} empty row{'s' if n_empty != 1 else ''}.")
    n_bare = len(rows) - n_empty
    if n_bare:
        first = ", ".join(str(r) for r in rows[~empty][:5] + 1)
        many = n_bare != 1
        notes.append(
            f"{n_bare} row{'s' if many else ''} with an empty {_id_words(id_columns)} "
            f"{'were' if many else 'was'} left out (row{'s' if many else ''} {first}"
            f"{' …' if n_bare > 5 else ''}); fill in the id to use {'them' if many else 'it'}."
        )
    return notes


def _id_words(id_columns: tuple[str, ...]) -> str:
    names = " or ".join(f"'{c}'" for c in id_columns)
    return f"id ({names})" if len(id_columns) > 1 else names


def _filled_span(column: pd.Series) -> np.ndarray | None:
    """Rows from a wide column's first to its last non-empty cell (None: every row).

    A series that starts later than the file (a store opened in 2021) has empty cells before its
    first value: those are not part of it, as they would not be rows of a long file.
    """
    cells = column.notna().to_numpy(copy=True)
    if is_text(column):
        cells &= column.astype(str).str.strip().ne("").to_numpy()
    filled = np.flatnonzero(cells)
    if not filled.size or (filled[0] == 0 and filled[-1] == len(column) - 1):
        return None
    return np.arange(filled[0], filled[-1] + 1)


def _day(stamp: pd.Timestamp) -> str:
    return str(stamp.date()) if stamp == stamp.normalize() else stamp.isoformat()


def _unusable_columns(
    frame: pd.DataFrame, choice: PanelChoice, styles: dict[str, str]
) -> dict[str, str]:
    return {
        col: f"no numbers in '{col}'" for col in choice.value_columns
        if not parse_numbers(frame[col], styles.get(col)).notna().any()
    }


def _file_rows(report: HealthReport, rows: np.ndarray | None) -> HealthReport:
    """The report with its changed rows numbered as in the file, not within the series' rows."""
    if rows is None or not report.changes:
        return report
    changes = tuple(
        {**c, "row": int(rows[c["row"] - 1]) + 1} if c["row"] is not None else c
        for c in report.changes
    )
    return replace(report, changes=changes)


def _reason(exc: DataError) -> str:
    text = str(exc).rstrip(".")
    return text[:1].lower() + text[1:]


def _too_many_points() -> DataError:
    return DataError(
        f"The series hold more than {MAX_ROWS:,} points in all, more than this server accepts; "
        "keep fewer series or a shorter span and try again."
    )


# ---------------------------------------------------------------- frequency


def frequency_words(alias: str) -> str:
    """An offset alias in words for messages: "monthly (MS)", or the alias when uncommon."""
    offset = to_offset(alias)
    word = _FREQUENCY_WORDS.get(offset.rule_code.split("-")[0]) if offset.n == 1 else None
    return f"{word} ({alias})" if word else f"at frequency {alias}"


def _shared_frequency(
    series: dict[str, pd.Series], reports: dict[str, HealthReport]
) -> str | None:
    """The one frequency every series has; a DataError naming two that differ."""
    own = [(key, r.frequency) for key, r in reports.items() if r.frequency is not None]
    if not own:
        stamps = [s.index for s in series.values() if isinstance(s.index, pd.DatetimeIndex)]
        if not stamps:
            return None
        pooled = stamps[0].append(stamps[1:]).unique().sort_values()
        return infer_frequency(pooled)[0]
    shared = Counter(f for _, f in own).most_common(1)[0][0]
    odd = next((item for item in own if item[1] != shared), None)
    if odd is not None:
        first = next(key for key, f in own if f == shared)
        raise DataError(
            f"Series '{first}' is {frequency_words(shared)} but series '{odd[0]}' is "
            f"{frequency_words(odd[1])}; every series in one file must share a frequency: split "
            "the file, or choose the rows of one frequency."
        )
    return shared


def _adopt_frequency(
    frequency: str,
    series: dict[str, pd.Series],
    reports: dict[str, HealthReport],
    dropped: dict[str, str],
    cleaner: _Cleaner,
    rows_of: dict[str, np.ndarray | None],
) -> None:
    """Clean again, on the shared frequency, each series too short to tell its own (in place);
    a series whose dates are off that grid is dropped."""
    # The grid starts where a series with the frequency starts (any series, when it was pooled).
    first = next((k for k, r in reports.items() if r.frequency == frequency), next(iter(series)))
    anchor = series[first].index[0]
    for key in [k for k, r in reports.items() if r.frequency is None]:
        index = series[key].index
        if not isinstance(index, pd.DatetimeIndex):
            continue
        misses = off_grid(index, frequency, anchor)
        if misses.any():
            dropped[key] = _off_grid_reason(index, misses, frequency)
            del series[key], reports[key]
        else:
            series[key], reports[key] = cleaner.clean(key, rows_of[key], frequency)


def _dropped_notes(dropped: dict[str, str], used: int) -> list[str]:
    """The note listing the series left out; a DataError when none is left."""
    if not dropped:
        return []
    count = len(dropped)
    if not used:
        shown = "; ".join(f"'{k}': {v}" for k, v in list(dropped.items())[:3])
        raise DataError(
            f"None of the {count} series in the file could be used ({shown}"
            f"{' …' if count > 3 else ''}); check the value and date columns or choose others."
        )
    shown = "; ".join(f"'{k}' ({v})" for k, v in list(dropped.items())[:5])
    return [f"{count} series {'was' if count == 1 else 'were'} left out: {shown}"
            f"{' …' if count > 5 else ''}."]


def _off_grid_reason(index: pd.DatetimeIndex, misses: np.ndarray, frequency: str) -> str:
    """Why a series without its own frequency cannot take the shared one: the dates off its grid."""
    off = index[misses]
    shown = ", ".join(_day(d) for d in off[:3])
    grid = f"the {frequency_words(frequency)} grid of the other series"
    n, k = len(index), len(off)
    few = (f"it has only {n} date{'s' if n != 1 else ''}, too few to tell its own frequency, "
           "and " if n < 3 else "")
    which = (f"{shown} {'does' if k == 1 else 'do'}" if k == n and k <= 3
             else f"{k} of its {n} dates ({shown}{' …' if k > 3 else ''}) do")
    return f"{few}{which} not fall on {grid}; correct those dates to include it"
