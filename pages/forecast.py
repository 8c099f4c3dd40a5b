"""Forecast page: forecast vs actual on the holdout, the scoreboard, the future, and downloads."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.io as pio
import streamlit as st

from lstm_core.charts import future_figure, holdout_figure
from lstm_core.evaluation import to_safe_csv
from lstm_core.narrative import narrative
from lstm_core.run_record import present_result
from lstm_core.scoreboard import scoreboard_frame, verdict
from ui import state
from ui.entry import ensure_entrypoint
from ui.text import md_escape

ensure_entrypoint()


def _scoreboard(result: Any) -> None:
    st.subheader("Scoreboard on the holdout")
    frame = scoreboard_frame(result.scores)
    if frame.empty:
        st.info("No scores: the holdout was empty.")
        return

    def _best(column: pd.Series) -> list[str]:
        valid = column.dropna()
        best = valid.min() if len(valid) else None
        return ["font-weight: bold; background-color: #d8f0d8" if v == best else "" for v in column]

    styled = frame.style.apply(_best, axis=0).format(precision=3, na_rep="–")
    st.dataframe(styled)
    st.caption(
        "MAE and RMSE are in the series' units; sMAPE in percent. MASE below 1 means better than "
        "repeating the last season (seasonal naive) on average."
    )
    sentence = verdict(result.scores)
    if sentence:
        st.markdown(f"**{sentence}**")


def _coverage_note(result: Any) -> str:
    level = result.settings.level
    coverage = result.coverage
    if coverage is None or (isinstance(coverage, float) and math.isnan(coverage)):
        return f"The band is a {level:.0%} conformal interval (coverage not measurable here)."
    n = len(result.holdout)
    return (
        f"The band is a {level:.0%} conformal interval, calibrated on forecast errors the model "
        f"made on data it had not trained on. On the {n} held-out points it covered "
        f"{coverage:.0%} of the actual values."
    )


def _in_short(result: Any) -> None:
    """The run's story in plain sentences, in the session's language.

    `narrative` reads a fresh result and a reopened run alike, so nothing is converted here on
    every rerun; the deck and report convert the result only when one is downloaded.
    """
    lang = state.get(state.LANGUAGE)
    try:
        sentences = narrative(result, lang)
    except ValueError:
        return
    with st.container(border=True):
        st.markdown("**In short**" if lang == "en" else "**สรุป**")
        st.markdown("\n".join(f"- {md_escape(s)}" for s in sentences))
        st.page_link("pages/present.py", icon=":material/slideshow:",
                     label="Present this run in a meeting" if lang == "en"
                     else "นำเสนอผลนี้ในที่ประชุม")


def _handouts(result: Any, name: str) -> None:
    from lstm_core.report import build_deck, report_html, safe_filename

    lang = state.get(state.LANGUAGE)
    cols = st.columns(4)
    cols[0].download_button(
        "Deck (.pptx)", lambda: build_deck(present_result(result, name=name), lang),
        file_name=safe_filename(name, ".pptx"), icon=":material/slideshow:",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        help="PowerPoint slides with native, editable charts: one per Present screen.",
    )
    cols[1].download_button(
        "Report (.html)",
        lambda: report_html(present_result(result, name=name), lang).encode("utf-8"),
        file_name=safe_filename(name, ".html"), mime="text/html",
        icon=":material/description:", help="One self-contained page with the same content.",
    )


def _downloads(result: Any, holdout_fig, future_fig) -> None:
    st.subheader("Downloads")
    cols = st.columns(4)
    cols[0].download_button(
        "Forecast (CSV)", to_safe_csv(result.future), file_name="forecast.csv", mime="text/csv",
        icon=":material/download:",
    )
    cols[1].download_button(
        "Holdout chart (HTML)", pio.to_html(holdout_fig, include_plotlyjs=True, full_html=True),
        file_name="holdout.html", mime="text/html", icon=":material/download:",
    )
    cols[2].download_button(
        "Forecast chart (HTML)", pio.to_html(future_fig, include_plotlyjs=True, full_html=True),
        file_name="forecast.html", mime="text/html", icon=":material/download:",
    )
    run_id = state.get(state.RUN_ID)
    if run_id:
        cols[3].download_button(
            "Model and run (.zip)", lambda: _bundle_bytes(run_id), file_name=f"run-{run_id}.zip",
            mime="application/zip", icon=":material/download:",
            help="The Keras model with its settings, scores and forecast. Open it on the Runs "
            "page or with `python -m lstm_core forecast --from-run FILE.zip`.",
        )
    else:
        cols[3].caption("This run was not saved, so there is no model bundle to download.")


def _bundle_bytes(run_id: str) -> bytes:
    import tempfile
    from pathlib import Path

    from lstm_core.runs import RunStore

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.zip"
        RunStore().export(run_id, path)
        return path.read_bytes()


st.title("Forecast")
result = state.get(state.RESULT)
if result is None:
    st.info("Train a model on the Train page (or open a saved run on the Runs page) to see its "
            "forecast here.")
    st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

name = state.get(state.RUN_NAME)
if name:
    st.caption(f"Run: {md_escape(name)}")
validation = getattr(result, "validation", None) or {}
if validation.get("note"):
    # What the validation points said of the LSTM, before any holdout score is shown.
    if validation.get("shrink") == 0.0:
        st.warning(md_escape(validation["note"]), icon=":material/info:")
    else:
        st.info(md_escape(validation["note"]), icon=":material/model_training:")
_in_short(result)
if result.notes:
    with st.expander("How this forecast was made"):
        for note in result.notes:
            st.markdown(f"- {md_escape(note)}")

st.page_link("pages/backtest.py", icon=":material/history_toggle_off:",
             label="One holdout is one draw: backtest this run at several past cut-offs")
show_baselines = st.toggle("Show baselines", value=True)
holdout_fig = holdout_figure(result, show_baselines=show_baselines)
st.plotly_chart(holdout_fig, width="stretch", key="holdout_chart")
_scoreboard(result)

st.subheader("The future")
future_fig = future_figure(result)
st.plotly_chart(future_fig, width="stretch", key="future_chart")
st.caption(_coverage_note(result))
with st.expander("Forecast table"):
    st.dataframe(result.future, hide_index=True)
_downloads(result, holdout_fig, future_fig)
_handouts(result, name or "Unsaved run")

