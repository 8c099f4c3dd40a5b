"""The same backtest and search on local worker processes and on a local Ray, side by side.

Run: `.venv/bin/python bench/engine_speed.py [origins] [trials]` (default 4 origins, 6 trials).

On the airline sample (monthly, 144 points, default settings) this prints, for `LocalExecutor(2)`
and for `RayExecutor(workers=2)` on a local Ray of 2 CPUs:
- the time Ray takes to start (`ray.init`, as `RayExecutor` calls it when no Ray runs yet);
- the backtest over `origins` cut-offs, cold (the workers start and import TensorFlow inside the
  timed call) and warm (the same backtest again on the same workers), and Ray's time over the
  local processes' (ratio);
- resident memory of every process the engine started (`/proc`, after the warm backtest);
- the settings search (`lstm_core.search.search`, budget 30 s, a fixed number of trials) on warm
  workers, and its ratio;
- whether both engines gave exactly the same numbers (they must).

Measured on this machine (2 cores, TF 2.21 CPU, Ray 2.60.0, 4 origins, 6 trials), after the
local workers' OpenMP pool was capped at their core share (before: local warm backtest 1.99 s,
search 6.96 s):

    engine  backtest cold  backtest warm  search (6 trials)  memory
    local          5.29 s         1.40 s             5.96 s    1.4 GB (3 processes)
    ray            6.26 s         1.29 s             7.13 s    2.1 GB (11 processes)
    ratio ray/local: backtest cold 1.18, warm 0.93, search 1.20; Ray start 3.03 s
    same numbers: backtest yes, search yes (6 and 6 trials)

Ray costs its start (2.4-4 s, once per process) and ~0.7 GB more memory (GCS, raylet, agents,
the channel actor); on one machine it is no faster than the local processes. Its real gain is more
machines (`ray start --head`, then `RAY_ADDRESS`).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

from lstm_core.backtest import backtest  # noqa: E402
from lstm_core.data import load_dataset  # noqa: E402
from lstm_core.executor import LocalExecutor, RayExecutor  # noqa: E402
from lstm_core.plan import default_settings  # noqa: E402
from lstm_core.samples import sample_bytes  # noqa: E402

WORKERS = 2
BUDGET = 30.0


def _descendants_rss() -> tuple[float, int]:
    """Resident MB and count of every live process this one started (children's children too)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    family, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - family
        family |= frontier
    total = 0.0
    for pid in family:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total, len(family)


def _run(executor, series, settings, origins: int, trials: int) -> dict:
    started = time.perf_counter()
    cold = backtest(series, settings, origins=origins, executor=executor)
    out = {"cold": time.perf_counter() - started, "result": cold}
    started = time.perf_counter()
    backtest(series, settings, origins=origins, executor=executor)
    out["warm"] = time.perf_counter() - started
    out["memory"] = _descendants_rss()
    try:
        from lstm_core.search import search
    except ImportError:
        return out
    started = time.perf_counter()
    out["search"] = search(series, settings, budget=BUDGET, trials=trials, seed=0,
                           executor=executor)
    out["search_seconds"] = time.perf_counter() - started
    return out


def _same_backtest(a, b) -> bool:
    try:
        pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
        pd.testing.assert_frame_equal(a.scores, b.scores, check_exact=True)
    except AssertionError:
        return False
    return a.summary == b.summary


def _signature(result) -> list[tuple]:
    return [(t.number, t.state, t.params, t.score) for t in result.trials]


def main(origins: int = 4, trials: int = 6) -> int:
    import ray

    dataset = load_dataset(sample_bytes("airline"), "airline.csv")
    series = dataset.series
    settings = default_settings(len(series), dataset.report.season_length)
    print(f"{os.cpu_count()} cores, airline n={len(series)}, {origins} origins, {trials} trials, "
          f"{WORKERS} workers")

    local_executor = LocalExecutor(WORKERS, keep_alive=600)
    local = _run(local_executor, series, settings, origins, trials)
    local_executor.close()

    started = time.perf_counter()
    ray.init(address="local", num_cpus=WORKERS, include_dashboard=False,
             logging_level=logging.ERROR, log_to_driver=False)
    ray_start = time.perf_counter() - started
    ray_executor = RayExecutor(workers=WORKERS)
    on_ray = _run(ray_executor, series, settings, origins, trials)
    ray_executor.close()
    ray.shutdown()

    searched = "search" in local
    print(f"{'engine':6s}  backtest cold  backtest warm"
          + (f"  search ({trials} trials)" if searched else "") + "  memory")
    for name, run in (("local", local), ("ray", on_ray)):
        mb, count = run["memory"]
        print(f"{name:6s}  {run['cold']:11.2f} s  {run['warm']:11.2f} s"
              + (f"  {run['search_seconds']:15.2f} s" if searched else "")
              + f"  {mb / 1024:5.1f} GB ({count} processes)")
    ratios = (f"backtest cold {on_ray['cold'] / local['cold']:.2f}, "
              f"warm {on_ray['warm'] / local['warm']:.2f}")
    if searched:
        ratios += f", search {on_ray['search_seconds'] / local['search_seconds']:.2f}"
    print(f"ratio ray/local: {ratios}; Ray start {ray_start:.2f} s")
    same = f"backtest {'yes' if _same_backtest(local['result'], on_ray['result']) else 'NO'}"
    if searched:
        equal = _signature(local["search"]) == _signature(on_ray["search"])
        same += (f", search {'yes' if equal else 'NO'} ({len(local['search'].trials)} and "
                 f"{len(on_ray['search'].trials)} trials)")
    else:
        same += "; no search (lstm_core.search is missing)"
    print(f"same numbers: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*(int(a) for a in sys.argv[1:])))
