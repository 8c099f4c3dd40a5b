"""Ingest benchmark: `load_dataset` against plain `pandas.read_csv` on the same 1,000,000-row CSV.

Run: `.venv/bin/python bench/ingest.py [--rows N]`. Prints both times and their ratio (goal: ≤ 3×).
Runs are interleaved and the best of each counts, so a busy machine distorts less; CPU time is
printed too because wall time on a shared machine swings with other work.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.data import load_dataset  # noqa: E402

GOAL = 3.0


def write_csv(path: Path, rows: int) -> None:
    """A date,value CSV: minutely timestamps and a noisy daily wave, like a sensor export."""
    rng = np.random.default_rng(0)
    stamps = pd.date_range("2020-01-01", periods=rows, freq="min")
    wave = 10 + np.sin(np.arange(rows) * 2 * np.pi / 1440) + rng.normal(0, 0.1, rows)
    frame = pd.DataFrame({"date": stamps.strftime("%Y-%m-%d %H:%M:%S"), "value": wave.round(4)})
    frame.to_csv(path, index=False)


def best_times(repeats: int, funcs: dict) -> dict[str, tuple[float, float]]:
    """Best wall and CPU seconds of each function, runs interleaved so load hits all alike."""
    best = {name: (float("inf"), float("inf")) for name in funcs}
    for _ in range(repeats):
        for name, func in funcs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            func()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ingest.csv"
        write_csv(path, args.rows)
        data = path.read_bytes()
        dataset = load_dataset(data, path.name)  # warm-up and sanity check
        assert len(dataset.series) == args.rows and dataset.report.frequency == "min"
        times = best_times(args.repeats, {
            "load_dataset": lambda: load_dataset(data, path.name),
            "pandas.read_csv": lambda: pd.read_csv(io.BytesIO(data)),
        })
    (ours, ours_cpu), (plain, plain_cpu) = times["load_dataset"], times["pandas.read_csv"]
    ratio = ours / plain
    print(f"rows: {args.rows:,}  file: {len(data) / 1e6:.1f} MB  (best of {args.repeats})")
    print(f"load_dataset:     {ours:.3f} s wall   {ours_cpu:.3f} s CPU")
    print(f"pandas.read_csv:  {plain:.3f} s wall   {plain_cpu:.3f} s CPU")
    print(f"CPU ratio:        {ours_cpu / plain_cpu:.2f}x")
    verdict = "OK" if ratio <= GOAL else "SLOW"
    print(f"ratio:            {ratio:.2f}x wall (goal <= {GOAL:.0f}x) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
