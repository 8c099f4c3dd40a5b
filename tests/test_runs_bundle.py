"""Run bundle format: fingerprint, manifest, save/load round trip and refusal of unsafe bundles."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.errors import BundleError
from lstm_core.runs import bundle as bundle_module
from lstm_core.runs import (
    fingerprint,
    load_bundle,
    make_manifest,
    read_bundle,
    save_bundle,
    to_jsonable,
    validate_manifest,
)

# Keras' own TensorFlow backend triggers this NumPy 2 warning when saving; it is not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
REPO = Path(__file__).resolve().parents[1]
FOREIGN = "only .zip files saved by LSTM Forecast Studio can be loaded."
MANIFEST_KEYS = {
    "format", "format_version", "name", "created", "dataset_name", "fingerprint", "points",
    "settings", "health", "history", "best_epoch", "scores", "holdout", "future", "coverage",
    "transform", "versions", "seconds", "extra",
}


def tiny_model(seed: int = 0, horizon: int = 1):
    """A seeded Input((4, 1)) -> LSTM(2) -> Dense(horizon) model."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [keras.Input((4, 1)), keras.layers.LSTM(2), keras.layers.Dense(horizon)]
    )


def lambda_model():
    import keras

    return keras.Sequential(
        [keras.Input((4, 1)), keras.layers.Lambda(lambda x: x * 2.0), keras.layers.Flatten(),
         keras.layers.Dense(1)]
    )


def probe() -> np.ndarray:
    """X: (3, 4, 1) fixed inputs."""
    return np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(3, 4, 1)


def predict(model) -> np.ndarray:
    """(3, horizon) predictions on the fixed probe inputs."""
    import keras

    return keras.ops.convert_to_numpy(model(probe(), training=False))


def sample_series() -> pd.Series:
    index = pd.date_range("2021-01-01", periods=8, freq="MS")
    return pd.Series([1.0, 2.5, 3.0, np.nan, 5.0, 6.0, 7.5, 8.0], index=index, name="sales")


def sample_manifest(name: str = "first run") -> dict:
    series = sample_series()
    holdout = pd.DataFrame(
        {"date": series.index[-2:], "actual": [7.5, 8.0], "forecast": np.array([7.0, 8.25])}
    )
    return make_manifest(
        name=name,
        dataset_name="sales.csv",
        series=series,
        settings={"window": {"input_length": 4, "horizon": 1}, "model": {"units": 2, "layers": 1}},
        health={"rows_read": 8, "warnings": ["one gap"]},
        history={"loss": [np.float32(0.5), 0.25], "val_loss": [0.75, np.float64(np.nan)]},
        best_epoch=np.int64(1),
        scores={"lstm": {"mase": np.float64(0.8)}, "naive": {"mase": 1.0, "smape": np.inf}},
        holdout=holdout,
        future=[{"date": pd.Timestamp("2021-09-01"), "forecast": np.float32(9.0)}],
        coverage=np.float64(0.75),
        seconds=1.25,
        transform={"kind": "standard", "mean": 4.0},
        extra={"seed": 7},
    )


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def keras_bytes(model, tmp_path: Path) -> bytes:
    import keras

    path = tmp_path / "m.keras"
    keras.saving.save_model(model, path)
    return path.read_bytes()


def manifest_bytes(manifest: dict) -> bytes:
    return json.dumps({**manifest, "model_count": 1}).encode()


# -- fingerprint ----------------------------------------------------------------------------


def test_fingerprint_follows_documented_recipe():
    series = sample_series()
    values = series.to_numpy(dtype="float64").astype("<f8")
    digest = hashlib.sha256(b"values\n" + values.tobytes() + b"\nindex\n")
    for stamp in series.index:
        digest.update(stamp.isoformat().encode() + b"\n")
    assert fingerprint(series) == digest.hexdigest()


def test_fingerprint_changes_with_values_and_dates_but_not_with_name():
    series = sample_series()
    base = fingerprint(series)
    changed = series.copy()
    changed.iloc[0] = 1.0000001
    shifted = series.copy()
    shifted.index = shifted.index + pd.offsets.MonthBegin(1)
    assert fingerprint(series.rename("other")) == base
    assert fingerprint(changed) != base
    assert fingerprint(shifted) != base
    assert len(base) == 64


def test_fingerprint_of_row_numbered_series_and_nan_payloads():
    plain = pd.Series([1.0, np.nan, 3.0], index=pd.RangeIndex(3, name="step"))
    odd_nan = np.array([1.0, np.nan, 3.0])
    odd_nan.view("<u8")[1] = 0x7FF8000000000001  # a NaN with another bit pattern
    assert fingerprint(pd.Series(odd_nan, index=pd.RangeIndex(3))) == fingerprint(plain)
    assert fingerprint(pd.Series([1.0, np.nan, 3.0], index=pd.RangeIndex(1, 4))) != fingerprint(
        plain
    )


# -- manifest -------------------------------------------------------------------------------


def test_make_manifest_is_plain_json_with_all_keys():
    manifest = sample_manifest()
    assert set(manifest) == MANIFEST_KEYS
    text = json.dumps(manifest, allow_nan=False)  # raises on NaN/inf or numpy types
    assert json.loads(text) == manifest
    assert manifest["history"] == {"loss": [0.5, 0.25], "val_loss": [0.75, None]}
    assert manifest["best_epoch"] == 1 and type(manifest["best_epoch"]) is int
    assert manifest["scores"]["naive"]["smape"] is None
    assert manifest["holdout"][0] == {"date": "2021-07-01T00:00:00", "actual": 7.5, "forecast": 7.0}
    assert manifest["future"] == [{"date": "2021-09-01T00:00:00", "forecast": 9.0}]
    assert manifest["coverage"] == 0.75
    assert manifest["points"] == 8
    assert manifest["fingerprint"] == fingerprint(sample_series())
    assert manifest["created"].endswith("+00:00")
    assert set(manifest["versions"]) == {"python", "tensorflow", "keras", "numpy", "pandas",
                                         "lstm_core"}


def test_to_jsonable_keeps_a_date_index_and_drops_plain_row_numbers():
    dates = pd.date_range("2024-01-01", periods=2, freq="D")
    by_date = pd.DataFrame({"forecast": [1.0, np.nan]}, index=dates)
    assert to_jsonable(by_date) == [
        {"index": "2024-01-01T00:00:00", "forecast": 1.0},
        {"index": "2024-01-02T00:00:00", "forecast": None},
    ]
    plain = pd.DataFrame({"step": [5, 6], "forecast": [np.float32(2.0), pd.NA]})
    assert to_jsonable(plain) == [{"step": 5, "forecast": 2.0}, {"step": 6, "forecast": None}]
    assert to_jsonable({dates[0]: np.int64(3)}) == {"2024-01-01T00:00:00": 3}


def test_make_manifest_refuses_values_it_cannot_store():
    with pytest.raises(BundleError) as info:
        make_manifest(
            name="x", dataset_name="d", series=sample_series(), settings={}, health={},
            history={}, best_epoch=0, scores={"lstm": {"model": object()}}, holdout=[],
            future=[], coverage=None, seconds=0.0,
        )
    assert str(info.value) == (
        "The run cannot be saved because a manifest cannot hold values of type object; pass plain "
        "values."
    )


def test_validate_manifest_names_missing_and_mistyped_keys():
    manifest = sample_manifest()
    missing = {k: v for k, v in manifest.items() if k != "history"}
    with pytest.raises(BundleError) as info:
        validate_manifest(missing)
    assert str(info.value) == (
        "The run manifest has no 'history' entry; the bundle is damaged or was not saved by "
        "LSTM Forecast Studio."
    )
    with pytest.raises(BundleError) as info:
        validate_manifest({**manifest, "seconds": "fast"})
    assert str(info.value) == (
        "The run manifest entry 'seconds' must be a number; the bundle is damaged or was not saved "
        "by LSTM Forecast Studio."
    )
    with pytest.raises(BundleError) as info:
        validate_manifest({**manifest, "name": "   "})
    assert str(info.value) == "The run name is empty; give the run a name."
    assert validate_manifest(manifest) is manifest


# -- save / load ----------------------------------------------------------------------------


ROUND_TRIP_CHILD = """
import json, sys
import numpy as np
from lstm_core.runs import load_bundle
models, manifest = load_bundle(sys.argv[1])
x = np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(3, 4, 1)
np.save(sys.argv[2], np.stack([m.predict(x, verbose=0) for m in models]))
with open(sys.argv[3], "w") as handle:
    json.dump(manifest, handle)
"""


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"}


def test_round_trip_in_fresh_process_gives_identical_predictions(tmp_path):
    models = [tiny_model(seed=1), tiny_model(seed=2)]
    manifest = sample_manifest()
    path = tmp_path / "run.zip"
    save_bundle(path, models, manifest)
    expected = np.stack([predict(m) for m in models])

    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["manifest.json", "model_0.keras", "model_1.keras"]
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP_CHILD, str(path), str(tmp_path / "p.npy"),
         str(tmp_path / "m.json")],
        env=child_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), expected)
    reloaded = json.loads((tmp_path / "m.json").read_text())
    assert reloaded == {**manifest, "model_count": 2}
    assert not np.allclose(expected[0], expected[1])  # the two models really differ


def test_single_model_is_stored_as_model_keras_and_loads_from_bytes_and_file_object(tmp_path):
    model = tiny_model(seed=3)
    path = tmp_path / "run.zip"
    save_bundle(path, model, sample_manifest())
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["manifest.json", "model.keras"]
    data = path.read_bytes()
    for source in (data, io.BytesIO(data), str(path)):
        models, manifest = load_bundle(source)
        assert len(models) == 1 and manifest["model_count"] == 1
        np.testing.assert_array_equal(
            predict(models[0]), predict(model)
        )


def test_save_bundle_replaces_existing_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "run.zip"
    path.write_bytes(b"old")
    save_bundle(path, tiny_model(), sample_manifest("second"))
    assert read_bundle(path)[0]["name"] == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["run.zip"]


def test_save_bundle_refuses_invalid_manifest_and_no_models(tmp_path):
    with pytest.raises(BundleError) as info:
        save_bundle(tmp_path / "x.zip", tiny_model(), {"format": "something else"})
    assert str(info.value) == (
        "This manifest is not an LSTM Forecast Studio run manifest; " + FOREIGN
    )
    with pytest.raises(BundleError) as info:
        save_bundle(tmp_path / "x.zip", [], sample_manifest())
    assert str(info.value) == (
        "A run bundle holds 1 to 64 Keras models; pass a model or a list."
    )
    assert not (tmp_path / "x.zip").exists()


# -- refusals -------------------------------------------------------------------------------


def refusal(source) -> str:
    with pytest.raises(BundleError) as info:
        load_bundle(source)
    return str(info.value)


def test_refuses_a_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "run.zip"
    path.write_text("date,value\n2020-01-01,1\n")
    expected = "This file is not a run bundle (it is not a zip archive); " + FOREIGN
    assert refusal(path) == expected
    assert refusal(b"PK\x03\x04 truncated") == expected


def test_refuses_a_missing_path(tmp_path):
    missing = tmp_path / "nope.zip"
    assert refusal(missing) == f"No run bundle at {missing}; check the path and try again."


def test_refuses_zip_without_manifest(tmp_path):
    path = write_zip(tmp_path / "run.zip", {"model.keras": keras_bytes(tiny_model(), tmp_path)})
    assert refusal(path) == "This zip has no manifest.json, so it is not a run bundle; " + FOREIGN


def test_refuses_wrong_format_version(tmp_path):
    manifest = {**sample_manifest(), "format_version": 2, "model_count": 1}
    path = write_zip(
        tmp_path / "run.zip",
        {"manifest.json": json.dumps(manifest).encode(),
         "model.keras": keras_bytes(tiny_model(), tmp_path)},
    )
    assert refusal(path) == (
        "This run bundle uses format version 2, but this program reads version 1; open it with "
        "the LSTM Forecast Studio version that saved it."
    )


def test_refuses_manifest_that_is_not_json(tmp_path):
    path = write_zip(tmp_path / "run.zip", {"manifest.json": b"{not json", "model.keras": b""})
    assert refusal(path) == (
        "The manifest.json in this run bundle is not valid JSON; the file is damaged."
    )


def test_refuses_a_pickle_file(tmp_path):
    path = tmp_path / "run.zip"
    save_bundle(path, tiny_model(), sample_manifest())
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("scaler.pkl", b"\x80\x04K\x01.")
    assert refusal(path) == (
        "This run bundle contains a pickle file 'scaler.pkl', which could run code, so it was "
        "refused; " + FOREIGN
    )


def test_refuses_any_unexpected_member(tmp_path):
    path = tmp_path / "run.zip"
    save_bundle(path, tiny_model(), sample_manifest())
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("notes.txt", b"hello")
    assert refusal(path) == (
        "This run bundle contains an unexpected file 'notes.txt', so it was refused; " + FOREIGN
    )


@pytest.mark.parametrize("name", ["../model.keras", "/etc/model.keras", "a/../../x.keras",
                                  "C:model.keras", "..\\model.keras"])
def test_refuses_zip_slip_paths(tmp_path, name):
    path = write_zip(tmp_path / "run.zip", {"manifest.json": b"{}", name: b"x"})
    assert refusal(path) == (
        f"This run bundle contains a file with an unsafe path '{name}', so it was refused; "
        + FOREIGN
    )


def test_refuses_oversized_member_zip_bomb(tmp_path):
    # 40 MB of spaces compresses to a few tens of kB: the declared size must stop it.
    bomb = b"{" + b" " * (40 * 1024 * 1024) + b"}"
    path = write_zip(tmp_path / "run.zip", {"manifest.json": bomb})
    assert path.stat().st_size < 1024 * 1024
    assert refusal(path) == (
        "The file 'manifest.json' in this run bundle is larger than 32 MB, so it was refused; "
        + FOREIGN
    )


def test_refuses_model_count_that_does_not_match_members(tmp_path):
    manifest = {**sample_manifest(), "model_count": 2}
    path = write_zip(
        tmp_path / "run.zip",
        {"manifest.json": json.dumps(manifest).encode(),
         "model.keras": keras_bytes(tiny_model(), tmp_path)},
    )
    assert refusal(path) == (
        "This run bundle should hold model_0.keras, model_1.keras but holds model.keras; the "
        "bundle is damaged."
    )


def test_refuses_lambda_layer(tmp_path):
    path = tmp_path / "run.zip"
    save_bundle(path, lambda_model(), sample_manifest())
    assert refusal(path) == (
        "The model 'model.keras' in this run bundle contains a Lambda layer, which could run "
        "arbitrary code, so it was refused; only models made of standard Keras layers can be "
        "loaded."
    )


def test_keras_safe_mode_refusal_becomes_the_same_plain_message(tmp_path, monkeypatch):
    # Without our own config check, Keras' safe mode must still refuse, and we translate it.
    monkeypatch.setattr(bundle_module, "_check_keras_archive", lambda member, data: None)
    path = tmp_path / "run.zip"
    save_bundle(path, lambda_model(), sample_manifest())
    assert refusal(path) == (
        "The model 'model.keras' in this run bundle contains a Lambda layer, which could run "
        "arbitrary code, so it was refused; only models made of standard Keras layers can be "
        "loaded."
    )


def test_refuses_classes_from_outside_keras(tmp_path):
    original = keras_bytes(tiny_model(), tmp_path)
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(patched, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "config.json":
                data = data.replace(b'"module": "keras.layers", "class_name": "Dense"',
                                    b'"module": "evil.payload", "class_name": "Dense"')
                assert b"evil.payload" in data
            dst.writestr(info, data)
    path = write_zip(
        tmp_path / "run.zip",
        {"manifest.json": manifest_bytes(sample_manifest()), "model.keras": patched.getvalue()},
    )
    assert refusal(path) == (
        "The model 'model.keras' in this run bundle uses code from 'evil.payload', not from Keras, "
        "so it was refused; only models made of standard Keras layers can be loaded."
    )


def test_refuses_damaged_model_file(tmp_path):
    path = write_zip(
        tmp_path / "run.zip",
        {"manifest.json": manifest_bytes(sample_manifest()), "model.keras": b"not a keras file"},
    )
    assert refusal(path) == (
        "The model 'model.keras' in this run bundle is not a valid .keras file; the bundle is "
        "damaged."
    )
