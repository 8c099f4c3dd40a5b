"""Wall time of a rolling-origin backtest against one training, and its peak memory.

Run: `.venv/bin/python bench/backtest_speed.py [origins]` (default 4 origins).

For each series (the airline sample, monthly, default settings; the births sample, daily, default
settings) this prints:
- one training: `run_forecast` on the whole series, in this process, after a warm-up training (so
  TensorFlow's import and first compile are not counted against the baseline);
- the backtest over `origins` cut-offs in worker processes (one per core), cold: the workers start
  and import TensorFlow inside the timed call, as they do for a user;
- their ratio (goal <= 2.5 on 2 cores for 4 origins), and the same backtest in this process for
  comparison;
- peak resident memory of this process and of the largest worker (`ru_maxrss`);
- as a user of the CLI meets it: `python -m lstm_core backtest --origins K` against `forecast`,
  each a fresh process (both pay TensorFlow's import).

The dashboard keeps its workers warm (started when the Backtest page opens, alive ten minutes after
a backtest); the CLI starts them cold.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.backtest import backtest  # noqa: E402
from lstm_core.data import load_dataset  # noqa: E402
from lstm_core.executor import InlineExecutor, LocalExecutor  # noqa: E402
from lstm_core.pipeline import run_forecast  # noqa: E402
from lstm_core.plan import default_settings  # noqa: E402
from lstm_core.samples import sample_bytes  # noqa: E402

GOAL = 2.5


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def main(origins: int = 4) -> int:
    cores = os.cpu_count() or 1
    print(f"{cores} cores, {origins} origins")
    warm = load_dataset(sample_bytes("counting"), "counting.csv")
    run_forecast(warm.series, replace(default_settings(len(warm.series), None),
                                      train=replace(default_settings(100, None).train, epochs=3)))
    worst = 0.0
    for key in ("airline", "births"):
        dataset = load_dataset(sample_bytes(key), f"{key}.csv")
        settings = default_settings(len(dataset.series), dataset.report.season_length)
        started = time.perf_counter()
        run_forecast(dataset.series, settings)
        one = time.perf_counter() - started
        executor = LocalExecutor(cores, keep_alive=60)
        started = time.perf_counter()
        backtest(dataset.series, settings, origins=origins, executor=executor)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        backtest(dataset.series, settings, origins=origins, executor=executor)
        parallel = time.perf_counter() - started
        executor.close()
        started = time.perf_counter()
        backtest(dataset.series, settings, origins=origins, executor=InlineExecutor())
        serial = time.perf_counter() - started
        worst = max(worst, parallel / one)
        print(f"{key:8s} n={len(dataset.series):4d}  one training {one:6.2f} s | backtest: "
              f"{cores} warm workers {parallel:6.2f} s (ratio {parallel / one:4.2f}, goal <= "
              f"{GOAL}) | cold workers {cold:6.2f} s ({cold / one:4.2f}) | in-process "
              f"{serial:6.2f} s ({serial / one:4.2f})")
    print(f"peak memory: this process {_peak_mb(resource.RUSAGE_SELF):7.1f} MB, "
          f"largest worker {_peak_mb(resource.RUSAGE_CHILDREN):7.1f} MB")
    print(f"worst ratio {worst:.2f} ({'meets' if worst <= GOAL else 'misses'} the goal)")
    _cli(origins)
    return 0


def _cli(origins: int) -> None:
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "airline.csv"
        data.write_bytes(sample_bytes("airline"))
        common = [str(data), "--horizon", "12", "--out", str(Path(folder) / "out.csv")]
        times = {}
        for command in (["forecast", *common, "--no-save"],
                        ["backtest", *common, "--origins", str(origins)]):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "lstm_core", *command], cwd=root, check=True,
                           capture_output=True, env={**os.environ, "LSTM_STUDIO_HOME": folder})
            times[command[0]] = time.perf_counter() - started
    ratio = times["backtest"] / times["forecast"]
    print(f"CLI, fresh processes: forecast {times['forecast']:.2f} s, backtest --origins "
          f"{origins} {times['backtest']:.2f} s (ratio {ratio:.2f})")


if __name__ == "__main__":
    raise SystemExit(main(*(int(a) for a in sys.argv[1:])))
