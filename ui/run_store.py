"""Record finished trainings in the run store, and reopen saved runs for presentation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lstm_core.data import Dataset
from lstm_core.run_record import PresentedRun, manifest_from_result
from lstm_core.runs import RunStore
from ui import state


def run_name(dataset_name: str, settings: Any) -> str:
    """A readable default name: data, the main settings, and the time."""
    when = dt.datetime.now().strftime("%d %b %H:%M")
    return (
        f"{dataset_name} · window {settings.window.input_length}, "
        f"{settings.model.units} units · {when}"
    )


def record_run(result: Any, dataset: Dataset) -> tuple[str, str]:
    """Save a finished result as a run; return its id and name (runs in the training thread)."""
    name = run_name(dataset.name, result.settings)
    manifest = manifest_from_result(
        result,
        name=name,
        dataset_name=dataset.name,
        health=dataset.report.to_dict(),
    )
    return RunStore().add(list(result.models), manifest), name


def open_run(run_id: str) -> PresentedRun:
    """Make a saved run the session's current one, without loading or training a model."""
    manifest = RunStore().manifest(run_id)
    presented = PresentedRun.from_manifest(manifest)
    state.put(state.RESULT, presented)
    state.put(state.RUN_ID, run_id)
    state.put(state.RUN_NAME, presented.name)
    state.put(state.RUN_MANIFEST, manifest)
    return presented
