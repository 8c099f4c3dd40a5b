"""The dashboard served by `streamlit run` opens on the sample chart in a real browser."""

from __future__ import annotations

import urllib.request

import pytest
from browser_helpers import assert_no_exception, screenshot, serve_app, wait_for_app

pytestmark = pytest.mark.browser


def test_health_endpoint_answers_ok(app_server):
    with urllib.request.urlopen(app_server + "/_stcore/health", timeout=5) as resp:
        assert resp.read().decode().strip() == "ok"


def test_home_page_renders_sample_chart(page, app_server, output_dir):
    page.goto(app_server)
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_timeout(500)
    assert page.locator(".js-plotly-plot").count() >= 1
    assert "Airline" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert_no_exception(page)
    screenshot(page, output_dir / "home.png")


def test_deep_link_on_a_fresh_server_gets_the_whole_app(browser, tmp_path, output_dir):
    """The first visit after a restart may be a bookmark to a page, not the home page."""
    with serve_app(tmp_path / "home", tmp_path / "server.log") as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url + "/about")
        page.wait_for_selector("text=What is an LSTM?")
        wait_for_app(page)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "About LSTMs" in nav and "Forecast" in nav  # our navigation, not file names
        page.wait_for_function(  # the sidebar is drawn after the page
            "() => document.querySelector('[data-testid=\"stSidebar\"]').innerText"
            ".includes('Airline')"
        )
        assert_no_exception(page)
        screenshot(page, output_dir / "about.png")
        context.close()
