"""The meeting's report as one self-contained HTML page: the deck's content, readable anywhere.

The page holds the same screens as the deck and the Present page, each with its sentences and its
Plotly chart; plotly.js is inlined once, so the file works offline and can be mailed as it is.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from lstm_core.i18n import check_language
from lstm_core.present import Screen, present_screens, screen_figure
from lstm_core.report._common import cover_lines, made_with, safe_screen, user_text

_STYLE = """
body { font-family: system-ui, "Segoe UI", "Leelawadee UI", "Noto Sans Thai", Tahoma, sans-serif;
       font-size: 20px; line-height: 1.6; color: #1a1a1a; background: #fff;
       max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 2.4rem; line-height: 1.2; margin: 0 0 .4rem; overflow-wrap: anywhere; }
.cover { color: #555; font-size: 1.15rem; margin: 0; }
h2 { font-size: 1.7rem; line-height: 1.3; margin: 2.6rem 0 .6rem;
     border-bottom: 2px solid #e6e6e6; padding-bottom: .3rem; }
ul.sentences { padding-left: 1.3em; margin: .4rem 0 1rem; }
ul.sentences li { margin: .45em 0; }
section.summary ul.sentences { font-size: 1.15em; }
footer { margin: 3rem 0 1rem; color: #777; font-size: .9rem; }
@media print { section { break-inside: avoid; } }
"""


def report_html(run: Any, lang: str = "en", backtest: Mapping[str, Any] | None = None) -> str:
    """The run's report: its name, then each screen's title, sentences and chart.

    Args:
        run: a `PresentedRun`.
        lang: "en" or "th" (also the page's `lang`).
        backtest: a backtest summary (default: the one stored with the run, if any).

    Returns:
        A complete HTML document (UTF-8 text; plotly.js included).
    """
    check_language(lang)
    title, lines = cover_lines(run, lang)
    sections = []
    plotly_included = False
    for screen in present_screens(run, lang, backtest):
        section, drew = _section(safe_screen(screen), include_plotlyjs=not plotly_included)
        plotly_included = plotly_included or drew
        sections.append(section)
    cover = "".join(f'<p class="cover">{_esc(line)}</p>' for line in lines)
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<header><h1>{_esc(title)}</h1>{cover}</header>
{body}
<footer>{_esc(made_with(lang))}</footer>
</body>
</html>
"""


def _section(screen: Screen, *, include_plotlyjs: bool) -> tuple[str, bool]:
    """One screen as a `<section>`; also whether it drew a chart (and so included plotly.js)."""
    items = "".join(f"<li>{_esc(sentence)}</li>" for sentence in screen.sentences)
    sentences = f'<ul class="sentences">{items}</ul>' if items else ""
    figure = screen_figure(screen)
    chart = ""
    if figure is not None:
        chart = figure.to_html(
            full_html=False, include_plotlyjs=include_plotlyjs, div_id=f"chart-{screen.key}",
            config={"displaylogo": False, "responsive": True},
        )
    return (
        f'<section class="{screen.key}" id="{screen.key}">'
        f"<h2>{_esc(screen.title)}</h2>{sentences}{chart}</section>",
        figure is not None,
    )


def _esc(value: object) -> str:
    """User text as literal HTML text: neutralised as in the CSV, then escaped."""
    return html.escape(user_text(value))
