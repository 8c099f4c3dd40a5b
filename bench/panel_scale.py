"""Time and peak memory of the global LSTM on 100, 300 and 1,000 series of 200 points; bench (b).

Run: `.venv/bin/python bench/panel_scale.py [sizes...]` (default 100 300 1000; about 15 minutes on
2 cores). Each size runs in a fresh process, as the CLI's `forecast` does with a long file: the
file (`series, month, value` rows) is read with `load_panel`, then `run_panel(panel.series,
panel_default_settings(panel))` in "global" mode, the per-series preparation (plan, recipe,
windows, holdout baselines) in worker processes (one per core, started inside the timed call),
then one training and per-series scoring. Loading is timed with the rest. Printed per size: wall
seconds, how much of it each phase took, training epochs and windows, and the peak resident memory
of the main process and of the largest worker (`ru_maxrss`). Goal: 100 series within 60 s on 2
cores.

Results (2 cores, quiet machine, 2026-11-28; default settings: window 24, horizon 12, LSTM(32)):

     series  seconds  load  prepare  train  score  epochs  windows  main MB  worker MB
        100     28.6   0.2     18.9    8.6    1.0      28   11,500      710        691
        300     64.3   0.4     47.0   13.9    3.1      35   19,800      765        679
      1,000    180.3   1.3    144.5   25.1    9.4      64   20,000      817        696
    bench (b) in the same run: 3.6x.

100 series take 29 s (goal 60 s). Preparation dominates: about 0.3 s of CPU per series, most of
it the ETS baseline of the holdout and the exponential-smoothing fit of the recipe; training is
bounded because an epoch sees at most 20,000 windows (`MAX_PANEL_WINDOWS`). Memory grows by about
0.1 MB per series in the main process (windows and per-series results); workers stay flat.

The series are synthetic monthly series (200 points, levels from 1 to 10,000, trend, a yearly
season of varying strength, noise), so the bench needs no download. Then bench (b) of
`bench/train_speed.py` (trainer throughput against `model.fit`) is printed, as issue 12 asks.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def synthetic_panel(count: int, points: int = 200, seed: int = 0) -> dict:
    """`count` monthly series of `points` values with varied level, trend, season and noise."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    index = pd.date_range("2000-01-01", periods=points, freq="MS")
    t = np.arange(points)
    out = {}
    for i in range(count):
        level = 10 ** rng.uniform(0, 4)
        trend = rng.normal(0, 0.003) * level * t
        season = rng.uniform(0, 0.3) * level * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6))
        noise = rng.normal(0, rng.uniform(0.02, 0.15) * level, points)
        out[f"series {i:04d}"] = pd.Series(level + trend + season + noise, index=index)
    return out


def long_csv(series: dict) -> bytes:
    """The panel as the long file an analyst would upload."""
    import pandas as pd

    frame = pd.concat([pd.DataFrame({"series": key, "month": one.index.strftime("%Y-%m-%d"),
                                     "value": one.to_numpy()}) for key, one in series.items()])
    return frame.to_csv(index=False).encode()


def child(count: int) -> None:
    from lstm_core.data import load_panel
    from lstm_core.executor import default_executor
    from lstm_core.panel import CHUNK, panel_default_settings, prepare_in_workers, run_panel

    data = long_csv(synthetic_panel(count))
    phases: dict[str, float] = {}
    epochs: list[int] = []
    started = time.perf_counter()
    panel = load_panel(data, "panel.csv")
    phases["load"] = time.perf_counter() - started
    series, settings = panel.series, panel_default_settings(panel)

    def progress(event: dict) -> None:
        phases.setdefault(f"{event['phase']}_start", time.perf_counter() - started)
        phases[f"{event['phase']}_end"] = time.perf_counter() - started

    executor = default_executor(-(-count // CHUNK)) if prepare_in_workers(count) else None
    result = run_panel(series, settings, executor=executor, on_progress=progress,
                       on_epoch=lambda epoch, _logs: epochs.append(epoch))
    seconds = time.perf_counter() - started
    if executor is not None:
        getattr(executor, "close", lambda: None)()
    print(json.dumps({
        "series": count, "seconds": seconds, "forecast": len(result.results),
        "load": phases["load"], "prepare": phases.get("prepare_end", 0.0) - phases["load"],
        "train": phases.get("score_start", seconds) - phases.get("prepare_end", phases["load"]),
        "score": seconds - phases.get("score_start", seconds),
        "epochs": len(epochs), "windows": result.windows,
        "rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "mean_mase": result.aggregate()["models"]["lstm"]["mean_mase"],
        "ets_mean_mase": result.aggregate()["models"]["ets"]["mean_mase"],
    }))


def main(sizes: list[int]) -> None:
    print(f"{'series':>7} {'seconds':>8} {'load':>6} {'prepare':>8} {'train':>7} {'score':>7} "
          f"{'epochs':>7} {'windows':>8} {'main MB':>8} {'worker MB':>9} {'LSTM MASE':>9} "
          f"{'ETS MASE':>8}")
    for count in sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(count)], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{row['series']:>7} {row['seconds']:>8.1f} {row['load']:>6.1f} "
              f"{row['prepare']:>8.1f} "
              f"{row['train']:>7.1f} {row['score']:>7.1f} {row['epochs']:>7} "
              f"{row['windows']:>8} {row['rss_main_mb']:>8.0f} {row['rss_worker_mb']:>9.0f} "
              f"{row['mean_mase']:>9.3f} {row['ets_mean_mase']:>8.3f}", flush=True)
    print()
    sys.path.insert(0, str(ROOT / "bench"))
    from train_speed import bench_throughput

    bench_throughput()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
    else:
        main([int(a) for a in sys.argv[1:]] or [100, 300, 1000])
