"""`python -m lstm_core runs ...`: list, show, export, import, rename and delete saved runs.

The runs live in the run store under `LSTM_STUDIO_HOME` (else the per-user data folder). Only
`import` loads Keras (to check the models in safe mode); the other actions read the index and the
bundle files directly, so they answer at once.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from lstm_core.runs import RunInfo, RunStore


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `runs` command and its actions to the CLI parser."""
    parser = subparsers.add_parser(
        "runs",
        help="list, show, export, import, rename or delete saved runs",
        description="Manage saved runs (stored under $LSTM_STUDIO_HOME, else a per-user folder).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list saved runs, most recently added first")
    listing.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    listing.set_defaults(func=_list)

    show = actions.add_parser("show", help="print a run's manifest as JSON")
    show.add_argument("id", help="run id (or a unique prefix of at least 4 characters)")
    show.set_defaults(func=_show)

    export = actions.add_parser("export", help="write a run's bundle to a .zip file")
    export.add_argument("id", help="run id (or a unique prefix)")
    export.add_argument("file", help="destination .zip file")
    export.set_defaults(func=_export)

    imported = actions.add_parser("import", help="check a bundle .zip and add it; print its id")
    imported.add_argument("file", help="a run bundle .zip saved by LSTM Forecast Studio")
    imported.add_argument("--name", help="store the run under this name")
    imported.set_defaults(func=_import)

    rename = actions.add_parser("rename", help="give a run a new name")
    rename.add_argument("id", help="run id (or a unique prefix)")
    rename.add_argument("name", help="the new name")
    rename.set_defaults(func=_rename)

    delete = actions.add_parser("delete", help="delete a run and its bundle")
    delete.add_argument("id", help="run id (or a unique prefix)")
    delete.set_defaults(func=_delete)


def _list(args: argparse.Namespace) -> int:
    store = RunStore()
    runs = store.list()
    if args.json:
        print(json.dumps([run.to_dict() for run in runs], indent=2, ensure_ascii=False))
    elif not runs:
        print(f"No saved runs in {store.home}.")
    else:
        print(format_table(runs))
    return 0


def format_table(runs: Sequence[RunInfo]) -> str:
    """Return runs as a plain-text table with a header row, columns padded to fit."""
    header = ("ID", "NAME", "DATASET", "CREATED", "MASE", "SECONDS", "SETTINGS")
    rows = [
        (
            run.id,
            run.name,
            run.dataset,
            run.created,
            "-" if run.mase is None else f"{run.mase:.3f}",
            f"{run.seconds:.1f}",
            run.settings,
        )
        for run in runs
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in [header, *rows]]
    return "\n".join(lines)


def _show(args: argparse.Namespace) -> int:
    print(json.dumps(RunStore().manifest(args.id), indent=2, ensure_ascii=False))
    return 0


def _export(args: argparse.Namespace) -> int:
    RunStore().export(args.id, args.file)
    print(f"Exported run {args.id} to {args.file}.")
    return 0


def _import(args: argparse.Namespace) -> int:
    print(RunStore().import_bundle(args.file, name=args.name))
    return 0


def _rename(args: argparse.Namespace) -> int:
    RunStore().rename(args.id, args.name)
    print(f"Renamed run {args.id} to {args.name.strip()!r}.")
    return 0


def _delete(args: argparse.Namespace) -> int:
    RunStore().delete(args.id)
    print(f"Deleted run {args.id}.")
    return 0
