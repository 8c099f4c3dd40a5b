"""`python -m lstm_core forecast FILE --horizon H`: train on all of FILE and forecast past its end.

Settings come in three layers: the dashboard's automatic defaults, then a `--config` JSON file
(`Settings.to_dict()` shape, any subset of keys), then command-line flags (`_settings.py`).
Every training is recorded in the run store, like the dashboard's (`--no-save` skips it), and
its id is in the summary (`run_id`). The forecast is written
as a spreadsheet-safe CSV; `--report` and `--deck` also write the meeting's self-contained HTML
report and PowerPoint deck (`lstm_core.report`, in English or Thai with `--lang`); and one JSON
summary (settings used, holdout scores of the model and the baselines, interval coverage,
seconds) goes to stdout. `--from-run` forecasts from a saved run without training.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from lstm_core.commands._settings import (
    add_data_arguments,
    add_driver_arguments,
    add_settings_arguments,
    driver_set_from_args,
    given_settings_flags,
    load_data_from_args,
    load_driven_from_args,
    panel_identity,
    resolve_settings,
)
from lstm_core.data import Panel
from lstm_core.errors import SettingsError
from lstm_core.i18n import DEFAULT_LANGUAGE, LANGUAGES
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
    add_data_arguments(parser, panel=True)
    parser.add_argument("--horizon", type=int,
                        help="steps to forecast (required unless --from-run)")
    add_settings_arguments(parser)
    add_driver_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("forecast.csv"),
                        help="forecast CSV to write (default: forecast.csv)")
    parser.add_argument("--report", type=Path,
                        help="also write the self-contained HTML report (charts and narrative)")
    parser.add_argument("--deck", type=Path,
                        help="also write a PowerPoint deck with native, editable charts")
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default=DEFAULT_LANGUAGE,
                        help="language of the report and the deck (default: en)")
    parser.add_argument("--from-run", metavar="ID|FILE.zip",
                        help="forecast with a saved run's model(s) instead of training")
    parser.add_argument("--name", help="name of the saved run (default: file, settings, time)")
    parser.add_argument("--no-save", action="store_true",
                        help="do not record this run in the run store")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load FILE, train (or load a saved run), write the CSV/report and print the summary."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ chatter off stderr
    from lstm_core.evaluation import to_safe_csv

    started = time.perf_counter()
    _check_output_folders(args)
    if args.horizon is not None and args.horizon < 1:
        raise SettingsError(f"--horizon must be at least 1, got {args.horizon}.")
    spec = None if args.from_run else driver_set_from_args(args)
    if args.from_run:
        _refuse_driver_flags(args)
    if spec is not None:
        if args.horizon is None:
            raise SettingsError("--horizon is required: say how many steps to forecast.")
        driven = load_driven_from_args(args, spec)
        summary, future = _train(args, driven.dataset, driven)
    else:
        summary, future = _forecast(args)
    _write("--out", args.out, to_safe_csv(future))
    summary["out"] = str(args.out)
    summary["seconds"] = time.perf_counter() - started
    json.dump(to_jsonable(summary), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _forecast(args: argparse.Namespace) -> tuple[dict, Any]:
    """FILE without driver flags: one series or many, trained or from a saved run."""
    dataset = load_data_from_args(args)
    if isinstance(dataset, Panel) and args.from_run:
        return _panel_from_run(args, dataset)
    if args.from_run:
        return _from_run(args, dataset)
    if args.horizon is None:
        raise SettingsError("--horizon is required: say how many steps to forecast.")
    if isinstance(dataset, Panel):
        return _train_panel(args, dataset)
    return _train(args, dataset)


def _refuse_driver_flags(args: argparse.Namespace) -> None:
    """With --from-run the run's own drivers are used; only --future may change."""
    for flag, value in (("--drivers", args.drivers), ("--observed", args.observed),
                        ("--holidays", args.holidays), ("--holiday-region", args.holiday_region)):
        if value is not None:
            raise SettingsError(f"{flag} cannot be used with --from-run (the run's own drivers "
                                "are used); remove it, and give --future for a scenario.")
    for flag, value in (("--calendar", args.calendar), ("--encoding", args.encoding)):
        if value:
            raise SettingsError(f"{flag} cannot be used with --from-run (the run's own drivers "
                                "are used); remove it.")


def _train(args: argparse.Namespace, dataset: Any, driven: Any = None) -> tuple[dict, Any]:
    from lstm_core.pipeline import run_forecast

    settings = resolve_settings(args, len(dataset.series), dataset.report.season_length)
    drivers = None if driven is None else driven.drivers
    result = run_forecast(dataset.series, settings, drivers=drivers)
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
    if driven is not None:
        summary["drivers"] = driven.drivers.spec.to_dict()
        summary["driver_notes"] = list(driven.notes)
    if not args.no_save:
        from lstm_core.run_record import record_run

        summary["run_id"], summary["run_name"] = record_run(
            result, dataset_name=dataset.name, health=dataset.report.to_dict(), name=args.name
        )
    if args.report is not None or args.deck is not None:
        summary.update(_write_handouts(args, result, dataset.name, summary.get("run_name")))
    return summary, result.future


def _train_panel(args: argparse.Namespace, panel: Panel) -> tuple[dict, Any]:
    """Forecast every series of a long or wide file (one global LSTM, or one per series)."""
    from lstm_core.executor import default_executor
    from lstm_core.panel import CHUNK, panel_shape, prepare_in_workers, run_panel
    from lstm_core.runs import MAX_MODELS

    for flag, value in (("--report", args.report), ("--deck", args.deck)):
        if value is not None:
            raise SettingsError(
                f"{flag} works on one series, and this file holds {len(panel)}; forecast one "
                "series from a file of its own, or leave out the flag."
            )
    settings = resolve_settings(args, *panel_shape(panel))
    networks = len(panel) * settings.ensemble
    if args.mode == "local" and not args.no_save and networks > MAX_MODELS:
        raise SettingsError(
            f"One LSTM per series makes {networks} networks here, more than a saved run holds "
            f"({MAX_MODELS}); use --mode global, or --no-save to forecast without saving."
        )
    executor = None
    if args.mode == "global" and prepare_in_workers(len(panel)):
        executor = default_executor(-(-len(panel) // CHUNK))
    try:
        result = run_panel(panel.series, settings, mode=args.mode, executor=executor,
                           on_progress=_panel_progress, identity=panel_identity(args))
    finally:
        close = getattr(executor, "close", None)
        if close is not None:
            close()
    summary = {
        "file": panel.name,
        "layout": panel.choice.layout,
        "series": len(result.results),
        "mode": result.mode,
        "settings": result.settings.to_dict(),
        "aggregate": result.aggregate(),
        "per_series": result.scores_frame(),
        "excluded": {**panel.dropped, **result.excluded},
        "warnings": list(panel.warnings),
        "training_seconds": sum(r.seconds for r in result.train_results),
        "notes": list(result.notes),
        "run_id": None,
    }
    if not args.no_save:
        from lstm_core.run_record import record_panel_run

        summary["run_id"], summary["run_name"] = record_panel_run(
            result, dataset_name=panel.name,
            health={key: report.to_dict() for key, report in panel.reports.items()},
            name=args.name,
        )
    return summary, result.forecasts_long()


def _panel_from_run(args: argparse.Namespace, panel: Panel) -> tuple[dict, Any]:
    """Forecast every series of the file that a saved run of many series holds, no training."""
    from lstm_core.panel import long_frame
    from lstm_core.pipeline import forecast_from_models
    from lstm_core.run_record import is_panel, panel_models, series_manifest

    models, manifest = _load_run(args)
    if not is_panel(manifest):
        raise SettingsError(
            f"This run forecast one series, and the file holds {len(panel)}; use the run with "
            "the file of its series, or a run trained on this file."
        )
    ids = list(manifest["extra"]["panel"]["ids"])
    futures = {
        key: forecast_from_models(panel.series[key], panel_models(manifest, models, key),
                                  series_manifest(manifest, key)["transform"], args.horizon)
        for key in ids if key in panel.series
    }
    if not futures:
        raise SettingsError(
            f"None of this file's {len(panel)} series is in the run (it holds "
            f"{', '.join(repr(k) for k in ids[:3])}{' ...' if len(ids) > 3 else ''}); use the "
            "file the run was trained on."
        )
    summary = {
        "file": panel.name,
        "layout": panel.choice.layout,
        "series": len(futures),
        "from_run": args.from_run,
        "run_name": manifest.get("name"),
        "mode": manifest["extra"]["panel"].get("mode"),
        "settings": manifest.get("settings"),
        "aggregate": manifest["extra"]["panel"].get("aggregate"),
        "not_in_file": [key for key in ids if key not in panel.series],
        "not_in_run": [key for key in panel.series if key not in ids],
        "warnings": list(panel.warnings),
    }
    return summary, long_frame(futures)


def _panel_progress(event: dict[str, Any]) -> None:
    if event["phase"] == "prepare" and event["done"] in (event["total"], 1):
        print(f"prepared {event['done']} of {event['total']} series", file=sys.stderr,
              flush=True)
    elif event["phase"] == "train":
        print(f"{event['done']} of {event['total']} series trained", file=sys.stderr,
              flush=True)


def _write_handouts(args: argparse.Namespace, result: Any, dataset_name: str,
                    name: str | None) -> dict[str, str]:
    """Write the report and/or the deck of a fresh result; return their paths for the summary."""
    from lstm_core.report import build_deck, report_html
    from lstm_core.run_record import present_result, run_name

    name = name or args.name or run_name(dataset_name, result.settings)
    run = present_result(result, name=name, dataset_name=dataset_name)
    written = {}
    if args.report is not None:
        _write("--report", args.report, report_html(run, args.lang).encode("utf-8"))
        written["report"] = str(args.report)
    if args.deck is not None:
        _write("--deck", args.deck, build_deck(run, args.lang))
        written["deck"] = str(args.deck)
    return written


def _output_paths(args: argparse.Namespace) -> list[tuple[str, Path]]:
    given = (("--out", args.out), ("--report", args.report), ("--deck", args.deck))
    return [(flag, path) for flag, path in given if path is not None]


def _check_output_folders(args: argparse.Namespace) -> None:
    """Refuse, before any training, an output that is a folder or whose folder does not exist."""
    for flag, path in _output_paths(args):
        folder = path.parent
        if path.is_dir():
            raise SettingsError(f"{flag} ({path}) is a folder: give a file path inside it.")
        if not folder.is_dir():
            raise SettingsError(
                f"The folder for {flag} ({folder}) does not exist: create it or choose another "
                "path."
            )


def _write(flag: str, path: Path, data: bytes) -> None:
    """Write an output file; a path that cannot be written is a user error, not a traceback."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise SettingsError(
            f"Cannot write {flag} to {path}: {exc.strerror or exc}. Choose another path."
        ) from exc


def _load_run(args: argparse.Namespace) -> tuple[list, dict]:
    """The saved run `--from-run` names (a bundle file or a store id), after refusing the flags
    that cannot go with it."""
    from lstm_core.runs import RunStore, load_bundle

    given = given_settings_flags(args)
    for flag, value in (("--report", args.report), ("--deck", args.deck), ("--name", args.name)):
        if value is not None:
            given.append(flag)
    if given:
        raise SettingsError(
            f"{given[0]} cannot be used with --from-run (the saved run's settings are used); "
            "remove it."
        )
    source = Path(args.from_run)
    if source.suffix.lower() == ".zip":
        return load_bundle(source)
    return RunStore().get(args.from_run)


def _from_run(args: argparse.Namespace, dataset: Any) -> tuple[dict, Any]:
    from lstm_core.pipeline import forecast_from_models
    from lstm_core.run_record import is_panel

    models, manifest = _load_run(args)
    if is_panel(manifest):
        count = len(manifest["extra"]["panel"]["ids"])
        raise SettingsError(
            f"This run holds {count} series; forecast from it with the file of those series "
            "(the same long or wide file it was trained on)."
        )
    recipe = manifest.get("transform") or {}
    drivers = None
    if recipe.get("drivers"):
        drivers = _run_drivers(args, recipe["drivers"]["spec"])
        dataset = drivers.dataset
    elif args.future is not None:
        raise SettingsError("--future gives future values of drivers, and this run was trained "
                            "without drivers; leave it out.")
    future = forecast_from_models(dataset.series, models, recipe, args.horizon,
                                  None if drivers is None else drivers.drivers)
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
    if drivers is not None:
        summary["drivers"] = recipe["drivers"]["spec"]
        summary["future_values"] = str(args.future) if args.future else "the file's last rows"
    return summary, future


def _run_drivers(args: argparse.Namespace, spec: dict) -> Any:
    """FILE read with the drivers a saved run was trained with (and --future, if given)."""
    from lstm_core.drivers import DriverSet

    return load_driven_from_args(args, DriverSet.from_dict(spec))
