"""`python -m lstm_core runs ...` end to end, in subprocesses with LSTM_STUDIO_HOME set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.runs import RunStore, make_manifest, read_bundle

# Keras' own TensorFlow backend triggers this NumPy 2 warning when saving; it is not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
REPO = Path(__file__).resolve().parents[1]


def tiny_model(seed: int = 0):
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((4, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])


def manifest(name: str) -> dict:
    series = pd.Series(np.arange(6.0), index=pd.date_range("2023-01-01", periods=6, freq="W"))
    return make_manifest(
        name=name, dataset_name="weekly.csv", series=series,
        settings={"window": {"input_length": 4, "horizon": 1}}, health={},
        history={"loss": [0.5]}, best_epoch=0, scores={"lstm": {"mase": 0.812}}, holdout=[],
        future=[], coverage=None, seconds=3.0,
    )


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "studio"


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    fake_user = home.parent / "user"  # keeps the real per-user folder out of reach
    env = {**os.environ, "LSTM_STUDIO_HOME": str(home), "HOME": str(fake_user),
           "XDG_DATA_HOME": str(fake_user / "data"), "PYTHONPATH": str(REPO),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", "lstm_core", "runs", *args],
        env=env, capture_output=True, text=True, timeout=300, cwd=home.parent,
    )


def test_list_empty_store(home):
    result = cli(home, "list")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"No saved runs in {home}.\n"
    assert (home / "runs.sqlite3").is_file()
    assert not (home.parent / "user").exists()


def test_list_table_and_json(home):
    store = RunStore(home)
    first = store.add(tiny_model(), manifest("baseline run"))
    second = store.add(tiny_model(), manifest("second"))
    table = cli(home, "list")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "DATASET", "CREATED", "MASE", "SECONDS", "SETTINGS"]
    assert [line.split()[0] for line in lines[1:]] == [second, first]
    assert "baseline run" in lines[2] and "0.812" in lines[2] and "window 4, horizon 1" in lines[2]
    as_json = cli(home, "list", "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [run.to_dict() for run in store.list()]


def test_show_prints_manifest(home):
    store = RunStore(home)
    run_id = store.add(tiny_model(), manifest("shown"))
    result = cli(home, "show", run_id)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == store.manifest(run_id)


def test_rename_and_delete(home):
    store = RunStore(home)
    run_id = store.add(tiny_model(), manifest("before"))
    renamed = cli(home, "rename", run_id, "after")
    assert renamed.returncode == 0, renamed.stderr
    assert renamed.stdout == f"Renamed run {run_id} to 'after'.\n"
    assert store.manifest(run_id)["name"] == "after"
    deleted = cli(home, "delete", run_id)
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout == f"Deleted run {run_id}.\n"
    assert store.list() == []


def test_export_and_import(home, tmp_path):
    store = RunStore(home)
    run_id = store.add(tiny_model(4), manifest("exported"))
    out = tmp_path / "out.zip"
    exported = cli(home, "export", run_id, str(out))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == f"Exported run {run_id} to {out}.\n"
    assert read_bundle(out)[0] == store.manifest(run_id)
    imported = cli(home, "import", str(out), "--name", "imported copy")
    assert imported.returncode == 0, imported.stderr
    new_id = imported.stdout.strip()
    assert [run.id for run in store.list()] == [new_id, run_id]
    assert store.manifest(new_id)["name"] == "imported copy"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "nope"), "No saved run has the id 'nope'; list the saved runs to see their ids."),
        (("delete", "nope"),
         "No saved run has the id 'nope'; list the saved runs to see their ids."),
        (("rename", "nope", "x"),
         "No saved run has the id 'nope'; list the saved runs to see their ids."),
        (("export", "nope", "x.zip"),
         "No saved run has the id 'nope'; list the saved runs to see their ids."),
        (("import", "missing.zip"),
         "No run bundle at missing.zip; check the path and try again."),
        (("import", "data.csv"),
         "This file is not a run bundle (it is not a zip archive); only .zip files saved by "
         "LSTM Forecast Studio can be loaded."),
    ],
)
def test_user_errors_print_one_line_and_exit_2(home, args, message):
    home.mkdir()
    (home.parent / "data.csv").write_text("date,value\n2020-01-01,1\n")
    result = cli(home, *args)
    assert result.returncode == 2
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""


def test_missing_action_is_a_usage_error(home):
    result = cli(home)
    assert result.returncode == 2
    assert "ACTION" in result.stderr
