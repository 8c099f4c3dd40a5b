"""`python -m lstm_core backtest FILE --horizon H --origins K`: rolling-origin backtest.

At each of the last K cut-offs (spaced `--step`, default one horizon) the LSTM is trained exactly
as `forecast` would on the data up to it, and its forecast of the next H steps is scored beside
naive, seasonal naive and ETS. Settings flags and `--config` are the same as `forecast`'s. The long
frame goes to a spreadsheet-safe CSV, an optional HTML report shows every cut-off, and a JSON
summary goes to stdout; progress goes to stderr. The cut-offs run in worker processes on this
machine, or as Ray tasks with `--engine ray` (the default when `RAY_ADDRESS` is set).
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from lstm_core.commands._settings import (
    add_data_arguments,
    add_driver_arguments,
    add_settings_arguments,
    driver_set_from_args,
    load_data_from_args,
    load_driven_from_args,
    panel_identity,
    resolve_settings,
)
from lstm_core.data import Panel
from lstm_core.errors import SettingsError
from lstm_core.executor import ENGINES
from lstm_core.jsonable import to_jsonable


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `backtest` sub-command."""
    parser = subparsers.add_parser(
        "backtest",
        help="score the forecast at several past cut-offs (rolling origin)",
        description=(
            "Train at each of the last K cut-offs of FILE on the data before it, forecast the "
            "next H steps and score them beside naive, seasonal-naive and ETS baselines."
        ),
    )
    add_data_arguments(parser, panel=True)
    parser.add_argument("--horizon", type=int, required=True, help="steps forecast at each cut-off")
    parser.add_argument("--origins", type=int, default=3, help="number of cut-offs (default 3)")
    parser.add_argument("--step", type=int,
                        help="steps between cut-offs (default: one horizon)")
    add_settings_arguments(parser)
    add_driver_arguments(parser)
    parser.add_argument("--engine", choices=ENGINES,
                        help="where the cut-offs run: worker processes on this machine, or Ray "
                             "(default: ray when RAY_ADDRESS is set, else local)")
    parser.add_argument("--workers", type=int,
                        help="cut-offs trained at once (default: one per core, or every CPU of "
                             "the Ray cluster; 1 with the local engine runs in this process)")
    parser.add_argument("--out", type=Path, default=Path("backtest.csv"),
                        help="long CSV of every cut-off's forecasts (default: backtest.csv)")
    parser.add_argument("--report", type=Path, help="also write a standalone HTML report here")
    parser.set_defaults(func=run)


def _progress(event: dict[str, Any]) -> None:
    if event.get("epoch") is None:
        print(f"{event['done']} of {event['origins']} cut-offs done", file=sys.stderr,
              flush=True)


def run(args: argparse.Namespace) -> int:
    """Load FILE, run the backtest, write the CSV/report and print the summary."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from lstm_core.backtest import backtest, backtest_verdict, drivers_verdict
    from lstm_core.evaluation import to_safe_csv
    from lstm_core.executor import executor_for

    if args.horizon < 1:
        raise SettingsError(f"--horizon must be at least 1, got {args.horizon}.")
    if args.workers is not None and args.workers < 1:
        raise SettingsError(f"--workers must be at least 1, got {args.workers}.")
    spec = driver_set_from_args(args)
    drivers = None
    if spec is not None:
        if args.future is not None:
            raise SettingsError("--future is not used by a backtest (each cut-off forecasts "
                                "with the driver values that followed it); leave it out.")
        driven = load_driven_from_args(args, spec)
        dataset, drivers = driven.dataset, driven.drivers
    else:
        dataset = load_data_from_args(args)
    if isinstance(dataset, Panel):
        return _run_panel(args, dataset)
    executor = executor_for(args.engine, args.origins, args.workers)
    settings = resolve_settings(args, len(dataset.series), dataset.report.season_length)
    try:
        result = backtest(dataset.series, settings, origins=args.origins, step=args.step,
                          executor=executor, on_progress=_progress, drivers=drivers)
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()  # a local Ray started for this command ends with it
    args.out.write_bytes(to_safe_csv(result.frame))
    summary = {
        "file": dataset.name,
        "value_column": dataset.series.name,
        "points": len(dataset.series),
        "settings": settings.to_dict(),
        "origins": result.summary["origins"],
        "step": result.step,
        "mean_mase": {name: s["mean_mase"] for name, s in result.summary["models"].items()},
        "geomean_mase": {name: s["geomean_mase"]
                         for name, s in result.summary["models"].items()},
        "lstm_beat_seasonal_naive": result.summary["lstm_beats"]["seasonal_naive"],
        "lstm_beats": result.summary["lstm_beats"],
        "coverage": result.summary["coverage"],
        "level": settings.level,
        "per_origin": result.scores[[c for c in ("cutoff", "lstm", "lstm_no_drivers", "naive",
                                                 "seasonal_naive", "ets", "coverage")
                                     if c in result.scores.columns]],
        "verdict": backtest_verdict(result.summary),
        **({"drivers": spec.to_dict(), "drivers_verdict": drivers_verdict(result.summary)}
           if spec is not None else {}),
        "notes": result.notes,
        "seconds": result.seconds,
        "out": str(args.out),
    }
    if args.report is not None:
        _write_report(args.report, dataset, result)
        summary["report"] = str(args.report)
    json.dump(to_jsonable(summary), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _panel_progress(event: dict[str, Any]) -> None:
    if event.get("epoch") is None:
        print(f"{event['done']} of {event['total']} tasks done", file=sys.stderr, flush=True)


def _run_panel(args: argparse.Namespace, panel: Any) -> int:
    """Backtest every series of a long or wide file; print the aggregate and per-series tables."""
    from lstm_core.backtest import backtest_verdict
    from lstm_core.evaluation import to_safe_csv
    from lstm_core.executor import executor_for
    from lstm_core.panel import panel_shape
    from lstm_core.panel_backtest import backtest_panel

    if args.report is not None:
        raise SettingsError("--report shows one series; leave it out for a file of several "
                            "series (the CSV holds every series' forecasts).")
    settings = resolve_settings(args, *panel_shape(panel))
    tasks = args.origins * (1 if args.mode == "global" else len(panel))
    executor = executor_for(args.engine, tasks, args.workers)
    try:
        result = backtest_panel(panel.series, settings, mode=args.mode, origins=args.origins,
                                step=args.step, executor=executor, on_progress=_panel_progress,
                                identity=panel_identity(args))
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    args.out.write_bytes(to_safe_csv(result.frame))
    models = result.summary["models"]
    pairs = result.summary["origins"]
    summary = {
        "file": panel.name,
        "layout": panel.choice.layout,
        "mode": result.mode,
        "series": result.summary["series"],
        "settings": settings.to_dict(),
        "origins": args.origins,
        "step": result.step,
        "pairs": pairs,
        "mean_mase": {name: s["mean_mase"] for name, s in models.items()},
        "geomean_mase": {name: s["geomean_mase"] for name, s in models.items()},
        "lstm_beats": result.summary["lstm_beats"],
        "coverage": result.summary["coverage"],
        "level": settings.level,
        "per_series": result.per_series,
        "excluded": {**panel.dropped, **result.excluded},
        "warnings": list(panel.warnings),
        "verdict": backtest_verdict(result.summary, unit="(series, cut-off) pair",
                                    allow_mae=False),
        "notes": result.notes,
        "seconds": result.seconds,
        "out": str(args.out),
    }
    json.dump(to_jsonable(summary), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _write_report(path: Path, dataset: Any, result: Any) -> None:
    from lstm_core import charts
    from lstm_core.backtest import backtest_verdict

    figures = [
        charts.backtest_figure(dataset.series, result.frame, cutoff, result.settings.level)
        .to_html(full_html=False, include_plotlyjs=(i == 0))
        for i, cutoff in enumerate(result.cutoffs)
    ]

    def cell(value: Any) -> str:
        return "" if value is None or (isinstance(value, float) and not math.isfinite(value)) \
            else f"{value:.3f}"

    rows = "".join(
        f"<tr><th>{html.escape(str(row.cutoff))}</th>"
        + "".join(f"<td>{cell(getattr(row, m))}</td>"
                  for m in ("lstm", "naive", "seasonal_naive", "ets"))
        + f"<td>{row.coverage:.0%}</td></tr>"
        for row in result.scores.itertuples()
    )
    title = f"Backtest of {dataset.series.name} ({dataset.name})"
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in result.notes)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}
td,th{{padding:2px 10px;text-align:right}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p><b>{html.escape(backtest_verdict(result.summary))}</b></p>
<h2>MASE at each cut-off (below 1 beats in-sample seasonal naive)</h2>
<table><tr><th>cut-off</th><th>LSTM</th><th>naive</th><th>seasonal naive</th><th>ETS</th>
<th>interval coverage</th></tr>{rows}</table>
{''.join(figures)}
<h2>Notes</h2><ul>{notes}</ul>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
