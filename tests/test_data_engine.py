"""Unit tests of the data engine's parts: season length, lengths, typed frames, caps, imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import (
    MAX_CHANGES,
    ColumnChoice,
    detect_columns,
    inspect_summary,
    list_sheets,
    load_dataset,
    read_table,
    season_length,
    to_series,
)
from lstm_core.samples import SAMPLES, sample_bytes

CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize(("key", "season", "freq"), [
    ("airline", 12, "MS"), ("births", 7, "D"), ("counting", None, None)
])
def test_samples_load_with_their_season(key: str, season: int | None, freq: str | None) -> None:
    dataset = load_dataset(sample_bytes(key), SAMPLES[key].filename)
    assert dataset.report.season_length == season
    assert dataset.report.frequency == freq
    assert dataset.report.warnings == ()


def test_births_sample_is_a_real_daily_series() -> None:
    dataset = load_dataset(sample_bytes("births"), "births.csv")
    assert len(dataset.series) == 731
    assert dataset.report.start == "1987-01-01" and dataset.report.end == "1988-12-31"
    weekday_mean = dataset.series.groupby(dataset.series.index.day_of_week).mean()
    assert weekday_mean[[5, 6]].max() < weekday_mean[[0, 1, 2, 3, 4]].min()  # fewer on weekends


def test_season_length_from_calendar_and_from_acf_alone() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(24 * 20)
    hourly = 10 + np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.1, t.size)
    assert season_length(hourly, "h") == 24
    weekly = np.sin(2 * np.pi * np.arange(52 * 4) / 52) + rng.normal(0, 0.05, 52 * 4)
    assert season_length(weekly, "W-SUN") == 52
    assert season_length(weekly[:80], "W-SUN") != 52  # fewer than two seasons: not claimed
    no_dates = np.sin(2 * np.pi * np.arange(300) / 10) + rng.normal(0, 0.05, 300)
    assert season_length(no_dates, None) == 10
    assert season_length(rng.normal(size=500), None) is None
    assert season_length(np.arange(100.0), None) is None  # a straight line has no season


def test_list_sheets() -> None:
    assert list_sheets((CORPUS / "multi_sheet.xlsx").read_bytes(), "book.xlsx") == [
        "Sales", "Costs"
    ]
    assert list_sheets((CORPUS / "iso_daily.csv").read_bytes(), "iso_daily.csv") == []


def test_read_table_keeps_junk_text_visible() -> None:
    frame = read_table((CORPUS / "junk_cells.csv").read_bytes(), "junk_cells.csv")
    assert list(frame.columns) == ["date", "value"]
    assert frame["value"].iloc[1] == "n/a" and frame["value"].iloc[17] == ""


def test_typed_frame_with_timezone_aware_dates() -> None:
    stamps = pd.date_range("2021-10-31 00:00", periods=6, freq="h", tz="Europe/Berlin")
    frame = pd.DataFrame({"when": stamps, "kw": np.arange(6.0), "label": list("abcdef")})
    choice = detect_columns(frame)
    assert choice == ColumnChoice(("when", "kw", "label"), "when", "kw", ("kw",), None)
    series, report = to_series(frame, choice)
    assert series.index.tz is None
    assert series.index[0] == pd.Timestamp("2021-10-30 22:00")
    assert report.frequency == "h" and report.rows_used == 6


def test_changes_table_is_capped_but_counts_are_complete() -> None:
    n = MAX_CHANGES + 500
    rows = "\n".join("n/a" if i % 2 else str(i) for i in range(2 * n + 1))  # ends on a value
    dataset = load_dataset(("value\n" + rows + "\n").encode(), "big.csv")
    assert dataset.report.junk_cells == n
    assert len(dataset.report.changes) == MAX_CHANGES
    assert f"{n} rows were changed; the table of changes shows the first {MAX_CHANGES}." in (
        dataset.report.warnings
    )


def test_rows_after_the_last_value_end_the_series_and_say_so() -> None:
    text = ("date,sales,promo\n2024-01-01,10,no\n2024-02-01,12,yes\n2024-03-01,,no\n"
            "2024-04-01,11,no\n2024-05-01,,yes\n2024-06-01,,no\n")
    dataset = load_dataset(text.encode(), "plan.csv")
    assert list(dataset.series.index.strftime("%Y-%m-%d")) == [
        "2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]
    assert dataset.series.iloc[2] == pytest.approx(12 - 29 / 60)  # an inside gap is still filled
    report = dataset.report
    assert report.rows_dropped == 2 and report.values_filled == 1
    assert (
        "The last 2 rows (2024-05-01 to 2024-06-01) have no value for 'sales' after its last "
        "value, so the series ends there; to use their other columns as planned future values, "
        "mark those columns as drivers known ahead."
    ) in report.warnings
    reasons = [c["reason"] for c in report.changes if c["row"] in (5, 6)]
    assert reasons == ["row dropped: no value after the series' last value"] * 2
    undated = load_dataset(b"sales,promo\n10,0\n12,1\n,1\n", "rows.csv")
    assert len(undated.series) == 2
    assert ("The last row (row 3) has no value for 'sales' after its last value, so the series "
            "ends there; to use their other columns as planned future values, mark those "
            "columns as drivers known ahead.") in undated.report.warnings


def test_inspect_summary_is_json_and_matches_the_dataset() -> None:
    dataset = load_dataset((CORPUS / "footer_total.csv").read_bytes(), "footer_total.csv")
    summary = json.loads(json.dumps(inspect_summary(dataset), allow_nan=False))
    assert summary["rows_dropped"] == 1 and summary["head"] == [10.0, 20.0, 30.0, 40.0]
    assert summary["date_column"] == "month" and summary["start"] == "2021-01-01"


def test_drop_policy_summary_has_null_for_missing_values() -> None:
    dataset = load_dataset((CORPUS / "gaps_daily.csv").read_bytes(), "gaps.csv", fill="drop")
    summary = inspect_summary(dataset)
    assert summary["head"] == [1.0, 2.0, 3.0, None, None]
    json.dumps(summary, allow_nan=False)


def test_data_module_does_not_import_tensorflow_or_streamlit() -> None:
    code = (
        "import sys, lstm_core.data, lstm_core.commands.inspect; "
        "print(any(m.split('.')[0] in ('tensorflow', 'keras', 'streamlit') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert result.stdout.strip() == "False", result.stderr


def test_row_counter_is_not_the_default_value_column() -> None:
    data = b"rownames,date,births\n1,2021-01-01,50\n2,2021-01-02,70\n3,2021-01-03,65\n"
    dataset = load_dataset(data, "births.csv")
    assert dataset.choice.value_column == "births"
    assert dataset.choice.numeric_columns == ("rownames", "births")


def test_unnamed_increasing_numbers_are_not_taken_for_epoch_dates() -> None:
    data = b"id,value\n100000000,1\n100000007,2\n100000100,3\n"
    dataset = load_dataset(data, "ids.csv")
    assert dataset.choice.date_column is None
    assert dataset.choice.value_column == "id"
