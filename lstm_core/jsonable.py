"""One way to turn results into plain JSON values, for manifests, CLI output and health reports."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["iso_label", "to_jsonable"]


def iso_label(label: Any) -> str:
    if isinstance(label, (pd.Timestamp, dt.datetime, dt.date)):
        return label.isoformat()
    if isinstance(label, np.datetime64):
        return pd.Timestamp(label).isoformat()
    if isinstance(label, np.generic):
        return str(label.item())
    return str(label)


def to_jsonable(value: Any) -> Any:
    """Convert a value to plain JSON types: numpy scalars to Python, NaN/inf to None, times to ISO.

    DataFrames become lists of records (their index kept as a column unless it is plain row
    numbers 0..n-1), Series and arrays become lists, objects with `to_dict()` become their dict.
    Raises `TypeError` for anything else, because a manifest must never hold a value it cannot
    write faithfully.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date, np.datetime64)):
        return iso_label(value)
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        return str(value)
    if isinstance(value, pd.DataFrame):
        frame = value if _default_index(value.index) else value.reset_index()
        return [to_jsonable(record) for record in frame.to_dict(orient="records")]
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        return [to_jsonable(item) for item in value.tolist()]
    if isinstance(value, Mapping):
        return {iso_label(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item) for item in value]
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    raise TypeError(f"a manifest cannot hold values of type {type(value).__name__}")


def _default_index(index: pd.Index) -> bool:
    # Only an unnamed 0..n-1 row number carries no information; any other index (dates!) is kept.
    return (
        isinstance(index, pd.RangeIndex)
        and index.name is None
        and index.start == 0
        and index.step == 1
    )


