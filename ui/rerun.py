"""Rerunning the app from a page without losing a click the user made meanwhile."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st


def rerun() -> NoReturn:
    """`st.rerun()`, except that a page the user has just asked for wins.

    Streamlit merges a rerun requested by the script with a request already waiting from the
    browser and keeps the newer one's page. So a click on another page that arrives while this run
    is busy (starting a training, say) would be lost, and the user sent back here. An element
    written first is a point where Streamlit acts on a waiting request: the user's click takes
    over there, and this rerun never happens (Streamlit's own `st.rerun` yields the same way,
    but only after queueing its request).
    """
    st.empty()
    st.rerun()
