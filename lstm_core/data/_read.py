"""Turn uploaded bytes into a DataFrame: encoding, delimiter, header and Excel sheets.

Text files are decoded (UTF-8 with or without BOM, UTF-16 with BOM, then cp1252/latin-1), their
delimiter is sniffed on a sample with `csv.Sniffer`, and pandas' C reader does the parsing. Cells
are not converted to NaN here: junk such as `n/a` must stay visible so cleaning can count and
report it. Notes for the user travel in `df.attrs["warnings"]`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from pathlib import PurePath

import pandas as pd

from lstm_core.data._model import MAX_COLUMNS, MAX_ROWS
from lstm_core.errors import DataError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024

MSG_EMPTY = "The file is empty; choose a file with a header row and at least one row of data."
MSG_HEADER_ONLY = (
    "The file has a header row but no data rows; add at least one row of values below the header."
)
MSG_BINARY = (
    "The file is not a text table or an Excel workbook; save it as CSV, TSV, TXT or XLSX "
    "and try again."
)
MSG_XLS = "Old Excel .xls files cannot be read; save the workbook as .xlsx or CSV and try again."
MSG_UNREADABLE = (
    "The file could not be read as a table; save it as CSV (one header row, one column per field) "
    "or XLSX and try again."
)

_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def is_excel(data: bytes, filename: str) -> bool:
    """True when the bytes are an .xlsx/.xlsm workbook (by name, or a zip holding `xl/`)."""
    if PurePath(filename).suffix.lower() in EXCEL_SUFFIXES:
        return True
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return any(n.startswith("xl/") for n in zf.namelist())
        except zipfile.BadZipFile:
            return False
    return False


def list_sheets(data: bytes, filename: str) -> list[str]:
    """Return the sheet names of an Excel workbook, in workbook order (empty for other files).

    Raises:
        DataError: if the workbook cannot be opened.
    """
    if not is_excel(data, filename):
        return []
    _check_not_empty(data)
    import openpyxl  # only Excel uploads pay for the import

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged zips
        raise DataError(
            "The Excel workbook could not be opened; check that it is a valid .xlsx file or "
            "save it as CSV and try again."
        ) from exc
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV/TSV/TXT file or one sheet of an XLSX workbook into a DataFrame.

    Text cells are kept as text (no NaN conversion) so that junk cells can be counted later;
    columns pandas can read as numbers come back numeric. Notes for the user (e.g. which sheet was
    used) are in `df.attrs["warnings"]`.

    Args:
        data: the raw file bytes.
        filename: the file's name; its suffix selects Excel or text reading.
        sheet: for workbooks, the sheet to read (default: the first one).

    Returns:
        One row per data row of the file, columns named by the header row.

    Raises:
        DataError: for empty, header-only, binary, unreadable or oversized files, or an unknown
            sheet.
    """
    _check_not_empty(data)
    notes: list[str] = []
    if is_excel(data, filename):
        frame = _read_excel(data, filename, sheet, notes)
    else:
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise DataError(MSG_XLS)
        frame = _read_text(data, *_decode(data), notes)
    if frame.shape[1] > MAX_COLUMNS:
        raise DataError(
            f"The file has {frame.shape[1]} columns, more than this server accepts "
            f"({MAX_COLUMNS:,}); keep only the columns you need and try again."
        )
    if len(frame) > MAX_ROWS:
        raise DataError(
            f"The file has more than {MAX_ROWS:,} rows, more than this server accepts; "
            "shorten or aggregate the series and try again."
        )
    if len(frame) == 0:
        raise DataError(MSG_HEADER_ONLY)
    frame.columns = _clean_names(frame.columns)
    frame.attrs["warnings"] = notes
    return frame


def _check_not_empty(data: bytes) -> None:
    if data[:SNIFF_BYTES].strip(b"\x00 \t\r\n\xef\xbb\xbf\xff\xfe"):
        return  # something besides BOMs and blanks near the start: no need to scan a big file
    stripped = data.strip()
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if stripped.startswith(bom):
            stripped = stripped[len(bom) :]
    if not stripped.strip(b"\x00 \t\r\n"):
        raise DataError(MSG_EMPTY)


def _decode(data: bytes) -> tuple[str, str]:
    """Find the encoding of text bytes and return (encoding, decoded sample); reject binary files.

    The whole file is decoded once to validate the encoding, but pandas re-reads the bytes itself:
    handing it a Python string would be slower on big files.
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _looks_utf16le(data[:2000]):
        encoding = "utf-16-le"
    else:
        if b"\x00" in data[:SNIFF_BYTES] or _control_share(data[:SNIFF_BYTES]) > 0.01:
            raise DataError(MSG_BINARY)
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise DataError(MSG_BINARY) from exc
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, so it always succeeds.
        try:
            encoding, text = "cp1252", data.decode("cp1252")
        except UnicodeDecodeError:
            encoding, text = "latin-1", data.decode("latin-1")
    sample = text[:SNIFF_BYTES]
    if "\x00" in sample or _control_share(sample.encode()) > 0.01:
        raise DataError(MSG_BINARY)
    return encoding, sample


def _looks_utf16le(head: bytes) -> bool:
    # ASCII text in UTF-16-LE without a BOM: every odd byte is zero.
    odd = head[1::2]
    return len(odd) >= 4 and odd.count(0) / len(odd) > 0.9 and head[0::2].count(0) == 0


def _control_share(head: bytes) -> float:
    if not head:
        return 0.0
    kept = head.translate(None, delete=_CONTROL_BYTES)
    return (len(head) - len(kept)) / len(head)


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]  # the sample may cut the last line in half
    body = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(body, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    # The sniffer gives up on ragged files; fall back to the delimiter the header uses most.
    header = lines[0] if lines else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_text(data: bytes, encoding: str, sample: str, notes: list[str]) -> pd.DataFrame:
    delimiter = _sniff_delimiter(sample)
    options = {
        "sep": delimiter,
        "encoding": encoding,
        "keep_default_na": False,
        "na_filter": False,
        "nrows": MAX_ROWS + 1,
        "engine": "c",
    }
    try:
        frame = pd.read_csv(io.BytesIO(data), **options)
        if _header_is_data(frame.columns):
            frame = pd.read_csv(io.BytesIO(data), header=None, **options)
            frame.columns = [f"column_{i + 1}" for i in range(frame.shape[1])]
            notes.append(
                "The file has no header row; the columns were named "
                + ", ".join(frame.columns[:5])
                + (" …" if frame.shape[1] > 5 else "")
                + "."
            )
    except pd.errors.EmptyDataError as exc:
        raise DataError(MSG_EMPTY) from exc
    except (pd.errors.ParserError, ValueError, UnicodeError, MemoryError, OverflowError) as exc:
        raise DataError(MSG_UNREADABLE) from exc
    return frame


def _header_is_data(columns: pd.Index) -> bool:
    """True when every header cell is a number or an ISO date, i.e. the file has no header."""
    names = [str(c).strip() for c in columns]
    return bool(names) and all(_NUMBER.match(n) or _ISO_DATE.match(n) for n in names)


def _read_excel(data: bytes, filename: str, sheet: str | None, notes: list[str]) -> pd.DataFrame:
    sheets = list_sheets(data, filename)
    if not sheets:
        raise DataError("The Excel workbook has no sheets; add a sheet with data and try again.")
    if sheet is None:
        chosen = sheets[0]
        if len(sheets) > 1:
            notes.append(
                f"The workbook has {len(sheets)} sheets ({', '.join(sheets)}); "
                f"the first one, '{chosen}', was used. Pick another sheet to use it instead."
            )
    elif sheet in sheets:
        chosen = sheet
    else:
        raise DataError(
            f"The workbook has no sheet named '{sheet}'; choose one of: {', '.join(sheets)}."
        )
    try:
        frame = pd.read_excel(
            io.BytesIO(data), sheet_name=chosen, engine="openpyxl", nrows=MAX_ROWS + 1,
            keep_default_na=False,  # keep "n/a" and friends as text so they count as junk
        )
    except Exception as exc:  # openpyxl/zip errors on damaged workbooks come in many types
        raise DataError(
            "The Excel workbook could not be read; check that it is a valid .xlsx file or save "
            "it as CSV and try again."
        ) from exc
    if frame.shape[1] == 0:
        raise DataError(
            f"The sheet '{chosen}' is empty; choose a sheet with a header row and data."
        )
    return frame.apply(_excel_column_to_text)


def _excel_column_to_text(column: pd.Series) -> pd.Series:
    # Mixed-type Excel columns (dates plus a "Total" label, numbers plus "n/a") become text so that
    # the same detection and junk counting as for CSV applies; clean typed columns stay typed.
    if column.dtype != object:
        return column

    def text(value: object) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    return column.map(text).astype(str)


def _clean_names(columns: pd.Index) -> list[str]:
    names: list[str] = []
    for i, col in enumerate(columns):
        name = str(col).strip()
        if not name or name.startswith("Unnamed:"):
            name = f"column_{i + 1}"
        names.append(name)
    return names
