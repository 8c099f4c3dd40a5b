"""Data ingestion: uploaded bytes → a clean, regular time series and a report of every change.

The chain is `read_table` → `detect_columns` → `to_series`, wrapped by `load_dataset`; a file of
many series (long rows or a column each) is read by `load_panel`, which runs the same chain on each
series' rows; `load_driven` reads one series with its driver columns. Nothing here imports
TensorFlow or Streamlit, so the Data page and `python -m lstm_core inspect` stay fast.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePath
from typing import Any

from lstm_core.data._clean import infer_frequency, row_dates, to_series
from lstm_core.data._columns import detect_columns
from lstm_core.data._drivers import DrivenDataset, load_driven
from lstm_core.data._model import (
    FILL_POLICIES,
    MAX_CHANGES,
    MAX_COLUMNS,
    MAX_ROWS,
    ColumnChoice,
    Dataset,
    FillPolicy,
    HealthReport,
)
from lstm_core.data._panel import (
    MAX_SERIES,
    Layout,
    Panel,
    PanelChoice,
    detect_layout,
    frequency_words,
    load_panel,
    panel_summary,
)
from lstm_core.data._read import list_sheets, read_table
from lstm_core.data._season import SeasonChoice, calendar_season, choose_season, season_length
from lstm_core.jsonable import to_jsonable

__all__ = [
    "FILL_POLICIES",
    "MAX_CHANGES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_SERIES",
    "ColumnChoice",
    "Dataset",
    "DrivenDataset",
    "FillPolicy",
    "HealthReport",
    "Layout",
    "Panel",
    "PanelChoice",
    "SeasonChoice",
    "calendar_season",
    "choose_season",
    "detect_columns",
    "detect_layout",
    "frequency_words",
    "infer_frequency",
    "inspect_summary",
    "list_sheets",
    "load_dataset",
    "load_driven",
    "load_panel",
    "panel_summary",
    "read_table",
    "row_dates",
    "season_length",
    "to_series",
]


def load_dataset(
    data: bytes,
    filename: str,
    *,
    date_col: str | None = None,
    value_col: str | None = None,
    sheet: str | None = None,
    fill: FillPolicy = "interpolate",
    use_dates: bool = True,
) -> Dataset:
    """Read, detect and clean a file in one call.

    Args:
        data: the raw file bytes.
        filename: the file's name (its suffix selects Excel or text reading; its stem names the
            dataset).
        date_col: force the date column (None: detect).
        value_col: force the value column (None: the first numeric column after the date).
        sheet: for workbooks, the sheet to read (None: the first).
        fill: how missing values are handled: "interpolate", "ffill", "zero" or "drop".
        use_dates: False ignores any date column and uses the row order as the time axis.

    Returns:
        The `Dataset`.

    Raises:
        DataError: with one plain sentence saying what to do, for any input that cannot be used.
    """
    frame = read_table(data, filename, sheet=sheet)
    choice = detect_columns(frame, date_col=date_col, value_col=value_col)
    if not use_dates and choice.date_column is not None:
        choice = replace(choice, date_column=None, dayfirst=None)
    series, report = to_series(frame, choice, fill=fill)
    return Dataset(name=PurePath(filename).stem or "data", series=series, report=report,
                   choice=choice)


def inspect_summary(dataset: Dataset) -> dict[str, Any]:
    """The JSON object `python -m lstm_core inspect` prints (JSON-safe)."""
    report = dataset.report
    choice = dataset.choice
    return {
        "name": dataset.name,
        "columns": list(choice.columns),
        "date_column": choice.date_column,
        "value_column": choice.value_column,
        "numeric_columns": list(choice.numeric_columns),
        "dayfirst": choice.dayfirst,
        "rows_read": report.rows_read,
        "rows_used": report.rows_used,
        "frequency": report.frequency,
        "start": report.start,
        "end": report.end,
        "season_length": report.season_length,
        "duplicates_merged": report.duplicates_merged,
        "junk_cells": report.junk_cells,
        "rows_dropped": report.rows_dropped,
        "timestamps_inserted": report.timestamps_inserted,
        "values_filled": report.values_filled,
        "filled_positions": [int(p) for p in report.filled_positions],
        "warnings": list(report.warnings),
        "changes_listed": len(report.changes),
        "head": [to_jsonable(v) for v in dataset.series.iloc[:5].tolist()],
    }
