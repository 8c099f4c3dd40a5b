"""Small helpers shared by the browser tests."""

from __future__ import annotations


def wait_for_app(pg) -> None:
    """Wait until Streamlit finished running the script (no running indicator)."""
    pg.wait_for_selector('[data-testid="stApp"]')
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText"
        ".includes('Running')",
        timeout=60_000,
    )


def assert_no_exception(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0, "a traceback is on the page"
