"""Hostile input in a real browser: every corpus file, formula/HTML names, out-of-range settings,
and reloads or page changes while a model trains.

Every test ends on a screenshot in `test-output/` and checks that no traceback
(`stException`) and no "Sorry, something went wrong" apology reached the page.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pytest
from browser_helpers import assert_no_exception, fill_number, go, nav, wait_for_app

from lstm_core.config import LIMITS, Settings
from lstm_core.data import load_panel
from lstm_core.errors import DataError

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
UPLOAD_TYPES = {".csv", ".tsv", ".txt", ".xlsx"}  # what pages/data.py's uploader accepts
CORPUS_FILES = sorted(
    (p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in UPLOAD_TYPES | {".xls"}),
    key=lambda p: p.relative_to(CORPUS).as_posix(),
)
APOLOGY = "Sorry, something went wrong"
HTML_NAME = "<img src=x onerror=alert(1)><b>bold</b>"
FORMULA_NAME = '=HYPERLINK("http://x","click")'
HTML_FILE_NAME = "<img src=y onerror=alert(2)>.csv"
EPOCH_TEXT = re.compile(r"Epoch (\d+) of up to (\d+)")


# -- helpers ---------------------------------------------------------------------------------


def _number_value(page, label: str) -> float:
    return float(page.get_by_label(label, exact=True).input_value().replace(",", ""))


def _assert_clean(page) -> None:
    """No traceback and no apology from app.py's catch-all on the page."""
    assert_no_exception(page)
    body = page.locator("body").inner_text()
    assert APOLOGY not in body, "the app's catch-all apology is on the page"


def _sidebar_texts(page) -> list[str]:
    return page.locator('[data-testid="stSidebar"] [data-testid="stText"]').all_inner_texts()


def _epoch_progress(page) -> tuple[int, int] | None:
    match = EPOCH_TEXT.search(page.locator("body").inner_text())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _shot(page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"hostile_{name}.png"), full_page=True)


def _engine_outcome(path: Path) -> str:
    """What the engine says about the file: the dashboard must agree ('loaded' or 'error')."""
    if path.suffix not in UPLOAD_TYPES:
        return "rejected"
    try:
        # The Data page reads every file as the panel it is (one series: `load_dataset`'s).
        panel = load_panel(path.read_bytes(), path.name)
    except DataError:
        return "error"
    return "loaded" if len(panel.dataset(panel.ids[0]).series) else "error"


# The state of the page after an upload, read in one pass so no step is missed.
_OUTCOME_JS = """(name) => {
  if (document.querySelector('[data-testid="stException"]')) return 'exception';
  if (document.body.innerText.includes('Sorry, something went wrong')) return 'apology';
  const chips = [...document.querySelectorAll('[data-testid="stFileChip"]')];
  const chip = chips.find(c => (c.getAttribute('aria-label') || '').startsWith(name + ','));
  if (chip && chip.getAttribute('aria-invalid') === 'true') return 'rejected';
  const side = [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stText"]')];
  if (side.some(e => e.innerText.trim() === name)) return 'loaded';
  const errors = [...document.querySelectorAll('[data-testid="stAlertContentError"]')];
  if (errors.some(e => e.innerText.includes(name))) return 'error';
  return null;
}"""

_FIRST_TRACE_POINTS_JS = """() => {
  const p = document.querySelector('.js-plotly-plot');
  return p && p._fullData && p._fullData[0] ? p._fullData[0].y.length : 0;
}"""


@pytest.fixture
def final_shot(page, output_dir, request):
    """Whatever happens, leave the page's last state in test-output/ (teardown runs first)."""
    yield page
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        _shot(page, output_dir, f"end_{name}")
    except Exception:  # a closed page has nothing to show
        pass


# -- a. every corpus file through the real uploader -------------------------------------------


@pytest.fixture(scope="module")
def shared_page(browser, app_server):
    """One page for the whole corpus: uploads replace each other in the single-file uploader."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    go(pg, app_server)
    pg.wait_for_selector(".js-plotly-plot")
    yield pg
    context.close()


@pytest.mark.parametrize(
    "path", CORPUS_FILES, ids=[p.relative_to(CORPUS).as_posix() for p in CORPUS_FILES]
)
def test_corpus_file_ends_in_chart_or_plain_error(shared_page, path, output_dir):
    page = shared_page
    expected = _engine_outcome(path)
    before = _sidebar_texts(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    handle = page.wait_for_function(_OUTCOME_JS, arg=path.name, timeout=60_000)
    outcome = handle.json_value()
    wait_for_app(page)
    _shot(page, output_dir, f"upload_{path.stem}")
    assert outcome == expected, f"{path.name}: the page shows {outcome!r}, expected {expected!r}"
    _assert_clean(page)

    if outcome == "loaded":
        caption = page.locator('[data-testid="stSidebar"]').get_by_text(" points").inner_text()
        points = int(caption.split(" points")[0].replace(",", ""))
        # The chart is redrawn for the new file: its series has exactly the sidebar's points.
        page.wait_for_function(f"() => ({_FIRST_TRACE_POINTS_JS})() === {points}")
        assert page.locator('[data-testid="stText"]').get_by_text(path.name, exact=True).count()
    elif outcome == "error":
        message = page.locator('[data-testid="stAlertContentError"]').inner_text()
        assert message.startswith(f"{path.name}: ")
        assert message.endswith("The previous dataset stays loaded.")
        assert _sidebar_texts(page) == before, "a refused file must not replace the dataset"
    else:  # the uploader refused the type: the file chip says why, nothing was read
        chip = page.locator('[data-testid="stFileChip"]').filter(has_text=path.name)
        chip.hover()
        tooltip = page.locator('[data-testid="stTooltipErrorContent"]')
        tooltip.wait_for()
        assert "files are not allowed" in tooltip.inner_text()
        _shot(page, output_dir, f"upload_{path.stem}_tooltip")
        assert _sidebar_texts(page) == before
        # Tidy the uploader so the next file starts from a clean widget.
        page.get_by_role("button", name=f"Remove {path.name}").click()
        wait_for_app(page)
        _assert_clean(page)


# -- b. formula-like and HTML-like names -------------------------------------------------------


def _hostile_csv() -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([HTML_NAME, FORMULA_NAME, "@SUM(1+1)"])
    for i in range(90):
        day = f"2021-{1 + i // 28:02d}-{1 + i % 28:02d}"
        writer.writerow([day, f"{50 + 10 * math.sin(i / 3):.3f}", i])
    return buf.getvalue().encode("utf-8")


def _no_markup_from_names(page) -> None:
    assert page.locator('img[src="x"]').count() == 0, "an <img> from a column name is in the DOM"
    assert page.locator('img[src="y"]').count() == 0, "an <img> from the file name is in the DOM"
    for tag in ("b", "strong"):
        assert page.locator(tag, has_text="bold").count() == 0, f"<{tag}>bold was rendered"


@pytest.mark.usefixtures("final_shot")
def test_formula_and_html_names_stay_literal_text(page, app_server, output_dir, tmp_path):
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.context.on("page", lambda p: p.on("dialog", on_dialog))
    go(page, app_server)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": HTML_FILE_NAME, "mimeType": "text/csv", "buffer": _hostile_csv()}]
    )
    page.wait_for_function(_OUTCOME_JS, arg=HTML_FILE_NAME)
    wait_for_app(page)
    assert HTML_FILE_NAME in _sidebar_texts(page)
    page.wait_for_selector(".js-plotly-plot")
    # The value column heads the chart, the date column is in the health card: both verbatim.
    assert page.get_by_text(FORMULA_NAME, exact=False).count() >= 1
    assert page.get_by_text(HTML_NAME, exact=False).count() >= 1
    _no_markup_from_names(page)
    _assert_clean(page)
    _shot(page, output_dir, "names_data")

    nav(page, "Train")
    fill_number(page, "Epochs", 3)
    fill_number(page, "Early-stopping patience", 0)
    fill_number(page, "LSTM units", 4)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector("text=Training finished", timeout=180_000)
    assert page.get_by_text(HTML_FILE_NAME, exact=False).count() >= 1
    _no_markup_from_names(page)
    _assert_clean(page)

    nav(page, "Forecast")
    page.wait_for_selector("text=Scoreboard on the holdout")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length === 2")
    # Both charts' y-axis titles carry the value column's name exactly as typed.
    titles = page.locator(".js-plotly-plot .ytitle").all_text_contents()
    assert titles == [FORMULA_NAME, FORMULA_NAME], titles
    _no_markup_from_names(page)
    _assert_clean(page)
    _shot(page, output_dir, "names_forecast")

    with page.expect_download() as info:
        page.get_by_role("button", name="Forecast (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["date", "forecast", "lower", "upper"]  # no user text in this file
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@"):
                float(cell)  # only a plain number may start like a formula

    # The holdout chart download is the file that carries the names: escaped, and inert when
    # opened in a browser.
    with page.expect_download() as info:
        page.get_by_role("button", name="Holdout chart (HTML)").click()
    html_path = tmp_path / "holdout.html"
    info.value.save_as(html_path)
    html = html_path.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "<b>bold</b>" not in html
    viewer = page.context.new_page()
    viewer.goto(html_path.as_uri())
    viewer.wait_for_selector(".js-plotly-plot")
    assert viewer.locator(".js-plotly-plot .ytitle").first.text_content() == FORMULA_NAME
    _no_markup_from_names(viewer)
    viewer.close()
    assert dialogs == [], f"a dialog fired: {dialogs}"


@pytest.mark.usefixtures("final_shot")
def test_chart_axis_title_shows_the_column_name_verbatim(page, app_server):
    go(page, app_server)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "quotes.csv", "mimeType": "text/csv", "buffer": _hostile_csv()}]
    )
    page.wait_for_function(_OUTCOME_JS, arg="quotes.csv")
    wait_for_app(page)
    page.wait_for_function(
        "() => { const t = document.querySelector('.js-plotly-plot .ytitle');"
        " return t && t.textContent.includes('HYPERLINK'); }"
    )
    _assert_clean(page)
    assert page.locator(".js-plotly-plot .ytitle").first.text_content() == FORMULA_NAME


@pytest.mark.usefixtures("final_shot")
def test_names_with_urls_do_not_become_links(page, app_server):
    go(page, app_server)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "links.csv", "mimeType": "text/csv", "buffer": _hostile_csv()}]
    )
    page.wait_for_function(_OUTCOME_JS, arg="links.csv")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot")
    _assert_clean(page)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator('a[href*="//x"]').count() == 0, "a column name became a link"


# -- c. out-of-range settings ------------------------------------------------------------------


def _stop_if_training(page) -> None:
    stop = page.get_by_role("button", name="Stop", exact=True)
    if stop.count():
        stop.click()
        page.wait_for_selector("text=Training stopped early", timeout=180_000)
        wait_for_app(page)


@pytest.mark.usefixtures("final_shot")
def test_typed_values_beyond_the_caps_never_reach_training(page, app_server, output_dir):
    go(page, app_server)
    nav(page, "Train")
    fill_number(page, "Early-stopping patience", 0)
    typed = {"Epochs": (999999, 1, LIMITS["epochs"]), "LSTM units": (100000, 1, LIMITS["units"]),
             "Window (past steps read)": (0, 1, LIMITS["input_length"])}
    before = {label: _number_value(page, label) for label in typed}
    for label, (value, _, _) in typed.items():
        fill_number(page, label, value)
    wait_for_app(page)
    _assert_clean(page)
    for label, (_, low, high) in typed.items():
        box = page.get_by_label(label, exact=True)
        shown = _number_value(page, label)
        # Streamlit either clamps the box or keeps the typed text marked invalid (not sent).
        assert low <= shown <= high or box.get_attribute("aria-invalid") == "true", (
            f"{label} shows {shown} outside {low}..{high} and is not marked invalid"
        )
    _shot(page, output_dir, "caps_typed")
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_timeout(3000)
    wait_for_app(page)
    _assert_clean(page)
    progress = _epoch_progress(page)
    if progress is not None:  # it trains with the last legal value, never the typed one
        assert progress[1] in (before["Epochs"], LIMITS["epochs"]), progress
        _stop_if_training(page)
    else:  # Streamlit did not submit the form with invalid boxes: nothing may have started
        assert page.get_by_role("button", name="Stop", exact=True).count() == 0
        assert "Queued" not in page.locator("body").inner_text()
    _shot(page, output_dir, "caps_after_train_click")

    # Correcting the boxes makes the same form train with exactly the corrected values.
    for label, value in (("Epochs", 2), ("LSTM units", 4), ("Window (past steps read)", 12)):
        fill_number(page, label, value)
        assert page.get_by_label(label, exact=True).get_attribute("aria-invalid") != "true"
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_selector("text=Training finished after 2 epochs", timeout=180_000)
    wait_for_app(page)
    _assert_clean(page)


def _open_settings_expander(page) -> None:
    page.get_by_text("Settings file (JSON)", exact=True).click()
    page.get_by_role("button", name="Download these settings").wait_for()


def _download_settings(page) -> dict:
    with page.expect_download() as info:
        page.get_by_role("button", name="Download these settings").click()
    return json.loads(Path(info.value.path()).read_text(encoding="utf-8"))


def _upload_settings(page, payload: bytes) -> None:
    box = page.locator('[data-testid="stExpander"]').filter(has_text="Settings file (JSON)")
    box.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "settings.json", "mimeType": "application/json", "buffer": payload}]
    )


def _with(base: dict, section: str | None, key: str, value) -> dict:
    changed = json.loads(json.dumps(base))
    if section is None:
        changed[key] = value
    else:
        changed[section][key] = value
    return changed


def _refusal(payload: bytes) -> str:
    """Why the engine refuses this settings file (the page must say exactly this)."""
    try:
        Settings.from_dict(json.loads(payload.decode("utf-8")))
    except (ValueError, UnicodeDecodeError) as exc:
        return str(exc)
    pytest.fail(f"the engine accepted {payload[:60]!r}")


@pytest.fixture(scope="module")
def settings_page(browser, app_server, output_dir):
    """One Train page for every settings file below, with the settings it offered at first.

    Each upload replaces the last one in the uploader, and each case changes one field of the
    first settings, so the cases do not depend on each other's order.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    go(pg, app_server)
    nav(pg, "Train")
    _open_settings_expander(pg)
    good = _download_settings(pg)
    Settings.from_dict(good)  # the downloaded file is valid as it is
    yield pg, good
    context.close()


def _upload_and_expect_refusal(page, payload: bytes) -> None:
    reason = _refusal(payload)
    _upload_settings(page, payload)
    expected = (f"That settings file could not be used: {reason} Download a settings file from "
                "this page to see the expected format.")
    # The previous case's message may still be on the page: wait for this one's.
    page.locator('[data-testid="stAlertContentError"]').filter(has_text=reason).wait_for()
    wait_for_app(page)
    errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert [e.strip() for e in errors] == [expected]
    _assert_clean(page)
    page.locator('[data-testid="stAlertContentError"]').scroll_into_view_if_needed()


# Settings the engine itself refuses: the page must say why in one plain message.
REFUSED = {
    "window_zero": ("window", "input_length", 0),
    "epochs_huge": ("train", "epochs", 999999),
    "units_huge": ("model", "units", 100000),
    "level_nan": (None, "level", float("nan")),
    "units_text": ("model", "units", "many"),
    "dropout_beyond_cap": ("model", "dropout", 0.995),
    "learning_rate_below_cap": ("train", "learning_rate", 1e-7),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_out_of_range_settings_file_gives_plain_error(settings_page, output_dir, case):
    page, good = settings_page
    _upload_and_expect_refusal(page, json.dumps(_with(good, *REFUSED[case])).encode("utf-8"))
    _shot(page, output_dir, f"settings_{case}")


@pytest.mark.parametrize("payload", [b"[]", b"not json {", b"\xff\xfe\x00garbage"],
                         ids=["json_list", "not_json", "not_utf8"])
def test_malformed_settings_file_gives_plain_error(settings_page, output_dir, payload):
    page, _ = settings_page
    _upload_and_expect_refusal(page, payload)
    _shot(page, output_dir, f"settings_malformed_{len(payload)}")


# Settings the engine accepts at the edges of config.py's ranges: the Train form's widgets must
# be able to show them, or loading the file breaks the Train page (dropout and learning-rate caps
# live in config.LIMITS and the form reads them from there). The last item is the form's label.
EDGE_SETTINGS = {
    "dropout_0.95": ("model", "dropout", 0.95, "Dropout"),
    "dropout_0.99": ("model", "dropout", 0.99, "Dropout"),
    "holdout_2000": (None, "holdout", 2000, "Holdout length"),
    "learning_rate_1e-6": ("train", "learning_rate", 1e-6, "Learning rate"),
    "level_0.3": (None, "level", 0.3, "Interval level"),
}
EDGE_CASES = sorted(EDGE_SETTINGS)

_FORM_VALUE_JS = """([label, value]) => {
    const box = document.querySelector(`input[aria-label="${label}"]`)
        || [...document.querySelectorAll('[data-testid="stSlider"]')]
            .filter(s => s.innerText.includes(label))
            .map(s => s.querySelector('[role="slider"]'))[0];
    if (!box) return false;
    const shown = Number(String(box.value ?? box.getAttribute("aria-valuenow")).replace(/,/g, ""));
    return Math.abs(shown - value) <= 1e-9 + 1e-6 * Math.abs(value);
}"""


@pytest.mark.parametrize("case", EDGE_CASES)
def test_settings_file_at_the_edges_keeps_train_page_usable(settings_page, output_dir, case):
    page, good = settings_page
    section, key, value, label = EDGE_SETTINGS[case]
    accepted = _with(good, section, key, value)
    Settings.from_dict(accepted)  # legal for the engine and the CLI
    _upload_settings(page, json.dumps(accepted).encode("utf-8"))
    page.wait_for_function(_FORM_VALUE_JS, arg=[label, value])  # the form shows the file's value
    wait_for_app(page)
    page.get_by_text(label, exact=True).scroll_into_view_if_needed()
    _shot(page, output_dir, f"settings_wide_{case}")
    _assert_clean(page)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert page.get_by_role("button", name="Train", exact=True).count() == 1


# -- d. reload and page changes during training ------------------------------------------------


def _start_training(page, epochs: int) -> None:
    nav(page, "Train")
    fill_number(page, "Epochs", epochs)
    fill_number(page, "Early-stopping patience", 0)
    fill_number(page, "LSTM units", 4)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("() => /Epoch [1-9]\\d* of up to/.test(document.body.innerText)",
                           timeout=180_000)


@pytest.mark.usefixtures("final_shot")
def test_navigating_away_and_back_keeps_the_same_job(page, app_server, output_dir):
    go(page, app_server)
    _start_training(page, epochs=1500)
    first = _epoch_progress(page)
    assert first is not None and first[1] == 1500
    nav(page, "Data")
    page.wait_for_selector(".js-plotly-plot")
    _assert_clean(page)
    _shot(page, output_dir, "nav_data_during_training")
    nav(page, "Train")
    page.wait_for_function("() => /Epoch \\d+ of up to 1500/.test(document.body.innerText)")
    again = _epoch_progress(page)
    assert again is not None and again[1] == 1500 and again[0] >= first[0], (first, again)
    # Still the same job: it keeps counting from where it was, not from epoch 1.
    page.wait_for_function(
        f"() => {{ const m = /Epoch (\\d+) of up to/.exec(document.body.innerText);"
        f" return m && Number(m[1]) > {again[0]}; }}"
    )
    _assert_clean(page)
    _shot(page, output_dir, "nav_back_to_train")
    page.get_by_role("button", name="Stop", exact=True).click()
    page.wait_for_selector("text=Training stopped early", timeout=180_000)
    wait_for_app(page)
    _assert_clean(page)
    _shot(page, output_dir, "nav_stopped")


@pytest.mark.usefixtures("final_shot")
def test_reload_during_training_loads_cleanly(page, app_server, output_dir):
    go(page, app_server)
    # Short enough that the orphaned job (a reload starts a new session) ends soon by itself.
    _start_training(page, epochs=600)
    page.reload()
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).wait_for()
    wait_for_app(page)
    _assert_clean(page)
    assert page.get_by_role("button", name="Train", exact=True).count() == 1
    # A fresh session: the sample dataset, no job from the old session.
    assert _epoch_progress(page) is None
    nav(page, "Data")
    page.wait_for_selector(".js-plotly-plot")
    _assert_clean(page)
    _shot(page, output_dir, "reload_during_training")
