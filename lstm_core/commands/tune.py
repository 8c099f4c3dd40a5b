"""`python -m lstm_core tune FILE --horizon H --budget 60`: find settings within a time budget.

Optuna proposes settings and each is scored on a small backtest over the data before the holdout
(`lstm_core.search`); the holdout is never used. One line per finished trial goes to stderr, the
trials table to stdout, and the best settings to `--out` (a settings JSON file that `forecast
--config` reads). `--engine ray` runs the trials on Ray (`RAY_ADDRESS` to use a running cluster).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path

from lstm_core.commands._settings import (
    add_data_arguments,
    add_settings_arguments,
    load_dataset_from_args,
    resolve_settings,
)
from lstm_core.errors import SettingsError

MAX_BUDGET = 3600.0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `tune` sub-command."""
    parser = subparsers.add_parser(
        "tune",
        help="search good settings within a time budget (never on the holdout)",
        description=(
            "Search window, size, learning rate, dropout, batch size and the recipe for FILE "
            "within a wall-clock budget, scoring each proposal on a backtest over the data "
            "before the holdout; write the best settings as JSON for `forecast --config`."
        ),
    )
    add_data_arguments(parser)
    parser.add_argument("--horizon", type=int, required=True, help="steps to forecast")
    add_settings_arguments(parser)
    parser.add_argument("--budget", type=float, default=60.0,
                        help="wall-clock seconds for the whole search (default 60)")
    parser.add_argument("--trials", type=int,
                        help="at most this many trials (default: as many as the budget allows)")
    parser.add_argument("--search-seed", type=int, default=0,
                        help="seed of the search's sampler (default 0)")
    parser.add_argument("--engine", choices=("local", "ray"),
                        help="where trials run: local processes (default) or Ray "
                        "(default when RAY_ADDRESS is set)")
    parser.add_argument("--workers", type=int,
                        help="trials at once (default: one per core; 1 runs in this process)")
    parser.add_argument("--out", type=Path, default=Path("settings.json"),
                        help="best settings as JSON (default: settings.json)")
    parser.set_defaults(func=run)


def _trial_line(trial) -> None:
    score = "" if trial.score is None else f" validation MASE {trial.score:.3f}"
    print(f"trial {trial.number}: {trial.state}{score} ({trial.seconds:.1f} s)",
          file=sys.stderr, flush=True)


def _data_flags(args: argparse.Namespace) -> str:
    """The data flags given, so the suggested `forecast` reads the same series."""
    flags = [(flag, getattr(args, dest)) for flag, dest in
             (("--date-col", "date_col"), ("--value-col", "value_col"), ("--sheet", "sheet"))]
    return "".join(f" {flag} {shlex.quote(str(value))}" for flag, value in flags if value)


def run(args: argparse.Namespace) -> int:
    """Load FILE, search, print the trials and write the best settings."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lstm_core.executor import InlineExecutor, executor_for
    from lstm_core.search import search

    if not 0 < args.budget <= MAX_BUDGET:
        raise SettingsError(f"--budget must be between 0 and {MAX_BUDGET:.0f} seconds, "
                            f"got {args.budget:g}.")
    if args.trials is not None and args.trials < 1:
        raise SettingsError(f"--trials must be at least 1, got {args.trials}.")
    if args.workers is not None and args.workers < 1:
        raise SettingsError(f"--workers must be at least 1, got {args.workers}.")
    if args.out.parent and not args.out.parent.is_dir():
        raise SettingsError(f"The folder of --out ({args.out.parent}) does not exist; "
                            "create it or choose another path.")
    dataset = load_dataset_from_args(args)
    settings = resolve_settings(args, len(dataset.series), dataset.report.season_length)
    if args.workers == 1 and args.engine != "ray":
        executor = InlineExecutor()
    else:
        executor = executor_for(args.engine, tasks=os.cpu_count() or 1, workers=args.workers)
    try:
        result = search(dataset.series, settings, budget=args.budget, trials=args.trials,
                        seed=args.search_seed, executor=executor, on_trial=_trial_line)
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    best = result.best_settings
    args.out.write_text(json.dumps(best.to_dict(), indent=2) + "\n", encoding="utf-8")
    table = result.trials_frame()
    with_scores = table.assign(score=table["score"].map(
        lambda v: "" if v is None or v != v else f"{v:.3f}"))
    print(with_scores.to_string(index=False))
    chosen = result.best
    first = result.trials[0] if result.trials else None
    if chosen is None:
        print("No trial finished within the budget: the given settings were written unchanged.")
    else:
        print(f"Best: trial {chosen.number}, validation MASE {chosen.score:.3f}"
              + (f" (the starting settings: {first.score:.3f})"
                 if first is not None and first.score is not None else "")
              + f". {len(result.trials)} trials in {result.seconds:.1f} s. "
              f"Settings written to {args.out}; use them with "
              f"`python -m lstm_core forecast {args.file}{_data_flags(args)} "
              f"--horizon {args.horizon} --config {args.out}`.")
    return 0
