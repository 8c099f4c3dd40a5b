"""Drivers in a real browser: mark promo as known ahead, train, edit a planned promotion in the
future table and see the scenario line and the difference in total; reopen the run, load its
networks from the bundle and do the same."""

from __future__ import annotations

import math
import random
import time
from pathlib import Path

import pytest
from browser_helpers import assert_no_exception, go, nav, screenshot, train_tiny, wait_for_app

pytestmark = pytest.mark.browser
POINTS, FUTURE = 96, 12
PLANNED = {6, 7, 8, 9}  # future rows (July to October 2024) with a promotion planned


def _promo_csv(path: Path) -> Path:
    """96 monthly `date, sales, promo` rows (a promotion adds 60) and 12 planned future rows."""
    draws = [random.Random(t).random() for t in range(POINTS + FUTURE)]  # fixed, so runs repeat
    lines = ["date,sales,promo"]
    for t in range(POINTS + FUTURE):
        month = f"{2016 + t // 12}-{t % 12 + 1:02d}-01"
        promo = int(draws[t] < 0.3) if t < POINTS else int(t - POINTS in PLANNED)
        noise = (draws[t] - 0.5) * 8
        sales = 200 + t + 25 * math.sin(2 * math.pi * t / 12) + 60 * promo + noise
        lines.append(f"{month},{f'{sales:.1f}' if t < POINTS else ''},{promo}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_TRACES = (
    "(t) => { for (const p of document.querySelectorAll('.js-plotly-plot')) {"
    " const title = (p._fullLayout && p._fullLayout.title) || (p.layout && p.layout.title);"
    " const text = title && (title.text !== undefined ? title.text : title);"
    " if (p._fullData && String(text).replace(/<[^>]*>/g, '') === t)"
    " return p._fullData.map(d => d.name); }"
    " return null; }"
)


def _trace_names(page, title: str) -> list[str]:
    """The trace names of the chart with this title (Streamlit wraps it in <b>), once drawn."""
    page.wait_for_function(_TRACES, arg=title, timeout=30_000)
    return page.evaluate(_TRACES, title)


def _plan_promotion(page, row: int) -> tuple[str, float]:
    """Select the promo cell of a future row, type 1 and press Enter; the difference sentence
    and how long it took to appear (s).

    Typing on a selected cell starts editing it. (Double-clicking, selecting the text and typing
    sometimes lost the edit once a saved-scenario picker sat above the grid; the grid is tried
    again when no sentence follows.)
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    editor = page.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator("text=Assumed")).last
    difference = page.get_by_text("total over the next 12 months is")
    header, height = 35, 35
    for attempt in range(3):
        editor.scroll_into_view_if_needed()
        box = editor.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + header + height * row + height / 2)
        page.wait_for_timeout(300 * (attempt + 1))
        page.keyboard.type("1")
        page.wait_for_timeout(200)
        started = time.monotonic()
        page.keyboard.press("Enter")
        try:
            difference.wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    seconds = time.monotonic() - started
    wait_for_app(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(p => p._fullData"
        " && p._fullData.some(d => d.name === 'Scenario'))", timeout=30_000)
    return difference.inner_text(), seconds


def test_mark_a_driver_train_and_change_the_future(page, app_server, output_dir, tmp_path):
    page.set_viewport_size({"width": 1400, "height": 1100})
    go(page, app_server)
    upload = _promo_csv(tmp_path / "promo_sales.csv")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.wait_for_selector("text=Data health", timeout=60_000)
    wait_for_app(page)

    radio = page.locator('[data-testid="stRadio"]').filter(
        has=page.get_by_text("promo", exact=True))
    known = radio.get_by_text("known ahead", exact=True)
    for _ in range(3):  # the expander may still be redrawing after the upload
        if known.is_visible():
            break
        page.locator('[data-testid="stExpander"] summary').filter(
            has_text="Drivers").click()
        page.wait_for_timeout(1000)
    known.click()
    page.get_by_role("button", name="Apply drivers").click()
    page.wait_for_selector("text=Drivers in use", timeout=60_000)
    wait_for_app(page)
    page.wait_for_selector("text=known-ahead driver values are used as the future values")
    assert_no_exception(page)
    page.get_by_text("Drivers in use").scroll_into_view_if_needed()
    screenshot(page, output_dir / "drivers_data.png")

    train_tiny(page, epochs=30)
    page.wait_for_selector("text=Training finished", timeout=240_000)
    wait_for_app(page)
    assert_no_exception(page)

    nav(page, "Forecast")
    page.wait_for_selector("text=Future drivers", timeout=60_000)
    wait_for_app(page)
    page.wait_for_selector("text=LSTM without drivers")
    page.wait_for_selector("strong:has-text(\"On the holdout the drivers\")")
    names = _trace_names(page, "Forecast")
    assert "Forecast" in names and "Scenario" not in names, names
    holdout = _trace_names(page, "Forecast vs actual on the holdout")
    assert holdout[-1] == "LSTM without drivers" and "Seasonal naive" in holdout, holdout
    screenshot(page, output_dir / "drivers_forecast.png")

    # Plan a promotion in February 2024 (row 1 of the future table).
    sentence, seconds = _plan_promotion(page, 1)
    names = _trace_names(page, "Forecast and scenario")
    assert "Scenario" in names and "Forecast" in names, names
    assert sentence.startswith("The scenario") and "against the original forecast" in sentence
    assert "(+" in sentence, sentence
    assert page.get_by_text("1 future value changed").count() == 1
    assert_no_exception(page)
    print(f"what-if shown {seconds:.2f} s after the edit: {sentence}")
    page.get_by_text("Forecast and scenario").first.scroll_into_view_if_needed()
    screenshot(page, output_dir / "drivers_whatif.png")

    page.get_by_label("Scenario name").fill("Promotion in February")
    page.get_by_label("Scenario name").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Save scenario").click()
    page.wait_for_selector("text=Saved scenarios (1)", timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)

    # The same run reopened from the Runs page: load its networks, plan a promotion in March.
    nav(page, "Runs")
    page.locator('[data-testid="stMultiSelect"]').click()
    page.get_by_role("option").filter(has_text="promo_sales").first.click()
    wait_for_app(page)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Open on the Forecast page").click()
    load = page.get_by_role("button", name="Load the networks for a what-if")
    load.wait_for(timeout=60_000)
    wait_for_app(page)
    started = time.monotonic()
    load.click()
    page.wait_for_selector("text=loaded from its bundle", timeout=60_000)
    wait_for_app(page)
    loaded = time.monotonic() - started
    sentence, seconds = _plan_promotion(page, 2)
    assert "against the original forecast" in sentence and "(+" in sentence, sentence
    names = _trace_names(page, "Forecast and scenario")
    assert "Scenario" in names, names
    assert_no_exception(page)
    print(f"reopened run: networks loaded in {loaded:.2f} s, what-if shown {seconds:.2f} s "
          f"after the edit: {sentence}")
    page.get_by_text("Forecast and scenario").first.scroll_into_view_if_needed()
    screenshot(page, output_dir / "drivers_reopened_whatif.png")
