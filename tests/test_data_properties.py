"""Property tests: a frame in any supported dialect reads back equal; garbage never crashes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_core.data import load_dataset
from lstm_core.errors import DataError

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")
NAMES = ("value", "Wert", "Größe", "Café (€)")


@st.composite
def dialect_frames(draw):
    # 13+ daily rows always include a day above 12, so day/month order is decidable.
    n = draw(st.integers(min_value=13, max_value=40))
    start = draw(st.dates(min_value=pd.Timestamp("1990-01-01").date(),
                          max_value=pd.Timestamp("2030-01-01").date()))
    date_format = draw(st.sampled_from(DATE_FORMATS))
    freq = "h" if "%H" in date_format else "D"
    values = draw(st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=n, max_size=n))
    return dict(
        dates=pd.date_range(pd.Timestamp(start), periods=n, freq=freq),
        values=np.round(values, 3),
        date_format=date_format,
        freq=freq,
        delimiter=draw(st.sampled_from([",", ";", "\t", "|"])),
        decimal_comma=draw(st.booleans()),
        thousands=draw(st.booleans()),
        encoding=draw(st.sampled_from(ENCODINGS)),
        name=draw(st.sampled_from(NAMES)),
        quote_all=draw(st.booleans()),
    )


def render(frame: dict) -> bytes:
    """Write the frame by hand, the way a spreadsheet export in that locale would."""
    delimiter = frame["delimiter"]
    cells = []
    for v in frame["values"]:
        text = f"{v:,.3f}" if frame["thousands"] else f"{v:.3f}"
        if frame["decimal_comma"]:
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        cells.append(text)
    quote = frame["quote_all"] or any(delimiter in c for c in cells)
    rows = [f"date{delimiter}{frame['name']}"]
    for stamp, cell in zip(frame["dates"], cells, strict=True):
        cell = f'"{cell}"' if quote else cell
        rows.append(f"{stamp.strftime(frame['date_format'])}{delimiter}{cell}")
    return ("\r\n".join(rows) + "\r\n").encode(frame["encoding"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dialect_frames())
def test_any_dialect_reads_back_equal(frame: dict) -> None:
    dataset = load_dataset(render(frame), "export.csv")
    assert dataset.choice.date_column == "date"
    assert dataset.choice.value_column == frame["name"]
    assert dataset.report.frequency == frame["freq"]
    assert dataset.report.junk_cells == 0 and dataset.report.rows_dropped == 0
    pd.testing.assert_index_equal(
        dataset.series.index, pd.DatetimeIndex(frame["dates"], freq=frame["freq"]),
        check_names=False,
    )
    np.testing.assert_allclose(dataset.series.to_numpy(), frame["values"], rtol=0, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=-10**9, max_value=10**9), min_size=1, max_size=50),
       st.sampled_from(ENCODINGS))
def test_single_column_without_dates_reads_back(values: list[int], encoding: str) -> None:
    data = ("reading\n" + "\n".join(str(v) for v in values) + "\n").encode(encoding)
    dataset = load_dataset(data, "numbers.txt")
    assert dataset.choice.date_column is None
    assert dataset.series.index.name == "step"
    np.testing.assert_array_equal(dataset.series.to_numpy(), np.asarray(values, dtype=float))


GARBAGE_ALPHABET = st.sampled_from(list(",;|\t\n\r\"' 0123456789.-/:TZ+naNAQ#?!éx\x00\x1b"))


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(GARBAGE_ALPHABET, max_size=300)),
       st.sampled_from(["x.csv", "x.tsv", "x.txt", "x.xlsx"]))
def test_garbage_is_a_data_error_or_a_dataset(payload: bytes | str, filename: str) -> None:
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    try:
        dataset = load_dataset(data, filename)
    except DataError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert dataset.series.dtype == np.float64
        assert len(dataset.series) == dataset.report.rows_used
