"""First-run setup for a session: open on a built-in sample so there is a chart at once."""

from __future__ import annotations

from lstm_core.samples import DEFAULT_SAMPLE
from ui import state
from ui.datasets import load_sample


def ensure_dataset() -> None:
    """Load the default sample the first time a session runs (never replaces the user's data)."""
    if state.get(state.DATASET) is None and state.get(state.RAW) is None:
        load_sample(DEFAULT_SAMPLE)
