"""Window alignment and time-ordered splits, checked on np.arange so values equal positions."""

import numpy as np
import pytest

from lstm_core.errors import SettingsError
from lstm_core.windows import make_windows, target_windows


def test_windows_are_aligned():
    X, y = make_windows(np.arange(10.0), input_length=3, horizon=2)
    assert X.shape == (6, 3, 1)
    assert y.shape == (6, 2)
    for k in range(6):
        assert X[k, :, 0].tolist() == [k, k + 1, k + 2]
        assert y[k].tolist() == [k + 3, k + 4]


def test_windows_touching_nan_are_dropped():
    values = np.arange(10.0)
    values[5] = np.nan
    X, y = make_windows(values, input_length=2, horizon=1)
    # Windows start at 0..7; those covering position 5 start at 3, 4, 5.
    assert X[:, 0, 0].tolist() == [0, 1, 2, 6, 7]
    assert not np.isnan(X).any() and not np.isnan(y).any()


def test_windows_copy_and_do_not_mutate():
    values = np.arange(8.0)
    before = values.copy()
    X, y = make_windows(values, 2, 2)
    X[:] = -1
    y[:] = -1
    np.testing.assert_array_equal(values, before)
    assert X.flags.writeable and X.dtype == np.float32


def test_too_short_series_gives_no_windows():
    X, y = make_windows(np.arange(4.0), input_length=3, horizon=2)
    assert X.shape == (0, 3, 1) and y.shape == (0, 2)


def test_make_windows_rejects_zero_lengths():
    with pytest.raises(SettingsError) as info:
        make_windows(np.arange(4.0), 0, 1)
    assert str(info.value) == "input_length and horizon must be at least 1, got 0 and 1."


def test_target_windows_keep_targets_inside_their_range():
    values = np.arange(100.0)
    train_end, val_end = 72, 90
    X_train, y_train = target_windows(values, 0, train_end, 5, 3)
    X_val, y_val = target_windows(values, train_end, val_end, 5, 3)
    assert y_train.max() == train_end - 1
    assert y_val.min() == train_end  # first validation target right after train
    assert y_val.max() == val_end - 1  # never reaches the holdout
    assert X_val[0, 0, 0] == train_end - 5  # inputs reach back into train
    assert len(X_val) == (val_end - train_end) - 3 + 1
