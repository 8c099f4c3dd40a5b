"""The analyst's journey in a real browser: upload, train (live chart, Stop), forecast, runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import (
    assert_no_exception,
    go,
    nav,
    screenshot,
    train_tiny,
    wait_for_app,
)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _plot_points(page, index: int = 0) -> int:
    """Number of points in the first trace of the index-th Plotly chart on the page."""
    return page.evaluate(
        "(i) => { const p = document.querySelectorAll('.js-plotly-plot')[i];"
        " return p && p._fullData && p._fullData[0] ? p._fullData[0].y.length : 0; }",
        index,
    )


def _train(page, epochs: int, patience: int = 0, units: int = 4) -> None:
    nav(page, "Data")
    train_tiny(page, epochs, patience, units)


def test_upload_shows_chart(page, app_server, output_dir):
    go(page, app_server)
    csv = ROOT / "tests" / "corpus" / "semicolon_decimal_comma.csv"
    if not csv.exists():  # fall back to any CSV of the corpus
        csv = sorted((ROOT / "tests" / "corpus").glob("*.csv"))[0]
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
    page.wait_for_function(
        "(name) => document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes(name)",
        arg=csv.name,
        timeout=60_000,
    )
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot")
    assert _plot_points(page) > 0
    assert_no_exception(page)
    screenshot(page, output_dir / "upload.png")


def test_train_live_chart_grows_then_stop_keeps_page_usable(page, app_server, output_dir):
    go(page, app_server)
    _train(page, epochs=1500, patience=0)
    page.wait_for_selector("text=Epoch", timeout=90_000)
    page.wait_for_function(
        "() => { const p = document.querySelector('.js-plotly-plot');"
        " return p && p._fullData && p._fullData[0] && p._fullData[0].y.length >= 3; }",
        timeout=90_000,
    )
    first = _plot_points(page)
    page.wait_for_timeout(2500)
    second = _plot_points(page)
    assert second > first, f"the loss chart should grow while training ({first} -> {second})"
    screenshot(page, output_dir / "train_live.png")

    page.get_by_role("button", name="Stop", exact=True).click()
    page.wait_for_selector("text=Training stopped early", timeout=90_000)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, output_dir / "train_stopped.png")

    # The page stays usable: the stopped run's forecast is there.
    page.get_by_role("button", name="See the forecast").click()
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot")
    assert_no_exception(page)


def test_forecast_scoreboard_and_csv_download(page, app_server, output_dir):
    go(page, app_server)
    _train(page, epochs=20, patience=0)
    page.wait_for_selector("text=Training finished", timeout=120_000)
    nav(page, "Forecast")
    page.wait_for_selector("text=Scoreboard on the holdout")
    wait_for_app(page)
    # Plotly draws after the script ends: wait for both charts (holdout and future) to draw.
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2")
    assert page.locator(".js-plotly-plot").count() == 2
    assert page.get_by_text("best baseline").count() >= 1
    assert_no_exception(page)
    screenshot(page, output_dir / "forecast.png")

    with page.expect_download() as info:
        page.get_by_role("button", name="Forecast (CSV)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    assert lines[0] == "date,forecast,lower,upper"
    assert len(lines) == 1 + 12  # the airline sample forecasts one season ahead


def test_runs_compare_two_runs_on_one_chart(page, app_server, output_dir):
    go(page, app_server)
    _train(page, epochs=10, units=3)
    page.wait_for_selector("text=Training finished", timeout=120_000)
    _train(page, epochs=10, units=5)
    # The first run's "Training finished" stays on the page until the second one is adopted:
    # wait for the second run to become the current run in the sidebar.
    page.locator('[data-testid="stSidebar"]').get_by_text("5 units").wait_for(timeout=120_000)
    page.wait_for_selector("text=Training finished", timeout=120_000)
    wait_for_app(page)
    nav(page, "Runs")
    picker = page.locator('[data-testid="stMultiSelect"]')
    for _ in range(2):
        picker.click()
        page.get_by_role("option").first.click()
        wait_for_app(page)
    page.keyboard.press("Escape")
    page.wait_for_selector("text=Forecasts on the holdout")
    wait_for_app(page)
    forecasts = page.evaluate(
        "() => { const plots = document.querySelectorAll('.js-plotly-plot');"
        " const p = plots[plots.length - 1]; return p.data.map(t => t.name); }"
    )
    assert "Actual" in forecasts and len(forecasts) >= 3, forecasts
    assert_no_exception(page)
    screenshot(page, output_dir / "runs_compare.png")
