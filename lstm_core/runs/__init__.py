"""Saved runs: the run bundle format (`bundle`) and the on-disk run store (`store`).

Public API (import from `lstm_core.runs`): `fingerprint`, `make_manifest`, `validate_manifest`,
`save_bundle`, `load_bundle`, `RunStore`, `RunInfo`, `default_home`. Keras is imported only inside
the functions that save or load models.
"""

from lstm_core.runs.bundle import (
    FORMAT,
    FORMAT_VERSION,
    MAX_MODELS,
    fingerprint,
    load_bundle,
    make_manifest,
    read_bundle,
    save_bundle,
    to_jsonable,
    validate_manifest,
)
from lstm_core.runs.store import HOME_ENV, RunInfo, RunStore, default_home

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "HOME_ENV",
    "MAX_MODELS",
    "RunInfo",
    "RunStore",
    "default_home",
    "fingerprint",
    "load_bundle",
    "make_manifest",
    "read_bundle",
    "save_bundle",
    "to_jsonable",
    "validate_manifest",
]
