"""Files of many series (panels): layout detection, per-series cleaning and health, and the fixes
to date reading that came with them.

The expectations were written from the files' rules (see tests/corpus/panel/make_panels.py: region
North holds 100 + month, ...), not by running the code under test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstm_core.data._panel as panel_module
from lstm_core.data import (
    Panel,
    detect_layout,
    load_dataset,
    load_panel,
    panel_summary,
    read_table,
)
from lstm_core.data._clean import off_grid
from lstm_core.errors import DataError
from lstm_core.samples import SAMPLES, sample_bytes

CORPUS = Path(__file__).parent / "corpus"
PANELS = CORPUS / "panel"
TABLE_COLUMNS = [
    "series", "points", "start", "end", "frequency", "season", "gaps_filled",
    "timestamps_inserted", "duplicates_merged", "rows_dropped", "junk_cells", "warnings",
]


def panel(name: str, **kwargs) -> Panel:
    return load_panel((PANELS / name).read_bytes(), name, **kwargs)


def data(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def test_panel_corpus_is_complete() -> None:
    assert {p.name for p in PANELS.iterdir() if p.name != "make_panels.py"} == {
        "long_text_ids.csv", "long_numeric_ids.csv", "long_two_ids.csv", "long_gap.csv",
        "long_short.csv", "long_mixed_freq.csv", "long_dropped.csv", "wide_four.csv",
        "mixed_iso_us.csv", "unreadable_dates.csv", "long_number_region.csv",
        "long_text_and_number_ids.csv", "wide_ragged.csv", "long_ragged.csv",
    }


# ---------------------------------------------------------------- long layout


def test_long_file_with_text_ids_is_detected_and_split() -> None:
    result = panel("long_text_ids.csv")
    assert result.choice.layout == "long"
    assert result.choice.id_columns == ("region",)
    assert result.choice.value_columns == ("sales",)
    assert result.choice.date_column == "date"
    assert result.ids == ("North", "South", "East")  # file order, not sorted
    assert len(result) == 3 and result.frequency == "MS"
    assert result.dropped == {} and result.warnings == ()
    for key, base in (("North", 100), ("South", 200), ("East", 300)):
        one = result.series[key]
        assert one.name == key and one.dtype == np.float64
        assert one.index.freqstr == "MS"
        assert one.index[0] == pd.Timestamp("2021-01-01")
        np.testing.assert_array_equal(one.to_numpy(), base + np.arange(1.0, 13.0))
        assert result.reports[key].rows_read == 12 and result.reports[key].warnings == ()


def test_detect_layout_on_a_table() -> None:
    frame = read_table((PANELS / "long_two_ids.csv").read_bytes(), "long_two_ids.csv")
    choice = detect_layout(frame)
    assert (choice.layout, choice.id_columns, choice.date_column, choice.value_columns) == (
        "long", ("state", "gender"), "year", ("count",)
    )
    assert choice.numeric_columns == ("count",)


def test_two_id_columns_make_one_series_per_pair() -> None:
    result = panel("long_two_ids.csv")
    assert result.choice.id_columns == ("state", "gender")
    assert result.ids == ("CA / F", "CA / M", "NY / F", "NY / M")
    assert result.frequency == "YS-JAN"
    for key, (s, g) in zip(result.ids, ((1, 1), (1, 2), (2, 1), (2, 2)), strict=True):
        np.testing.assert_array_equal(result.series[key].to_numpy(),
                                      1000 * s + 100 * g + np.arange(10.0))
        assert result.series[key].index[-1] == pd.Timestamp("2019-01-01")


def test_numeric_ids_asked_for_or_detected() -> None:
    for result in (panel("long_numeric_ids.csv", id_cols=["store"]),
                   panel("long_numeric_ids.csv")):
        assert result.choice.layout == "long" and result.choice.id_columns == ("store",)
        assert result.choice.value_columns == ("units",)
        assert result.ids == ("7", "12", "30")  # text, never "7.0"
        assert result.frequency == "W-SUN" and result.warnings == ()
        np.testing.assert_array_equal(result.series["12"].to_numpy(),
                                      [120.0, 121, 122, 123, 124])


def test_region_numbers_before_the_date_are_ids_not_values() -> None:
    # Read as one series, 'region' (the first number column) would be the value column and the
    # four regions' rows of each month would be averaged into one.
    result = panel("long_number_region.csv")
    assert (result.choice.layout, result.choice.id_columns, result.choice.value_columns) == (
        "long", ("region",), ("sales",))
    assert result.ids == ("1", "2", "3", "4") and result.frequency == "MS"
    for key in result.ids:
        report = result.reports[key]
        assert report.rows_used == 24 and report.duplicates_merged == 0
        assert report.warnings == ()
        np.testing.assert_array_equal(result.series[key].to_numpy(),
                                      100 * int(key) + np.arange(1.0, 25.0))


def test_a_text_and_a_number_column_together_name_the_series() -> None:
    result = panel("long_text_and_number_ids.csv")
    assert result.choice.id_columns == ("state", "store")
    assert result.choice.value_columns == ("units",)
    assert result.ids == ("CA / 1", "CA / 2", "NY / 1", "NY / 2")
    np.testing.assert_array_equal(result.series["NY / 2"].to_numpy(), 2020 + np.arange(1.0, 13.0))


def test_text_ids_are_preferred_to_number_ids() -> None:
    # 'code' names the regions as well as 'region' does: the text column wins.
    rows = [f"{r},2021-{m:02d}-01,{c * 100 + m},{c}" for r, c in (("north", 1), ("south", 2))
            for m in range(1, 13)]
    result = load_panel(data("region,date,sales,code", *rows), "x.csv")
    assert result.choice.id_columns == ("region",)
    assert result.choice.value_columns == ("sales",)


def test_number_ids_never_take_the_value_column() -> None:
    # Whole numbers that repeat over the dates, but the only number column: it stays the value.
    rows = [f"2021-01-{d:02d},{k}" for d in range(1, 11) for k in (1, 2)]
    result = load_panel(data("date,units", *rows), "x.csv")
    assert result.choice.layout == "single" and result.ids == ("units",)
    # A value column named by the user is never taken for ids either.
    rows = [f"{s},2021-{m:02d}-01,{s * 10 + m}" for s in (1, 2, 3) for m in range(1, 13)]
    named = load_panel(data("store,date,units", *rows), "x.csv", value_col="store")
    assert named.choice.layout == "single" and named.ids == ("store",)
    assert load_panel(data("store,date,units", *rows), "x.csv").choice.id_columns == ("store",)


def test_a_gap_is_filled_and_reported_in_that_series_row() -> None:
    result = panel("long_gap.csv")
    gap = result.reports["B"]
    assert (gap.rows_read, gap.rows_used, gap.timestamps_inserted, gap.values_filled) == (
        10, 12, 2, 2
    )
    assert gap.filled_positions == (3, 4)
    assert [(c["date"], c["row"], c["reason"]) for c in gap.changes] == [
        ("2021-04-01", None, "missing time inserted"),
        ("2021-05-01", None, "missing time inserted"),
    ]
    # Interpolated in time between 2021-03-01 (203) and 2021-06-01 (206), 92 days apart.
    np.testing.assert_allclose(result.series["B"].iloc[3:5].to_numpy(),
                               [203 + 3 * 31 / 92, 203 + 3 * 61 / 92])
    table = result.health_table().set_index("series")
    assert table.loc["B", "gaps_filled"] == 2 and table.loc["B", "timestamps_inserted"] == 2
    assert table.loc["B", "warnings"] == 2
    others = table.loc[["A", "C"], ["gaps_filled", "timestamps_inserted", "warnings"]]
    assert (others == 0).all().all()


def test_a_short_series_still_loads() -> None:
    result = panel("long_short.csv")
    assert result.ids == ("big", "tiny", "wide")
    assert len(result.series["tiny"]) == 5 and result.reports["tiny"].frequency == "MS"
    np.testing.assert_array_equal(result.series["tiny"].to_numpy(), 500 + np.arange(5.0))
    assert result.reports["big"].season_length == 12
    assert result.reports["tiny"].season_length is None  # too short to hold two seasons
    assert result.dropped == {}


def test_mixed_frequencies_are_refused_naming_two_series() -> None:
    with pytest.raises(DataError) as info:
        panel("long_mixed_freq.csv")
    assert str(info.value) == (
        "Series 'north' is monthly (MS) but series 'south' is quarterly (QS-JAN); every series "
        "in one file must share a frequency: split the file, or choose the rows of one "
        "frequency."
    )


def test_series_without_numbers_and_rows_without_ids_are_reported() -> None:
    result = panel("long_dropped.csv")
    assert result.ids == ("A", "C")
    assert result.dropped == {"B": "no numbers in 'sales'"}
    assert result.warnings == (
        "1 row with an empty 'region' was left out (row 19); fill in the id to use it.",
        "1 series was left out: 'B' (no numbers in 'sales').",
    )
    np.testing.assert_array_equal(result.series["C"].to_numpy(), [10.0, 20, 30, 40, 50, 60])


def test_every_series_dropped_is_an_error() -> None:
    with pytest.raises(DataError) as info:
        load_panel(data("id,date,v", *(f"{r},2021-0{m}-01,n/a" for r in "AB" for m in (1, 2, 3))),
                   "x.csv")
    assert str(info.value) == (
        "None of the 2 series in the file could be used ('A': no numbers in 'v'; 'B': no "
        "numbers in 'v'); check the value and date columns or choose others."
    )


def test_changes_are_numbered_as_rows_of_the_file() -> None:
    rows = [f"{r},2021-{m:02d}-01,{'n/a' if (r, m) == ('B', 3) else m}"
            for r in "AB" for m in range(1, 7)]
    result = load_panel(data("id,date,v", *rows), "x.csv")
    [change] = result.reports["B"].changes
    assert change["row"] == 9 and change["original"] == "n/a"  # B's rows are file rows 7..12
    assert change["position"] == 2 and change["date"] == "2021-03-01"
    assert result.reports["B"].junk_cells == 1 and result.reports["A"].junk_cells == 0


def test_a_repeated_row_is_merged_within_its_series() -> None:
    rows = [f"{r},2021-{m:02d}-01,{m}" for r in "ABCD" for m in range(1, 13)]
    result = load_panel(data("id,date,v", *rows, "C,2021-05-01,7"), "x.csv")
    assert result.choice.layout == "long"
    assert result.reports["C"].duplicates_merged == 1
    assert result.series["C"]["2021-05-01"] == 6.0  # mean of 5 and 7
    assert result.health_total()["duplicates_merged"] == 1


def test_too_few_dates_take_the_shared_frequency_or_are_dropped() -> None:
    rows = [f"{r},2021-{m:02d}-01,{m}" for r in "AB" for m in range(1, 13)]
    result = load_panel(data("id,date,v", *rows, "C,2021-03-01,5", "C,2021-05-01,7",
                             "D,2021-03-15,1", "D,2021-04-15,2"), "x.csv")
    assert result.ids == ("A", "B", "C")
    c = result.series["C"]
    assert c.index.freqstr == "MS" and list(c.index.strftime("%m")) == ["03", "04", "05"]
    assert result.reports["C"].timestamps_inserted == 1
    assert result.reports["C"].warnings[0] == (
        "There are too few distinct times to tell the frequency; the frequency the file's other "
        "series share ('MS') was used."
    )
    assert result.dropped == {"D": (
        "it has only 2 dates, too few to tell its own frequency, and 2021-03-15, 2021-04-15 do "
        "not fall on the monthly (MS) grid of the other series; correct those dates to include it"
    )}


def test_one_on_grid_rule_with_the_anchor() -> None:
    stamps = pd.DatetimeIndex(["2021-03-01", "2021-05-01"])
    # A multiple of months keeps the anchor's phase: March is off a grid through January + 1.
    assert not off_grid(stamps, "2MS", pd.Timestamp("2021-01-01")).any()
    assert off_grid(stamps, "2MS", pd.Timestamp("2021-02-01")).all()
    assert not off_grid(stamps, "2MS").any()  # no anchor: the first time
    # Days at noon are off a daily grid at midnight; hours count from the anchor.
    assert off_grid(stamps + pd.Timedelta(hours=12), "D", pd.Timestamp("2021-01-01")).all()
    hours = pd.DatetimeIndex(["2021-01-01 01:30", "2021-01-01 03:00"])
    assert list(off_grid(hours, "h", pd.Timestamp("2021-01-01"))) == [True, False]
    # An anchor before the times: the grid runs forward from it; after them, backward.
    assert not off_grid(stamps, "MS", pd.Timestamp("2022-07-01")).any()
    assert off_grid(stamps, "W-SUN", pd.Timestamp("2021-01-03")).all()


def test_the_off_grid_reason_says_what_is_wrong() -> None:
    many = pd.date_range("2021-01-01", periods=40, freq="MS")
    index = many.append(pd.DatetimeIndex(["2024-06-15"])).sort_values()
    misses = off_grid(index, "MS", many[0])
    assert panel_module._off_grid_reason(index, misses, "MS") == (
        "1 of its 41 dates (2024-06-15) do not fall on the monthly (MS) grid of the other series; "
        "correct those dates to include it"
    )


def test_series_all_too_short_share_the_frequency_of_their_pooled_dates() -> None:
    rows = [f"{r},2021-{m:02d}-01,{m}" for r, months in (("A", (1, 2)), ("B", (1, 3)),
                                                        ("C", (2, 4))) for m in months]
    result = load_panel(data("id,date,v", *rows), "x.csv")
    assert result.choice.layout == "long" and result.frequency == "MS"
    assert {k: list(s.index.month) for k, s in result.series.items()} == {
        "A": [1, 2], "B": [1, 2, 3], "C": [2, 3, 4]
    }
    assert result.health_total()["timestamps_inserted"] == 2


def test_use_dates_false_keeps_each_series_row_order() -> None:
    result = panel("long_text_ids.csv", use_dates=False)
    assert result.choice.layout == "long" and result.choice.date_column is None
    assert result.frequency is None
    east = result.series["East"]
    assert isinstance(east.index, pd.RangeIndex) and east.index.name == "step"
    np.testing.assert_array_equal(east.to_numpy(), 300 + np.arange(1.0, 13.0))
    assert "date" not in result.to_long().columns


def test_id_flag_errors() -> None:
    cases = (
        (dict(id_cols=["shop"]),
         "There is no id column named 'shop'; choose one of: region, date, sales."),
        (dict(id_cols=["region"], value_cols=["sales"]),
         "Choose id columns (one series per id) or several value columns (one series per "
         "column), not both."),
        (dict(id_cols=["date"]),
         "'date' cannot be both the date column and an id column; choose the date column with "
         "the date option."),
        (dict(value_cols=["region"]),
         "The column 'region' does not hold numbers; choose a numeric column (sales)."),
    )
    for kwargs, message in cases:
        with pytest.raises(DataError) as info:
            panel("long_text_ids.csv", **kwargs)
        assert str(info.value) == message


def test_more_series_than_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(panel_module, "MAX_SERIES", 2)
    with pytest.raises(DataError) as info:
        panel("long_text_ids.csv")
    assert str(info.value) == (
        "The file holds 3 series, more than this server accepts (2); keep only the series you "
        "need and try again."
    )


def test_a_single_series_with_a_text_column_stays_single() -> None:
    rows = [f"2021-01-{d:02d},{d},{pd.Timestamp(2021, 1, d).day_name()}" for d in range(1, 22)]
    result = load_panel(data("date,value,weekday", *rows), "x.csv")
    assert result.choice.layout == "single" and result.ids == ("value",)


# ---------------------------------------------------------------- wide layout


def test_wide_file_by_named_columns_and_by_all_values() -> None:
    named = panel("wide_four.csv", value_cols=["south", "west"])
    assert named.choice.layout == "wide" and named.ids == ("south", "west")
    every = panel("wide_four.csv", all_values=True)
    assert every.ids == ("north", "south", "east", "west")
    assert every.frequency == "D" and every.choice.id_columns == ()
    for key, base in zip(every.ids, (100, 200, 300, 400), strict=True):
        np.testing.assert_array_equal(every.series[key].to_numpy(), base + np.arange(1.0, 15.0))
    one = every.dataset("east")
    assert one.name == "wide_four · east" and one.choice.value_column == "east"
    assert one.series.name == "east" and one.report is every.reports["east"]


def test_ragged_series_are_the_same_wide_and_long() -> None:
    wide = panel("wide_ragged.csv", all_values=True)
    long = panel("long_ragged.csv")
    assert wide.ids == long.ids == ("east", "west", "north")
    assert wide.frequency == long.frequency == "MS"
    counts = ("rows_read", "rows_used", "duplicates_merged", "junk_cells", "rows_dropped",
              "timestamps_inserted", "values_filled", "start", "end", "frequency")
    for key in wide.ids:
        pd.testing.assert_series_equal(wide.series[key], long.series[key])
        assert ({c: getattr(wide.reports[key], c) for c in counts}
                == {c: getattr(long.reports[key], c) for c in counts})
    west = wide.reports["west"]
    assert (west.rows_used, west.junk_cells, west.values_filled) == (12, 0, 0)
    np.testing.assert_array_equal(wide.series["west"].to_numpy(), 2000 + np.arange(19.0, 31.0))
    assert west.warnings == (
        "'west' has values from 2021-07-01 to 2022-06-01 only, while the file runs from "
        "2020-01-01 to 2022-06-01; the empty cells outside that span were left out, not filled.",
    )
    assert wide.reports["north"].end == "2021-12-01" and wide.reports["east"].warnings == ()
    undated = panel("wide_ragged.csv", all_values=True, use_dates=False)
    assert undated.reports["north"].warnings == (
        "'north' has values in rows 1 to 24 only, while the file has rows 1 to 30; the empty "
        "cells outside that span were left out, not filled.",
    )
    assert len(undated.series["west"]) == 12


def test_wide_is_never_guessed() -> None:
    result = panel("wide_four.csv")
    before = load_dataset((PANELS / "wide_four.csv").read_bytes(), "wide_four.csv")
    assert result.choice.layout == "single" and result.ids == ("north",)
    pd.testing.assert_series_equal(result.series["north"], before.series)


# ---------------------------------------------------------------- health table, total, long


def test_health_table_and_total_line() -> None:
    result = panel("long_gap.csv")
    table = result.health_table()
    assert list(table.columns) == TABLE_COLUMNS
    assert table["series"].tolist() == ["A", "B", "C"]
    assert table["points"].tolist() == [12, 12, 12]
    assert table["start"].tolist() == ["2021-01-01"] * 3
    assert table["frequency"].tolist() == ["MS"] * 3
    assert table["season"].isna().all()  # 12 months: fewer than two seasons
    assert table["gaps_filled"].tolist() == [0, 2, 0]
    assert table.sort_values("gaps_filled", ascending=False)["series"].iloc[0] == "B"
    assert result.health_total() == {
        "series": 3, "points": 36, "start": "2021-01-01", "end": "2021-12-01",
        "frequency": "MS", "gaps_filled": 2, "timestamps_inserted": 2, "duplicates_merged": 0,
        "rows_dropped": 0, "junk_cells": 0, "warnings": 2,
    }


def test_to_long_rows_and_ids() -> None:
    result = panel("long_two_ids.csv")
    frame = result.to_long()
    assert list(frame.columns) == ["series", "date", "value"]
    assert len(frame) == 40
    assert frame["series"].drop_duplicates().tolist() == list(result.ids)
    row = frame[(frame["series"] == "NY / M") & (frame["date"] == pd.Timestamp("2013-01-01"))]
    assert row["value"].tolist() == [2203.0]


def test_panel_summary_is_plain_json() -> None:
    summary = panel_summary(panel("long_dropped.csv"))
    assert summary["layout"] == "long" and summary["series"] == 2
    assert summary["dropped"] == {"B": "no numbers in 'sales'"}
    assert [row["series"] for row in summary["table"]] == ["A", "C"]
    assert summary["table"][0]["season"] is None
    assert summary["total"]["points"] == 12


# ---------------------------------------------------------------- the single layout


def _accepted_corpus() -> list[str]:
    names = []
    for path in sorted(CORPUS.iterdir()):
        if not path.is_file() or path.suffix == ".py":
            continue
        try:
            load_dataset(path.read_bytes(), path.name)
        except DataError:
            continue
        names.append(path.name)
    return names


@pytest.mark.parametrize("name", _accepted_corpus())
def test_single_series_files_load_exactly_as_load_dataset(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    before = load_dataset(raw, name)
    result = load_panel(raw, name)
    assert result.choice.layout == "single" and len(result) == 1
    [key] = result.ids
    pd.testing.assert_series_equal(result.series[key], before.series)
    assert result.reports[key] == before.report
    one = result.dataset(key)
    assert (one.name, one.choice, one.report) == (before.name, before.choice, before.report)
    assert result.warnings == before.report.warnings
    assert result.frequency == before.report.frequency


def test_the_corpus_of_single_files_is_covered() -> None:
    assert len(_accepted_corpus()) >= 25


# ---------------------------------------------------------------- dates: mixed and unreadable


def test_iso_and_us_dates_in_one_column() -> None:
    name = "mixed_iso_us.csv"
    dataset = load_dataset((PANELS / name).read_bytes(), name)
    assert dataset.choice.date_column == "date" and dataset.choice.dayfirst is False
    assert dataset.report.frequency == "ME"
    assert dataset.series.index[2] == pd.Timestamp("2015-03-31")
    np.testing.assert_array_equal(dataset.series.to_numpy(), np.arange(1.0, 9.0))
    assert dataset.report.rows_dropped == 0
    assert dataset.report.warnings == (
        "The dates in 'date' mix two formats: 4 like '2015-01-31' were read as year-month-day "
        "and 4 like '03/31/2015' as month/day/year; check the dates and write them all one way "
        "in the file if this is wrong.",
    )


def test_mixed_dates_whose_order_nothing_tells_say_it_was_assumed() -> None:
    rows = ("2015-01-01,1", "2015-02-01,2", "03/01/2015,3", "04/01/2015,4", "2015-05-01,5")
    dataset = load_dataset(data("date,value", *rows), "x.csv")
    assert dataset.report.frequency == "MS"
    assert dataset.series.index[3] == pd.Timestamp("2015-04-01")
    assert dataset.report.warnings == (
        "The dates in 'date' mix two formats: 3 like '2015-01-01' were read as year-month-day "
        "and 2 like '03/01/2015' as month/day/year (nothing in the file tells the order, so it "
        "was assumed); check the dates and write them all one way in the file if this is "
        "wrong.",
    )


def test_a_column_that_looks_like_dates_but_is_not_is_named() -> None:
    name = "unreadable_dates.csv"
    dataset = load_dataset((PANELS / name).read_bytes(), name)
    assert dataset.choice.date_column is None
    assert isinstance(dataset.series.index, pd.RangeIndex)
    np.testing.assert_array_equal(dataset.series.to_numpy(), np.arange(1.0, 8.0))
    assert dataset.report.warnings == (
        "The column 'date' looks like dates but 6 of 7 values could not be read as dates (for "
        "example 'soon', 'Q5 2020', '2020-13-45'), so the row order is the time axis; write the "
        "dates as YYYY-MM-DD (for example 2020-01-31) to use them.",
    )


def test_looks_like_dates_by_name_or_by_cells() -> None:
    by_name = load_dataset(data("when,value", "soon,1", "later,2", "2020-01-01,3"), "x.csv")
    assert by_name.report.warnings[0].startswith(
        "The column 'when' looks like dates but 2 of 3 values could not be read as dates"
    )
    by_cells = load_dataset(data("label,x,value", *(f"a,Q{q} 2020,{q}" for q in (5, 6, 7))),
                            "x.csv")
    assert by_cells.report.warnings[0].startswith(
        "The column 'x' looks like dates but 3 of 3 values could not be read as dates"
    )
    plain = load_dataset(data("label,value", "apple,1", "pear,2", "plum,3"), "x.csv")
    assert plain.report.warnings == ()
    dated = load_dataset(data("date,value", "2020-01-01,1", "2020-01-02,2", "2020-01-03,3"),
                         "x.csv")
    assert dated.report.warnings == ()


def test_the_looks_like_dates_note_is_a_file_note_in_a_panel() -> None:
    rows = [f"{r},{'soon' if m == 1 else f'2021-13-{m:02d}'},{m}" for r in "AB" for m in (1, 2, 3)]
    result = load_panel(data("id,date,v", *rows), "x.csv", id_cols=["id"])
    assert result.choice.date_column is None
    assert result.warnings[0].startswith("The column 'date' looks like dates but 6 of 6 values")
    assert result.reports["A"].warnings == ()


# ---------------------------------------------------------------- the sample


def test_employment_sample_is_24_monthly_series_of_180_points() -> None:
    sample = SAMPLES["employment"]
    assert sample.title == "US employment by sector (24 series, monthly)"
    result = load_panel(sample_bytes("employment"), sample.filename)
    assert result.choice.layout == "long"
    assert result.choice.id_columns == ("sector",)
    assert result.choice.value_columns == ("employed",)
    assert len(result) == 24 and result.frequency == "MS"
    assert result.ids == tuple(sorted(result.ids))  # the file is sorted by sector
    table = result.health_table()
    assert set(table["points"]) == {180}
    assert set(table["start"]) == {"2004-10-01"} and set(table["end"]) == {"2019-09-01"}
    assert table[["gaps_filled", "timestamps_inserted", "duplicates_merged", "junk_cells",
                  "warnings"]].sum().sum() == 0
    assert set(table["season"]) == {12}
    assert result.warnings == () and result.dropped == {}
