"""Training in front of an audience: on a 1366x768 screen the live loss chart needs no scrolling."""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, go, screenshot, train_tiny, wait_for_app

pytestmark = pytest.mark.browser
SCREEN = {"width": 1366, "height": 768}
LIVE_CHART = ".js-plotly-plot"


@pytest.fixture
def small_screen(browser, app_server):
    """A page the size of a common laptop or projector screen."""
    context = browser.new_context(viewport=SCREEN)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def _points(page) -> int:
    """Number of epochs drawn in the first trace of the loss chart."""
    return page.evaluate(
        "(sel) => { const p = document.querySelector(sel);"
        " return p && p._fullData && p._fullData[0] ? p._fullData[0].y.length : 0; }",
        LIVE_CHART,
    )


def _assert_on_screen(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not drawn"
    assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"], (
        f"{selector} spans y={box['y']:.0f}..{box['y'] + box['height']:.0f}, "
        f"the screen is {SCREEN['height']} px tall"
    )


def test_pressing_train_shows_the_growing_loss_chart_without_scrolling(
    small_screen, app_server, output_dir
):
    page = small_screen
    go(page, app_server)
    train_tiny(page, epochs=300, patience=0, units=4)
    page.wait_for_function(
        "(sel) => { const p = document.querySelector(sel);"
        " return p && p._fullData && p._fullData[0] && p._fullData[0].y.length >= 2; }",
        arg=LIVE_CHART, timeout=120_000,
    )
    first = _points(page)
    # The form folded away: chart, progress and Stop sit within the screen as they are.
    assert page.get_by_text("Settings (locked while training)").is_visible()
    assert page.locator('[data-testid="stForm"]').is_hidden()
    for selector in (f"{LIVE_CHART} .main-svg", '[data-testid="stProgress"]',
                     '[data-testid="stButton"]:has-text("Stop")'):
        _assert_on_screen(page, selector)
    page.screenshot(path=str(output_dir / "train_screen_live.png"))  # exactly what the room sees
    page.wait_for_function(
        "([sel, n]) => { const p = document.querySelector(sel);"
        " return p && p._fullData && p._fullData[0] && p._fullData[0].y.length > n; }",
        arg=[LIVE_CHART, first], timeout=60_000,
    )
    _assert_on_screen(page, f"{LIVE_CHART} .main-svg")
    assert_no_exception(page)

    page.wait_for_selector("text=Training finished after 300 epochs", timeout=180_000)
    wait_for_app(page)
    assert _points(page) == 300
    _assert_on_screen(page, f"{LIVE_CHART} .main-svg")  # the final chart stays where it was
    page.screenshot(path=str(output_dir / "train_screen_done.png"))
    # The settings came back, unlocked and holding what was trained.
    form = page.locator('[data-testid="stForm"]')
    assert form.is_visible()
    assert page.get_by_text("Settings (locked while training)").count() == 0
    assert page.get_by_role("button", name="Train", exact=True).is_enabled()
    assert page.get_by_label("Epochs", exact=True).input_value() == "300"
    assert page.get_by_label("LSTM units", exact=True).input_value() == "4"
    assert_no_exception(page)
    screenshot(page, output_dir / "train_screen_done_page.png")
