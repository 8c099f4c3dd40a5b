"""Make every page run through `app.py`, even when Streamlit runs a page file on its own.

Streamlit still supports the old "pages/ folder" multipage mode: until some session has run
`st.navigation`, a server whose script sits next to a `pages/` folder serves a deep link such as
`/about` by running `pages/about.py` alone — without our page config, navigation, sidebar or session
defaults (and `AppTest` starts every run in that mode). Each page calls `ensure_entrypoint()` first:
in that mode it switches Streamlit to `st.navigation` mode and runs `app.py` in its place, within
the same script run so that no click or upload of this run is lost.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parent.parent / "app.py"


def ensure_entrypoint() -> None:
    """Run `app.py` instead of this page if Streamlit ran the page file on its own."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()
