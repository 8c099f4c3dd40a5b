"""Make every page run through `app.py`, even when the first visit is a deep link.

Streamlit still supports the old "pages/ folder" multipage mode: until some session has run
`st.navigation`, a server whose script sits next to a `pages/` folder serves `/about` by running
`pages/about.py` alone — without our page config, navigation, sidebar or session defaults. Each page
calls `ensure_entrypoint()` first: in that mode it switches the server to `st.navigation` mode (what
`app.py` would do) and reruns, so the entry point builds the page as usual.
"""

from __future__ import annotations

import streamlit as st


def ensure_entrypoint() -> None:
    """Rerun through `app.py` if Streamlit ran this page file on its own."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
