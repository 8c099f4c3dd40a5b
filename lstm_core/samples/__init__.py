"""Small sample datasets shipped with the project (see README.md beside this file)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Sample:
    """A built-in dataset: its key, a title for menus, the CSV file and one line about it."""

    key: str
    title: str
    filename: str
    description: str


SAMPLES: dict[str, Sample] = {
    s.key: s
    for s in (
        Sample(
            "airline",
            "Airline passengers (monthly, 1949–1960)",
            "airline.csv",
            "International airline passengers in thousands per month; trend and yearly season.",
        ),
        Sample(
            "births",
            "US births (daily, 1987–1988)",
            "births.csv",
            "Births per day in the United States; a strong weekly pattern (fewer on weekends).",
        ),
        Sample(
            "counting",
            "Counting 0..99 (no dates)",
            "counting.csv",
            "The tutorial example: the numbers 0 to 99. Can an LSTM learn 'the next number'?",
        ),
        Sample(
            "employment",
            "US employment by sector (24 series, monthly)",
            "us_employment.csv",
            "Thousands employed in 24 US sectors per month, 2004-10 to 2019-09: one file, many "
            "series (columns month, sector, employed).",
        ),
        Sample(
            "promo_sales",
            "Sales with promotions (synthetic, monthly)",
            "promo_sales.csv",
            "Monthly sales where a promotion adds about 60, and the promotions planned for the "
            "next 12 months (rows without sales): mark 'promo' as a known-ahead driver.",
        ),
    )
}

DEFAULT_SAMPLE = "airline"


def sample_bytes(key: str) -> bytes:
    """Return the raw bytes of a sample's CSV file.

    Raises:
        KeyError: if `key` is not one of `SAMPLES`.
    """
    sample = SAMPLES[key]
    return resources.files(__package__).joinpath(sample.filename).read_bytes()
