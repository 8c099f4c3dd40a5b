"""`python -m lstm_core inspect FILE`: load a file and print what was found as one JSON object.

A file of one series prints its columns, frequency and health report; a file of many series (long
rows with an id column, or one column per series with `--value-cols` / `--all-values`) prints the
layout, the shared frequency and one health row per series with a total line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lstm_core.data import FILL_POLICIES, inspect_summary, load_panel, panel_summary
from lstm_core.errors import SettingsError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `inspect` sub-command."""
    parser = subparsers.add_parser(
        "inspect",
        help="read a data file and print the detected columns, frequency and health report",
        description="Read a CSV/TSV/TXT/XLSX file and print one JSON object describing it.",
    )
    parser.add_argument("file", type=Path, help="the data file")
    parser.add_argument("--date-col", help="use this column as the time (default: detect)")
    parser.add_argument("--value-col", help="forecast this column (default: first numeric)")
    parser.add_argument("--sheet", help="Excel sheet to read (default: the first)")
    parser.add_argument(
        "--fill", choices=FILL_POLICIES, default="interpolate",
        help="how missing values are handled (default: interpolate)",
    )
    parser.add_argument(
        "--id-col", action="append", metavar="COL",
        help="long file: the column naming each series (repeat it, or give A,B, for ids made "
             "of several columns); default: detected when a text column repeats the dates",
    )
    parser.add_argument("--value-cols", metavar="A,B,C",
                        help="wide file: read each of these columns as its own series")
    parser.add_argument("--all-values", action="store_true",
                        help="wide file: read every numeric column as its own series")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the file and print the summary; DataError propagates to the CLI's error handler."""
    id_cols = [c.strip() for given in args.id_col or () for c in given.split(",") if c.strip()]
    value_cols = [c.strip() for c in (args.value_cols or "").split(",") if c.strip()]
    if args.value_cols is not None and not value_cols:
        raise SettingsError("--value-cols needs at least one column name, e.g. --value-cols A,B.")
    panel = load_panel(
        args.file.read_bytes(), args.file.name, date_col=args.date_col, id_cols=id_cols or None,
        value_col=args.value_col, value_cols=value_cols or None, all_values=args.all_values,
        sheet=args.sheet, fill=args.fill,
    )
    if panel.choice.layout == "single":
        summary = inspect_summary(panel.dataset(panel.ids[0]))
    else:
        summary = panel_summary(panel)
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
