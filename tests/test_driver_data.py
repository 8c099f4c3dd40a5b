"""`load_driven`: driver columns read from the uploaded file, aligned to the cleaned series."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import Dataset, DrivenDataset, load_dataset, load_driven
from lstm_core.drivers import Driver, DriverSet
from lstm_core.errors import DataError, SettingsError

CORPUS = Path(__file__).parent / "corpus"

PROMO_PRICE_TEMP = DriverSet(drivers=(
    Driver("promo", "known"), Driver("price", "known"), Driver("temperature", "observed"),
))

HISTORY = """date,sales,promo,price,temperature
2023-01-01,100,yes,10,5
2023-02-01,110,no,10.5,6
2023-03-01,120,No,11,8
2023-04-01,130,YES,11.5,12
"""
FUTURE = """2023-05-01,,yes,12,
2023-06-01,,no,12.5,
"""


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def _assert_same_dataset(got: Dataset, expected: Dataset) -> None:
    assert got.name == expected.name
    assert got.choice == expected.choice
    assert got.report == expected.report
    pd.testing.assert_series_equal(got.series, expected.series)
    assert getattr(got.series.index, "freq", None) == getattr(expected.series.index, "freq", None)


def _assert_history(loaded: DrivenDataset, expected: dict[str, list[float]]) -> None:
    history = loaded.drivers.history
    assert list(history.columns) == list(loaded.drivers.spec.names)
    assert history.index.equals(loaded.dataset.series.index)
    assert (history.dtypes == np.float64).all()
    assert not history.isna().to_numpy().any()
    for name, values in expected.items():
        np.testing.assert_allclose(history[name].to_numpy(), values, err_msg=name)


# ---------------------------------------------------------------- history


def test_known_and_observed_drivers_are_read_on_the_series_index() -> None:
    loaded = load_driven(_csv(HISTORY), "shop.csv", PROMO_PRICE_TEMP)
    _assert_same_dataset(loaded.dataset, load_dataset(_csv(HISTORY), "shop.csv"))
    _assert_history(loaded, {
        "promo": [1, 0, 0, 1],  # yes/no cells in any case as 1/0
        "price": [10, 10.5, 11, 11.5],
        "temperature": [5, 6, 8, 12],
    })
    assert loaded.drivers.spec == PROMO_PRICE_TEMP
    assert loaded.drivers.future is None
    assert loaded.notes == ()


def test_repeated_dates_are_merged_by_the_mean_as_the_series_is() -> None:
    text = HISTORY + "2023-03-01,124,no,13,10\n"
    loaded = load_driven(_csv(text), "shop.csv", PROMO_PRICE_TEMP)
    assert loaded.dataset.series["2023-03-01"] == 122.0
    assert loaded.dataset.report.duplicates_merged == 1
    _assert_history(loaded, {
        "promo": [1, 0, 0, 1], "price": [10, 10.5, 12, 11.5], "temperature": [5, 6, 9, 12],
    })


def test_a_missing_month_is_a_gap_the_drivers_fill_and_name() -> None:
    text = """date,sales,promo,price
2023-01-01,100,yes,10
2023-02-01,110,no,11
2023-04-01,130,yes,13
2023-05-01,140,no,
2023-06-01,150,no,15
"""
    drivers = DriverSet(drivers=(Driver("promo", "known"), Driver("price", "known")))
    loaded = load_driven(_csv(text), "gap.csv", drivers)
    assert loaded.dataset.report.timestamps_inserted == 1
    _assert_history(loaded, {"promo": [1, 0, 0, 1, 0, 0], "price": [10, 11, 12, 13, 14, 15]})
    assert loaded.notes == (
        "1 missing value of 'promo' was filled (copied from the previous value).",
        "2 missing values of 'price' were filled (interpolated in time).",
    )


def test_gaps_at_the_edges_take_the_nearest_value() -> None:
    text = """date,sales,promo,price
2023-01-01,100,,
2023-02-01,110,yes,11
2023-03-01,120,no,12
2023-04-01,130,,
"""
    drivers = DriverSet(drivers=(Driver("promo", "observed"), Driver("price", "observed")))
    loaded = load_driven(_csv(text), "edges.csv", drivers)
    _assert_history(loaded, {"promo": [1, 1, 0, 0], "price": [11, 11, 12, 12]})
    assert loaded.notes == (
        "2 missing values of 'promo' were filled (copied from the previous value; at the "
        "start, from the next one).",
        "2 missing values of 'price' were filled (copied from the previous value; at the "
        "start, from the next one).",  # observed: never interpolated from a later value
    )


def test_fill_drop_leaves_the_series_gap_but_fills_the_drivers() -> None:
    text = HISTORY.replace("2023-03-01,120,No,11,8", "2023-03-01,,No,,8")
    loaded = load_driven(_csv(text), "shop.csv", PROMO_PRICE_TEMP, fill="drop")
    assert np.isnan(loaded.dataset.series["2023-03-01"])
    _assert_history(loaded, {"price": [10, 10.5, 11, 11.5]})


def test_rows_without_dates_use_the_row_order() -> None:
    text = "sales,promo,price\n100,yes,10\n110,no,\n\n120,no,12\n"
    drivers = DriverSet(drivers=(Driver("promo", "known"), Driver("price", "known")))
    loaded = load_driven(_csv(text), "rows.csv", drivers)
    assert loaded.dataset.series.index.equals(pd.RangeIndex(3, name="step"))
    _assert_history(loaded, {"promo": [1, 0, 0], "price": [10, 11, 12]})


def test_dates_off_the_grid_are_averaged_into_their_slot_as_the_series_is() -> None:
    text = "time,load,temp\n" + "".join(
        f"2024-01-01 {h:02d}:{m:02d},{h * 10 + m},{h + m / 60}\n"
        for h, m in [(0, 0), (1, 0), (2, 0), (3, 0), (3, 20), (4, 0), (5, 0), (6, 0), (8, 0)]
    )
    loaded = load_driven(_csv(text), "irregular.csv",
                         DriverSet(drivers=(Driver("temp", "observed"),)))
    series = loaded.dataset.series
    assert series.index.freq == "h" and len(series) == 9
    # 07:00 has no row: an observed driver's gap is copied from 06:00, never interpolated
    _assert_history(loaded, {"temp": [0, 1, 2, 3 + 1 / 6, 4, 5, 6, 6, 8]})


# ---------------------------------------------------------------- the future rows


def test_trailing_rows_without_a_value_are_the_future() -> None:
    text = HISTORY + FUTURE.replace("2023-05-01,,yes,12,", "2023-05-01,,yes,12,30")
    loaded = load_driven(_csv(text), "shop.csv", PROMO_PRICE_TEMP)
    _assert_same_dataset(loaded.dataset, load_dataset(_csv(HISTORY), "shop.csv"))
    future = loaded.drivers.future
    expected = pd.DataFrame(
        {"promo": [1.0, 0.0], "price": [12.0, 12.5]},
        index=pd.date_range("2023-05-01", periods=2, freq="MS", unit="s"),
    )
    pd.testing.assert_frame_equal(future, expected)
    assert future.index.freq == "MS"
    assert loaded.notes == (
        "The last 2 rows (2023-05-01 to 2023-06-01) have no value for 'sales': their "
        "known-ahead driver values are used as the future values.",
        "The values of 'temperature' in those rows were not used: an observed driver's future "
        "is not known ahead.",
    )


def test_future_rows_first_in_a_newest_first_file() -> None:
    rows = (HISTORY + FUTURE).splitlines()
    text = "\n".join([rows[0], *reversed(rows[1:])]) + "\n"
    loaded = load_driven(_csv(text), "shop.csv", PROMO_PRICE_TEMP)
    trimmed = "\n".join([rows[0], *reversed(HISTORY.splitlines()[1:])]) + "\n"
    _assert_same_dataset(loaded.dataset, load_dataset(_csv(trimmed), "shop.csv"))
    assert list(loaded.drivers.future["price"]) == [12.0, 12.5]
    assert loaded.notes[0].startswith("The last 2 rows (2023-05-01 to 2023-06-01)")


def test_the_future_stops_at_the_first_row_that_cannot_be_used() -> None:
    text = HISTORY + FUTURE + "2023-07-01,,yes,,\n2023-08-01,,no,14,\n"
    loaded = load_driven(_csv(text), "shop.csv", PROMO_PRICE_TEMP)
    assert list(loaded.drivers.future.index.strftime("%Y-%m")) == ["2023-05", "2023-06"]
    assert loaded.notes == (
        "The last 4 rows (2023-05-01 to 2023-08-01) have no value for 'sales': their "
        "known-ahead driver values are used as the future values.",
        "The future values stop on 2023-06-01: 'price' has no value on 2023-07-01, so 2 rows "
        "were not used.",
    )


@pytest.mark.parametrize(("rows", "note"), [
    ("2023-05-15,,yes,12,\n",
     "The last row (2023-05-15) has no value for 'sales', so it was left out of the series; no "
     "future driver values were taken from it: 2023-05-15 is not a step of the series, which "
     "is monthly (MS)."),
    ("2023-06-01,,yes,12,\n",
     "The last row (2023-06-01) has no value for 'sales', so it was left out of the series; no "
     "future driver values were taken from it: there is no row for 2023-05-01."),
    ("2023-05-01,,yes,12,\n2023-05-01,,no,12,\n",
     "The last 2 rows (2023-05-01 to 2023-05-01) have no value for 'sales', so they were left "
     "out of the series; no future driver values were taken from them: 2023-05-01 is in more "
     "than one row."),
])
def test_future_rows_off_the_series_steps_are_not_used(rows: str, note: str) -> None:
    loaded = load_driven(_csv(HISTORY + rows), "shop.csv", PROMO_PRICE_TEMP)
    _assert_same_dataset(loaded.dataset, load_dataset(_csv(HISTORY), "shop.csv"))
    assert loaded.drivers.future is None
    assert loaded.notes == (note,)


def test_the_first_unusable_future_row_in_time_gives_the_reason() -> None:
    text = HISTORY + "2023-05-01,,,12,\n2023-05-20,,no,12,\n"
    loaded = load_driven(_csv(text), "shop.csv", PROMO_PRICE_TEMP)
    assert loaded.drivers.future is None
    assert loaded.notes[0].endswith("no future driver values were taken from them: 'promo' has "
                                    "no value on 2023-05-01.")


def test_future_rows_without_dates_continue_the_steps() -> None:
    text = "sales,promo,price\n100,yes,10\n110,no,11\n120,no,12\n,yes,13\n,no,14\n\n"
    drivers = DriverSet(drivers=(Driver("promo", "known"), Driver("price", "known")))
    loaded = load_driven(_csv(text), "rows.csv", drivers)
    trimmed = "sales,promo,price\n100,yes,10\n110,no,11\n120,no,12\n"
    _assert_same_dataset(loaded.dataset, load_dataset(_csv(trimmed), "rows.csv"))
    expected = pd.DataFrame({"promo": [1.0, 0.0], "price": [13.0, 14.0]},
                            index=pd.RangeIndex(3, 5, name="step"))
    pd.testing.assert_frame_equal(loaded.drivers.future, expected)
    assert loaded.notes == (
        "The last 2 rows (rows 4 to 5) have no value for 'sales': their known-ahead driver "
        "values are used as the future values.",
    )


def test_without_known_ahead_drivers_trailing_empty_rows_end_the_series() -> None:
    text = HISTORY + FUTURE.replace("2023-05-01,,yes,12,", "2023-05-01,,yes,12,30")
    loaded = load_driven(_csv(text), "shop.csv",
                         DriverSet(drivers=(Driver("temperature", "observed"),)))
    _assert_same_dataset(loaded.dataset, load_dataset(_csv(text), "shop.csv"))
    assert loaded.drivers.future is None
    _assert_history(loaded, {"temperature": [5, 6, 8, 12]})  # the series ends at its last value


# ---------------------------------------------------------------- columns and refusals


def test_the_value_column_skips_a_driver() -> None:
    text = "date,price,sales\n2023-01-01,10,100\n2023-02-01,11,110\n2023-03-01,12,120\n"
    loaded = load_driven(_csv(text), "shop.csv", DriverSet(drivers=(Driver("price", "known"),)))
    _assert_same_dataset(loaded.dataset,
                         load_dataset(_csv(text), "shop.csv", value_col="sales"))
    assert loaded.notes == ("'price' is a driver, so 'sales' is the series to forecast.",)


def test_no_column_left_to_forecast_says_to_choose_one() -> None:
    text = "date,price\n2023-01-01,10\n2023-02-01,11\n2023-03-01,12\n"
    with pytest.raises(DataError) as caught:
        load_driven(_csv(text), "shop.csv", DriverSet(drivers=(Driver("price", "known"),)))
    assert str(caught.value) == (
        "The column 'price' is chosen as a driver and no other column holds numbers; choose the "
        "value column to forecast."
    )


def test_the_chosen_value_column_cannot_be_a_driver() -> None:
    with pytest.raises(SettingsError, match="'sales' is the series being forecast"):
        load_driven(_csv(HISTORY), "shop.csv", DriverSet(drivers=(Driver("sales", "known"),)),
                    value_col="sales")


def test_a_driver_missing_from_the_file_is_named() -> None:
    with pytest.raises(DataError) as caught:
        load_driven(_csv(HISTORY), "shop.csv", DriverSet(drivers=(Driver("stock", "known"),)))
    assert str(caught.value) == (
        "There is no driver column named 'stock'; choose one of: date, sales, promo, price, "
        "temperature."
    )


@pytest.mark.parametrize("spec", [DriverSet(calendar=True), DriverSet(holidays="US")])
def test_calendar_and_holidays_need_dates(spec: DriverSet) -> None:
    with pytest.raises(DataError) as caught:
        load_driven(_csv(HISTORY), "shop.csv", spec, use_dates=False)
    assert str(caught.value) == (
        "Calendar and holiday drivers need dates, and this series has none (the row order is the "
        "time axis); choose the date column, or leave out the calendar and holidays."
    )
    loaded = load_driven(_csv(HISTORY), "shop.csv", spec)  # with dates they are the engine's
    assert loaded.drivers.history.shape == (4, 0)


def test_a_text_driver_gets_numeric_drivers_message() -> None:
    text = "date,sales,colour\n2023-01-01,1,red\n2023-02-01,2,blue\n2023-03-01,3,red\n"
    with pytest.raises(DataError) as caught:
        load_driven(_csv(text), "shop.csv", DriverSet(drivers=(Driver("colour", "observed"),)))
    assert str(caught.value) == (
        "The driver 'colour' has text that is not a number or yes/no in row 1 ('red'); fix the "
        "cell or choose another column."
    )


def test_a_driver_without_numbers_in_the_series_rows_is_refused() -> None:
    text = HISTORY.replace(",10,", ",,").replace(",10.5,", ",,").replace(",11,", ",,")
    text = text.replace(",11.5,", ",,") + "2023-05-01,,yes,12,\n"
    with pytest.raises(DataError) as caught:
        load_driven(_csv(text), "shop.csv", PROMO_PRICE_TEMP)
    assert str(caught.value) == (
        "The driver column 'price' has no numbers in the rows of the series; fill it in or do "
        "not use it as a driver."
    )


def test_an_excel_workbook_reads_the_same() -> None:
    frame = pd.read_csv(io.StringIO(HISTORY + FUTURE), parse_dates=["date"])
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    loaded = load_driven(buffer.getvalue(), "shop.xlsx", PROMO_PRICE_TEMP)
    from_csv = load_driven(_csv(HISTORY + FUTURE), "shop.csv", PROMO_PRICE_TEMP)
    pd.testing.assert_series_equal(loaded.dataset.series, from_csv.dataset.series,
                                   check_index_type=False, check_names=False)
    pd.testing.assert_frame_equal(loaded.drivers.history, from_csv.drivers.history,
                                  check_index_type=False, check_names=False)
    pd.testing.assert_frame_equal(loaded.drivers.future, from_csv.drivers.future,
                                  check_index_type=False, check_names=False)
    assert loaded.notes == from_csv.notes


# ---------------------------------------------------------------- no drivers


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.csv")), ids=lambda p: p.name)
def test_no_drivers_gives_exactly_load_dataset(path: Path) -> None:
    data = path.read_bytes()
    try:
        expected = load_dataset(data, path.name)
    except DataError as exc:
        with pytest.raises(DataError) as caught:
            load_driven(data, path.name, DriverSet())
        assert str(caught.value) == str(exc)
        return
    loaded = load_driven(data, path.name, DriverSet())
    _assert_same_dataset(loaded.dataset, expected)
    assert loaded.drivers.history.shape == (len(expected.series), 0)
    assert loaded.drivers.future is None and loaded.notes == ()


def test_rows_without_dates_after_the_last_value_never_misalign_the_drivers() -> None:
    rows = "".join(f"{100 + i},{i % 2},{20 + i}\n" for i in range(8))
    text = "sales,promo,temp\n" + rows + ",1,\n,,\n"
    loaded = load_driven(_csv(text), "rows.csv",
                         DriverSet(drivers=(Driver("temp", "observed"),)))
    assert len(loaded.dataset.series) == 8
    _assert_history(loaded, {"temp": [20 + i for i in range(8)]})
    noted = "sales,promo,note\n" + "".join(f"{100 + i},{i % 2},x\n" for i in range(8)) + ",,late\n"
    loaded = load_driven(_csv(noted), "rows.csv", DriverSet(drivers=(Driver("promo", "known"),)))
    assert len(loaded.dataset.series) == 8 and len(loaded.drivers.history) == 8


def test_an_observed_drivers_gap_is_never_filled_from_a_later_value() -> None:
    text = ("date,sales,temp\n2023-01-01,100,10\n2023-02-01,110,12\n2023-03-01,120,\n"
            "2023-04-01,130,99\n")
    loaded = load_driven(_csv(text), "shop.csv", DriverSet(drivers=(Driver("temp", "observed"),)))
    _assert_history(loaded, {"temp": [10, 12, 12, 99]})  # copied forward, not interpolated
    assert loaded.notes == (
        "1 missing value of 'temp' was filled (copied from the previous value).",)
