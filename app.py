"""LSTM Forecast Studio: the dashboard's entry point (`streamlit run app.py`)."""

from __future__ import annotations

import logging
import uuid

import streamlit as st

from ui import state
from ui.sidebar import render_sidebar
from ui.startup import ensure_dataset

logger = logging.getLogger("lstm_studio")

st.set_page_config(
    page_title="LSTM Forecast Studio",
    page_icon=":material/ssid_chart:",
    layout="wide",
)
state.init_state()
ensure_dataset()

page = st.navigation(
    [
        st.Page("pages/data.py", title="Data", icon=":material/table_chart:", default=True),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/forecast.py", title="Forecast", icon=":material/query_stats:"),
        st.Page("pages/backtest.py", title="Backtest", icon=":material/history_toggle_off:"),
        st.Page("pages/runs.py", title="Runs", icon=":material/history:"),
        st.Page("pages/present.py", title="Present", icon=":material/slideshow:"),
        st.Page("pages/about.py", title="About LSTMs", icon=":material/school:"),
    ]
)

try:
    page.run()
except Exception:  # Streamlit's rerun/stop signals are BaseExceptions and pass through.
    ref = uuid.uuid4().hex[:8]
    logger.exception("unexpected error on page %s (reference %s)", page.title, ref)
    st.error(
        f"Sorry, something went wrong on this page. Your data and runs are still here; try again, "
        f"or report reference **{ref}** (it is in the server log).",
        icon=":material/error:",
    )
finally:
    # Drawn after the page so it shows what the page just loaded or trained.
    # getattr: worker processes spawned by the backtest re-run this file outside a server, where
    # the page has no title.
    render_sidebar(training_progress=getattr(page, "title", None) != "Train")
