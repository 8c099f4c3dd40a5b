"""What the deck and the HTML report share: user text made safe, the cover lines, download names.

Run names, data set names and series names are typed by users (or come from a file's header), so
every one of them passes through `user_text`: formula-like text gets the CSV's leading `'`, and the
builders then write it as literal text (python-pptx escapes XML itself, the report `html.escape`s).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from lstm_core.evaluation import neutralise_csv_cell
from lstm_core.i18n import check_language
from lstm_core.present import Screen, text

_COVER = {
    "en": {"forecast_of": "Forecast of {series}", "data": "Data: {dataset}",
           "made_with": "Made with LSTM Forecast Studio"},
    "th": {"forecast_of": "การพยากรณ์ {series}", "data": "ข้อมูล: {dataset}",
           "made_with": "สร้างด้วย LSTM Forecast Studio"},
}
# Longest download name stem, in characters: long enough to read, short enough for any file system.
MAX_STEM = 80
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def user_text(value: object) -> str:
    """User-typed text ready to show: control characters dropped (XML cannot hold them),
    formula-like text neutralised as in the CSV export."""
    return str(neutralise_csv_cell(_CONTROL.sub("", str(value))))


def safe_screen(screen: Screen) -> Screen:
    """A screen whose sentences, axis titles and line names have passed through `user_text`.

    The series name reaches a screen's line names, its y-axis title and its first sentence.
    """
    table = screen.table
    if table is not None:
        table = table.rename(columns=lambda c: user_text(c))
    band = tuple(user_text(c) for c in screen.band) if screen.band is not None else None
    return dataclasses.replace(
        screen, title=user_text(screen.title),
        sentences=tuple(user_text(s) for s in screen.sentences), table=table,
        x_title=user_text(screen.x_title), y_title=user_text(screen.y_title), band=band,
    )


def cover_lines(run: Any, lang: str) -> tuple[str, list[str]]:
    """The cover: the run's name, then "Forecast of <series>" and the data set's name.

    Returns:
        (title, lines), every user text already through `user_text`.
    """
    words = _COVER[check_language(lang)]
    title = user_text(run.name) if run.name else text("future", lang)
    lines = []
    if run.series.name is not None and str(run.series.name):
        lines.append(words["forecast_of"].format(series=user_text(run.series.name)))
    if getattr(run, "dataset", ""):
        lines.append(words["data"].format(dataset=user_text(run.dataset)))
    return title, lines


def made_with(lang: str) -> str:
    """The credit line at the end of the report and under the deck's cover."""
    return _COVER[check_language(lang)]["made_with"]


def safe_filename(name: str, suffix: str) -> str:
    """A download file name made from a run name: letters (any script), digits and dashes only.

    Spaces become `-`; punctuation, slashes, quotes and control characters are dropped; the stem is
    capped at `MAX_STEM` characters; an empty result (or a name Windows reserves) falls back to
    "forecast".

    Args:
        name: the run's name, as the user typed it.
        suffix: the extension, with or without its dot (".pptx" or "pptx").

    Returns:
        e.g. `safe_filename("Q3 sales <draft>", ".pptx") == "Q3-sales-draft.pptx"`.
    """
    kept = []
    for char in unicodedata.normalize("NFC", str(name or "")):
        kind = unicodedata.category(char)
        if char.isspace() or char in "-_":
            kept.append("-")
        elif kind[0] in "LM" or kind == "Nd":  # M: Thai vowel and tone marks
            kept.append(char)
    stem = "-".join(part for part in "".join(kept).split("-") if part)
    stem = stem[:MAX_STEM].strip("-")
    while stem and unicodedata.category(stem[0])[0] == "M":  # marks left without their letter
        stem = stem[1:]
    if not stem or stem.upper() in _WINDOWS_RESERVED:
        stem = "forecast" if not stem else f"forecast-{stem}"
    return f"{stem}.{suffix.lstrip('.')}"
