"""The About page in English and Thai: the sidebar switch, the texts, and the cell diagram."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.i18n import LANGUAGES
from ui.about_text import ABOUT_TEXTS, about_text

APP = str(Path(__file__).resolve().parent.parent / "app.py")
THAI = re.compile(r"[\u0E00-\u0E7F]")
LATIN_WORD = re.compile(r"[A-Za-z]+")


def _about(lang: str | None = None) -> AppTest:
    """A session on the About page; `lang` is chosen with the sidebar's radio first."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    if lang is not None:
        at.radio(key="_language_choice").set_value(lang).run()
    at.switch_page("pages/about.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _diagram_labels(at: AppTest) -> list[str]:
    [chart] = at.get("plotly_chart")
    layout = json.loads(chart.proto.spec)["layout"]
    return [a["text"] for a in layout["annotations"] if a.get("text") not in (None, "", "×", "+")]


def _english_outside_parentheses(text: str) -> set[str]:
    """Latin-letter words not inside "(...)", where the Thai text gives the English term."""
    without_terms = re.sub(r"\([^()]*\)", "", text)
    return set(LATIN_WORD.findall(without_terms))


def test_about_page_is_in_english_by_default():
    at = _about()
    assert at.session_state["language"] == "en"
    assert [t.value for t in at.title] == ["What is an LSTM?"]
    assert any(b.label == "Load the counting example and go to training" for b in at.button)
    assert "forget gate" in _diagram_labels(at)[1]


def test_sidebar_switch_shows_the_about_page_in_thai():
    at = _about("th")
    thai = ABOUT_TEXTS["th"]
    assert at.session_state["language"] == "th"
    assert [t.value for t in at.title] == [thai.title]
    assert "What is an LSTM?" not in [t.value for t in at.title]
    assert [m.value for m in at.main.markdown] == [thai.intro.strip(), thai.details.strip()]
    assert [b.label for b in at.main.button] == [thai.button]
    # English is left only as the usual term in brackets beside its Thai name (and "LSTM" itself).
    for text in [thai.title, thai.button] + [m.value for m in at.main.markdown]:
        assert _english_outside_parentheses(text) <= {"LSTM"}, text


def test_thai_is_remembered_across_pages_for_the_session():
    at = _about()
    at.session_state["language"] = "th"
    at.run()
    assert [t.value for t in at.title] == [ABOUT_TEXTS["th"].title]
    at.switch_page("pages/data.py").run()
    at.switch_page("pages/about.py").run()
    assert not at.exception
    assert [t.value for t in at.title] == [ABOUT_TEXTS["th"].title]


def test_thai_cell_diagram_is_labelled_in_thai():
    """The chart on the Thai page is `cell_diagram("th")`: every label but the maths is Thai."""
    labels = _diagram_labels(_about("th"))
    assert len(labels) == 7
    assert all(THAI.search(label) for label in labels), labels
    assert labels[0] == ABOUT_TEXTS["th"].diagram_cell_state


def test_every_language_has_every_text_and_none_is_empty():
    assert set(ABOUT_TEXTS) == set(LANGUAGES)
    fields = {f.name for f in dataclasses.fields(ABOUT_TEXTS["en"])}
    for lang, text in ABOUT_TEXTS.items():
        values = dataclasses.asdict(text)
        assert set(values) == fields, lang
        assert all(value.strip() for value in values.values()), lang
    for name, value in dataclasses.asdict(ABOUT_TEXTS["th"]).items():
        assert THAI.search(value), f"Thai {name} has no Thai in it"
        assert value != getattr(ABOUT_TEXTS["en"], name), name


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_emphasis_in_the_page_text_renders(lang: str):
    """Thai has no spaces between words, where CommonMark can leave a `*` unclosed."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark")
    text = about_text(lang)
    for source in (text.intro, text.details):
        assert "*" not in md.render(source), source


def test_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ValueError) as err:
        about_text("fr")
    assert str(err.value) == "Unknown language 'fr': choose one of en, th."
