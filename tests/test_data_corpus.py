"""Every file in tests/corpus/ loaded through `load_dataset`, checked against hand-written facts.

The expectations were written by reading each file (see tests/corpus/make_corpus.py), not by
running the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstm_core.data._read as read_module
from lstm_core.data import load_dataset
from lstm_core.errors import DataError

CORPUS = Path(__file__).parent / "corpus"

# file -> (load_dataset keyword arguments, expected facts). `values` is the whole cleaned series.
CASES: dict[str, tuple[dict, dict]] = {
    "iso_daily.csv": ({}, dict(
        date_column="date", value_column="value", numeric_columns=("value",), frequency="D",
        rows_read=10, rows_used=10, start="2021-01-01", end="2021-01-10",
        values=[float(d) for d in range(1, 11)])),
    "semicolon_decimal_comma.csv": ({}, dict(
        date_column="Datum", value_column="Umsatz", numeric_columns=("Umsatz", "Kunden"),
        frequency="MS", start="2021-01-01", end="2021-05-01",
        values=[1234.56, 2000.5, 987.25, 1500.0, -3.5])),
    "tab_hourly.tsv": ({}, dict(
        date_column="time", value_column="load", frequency="h", rows_used=12,
        start="2021-06-01", end="2021-06-01T11:00:00",
        values=[100.0 + h for h in range(12)])),
    "pipe_weekly.txt": ({}, dict(
        date_column="week", value_column="count", frequency="W-SUN", start="2021-01-03",
        values=[6.0, 20.0, 34.0, 48.0, 62.0])),
    "utf8_bom.csv": ({}, dict(
        columns=("Datum", "Größe"), date_column="Datum", value_column="Größe", frequency="D",
        values=[1.5, 2.5, 3.5])),
    "utf16.csv": ({}, dict(
        columns=("date", "höhe"), value_column="höhe", frequency="D", values=[10.0, 20.0, 30.0])),
    "cp1252.csv": ({}, dict(
        columns=("Monat", "Umsatz (€)", "Café"), date_column="Monat", value_column="Umsatz (€)",
        frequency="MS", values=[1.5, 2.5, 3.5])),
    "thousands_quoted.csv": ({}, dict(
        value_column="sales", frequency="D", values=[12345.0, 1_000_000.0, 999.0])),
    "us_dates.csv": ({}, dict(
        dayfirst=False, frequency="D", start="2021-01-10", end="2021-01-15", warnings=())),
    "eu_slash_dates.csv": ({}, dict(
        dayfirst=True, frequency="D", start="2021-01-10", end="2021-01-15", warnings=())),
    "ambiguous_dates.csv": ({}, dict(
        dayfirst=False, frequency="MS", start="2020-01-01", end="2020-12-01",
        values=[float(m) for m in range(1, 13)],
        warnings=("The dates in 'date' could be read either way; assumed month before day. "
                  "Check the dates and reorder them in the file if this is wrong.",))),
    "years.csv": ({}, dict(
        date_column="Year", value_column="Value", numeric_columns=("Value",), frequency="YS-JAN",
        start="2000-01-01", end="2019-01-01", rows_used=20)),
    "quarters.csv": ({}, dict(
        date_column="period", frequency="QS-JAN", start="2020-01-01", end="2021-10-01",
        values=[float(v) for v in range(1, 9)])),
    "months_period.csv": ({}, dict(
        frequency="MS", start="2020-01-01", end="2020-06-01",
        values=[10.0, 20.0, 30.0, 40.0, 50.0, 60.0])),
    "epoch_hourly.csv": ({}, dict(
        date_column="timestamp", value_column="reading", frequency="h", start="2021-01-01",
        end="2021-01-01T05:00:00", values=[0.5, 1.5, 2.5, 3.5, 4.5, 5.5])),
    "dst_offsets.csv": ({}, dict(
        frequency="h", rows_used=6, timestamps_inserted=0, duplicates_merged=0,
        start="2021-03-27T23:00:00", end="2021-03-28T04:00:00",
        values=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        warnings=("The times in 'time' carry UTC offsets (for example across a daylight-saving "
                  "change); they were converted to UTC and the offset dropped.",))),
    "no_dates.csv": ({}, dict(
        date_column=None, value_column="reading", frequency=None, start=None, end=None,
        season_length=None, values=[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])),
    "duplicates_unsorted.csv": ({}, dict(
        rows_read=7, rows_used=4, duplicates_merged=3, frequency="D",
        values=[10.0, 30.0, 30.0, 7.0],
        warnings=("The rows were not in time order; they were sorted by date.",
                  "3 rows repeated a time already in the file and were merged by taking the "
                  "mean."))),
    "junk_cells.csv": ({}, dict(
        rows_read=20, rows_used=20, junk_cells=9, values_filled=9,
        filled_positions=(1, 3, 5, 7, 9, 11, 13, 15, 17),
        values=[float(i) for i in range(20)])),
    "footer_total.csv": ({}, dict(
        rows_read=5, rows_used=4, rows_dropped=1, frequency="MS", values=[10.0, 20.0, 30.0, 40.0],
        warnings=("Dropped 1 row whose date could not be read: 'Total'.",))),
    "gaps_daily.csv": ({}, dict(
        rows_read=7, rows_used=10, timestamps_inserted=3, values_filled=3,
        filled_positions=(3, 4, 8), values=[float(d) for d in range(1, 11)])),
    "irregular.csv": ({}, dict(
        frequency="h", rows_read=7, rows_used=7, duplicates_merged=1, timestamps_inserted=1,
        values_filled=1, values=[1.0, 2.0, 4.0, 4.0, 5.0, 6.0, 7.0])),
    "business_days.csv": ({}, dict(frequency="B", rows_used=12, timestamps_inserted=0)),
    "multi_numeric.csv": ({}, dict(
        date_column="date", value_column="temp", numeric_columns=("temp", "sales"),
        values=[1.5, 2.5, 3.5])),
    "headerless.txt": ({}, dict(
        columns=("column_1",), value_column="column_1", date_column=None,
        values=[1.5, 2.5, 3.5, 4.5],
        warnings=("The file has no header row; the columns were named column_1.",))),
    "multi_sheet.xlsx": ({}, dict(
        value_column="sales", frequency="MS", start="2021-01-01", end="2021-06-01",
        values=[100.0, 200.0, 300.0, 400.0, 500.0, 600.0],
        warnings=("The workbook has 2 sheets (Sales, Costs); the first one, 'Sales', was used. "
                  "Pick another sheet to use it instead.",))),
    "excel_junk_footer.xlsx": ({}, dict(
        date_column="day", rows_read=5, rows_used=4, rows_dropped=1, junk_cells=1,
        values_filled=1, filled_positions=(1,), frequency="D", values=[1.0, 2.0, 3.0, 4.0])),
}

ERRORS: dict[str, str] = {
    "empty.csv": "The file is empty; choose a file with a header row and at least one row of data.",
    "header_only.csv": "The file has a header row but no data rows; add at least one row of "
    "values below the header.",
    "image.csv": "The file is not a text table or an Excel workbook; save it as CSV, TSV, TXT or "
    "XLSX and try again.",
    "old_excel.xls": "Old Excel .xls files cannot be read; save the workbook as .xlsx or CSV and "
    "try again.",
    "damaged.xlsx": "The Excel workbook could not be opened; check that it is a valid .xlsx file "
    "or save it as CSV and try again.",
    "no_numeric.csv": "No column holds numbers; the file needs a column of numeric values to "
    "forecast.",
    "all_missing.csv": "Every value in the column 'value' is missing; choose another value column "
    "or fill in the values.",
    "many_columns.csv": "The file has 501 columns, more than this server accepts (500); keep only "
    "the columns you need and try again.",
}

CHOICE_FIELDS = ("columns", "date_column", "value_column", "numeric_columns", "dayfirst")


def load(name: str, **kwargs):
    return load_dataset((CORPUS / name).read_bytes(), name, **kwargs)


def test_corpus_is_complete() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "make_corpus.py"}
    assert files == set(CASES) | set(ERRORS)
    assert len(files) >= 25


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_file(name: str) -> None:
    kwargs, expected = CASES[name]
    dataset = load(name, **kwargs)
    report, choice, series = dataset.report, dataset.choice, dataset.series
    for key, want in expected.items():
        if key == "values":
            np.testing.assert_allclose(series.to_numpy(), want, rtol=0, atol=1e-9)
        elif key in CHOICE_FIELDS:
            assert getattr(choice, key) == want, key
        else:
            assert getattr(report, key) == want, key
    assert series.dtype == np.float64
    assert series.name == choice.value_column
    if choice.date_column is None:
        assert isinstance(series.index, pd.RangeIndex) and series.index.name == "step"
    else:
        assert isinstance(series.index, pd.DatetimeIndex)
        assert series.index.tz is None
        assert series.index.freqstr == report.frequency
    json.dumps(report.to_dict(), allow_nan=False)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_corpus_error(name: str) -> None:
    with pytest.raises(DataError) as info:
        load(name)
    assert str(info.value) == ERRORS[name]


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_module, "MAX_ROWS", 5)
    with pytest.raises(DataError) as info:
        load("iso_daily.csv")
    assert str(info.value) == (
        "The file has more than 5 rows, more than this server accepts; shorten or aggregate the "
        "series and try again."
    )


def test_sheet_choice_and_unknown_sheet() -> None:
    costs = load("multi_sheet.xlsx", sheet="Costs")
    assert costs.choice.value_column == "costs"
    np.testing.assert_allclose(costs.series.to_numpy(), [7.5, 15.0, 22.5, 30.0])
    assert costs.report.warnings == ()
    with pytest.raises(DataError) as info:
        load("multi_sheet.xlsx", sheet="Budget")
    assert str(info.value) == (
        "The workbook has no sheet named 'Budget'; choose one of: Sales, Costs."
    )


def test_column_overrides() -> None:
    sales = load("multi_numeric.csv", value_col="sales")
    np.testing.assert_allclose(sales.series.to_numpy(), [100.0, 200.0, 300.0])
    no_date = load("multi_numeric.csv", date_col=None, value_col="sales")
    assert no_date.choice.date_column == "date"
    with pytest.raises(DataError) as info:
        load("multi_numeric.csv", value_col="price")
    assert str(info.value) == (
        "There is no value column named 'price'; choose one of: id, date, temp, sales."
    )
    with pytest.raises(DataError) as info:
        load("multi_numeric.csv", date_col="when")
    assert str(info.value) == (
        "There is no date column named 'when'; choose one of: id, date, temp, sales."
    )
    with pytest.raises(DataError) as info:
        load("multi_numeric.csv", value_col="id")
    assert str(info.value) == (
        "The column 'id' does not hold numbers; choose a numeric column (temp, sales)."
    )
    with pytest.raises(DataError) as info:
        load("multi_numeric.csv", date_col="temp")
    assert str(info.value) == (
        "The column 'temp' does not hold dates; choose another date column or leave it empty "
        "to use the row order."
    )


@pytest.mark.parametrize(
    ("fill", "values"),
    [
        ("interpolate", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        ("ffill", [1, 2, 3, 3, 3, 6, 7, 8, 8, 10]),
        ("zero", [1, 2, 3, 0, 0, 6, 7, 8, 0, 10]),
        ("drop", [1, 2, 3, np.nan, np.nan, 6, 7, 8, np.nan, 10]),
    ],
)
def test_fill_policies(fill: str, values: list[float]) -> None:
    dataset = load("gaps_daily.csv", fill=fill)
    np.testing.assert_allclose(dataset.series.to_numpy(), values)
    assert dataset.report.filled_positions == (3, 4, 8)
    assert dataset.report.values_filled == 3


def test_unknown_fill_policy() -> None:
    with pytest.raises(DataError) as info:
        load("gaps_daily.csv", fill="mean")
    assert str(info.value) == (
        "Unknown fill policy 'mean'; choose one of: interpolate, ffill, zero, drop."
    )


def test_changes_name_original_text_and_reason() -> None:
    junk = load("junk_cells.csv").report.changes
    assert [c["original"] for c in junk] == [
        "n/a", "NA", "-", "#DIV/0!", "#N/A", "NULL", "null", "?", ""
    ]
    first = junk[0]
    assert first["row"] == 2 and first["position"] == 1 and first["date"] == "2021-01-02"
    assert first["new_value"] == 1.0
    assert first["reason"] == "not a number; filled by interpolation in time"

    excel = load("excel_junk_footer.xlsx").report.changes
    assert [(c["row"], c["original"], c["reason"]) for c in excel] == [
        (5, "Total, 8", "row dropped: not a date"),
        (2, "n/a", "not a number; filled by interpolation in time"),
    ]

    footer = load("footer_total.csv").report.changes
    assert footer == (
        {"row": 5, "position": None, "date": None, "original": "Total, 100", "new_value": None,
         "reason": "row dropped: not a date"},
    )

    gaps = load("gaps_daily.csv").report.changes
    assert [(c["date"], c["position"], c["new_value"]) for c in gaps] == [
        ("2021-02-04", 3, 4.0), ("2021-02-05", 4, 5.0), ("2021-02-09", 8, 9.0)
    ]
    assert {c["reason"] for c in gaps} == {"missing time inserted"}

    merged = load("duplicates_unsorted.csv").report.changes
    assert [(c["date"], c["original"], c["new_value"]) for c in merged] == [
        ("2021-01-02", "20; 40", 30.0), ("2021-01-04", "5; 7; 9", 7.0)
    ]
