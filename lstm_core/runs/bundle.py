"""Run bundles: one `.zip` holding the trained model(s) as Keras `.keras` files and a JSON manifest.

A bundle holds exactly these members and nothing else:

- `manifest.json`: what the run was (data fingerprint, settings, scores, forecasts, versions, ...).
- `model.keras` for a single model, or `model_0.keras`, `model_1.keras`, ... for an ensemble.

Bundles may come from anyone (an upload, an e-mail), so loading treats them as untrusted: models
load with `keras.saving.load_model(..., safe_mode=True)`, never through pickle, and anything
unexpected (a foreign member, a path outside the archive, an oversized member, a `Lambda` layer, a
non-Keras class) is refused with a `BundleError` whose message says what to do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lstm_core import __version__
from lstm_core.errors import BundleError
from lstm_core.jsonable import iso_label, to_jsonable

if TYPE_CHECKING:
    import keras

FORMAT = "lstm-forecast-studio-run"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
# Caps against zip bombs. The largest model the dashboard allows is a few MB; these leave room.
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_MODEL_BYTES = 256 * 1024 * 1024
MAX_MODELS = 64
_MODEL_NAME = re.compile(r"model(?:_(\d+))?\.keras")
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".npy", ".npz", ".pt", ".pth", ".dill")
_FOREIGN = "only .zip files saved by LSTM Forecast Studio can be loaded."

# key -> (allowed JSON types, description used in messages)
_REQUIRED: dict[str, tuple[tuple[type, ...], str]] = {
    "format": ((str,), "a text"),
    "format_version": ((int,), "a whole number"),
    "name": ((str,), "a text"),
    "created": ((str,), "an ISO date-time text"),
    "dataset_name": ((str,), "a text"),
    "fingerprint": ((str,), "a SHA-256 hex text"),
    "points": ((int,), "a whole number"),
    "settings": ((dict,), "an object"),
    "health": ((dict,), "an object"),
    "history": ((dict,), "an object of lists"),
    "best_epoch": ((int, type(None)), "a whole number or null"),
    "scores": ((dict,), "an object"),
    "holdout": ((list,), "a list of records"),
    "future": ((list,), "a list of records"),
    "coverage": ((int, float, dict, type(None)), "a number, an object or null"),
    "transform": ((dict,), "an object"),
    "versions": ((dict,), "an object"),
    "seconds": ((int, float), "a number"),
    "extra": ((dict,), "an object"),
}


def fingerprint(series: pd.Series) -> str:
    """Return the SHA-256 fingerprint of a cleaned series.

    The hash covers the values as float64 little-endian bytes followed by the index written as ISO
    text (one label per line), so the same data gives the same fingerprint on every machine, and a
    changed value or a shifted date changes it. Every NaN hashes the same whatever its bit pattern.

    Args:
        series: the cleaned series, shape (n,), indexed by a `DatetimeIndex` or row numbers.

    Returns:
        64 lowercase hex characters.
    """
    values = np.asarray(series.to_numpy(dtype="float64", na_value=np.nan), dtype="<f8").copy()
    values[np.isnan(values)] = np.nan  # one canonical NaN bit pattern
    digest = hashlib.sha256()
    digest.update(b"values\n")
    digest.update(values.tobytes())
    digest.update(b"\nindex\n")
    for label in series.index:
        digest.update(iso_label(label).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def library_versions() -> dict[str, str | None]:
    """Return the versions of the libraries a bundle depends on (without importing TensorFlow)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in ("tensorflow", "keras", "numpy", "pandas"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    versions["lstm_core"] = __version__
    return versions


def make_manifest(
    *,
    name: str,
    dataset_name: str,
    series: pd.Series,
    settings: Mapping[str, Any],
    health: Mapping[str, Any],
    history: Mapping[str, Sequence[float]],
    best_epoch: int | None,
    scores: Mapping[str, Any],
    holdout: Sequence[Mapping[str, Any]] | pd.DataFrame,
    future: Sequence[Mapping[str, Any]] | pd.DataFrame,
    coverage: float | Mapping[str, Any] | None,
    seconds: float,
    transform: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict:
    """Build a validated, JSON-safe run manifest.

    Args:
        name: the run's display name.
        dataset_name: the dataset's name (e.g. the uploaded file name).
        series: the cleaned series the run was trained on, shape (n,); only its fingerprint and
            length are stored.
        settings: `Settings.to_dict()`, stored as given.
        health: `HealthReport.to_dict()`.
        history: training history, e.g. `{"loss": [...], "val_loss": [...]}`.
        best_epoch: the epoch whose weights were kept (None if unknown).
        scores: holdout scores and baselines, e.g. `{"lstm": {"mase": 0.8, ...}, "naive": {...}}`.
        holdout: the holdout frame as records (a DataFrame is converted).
        future: the future forecast as records (a DataFrame is converted).
        coverage: measured interval coverage (a number or a dict of details), or None.
        seconds: training time in seconds.
        transform: the transform/scaler state needed to forecast again (`Scaler.to_dict()`, ...).
        extra: anything else JSON-able the caller wants to keep.

    Returns:
        The manifest dict; numpy scalars become Python numbers, NaN/inf become None, dates ISO text.

    Raises:
        BundleError: if the result is not a valid manifest (e.g. an empty name).
    """
    try:
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "name": str(name),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "dataset_name": str(dataset_name),
            "fingerprint": fingerprint(series),
            "points": int(len(series)),
            "settings": to_jsonable(dict(settings)),
            "health": to_jsonable(health),
            "history": to_jsonable(dict(history)),
            "best_epoch": to_jsonable(best_epoch),
            "scores": to_jsonable(dict(scores)),
            "holdout": to_jsonable(holdout),
            "future": to_jsonable(future),
            "coverage": to_jsonable(coverage),
            "transform": to_jsonable(dict(transform or {})),
            "versions": library_versions(),
            "seconds": to_jsonable(seconds),
            "extra": to_jsonable(dict(extra or {})),
        }
    except TypeError as exc:
        raise BundleError(f"The run cannot be saved because {exc}; pass plain values.") from exc
    return validate_manifest(manifest)


def validate_manifest(d: Any) -> dict:
    """Check that `d` is a manifest this version can read and return it.

    Required keys are those `make_manifest` writes; `model_count` (written by `save_bundle`) is
    optional here and checked against the archive by `load_bundle`. Unknown extra keys are kept.

    Raises:
        BundleError: naming the first missing or wrongly typed key, or a foreign format/version.
    """
    if not isinstance(d, dict):
        raise BundleError("The run manifest must be a JSON object; " + _FOREIGN)
    if d.get("format") != FORMAT:
        raise BundleError("This manifest is not an LSTM Forecast Studio run manifest; " + _FOREIGN)
    version = d.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise BundleError(
            f"This run bundle uses format version {version!r}, but this program reads version "
            f"{FORMAT_VERSION}; open it with the LSTM Forecast Studio version that saved it."
        )
    for key, (types, description) in _REQUIRED.items():
        if key not in d:
            raise BundleError(
                f"The run manifest has no '{key}' entry; the bundle is damaged or was not saved by "
                "LSTM Forecast Studio."
            )
        value = d[key]
        if isinstance(value, bool) or not isinstance(value, types):
            raise BundleError(
                f"The run manifest entry '{key}' must be {description}; the bundle is damaged or "
                "was not saved by LSTM Forecast Studio."
            )
    if not d["name"].strip():
        raise BundleError("The run name is empty; give the run a name.")
    if not re.fullmatch(r"[0-9a-f]{64}", d["fingerprint"]):
        _bad_entry("fingerprint", "a SHA-256 hex text")
    try:
        dt.datetime.fromisoformat(d["created"])
    except ValueError:
        _bad_entry("created", "an ISO date-time text")
    if not all(isinstance(v, list) for v in d["history"].values()):
        _bad_entry("history", "an object of lists")
    for key in ("holdout", "future"):
        if not all(isinstance(record, dict) for record in d[key]):
            _bad_entry(key, "a list of records")
    if "model_count" in d:
        count = d["model_count"]
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_MODELS:
            _bad_entry("model_count", f"a whole number from 1 to {MAX_MODELS}")
    return d


def _bad_entry(key: str, description: str) -> None:
    raise BundleError(
        f"The run manifest entry '{key}' must be {description}; the bundle is damaged or was not "
        "saved by LSTM Forecast Studio."
    )


def model_member_names(count: int) -> list[str]:
    """Return the archive names of `count` models: `model.keras`, or `model_0.keras`, ... ."""
    return ["model.keras"] if count == 1 else [f"model_{i}.keras" for i in range(count)]


def as_model_list(models: keras.Model | Sequence[keras.Model]) -> list[keras.Model]:
    """Return `models` as a list of 1 to `MAX_MODELS` Keras models, else raise `BundleError`."""
    import keras

    model_list = [models] if isinstance(models, keras.Model) else list(models)
    if not 1 <= len(model_list) <= MAX_MODELS or not all(
        isinstance(model, keras.Model) for model in model_list
    ):
        raise BundleError(
            f"A run bundle holds 1 to {MAX_MODELS} Keras models; pass a model or a list."
        )
    return model_list


def bundle_bytes(models: keras.Model | Sequence[keras.Model], manifest: Mapping[str, Any]) -> bytes:
    """Serialise model(s) and manifest to the bytes of a bundle `.zip` (see `save_bundle`)."""
    import keras

    model_list = as_model_list(models)
    full = validate_manifest({**dict(manifest), "model_count": len(model_list)})
    members: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="lstm-bundle-") as tmp:
        for member, model in zip(model_member_names(len(model_list)), model_list, strict=True):
            path = Path(tmp) / member
            keras.saving.save_model(model, path)
            members[member] = path.read_bytes()
    return _zip_members(full, members)


def _zip_members(manifest: Mapping[str, Any], models: Mapping[str, bytes]) -> bytes:
    text = json.dumps(manifest, indent=2, ensure_ascii=False, allow_nan=False)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST_NAME, text.encode("utf-8"))
        for member, data in models.items():
            archive.writestr(member, data)
    return buffer.getvalue()


def save_bundle(
    path: str | os.PathLike[str],
    models: keras.Model | Sequence[keras.Model],
    manifest: Mapping[str, Any],
) -> None:
    """Write a run bundle `.zip` to `path` (replacing it atomically if it exists).

    Args:
        path: destination file, normally ending in `.zip`.
        models: one Keras model, or a list of them for an ensemble.
        manifest: from `make_manifest`; `model_count` is set from `models`.

    Raises:
        BundleError: if the manifest is invalid or there are no models.
    """
    write_atomic(Path(path), bundle_bytes(models, manifest))


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see either the old file or the whole new one.

    The bytes go to a temporary file in the same folder, are flushed to disk, then `os.replace`d
    over `path`; a crash leaves at most a `.tmp-*` file, never a half-written `path`.
    """
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".tmp-{os.getpid()}-", suffix=".zip", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open folders, and does not need it.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_bundle(
    path_or_bytes: str | os.PathLike[str] | bytes | IO[bytes],
) -> tuple[dict, dict[str, bytes]]:
    """Check a bundle's archive and manifest without loading Keras.

    Returns:
        `(manifest, {member name: model .keras bytes})`.

    Raises:
        BundleError: not a zip, missing or invalid manifest, unexpected/unsafe/oversized member,
            or a model count that does not match the manifest.
    """
    source = _as_source(path_or_bytes)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise BundleError(
            "This file is not a run bundle (it is not a zip archive); " + _FOREIGN
        ) from exc
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        for info in infos:
            _check_member(info)
        if len(set(names)) != len(names):
            raise BundleError("This run bundle lists a file twice, so it was refused; " + _FOREIGN)
        if MANIFEST_NAME not in names:
            raise BundleError(
                "This zip has no manifest.json, so it is not a run bundle; " + _FOREIGN
            )
        manifest_bytes = _read_member(archive, archive.getinfo(MANIFEST_NAME))
        try:
            manifest = json.loads(manifest_bytes.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BundleError(
                "The manifest.json in this run bundle is not valid JSON; the file is damaged."
            ) from exc
        validate_manifest(manifest)
        count = manifest.get("model_count")
        if count is None:
            raise BundleError(
                "The run manifest has no 'model_count' entry; the bundle is damaged or was not "
                "saved by LSTM Forecast Studio."
            )
        expected = model_member_names(count)
        present = sorted(name for name in names if name != MANIFEST_NAME)
        if present != sorted(expected):
            raise BundleError(
                f"This run bundle should hold {', '.join(expected)} but holds "
                f"{', '.join(present) or 'no model'}; the bundle is damaged."
            )
        models = {name: _read_member(archive, archive.getinfo(name)) for name in expected}
    return manifest, models


def _as_source(path_or_bytes: Any) -> Any:
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(path_or_bytes))
    if isinstance(path_or_bytes, (str, os.PathLike)):
        path = Path(path_or_bytes)
        if not path.is_file():
            raise BundleError(f"No run bundle at {path}; check the path and try again.")
        return path
    if hasattr(path_or_bytes, "read"):
        return io.BytesIO(path_or_bytes.read())
    raise BundleError("A run bundle must be given as a file path or as bytes.")


def _check_member(info: zipfile.ZipInfo) -> None:
    name = info.filename
    if (
        name.startswith(("/", "\\"))
        or "\\" in name
        or ".." in name.split("/")
        or re.match(r"^[A-Za-z]:", name)
    ):
        raise BundleError(
            f"This run bundle contains a file with an unsafe path '{name}', so it was refused; "
            + _FOREIGN
        )
    if name.lower().endswith(_PICKLE_SUFFIXES):
        raise BundleError(
            f"This run bundle contains a pickle file '{name}', which could run code, so it was "
            "refused; " + _FOREIGN
        )
    if name != MANIFEST_NAME and not _MODEL_NAME.fullmatch(name):
        raise BundleError(
            f"This run bundle contains an unexpected file '{name}', so it was refused; " + _FOREIGN
        )
    limit = MAX_MANIFEST_BYTES if name == MANIFEST_NAME else MAX_MODEL_BYTES
    if info.file_size > limit:
        raise BundleError(
            f"The file '{name}' in this run bundle is larger than {limit // (1024 * 1024)} MB, "
            "so it was refused; " + _FOREIGN
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    limit = MAX_MANIFEST_BYTES if info.filename == MANIFEST_NAME else MAX_MODEL_BYTES
    try:
        with archive.open(info) as handle:
            # The declared size was checked, but never trust it: read at most one byte past the cap.
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise BundleError(
            f"The file '{info.filename}' in this run bundle cannot be read; the bundle is damaged."
        ) from exc
    if len(data) > limit:
        raise BundleError(
            f"The file '{info.filename}' in this run bundle is larger than "
            f"{limit // (1024 * 1024)} MB, so it was refused; " + _FOREIGN
        )
    return data


def _check_keras_archive(member: str, data: bytes) -> None:
    """Refuse a `.keras` file that is oversized or names anything but built-in Keras classes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            total = sum(info.file_size for info in inner.infolist())
            if total > MAX_MODEL_BYTES:
                raise BundleError(
                    f"The model '{member}' in this run bundle unpacks to more than "
                    f"{MAX_MODEL_BYTES // (1024 * 1024)} MB, so it was refused; " + _FOREIGN
                )
            config = json.loads(inner.read("config.json").decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(
            f"The model '{member}' in this run bundle is not a valid .keras file; the bundle is "
            "damaged."
        ) from exc
    for node in _walk(config):
        if node.get("class_name") == "Lambda":
            raise _lambda_error(member)
        module = node.get("module")
        if isinstance(module, str) and not (module == "keras" or module.startswith("keras.")):
            raise BundleError(
                f"The model '{member}' in this run bundle uses code from '{module}', not from "
                "Keras, so it was refused; only models made of standard Keras layers can be loaded."
            )


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _lambda_error(member: str) -> BundleError:
    return BundleError(
        f"The model '{member}' in this run bundle contains a Lambda layer, which could run "
        "arbitrary code, so it was refused; only models made of standard Keras layers can be "
        "loaded."
    )


def load_bundle(
    path_or_bytes: str | os.PathLike[str] | bytes | IO[bytes],
) -> tuple[list[keras.Model], dict]:
    """Load a run bundle safely.

    Args:
        path_or_bytes: a path to the `.zip`, its bytes, or a binary file object (e.g. an upload).

    Returns:
        `(models, manifest)`: a list of one or more Keras models (in `model_0`, `model_1`, ...
        order) and the validated manifest.

    Raises:
        BundleError: for anything that is not a complete, safe bundle of this format version.
    """
    manifest, members = read_bundle(path_or_bytes)
    return load_models(members), manifest


def load_models(members: Mapping[str, bytes]) -> list[keras.Model]:
    """Load `.keras` bytes (from `read_bundle`) in safe mode; raise `BundleError` if refused."""
    import keras

    for member, data in members.items():
        _check_keras_archive(member, data)
    models = []
    with tempfile.TemporaryDirectory(prefix="lstm-bundle-") as tmp:
        for member, data in members.items():
            path = Path(tmp) / member
            path.write_bytes(data)
            try:
                models.append(keras.saving.load_model(path, safe_mode=True))
            except Exception as exc:  # Keras raises many types for damaged files
                if "Lambda" in str(exc):
                    raise _lambda_error(member) from exc
                if "safe_mode" in str(exc):
                    raise BundleError(
                        f"The model '{member}' in this run bundle holds Python code that Keras' "
                        "safe mode refuses to load, so it was refused; only models made of "
                        "standard Keras layers can be loaded."
                    ) from exc
                raise BundleError(
                    f"The model '{member}' in this run bundle cannot be loaded "
                    f"({type(exc).__name__}); the bundle is damaged or needs another Keras version."
                ) from exc
    return models
