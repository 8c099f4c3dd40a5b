"""`python -m lstm_core forecast FILE --horizon H`: train on all of FILE and forecast past its end.

Settings come in three layers: the dashboard's automatic defaults, then a `--config` JSON file
(`Settings.to_dict()` shape, any subset of keys), then command-line flags (`_settings.py`).
Every training is recorded in the run store, like the dashboard's (`--no-save` skips it), and
its id is in the summary (`run_id`). The forecast is written
as a spreadsheet-safe CSV, an optional standalone HTML report holds the holdout and future charts,
and one JSON summary (settings used, holdout scores of the model and the baselines, interval
coverage, seconds) goes to stdout. `--from-run` forecasts from a saved run without training.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from lstm_core.commands._settings import (
    add_data_arguments,
    add_settings_arguments,
    given_settings_flags,
    load_dataset_from_args,
    resolve_settings,
)
from lstm_core.errors import SettingsError
from lstm_core.jsonable import to_jsonable


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `forecast` sub-command."""
    parser = subparsers.add_parser(
        "forecast",
        help="train on a data file and forecast the steps after it",
        description=(
            "Train the LSTM on all of FILE (scored first on its held-out end against naive, "
            "seasonal-naive and ETS baselines) and forecast the H steps after it."
        ),
    )
    add_data_arguments(parser)
    parser.add_argument("--horizon", type=int,
                        help="steps to forecast (required unless --from-run)")
    add_settings_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("forecast.csv"),
                        help="forecast CSV to write (default: forecast.csv)")
    parser.add_argument("--report", type=Path, help="also write a standalone HTML report here")
    parser.add_argument("--from-run", metavar="ID|FILE.zip",
                        help="forecast with a saved run's model(s) instead of training")
    parser.add_argument("--name", help="name of the saved run (default: file, settings, time)")
    parser.add_argument("--no-save", action="store_true",
                        help="do not record this run in the run store")
    parser.set_defaults(func=run)


def _write_report(path: Path, title: str, result: Any) -> None:
    from lstm_core import charts

    holdout = charts.holdout_figure(result).to_html(full_html=False, include_plotlyjs=True)
    future = charts.future_figure(result).to_html(full_html=False, include_plotlyjs=False)
    rows = "".join(
        "<tr><th>{}</th>{}</tr>".format(
            html.escape(name),
            "".join(
                f"<td>{'' if v is None or not math.isfinite(v) else f'{v:.3f}'}</td>"
                for v in (scores.get(m) for m in ("mase", "mae", "rmse", "smape"))
            ),
        )
        for name, scores in result.scores.items()
    )
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in result.notes)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}
td,th{{padding:2px 10px;text-align:right}}</style></head><body>
<h1>{html.escape(title)}</h1>
<h2>Holdout scores (MASE below 1 beats seasonal naive)</h2>
<table><tr><th></th><th>MASE</th><th>MAE</th><th>RMSE</th><th>sMAPE %</th></tr>{rows}</table>
<p>Interval coverage on the holdout: {result.coverage:.0%}
(nominal {result.settings.level:.0%}).</p>
{holdout}
{future}
<h2>Notes</h2><ul>{notes}</ul>
</body></html>
"""
    path.write_text(page, encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    """Load FILE, train (or load a saved run), write the CSV/report and print the summary."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ chatter off stderr
    from lstm_core.evaluation import to_safe_csv

    started = time.perf_counter()
    dataset = load_dataset_from_args(args)
    if args.horizon is not None and args.horizon < 1:
        raise SettingsError(f"--horizon must be at least 1, got {args.horizon}.")
    if args.from_run:
        summary, future = _from_run(args, dataset)
    else:
        if args.horizon is None:
            raise SettingsError("--horizon is required: say how many steps to forecast.")
        summary, future = _train(args, dataset)
    args.out.write_bytes(to_safe_csv(future))
    summary["out"] = str(args.out)
    summary["seconds"] = time.perf_counter() - started
    json.dump(to_jsonable(summary), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _train(args: argparse.Namespace, dataset: Any) -> tuple[dict, Any]:
    from lstm_core.pipeline import run_forecast

    settings = resolve_settings(args, len(dataset.series), dataset.report.season_length)
    result = run_forecast(dataset.series, settings)
    if args.report is not None:
        _write_report(args.report, f"Forecast of {dataset.series.name} ({dataset.name})", result)
    summary = {
        "file": dataset.name,
        "value_column": dataset.series.name,
        "points": len(dataset.series),
        "season_length": result.season_length,
        "transform": result.transform,
        "settings": result.settings.to_dict(),
        "scores": result.scores,
        "coverage": result.coverage,
        "level": result.settings.level,
        "training_seconds": sum(r.seconds for r in result.train_results),
        "notes": list(result.notes),
        "run_id": None,
    }
    if not args.no_save:
        from lstm_core.run_record import record_run

        summary["run_id"], summary["run_name"] = record_run(
            result, dataset_name=dataset.name, health=dataset.report.to_dict(), name=args.name
        )
    if args.report is not None:
        summary["report"] = str(args.report)
    return summary, result.future


def _from_run(args: argparse.Namespace, dataset: Any) -> tuple[dict, Any]:
    from lstm_core.pipeline import forecast_from_models
    from lstm_core.runs import RunStore, load_bundle

    given = given_settings_flags(args)
    for flag, value in (("--report", args.report), ("--name", args.name)):
        if value is not None:
            given.append(flag)
    if given:
        raise SettingsError(
            f"{given[0]} cannot be used with --from-run (the saved run's settings are used); "
            "remove it."
        )
    source = Path(args.from_run)
    if source.suffix.lower() == ".zip":
        models, manifest = load_bundle(source)
    else:
        models, manifest = RunStore().get(args.from_run)
    future = forecast_from_models(dataset.series, models, manifest.get("transform") or {},
                                  args.horizon)
    summary = {
        "file": dataset.name,
        "value_column": dataset.series.name,
        "points": len(dataset.series),
        "from_run": args.from_run,
        "run_name": manifest.get("name"),
        "settings": manifest.get("settings"),
        "scores": manifest.get("scores"),
        "coverage": manifest.get("coverage"),
    }
    return summary, future
