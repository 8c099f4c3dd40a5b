"""`python -m lstm_core inspect FILE`: load a file and print what was found as one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lstm_core.data import FILL_POLICIES, inspect_summary, load_dataset


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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the file and print the summary; DataError propagates to the CLI's error handler."""
    data = args.file.read_bytes()
    dataset = load_dataset(
        data, args.file.name, date_col=args.date_col, value_col=args.value_col,
        sheet=args.sheet, fill=args.fill,
    )
    json.dump(inspect_summary(dataset), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
