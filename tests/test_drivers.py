"""Drivers' building blocks: specs, reading, calendar, holidays, scaling and future values."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from lstm_core.drivers import (
    Driver,
    DriverScaler,
    DriverSet,
    calendar_columns,
    calendar_features,
    check_country,
    check_future,
    check_subdivision,
    holiday_feature,
    numeric_driver,
    prefill_future,
)
from lstm_core.errors import BundleError, DataError, SettingsError

MONTHS = pd.date_range("2024-03-01", periods=3, freq="MS")  # the forecast's dates


def _future(**changes) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "date": ["2024-03-01", "2024-04-01", "2024-05-01"],
            "price": ["10.5", "11", "12"],
            "promo": ["yes", "no", "Y"],
        }
    )
    return table.assign(**changes)


# ---------------------------------------------------------------- driver specs


def test_driver_set_round_trips_through_json():
    spec = DriverSet(
        drivers=(Driver("price", "known"), Driver("temp", "observed")),
        calendar=True,
        encoding="onehot",
        holidays="th",
    )
    back = DriverSet.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert back == spec
    assert back.holidays == "TH"  # stored in the package's spelling
    assert back.known == ("price",)
    assert back.observed == ("temp",)
    assert back.names == ("price", "temp")
    assert spec.to_dict()["drivers"] == [
        {"name": "price", "kind": "known"},
        {"name": "temp", "kind": "observed"},
    ]


def test_driver_set_defaults_and_empty():
    assert DriverSet().empty
    assert DriverSet.from_dict({}) == DriverSet()
    assert not DriverSet(calendar=True).empty
    spec = DriverSet(holidays="usa", subdivision="california")
    assert (spec.holidays, spec.subdivision) == ("US", "CA")


def test_driver_kind_is_validated():
    with pytest.raises(SettingsError) as err:
        Driver("promo", "future")
    assert str(err.value) == (
        "The driver 'promo' must be 'known' (known ahead) or 'observed' (observed only), "
        "got 'future'."
    )
    with pytest.raises(SettingsError, match="must be 'known'"):
        DriverSet.from_dict({"drivers": [{"name": "promo", "kind": "past"}]})


def test_driver_set_refuses_duplicates():
    with pytest.raises(SettingsError) as err:
        DriverSet(drivers=(Driver("promo", "known"), Driver("promo", "observed")))
    assert str(err.value) == "The driver 'promo' is chosen twice; choose each column once."


def test_driver_set_refuses_the_target_and_unknown_columns():
    spec = DriverSet(drivers=(Driver("sales", "known"),))
    with pytest.raises(SettingsError) as err:
        spec.check("sales", ["date", "sales", "promo"])
    assert str(err.value) == (
        "The column 'sales' is the series being forecast, so it cannot also be a driver; "
        "choose another column."
    )
    with pytest.raises(DataError) as err:
        DriverSet(drivers=(Driver("prise", "known"),)).check("sales", ["date", "sales", "price"])
    assert str(err.value) == (
        "There is no driver column named 'prise'; choose one of: date, sales, price."
    )
    DriverSet(drivers=(Driver("price", "known"),)).check("sales", ["date", "sales", "price"])


def test_driver_set_other_messages():
    with pytest.raises(SettingsError) as err:
        DriverSet(encoding="binary")
    assert str(err.value) == "The calendar encoding must be 'cyclic' or 'onehot', got 'binary'."
    with pytest.raises(SettingsError) as err:
        DriverSet(subdivision="CA")
    assert str(err.value) == (
        "The holiday region 'CA' needs a holiday country; choose the country too."
    )
    with pytest.raises(SettingsError) as err:
        DriverSet.from_dict({"drivers": [], "weather": True})
    assert str(err.value) == (
        "Unknown driver setting(s): weather; allowed: version, drivers, calendar, encoding, "
        "holidays, subdivision."
    )
    with pytest.raises(SettingsError, match="version 2 is not one this program reads"):
        DriverSet.from_dict({"version": 2})
    with pytest.raises(SettingsError, match="calendar must be true or false"):
        DriverSet.from_dict({"calendar": "yes"})
    with pytest.raises(SettingsError, match="A driver needs a column name"):
        Driver("  ", "known")


# ---------------------------------------------------------------- reading a driver column


def test_yes_no_cells_in_any_case():
    column = pd.Series(["Yes", "no", " TRUE ", "false", "y", "N", "1", "0", "YES"])
    assert numeric_driver(column, "promo").tolist() == [1, 0, 1, 0, 1, 0, 1, 0, 1]


def test_booleans_numbers_and_empty_cells():
    assert numeric_driver(pd.Series([True, False, True]), "flag").tolist() == [1.0, 0.0, 1.0]
    nullable = numeric_driver(pd.Series(pd.array([True, None], dtype="boolean")), "flag")
    assert nullable[0] == 1.0 and np.isnan(nullable[1])
    assert numeric_driver(pd.Series([1, 2, 5]), "n").dtype == np.float64
    text = numeric_driver(pd.Series(["1,234.5", "7", "", "n/a", None]), "price")
    assert text[:2].tolist() == [1234.5, 7.0]
    assert np.isnan(text[2:]).all()
    mixed = numeric_driver(pd.Series(["yes", "no", "2.5"]), "promo")
    assert mixed.tolist() == [1.0, 0.0, 2.5]
    objects = numeric_driver(pd.Series([True, False, None], dtype=object), "flag")
    assert objects[:2].tolist() == [1.0, 0.0] and np.isnan(objects[2])


def test_text_that_is_neither_names_the_row_and_cell():
    column = pd.Series(["yes", "no", "1", "0", "yes", "no", "maybe", "what"])
    with pytest.raises(DataError) as err:
        numeric_driver(column, "promo")
    assert str(err.value) == (
        "The driver 'promo' has text that is not a number or yes/no in row 7 ('maybe'); "
        "fix the cell or choose another column."
    )


def test_input_column_is_not_changed():
    column = pd.Series(["yes", " 3 ", None])
    before = column.copy()
    numeric_driver(column, "promo")
    pd.testing.assert_series_equal(column, before)


# ---------------------------------------------------------------- calendar features


def test_monthly_cyclic_values():
    index = pd.date_range("2023-01-01", periods=24, freq="MS")
    features = calendar_features(index, "MS")
    assert list(features.columns) == ["month_sin", "month_cos"]
    assert features.index.equals(index)
    angle = 2 * math.pi * (index.month - 1) / 12
    np.testing.assert_allclose(features["month_sin"], np.sin(angle), atol=1e-12)
    np.testing.assert_allclose(features["month_cos"], np.cos(angle), atol=1e-12)
    # Same month, same features: January 2023 and January 2024.
    np.testing.assert_allclose(features.iloc[0], features.iloc[12])
    assert features.loc["2023-04-01", "month_sin"] == pytest.approx(1.0)


def test_monthly_onehot_and_quarterly():
    index = pd.date_range("2023-11-30", periods=3, freq="ME")
    onehot = calendar_features(index, "ME", encoding="onehot")
    assert list(onehot.columns) == [f"month_{m}" for m in range(1, 13)]
    assert onehot.shape == (3, 12)
    assert onehot.sum(axis=1).tolist() == [1.0, 1.0, 1.0]
    assert onehot["month_12"].tolist() == [0.0, 1.0, 0.0]
    assert onehot["month_1"].tolist() == [0.0, 0.0, 1.0]
    quarters = calendar_features(pd.date_range("2024-01-01", periods=4, freq="QS"), "QS", "onehot")
    assert list(quarters.columns) == ["quarter_1", "quarter_2", "quarter_3", "quarter_4"]
    np.testing.assert_array_equal(quarters.to_numpy(), np.eye(4))


def test_daily_features_day_of_week_and_month():
    index = pd.date_range("2024-01-01", periods=14, freq="D")  # starts on a Monday
    cyclic = calendar_features(index, "D")
    assert list(cyclic.columns) == ["dow_sin", "dow_cos", "month_sin", "month_cos"]
    np.testing.assert_allclose(cyclic["dow_sin"], np.sin(2 * np.pi * (np.arange(14) % 7) / 7),
                               atol=1e-12)
    onehot = calendar_features(index, "D", encoding="onehot")
    assert onehot.shape == (14, 7 + 12)
    assert onehot.columns[:7].tolist() == [f"dow_{d}" for d in range(7)]
    assert onehot.loc["2024-01-03", "dow_2"] == 1.0  # a Wednesday
    assert onehot["month_1"].sum() == 14
    business = calendar_features(pd.bdate_range("2024-01-01", periods=5), "B", "onehot")
    assert business.columns[:5].tolist() == [f"dow_{d}" for d in range(5)]
    np.testing.assert_array_equal(business.iloc[:, :5].to_numpy(), np.eye(5))


def test_hourly_features_hour_of_day_and_day_of_week():
    index = pd.date_range("2024-01-06 22:00", periods=4, freq="h")  # Saturday 22:00
    cyclic = calendar_features(index, "h")
    assert list(cyclic.columns) == ["hour_sin", "hour_cos", "dow_sin", "dow_cos"]
    hours = np.array([22, 23, 0, 1])
    np.testing.assert_allclose(cyclic["hour_cos"], np.cos(2 * np.pi * hours / 24), atol=1e-12)
    onehot = calendar_features(index, "h", "onehot")
    assert onehot.shape == (4, 24 + 7)
    assert onehot["dow_5"].tolist() == [1.0, 1.0, 0.0, 0.0]
    assert onehot["dow_6"].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert calendar_columns("15min") == ("hour_sin", "hour_cos", "dow_sin", "dow_cos")


def test_yearly_has_no_calendar_features():
    index = pd.date_range("2000-01-01", periods=5, freq="YS")
    features = calendar_features(index, "YS")
    assert features.shape == (5, 0)
    assert features.index.equals(index)
    assert calendar_columns("YS", "onehot") == ()


def test_weekly_features_turn_once_a_year():
    index = pd.date_range("2024-01-07", periods=60, freq="W")
    features = calendar_features(index, "W")
    assert list(features.columns) == ["week_sin", "week_cos"]
    assert features["week_cos"].iloc[0] == pytest.approx(1.0)  # ISO week 1
    onehot = calendar_features(index, "W", "onehot")
    assert onehot.shape == (60, 53)
    assert onehot.loc["2024-01-07", "week_1"] == 1.0


def test_calendar_of_a_future_index_matches_the_history():
    history = pd.date_range("2022-01-01", periods=36, freq="MS")
    future = pd.date_range(history[-1] + history.freq, periods=12, freq="MS")
    for encoding in ("cyclic", "onehot"):
        past = calendar_features(history, "MS", encoding)
        ahead = calendar_features(future, "MS", encoding)
        assert list(ahead.columns) == list(past.columns) == list(calendar_columns("MS", encoding))
        # The future's January is the history's January.
        np.testing.assert_array_equal(ahead.to_numpy(), past.iloc[:12].to_numpy())
    # The index's own frequency when none is given.
    pd.testing.assert_frame_equal(calendar_features(future, None), calendar_features(future, "MS"))


def test_calendar_refusals():
    with pytest.raises(SettingsError) as err:
        calendar_features(pd.RangeIndex(5), "D")
    assert str(err.value) == "Calendar drivers need dates; this series is indexed by row order."
    with pytest.raises(SettingsError) as err:
        calendar_features(pd.DatetimeIndex(["2024-01-01", "2024-01-03", "2024-01-04"]), None)
    assert str(err.value) == (
        "Calendar and holiday drivers need dates at a regular frequency; this series has none."
    )
    with pytest.raises(SettingsError, match="got 'sine'"):
        calendar_features(MONTHS, "MS", encoding="sine")


# ---------------------------------------------------------------- holidays


def test_thai_holidays_daily():
    index = pd.date_range("2024-04-10", periods=8, freq="D")  # 10 ... 17 April
    flags = holiday_feature(index, "TH", freq="D")
    # Songkran 13-15 April 2024, the 16th in lieu of the Sunday, the 12th a bridge holiday.
    assert flags.tolist() == [0, 0, 1, 1, 1, 1, 1, 0]
    assert flags.dtype == np.float64


def test_us_holidays_daily_and_the_future():
    index = pd.date_range("2024-07-01", periods=7, freq="D")
    flags = holiday_feature(index, "US", freq="D")
    assert flags.tolist() == [0, 0, 0, 1, 0, 0, 0]  # Independence Day, 4 July
    future = pd.date_range("2030-12-24", periods=3, freq="D")
    assert holiday_feature(future, "US", freq="D").tolist() == [0, 1, 0]


def test_holiday_counts_per_month_quarter_and_week():
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    counts = holiday_feature(months, "TH", freq="MS")
    assert counts[0] == 2  # New Year's Day, Children's Day (13 Jan)
    assert counts[3] == 7  # Chakri Day and in lieu, bridge day, Songkran three days and in lieu
    # Month ends stand for the same months as month starts.
    ends = pd.date_range("2024-01-31", periods=12, freq="ME")
    np.testing.assert_array_equal(holiday_feature(ends, "TH", freq="ME"), counts)
    quarters = pd.date_range("2024-01-01", periods=4, freq="QS")
    # Q1: New Year, Martin Luther King, Presidents' Day; Q3: 4 July, Labor Day.
    assert holiday_feature(quarters, "US", freq="QS").tolist() == [3, 2, 2, 4]
    weeks = pd.date_range("2024-01-07", periods=3, freq="W")  # weeks ending on Sundays
    assert holiday_feature(weeks, "US", freq="W").tolist() == [1, 0, 1]


def test_us_state_subdivision():
    index = pd.date_range("2024-03-29", periods=5, freq="D")
    federal = holiday_feature(index, "US", freq="D")
    california = holiday_feature(index, "US", "CA", freq="D")
    assert federal.tolist() == [0, 0, 0, 0, 0]
    # Cesar Chavez Day, 31 March (a Sunday) and observed on Monday 1 April.
    assert california.tolist() == [0, 0, 1, 1, 0]
    by_name = holiday_feature(index, "us", "California", freq="D")
    np.testing.assert_array_equal(by_name, california)


def test_hourly_holidays_flag_the_whole_day():
    index = pd.date_range("2024-07-03 22:00", periods=4, freq="h")
    assert holiday_feature(index, "US").tolist() == [0, 0, 1, 1]


def test_unknown_country_and_region_messages():
    with pytest.raises(SettingsError) as err:
        check_country("ZZ")
    assert str(err.value) == (
        "There are no public holidays for the country code 'ZZ'; use a two-letter country "
        "code such as ZA, ZM, ZW, TH, US, GB, DE, FR (250 countries and territories are known)."
    )
    with pytest.raises(SettingsError) as err:
        check_subdivision("US", "XX")
    assert str(err.value) == (
        "The public holidays of US have no region 'XX'; choose one of AK, AL, AR, AS, AZ, CA, "
        "CO, CT, DC, DE, ... (57 in all)."
    )
    with pytest.raises(SettingsError) as err:
        check_subdivision("TH", "BKK")
    assert str(err.value) == (
        "The public holidays of TH have no regions, so 'BKK' cannot be used; leave the region "
        "empty."
    )
    assert check_country("uk") == "GB"
    assert check_country("THA") == "TH"
    assert check_subdivision("us", "tx") == "TX"


# ---------------------------------------------------------------- scaling


def _driver_values(n: int = 40) -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.column_stack(
        [
            rng.normal(100.0, 15.0, n),  # price
            rng.integers(0, 2, n).astype(float),  # promo (yes/no)
            np.full(n, 7.0),  # constant
            rng.normal(-3.0, 0.5, n),  # temperature
        ]
    )


NAMES = ["price", "promo", "const", "temp"]


def test_scaler_round_trip_is_exact_and_inputs_untouched():
    values = _driver_values()
    kept = values.copy()
    scaler = DriverScaler.fit(values[:30], NAMES)
    scaled = scaler.transform(values)
    np.testing.assert_array_equal(values, kept)
    back = scaler.inverse_transform(scaled)
    np.testing.assert_allclose(back, values, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(scaled, scaler.transform(values))  # deterministic
    assert scaled is not values


def test_scaler_statistics():
    values = _driver_values()
    scaler = DriverScaler.fit(values[:30], NAMES)
    train = scaler.transform(values[:30])
    assert train[:, 0].mean() == pytest.approx(0.0, abs=1e-12)
    assert train[:, 0].std() == pytest.approx(1.0)
    np.testing.assert_array_equal(train[:, 1], values[:30, 1])  # yes/no kept as 0/1
    assert scaler.mean[1] == 0.0 and scaler.scale[1] == 1.0
    assert scaler.scale[2] == 1.0 and scaler.mean[2] == 7.0  # constant: 0, never 0/0
    np.testing.assert_array_equal(train[:, 2], np.zeros(30))


def test_scaler_statistics_come_from_the_training_slice_only():
    values = _driver_values()
    train_end = 30
    scaler = DriverScaler.fit(values[:train_end], NAMES)
    poisoned = values.copy()
    poisoned[train_end:] = 1e6
    again = DriverScaler.fit(poisoned[:train_end], NAMES)
    assert again == scaler
    assert scaler.mean[0] == pytest.approx(values[:train_end, 0].mean())
    assert scaler.mean[0] != pytest.approx(values[:, 0].mean())


def test_scaler_windows_frames_and_saved_state():
    values = _driver_values()
    scaler = DriverScaler.fit(pd.DataFrame(values, columns=NAMES).iloc[:30], unscaled=["temp"])
    assert scaler.names == tuple(NAMES)
    assert scaler.mean[3] == 0.0 and scaler.scale[3] == 1.0
    windows = np.stack([values[i : i + 5] for i in range(10)])  # (10, 5, 4)
    scaled = scaler.transform(windows)
    assert scaled.shape == (10, 5, 4)
    np.testing.assert_allclose(scaled[3], scaler.transform(values[3:8]))
    shuffled = pd.DataFrame(values, columns=NAMES)[["temp", "price", "const", "promo"]]
    np.testing.assert_array_equal(scaler.transform(shuffled), scaler.transform(values))
    back = DriverScaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    assert back == scaler
    with pytest.raises(BundleError, match="differ in length"):
        DriverScaler.from_dict({"names": ["a"], "mean": [0.0, 1.0], "scale": [1.0]})
    with pytest.raises(BundleError, match="non-finite mean or scale"):
        DriverScaler.from_dict({"names": ["a"], "mean": [0.0], "scale": [0.0]})
    with pytest.raises(ValueError, match="expected 4 driver column"):
        scaler.transform(values[:, :3])


def test_scaler_keeps_nan_and_handles_an_empty_column():
    values = np.array([[1.0, np.nan], [3.0, np.nan], [np.nan, np.nan]])
    scaler = DriverScaler.fit(values, ["a", "b"])
    assert scaler.mean == (2.0, 0.0) and scaler.scale == (1.0, 1.0)
    out = scaler.transform(values)
    assert out[0, 0] == -1.0 and np.isnan(out[2, 0]) and np.isnan(out[:, 1]).all()


# ---------------------------------------------------------------- future values


def test_future_values_aligned_as_floats():
    table = pd.concat(
        [_future(), pd.DataFrame({"date": ["2024-06-01"], "price": ["9"], "promo": ["no"]})]
    ).assign(comment="x")
    values, notes = check_future(table, ["price", "promo"], MONTHS)
    assert values.index.equals(MONTHS)
    assert list(values.columns) == ["price", "promo"]
    assert values.dtypes.tolist() == [np.float64, np.float64]
    assert values["price"].tolist() == [10.5, 11.0, 12.0]
    assert values["promo"].tolist() == [1.0, 0.0, 1.0]
    assert notes == (
        "1 row of future values after 2024-05-01 (the last forecast date) was not used.",
        "The future values' column 'comment' is not a driver and was not used.",
    )


def test_future_missing_column():
    with pytest.raises(DataError) as err:
        check_future(_future().drop(columns="price"), ["price", "promo"], MONTHS)
    assert str(err.value) == (
        "The future values have no column 'price'; add it (one value per date from 2024-03-01 "
        "to 2024-05-01)."
    )


def test_future_too_short():
    with pytest.raises(DataError) as err:
        check_future(_future().iloc[:1], ["price", "promo"], MONTHS)
    assert str(err.value) == (
        "Missing future values for column 'price' from 2024-04-01; the forecast needs values "
        "up to 2024-05-01."
    )


def test_future_missing_dates():
    with pytest.raises(DataError) as err:
        check_future(_future().drop(index=1), ["price", "promo"], MONTHS)
    assert str(err.value) == (
        "Missing future values for column 'price' on 2024-04-01; the forecast needs one value "
        "per date from 2024-03-01 to 2024-05-01."
    )


def test_future_empty_cell():
    with pytest.raises(DataError) as err:
        check_future(_future(promo=["yes", "", "no"]), ["price", "promo"], MONTHS)
    assert str(err.value) == (
        "Missing future values for column 'promo' on 2024-04-01; the forecast needs one value "
        "per date from 2024-03-01 to 2024-05-01."
    )
    editor = pd.DataFrame({"price": [1.0, 2.0, np.nan]}, index=MONTHS)  # dates as the index
    with pytest.raises(DataError) as err:
        check_future(editor, ["price"], MONTHS)
    assert str(err.value) == (
        "Missing future values for column 'price' on 2024-05-01; the forecast needs one value "
        "per date from 2024-03-01 to 2024-05-01."
    )


def test_future_text_in_a_number_column():
    with pytest.raises(DataError) as err:
        check_future(_future(price=["10", "abc", "12"]), ["price", "promo"], MONTHS)
    assert str(err.value) == (
        "The future value of 'price' on 2024-04-01 is 'abc', not a number; write a number "
        "(or yes/no) in that cell."
    )


def test_future_dates_that_do_not_fit():
    with pytest.raises(DataError) as err:
        check_future(_future().drop(columns="date"), ["price"], MONTHS)
    assert str(err.value) == (
        "The future values have no column 'date'; add it with one row per date from "
        "2024-03-01 to 2024-05-01."
    )
    with pytest.raises(DataError) as err:
        check_future(_future(date=["2024-02-01", "2024-03-01", "2024-04-01"]), ["price"], MONTHS)
    assert str(err.value) == (
        "The future values start at 2024-02-01, before the first forecast date 2024-03-01; "
        "remove the rows before 2024-03-01."
    )
    with pytest.raises(DataError) as err:
        check_future(_future(date=["2024-03-01", "2024-03-15", "2024-05-01"]), ["price"], MONTHS)
    assert str(err.value) == (
        "The future values have a row for 2024-03-15, which is not a forecast date; use the "
        "forecast dates 2024-03-01, 2024-04-01, 2024-05-01."
    )
    with pytest.raises(DataError) as err:
        check_future(_future(date=["2024-03-01", "2024-04-01", "2024-04-01"]), ["price"], MONTHS)
    assert str(err.value) == (
        "The future values have two rows for 2024-04-01; keep one row per date."
    )
    with pytest.raises(DataError) as err:
        check_future(_future(date=["2024-03-01", "2024-13-45", "2024-05-01"]), ["price"], MONTHS)
    assert str(err.value) == (
        "The future values' date in row 2 ('2024-13-45') could not be read; write dates as "
        "YYYY-MM-DD (for example 2024-03-01)."
    )
    with pytest.raises(DataError) as err:
        check_future(_future(date=["2024-03-01", None, "2024-05-01"]), ["price"], MONTHS)
    assert str(err.value) == (
        "Row 2 of the future values has values but no date; add its date or clear the row."
    )


def test_future_accepts_editor_shapes_other_date_formats_and_blank_rows():
    editor = pd.DataFrame(
        {"date": MONTHS.date, "price": [1.0, 2.0, 3.0], "promo": [True, False, True]}
    )
    values, notes = check_future(editor, ["price", "promo"], MONTHS)
    assert values.to_numpy().tolist() == [[1, 1], [2, 0], [3, 1]] and notes == ()
    day_first = pd.DataFrame({"date": ["01/03/2024", "01/04/2024", "01/05/2024"], "x": [1, 2, 3]})
    values, _ = check_future(day_first, ["x"], MONTHS, dayfirst=True)
    assert values["x"].tolist() == [1.0, 2.0, 3.0]
    blank_tail = pd.DataFrame({"date": ["2024-03-01", "2024-04-01", "2024-05-01", None],
                               "x": [1, 2, 3, None]})
    assert check_future(blank_tail, ["x"], MONTHS)[0]["x"].tolist() == [1.0, 2.0, 3.0]


def test_future_of_a_series_without_dates():
    steps = pd.RangeIndex(100, 103)
    table = pd.DataFrame({"step": [100, 101], "x": [1, 2]})
    with pytest.raises(DataError) as err:
        check_future(table, ["x"], steps, time_column="step")
    assert str(err.value) == (
        "Missing future values for column 'x' on step 102; the forecast needs one value per "
        "step from step 100 to step 102."
    )
    full = pd.DataFrame({"step": [102, 100, 101], "x": ["3", "1", "2"]})  # any row order
    values, _ = check_future(full, ["x"], steps, time_column="step")
    assert values.index.equals(steps) and values["x"].tolist() == [1.0, 2.0, 3.0]


def test_future_hourly_dates_show_the_time():
    hours = pd.date_range("2024-03-01 10:00", periods=4, freq="h")
    table = pd.DataFrame({"date": hours[:2].astype(str), "load": [1, 2]})
    with pytest.raises(DataError) as err:
        check_future(table, ["load"], hours)
    assert str(err.value) == (
        "Missing future values for column 'load' from 2024-03-01 12:00; the forecast needs "
        "values up to 2024-03-01 13:00."
    )


def test_prefill_from_one_season_earlier():
    history_index = pd.date_range("2023-01-01", periods=14, freq="MS")
    history = pd.DataFrame(
        {"price": np.arange(14, dtype=float), "promo": ["no"] * 13 + ["yes"]},
        index=history_index,
    )
    future = pd.date_range("2024-03-01", periods=14, freq="MS")
    values, assumed = prefill_future(history, ["price", "promo"], future, season=12)
    # March 2024 from March 2023 (position 2), ...; April 2025 repeats the last season again.
    assert values["price"].tolist() == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 2, 3]
    assert values["promo"].tolist() == [0] * 11 + [1, 0, 0]
    assert values.index.equals(future)
    assert assumed["price"] == list(future)
    assert set(assumed) == {"price", "promo"}
    # The history is not changed.
    assert history["promo"].iloc[-1] == "yes"


def test_prefill_without_a_season_or_with_gaps():
    history = pd.DataFrame({"price": [5.0, 6.0, np.nan]}, index=pd.RangeIndex(3))
    future = pd.RangeIndex(3, 6)
    values, assumed = prefill_future(history, ["price"], future, season=None)
    assert values["price"].tolist() == [6.0, 6.0, 6.0]  # the last value
    assert assumed == {"price": [3, 4, 5]}
    empty = pd.DataFrame({"price": [np.nan, np.nan]})
    values, assumed = prefill_future(empty, ["price"], pd.RangeIndex(2, 4), season=None)
    assert np.isnan(values["price"]).all() and assumed == {"price": []}
    with pytest.raises(DataError, match="There is no driver column named 'cost'"):
        prefill_future(history, ["cost"], future, season=None)


def test_future_steps_without_dates_say_which_numbers_to_write():
    expected = pd.RangeIndex(60, 63, name="step")
    table = pd.DataFrame({"step": ["a", "61", "62"], "price": [1, 2, 3]})
    with pytest.raises(DataError) as err:
        check_future(table, ["price"], expected, time_column="step")
    assert str(err.value) == (
        "The future values' step in row 1 ('a') is not a whole number; write the steps as 60, "
        "61, ... (they continue the series' row numbers)."
    )
