"""The dashboard served by `streamlit run` opens on the sample chart in a real browser."""

from __future__ import annotations

import urllib.request

import pytest
from browser_helpers import assert_no_exception, wait_for_app

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
    page.screenshot(path=str(output_dir / "home.png"), full_page=True)
