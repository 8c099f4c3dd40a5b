"""Value types shared by the reading, detection and cleaning steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from lstm_core.jsonable import to_jsonable

FillPolicy = Literal["interpolate", "ffill", "zero", "drop"]
FILL_POLICIES: tuple[str, ...] = ("interpolate", "ffill", "zero", "drop")

# Caps that keep one upload from exhausting a shared server.
MAX_ROWS = 2_000_000
MAX_COLUMNS = 500
# The changes table is for people to read; past this many rows it only says how many there were.
MAX_CHANGES = 1000


@dataclass(frozen=True)
class ColumnChoice:
    """Which columns hold the time and the values.

    `dayfirst` is True/False when the dates had an ambiguous day/month order (e.g. `03/04/2020`)
    and None when the format was unambiguous or there is no date column.
    """

    columns: tuple[str, ...]
    date_column: str | None
    value_column: str
    numeric_columns: tuple[str, ...]
    dayfirst: bool | None = None


@dataclass(frozen=True)
class HealthReport:
    """What loading and cleaning found and changed, in counts and plain-word warnings.

    `changes` has one dict per changed row with keys `row` (1-based data row in the file, None for
    inserted timestamps), `position` (position in the cleaned series, None for dropped rows), `date`
    (ISO text or None), `original` (the cell text), `new_value` (float or None) and `reason`.
    It is capped at `MAX_CHANGES` entries; the counts are always complete.

    `filled_positions` lists the positions in the cleaned series whose value was missing and was
    handled by the fill policy (filled, or with policy "drop" left as NaN); `values_filled` is its
    length.
    """

    rows_read: int
    rows_used: int
    duplicates_merged: int
    junk_cells: int
    rows_dropped: int
    timestamps_inserted: int
    values_filled: int
    start: str | None
    end: str | None
    frequency: str | None
    season_length: int | None
    warnings: tuple[str, ...] = ()
    changes: tuple[dict, ...] = ()
    filled_positions: tuple[int, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (NaN and infinities become None)."""
        return {
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "duplicates_merged": self.duplicates_merged,
            "junk_cells": self.junk_cells,
            "rows_dropped": self.rows_dropped,
            "timestamps_inserted": self.timestamps_inserted,
            "values_filled": self.values_filled,
            "start": self.start,
            "end": self.end,
            "frequency": self.frequency,
            "season_length": self.season_length,
            "warnings": list(self.warnings),
            "changes": [{k: to_jsonable(v) for k, v in c.items()} for c in self.changes],
            "filled_positions": [int(p) for p in self.filled_positions],
        }


@dataclass(frozen=True)
class Dataset:
    """A cleaned series ready for windowing, with the report of how it was made.

    `series` is float64, named after the value column, indexed by a `DatetimeIndex` with `freq` set
    when dates were found, else by a `RangeIndex` named "step". With fill policy "drop" it may hold
    NaN.
    """

    name: str
    series: pd.Series
    report: HealthReport
    choice: ColumnChoice
