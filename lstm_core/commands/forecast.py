"""`python -m lstm_core forecast FILE --horizon H`: train on all of FILE and forecast past its end.

Settings come in three layers: the dashboard's automatic defaults, then a `--config` JSON file
(`Settings.to_dict()` shape, any subset of keys), then command-line flags. The forecast is written
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

from lstm_core.config import ACTIVATIONS, TRANSFORMS, Settings, default_settings
from lstm_core.errors import SettingsError

# flag dest -> (section, key) in Settings.to_dict()
_FLAGS = {
    "window": ("window", "input_length"),
    "units": ("model", "units"),
    "layers": ("model", "layers"),
    "dropout": ("model", "dropout"),
    "activation": ("model", "activation"),
    "epochs": ("train", "epochs"),
    "batch_size": ("train", "batch_size"),
    "learning_rate": ("train", "learning_rate"),
    "patience": ("train", "patience"),
    "seed": ("train", "seed"),
    "level": (None, "level"),
    "ensemble": (None, "ensemble"),
    "transform": (None, "transform"),
}


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
    parser.add_argument("file", type=Path, help="the data file (CSV/TSV/TXT/XLSX)")
    parser.add_argument("--horizon", type=int,
                        help="steps to forecast (required unless --from-run)")
    parser.add_argument("--date-col", help="use this column as the time (default: detect)")
    parser.add_argument("--value-col", help="forecast this column (default: first numeric)")
    parser.add_argument("--sheet", help="Excel sheet to read (default: the first)")
    parser.add_argument("--window", type=int, help="past steps the model reads")
    parser.add_argument("--units", type=int, help="LSTM units per layer")
    parser.add_argument("--layers", type=int, help="stacked LSTM layers")
    parser.add_argument("--dropout", type=float, help="dropout after each LSTM layer, [0, 1)")
    parser.add_argument("--activation", choices=ACTIVATIONS, help="LSTM cell activation")
    parser.add_argument("--epochs", type=int, help="maximum training epochs")
    parser.add_argument("--batch-size", type=int, help="windows per gradient step")
    parser.add_argument("--learning-rate", type=float, help="Adam learning rate")
    parser.add_argument("--patience", type=int, help="early-stopping patience (0 = off)")
    parser.add_argument("--seed", type=int, help="random seed (same seed, same numbers)")
    parser.add_argument("--level", type=float, help="interval coverage, e.g. 0.8")
    parser.add_argument("--ensemble", type=int, help="networks trained and combined")
    parser.add_argument("--transform", choices=TRANSFORMS, help="value transform")
    parser.add_argument("--config", type=Path, help="settings JSON file (flags override it)")
    parser.add_argument("--out", type=Path, default=Path("forecast.csv"),
                        help="forecast CSV to write (default: forecast.csv)")
    parser.add_argument("--report", type=Path, help="also write a standalone HTML report here")
    parser.add_argument("--from-run", metavar="ID|FILE.zip",
                        help="forecast with a saved run's model(s) instead of training")
    parser.set_defaults(func=run)


def resolve_settings(args: argparse.Namespace, n_points: int, season: int | None) -> Settings:
    """Defaults for this series, overridden by `--config`, overridden by flags.

    Raises:
        SettingsError: unreadable config file, unknown keys or values out of range.
    """
    merged = default_settings(n_points, season).to_dict()
    if args.horizon is not None:
        merged["window"]["horizon"] = args.horizon
        merged["holdout"] = args.horizon
    if args.config is not None:
        try:
            loaded = json.loads(args.config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SettingsError(
                f"The settings file {args.config} could not be read as JSON ({exc}); "
                "fix it or leave out --config."
            ) from None
        if not isinstance(loaded, dict):
            raise SettingsError("The settings file must hold one JSON object.")
        for key, value in loaded.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        if args.horizon is not None:  # the command line wins over the file
            merged["window"]["horizon"] = args.horizon
            if "holdout" not in loaded:
                merged["holdout"] = args.horizon
    for dest, (section, key) in _FLAGS.items():
        value = getattr(args, dest)
        if value is None:
            continue
        if section is None:
            merged[key] = value
        else:
            merged[section][key] = value
    return Settings.from_dict(merged)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return _jsonable(value.item())
    return value


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
    from lstm_core.data import load_dataset
    from lstm_core.evaluation import to_safe_csv

    started = time.perf_counter()
    dataset = load_dataset(
        args.file.read_bytes(), args.file.name, date_col=args.date_col,
        value_col=args.value_col, sheet=args.sheet,
    )
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
    json.dump(_jsonable(summary), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _train(args: argparse.Namespace, dataset: Any) -> tuple[dict, Any]:
    from lstm_core.pipeline import run_forecast

    season = dataset.report.season_length
    settings = resolve_settings(args, len(dataset.series), season)
    result = run_forecast(dataset.series, settings, season_length=season or 1)
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
    }
    if args.report is not None:
        summary["report"] = str(args.report)
    return summary, result.future


def _from_run(args: argparse.Namespace, dataset: Any) -> tuple[dict, Any]:
    from lstm_core.pipeline import forecast_from_models
    from lstm_core.runs import RunStore, load_bundle

    given = [f"--{dest.replace('_', '-')}" for dest in _FLAGS if getattr(args, dest) is not None]
    if args.config is not None:
        given.append("--config")
    if args.report is not None:
        given.append("--report")
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
