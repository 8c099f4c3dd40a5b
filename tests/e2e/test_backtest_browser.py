"""The Backtest page in a real browser: three cut-offs of the airline sample in worker processes."""

from __future__ import annotations

import pytest
from browser_helpers import (
    assert_no_exception,
    fill_number,
    go,
    nav,
    screenshot,
    train_tiny,
    wait_for_app,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _chart_title(page) -> str:
    page.wait_for_selector(".js-plotly-plot .main-svg")
    return page.evaluate(
        "() => { const p = document.querySelector('.js-plotly-plot');"
        " return p && p.layout && p.layout.title ? p.layout.title.text : ''; }"
    )


def test_three_cutoff_backtest_with_slider_and_table(page, app_server, output_dir):
    go(page, app_server)
    train_tiny(page, epochs=15)
    page.wait_for_selector("text=Training finished", timeout=120_000)

    nav(page, "Backtest")
    fill_number(page, "Cut-offs", 3)
    page.get_by_role("button", name="Run backtest").click()
    page.wait_for_selector("text=cut-offs done", timeout=60_000)
    screenshot(page, output_dir / "backtest_running.png")
    page.wait_for_selector("text=The LSTM beat seasonal naive at", timeout=240_000)
    wait_for_app(page)
    assert "1959-12-01" in _chart_title(page)
    assert page.get_by_text("of 3 cut-offs").count() >= 1

    slider = page.get_by_role("slider")
    slider.focus()
    slider.press("ArrowLeft")
    wait_for_app(page)
    page.wait_for_function(
        "() => { const p = document.querySelector('.js-plotly-plot');"
        " return p && p.layout.title.text.includes('1958-12-01'); }", timeout=30_000)
    # The table's grid is loaded on demand: wait for it to mount, then count.
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1, timeout=30_000)
    assert_no_exception(page)
    screenshot(page, output_dir / "backtest.png")
