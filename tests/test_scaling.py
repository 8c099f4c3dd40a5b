"""Scaler round trip, statistics from the fitted slice only, no mutation of inputs."""

import json

import numpy as np
import pytest

from lstm_core.errors import SettingsError
from lstm_core.scaling import Scaler


@pytest.mark.parametrize("method", ["standard", "minmax"])
def test_round_trip_without_mutating_inputs(method):
    rng = np.random.default_rng(3)
    train = rng.normal(50, 10, size=200)
    other = rng.normal(80, 5, size=(7, 3))
    train_before, other_before = train.copy(), other.copy()
    scaler = Scaler(method).fit(train)
    scaled = scaler.transform(other)
    assert scaled.shape == other.shape
    np.testing.assert_allclose(scaler.inverse_transform(scaled), other, rtol=1e-12)
    np.testing.assert_array_equal(train, train_before)
    np.testing.assert_array_equal(other, other_before)
    assert scaled is not other


def test_statistics_come_from_the_fitted_slice():
    values = np.arange(10.0)
    standard = Scaler("standard").fit(values[:5])
    assert standard.offset == 2.0
    assert standard.scale == pytest.approx(np.std([0, 1, 2, 3, 4]))
    minmax = Scaler("minmax").fit(values[:5])
    np.testing.assert_allclose(minmax.transform(values[:5]), [0, 0.25, 0.5, 0.75, 1.0])
    assert minmax.transform(values)[-1] == 9 / 4  # later values may leave [0, 1]


def test_constant_series_is_centred_not_divided_by_zero():
    scaler = Scaler("standard").fit(np.full(20, 7.0))
    np.testing.assert_array_equal(scaler.transform(np.array([7.0, 8.0])), [0.0, 1.0])


def test_nan_is_ignored_in_fit_and_kept_in_transform():
    scaler = Scaler("minmax").fit(np.array([0.0, np.nan, 10.0]))
    out = scaler.transform(np.array([5.0, np.nan]))
    assert out[0] == 0.5 and np.isnan(out[1])


def test_dict_round_trip_through_json():
    scaler = Scaler("minmax").fit(np.array([2.0, 4.0, 9.0]))
    again = Scaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    values = np.array([1.0, 3.0, 11.0])
    np.testing.assert_array_equal(again.transform(values), scaler.transform(values))


def test_errors():
    with pytest.raises(SettingsError) as info:
        Scaler("robust")
    assert str(info.value) == "scaling method must be one of standard, minmax, got 'robust'."
    with pytest.raises(SettingsError) as info:
        Scaler().fit(np.array([np.nan, np.nan]))
    assert str(info.value) == "The training part of the series has no numbers to scale by."
    with pytest.raises(SettingsError) as info:
        Scaler.from_dict({"method": "standard", "offset": 0.0, "scale": float("inf")})
    assert str(info.value) == "scaler scale must be a finite number, got inf."
    with pytest.raises(RuntimeError):
        Scaler().transform(np.zeros(3))
