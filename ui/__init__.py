"""Streamlit-only helpers for the dashboard (the engine lives in `lstm_core`)."""
