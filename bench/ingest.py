"""Ingest benchmark: `load_dataset` against plain `pandas.read_csv` on the same 1,000,000-row CSV.

Run: `.venv/bin/python bench/ingest.py [--rows N]`. Prints both times and their ratio (goal: ≤ 3×).
Each reader runs a few times and the best time counts, so a busy machine distorts less.
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


def best_of(repeats: int, func) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ingest.csv"
        write_csv(path, args.rows)
        data = path.read_bytes()
        dataset = load_dataset(data, path.name)  # warm-up and sanity check
        assert len(dataset.series) == args.rows and dataset.report.frequency == "min"
        ours = best_of(args.repeats, lambda: load_dataset(data, path.name))
        plain = best_of(args.repeats, lambda: pd.read_csv(io.BytesIO(data)))
    ratio = ours / plain
    print(f"rows: {args.rows:,}  file: {len(data) / 1e6:.1f} MB")
    print(f"load_dataset:     {ours:.3f} s")
    print(f"pandas.read_csv:  {plain:.3f} s")
    verdict = "OK" if ratio <= GOAL else "SLOW"
    print(f"ratio:            {ratio:.2f}x (goal <= {GOAL:.0f}x) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
