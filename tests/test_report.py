"""Tests for the meeting's deck and HTML report (`lstm_core.report`), on hand-made runs."""

from __future__ import annotations

import html
import io
import re

import numpy as np
import openpyxl
import pytest
from hand_made_runs import hand_made_run
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from lstm_core.i18n import fmt_period
from lstm_core.narrative import narrative
from lstm_core.present import SCREEN_KEYS, present_screens, text
from lstm_core.report import build_deck, report_html, safe_filename

HOSTILE = '=HYPERLINK("http://x","y") <script>alert(1)</script>'
T = np.arange(48)


def _run(**kwargs):
    return hand_made_run(100 + T + 10 * np.sin(T * np.pi / 6), 150 + np.arange(6) * 2.0,
                         **kwargs)


def _deck(run, lang="en"):
    return Presentation(io.BytesIO(build_deck(run, lang)))


def _slide_text(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def _charts(slide) -> list:
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def _series(chart, name):
    (found,) = [s for s in chart.plots[0].series if s.name == name]
    return found


@pytest.mark.parametrize("lang", ["en", "th"])
def test_deck_has_a_cover_then_one_slide_per_screen_in_order(lang):
    run = _run()
    deck = _deck(run, lang)
    screens = present_screens(run, lang)
    assert len(deck.slides) == 1 + len(SCREEN_KEYS) == 6
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.001
    cover = _slide_text(deck.slides[0])
    assert run.name in cover and "sales.csv" in cover and "sales" in cover
    titles = [slide.shapes.title.text for slide in list(deck.slides)[1:]]
    assert titles == [screen.title for screen in screens]
    assert [len(_charts(slide)) for slide in list(deck.slides)[1:]] == [1, 1, 1, 1, 0]


@pytest.mark.parametrize("lang", ["en", "th"])
def test_future_slide_is_a_native_line_chart_of_the_forecast_frame(lang):
    run = _run()
    (chart,) = _charts(_deck(run, lang).slides[1 + SCREEN_KEYS.index("future")])
    assert chart.chart_type == XL_CHART_TYPE.LINE
    forecast = _series(chart, text("forecast", lang)).values
    h = len(run.future)
    assert all(v is None for v in forecast[:-h])  # the history points before are empty
    np.testing.assert_allclose(forecast[-h:], run.future["forecast"], rtol=1e-12)
    actual = _series(chart, text("actual", lang)).values
    np.testing.assert_allclose(actual[:-h], run.series.iloc[-len(actual) + h:], rtol=1e-12)
    assert all(v is None for v in actual[-h:])
    categories = list(chart.plots[0].categories)
    assert categories[-h:] == [fmt_period(d, "MS", lang) for d in run.future["date"]]
    assert len(categories) == len(forecast)


@pytest.mark.parametrize("lang", ["en", "th"])
def test_holdout_slide_shows_the_lstm_without_drivers_of_a_run_with_drivers(lang):
    actual = (100 + T + 10 * np.sin(T * np.pi / 6))[-6:]
    run = _run(baselines={"seasonal_naive": actual + 2, "no_drivers": actual + 4})
    (chart,) = _charts(_deck(run, lang).slides[1 + SCREEN_KEYS.index("holdout")])
    label = {"en": "LSTM without drivers", "th": "LSTM ที่ไม่ใช้ตัวขับเคลื่อน"}[lang]
    np.testing.assert_allclose(_series(chart, label).values, actual + 4, rtol=1e-12)
    (without,) = _charts(_deck(_run(), lang).slides[1 + SCREEN_KEYS.index("holdout")])
    assert label not in [s.name for s in without.plots[0].series]


def test_steps_without_dates_are_plain_numbers_on_the_chart():
    run = _run(freq=None)
    deck = _deck(run)
    (chart,) = _charts(deck.slides[1 + SCREEN_KEYS.index("future")])
    assert list(chart.plots[0].categories)[-6:] == [str(s) for s in run.future["step"]]
    (learning,) = _charts(deck.slides[1 + SCREEN_KEYS.index("learning")])
    assert list(learning.plots[0].categories) == ["1", "2", "3", "4"]
    assert _series(learning, text("loss", "en")).values == (1.0, 0.5, 0.3, 0.25)


@pytest.mark.parametrize("lang", ["en", "th"])
def test_summary_slide_holds_every_sentence_of_the_narrative(lang):
    run = _run()
    deck = _deck(run, lang)
    summary = _slide_text(deck.slides[-1])
    sentences = narrative(run, lang)
    assert len(sentences) >= 4
    for sentence in sentences:
        assert sentence in summary
    for slide, screen in zip(list(deck.slides)[1:], present_screens(run, lang), strict=True):
        for sentence in screen.sentences:
            assert sentence in _slide_text(slide)
            assert sentence in slide.notes_slide.notes_text_frame.text


def test_hostile_names_stay_literal_and_neutralised_in_the_deck():
    run = _run(name=HOSTILE, series_name=HOSTILE)
    deck = _deck(run)
    assert deck.slides[0].shapes.title.text == "'" + HOSTILE
    assert deck.core_properties.title == "'" + HOSTILE
    (chart,) = _charts(deck.slides[1])
    (line,) = chart.plots[0].series
    assert line.name == "'" + HOSTILE
    # The chart's own spreadsheet holds the name as text, not as a formula.
    workbook = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    cell = workbook.active["B1"]
    assert cell.value == "'" + HOSTILE and cell.data_type == "s"
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                assert not shape.text_frame.text.startswith("=")


def test_control_characters_in_names_are_dropped_not_a_crash():
    run = _run(name="sales\x01 run\x1f", series_name="units\x0b")
    deck = _deck(run)
    assert deck.slides[0].shapes.title.text == "sales run"
    page = report_html(run, "en")
    assert "sales run" in page and "sales\x01" not in page


@pytest.mark.parametrize("lang", ["en", "th"])
def test_report_is_one_offline_page_with_every_title_and_sentence(lang):
    run = _run()
    page = report_html(run, lang)
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in page and '<meta charset="utf-8">' in page
    words = html.unescape(page)
    assert run.name in words and "sales.csv" in words
    for screen in present_screens(run, lang):
        assert f"<h2>{html.escape(screen.title)}</h2>" in page
        for sentence in screen.sentences:
            assert sentence in words
    for sentence in narrative(run, lang):
        assert sentence in words
    assert len(re.findall(r'<div id="chart-', page)) == 4
    assert page.count("window.PlotlyConfig") == 1  # plotly.js inlined once, no CDN
    assert '<script src="http' not in page


def test_hostile_names_are_escaped_text_in_the_report():
    run = _run(name=HOSTILE, series_name=HOSTILE)
    page = report_html(run)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert html.unescape(heading) == "'" + HOSTILE
    assert "'" + HOSTILE in html.unescape(page)


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="Unknown language 'fr'"):
        build_deck(_run(), "fr")
    with pytest.raises(ValueError, match="Unknown language 'fr'"):
        report_html(_run(), "fr")


@pytest.mark.parametrize(("name", "suffix", "expected"), [
    (HOSTILE, ".pptx", "HYPERLINKhttpxy-scriptalert1script.pptx"),
    ("ยอดขาย ไตรมาส 3", "html", "ยอดขาย-ไตรมาส-3.html"),
    ("", ".pptx", "forecast.pptx"),
    ("  ../../\x00 ", ".html", "forecast.html"),
    ("../../etc/passwd", ".html", "etcpasswd.html"),
    ("sales.csv · window 12, 32 units · 05 Jan 14:30", ".pptx",
     "salescsv-window-12-32-units-05-Jan-1430.pptx"),
    ("CON", ".pptx", "forecast-CON.pptx"),
])
def test_safe_filename(name, suffix, expected):
    assert safe_filename(name, suffix) == expected


def test_safe_filename_caps_the_length():
    name = safe_filename("a" * 300, ".pptx")
    assert name == "a" * 80 + ".pptx"
