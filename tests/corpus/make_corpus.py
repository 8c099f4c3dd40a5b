"""Write the ingestion test corpus (run once; the files are committed so tests never regenerate).

Run: `.venv/bin/python tests/corpus/make_corpus.py`. Every file is small and built by hand so that
the expectations in tests/test_data_corpus.py can be checked by reading the file.
"""

from __future__ import annotations

import io
from pathlib import Path

HERE = Path(__file__).resolve().parent


def text(name: str, body: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(body.encode(encoding))


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def main() -> None:
    text("iso_daily.csv", lines("date,value", *(f"2021-01-{d:02d},{d}" for d in range(1, 11))))
    text(
        "semicolon_decimal_comma.csv",
        lines(
            "Datum;Umsatz;Kunden",
            "01.01.2021;1.234,56;10",
            "01.02.2021;2.000,5;11",
            "01.03.2021;987,25;12",
            "01.04.2021;1.500,00;13",
            "01.05.2021;-3,5;14",
        ),
    )
    text(
        "tab_hourly.tsv",
        lines("time\tload", *(f"2021-06-01 {h:02d}:00:00\t{100 + h}" for h in range(12))),
    )
    text(
        "pipe_weekly.txt",
        lines("week|count", *(f"2021-01-{d:02d}|{d * 2}" for d in (3, 10, 17, 24, 31))),
    )
    text(
        "utf8_bom.csv",
        "\ufeff" + lines("Datum,Größe", "2021-01-01,1.5", "2021-01-02,2.5", "2021-01-03,3.5"),
    )
    text(
        "utf16.csv",
        "\ufeff" + lines("date,höhe", "2021-03-01,10", "2021-03-02,20", "2021-03-03,30"),
        encoding="utf-16-le",
    )
    text(
        "cp1252.csv",
        lines("Monat;Umsatz (€);Café", "2021-01;1,5;x", "2021-02;2,5;y", "2021-03;3,5;z"),
        encoding="cp1252",
    )
    text(
        "thousands_quoted.csv",
        lines("date,sales", '2021-01-01,"12,345"', '2021-01-02,"1,000,000"', "2021-01-03,999"),
    )
    text(
        "us_dates.csv",
        lines("date,value", *(f"01/{d:02d}/2021,{d}" for d in range(10, 16))),
    )
    text(
        "eu_slash_dates.csv",
        lines("date,value", *(f"{d:02d}/01/2021,{d}" for d in range(10, 16))),
    )
    text(
        "ambiguous_dates.csv",
        lines("date,value", *(f"{m:02d}/01/2020,{m}" for m in range(1, 13))),
    )
    text("years.csv", lines("Year,Value", *(f"{y},{y - 1990}" for y in range(2000, 2020))))
    text(
        "quarters.csv",
        lines("period,gdp", *(f"{y}Q{q},{(y - 2020) * 4 + q}" for y in (2020, 2021) for q in
                              range(1, 5))),
    )
    text("months_period.csv", lines("month,x", *(f"2020-{m:02d},{m * 10}" for m in range(1, 7))))
    text(
        "epoch_hourly.csv",
        lines("timestamp,reading", *(f"{1609459200 + 3600 * i},{i}.5" for i in range(6))),
    )
    # Europe/Berlin across the switch to summer time on 2021-03-28 (02:00 local does not exist).
    text(
        "dst_offsets.csv",
        lines(
            "time,kw",
            "2021-03-28T00:00:00+01:00,1",
            "2021-03-28T01:00:00+01:00,2",
            "2021-03-28T03:00:00+02:00,3",
            "2021-03-28T04:00:00+02:00,4",
            "2021-03-28T05:00:00+02:00,5",
            "2021-03-28T06:00:00+02:00,6",
        ),
    )
    text("no_dates.csv", lines("reading", "3", "1", "4", "1", "5", "9", "2", "6"))
    text(
        "duplicates_unsorted.csv",
        lines(
            "date,value",
            "2021-01-03,30",
            "2021-01-01,10",
            "2021-01-02,20",
            "2021-01-02,40",
            "2021-01-04,5",
            "2021-01-04,7",
            "2021-01-04,9",
        ),
    )
    junk = ["n/a", "NA", "-", "#DIV/0!", "#N/A", "NULL", "null", "?", ""]
    rows = []
    for i in range(20):
        cell = junk[(i - 1) // 2] if i % 2 == 1 and i < 19 else str(i)
        rows.append(f"2021-01-{i + 1:02d},{cell}")
    text("junk_cells.csv", lines("date,value", *rows))
    text(
        "footer_total.csv",
        lines("month,sales", "2021-01,10", "2021-02,20", "2021-03,30", "2021-04,40", "Total,100"),
    )
    text(
        "gaps_daily.csv",
        lines("date,value", *(f"2021-02-{d:02d},{d}" for d in (1, 2, 3, 6, 7, 8, 10))),
    )
    text(
        "irregular.csv",
        lines(
            "time,value",
            "2021-01-01 00:00,1",
            "2021-01-01 01:00,2",
            "2021-01-01 02:00,3",
            "2021-01-01 02:30,5",
            "2021-01-01 03:00,4",
            "2021-01-01 04:00,5",
            "2021-01-01 06:00,7",
        ),
    )
    text(
        "business_days.csv",
        lines("date,close", *(f"2021-03-{d:02d},{d}" for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12,
                                                               15, 16))),
    )
    text(
        "multi_numeric.csv",
        lines("id,date,temp,sales", "a,2021-01-01,1.5,100", "b,2021-01-02,2.5,200",
              "c,2021-01-03,3.5,300"),
    )
    text("headerless.txt", lines("1.5", "2.5", "3.5", "4.5"))
    text("empty.csv", "")
    text("header_only.csv", lines("date,value"))
    text("no_numeric.csv", lines("name,city", "Ann,Oslo", "Bob,Rome"))
    text("all_missing.csv", lines("date,value", "2021-01-01,n/a", "2021-01-02,", "2021-01-03,-"))
    text("many_columns.csv", lines(",".join(f"c{i}" for i in range(501)),
                                   ",".join("1" for _ in range(501))))
    (HERE / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (HERE / "old_excel.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    (HERE / "damaged.xlsx").write_bytes(b"PK\x03\x04" + b"not really a zip" * 20)
    write_workbooks()


def write_workbooks() -> None:
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sales = book.active
    sales.title = "Sales"
    sales.append(["month", "sales"])
    for m in range(1, 7):
        sales.append([dt.datetime(2021, m, 1), m * 100])
    costs = book.create_sheet("Costs")
    costs.append(["month", "costs"])
    for m in range(1, 5):
        costs.append([dt.datetime(2022, m, 1), m * 7.5])
    save(book, "multi_sheet.xlsx")

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["day", "value"])
    for d, v in ((1, 1.0), (2, "n/a"), (3, 3.0), (4, 4.0)):
        sheet.append([dt.datetime(2021, 5, d), v])
    sheet.append(["Total", 8.0])
    save(book, "excel_junk_footer.xlsx")


def save(book, name: str) -> None:
    buffer = io.BytesIO()
    book.save(buffer)
    (HERE / name).write_bytes(buffer.getvalue())


if __name__ == "__main__":
    main()
