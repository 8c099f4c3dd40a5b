"""Record finished trainings in the run store, and reopen saved runs for presentation."""

from __future__ import annotations

import time
from typing import Any

from lstm_core.data import Dataset
from lstm_core.errors import BundleError
from lstm_core.run_record import PresentedRun, is_panel
from lstm_core.run_record import record_run as _record
from lstm_core.runs import RunStore
from ui import state
from ui.drivers import RunNetworks


def record_run(result: Any, dataset: Dataset) -> tuple[str, str]:
    """Save a finished result as a run; return its id and name (runs in the training thread)."""
    return _record(result, dataset_name=dataset.name, health=dataset.report.to_dict())


def open_run(run_id: str, series: str | None = None) -> PresentedRun:
    """Make a saved run the session's current one, without loading or training a model.

    For a run of many series, `series` (default: the first) is the one shown; the whole run
    becomes `state.PANEL_RESULT`.
    """
    manifest = RunStore().manifest(run_id)
    state.put(state.RUN_NETWORKS, None)  # another run's networks are of no use to this one
    if is_panel(manifest):
        from ui.panels import PanelRun, pick_series

        run = PanelRun.from_manifest(manifest, run_id)
        if not run.ids:
            raise BundleError("This run holds no forecast series.")
        state.put(state.PANEL_RESULT, run)
        state.put(state.RUN_ID, run_id)
        state.put(state.RUN_NAME, run.name)
        state.put(state.RUN_MANIFEST, manifest)
        pick_series(series if series in run.ids else run.ids[0], of_run=True)
        return state.get(state.RESULT)
    presented = PresentedRun.from_manifest(manifest)
    state.put(state.PANEL_RESULT, None)
    state.put(state.RESULT, presented)
    # Which future driver values the run assumed (saved by the dashboard's training).
    state.put(state.ASSUMED, (manifest.get("extra") or {}).get("assumed_future") or None)
    state.put(state.RUN_ID, run_id)
    state.put(state.RUN_NAME, presented.name)
    state.put(state.RUN_MANIFEST, manifest)
    return presented


def load_networks(run_id: str) -> RunNetworks:
    """Load a reopened run's networks from its bundle for the what-if (`state.RUN_NETWORKS`).

    Raises:
        BundleError: the run or its bundle is missing or damaged (the store's message).
    """
    started = time.perf_counter()
    models, manifest = RunStore().get(run_id)
    networks = RunNetworks(run_id=run_id, models=tuple(models),
                           recipe=dict(manifest.get("transform") or {}),
                           seconds=time.perf_counter() - started)
    state.put(state.RUN_NETWORKS, networks)
    return networks
