"""Find settings in a real browser: start a search, watch trials arrive, stop it, use the best."""

from __future__ import annotations

import re

import pytest
from browser_helpers import assert_no_exception, go, nav, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _rows(page) -> int:
    """Trials in the live table (Streamlit's data grid reports its row count)."""
    text = page.locator(".stProgress, [data-testid='stProgress']").first.inner_text()
    match = re.search(r"(\d+) trials done", text)
    return int(match.group(1)) if match else 0


def test_search_shows_trials_stops_and_fills_the_form(page, app_server, output_dir):
    go(page, app_server)
    nav(page, "Train")
    page.get_by_text("Find settings", exact=True).first.click()
    page.get_by_role("button", name="Find settings").click()
    page.get_by_role("button", name="Stop the search").wait_for(timeout=60_000)
    page.wait_for_function(
        "() => /([2-9]|\\d\\d+) trials done/.test(document.body.innerText)", timeout=180_000)
    assert _rows(page) >= 2
    screenshot(page, output_dir / "search_live.png")
    page.get_by_role("button", name="Stop the search").click()
    page.get_by_text(re.compile(r"^Best: trial \d+")).wait_for(timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    summary = page.get_by_text(re.compile(r"^Best: trial \d+")).inner_text()
    assert "stopped by you" in summary
    screenshot(page, output_dir / "search_done.png")
    page.get_by_role("tab", name="Parallel coordinates").click()
    page.get_by_role("button", name="Use these settings").click()
    wait_for_app(page)
    best_window = page.get_by_label("Window (past steps read)", exact=True).input_value()
    assert int(best_window) in (12, 24, 36)
    screenshot(page, output_dir / "search_used.png")
