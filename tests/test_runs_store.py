"""Run store: add/list/get/rename/delete/export/import, crash safety and concurrent writers."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.errors import BundleError
from lstm_core.runs import RunStore, default_home, make_manifest, read_bundle, save_bundle
from lstm_core.runs.bundle import bundle_bytes
from lstm_core.runs.store import lstm_mase, settings_summary

# Keras' own TensorFlow backend triggers this NumPy 2 warning when saving; it is not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
REPO = Path(__file__).resolve().parents[1]
SETTINGS = {
    "window": {"input_length": 4, "horizon": 1},
    "model": {"units": 2, "layers": 1, "dropout": 0.0},
    "train": {"epochs": 5, "seed": 3},
    "ensemble": 1,
}


def tiny_model(seed: int = 0):
    """A seeded Input((4, 1)) -> LSTM(2) -> Dense(1) model."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((4, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])


def predict(model) -> np.ndarray:
    """(3, 1) predictions on fixed inputs X: (3, 4, 1)."""
    import keras

    x = np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(3, 4, 1)
    return keras.ops.convert_to_numpy(model(x, training=False))


def manifest(name: str = "run", mase: float = 0.9) -> dict:
    series = pd.Series(np.arange(8.0), index=pd.date_range("2022-01-01", periods=8, freq="D"))
    return make_manifest(
        name=name, dataset_name="daily.csv", series=series, settings=SETTINGS,
        health={"rows_read": 8}, history={"loss": [1.0, 0.5]}, best_epoch=1,
        scores={"LSTM": {"MASE": mase}, "naive": {"MASE": 1.0}}, holdout=[], future=[],
        coverage=0.8, seconds=2.5,
    )


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"}


def bundle_files(store: RunStore) -> list[str]:
    return sorted(path.name for path in store.bundles.iterdir())


@pytest.fixture
def store(tmp_path) -> RunStore:
    return RunStore(tmp_path / "home")


# -- basic operations -----------------------------------------------------------------------


def test_add_list_get_manifest(store):
    model = tiny_model(1)
    first = store.add(model, manifest("first", mase=0.7))
    second = store.add([tiny_model(2), tiny_model(3)], manifest("second"))
    runs = store.list()
    assert [run.id for run in runs] == [second, first]  # most recently added first
    info = runs[1]
    assert (info.name, info.dataset, info.mase, info.seconds, info.models) == (
        "first", "daily.csv", 0.7, 2.5, 1
    )
    assert info.settings == "window 4, horizon 1, 2 units x 1 layer, 5 epochs"
    assert runs[0].models == 2
    models, loaded = store.get(first)
    np.testing.assert_array_equal(predict(models[0]), predict(model))
    assert loaded == {**manifest("first", mase=0.7), "created": loaded["created"],
                      "model_count": 1}
    assert store.manifest(first) == loaded
    assert bundle_files(store) == sorted([f"{first}.zip", f"{second}.zip"])


def test_rename_changes_list_manifest_and_export(store, tmp_path):
    run_id = store.add(tiny_model(), manifest("old name"))
    store.rename(run_id, "  new name ")
    assert store.list()[0].name == "new name"
    assert store.manifest(run_id)["name"] == "new name"
    assert store.get(run_id)[1]["name"] == "new name"
    store.export(run_id, tmp_path / "out.zip")
    assert read_bundle(tmp_path / "out.zip")[0]["name"] == "new name"
    with pytest.raises(BundleError) as info:
        store.rename(run_id, "  ")
    assert str(info.value) == "The run name is empty; give the run a name."


def test_delete_removes_row_and_file(store):
    keep = store.add(tiny_model(), manifest("keep"))
    gone = store.add(tiny_model(), manifest("gone"))
    store.delete(gone)
    assert [run.id for run in store.list()] == [keep]
    assert bundle_files(store) == [f"{keep}.zip"]
    with pytest.raises(BundleError) as info:
        store.get(gone)
    assert str(info.value) == (
        f"No saved run has the id '{gone}'; list the saved runs to see their ids."
    )


def test_unknown_ambiguous_and_prefix_ids(store):
    first = store.add(tiny_model(), manifest("a"))
    second = store.add(tiny_model(), manifest("b"))
    assert store.manifest(first[:-2])["name"] == "a"
    for call in (store.manifest, store.delete, lambda i: store.rename(i, "x"), store.get):
        with pytest.raises(BundleError) as info:
            call("nope")
        assert str(info.value) == (
            "No saved run has the id 'nope'; list the saved runs to see their ids."
        )
    common = os.path.commonprefix([first, second])
    with pytest.raises(BundleError) as info:
        store.manifest(common)
    assert str(info.value) == (
        f"More than one saved run has an id starting with '{common}'; give more of the id."
    )
    with pytest.raises(BundleError):  # too short to be taken as a prefix
        store.manifest(first[:3])


def test_missing_bundle_file_is_reported(store):
    run_id = store.add(tiny_model(), manifest())
    (store.bundles / f"{run_id}.zip").unlink()
    with pytest.raises(BundleError) as info:
        store.get(run_id)
    assert str(info.value) == (
        f"The bundle file of run '{run_id}' is missing from {store.bundles}; delete the run."
    )


def test_export_then_import_into_another_store(store, tmp_path):
    model = tiny_model(5)
    run_id = store.add(model, manifest("shared"))
    store.export(run_id, tmp_path / "shared.zip")
    other = RunStore(tmp_path / "other")
    new_id = other.import_bundle((tmp_path / "shared.zip").read_bytes())
    models, loaded = other.get(new_id)
    np.testing.assert_array_equal(predict(models[0]), predict(model))
    assert loaded == store.manifest(run_id)
    renamed = other.import_bundle(tmp_path / "shared.zip", name="copy")
    assert other.manifest(renamed)["name"] == "copy"
    assert [run.name for run in other.list()] == ["copy", "shared"]


def test_import_refuses_unsafe_bundle_and_stores_nothing(store, tmp_path):
    import keras

    lam = keras.Sequential([keras.Input((4, 1)), keras.layers.Lambda(lambda x: x + 1.0),
                            keras.layers.Flatten(), keras.layers.Dense(1)])
    save_bundle(tmp_path / "lambda.zip", lam, manifest())
    with pytest.raises(BundleError) as info:
        store.import_bundle(tmp_path / "lambda.zip")
    assert str(info.value) == (
        "The model 'model.keras' in this run bundle contains a Lambda layer, which could run "
        "arbitrary code, so it was refused; only models made of standard Keras layers can be "
        "loaded."
    )
    with pytest.raises(BundleError) as info:
        store.import_bundle(b"not a zip")
    assert str(info.value) == (
        "This file is not a run bundle (it is not a zip archive); only .zip files saved by LSTM "
        "Forecast Studio can be loaded."
    )
    assert store.list() == []
    assert bundle_files(store) == []


def test_home_from_environment_and_platform_default(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path / "env-home"))
    assert RunStore().home == tmp_path / "env-home"
    assert (tmp_path / "env-home" / "runs.sqlite3").is_file()
    monkeypatch.delenv("LSTM_STUDIO_HOME")
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
        assert default_home() == tmp_path / "xdg" / "lstm-forecast-studio"


def test_store_uses_wal_mode(store):
    import sqlite3

    conn = sqlite3.connect(store.db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_summary_helpers_tolerate_other_shapes():
    assert settings_summary({}) == ""
    assert settings_summary({"input_length": 8, "units": 16, "layers": 2, "ensemble": 3}) == (
        "window 8, 16 units x 2 layers, ensemble of 3"
    )
    assert lstm_mase({"lstm": {"mase": 0.5}}) == 0.5
    assert lstm_mase({"mase": 1.5}) == 1.5
    assert lstm_mase({"lstm": {"mase": None}}) is None
    assert lstm_mase({"naive": {"mase": 1.0}}) is None


LIGHT_CHILD = """
import sys
from lstm_core.runs import RunStore
store = RunStore(sys.argv[1])
run_id = store.list()[0].id
store.manifest(run_id)
store.export(run_id, sys.argv[2])
store.rename(run_id, "renamed")
assert "keras" not in sys.modules and "tensorflow" not in sys.modules, "Keras was imported"
"""


def test_listing_and_export_do_not_import_keras(store, tmp_path):
    store.add(tiny_model(), manifest())
    result = subprocess.run(
        [sys.executable, "-c", LIGHT_CHILD, str(store.home), str(tmp_path / "e.zip")],
        env=child_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert zipfile.is_zipfile(tmp_path / "e.zip")


# -- crash safety ---------------------------------------------------------------------------

# The crash children store ready-made bundle bytes through `RunStore._store`, the code path that
# touches the disk, so they need not import TensorFlow (serialising a model happens before it).
CRASH_CHILD = """
import contextlib, json, os, sys
from pathlib import Path
from lstm_core.runs import RunStore

home, bundle, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
data = bundle.read_bytes()
manifest = json.loads(sys.argv[4])

if mode == "before-rename":      # temp file written and synced, not yet renamed into place
    os.replace = lambda *args, **kwargs: os._exit(9)
elif mode == "before-insert":    # bundle in place, row not yet written
    RunStore._insert = lambda self, run_id, manifest: os._exit(9)
elif mode == "before-commit":    # row inserted inside the transaction, never committed
    @contextlib.contextmanager
    def dying(self):
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            os._exit(9)
    RunStore._transaction = dying

store = RunStore(home)
if mode == "loop":
    while True:
        print(store._store(data, manifest), flush=True)
store._store(data, manifest)
"""


@pytest.fixture
def crash_setup(tmp_path):
    """A store with two saved runs, plus one ready-made bundle for the child to store."""
    store = RunStore(tmp_path / "home")
    models = {store.add(tiny_model(seed), manifest(f"earlier {seed}")): tiny_model(seed)
              for seed in (1, 2)}
    data = bundle_bytes(tiny_model(9), manifest("child"))
    (tmp_path / "child.zip").write_bytes(data)
    return store, models, tmp_path / "child.zip", read_bundle(data)[0]


def check_intact(home: Path, expected: dict) -> RunStore:
    """Reopen the store and check the earlier runs are listed and load with the same weights."""
    reopened = RunStore(home)
    listed = {run.id for run in reopened.list()}
    assert set(expected) <= listed
    for run_id, model in expected.items():
        models, _ = reopened.get(run_id)
        np.testing.assert_array_equal(predict(models[0]), predict(model))
    return reopened


@pytest.mark.parametrize("mode", ["before-rename", "before-insert", "before-commit"])
def test_crash_while_saving_leaves_no_half_entry(crash_setup, mode):
    store, earlier, bundle, child_manifest = crash_setup
    result = subprocess.run(
        [sys.executable, "-c", CRASH_CHILD, str(store.home), str(bundle), mode,
         json.dumps(child_manifest)],
        env=child_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 9, result.stderr
    reopened = check_intact(store.home, earlier)
    assert {run.id for run in reopened.list()} == set(earlier)
    leftovers = set(bundle_files(reopened)) - {f"{run_id}.zip" for run_id in earlier}
    # The dead writer's temp file is removed on open; a complete but unlisted bundle is kept
    # for an hour (its writer might still be alive) and removed by a later clean-up.
    assert not any(name.startswith(".tmp-") for name in leftovers)
    assert len(leftovers) == (0 if mode == "before-rename" else 1)
    reopened._clean_orphans(max_age=0)
    assert bundle_files(reopened) == sorted(f"{run_id}.zip" for run_id in earlier)


def test_sigkill_at_random_moments_keeps_store_consistent(crash_setup):
    store, earlier, bundle, child_manifest = crash_setup
    rng = random.Random(1234)
    saved: list[str] = []
    for _ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", CRASH_CHILD, str(store.home), str(bundle), "loop",
             json.dumps(child_manifest)],
            env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        first = [child.stdout.readline().strip() for _ in range(5)]
        assert all(first), "the writer stopped before saving five runs"
        time.sleep(rng.uniform(0.0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        # Ids the writer reported after the first five, still in the pipe; each id is 24 chars.
        rest = [line.strip() for line in child.stdout.read().splitlines()]
        child.stdout.close()
        saved += first + [run_id for run_id in rest if len(run_id) == 24]
        reopened = RunStore(store.home)
        listed = [run.id for run in reopened.list()]
        # Every run the writer reported is there; at most one more was committed before the kill.
        assert set(saved) | set(earlier) <= set(listed)
        assert len(listed) - len(saved) - len(earlier) in (0, 1)
        saved = [run_id for run_id in listed if run_id not in earlier]
    reopened = check_intact(store.home, earlier)
    for run_id in saved:
        models, loaded = reopened.get(run_id)
        assert loaded["name"] == "child" and len(models) == 1
    assert not any(name.startswith(".tmp-") for name in bundle_files(reopened))


# -- concurrency ----------------------------------------------------------------------------

WRITER_CHILD = """
import sys
import numpy as np
import pandas as pd
import keras
from lstm_core.runs import RunStore, make_manifest

home, seed, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
keras.utils.set_random_seed(seed)
model = keras.Sequential([keras.Input((4, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
x = np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(3, 4, 1)
np.save(out, keras.ops.convert_to_numpy(model(x, training=False)))
series = pd.Series(np.arange(8.0) * seed)
store = RunStore(home)
print("ready", flush=True)
sys.stdin.readline()
for i in range(count):
    manifest = make_manifest(
        name=f"writer {seed} run {i}", dataset_name=f"data {seed}", series=series, settings={},
        health={}, history={}, best_epoch=None, scores={}, holdout=[], future=[],
        coverage=None, seconds=float(i),
    )
    store.add(model, manifest)
print("done", flush=True)
"""


def test_two_processes_saving_twenty_runs_each(tmp_path, record_property):
    home, count = tmp_path / "home", 20
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_CHILD, str(home), str(seed), str(count),
             str(tmp_path / f"expected{seed}.npy")],
            env=child_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        for seed in (1, 2)
    ]
    for writer in writers:
        line = writer.stdout.readline().strip()
        assert line == "ready", writer.stderr.read()
    start = time.perf_counter()
    for writer in writers:  # release both at once
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0 and out.strip() == "done", err
    write_seconds = time.perf_counter() - start

    store = RunStore(home)
    runs = store.list()
    assert len(runs) == 2 * count and len({run.id for run in runs}) == 2 * count
    assert {run.name for run in runs} == {
        f"writer {seed} run {i}" for seed in (1, 2) for i in range(count)
    }
    expected = {seed: np.load(tmp_path / f"expected{seed}.npy") for seed in (1, 2)}
    start = time.perf_counter()
    for run in runs:
        models, loaded = store.get(run.id)
        seed = int(loaded["name"].split()[1])
        np.testing.assert_array_equal(predict(models[0]), expected[seed])
    load_seconds = time.perf_counter() - start
    assert not np.array_equal(expected[1], expected[2])
    assert sorted(bundle_files(store)) == sorted(f"{run.id}.zip" for run in runs)
    record_property("write_seconds", round(write_seconds, 2))
    record_property("load_seconds", round(load_seconds, 2))
    print(f"\nconcurrency: 2x{count} saves in {write_seconds:.2f} s, "
          f"{2 * count} loads in {load_seconds:.2f} s")
