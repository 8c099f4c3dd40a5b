"""Settings flags shared by `forecast` and `backtest`: defaults, then `--config`, then flags.

The defaults are `lstm_core.plan.default_settings` for the file's length, season and horizon: the
same function the dashboard's Train form starts from, so the same file and settings give the same
numbers in both.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from lstm_core.config import ACTIVATIONS, TRANSFORMS, Settings
from lstm_core.errors import SettingsError
from lstm_core.plan import default_settings

# flag dest -> (section, key) in Settings.to_dict()
FLAGS = {
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


def add_data_arguments(parser: argparse.ArgumentParser, *, panel: bool = False) -> None:
    """FILE and the flags that choose what to read from it (with `panel`, also many series)."""
    parser.add_argument("file", type=Path, help="the data file (CSV/TSV/TXT/XLSX)")
    parser.add_argument("--date-col", help="use this column as the time (default: detect)")
    parser.add_argument("--value-col", help="forecast this column (default: first numeric)")
    parser.add_argument("--sheet", help="Excel sheet to read (default: the first)")
    if not panel:
        return
    parser.add_argument("--id-col", action="append", metavar="COL",
                        help="long file: the column naming each series (repeat it, or give "
                             "A,B, for ids made of several columns); default: detected when a "
                             "text column repeats the dates")
    parser.add_argument("--value-cols", metavar="A,B,C",
                        help="wide file: forecast each of these columns as its own series")
    parser.add_argument("--all-values", action="store_true",
                        help="wide file: forecast every numeric column as its own series")
    parser.add_argument("--identity", action="store_true",
                        help="many series, global mode: also tell the LSTM which series each "
                             "window comes from (at most 64 series; off by default: on real "
                             "panels it helped some and hurt others)")
    parser.add_argument("--mode", choices=("global", "local"), default="global",
                        help="many series: one LSTM learning from all of them (global, the "
                             "default) or one LSTM per series (local)")


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """The model, training and interval flags, and `--config`."""
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


def given_settings_flags(args: argparse.Namespace) -> list[str]:
    """The settings flags the user gave, spelled as on the command line."""
    given = [f"--{dest.replace('_', '-')}" for dest in FLAGS if getattr(args, dest) is not None]
    if args.config is not None:
        given.append("--config")
    return given


def load_dataset_from_args(args: argparse.Namespace):  # -> lstm_core.data.Dataset
    """Read FILE with the column and sheet flags (raises `DataError` on unusable files)."""
    from lstm_core.data import load_dataset

    return load_dataset(args.file.read_bytes(), args.file.name, date_col=args.date_col,
                        value_col=args.value_col, sheet=args.sheet)


def load_data_from_args(args: argparse.Namespace):  # -> Dataset | Panel
    """The file as one series (a `Dataset`, exactly as before) or as a `Panel` of several.

    A panel is read when `--id-col`, `--value-cols` or `--all-values` asks for one, or when the
    file turns out to be long (a text column repeating the dates).
    """
    from lstm_core.data import load_panel

    id_cols = [c.strip() for given in (args.id_col or []) for c in given.split(",") if c.strip()]
    value_cols = [c.strip() for c in (args.value_cols or "").split(",") if c.strip()]
    if args.value_cols is not None and not value_cols:
        raise SettingsError("--value-cols needs at least one column name, e.g. --value-cols A,B.")
    if args.value_col is not None and (value_cols or args.all_values):
        raise SettingsError("--value-col names one series; use --value-cols or --all-values "
                            "for several, not both.")
    panel = load_panel(args.file.read_bytes(), args.file.name, date_col=args.date_col,
                       id_cols=id_cols or None, value_col=args.value_col,
                       value_cols=value_cols or None, all_values=args.all_values,
                       sheet=args.sheet)
    if panel.choice.layout == "single":
        return load_dataset_from_args(args)
    return panel


def add_driver_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags that choose drivers (one series at a time)."""
    group = parser.add_argument_group("drivers (one series)")
    group.add_argument("--drivers", metavar="A,B",
                       help="columns known ahead (promotions, prices): their future values "
                            "come from rows after the data or --future")
    group.add_argument("--observed", metavar="C,D",
                       help="columns observed only (temperature): only their past is used")
    group.add_argument("--calendar", action="store_true",
                       help="add calendar drivers (month, day of week, hour)")
    group.add_argument("--encoding", choices=("cyclic", "onehot"),
                       help="how calendar drivers are encoded (default: cyclic)")
    group.add_argument("--holidays", metavar="COUNTRY",
                       help="add public holidays of this country (e.g. TH, US, GB)")
    group.add_argument("--holiday-region", metavar="REGION",
                       help="a region of that country (e.g. CA for California)")
    group.add_argument("--future", type=Path, metavar="FILE.csv",
                       help="future values of the known-ahead drivers (a date column and one "
                            "column per driver)")


def driver_set_from_args(args: argparse.Namespace):  # -> DriverSet | None
    """The drivers the flags ask for, or None when none (then nothing changes)."""
    from lstm_core.drivers import Driver, DriverSet

    known = [c.strip() for c in (args.drivers or "").split(",") if c.strip()]
    observed = [c.strip() for c in (args.observed or "").split(",") if c.strip()]
    spec = DriverSet(
        drivers=tuple([Driver(c, "known") for c in known]
                      + [Driver(c, "observed") for c in observed]),
        calendar=bool(args.calendar), encoding=args.encoding or "cyclic", holidays=args.holidays,
        subdivision=args.holiday_region,
    )
    if spec.empty:
        if args.future is not None:
            raise SettingsError("--future gives future values of drivers; choose them with "
                                "--drivers (or leave out --future).")
        return None
    return spec


def load_driven_from_args(args: argparse.Namespace, spec):  # -> DrivenDataset
    """Read FILE with its driver columns; `--future` replaces the future rows the file has.

    Raises:
        SettingsError: flags that ask for many series.
        DataError: unusable data or future values (naming the column and the date).
    """
    from lstm_core.data import load_driven

    if args.id_col or args.value_cols or args.all_values:
        raise SettingsError("Drivers work on one series at a time; leave out --id-col, "
                            "--value-cols and --all-values, or the driver flags.")
    driven = load_driven(args.file.read_bytes(), args.file.name, spec, date_col=args.date_col,
                         value_col=args.value_col, sheet=args.sheet)
    if args.future is None:
        return driven
    future = read_future(args.future, spec.names)
    return replace(driven, drivers=driven.drivers.with_future(future))


def read_future(path: Path, drivers=()):  # -> pd.DataFrame indexed by its time column
    """A future-values file as a frame indexed by its time column (`date`, `step`, else the
    first column that is not a driver); the engine reads and checks its dates
    (`drivers.check_future`).

    Raises:
        SettingsError: a file that cannot be opened.
        DataError: a file that cannot be read as a table (the data layer's message).
    """
    from lstm_core.data import read_table

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"Cannot read --future {path}: {exc.strerror or exc}.") from exc
    table = read_table(data, path.name)
    columns = [str(c) for c in table.columns]
    others = [c for c in columns if c not in set(drivers)] or columns
    time_column = next((c for c in ("date", "step") if c in columns), others[0])
    return table.set_index(table.columns[columns.index(time_column)])


def panel_identity(args: argparse.Namespace) -> bool:
    """`--identity`, refused where it cannot apply (one model per series knows its series)."""
    if args.identity and args.mode != "global":
        raise SettingsError("--identity works with --mode global (one LSTM per series already "
                            "knows its series); leave one of them out.")
    return bool(args.identity)


def resolve_settings(args: argparse.Namespace, n_points: int, season: int | None) -> Settings:
    """Defaults for this series and horizon, overridden by `--config`, overridden by flags.

    Raises:
        SettingsError: unreadable config file, unknown keys or values out of range.
    """
    if args.horizon is not None and args.horizon < 1:
        raise SettingsError(f"--horizon must be at least 1, got {args.horizon}.")
    merged = default_settings(n_points, season, horizon=args.horizon).to_dict()
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
            if isinstance(merged.get(key), dict) and not isinstance(value, dict):
                raise SettingsError(f"{key} in the settings file must be a JSON object.")
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        if args.horizon is not None:  # the command line wins over the file
            merged["window"]["horizon"] = args.horizon
            if "holdout" not in loaded:
                merged["holdout"] = args.horizon
    for dest, (section, key) in FLAGS.items():
        value = getattr(args, dest)
        if value is None:
            continue
        if section is None:
            merged[key] = value
        else:
            merged[section][key] = value
    return Settings.from_dict(merged)
