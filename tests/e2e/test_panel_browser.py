"""Many series in one upload, in a real browser: table, small multiples, train, pick, download."""

from __future__ import annotations

import contextlib
import csv
import io
import math
from pathlib import Path

import pytest
from browser_helpers import (
    assert_no_exception,
    fill_number,
    go,
    nav,
    screenshot,
    wait_for_app,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
IDS = [f"store {i:02d}" for i in range(20)]


def _long_csv(path: Path) -> Path:
    """20 series of 60 monthly points in one long file: `store, month, sales`."""
    lines = ["store,month,sales"]
    for i, key in enumerate(IDS):
        for t in range(60):
            month = f"{2019 + t // 12}-{t % 12 + 1:02d}-01"
            noise = ((i * 7919 + t * 104729) % 17 - 8) * 0.9  # fixed, so runs repeat
            value = 200 + 15 * i + 20 * math.sin(2 * math.pi * t / 12) + (1 + i % 3) * t + noise
            lines.append(f"{key},{month},{value:.1f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _charts_drawn(page, count: int) -> None:
    page.wait_for_function(
        "(n) => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n", arg=count,
        timeout=60_000,
    )


def _pick(page, label: str, option: str) -> None:
    """Choose `option` in the selectbox labelled `label` (typing filters the list)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.get_by_text(label, exact=True))
    box.locator("input").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_many_series_upload_train_pick_and_download(page, app_server, output_dir, tmp_path):
    page.set_viewport_size({"width": 1400, "height": 1400})
    go(page, app_server)
    upload = _long_csv(tmp_path / "stores.csv")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.wait_for_selector("text=20 series", timeout=60_000)
    wait_for_app(page)
    _charts_drawn(page, 2)  # the small multiples and the picked series
    grid = page.evaluate(
        "() => document.querySelectorAll('.js-plotly-plot')[0].data.map(t => t.name)")
    assert grid == IDS, grid
    # The table's grid is loaded on demand: under load it mounts after the charts have drawn.
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=30_000)
    assert page.get_by_text("Health of every series").count() == 1
    assert_no_exception(page)
    screenshot(page, output_dir / "panel_data.png")

    nav(page, "Train")
    page.wait_for_selector("text=All 20 series, one LSTM for all (global)")
    fill_number(page, "Epochs", 8)
    fill_number(page, "Early-stopping patience", 0)
    fill_number(page, "LSTM units", 4)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector("text=Training finished", timeout=240_000)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, output_dir / "panel_trained.png")

    nav(page, "Forecast")
    page.wait_for_selector("text=Scoreboard across 20 series")
    wait_for_app(page)
    page.wait_for_selector("text=The LSTM beat seasonal naive in")
    _pick(page, "Series", "store 07")
    page.wait_for_selector("h3:has-text('store 07')")
    wait_for_app(page)
    _charts_drawn(page, 2)
    noise = (7 * 7919 % 17 - 8) * 0.9
    first_month = round(305.0 + noise, 1)  # store 07's first month
    # The heading changes before Plotly redraws the chart under it: wait for the new data.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "(v) => { const p = document.querySelectorAll('.js-plotly-plot')[0];"
            " return p && p._fullData && p._fullData[0] && p._fullData[0].y[0] === v; }",
            arg=first_month, timeout=30_000)
    first = page.evaluate(
        "() => { const p = document.querySelectorAll('.js-plotly-plot')[0];"
        " return [p.layout.title.text, p._fullData[0].name, p._fullData[0].y[0]]; }")
    assert "Forecast vs actual on the holdout" in first[0]
    assert first[1:] == ["History", first_month], first
    assert_no_exception(page)
    screenshot(page, output_dir / "panel_forecast.png")

    with page.expect_download() as info:
        page.get_by_role("button", name="All forecasts (CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["series", "date", "forecast", "lower", "upper"]
    assert sorted({r[0] for r in rows[1:]}) == IDS
    assert len(rows) == 1 + 20 * 12  # one season ahead for every store

    nav(page, "Runs")
    picker = page.locator('[data-testid="stMultiSelect"]')
    picker.click()
    page.get_by_role("option").filter(has_text="20 series").first.click()
    wait_for_app(page)
    page.keyboard.press("Escape")
    page.wait_for_selector("text=This run forecast 20 series")
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, output_dir / "panel_runs.png")
