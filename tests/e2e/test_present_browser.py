"""Meeting mode in a real browser at 1366x768: every screen by arrow key, Thai, and the deck."""

from __future__ import annotations

import io
import re

import pytest
from browser_helpers import assert_no_exception, go, nav, train_tiny, wait_for_app

from lstm_core.present import SCREEN_KEYS, text

pytestmark = pytest.mark.browser
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def small_screen(browser, app_server):
    context = browser.new_context(viewport=SCREEN, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def _screen(page) -> tuple[str, str]:
    page.wait_for_selector(".js-plotly-plot .main-svg, .present-summary", timeout=60_000)
    return (page.locator("p.present-title").inner_text(),
            page.locator("p.present-count").inner_text())


def _press(page, key: str) -> None:
    page.keyboard.press(key)
    page.wait_for_timeout(300)
    wait_for_app(page)


def test_present_steps_through_a_saved_run_by_arrow_key_in_english_and_thai(
    small_screen, app_server, output_dir
):
    page = small_screen
    go(page, app_server)
    train_tiny(page, epochs=5)
    page.get_by_text(re.compile(r"Training (finished|stopped early) after")).wait_for(
        timeout=180_000)
    nav(page, "Present")
    opened = page.get_by_text(re.compile(r"Opened in [0-9.]+ s")).inner_text()
    print(f"\nPresent page: {opened.split('·')[-1].strip()} of script time to open the run")
    for number, key in enumerate(SCREEN_KEYS, start=1):
        title, count = _screen(page)
        assert (title, count) == (text(key, "en"), f"{number} / {len(SCREEN_KEYS)}")
        assert_no_exception(page)
        page.screenshot(path=str(output_dir / f"present_{number}_{key}.png"))
        if number < len(SCREEN_KEYS):
            _press(page, "ArrowRight")
    _press(page, "ArrowRight")  # past the last screen nothing moves
    assert _screen(page)[1] == f"{len(SCREEN_KEYS)} / {len(SCREEN_KEYS)}"

    page.locator('[data-testid="stSidebar"]').get_by_text("ไทย", exact=True).click()
    wait_for_app(page)
    page.locator("p.present-title").click()  # take the keys back from the language switch
    assert _screen(page)[0] == text("summary", "th")
    page.screenshot(path=str(output_dir / "present_th_5_summary.png"))
    for number in range(len(SCREEN_KEYS) - 1, 0, -1):
        _press(page, "ArrowLeft")
        title, count = _screen(page)
        key = SCREEN_KEYS[number - 1]
        assert (title, count) == (text(key, "th"), f"{number} / {len(SCREEN_KEYS)}")
        page.screenshot(path=str(output_dir / f"present_th_{number}_{key}.png"))

    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("สไลด์")).click()
    data = open(download.value.path(), "rb").read()
    assert download.value.suggested_filename.endswith(".pptx")
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data))
    assert len(deck.slides) == 1 + len(SCREEN_KEYS)
    words = "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                      if shape.has_text_frame)
    assert text("summary", "th") in words
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Training…").count() == 0
