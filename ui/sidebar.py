"""The sidebar on every page: current dataset, current run, and a running training's progress."""

from __future__ import annotations

import streamlit as st

from lstm_core.i18n import LANGUAGES
from ui import state
from ui.jobs import JobSnapshot


def render_sidebar(*, training_progress: bool = True) -> None:
    """Show what the session is working on.

    Args:
        training_progress: show a running training's progress (the Train page shows its own).
    """
    with st.sidebar:
        dataset = state.get(state.DATASET)
        st.caption("Current dataset")
        if dataset is None:
            st.write("None loaded yet.")
        else:
            report = dataset.report
            st.text(state.get(state.SOURCE) or dataset.name)
            loaded = state.get(state.PANEL)
            if loaded is not None:
                st.caption(f"{len(loaded.ids):,} series · showing {state.get(state.SERIES)}")
            span = f"{report.start} → {report.end}" if report.start else "row order (no dates)"
            st.caption(f"{len(dataset.series):,} points · {span}")
        run_name = state.get(state.RUN_NAME)
        if run_name:
            st.caption("Current run")
            st.text(run_name)
        job = state.get(state.JOB)
        if training_progress and job is not None and job.snapshot().active:
            _training_status()
        _language_switch()


def _language_switch() -> None:
    """English or Thai for the About and Present pages, the narrative and the deck."""
    codes = list(LANGUAGES)
    current = state.get(state.LANGUAGE)
    st.radio(
        "Language · ภาษา", codes, index=codes.index(current) if current in codes else 0,
        format_func=LANGUAGES.__getitem__, horizontal=True, key="_language_choice",
        on_change=lambda: state.put(state.LANGUAGE, st.session_state["_language_choice"]),
        help="The About and Present pages, the forecast's summary and the deck.",
    )


@st.fragment(run_every=1.0)
def _training_status() -> None:
    job = state.get(state.JOB)
    if job is None:
        return
    snap: JobSnapshot = job.snapshot()
    if snap.status == "queued":
        st.info("Training is queued: the server is busy with other trainings.", icon="⏳")
    elif snap.status == "running":
        st.progress(snap.fraction, text=f"Training… {snap.fraction:.0%}")
