"""Runs page: every saved training; compare, reopen, rename, delete, import and export."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import streamlit as st

from lstm_core.charts import compare_figure
from lstm_core.errors import BundleError
from lstm_core.panel import MODE_LABELS
from lstm_core.run_record import PresentedRun, is_panel
from lstm_core.runs import RunInfo, RunStore
from lstm_core.scoreboard import scoreboard_frame
from ui import state
from ui.entry import ensure_entrypoint
from ui.rerun import rerun
from ui.run_store import open_run
from ui.text import md_escape

ensure_entrypoint()


def _table(runs: list[RunInfo]) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "Name": [r.name for r in runs],
            "Dataset": [r.dataset for r in runs],
            "When (UTC)": [r.created.replace("T", " ")[:16] for r in runs],
            "Settings": [r.settings for r in runs],
            "MASE": [r.mase for r in runs],
            "Seconds": [round(r.seconds, 1) for r in runs],
        }
    )
    st.dataframe(
        frame, hide_index=True, key="runs_table",
        column_config={"MASE": st.column_config.NumberColumn(format="%.3f")},
    )


@st.cache_data(max_entries=16, show_spinner=False)
def _panel_summary(home: str, run_id: str) -> tuple[list[str], int, str] | None:
    """A saved run's series, how many were left out, and its mode (None for one series).

    Cached: a large run's manifest takes a while to read, and these never change once saved.
    """
    try:
        manifest = RunStore(home).manifest(run_id)
    except BundleError:
        return None
    if not is_panel(manifest):
        return None
    panel = manifest["extra"]["panel"]
    return (list(panel.get("ids") or []), len(panel.get("excluded") or {}),
            str(panel.get("mode")))


def _series_of(store: RunStore, run: RunInfo) -> str | None:
    """For a run of many series, the series to open first (a picker); None for one series."""
    summary = _panel_summary(str(store.home), run.id)
    if summary is None:
        return None
    ids, excluded, mode = summary
    st.caption(f"This run forecast {len(ids):,} series"
               + (f" ({excluded:,} left out)" if excluded else "")
               + f", {MODE_LABELS.get(mode, mode)}.")
    return st.selectbox("Series to show", ids, key="runs_series_pick") if ids else None


def _one_run(store: RunStore, run: RunInfo) -> None:
    series = _series_of(store, run)
    cols = st.columns([1, 1, 1, 2])
    if cols[0].button("Open on the Forecast page", icon=":material/open_in_new:", type="primary"):
        try:
            open_run(run.id, series)
        except BundleError as exc:
            st.error(md_escape(str(exc)))
        else:
            st.switch_page("pages/forecast.py")
    cols[1].download_button(
        "Download bundle", lambda: _export(store, run.id), file_name=f"run-{run.id}.zip",
        mime="application/zip", icon=":material/download:",
        on_click="ignore",
    )
    if cols[2].button("Delete", icon=":material/delete:"):
        st.session_state["_confirm_delete"] = run.id
    if st.session_state.get("_confirm_delete") == run.id:
        st.warning("Delete this run for good? Its model and scores cannot be recovered.")
        yes, no = st.columns(2)
        if yes.button("Yes, delete it", type="primary"):
            store.delete(run.id)
            st.session_state.pop("_confirm_delete", None)
            if state.get(state.RUN_ID) == run.id:
                state.put(state.RUN_ID, None)
                state.put(state.RUN_NETWORKS, None)
            rerun()
        if no.button("Keep it"):
            st.session_state.pop("_confirm_delete", None)
            rerun()
    with cols[3].form("rename", border=False):
        new_name = st.text_input("New name", value=run.name, max_chars=200)
        if st.form_submit_button("Rename"):
            if new_name.strip():
                store.rename(run.id, new_name.strip())
                rerun()
            else:
                st.error("A run needs a name: type at least one character.")


def _export(store: RunStore, run_id: str) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.zip"
        store.export(run_id, path)
        return path.read_bytes()


def _compare(store: RunStore, runs: list[RunInfo]) -> None:
    presented: list[PresentedRun] = []
    for run in runs:
        try:
            manifest = store.manifest(run.id)
            if is_panel(manifest):
                st.info(f"{md_escape(run.name)} holds many series: open it on its own to see "
                        "each series and the scores across them.", icon=":material/info:")
                continue
            presented.append(PresentedRun.from_manifest(manifest))
        except BundleError as exc:
            st.warning(f"{md_escape(run.name)} cannot be compared: {md_escape(str(exc))}")
    if len(presented) < 2:
        return
    st.subheader("Scores side by side")
    rows = []
    for run in presented:
        frame = scoreboard_frame({"lstm": run.scores.get("lstm", {})})
        frame.index = [run.name]
        rows.append(frame)
    import pandas as pd

    st.dataframe(pd.concat(rows).style.format(precision=3, na_rep="–"))
    st.subheader("Loss curves")
    loss = go.Figure()
    for run in presented:
        for key, dash in (("loss", "solid"), ("val_loss", "dot")):
            values = run.history.get(key)
            if values:
                loss.add_trace(go.Scatter(y=values, x=list(range(1, len(values) + 1)),
                                          mode="lines",
                                          name=html.escape(f"{run.name} · {key}", quote=False),
                                          line={"dash": dash}))
    loss.update_layout(xaxis_title="epoch", yaxis_title="loss", yaxis_type="log", height=380)
    st.plotly_chart(loss, width="stretch", key="compare_loss")
    st.subheader("Forecasts on the holdout")
    same = len({len(r.holdout) for r in presented}) == 1
    if not same:
        st.caption(
            "These runs held out different lengths; each forecast is shown on its own dates."
        )
    st.plotly_chart(
        compare_figure([(r.name, r.holdout) for r in presented]),
        width="stretch", key="compare_forecasts",
    )


def _upload(store: RunStore) -> None:
    with st.expander("Import a run bundle (.zip)"):
        uploaded = st.file_uploader("Run bundle", type=["zip"], key="bundle_upload")
        if uploaded is not None and uploaded.file_id != st.session_state.get("_bundle_file"):
            st.session_state["_bundle_file"] = uploaded.file_id
            try:
                run_id = store.import_bundle(uploaded.getvalue())
            except BundleError as exc:
                st.error(md_escape(str(exc)))
            else:
                st.success(f"Imported as run {run_id}.")


st.title("Runs")
store = RunStore()
_upload(store)
runs = store.list()
if not runs:
    st.info("No saved runs yet. Every training you finish on the Train page is saved here.")
    st.stop()

_table(runs)
by_id = {r.id: r for r in runs}
picked = st.multiselect(
    "Choose runs",
    list(by_id),
    format_func=lambda run_id: f"{by_id[run_id].name}  ({run_id})",
    placeholder="Choose one run to open, rename, download or delete; two or more to compare",
    key="runs_pick",
)
chosen = [by_id[run_id] for run_id in picked if run_id in by_id]
if len(chosen) == 1:
    _one_run(store, chosen[0])
elif len(chosen) >= 2:
    _compare(store, chosen)
