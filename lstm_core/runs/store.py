"""The run store: saved runs as bundle files in a folder, indexed by an embedded SQLite database.

Layout under the data folder (`LSTM_STUDIO_HOME`, else a per-user data folder):

- `runs.sqlite3`: one row per run (WAL mode, so several sessions and processes can write at once).
- `bundles/<run id>.zip`: the run bundles.

Adding a run writes the bundle first (temporary file, fsync, `os.replace`) and only then commits its
row, so a crash at any moment leaves either a complete run or no run: at worst an unlisted file,
which is ignored and cleaned up when a later store opens.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from lstm_core.errors import BundleError
from lstm_core.jsonable import to_jsonable
from lstm_core.runs.bundle import (
    _zip_members,
    as_model_list,
    bundle_bytes,
    load_bundle,
    load_models,
    read_bundle,
    validate_manifest,
    write_atomic,
)

if TYPE_CHECKING:
    import keras

HOME_ENV = "LSTM_STUDIO_HOME"
APP_FOLDER = "lstm-forecast-studio"
DB_NAME = "runs.sqlite3"
BUNDLE_FOLDER = "bundles"
BUSY_TIMEOUT_SECONDS = 60.0
# Leftovers younger than this may belong to a writer that is still working, so they are kept.
ORPHAN_AGE_SECONDS = 3600.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    dataset TEXT NOT NULL,
    created TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    settings_summary TEXT NOT NULL,
    mase REAL,
    seconds REAL NOT NULL,
    model_count INTEGER NOT NULL,
    manifest TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class RunInfo:
    """One saved run as listed by `RunStore.list()`.

    Attributes:
        id: the run id (`YYYYmmdd-HHMMSS-xxxxxxxx`, UTC).
        name: display name (changed by `rename`).
        dataset: dataset name.
        created: UTC ISO time the run was made.
        settings: one-line summary of the settings ("window 12, horizon 6, 32 units x 1 layer").
        mase: the LSTM's holdout MASE, or None if the run has none.
        seconds: training time in seconds.
        models: number of models (more than 1 for an ensemble).
        fingerprint: SHA-256 of the training data, to tell whether two runs saw the same data.
    """

    id: str
    name: str
    dataset: str
    created: str
    settings: str
    mase: float | None
    seconds: float
    models: int
    fingerprint: str

    def to_dict(self) -> dict:
        """Return the fields as a JSON-safe dict."""
        return dict(self.__dict__)


def default_home() -> Path:
    """Return the data folder: `$LSTM_STUDIO_HOME`, else the platform's per-user data folder."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_FOLDER


def settings_summary(settings: Mapping[str, Any]) -> str:
    """Summarise a settings dict in one line, using whichever well-known keys it has.

    The settings dict is owned by `lstm_core.config`; this looks for `input_length`, `horizon`,
    `units`, `layers`, `epochs` and `ensemble` at any depth, so it survives changes to its nesting.
    """
    found: dict[str, Any] = {}
    _collect(settings, found)
    parts = []
    if "input_length" in found:
        parts.append(f"window {found['input_length']}")
    if "horizon" in found:
        parts.append(f"horizon {found['horizon']}")
    if "units" in found:
        layers = found.get("layers", 1)
        plural = "layer" if layers == 1 else "layers"
        parts.append(f"{found['units']} units x {layers} {plural}")
    if "epochs" in found:
        parts.append(f"{found['epochs']} epochs")
    if isinstance(found.get("ensemble"), int) and found["ensemble"] > 1:
        parts.append(f"ensemble of {found['ensemble']}")
    return ", ".join(parts)


def _collect(node: Any, found: dict[str, Any]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if isinstance(value, Mapping):
                _collect(value, found)
            elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
                found.setdefault(str(key), value)


def lstm_mase(scores: Mapping[str, Any]) -> float | None:
    """Return the LSTM's MASE from a scores dict (`{"lstm": {"mase": ...}, ...}`), or None."""
    lowered = {str(key).lower(): value for key, value in scores.items()}
    entry = lowered.get("lstm", lowered)
    if not isinstance(entry, Mapping):
        return None
    value = {str(key).lower(): item for key, item in entry.items()}.get("mase")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class RunStore:
    """Saved runs on disk: a SQLite index plus a folder of bundle `.zip` files.

    Every method opens its own short-lived connection, so one store object can be shared between
    threads (Streamlit sessions), and several processes can use the same folder at once.
    """

    def __init__(self, home: Path | str | None = None) -> None:
        """Open (creating if needed) the store in `home`, or in `default_home()` when None."""
        self.home = Path(home).expanduser() if home is not None else default_home()
        self.bundles = self.home / BUNDLE_FOLDER
        self.db_path = self.home / DB_NAME
        try:
            self.bundles.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BundleError(
                f"Cannot create the run store folder {self.home} ({exc.strerror}); set "
                f"{HOME_ENV} to a folder you can write to."
            ) from exc
        self._init_db()
        self._clean_orphans(ORPHAN_AGE_SECONDS)

    # -- public API -------------------------------------------------------------------------

    def add(self, models: keras.Model | Sequence[keras.Model], manifest: Mapping[str, Any]) -> str:
        """Save a run and return its new id.

        Args:
            models: the trained model, or a list of models for an ensemble.
            manifest: from `make_manifest`.

        Raises:
            BundleError: if the manifest is invalid.
        """
        model_list = as_model_list(models)
        data = bundle_bytes(model_list, manifest)
        return self._store(data, {**dict(manifest), "model_count": len(model_list)})

    def list(self) -> list[RunInfo]:
        """Return every saved run, the most recently added first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, name, dataset, created, settings_summary, mase, seconds, model_count,"
                " fingerprint FROM runs ORDER BY rowid DESC"
            ).fetchall()
        return [RunInfo(*row) for row in rows]

    def manifest(self, run_id: str) -> dict:
        """Return a run's manifest (with its current name) without loading the model.

        Raises:
            BundleError: if no run has this id (or id prefix).
        """
        with self._connect() as conn:
            run_id = self._resolve(conn, run_id)
            name, text = conn.execute(
                "SELECT name, manifest FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
        return {**json.loads(text), "name": name}

    def get(self, run_id: str) -> tuple[list[keras.Model], dict]:
        """Load a run's model(s) and manifest (with its current name).

        Raises:
            BundleError: if no run has this id, or its bundle file is missing or damaged.
        """
        with self._connect() as conn:
            run_id = self._resolve(conn, run_id)
            (name,) = conn.execute("SELECT name FROM runs WHERE id = ?", (run_id,)).fetchone()
        models, manifest = load_bundle(self._bundle_file(run_id))
        return models, {**manifest, "name": name}

    def rename(self, run_id: str, name: str) -> None:
        """Give a run a new display name.

        Raises:
            BundleError: if no run has this id, or the name is empty.
        """
        clean = name.strip()
        if not clean:
            raise BundleError("The run name is empty; give the run a name.")
        with self._transaction() as conn:
            run_id = self._resolve(conn, run_id)
            conn.execute("UPDATE runs SET name = ? WHERE id = ?", (clean, run_id))

    def delete(self, run_id: str) -> None:
        """Delete a run and its bundle file.

        Raises:
            BundleError: if no run has this id.
        """
        with self._transaction() as conn:
            run_id = self._resolve(conn, run_id)
            conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        # The row is gone first: a crash here leaves only an unlisted file, cleaned up later.
        (self.bundles / f"{run_id}.zip").unlink(missing_ok=True)

    def attach(self, run_id: str, key: str, value: Any) -> None:
        """Store `value` (JSON-safe) under `extra[key]` of a run's manifest, e.g. its backtest.

        The bundle is rewritten atomically first, then the index; the models are untouched.

        Raises:
            BundleError: if no run has this id or its bundle file is missing or damaged.
        """
        with self._connect() as conn:
            run_id = self._resolve(conn, run_id)
        stored, members = read_bundle(self._bundle_file(run_id))
        extra = {**(stored.get("extra") or {}), key: to_jsonable(value)}
        manifest = validate_manifest({**stored, "extra": extra})
        write_atomic(self._bundle_file(run_id), _zip_members(manifest, members))
        with self._transaction() as conn:
            conn.execute("UPDATE runs SET manifest = ? WHERE id = ?",
                         (json.dumps(manifest, ensure_ascii=False, allow_nan=False), run_id))

    def export(self, run_id: str, dest_path: str | os.PathLike[str]) -> None:
        """Write a run's bundle to `dest_path`, with its current name in the manifest.

        Raises:
            BundleError: if no run has this id or its bundle file is missing or damaged.
        """
        with self._connect() as conn:
            run_id = self._resolve(conn, run_id)
            (name,) = conn.execute("SELECT name FROM runs WHERE id = ?", (run_id,)).fetchone()
        stored, members = read_bundle(self._bundle_file(run_id))
        write_atomic(Path(dest_path), _zip_members({**stored, "name": name}, members))

    def import_bundle(
        self, path_or_bytes: str | os.PathLike[str] | bytes | IO[bytes], name: str | None = None
    ) -> str:
        """Check a bundle fully (archive, manifest and every model in safe mode), then store it.

        Args:
            path_or_bytes: a bundle path, its bytes, or a binary file object.
            name: a new display name, or None to keep the bundle's.

        Returns:
            The new run id.

        Raises:
            BundleError: if the bundle is not one this program can load safely.
        """
        manifest, members = read_bundle(path_or_bytes)
        load_models(members)  # refuses Lambda layers, foreign classes and damaged models
        if name is not None:
            manifest = validate_manifest({**manifest, "name": name.strip()})
        return self._store(_zip_members(manifest, members), manifest)

    # -- internals --------------------------------------------------------------------------

    def _store(self, data: bytes, manifest: Mapping[str, Any]) -> str:
        run_id = _new_id()
        write_atomic(self.bundles / f"{run_id}.zip", data)
        self._insert(run_id, manifest)
        return run_id

    def _insert(self, run_id: str, manifest: Mapping[str, Any]) -> None:
        row = (
            run_id,
            manifest["name"],
            manifest["dataset_name"],
            manifest["created"],
            manifest["fingerprint"],
            settings_summary(manifest["settings"]),
            lstm_mase(manifest["scores"]),
            float(manifest["seconds"]),
            int(manifest["model_count"]),
            json.dumps(manifest, ensure_ascii=False, allow_nan=False),
        )
        with self._transaction() as conn:
            conn.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def _bundle_file(self, run_id: str) -> Path:
        path = self.bundles / f"{run_id}.zip"
        if not path.is_file():
            raise BundleError(
                f"The bundle file of run '{run_id}' is missing from {self.bundles}; delete the run."
            )
        return path

    @staticmethod
    def _resolve(conn: sqlite3.Connection, run_id: str) -> str:
        """Return the full id for `run_id`, accepting a unique prefix of at least 4 characters."""
        key = str(run_id).strip()
        if conn.execute("SELECT 1 FROM runs WHERE id = ?", (key,)).fetchone():
            return key
        if len(key) >= 4:
            escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            matches = conn.execute(
                "SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' LIMIT 2", (escaped + "%",)
            ).fetchall()
            if len(matches) == 1:
                return matches[0][0]
            if len(matches) > 1:
                raise BundleError(
                    f"More than one saved run has an id starting with '{key}'; give more of the id."
                )
        raise BundleError(f"No saved run has the id '{key}'; list the saved runs to see their ids.")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            yield conn
        except sqlite3.DatabaseError as exc:
            raise BundleError(
                f"The run index {self.db_path} cannot be used ({exc}); close other copies of the "
                "program and try again."
            ) from exc
        finally:
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking.
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _init_db(self) -> None:
        # Several processes may open a fresh store at the same moment; switching to WAL needs a
        # brief exclusive lock that the busy timeout does not always cover, so retry a few times.
        for attempt in range(50):
            try:
                with self._connect() as conn:
                    conn.execute("PRAGMA journal_mode = WAL")
                    conn.execute("PRAGMA synchronous = FULL")
                    conn.execute(_SCHEMA)
                return
            except BundleError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.1)

    def _clean_orphans(self, max_age: float) -> int:
        """Remove leftovers of crashed writers; return how many files were removed.

        Temporary files of dead processes go at once; any other unlisted file only when older than
        `max_age` seconds, because a live writer may be between writing its bundle and its row.
        """
        with self._connect() as conn:
            known = {row[0] for row in conn.execute("SELECT id FROM runs")}
        now = time.time()
        removed = 0
        for path in self.bundles.iterdir():
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if path.name.startswith(".tmp-"):
                stale = age > max_age or not _pid_alive(path.name.split("-")[1])
            else:
                stale = path.suffix == ".zip" and path.stem not in known and age > max_age
            if stale:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def _new_id() -> str:
    return f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def _pid_alive(text: str) -> bool:
    """True when the process `text` names may still be running (always True off POSIX)."""
    if os.name != "posix" or not text.isdigit():
        return True
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
