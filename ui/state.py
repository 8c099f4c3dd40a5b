"""Session-state keys, in one place, with their defaults.

Everything a user owns (their data, settings, training job, results) lives in `st.session_state`
under these keys, never in module globals, so users of a shared server never see each other's data.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

DATASET = "dataset"  # lstm_core.data.Dataset | None: the current cleaned series
RAW = "raw_file"  # RawFile | None: bytes and name of the current file, to re-read on column changes
SOURCE = "source"  # text shown in the sidebar: sample title or uploaded file name
SETTINGS = "settings"  # lstm_core.config.Settings | None: last settings the user trained with
JOB = "job"  # ui.jobs.TrainingJob | None: the session's training job (running or finished)
RESULT = "result"  # lstm_core.pipeline.ForecastResult | None: the current run's results
RUN_ID = "run_id"  # str | None: id of the current run in the run store
RUN_NAME = "run_name"  # str | None: display name of the current run
RUN_MANIFEST = "run_manifest"  # dict | None: manifest of a run reopened from the store
NOTICE = "notice"  # str | None: one-shot message shown at the top of the next page
BACKTEST_JOB = "backtest_job"  # ui.jobs.TrainingJob | None: the session's backtest job
BACKTEST = "backtest"  # lstm_core.backtest.BacktestResult | None: the last backtest shown
BACKTEST_FOR = "backtest_for"  # str | None: what BACKTEST belongs to (a run id or a dataset key)
BACKTEST_SCOPE = "backtest_scope"  # str | None: "all" series of a panel or the "picked" one
PANEL_BACKTEST = "panel_backtest"  # lstm_core.panel_backtest.PanelBacktest | None: last shown
PANEL_BACKTEST_FOR = "panel_backtest_for"  # str | None: what PANEL_BACKTEST belongs to
SEARCH_JOB = "search_job"  # ui.jobs.TrainingJob | None: the session's settings search
SEARCH_PROGRESS = "search_progress"  # ui.searching.SearchProgress | None: its trials so far
SEARCH = "search"  # lstm_core.search.SearchResult | None: the search the form's settings came from
PRESENT_RUN = "present_run"  # str | None: the run on the Present page (a run id, or "current")
PRESENT_SCREEN = "present_screen"  # int: the Present page's screen (0-based)
LANGUAGE = "language"  # str: the language of the About and Present pages, narrative and deck
PANEL = "panel"  # lstm_core.data.Panel | None: the current file's series, when it holds several
SERIES = "series"  # str | None: the picked series of a panel (DATASET and RESULT show it)
PANEL_RESULT = "panel_result"  # ui.panels.PanelRun | None: the current run, when it has many series
ADOPTED_JOB = "adopted_job"  # str | None: id of the finished job whose result became current
TRAIN_SCOPE = "train_scope"  # str: what the Train page trains on a panel (ui.panels.SCOPES)
DRIVERS = "drivers"  # lstm_core.drivers.DriverSet | None: drivers chosen for the current file
DRIVEN = "driven"  # lstm_core.data.DrivenDataset | None: the file read with DRIVERS (DATASET is its
# dataset: the rows after the series' last value are the drivers' future, not the series)
DRIVER_COLUMNS = "driver_columns"  # tuple[str, ...] | None: the file's columns usable as drivers
ASSUMED = "assumed"  # dict[str, list[str]] | None: per known-ahead column, the forecast dates
# (ISO) whose value was assumed from a season earlier, for RESULT (Train and Forecast pages)
SCENARIOS = "scenarios"  # tuple[str, list[dict]] | None: (run id, the scenarios saved with it)
WHATIF = "whatif"  # ui.drivers.WhatIf | None: what the Forecast page's future editor starts from
RUN_NETWORKS = "run_networks"  # ui.drivers.RunNetworks | None: a reopened run's networks, loaded
# from its bundle for the what-if (dropped when another run is opened, trained or new data loaded)

_DEFAULTS: dict[str, Any] = {
    DATASET: None,
    RAW: None,
    SOURCE: None,
    SETTINGS: None,
    JOB: None,
    RESULT: None,
    RUN_ID: None,
    RUN_NAME: None,
    RUN_MANIFEST: None,
    NOTICE: None,
    BACKTEST_JOB: None,
    BACKTEST: None,
    BACKTEST_FOR: None,
    BACKTEST_SCOPE: None,
    PANEL_BACKTEST: None,
    PANEL_BACKTEST_FOR: None,
    SEARCH_JOB: None,
    SEARCH_PROGRESS: None,
    SEARCH: None,
    PRESENT_RUN: None,
    PRESENT_SCREEN: 0,
    LANGUAGE: "en",
    PANEL: None,
    SERIES: None,
    PANEL_RESULT: None,
    ADOPTED_JOB: None,
    TRAIN_SCOPE: "global",
    DRIVERS: None,
    DRIVEN: None,
    DRIVER_COLUMNS: None,
    ASSUMED: None,
    SCENARIOS: None,
    WHATIF: None,
    RUN_NETWORKS: None,
}


def init_state() -> None:
    """Give every key its default the first time a session runs."""
    for key, value in _DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value


def get(key: str) -> Any:
    """Read a session value (after `init_state`)."""
    return st.session_state.get(key, _DEFAULTS.get(key))


def put(key: str, value: Any) -> None:
    """Store a session value."""
    st.session_state[key] = value
