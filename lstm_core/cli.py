"""Command-line interface: `python -m lstm_core <command> ...`.

Each sub-command lives in `lstm_core/commands/<name>.py` and exposes `register(subparsers)`, which
adds its parser and sets `func(args) -> int`. User errors print one line `error: ...` on stderr and
exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from lstm_core.errors import BundleError, DataError, SettingsError

COMMANDS = ("inspect", "forecast", "backtest", "tune", "runs")
EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="python -m lstm_core",
        description=(
            "LSTM Forecast Studio from the shell: inspect data, forecast, backtest, manage runs."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"lstm_core.commands.{name}")
        except ModuleNotFoundError as exc:  # a command not written yet
            if exc.name != f"lstm_core.commands.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        return int(args.func(args) or 0)
    except (DataError, SettingsError, BundleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except FileNotFoundError as exc:
        print(f"error: file not found: {exc.filename}. Check the path and try again.",
              file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. `runs list --json | head`: the reader left, nothing to say
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return 130
