"""`python -m lstm_core inspect` on files of many series, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lstm_core.data import inspect_summary, load_dataset

ROOT = Path(__file__).resolve().parents[1]
PANELS = Path(__file__).parent / "corpus" / "panel"
ROW_KEYS = [
    "series", "points", "start", "end", "frequency", "season", "gaps_filled",
    "timestamps_inserted", "duplicates_merged", "rows_dropped", "junk_cells", "warnings",
]


def inspect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lstm_core", "inspect", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )


def summary_of(*args: str) -> dict:
    result = inspect(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_detected_long_file_prints_the_panel() -> None:
    summary = summary_of(str(PANELS / "long_gap.csv"))
    assert summary["layout"] == "long"
    assert summary["series"] == 3 and summary["frequency"] == "MS"
    assert summary["id_columns"] == ["region"] and summary["value_columns"] == ["sales"]
    assert summary["dropped"] == {} and summary["warnings"] == []
    assert [list(row) for row in summary["table"]] == [ROW_KEYS] * 3
    assert [row["series"] for row in summary["table"]] == ["A", "B", "C"]
    assert [row["gaps_filled"] for row in summary["table"]] == [0, 2, 0]
    assert summary["total"]["points"] == 36 and summary["total"]["timestamps_inserted"] == 2
    assert summary["total"]["start"] == "2021-01-01" and summary["total"]["end"] == "2021-12-01"


def test_id_flags_repeated_or_comma_separated() -> None:
    numeric = summary_of(str(PANELS / "long_numeric_ids.csv"), "--id-col", "store")
    assert numeric["id_columns"] == ["store"] and numeric["value_columns"] == ["units"]
    assert [row["series"] for row in numeric["table"]] == ["7", "12", "30"]
    assert numeric["frequency"] == "W-SUN"
    for flags in (["--id-col", "state", "--id-col", "gender"], ["--id-col", "state,gender"]):
        two = summary_of(str(PANELS / "long_two_ids.csv"), *flags)
        assert two["id_columns"] == ["state", "gender"] and two["series"] == 4
        assert two["table"][1]["series"] == "CA / M"


def test_wide_flags() -> None:
    named = summary_of(str(PANELS / "wide_four.csv"), "--value-cols", "north, east")
    assert named["layout"] == "wide" and named["value_columns"] == ["north", "east"]
    assert named["series"] == 2 and named["total"]["points"] == 28
    every = summary_of(str(PANELS / "wide_four.csv"), "--all-values")
    assert every["value_columns"] == ["north", "south", "east", "west"]
    assert every["id_columns"] == [] and every["frequency"] == "D"


def test_a_single_series_prints_what_it_printed_before() -> None:
    for path in (ROOT / "lstm_core" / "samples" / "airline.csv", PANELS / "wide_four.csv"):
        expected = inspect_summary(load_dataset(path.read_bytes(), path.name))
        assert summary_of(str(path)) == json.loads(json.dumps(expected))


def test_panel_errors_print_one_line_and_exit_2() -> None:
    for args, message in (
        ([str(PANELS / "long_mixed_freq.csv")],
         "error: Series 'north' is monthly (MS) but series 'south' is quarterly (QS-JAN); every "
         "series in one file must share a frequency: split the file, or choose the rows of one "
         "frequency."),
        ([str(PANELS / "long_text_ids.csv"), "--id-col", "shop"],
         "error: There is no id column named 'shop'; choose one of: region, date, sales."),
        ([str(PANELS / "wide_four.csv"), "--value-cols", " , "],
         "error: --value-cols needs at least one column name, e.g. --value-cols A,B."),
    ):
        result = inspect(*args)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr == message + "\n"
