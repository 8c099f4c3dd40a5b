"""Reading options the Data page offers beyond detection."""

from __future__ import annotations

import pandas as pd

from lstm_core.data import load_dataset
from lstm_core.samples import sample_bytes


def test_use_dates_false_keeps_values_and_uses_row_order():
    dated = load_dataset(sample_bytes("airline"), "airline.csv")
    plain = load_dataset(sample_bytes("airline"), "airline.csv", use_dates=False)
    assert dated.choice.date_column == "Month"
    assert plain.choice.date_column is None
    assert isinstance(plain.series.index, pd.RangeIndex) and plain.series.index.name == "step"
    assert plain.report.frequency is None and plain.report.start is None
    assert plain.series.tolist() == dated.series.tolist()
