"""Write the many-series (panel) test files beside this script (run once; they are committed).

Run: `.venv/bin/python tests/corpus/panel/make_panels.py`. Every file is small and its values
follow a rule you can check by reading it (region A holds 100 + month, B 200 + month, ...), so the
expectations in tests/test_panel_data.py are written from the files, not from the code.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def text(name: str, *rows: str) -> None:
    (HERE / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


def months(year: int, count: int) -> list[str]:
    """`count` first-of-month ISO dates from January of `year`."""
    return [f"{year + (m // 12)}-{m % 12 + 1:02d}-01" for m in range(count)]


def main() -> None:
    # Long, text ids: three regions x 12 months; value = base + month number (1..12).
    text(
        "long_text_ids.csv", "region,date,sales",
        *(f"{r},{d},{base + i + 1}" for r, base in (("North", 100), ("South", 200),
                                                     ("East", 300))
          for i, d in enumerate(months(2021, 12))),
    )
    # Long, numeric store numbers as ids (detected: whole numbers, each on every week).
    text(
        "long_numeric_ids.csv", "store,week,units",
        *(f"{store},2021-01-{day:02d},{store * 10 + k}" for store in (7, 12, 30)
          for k, day in enumerate((3, 10, 17, 24, 31))),
    )
    # Long, region numbers 1-4 before the date (the first number column, so without id detection
    # it would be the value column); value = 100 * region + month number (1..24).
    text(
        "long_number_region.csv", "region,month,sales",
        *(f"{r},{d},{100 * r + i + 1}" for r in (1, 2, 3, 4)
          for i, d in enumerate(months(2020, 24))),
    )
    # Long, a text id and a number id: store numbers repeat across states; ids are the pair.
    # value = 1000 * state + 10 * store + month number (1..12).
    text(
        "long_text_and_number_ids.csv", "state,store,date,units",
        *(f"{state},{store},{d},{1000 * s + 10 * store + i + 1}"
          for s, state in enumerate(("CA", "NY"), start=1) for store in (1, 2)
          for i, d in enumerate(months(2021, 12))),
    )
    # Ragged: 'east' from January 2020 to June 2022 (30 months), 'west' starts 18 months later
    # (12 months), 'north' ends 6 months early (24 months). Value = base + month number.
    # The same numbers as a wide file (empty cells where a series has not started or has
    # ended) and as a long file (no rows there).
    ragged = {"east": (1000, 0, 30), "west": (2000, 18, 30), "north": (3000, 0, 24)}
    dates = months(2020, 30)
    text(
        "wide_ragged.csv", "date,east,west,north",
        *(f"{d}," + ",".join(str(base + i + 1) if first <= i < last else ""
                             for base, first, last in ragged.values())
          for i, d in enumerate(dates)),
    )
    text(
        "long_ragged.csv", "region,date,sales",
        *(f"{key},{dates[i]},{base + i + 1}" for key, (base, first, last) in ragged.items()
          for i in range(first, last)),
    )
    # Long, two id columns: 2 states x 2 genders x 10 years; value = 1000 * s + 100 * g + year.
    text(
        "long_two_ids.csv", "state,gender,year,count",
        *(f"{state},{gender},{2010 + y},{1000 * s + 100 * g + y}"
          for s, state in enumerate(("CA", "NY"), start=1)
          for g, gender in enumerate(("F", "M"), start=1) for y in range(10)),
    )
    # Long with a gap: 'B' has no rows for 2021-04 and 2021-05 (two timestamps to insert).
    text(
        "long_gap.csv", "region,date,sales",
        *(f"{r},{d},{base + i + 1}" for r, base in (("A", 100), ("B", 200), ("C", 300))
          for i, d in enumerate(months(2021, 12)) if not (r == "B" and i in (3, 4))),
    )
    # Long with a short series: 'tiny' has 5 months, the others 24.
    text(
        "long_short.csv", "item,month,qty",
        *(f"{item},{d},{base + i}" for item, base, n in (("big", 10, 24), ("tiny", 500, 5),
                                                         ("wide", 50, 24))
          for i, d in enumerate(months(2020, n))),
    )
    # Long with mixed frequencies: 'north' monthly (12 rows), 'south' quarterly (8 rows).
    text(
        "long_mixed_freq.csv", "region,date,sales",
        *(f"north,{d},{i + 1}" for i, d in enumerate(months(2021, 12))),
        *(f"south,{d},{i + 1}" for i, d in enumerate(months(2021, 24)[::3])),
    )
    # Long with a series without numbers, and a row whose id is empty (left out, with a note).
    text(
        "long_dropped.csv", "region,date,sales",
        *(f"A,{d},{i + 1}" for i, d in enumerate(months(2021, 6))),
        *(f"B,{d},n/a" for d in months(2021, 6)),
        *(f"C,{d},{10 * (i + 1)}" for i, d in enumerate(months(2021, 6))),
        ",2021-07-01,99",
    )
    # Wide: a date column and four numeric columns, one per region; value = base + day.
    text(
        "wide_four.csv", "date,north,south,east,west",
        *(f"2021-03-{d:02d},{100 + d},{200 + d},{300 + d},{400 + d}" for d in range(1, 15)),
    )
    # One series whose dates mix ISO and US month/day/year (month ends, so the order is clear).
    text(
        "mixed_iso_us.csv", "date,value",
        "2015-01-31,1", "2015-02-28,2", "03/31/2015,3", "04/30/2015,4", "2015-05-31,5",
        "06/30/2015,6", "07/31/2015,7", "2015-08-31,8",
    )
    # A column named like dates holding things that are not dates (one real date among them).
    text(
        "unreadable_dates.csv", "date,value",
        "soon,1", "Q5 2020,2", "2020-13-45,3", "later,4", "31/31/2020,5", "2020-01-05,6",
        "tbd,7",
    )


if __name__ == "__main__":
    main()
