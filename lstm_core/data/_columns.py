"""Find the date column and the numeric columns, and parse them fast.

Formats are detected on a small sample of each column (Python-level work stays bounded however long
the file is); whole columns are then parsed with vectorised pandas/pyarrow calls using the detected
format.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstm_core.data._model import ColumnChoice
from lstm_core.errors import DataError

SAMPLE_HEAD = 1000
# detect_columns leaves the date formats it found here so to_series need not detect them again.
DATE_FORMATS_KEY = "lstm_core.date_formats"
# detect_columns leaves notes about the columns here (e.g. dates it could not read); to_series
# reports them when the series has no date column.
COLUMN_NOTES_KEY = "lstm_core.column_notes"
SAMPLE_TAIL = 50

# Cells that mean "no value" in exported spreadsheets; they are counted as junk, never as text data.
JUNK_TOKENS = frozenset(
    s.lower()
    for s in (
        "", "n/a", "na", "nan", "-", "--", "#div/0!", "#n/a", "#value!", "#ref!", "#num!",
        "#null!", "null", "none", "?", "missing", ".",
    )
)
_TIME_NAME = re.compile(
    r"date|time|year|jahr|datum|month|period|day|week|quarter|epoch|timestamp|when|^ds$|^t$",
    re.I,
)
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_PERIOD_Q = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.I)
_PERIOD_M = re.compile(r"^\d{4}-\d{1,2}$")
_DMY = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$")
_ISO_CELL = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# Cells shaped like a date, readable or not (`2020-13-45`, `Q5 2020`, `1939 Jan`, `March 5, 2020`).
_DATE_LIKE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?(?:[ T].*)?"
    r"|Q\d\s*[-/ ]?\s*\d{2,4}|\d{4}\s*[-/ ]?\s*Q\d"
    rf"|{_MONTH_NAME}[\s-]+\d{{1,2}},?[\s-]+\d{{2,4}}|\d{{1,2}}[\s-]+{_MONTH_NAME},?[\s-]+\d{{2,4}}"
    rf"|\d{{4}}[\s-]+{_MONTH_NAME}|{_MONTH_NAME}[\s-]+\d{{2,4}}",
    re.I,
)

_ISO_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


@dataclass(frozen=True)
class DateFormat:
    """How to parse one date column: `kind` is "format", "iso", "utc", "year", "epoch",
    "quarter", "month", "native" (already datetime) or "mixed" (ISO cells read as ISO, the
    others with `format`, a day/month/year order)."""

    kind: str
    format: str | None = None
    dayfirst: bool | None = None
    unit: str | None = None
    assumed: bool = False  # the day/month order could not be told from the data


# ---------------------------------------------------------------- text helpers


def sample_of(column: pd.Series) -> pd.Series:
    """The first `SAMPLE_HEAD` and last `SAMPLE_TAIL` cells, as stripped text without empties."""
    part = column if len(column) <= SAMPLE_HEAD + SAMPLE_TAIL else pd.concat(
        [column.iloc[:SAMPLE_HEAD], column.iloc[-SAMPLE_TAIL:]]
    )
    text = part.astype(str).str.strip()
    return text[~text.str.lower().isin(JUNK_TOKENS)]


def is_text(column: pd.Series) -> bool:
    """True for object/string columns (cells kept as text by the reader)."""
    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype)


# ---------------------------------------------------------------- numbers


def number_style(sample: pd.Series) -> str:
    """Return "comma" when the sample uses a decimal comma (`1.234,56`, `12,5`), else "point"."""
    has_comma = sample[sample.str.contains(",", regex=False)]
    if has_comma.empty:
        # `1.234.567` only makes sense with dots as thousands separators.
        return "comma" if sample.str.count(r"\.").gt(1).any() else "point"
    both = has_comma[has_comma.str.contains(".", regex=False)]
    if not both.empty:
        return "comma" if both.str.rfind(",").gt(both.str.rfind(".")).mean() > 0.5 else "point"
    # `12,345` and `1,234,567` read as thousands; anything else (`12,5`, `0,125`) as decimals.
    thousands = has_comma.str.fullmatch(r"[+-]?[1-9]\d{0,2}(,\d{3})+")
    return "point" if thousands.all() else "comma"


def parse_numbers(column: pd.Series, style: str | None = None) -> pd.Series:
    """Parse a column to float64; cells that are not numbers become NaN.

    Args:
        column: numeric or text cells.
        style: "point" or "comma" (decimal separator); detected from a sample when None.

    Returns:
        A float64 Series with the same index.
    """
    if pd.api.types.is_bool_dtype(column.dtype):
        return pd.Series(np.nan, index=column.index, dtype="float64")
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.astype("float64")
    if not is_text(column):
        return pd.Series(np.nan, index=column.index, dtype="float64")
    text = column.astype(str).str.strip()
    if style is None:
        style = number_style(sample_of(column))
    # Spaces, no-break spaces and apostrophes are thousands separators in some locales.
    text = text.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    if style == "comma":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    values[~np.isfinite(values.to_numpy())] = np.nan
    return values


def numeric_share(column: pd.Series) -> tuple[float, int]:
    """Share of the non-junk sample cells that are numbers, and how many numbers there were."""
    if pd.api.types.is_bool_dtype(column.dtype):
        return 0.0, 0
    if pd.api.types.is_numeric_dtype(column.dtype):
        n = int(column.notna().sum())
        return (1.0 if n else 0.0), n
    if not is_text(column):
        return 0.0, 0
    sample = sample_of(column)
    if sample.empty:
        return 0.0, 0
    parsed = parse_numbers(sample, number_style(sample))
    n = int(parsed.notna().sum())
    return n / len(sample), n


# ---------------------------------------------------------------- dates


def detect_date_format(
    column: pd.Series, name: str, dayfirst: bool | None = None
) -> DateFormat | None:
    """Return how to parse `column` as dates, or None when it does not hold dates.

    Args:
        column: the cells (text, numbers or datetimes).
        name: the column name; integer years and epoch seconds count only with a time-like name or
            strictly increasing values, so that ordinary numbers are not taken for dates.
        dayfirst: force the day/month order for ambiguous formats (None: detect).
    """
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return DateFormat("native")
    if pd.api.types.is_bool_dtype(column.dtype):
        return None
    if pd.api.types.is_numeric_dtype(column.dtype):
        return _numeric_date_format(parse_numbers(column, "point"), name)
    if not is_text(column):
        return None
    sample = sample_of(column)
    if sample.empty:
        return None
    # Text dates first: `01.02.2021` would also pass as a number with dots as thousands separators.
    found = _text_date_format(column, sample, dayfirst)
    if found is None and numeric_share(column)[0] == 1.0:
        found = _numeric_date_format(parse_numbers(column, "point"), name)
    return found


def _numeric_date_format(values: pd.Series, name: str) -> DateFormat | None:
    head = values.dropna().iloc[:SAMPLE_HEAD].to_numpy()
    if head.size < 2 or not np.all(head == np.round(head)):
        return None
    steps = np.diff(head)
    hinted = bool(_TIME_NAME.search(name))
    # Without a time-like name only evenly spaced, increasing numbers pass for years or epochs.
    if not (hinted or (steps.min() > 0 and steps.min() == steps.max())):
        return None
    low, high = head.min(), head.max()
    if 1700 <= low and high <= 2200 and (hinted or steps.max() == 1):
        return DateFormat("year")
    if 1e8 <= low and high <= 4.2e9:
        return DateFormat("epoch", unit="s")
    if 1e11 <= low and high <= 4.2e12:
        return DateFormat("epoch", unit="ms")
    return None


def _share_parsed(sample: pd.Series, **kwargs) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", **kwargs)
    return float(parsed.notna().mean())


def _text_date_format(
    column: pd.Series, sample: pd.Series, dayfirst: bool | None
) -> DateFormat | None:
    threshold = 0.8  # footer rows such as "Total" must not stop a date column being found
    if sample.str.fullmatch(_PERIOD_Q).mean() >= threshold:
        return DateFormat("quarter")
    if sample.str.fullmatch(_PERIOD_M).mean() >= threshold:
        return DateFormat("month")
    mixed = _mixed_format(column, sample, dayfirst, threshold)
    if mixed is not None:
        return mixed
    for fmt in _ISO_FORMATS:
        if _share_parsed(sample, format=fmt) >= threshold:
            return DateFormat("format", fmt)
    if sample.str.contains(_OFFSET).mean() >= threshold and (
        _share_parsed(sample, format="ISO8601", utc=True) >= threshold
    ):
        return DateFormat("utc")
    if _share_parsed(sample, format="ISO8601") >= threshold:
        return DateFormat("iso")
    if sample.str.fullmatch(_DMY).mean() < threshold:
        return None
    return _day_month_format(column, sample, dayfirst)


def _mixed_format(
    column: pd.Series, sample: pd.Series, dayfirst: bool | None, threshold: float
) -> DateFormat | None:
    """A column mixing ISO dates with d/m/y or m/d/y dates (`2015-02-01` and `03/01/2015`)."""
    iso = sample.str.fullmatch(_ISO_CELL)
    other = sample.str.fullmatch(_DMY)
    if not (iso.any() and other.any()) or (iso | other).mean() < threshold:
        return None
    text = column.astype(str).str.strip()
    found = _day_month_format(text[text.str.fullmatch(_DMY)], sample[other], dayfirst)
    return DateFormat("mixed", found.format, dayfirst=found.dayfirst, assumed=found.assumed)


def _day_month_format(
    column: pd.Series, sample: pd.Series, dayfirst: bool | None
) -> DateFormat:
    """The format of `dd/mm/yyyy`-style cells, the day/month order told by the values."""
    parts = sample.str.extract(_DMY)
    sep = parts[1].dropna().iloc[0]
    times = parts[4].dropna()
    suffix = ""
    if not times.empty:
        suffix = " %H:%M:%S" if times.str.count(":").max() == 2 else " %H:%M"
    day_first = f"%d{sep}%m{sep}%Y{suffix}"
    month_first = f"%m{sep}%d{sep}%Y{suffix}"
    if sep == ".":
        return DateFormat("format", day_first)  # dd.mm.yyyy: the dot is only used day-first
    if dayfirst is not None:
        return DateFormat("format", day_first if dayfirst else month_first, dayfirst=dayfirst)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[2], errors="coerce")
    if (first > 12).any() and not (second > 12).any():
        return DateFormat("format", day_first, dayfirst=True)
    if (second > 12).any() and not (first > 12).any():
        return DateFormat("format", month_first, dayfirst=False)
    # The sample did not settle it: let the whole column decide (vectorised, both ways).
    text = column.astype(str).str.strip()
    n_day = int(pd.to_datetime(text, format=day_first, errors="coerce").notna().sum())
    n_month = int(pd.to_datetime(text, format=month_first, errors="coerce").notna().sum())
    if n_day != n_month:
        chosen = n_day > n_month
        return DateFormat("format", day_first if chosen else month_first, dayfirst=chosen)
    # Nothing tells: US order for slashes, day first for dashes, and say so.
    chosen = sep != "/"
    return DateFormat(
        "format", day_first if chosen else month_first, dayfirst=chosen, assumed=True
    )


def parse_dates(column: pd.Series, fmt: DateFormat) -> pd.DatetimeIndex:
    """Parse a whole column with a detected format; unreadable cells become NaT.

    Returns:
        A tz-naive DatetimeIndex (offsets converted to UTC) of the column's length.
    """
    kind = fmt.kind
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "native":
            out = pd.to_datetime(column, errors="coerce")
            if getattr(out.dt, "tz", None) is not None:
                out = out.dt.tz_convert("UTC").dt.tz_localize(None)
        elif kind in ("year", "epoch"):
            values = parse_numbers(column, "point")
            if kind == "year":
                ok = values.notna()
                years = values.where(ok, 2000).astype("int64").astype(str)
                out = pd.to_datetime(years, format="%Y", errors="coerce").where(ok)
            else:
                out = pd.to_datetime(values, unit=fmt.unit, errors="coerce")
        elif kind == "format":
            out = _parse_with_retry(column.astype(str), fmt.format)
        elif kind == "mixed":
            out = _parse_mixed(column.astype(str).str.strip(), fmt.format)
        else:
            text = column.astype(str).str.strip()
            if kind == "quarter":
                out = _parse_quarters(text)
            elif kind == "month":
                out = pd.to_datetime(text, format="%Y-%m", errors="coerce")
            elif kind == "utc":
                out = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
                out = out.dt.tz_convert("UTC").dt.tz_localize(None)
            elif kind == "iso":
                out = pd.to_datetime(text, format="ISO8601", errors="coerce")
                if getattr(out.dt, "tz", None) is not None:
                    out = out.dt.tz_convert("UTC").dt.tz_localize(None)
    return pd.DatetimeIndex(out)


def _parse_with_retry(text: pd.Series, fmt: str | None) -> pd.Series:
    # Stripping a million cells costs more than parsing them; strip only the cells that failed.
    out = _fast_strptime(text, fmt)
    failed = out.isna().to_numpy()
    if failed.any():
        retry = text[failed].str.strip()
        out = out.astype("datetime64[ns]")
        out[failed] = pd.to_datetime(retry, format=fmt, errors="coerce").astype("datetime64[ns]")
    return out


def _parse_mixed(text: pd.Series, fmt: str | None) -> pd.Series:
    # Each cell with its own format: ISO cells as ISO, the rest with the day/month format.
    iso = text.str.fullmatch(_ISO_CELL).to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    out[iso] = pd.to_datetime(text[iso], format="ISO8601", errors="coerce").astype(
        "datetime64[ns]"
    )
    out[~iso] = pd.to_datetime(text[~iso], format=fmt, errors="coerce").astype("datetime64[ns]")
    return out


def mixed_counts(column: pd.Series) -> tuple[int, int, str, str]:
    """For a "mixed" date column: how many ISO cells and other date cells, and one of each."""
    text = column.astype(str).str.strip()
    iso = text.str.fullmatch(_ISO_CELL)
    other = text.str.fullmatch(_DMY)
    iso_example = str(text[iso].iloc[0]) if iso.any() else ""
    other_example = str(text[other].iloc[0]) if other.any() else ""
    return int(iso.sum()), int(other.sum()), iso_example, other_example


def _parse_quarters(text: pd.Series) -> pd.Series:
    parts = text.str.extract(_PERIOD_Q)
    year = pd.to_numeric(parts[0], errors="coerce")
    quarter = pd.to_numeric(parts[1], errors="coerce")
    month = ((quarter - 1) * 3 + 1).astype("Float64")
    frame = pd.DataFrame({"year": year, "month": month, "day": 1})
    return pd.to_datetime(frame, errors="coerce")


def _fast_strptime(text: pd.Series, fmt: str | None) -> pd.Series:
    """`pd.to_datetime(text, format=fmt)`, through pyarrow when the column is arrow-backed.

    pyarrow parses a million rows several times faster; its result is checked against pandas on
    a sample so that any difference in format semantics falls back to pandas.
    """
    array = getattr(text.array, "_pa_array", None)
    if array is not None and fmt is not None and "%z" not in fmt:
        try:
            import pyarrow as pa
            import pyarrow.compute as pc

            parsed = None
            if fmt.startswith("%Y-%m-%d"):
                try:  # arrow's ISO 8601 cast is ~5x faster than strptime but fails on any junk
                    parsed = pc.cast(array, pa.timestamp("s"))
                except pa.ArrowInvalid:
                    parsed = None
            if parsed is None:
                parsed = pc.strptime(array, format=fmt, unit="s", error_is_null=True)
            out = pd.Series(parsed.to_pandas(), index=text.index)
            head = text.iloc[:200]
            reference = pd.to_datetime(head, format=fmt, errors="coerce")
            if out.iloc[:200].astype("datetime64[ns]").equals(reference.astype("datetime64[ns]")):
                return out
        except Exception:  # pyarrow missing or a format it cannot do: pandas handles it
            pass
    return pd.to_datetime(text, format=fmt, errors="coerce")


# ---------------------------------------------------------------- choice


def is_counter(column: pd.Series) -> bool:
    """True for a row counter: 0, 1, 2, ... or 1, 2, 3, ... (never a series to forecast)."""
    head = parse_numbers(column.iloc[:SAMPLE_HEAD]).to_numpy()
    return head.size > 2 and head[0] in (0.0, 1.0) and bool(np.all(np.diff(head) == 1))


_MAX_DISTINCT_CHECKED = 20_000


def _unreadable_dates_note(column: pd.Series, name: str) -> str | None:
    """A warning naming a text column that looks like dates but could not be read as dates.

    A column looks like dates when its name is a time word (`date`, `Month`, `order_date`) or
    most of its cells are shaped like dates (`2020-13-45`, `Q5 2020`).
    """
    if not is_text(column):
        return None
    sample = sample_of(column)
    if sample.empty:
        return None
    words = re.findall(r"[A-Za-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", name))
    named = any(_TIME_NAME.fullmatch(word) for word in words) or bool(_TIME_NAME.fullmatch(name))
    if not named and sample.str.fullmatch(_DATE_LIKE).mean() < 0.5:
        return None
    text = column.astype(str).str.strip()
    text = text[~text.str.lower().isin(JUNK_TOKENS)]
    codes, uniques = pd.factorize(text)
    checked = "values"
    if len(uniques) > _MAX_DISTINCT_CHECKED:
        codes, uniques = pd.factorize(sample)  # too many to check each: a sample
        checked = "values checked"
    # Each distinct value is parsed once: a million rows of "week 1".."week 52" stay fast.
    unread = ~_readable_dates(pd.Series(uniques, dtype=str))
    n_unread = int(unread[codes].sum())
    if not n_unread:
        return None
    examples = ", ".join(f"'{t}'" for t in uniques[unread][:3])
    return (
        f"The column '{name}' looks like dates but {n_unread} of {len(codes)} {checked} could "
        f"not be read as dates (for example {examples}), so the row order is the time axis; "
        "write the dates as YYYY-MM-DD (for example 2020-01-31) to use them."
    )


def _readable_dates(text: pd.Series) -> np.ndarray:
    """Which cells one of the supported date formats reads (vectorised, each cell on its own)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ok = np.array(pd.to_datetime(text, format="ISO8601", errors="coerce").notna())
        ok |= text.str.fullmatch(_PERIOD_Q).to_numpy(dtype=bool)
        for fmt in ("%Y-%m", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%m-%d-%Y"):
            ok |= pd.to_datetime(text, format=fmt, errors="coerce").notna().to_numpy()
    return ok


def unknown_column(kind: str, name: str, columns: list[str]) -> DataError:
    """The error for a column name that is not in the file."""
    return DataError(
        f"There is no {kind} column named '{name}'; choose one of: {', '.join(columns)}."
    )


def detect_columns(
    df: pd.DataFrame, date_col: str | None = None, value_col: str | None = None
) -> ColumnChoice:
    """Pick the date column (if any) and the value column.

    Args:
        df: the table from `read_table` (or any DataFrame).
        date_col: force this date column (None: detect the first column that holds dates).
        value_col: force this value column (None: the first numeric column that is not the date
            and not a row counter such as 1, 2, 3, ...).

    Returns:
        The `ColumnChoice`.

    Raises:
        DataError: for an unknown column name, a forced date column without dates, a forced value
            column without numbers, or a table with no numeric column.
    """
    columns = [str(c) for c in df.columns]
    if date_col is not None and date_col not in columns:
        raise unknown_column("date", date_col, columns)
    if value_col is not None and value_col not in columns:
        raise unknown_column("value", value_col, columns)
    if date_col is not None and date_col == value_col:
        raise DataError(
            f"'{date_col}' cannot be both the date and the value column; choose another one."
        )

    date_format: DateFormat | None = None
    if date_col is not None:
        date_format = detect_date_format(df[date_col], date_col)
        if date_format is None:
            raise DataError(
                f"The column '{date_col}' does not hold dates; choose another date column "
                "or leave it empty to use the row order."
            )
    else:
        for name in columns:
            if name == value_col:
                continue
            date_format = detect_date_format(df[name], name)
            if date_format is not None:
                date_col = name
                break

    numeric: list[str] = []
    all_junk: list[str] = []
    for name in columns:
        if name == date_col:
            continue
        share, count = numeric_share(df[name])
        if count and share >= 0.8:
            numeric.append(name)
        elif not count and is_text(df[name]) and sample_of(df[name]).empty:
            all_junk.append(name)  # only empty/junk cells: maybe a value column with no data
    if value_col is None:
        # A row counter (1, 2, 3, ...) is numeric but never the series to forecast.
        counters = [name for name in numeric if is_counter(df[name])]
        candidates = [n for n in numeric if n not in counters] or numeric or all_junk
        if not candidates:
            raise DataError(
                "No column holds numbers; the file needs a column of numeric values to forecast."
            )
        value_col = candidates[0]
    elif value_col not in numeric and value_col not in all_junk:
        options = ", ".join(numeric) if numeric else "none found"
        raise DataError(
            f"The column '{value_col}' does not hold numbers; choose a numeric column "
            f"({options})."
        )
    if date_col is not None and date_format is not None:
        df.attrs[DATE_FORMATS_KEY] = {date_col: date_format}
    unread = [] if date_col is not None else [
        _unreadable_dates_note(df[name], name) for name in columns
        if name != value_col and name not in numeric
    ]
    df.attrs[COLUMN_NOTES_KEY] = tuple(note for note in unread if note is not None)
    return ColumnChoice(
        columns=tuple(columns),
        date_column=date_col,
        value_column=value_col,
        numeric_columns=tuple(numeric),
        dayfirst=date_format.dayfirst if date_format else None,
    )
