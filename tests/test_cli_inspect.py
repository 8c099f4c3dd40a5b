"""`python -m lstm_core inspect` run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "corpus"
KEYS = {
    "columns", "date_column", "value_column", "numeric_columns", "rows_read", "rows_used",
    "frequency", "start", "end", "season_length", "duplicates_merged", "junk_cells",
    "rows_dropped", "timestamps_inserted", "values_filled", "warnings", "head",
}


def inspect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lstm_core", "inspect", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )


def test_inspect_airline_sample() -> None:
    result = inspect("lstm_core/samples/airline.csv")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert KEYS <= summary.keys()
    assert summary["columns"] == ["Month", "Passengers"]
    assert summary["date_column"] == "Month"
    assert summary["value_column"] == "Passengers"
    assert summary["frequency"] == "MS"
    assert summary["start"] == "1949-01-01" and summary["end"] == "1960-12-01"
    assert summary["rows_read"] == summary["rows_used"] == 144
    assert summary["season_length"] == 12
    assert summary["head"] == [112.0, 118.0, 132.0, 129.0, 121.0]
    assert summary["warnings"] == []


def test_inspect_with_options_and_junk() -> None:
    result = inspect(str(CORPUS / "gaps_daily.csv"), "--fill", "ffill", "--value-col", "value",
                     "--date-col", "date")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["timestamps_inserted"] == 3 and summary["values_filled"] == 3
    assert summary["head"] == [1.0, 2.0, 3.0, 3.0, 3.0]
    assert summary["frequency"] == "D"

    result = inspect(str(CORPUS / "junk_cells.csv"))
    summary = json.loads(result.stdout)
    assert summary["junk_cells"] == 9 and summary["rows_dropped"] == 0


def test_inspect_without_dates() -> None:
    summary = json.loads(inspect("lstm_core/samples/counting.csv").stdout)
    assert summary["date_column"] is None
    assert summary["frequency"] is None and summary["start"] is None
    assert summary["head"] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_inspect_sheet_option() -> None:
    summary = json.loads(inspect(str(CORPUS / "multi_sheet.xlsx"), "--sheet", "Costs").stdout)
    assert summary["value_column"] == "costs"
    assert summary["head"] == [7.5, 15.0, 22.5, 30.0]


def test_inspect_bad_files_print_one_line_and_exit_2() -> None:
    for name, message in (
        ("image.csv", "error: The file is not a text table or an Excel workbook; save it as CSV, "
         "TSV, TXT or XLSX and try again."),
        ("damaged.xlsx", "error: The Excel workbook could not be opened; check that it is a valid "
         ".xlsx file or save it as CSV and try again."),
        ("empty.csv", "error: The file is empty; choose a file with a header row and at least "
         "one row of data."),
    ):
        result = inspect(str(CORPUS / name))
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr == message + "\n"
        assert "Traceback" not in result.stderr


def test_inspect_unknown_column_and_missing_file() -> None:
    result = inspect(str(CORPUS / "iso_daily.csv"), "--value-col", "price")
    assert result.returncode == 2
    assert result.stderr == (
        "error: There is no value column named 'price'; choose one of: date, value.\n"
    )
    result = inspect("no/such/file.csv")
    assert result.returncode == 2
    assert result.stderr.startswith("error: file not found")
    assert "Traceback" not in result.stderr
