"""The meeting's PowerPoint deck: a cover, then one slide per Present screen.

Charts are native PowerPoint line charts (their numbers live in the deck, so the audience can
restyle or re-plot them), drawn from the same tables as the Present page's Plotly charts; the
screen's sentences sit beside the chart in large type and in the speaker notes. The last screen,
the narrative, is text only.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from lstm_core.i18n import check_language, fmt_period, series_freq
from lstm_core.present import Screen, present_screens
from lstm_core.report._common import cover_lines, made_with, safe_screen, user_text

# 16:9 at PowerPoint's own widescreen size.
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_HEIGHT = Inches(1.0)
CHART_WIDTH = Inches(8.2)
# Office's Thai UI font: it holds Thai glyphs on every Windows and Mac that runs Office.
THAI_FONT = "Leelawadee UI"
# Same colours as the Present page's Plotly lines; the range's two edges in a pale red.
_LINE_COLOURS = ("1F77B4", "D62728", "2CA02C", "FF7F0E", "9467BD")
_BAND_COLOUR = "E8A0A0"
_TITLE_LAYOUT, _TITLE_ONLY_LAYOUT = 0, 5


def build_deck(run: Any, lang: str = "en", backtest: Mapping[str, Any] | None = None) -> bytes:
    """The run's deck as .pptx bytes: a cover and one slide per screen of `present_screens`.

    Args:
        run: a `PresentedRun`.
        lang: "en" or "th".
        backtest: a backtest summary (default: the one stored with the run, if any).

    Returns:
        The contents of a .pptx file.
    """
    check_language(lang)
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    title, lines = cover_lines(run, lang)
    deck.core_properties.title = title
    _cover_slide(deck, title, [*lines, made_with(lang)], lang)
    freq = series_freq(run.series)
    for screen in present_screens(run, lang, backtest):
        _screen_slide(deck, safe_screen(screen), freq, lang)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _cover_slide(deck: Any, title: str, lines: list[str], lang: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[_TITLE_LAYOUT])
    heading, subtitle = slide.placeholders[0], slide.placeholders[1]
    width = SLIDE_WIDTH - 2 * MARGIN
    _place(heading, MARGIN, Inches(1.6), width, Inches(2.2))
    _place(subtitle, MARGIN, Inches(4.0), width, Inches(2.6))
    _write(heading.text_frame, [title], 40, lang, bold=True)
    _write(subtitle.text_frame, lines, 24, lang)


def _screen_slide(deck: Any, screen: Screen, freq: str | None, lang: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[_TITLE_ONLY_LAYOUT])
    heading = slide.shapes.title
    _place(heading, MARGIN, Inches(0.3), SLIDE_WIDTH - 2 * MARGIN, TITLE_HEIGHT)
    _write(heading.text_frame, [screen.title], 36, lang, bold=True, align=PP_ALIGN.LEFT)
    top = Inches(0.3) + TITLE_HEIGHT + Inches(0.2)
    height = SLIDE_HEIGHT - top - MARGIN
    has_chart = screen.table is not None and not screen.table.empty
    if has_chart:
        _add_chart(slide, screen, freq, lang, MARGIN, top, CHART_WIDTH, height)
        left = MARGIN + CHART_WIDTH + Inches(0.3)
    else:
        left = MARGIN
    box = slide.shapes.add_textbox(left, top, SLIDE_WIDTH - MARGIN - left, height)
    box.text_frame.word_wrap = True
    box.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    _write(box.text_frame, list(screen.sentences), _sentence_size(screen.sentences, has_chart),
           lang, bullets=True)
    if screen.sentences:
        slide.notes_slide.notes_text_frame.text = "\n".join(screen.sentences)


def _sentence_size(sentences: Sequence[str], beside_chart: bool) -> int:
    """Points for a slide's sentences: as large as fits their box (beside a chart or full width)."""
    length = sum(len(s) for s in sentences)
    if beside_chart:
        return 20 if length <= 180 else 18 if length <= 320 else 16
    return 26 if length <= 350 else 22 if length <= 650 else 18


def _add_chart(slide: Any, screen: Screen, freq: str | None, lang: str,
               left: Emu, top: Emu, width: Emu, height: Emu) -> None:
    table = screen.table
    data = CategoryChartData()
    data.categories = [_category(x, freq, lang) for x in table.index]
    for column in table.columns:
        data.add_series(str(column), [_value(v) for v in table[column]])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE, left, top, width, height, data).chart
    chart.has_title = False
    chart.font.size = Pt(14)
    _script_font(chart.font, lang)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(16)
    _script_font(chart.legend.font, lang)
    for axis, title in ((chart.category_axis, screen.x_title),
                        (chart.value_axis, screen.y_title)):
        axis.tick_labels.font.size = Pt(14)
        _script_font(axis.tick_labels.font, lang)
        if title:
            axis.has_title = True
            _write(axis.axis_title.text_frame, [title], 14, lang)
    _style_lines(chart.plots[0].series, screen.band)


def _style_lines(series: Sequence[Any], band: tuple[str, str] | None) -> None:
    """Lines as on the Present page: solid colours in order, the range's edges thin and dashed."""
    colour = 0
    for line in series:
        line.smooth = False
        fmt = line.format.line
        if band is not None and line.name in band:
            fmt.color.rgb = RGBColor.from_string(_BAND_COLOUR)
            fmt.width = Pt(1.5)
            fmt.dash_style = MSO_LINE_DASH_STYLE.DASH
            continue
        fmt.color.rgb = RGBColor.from_string(_LINE_COLOURS[colour % len(_LINE_COLOURS)])
        fmt.width = Pt(3.5 if colour == 1 else 2.5)
        if colour >= 2:
            fmt.dash_style = MSO_LINE_DASH_STYLE.ROUND_DOT
        colour += 1


def _category(x: Any, freq: str | None, lang: str) -> str | int:
    """A chart category: a date written for the frequency and language, or a step/epoch number."""
    if isinstance(x, pd.Timestamp):
        return fmt_period(x, freq, lang)
    if isinstance(x, int | float) or hasattr(x, "item"):  # numpy integers included
        return int(x) if float(x).is_integer() else float(x)
    return user_text(x)


def _value(v: Any) -> float | None:
    """A chart value; a missing one stays empty (a gap, not a zero)."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _place(shape: Any, left: Emu, top: Emu, width: Emu, height: Emu) -> None:
    # The default template's layouts are laid out for 4:3; the 16:9 slide places its own shapes.
    shape.left, shape.top, shape.width, shape.height = left, top, width, height


def _write(frame: Any, paragraphs: Sequence[str], size: int, lang: str, *, bold: bool = False,
           bullets: bool = False, align: PP_ALIGN | None = None) -> None:
    """Replace a text frame's text with `paragraphs`, one run each, in `size` points."""
    frame.clear()
    for i, sentence in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = sentence
        run.font.size = Pt(size)
        run.font.bold = bold
        _script_font(run.font, lang)
        if bullets:
            paragraph.space_after = Pt(size * 0.6)
            _bullet(paragraph, size)


def _bullet(paragraph: Any, size: int) -> None:
    """A "•" bullet with a hanging indent (a text box's paragraphs have none by default)."""
    p_pr = paragraph._p.get_or_add_pPr()
    indent = int(Pt(size) * 1.1)
    p_pr.set("marL", str(indent))
    p_pr.set("indent", str(-indent))
    bu_font = p_pr.makeelement(qn("a:buFont"), {"typeface": "Arial"})
    bu_char = p_pr.makeelement(qn("a:buChar"), {"char": "•"})
    for element in (bu_font, bu_char):
        p_pr.insert_element_before(element, "a:buBlip", "a:tabLst", "a:defRPr", "a:extLst")


def _script_font(font: Any, lang: str) -> None:
    """For Thai, name a Thai font for complex-script text (PowerPoint draws Thai with it)."""
    if lang != "th":
        return
    r_pr = font._element  # the a:rPr / a:defRPr python-pptx's Font wraps
    r_pr.set("lang", "th-TH")
    cs = r_pr.find(qn("a:cs"))
    if cs is None:
        cs = r_pr.makeelement(qn("a:cs"), {})
        r_pr.insert_element_before(cs, "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl",
                                   "a:extLst")
    cs.set("typeface", THAI_FONT)
