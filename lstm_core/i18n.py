"""Languages the studio speaks (English and Thai), and numbers and dates written for each.

Every text a meeting sees in Thai (the narrative, the Present page, the deck, the report, the About
page) chooses its words with a language code from `LANGUAGES`; `check_language` is the one place
that refuses an unknown code. Numbers keep Western digits and thousands commas in both languages
(as Thai business documents do); dates in Thai use Thai month names and the Buddhist-era year.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

LANGUAGES: dict[str, str] = {"en": "English", "th": "ไทย"}
DEFAULT_LANGUAGE = "en"

_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "th": ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
           "พ.ย.", "ธ.ค."),
}
BUDDHIST_ERA_OFFSET = 543


def check_language(lang: str) -> str:
    """Return `lang` if the studio speaks it.

    Raises:
        ValueError: naming the languages there are.
    """
    if lang not in LANGUAGES:
        raise ValueError(
            f"Unknown language {lang!r}: choose one of {', '.join(sorted(LANGUAGES))}."
        )
    return lang


def fmt_number(value: float, digits: int | None = None) -> str:
    """A number as a reader expects it: thousands commas, sensible digits, a real minus sign.

    Args:
        value: the number.
        digits: decimals to show; None chooses by size (none from 100, one from 10, else three
            significant digits).
    """
    if value is None or not math.isfinite(value):
        return "–"
    if digits is None:
        size = abs(value)
        digits = 0 if size >= 100 else 1 if size >= 10 else max(0, 2 - _magnitude(size))
    text = f"{abs(value):,.{digits}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return ("−" if value < 0 else "") + text


def _magnitude(size: float) -> int:
    return 0 if size == 0 else math.floor(math.log10(size))


def fmt_signed(value: float, digits: int | None = None) -> str:
    """`fmt_number` with an explicit sign: "+37", "−12.5"."""
    text = fmt_number(value, digits)
    if value is not None and math.isfinite(value) and value > 0 and text.strip("0.,") != "":
        return "+" + text
    return text


def fmt_percent(share: float, digits: int = 0) -> str:
    """A share as a percentage: 0.083 → "8%" (digits=1: "8.3%")."""
    if share is None or not math.isfinite(share):
        return "–"
    return f"{share * 100:.{digits}f}%"


def fmt_period(when: Any, freq: str | None, lang: str) -> str:
    """One time point written for its frequency and the language.

    Monthly "Jul 1961" / "ก.ค. 2504", quarterly "1961 Q3" / "ไตรมาส 3/2504", yearly "1961" /
    "2504", weekly and daily "5 Jul 1961" / "5 ก.ค. 2504", finer "5 Jul 1961 14:00". A step number
    (data without dates) is "step 12" / "ช่วงที่ 12".
    """
    check_language(lang)
    if not isinstance(when, pd.Timestamp | dt.date):
        return f"step {when}" if lang == "en" else f"ช่วงที่ {when}"
    ts = pd.Timestamp(when)
    year = ts.year + (BUDDHIST_ERA_OFFSET if lang == "th" else 0)
    month = _MONTHS[lang][ts.month - 1]
    kind = period_kind(freq)
    if kind == "year":
        return str(year)
    if kind == "quarter":
        q = (ts.month - 1) // 3 + 1
        return f"{year} Q{q}" if lang == "en" else f"ไตรมาส {q}/{year}"
    if kind == "month":
        return f"{month} {year}"
    day = f"{ts.day} {month} {year}"
    if kind in ("week", "day"):
        return day
    return f"{day} {ts:%H:%M}"


_KINDS = (
    ("Y", "year"), ("A", "year"), ("Q", "quarter"), ("M", "month"), ("W", "week"),
    ("B", "day"), ("D", "day"), ("h", "hour"), ("H", "hour"),
)


def series_freq(series: pd.Series) -> str | None:
    """The pandas frequency of a series' dates (None without dates or without a regular step)."""
    index = series.index
    if isinstance(index, pd.DatetimeIndex) and index.freq is not None:
        return index.freqstr
    return None


def period_kind(freq: str | None) -> str:
    """What one step of a frequency is called: year, quarter, month, week, day, hour or step."""
    if not freq:
        return "step"
    base = freq.lstrip("0123456789").split("-")[0]
    if len(base) > 1 and base[0] == "B" and base[1] in "MQYA":
        base = base[1:]  # business month/quarter/year starts and ends: still months, ...
    for prefix, kind in _KINDS:
        if base.startswith(prefix) and not base.startswith("min"):
            return kind
    return "step"


_PERIOD_WORDS = {
    "en": {"year": ("year", "years"), "quarter": ("quarter", "quarters"),
           "month": ("month", "months"), "week": ("week", "weeks"), "day": ("day", "days"),
           "hour": ("hour", "hours"), "step": ("step", "steps")},
    "th": {"year": ("ปี", "ปี"), "quarter": ("ไตรมาส", "ไตรมาส"), "month": ("เดือน", "เดือน"),
           "week": ("สัปดาห์", "สัปดาห์"), "day": ("วัน", "วัน"),
           "hour": ("ชั่วโมง", "ชั่วโมง"), "step": ("ช่วง", "ช่วง")},
}


def period_word(freq: str | None, lang: str, count: int = 1) -> str:
    """The word for `count` steps of `freq`: "month" / "months" / "เดือน"."""
    one, many = _PERIOD_WORDS[check_language(lang)][period_kind(freq)]
    return one if count == 1 else many
