"""Resident memory over 20 consecutive trainings in one process (growth must stay below 100 MB).

Run: `.venv/bin/python bench/train_memory.py [repetitions]`.

Each round builds a fresh model, trains it with `lstm_core.trainer.train`, runs a recursive forecast
and calls `keras.backend.clear_session()` as Streamlit does after every script run. Resident memory
is read from /proc/self/statm. Growth is measured from the end of the first round (TensorFlow's
one-time kernel and thread-pool allocations) to the end of the last; the total from before the first
round is printed too.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from lstm_core.config import ModelConfig, TrainConfig, WindowConfig  # noqa: E402
from lstm_core.model import build_model  # noqa: E402
from lstm_core.trainer import recursive_forecast, train  # noqa: E402
from lstm_core.windows import make_windows  # noqa: E402

LIMIT_MB = 100


def resident_mb() -> float:
    """Resident set size of this process in MiB."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def one_round(seed: int) -> None:
    t = np.arange(600)
    series = np.sin(2 * np.pi * t / 24) + 0.1 * np.random.default_rng(seed).normal(size=t.size)
    X, y = make_windows(series, 24, 1)
    cut = int(len(X) * 0.8)
    model = build_model(WindowConfig(24, 1), ModelConfig(32, 2, 0.1), seed)
    config = TrainConfig(epochs=20, batch_size=32, learning_rate=0.003, patience=0, seed=seed)
    result = train(model, X[:cut], y[:cut], X[cut:], y[cut:], config)
    recursive_forecast(result.model, series[-24:], 48)
    keras.backend.clear_session()
    gc.collect()


def main(repetitions: int = 20) -> int:
    start = resident_mb()
    started = time.perf_counter()
    one_round(0)
    after_first = resident_mb()
    print(f"before any training   {start:8.1f} MB")
    print(f"after round 1         {after_first:8.1f} MB")
    for seed in range(1, repetitions):
        one_round(seed)
        if (seed + 1) % 5 == 0:
            print(f"after round {seed + 1:<9} {resident_mb():8.1f} MB")
    end = resident_mb()
    growth = end - after_first
    seconds = time.perf_counter() - started
    print(f"{repetitions} trainings in {seconds:.1f} s; growth after round 1: "
          f"{growth:+.1f} MB (limit {LIMIT_MB} MB); total since start {end - start:+.1f} MB")
    return 0 if growth < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
