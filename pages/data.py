"""Data page: upload a file or pick a sample, choose columns, read the health card and chart."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lstm_core.charts import series_figure
from lstm_core.data import Dataset, list_sheets
from lstm_core.errors import DataError
from lstm_core.samples import SAMPLES
from ui import state
from ui.datasets import RawFile, ReadOptions, load_into_session, load_sample
from ui.entry import ensure_entrypoint
from ui.text import md_escape

ensure_entrypoint()

NO_DATE = "(none: use row order)"
FILL_LABELS = {
    "interpolate": "Interpolate in time (default)",
    "ffill": "Repeat the last value",
    "zero": "Fill with zero",
    "drop": "Leave missing (skip windows that touch a gap)",
}


def _try_load(raw: RawFile, options: ReadOptions | None = None) -> None:
    try:
        load_into_session(raw, options)
    except DataError as exc:
        st.error(f"{md_escape(raw.name)}: {md_escape(str(exc))} The previous dataset stays loaded.")


def _source_picker() -> None:
    left, right = st.columns([1, 2])
    with left:
        keys = list(SAMPLES)
        key = st.selectbox(
            "Sample dataset", keys, format_func=lambda k: SAMPLES[k].title, key="sample_pick"
        )
        st.caption(SAMPLES[key].description)
        if st.button("Load sample", icon=":material/dataset:"):
            load_sample(key)
    with right:
        uploaded = st.file_uploader(
            "Or upload your own time series",
            type=["csv", "tsv", "txt", "xlsx"],
            help="One row per time step: a date column (optional) and one or more number columns. "
            "CSV/TSV/TXT in any common encoding and delimiter, or an Excel .xlsx workbook.",
            key="uploader",
        )
        if uploaded is not None and uploaded.file_id != st.session_state.get("_last_upload"):
            st.session_state["_last_upload"] = uploaded.file_id
            _try_load(RawFile(name=uploaded.name, data=uploaded.getvalue(), label=uploaded.name))


def _options_form(dataset: Dataset) -> None:
    raw: RawFile | None = state.get(state.RAW)
    if raw is None:
        return
    choice = dataset.choice
    with st.expander("Columns and cleaning", expanded=False), st.form("read_options"):
        sheets = list_sheets(raw.data, raw.name)
        sheet = st.selectbox("Sheet", sheets) if len(sheets) > 1 else None
        cols = st.columns(3)
        date_options = [NO_DATE, *choice.columns]
        date_index = date_options.index(choice.date_column) if choice.date_column else 0
        date_col = cols[0].selectbox("Date column", date_options, index=date_index)
        value_options = list(choice.numeric_columns) or [choice.value_column]
        value_col = cols[1].selectbox(
            "Value column",
            value_options,
            index=value_options.index(choice.value_column)
            if choice.value_column in value_options
            else 0,
        )
        fill = cols[2].selectbox(
            "Missing values",
            list(FILL_LABELS),
            index=list(FILL_LABELS).index(st.session_state.get("_fill", "interpolate")),
            format_func=FILL_LABELS.get,
            help="How gaps are filled. Every filled value is counted and marked on the chart.",
        )
        if st.form_submit_button("Apply"):
            st.session_state["_fill"] = fill
            options = ReadOptions(
                date_col=None if date_col == NO_DATE else date_col,
                value_col=value_col,
                sheet=sheet,
                fill=fill,
                use_dates=date_col != NO_DATE,
            )
            if sheet is not None and sheet != st.session_state.get("_sheet"):
                # Another sheet has other columns: let detection choose again.
                options = ReadOptions(sheet=sheet, fill=fill)
            st.session_state["_sheet"] = sheet
            _try_load(raw, options)
            st.rerun()


def _health_card(dataset: Dataset) -> None:
    report = dataset.report
    st.subheader("Data health")
    row1 = st.columns(5)
    row1[0].metric("Rows read", f"{report.rows_read:,}")
    row1[1].metric("Points used", f"{report.rows_used:,}")
    row1[2].metric("Frequency", report.frequency or "row order")
    row1[3].metric("Season length", report.season_length or "none found")
    row1[4].metric("Date column", dataset.choice.date_column or "none")
    row2 = st.columns(5)
    row2[0].metric("Duplicates merged", report.duplicates_merged)
    row2[1].metric("Junk cells", report.junk_cells)
    row2[2].metric("Rows dropped", report.rows_dropped)
    row2[3].metric("Dates inserted", report.timestamps_inserted)
    row2[4].metric("Values filled", report.values_filled)
    if report.start:
        st.caption(f"From {report.start} to {report.end}.")
    for warning in report.warnings:
        st.warning(md_escape(warning), icon=":material/warning:")
    if report.changes:
        with st.expander(f"Rows that were changed ({len(report.changes):,})"):
            st.dataframe(pd.DataFrame(list(report.changes)), hide_index=True)


st.title("Data")
_source_picker()
dataset: Dataset | None = state.get(state.DATASET)
if dataset is None:
    st.info("Pick a sample or upload a file to begin.")
else:
    st.subheader(md_escape(str(dataset.series.name or "value")), anchor=False)
    st.caption(f"Source: {md_escape(state.get(state.SOURCE) or dataset.name)}")
    st.plotly_chart(
        series_figure(dataset.series, filled_positions=dataset.report.filled_positions),
        width="stretch",
        key="series_chart",
    )
    _health_card(dataset)
    _options_form(dataset)
    if st.button("Next: train a model", icon=":material/arrow_forward:", type="primary"):
        st.switch_page("pages/train.py")
