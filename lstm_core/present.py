"""The screens a meeting sees, built once for the Present page, the deck and the HTML report.

`present_screens(run, lang)` returns, in order: the data with its story, the LSTM learning, the
holdout against the actuals, the future with its range, and the narrative. Each screen carries its
title, its sentences and the table its chart draws (one column per line), so the page's Plotly
chart, the deck's native PowerPoint chart and the report's chart show the same numbers.
`screen_figure` draws a screen's table as a Plotly figure in large type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from lstm_core.i18n import check_language, fmt_number, fmt_period, period_word, series_freq
from lstm_core.narrative import (
    caveat_sentences,
    forecast_sentences,
    narrative,
    run_facts,
    score_sentences,
)
from lstm_core.scoreboard import MODEL_LABELS, NO_DRIVERS, NO_DRIVERS_COLUMN, best_baseline

SCREEN_KEYS = ("data", "learning", "holdout", "future", "summary")

_TEXT = {
    "en": {
        "data": "The data", "learning": "How the LSTM learned",
        "holdout": "Checked on data it never saw", "future": "The forecast",
        "summary": "In short", "actual": "Actual", "forecast": "LSTM forecast",
        "lower": "Lower", "upper": "Upper", "loss": "Training loss",
        "val_loss": "Validation loss", "epoch": "epoch", "range": "range",
        "no_drivers": MODEL_LABELS[NO_DRIVERS],
    },
    "th": {
        "data": "ข้อมูล", "learning": "LSTM เรียนรู้อย่างไร",
        "holdout": "ทดสอบกับข้อมูลที่โมเดลไม่เคยเห็น", "future": "ค่าพยากรณ์",
        "summary": "สรุป", "actual": "ค่าจริง", "forecast": "ค่าพยากรณ์ LSTM",
        "lower": "ขอบล่าง", "upper": "ขอบบน", "loss": "ความคลาดเคลื่อนขณะฝึก",
        "val_loss": "ความคลาดเคลื่อนข้อมูลตรวจสอบ", "epoch": "รอบการฝึก (epoch)",
        "range": "ช่วงคาดการณ์", "no_drivers": "LSTM ที่ไม่ใช้ตัวขับเคลื่อน",
    },
}
_BASELINE_TH = {"naive": "ค่าล่าสุดซ้ำ", "seasonal_naive": "ฤดูกาลก่อนซ้ำ", "ets": "ETS"}


@dataclass(frozen=True)
class Screen:
    """One screen of the presentation (and one slide of the deck).

    Attributes:
        key: one of `SCREEN_KEYS`.
        title: the screen's heading, in the run's language.
        sentences: what the presenter says, one sentence each.
        table: the chart's data: index = x values (dates, steps or epochs), one column per line;
            None for a screen without a chart.
        x_title / y_title: axis titles.
        band: the (lower, upper) columns of `table` drawn as a shaded range, if any.
        lang / freq: the language and the series' frequency, for writing dates on an axis.
    """

    key: str
    title: str
    sentences: tuple[str, ...]
    table: pd.DataFrame | None = field(default=None, repr=False)
    x_title: str = ""
    y_title: str = ""
    band: tuple[str, str] | None = None
    lang: str = "en"
    freq: str | None = None


def text(key: str, lang: str) -> str:
    """A label of the presentation in `lang` (screen titles, line names)."""
    return _TEXT[check_language(lang)][key]


def present_screens(
    run: Any, lang: str = "en", backtest: Mapping[str, Any] | None = None
) -> list[Screen]:
    """The five screens of a run, in `lang`.

    Args:
        run: a `PresentedRun`.
        lang: "en" or "th".
        backtest: a backtest summary (default: the one stored with the run, if any).
    """
    check_language(lang)
    if backtest is None and getattr(run, "backtest", None):
        backtest = (run.backtest or {}).get("summary")
    facts = run_facts(run, backtest)
    y_title = str(run.series.name) if run.series.name is not None else ""
    freq = series_freq(run.series)
    screens = [
        _data_screen(run, lang, y_title),
        _learning_screen(run, lang),
        Screen("holdout", text("holdout", lang), tuple(score_sentences(facts, lang)),
               _holdout_table(run, lang), y_title=y_title,
               band=_band_names(lang, run.settings.level)),
        Screen("future", text("future", lang), tuple(forecast_sentences(facts, lang)),
               _future_table(run, lang), y_title=y_title,
               band=_band_names(lang, run.settings.level)),
        Screen("summary", text("summary", lang), tuple(narrative(run, lang, backtest))),
    ]
    return [replace(screen, lang=lang, freq=freq) for screen in screens]


def band_label(screen: Screen) -> str:
    """The legend's name for a screen's shaded range: "80% range" / "ช่วงคาดการณ์ 80%"."""
    share = screen.band[0].rsplit("(", 1)[-1].rstrip(")") if screen.band else ""
    return f"{share} {text('range', 'en')}" if screen.lang == "en" \
        else f"{text('range', 'th')} {share}"


def _band_names(lang: str, level: float) -> tuple[str, str]:
    share = f"{round(level * 100)}%"
    return f"{text('lower', lang)} ({share})", f"{text('upper', lang)} ({share})"


def _data_screen(run: Any, lang: str, y_title: str) -> Screen:
    series = run.series.dropna()
    freq = series_freq(run.series)
    n = len(series)
    unit = period_word(freq, lang, n)
    start, end = (fmt_period(series.index[0], freq, lang), fmt_period(series.index[-1], freq, lang))
    low, high = fmt_number(float(series.min())), fmt_number(float(series.max()))
    season = run.season_length if run.season_length and run.season_length > 1 else None
    if lang == "en":
        name = f"{y_title}: " if y_title else ""
        story = [f"{name}{n} {unit} of data, from {start} to {end}, between {low} and {high}."]
        story.append(
            f"It repeats a pattern every {season} {period_word(freq, lang, season)}."
            if season else "No repeating season was found in it."
        )
    else:
        name = f"{y_title}: " if y_title else ""
        story = [f"{name}ข้อมูล {n} {unit} ตั้งแต่ {start} ถึง {end} มีค่าระหว่าง {low} ถึง {high}"]
        story.append(
            f"ข้อมูลมีรูปแบบที่ซ้ำทุก {season} {period_word(freq, lang, season)}"
            if season else "ไม่พบรูปแบบตามฤดูกาลที่ซ้ำกันในข้อมูลนี้"
        )
    table = pd.DataFrame({y_title or text("actual", lang): run.series.to_numpy()},
                         index=run.series.index)
    return Screen("data", text("data", lang), tuple(story), table, y_title=y_title)


def _learning_screen(run: Any, lang: str) -> Screen:
    history = {k: [float(v) for v in vals] for k, vals in (run.history or {}).items() if vals}
    epochs = max((len(v) for v in history.values()), default=0)
    sentences: list[str] = []
    if epochs:
        seconds = fmt_number(float(run.seconds), 1)
        sentences.append(
            f"The network trained for {epochs} epochs in {seconds} s." if lang == "en"
            else f"โครงข่ายฝึกไป {epochs} รอบ (epoch) ใช้เวลา {seconds} วินาที"
        )
        if run.best_epoch:
            sentences.append(
                f"Its error on the points it did not train on was lowest at epoch "
                f"{run.best_epoch}; those weights were kept." if lang == "en"
                else f"ความคลาดเคลื่อนบนข้อมูลที่ไม่ได้ใช้ฝึกต่ำสุดที่รอบที่ {run.best_epoch} "
                "จึงเก็บน้ำหนักของรอบนั้นไว้"
            )
    table = None
    if epochs:
        columns = {}
        for key in ("loss", "val_loss"):
            values = history.get(key)
            if values:
                columns[text(key, lang)] = values + [np.nan] * (epochs - len(values))
        table = pd.DataFrame(columns, index=pd.RangeIndex(1, epochs + 1, name="epoch"))
    return Screen("learning", text("learning", lang), tuple(sentences), table,
                  x_title=text("epoch", lang), y_title="loss")


def _baseline_label(name: str, lang: str) -> str:
    return _BASELINE_TH.get(name, name) if lang == "th" else MODEL_LABELS.get(name, name)


def _holdout_table(run: Any, lang: str) -> pd.DataFrame | None:
    frame = run.holdout
    if frame is None or frame.empty:
        return None
    time = "date" if "date" in frame.columns else "step"
    lower, upper = _band_names(lang, run.settings.level)
    columns = {
        text("actual", lang): frame["actual"].to_numpy(dtype="float64"),
        text("forecast", lang): frame["forecast"].to_numpy(dtype="float64"),
        lower: frame["lower"].to_numpy(dtype="float64"),
        upper: frame["upper"].to_numpy(dtype="float64"),
    }
    best = best_baseline(run.scores, "mase") or best_baseline(run.scores, "mae")
    if best is not None and best[0] in frame.columns:
        columns[_baseline_label(best[0], lang)] = frame[best[0]].to_numpy(dtype="float64")
    if NO_DRIVERS_COLUMN in frame.columns and frame[NO_DRIVERS_COLUMN].notna().any():
        columns[text("no_drivers", lang)] = frame[NO_DRIVERS_COLUMN].to_numpy(dtype="float64")
    return pd.DataFrame(columns, index=pd.Index(frame[time], name=time))


def future_tail(run: Any) -> int:
    """History points shown before the future: three horizons, at least two seasons and 12."""
    horizon = len(run.future)
    season = run.season_length or 1
    return min(len(run.series), max(12, 3 * horizon, 2 * season))


def _future_table(run: Any, lang: str) -> pd.DataFrame:
    frame = run.future
    time = "date" if "date" in frame.columns else "step"
    history = run.series.iloc[-future_tail(run):]
    index = pd.Index(list(history.index) + list(frame[time]), name=time)
    n_hist, n_future = len(history), len(frame)
    pad = [np.nan] * n_future
    lower, upper = _band_names(lang, run.settings.level)
    return pd.DataFrame(
        {
            text("actual", lang): list(history.to_numpy(dtype="float64")) + pad,
            text("forecast", lang): [np.nan] * n_hist + list(frame["forecast"]),
            lower: [np.nan] * n_hist + list(frame["lower"]),
            upper: [np.nan] * n_hist + list(frame["upper"]),
        },
        index=index,
    )


_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd")


def screen_figure(screen: Screen, *, font_size: int = 20, height: int = 520) -> Any:
    """A screen's table as a Plotly line chart in large type (None for a screen without one).

    The band columns are drawn as one shaded range; every other column is a line.
    """
    import plotly.graph_objects as go

    from lstm_core.charts import plain_text

    if screen.table is None or screen.table.empty:
        return None
    table = screen.table
    fig = go.Figure()
    x = list(table.index)
    if screen.band is not None:
        low, high = screen.band
        rows = table[low].notna() & table[high].notna()
        xs = [v for v, keep in zip(x, rows, strict=True) if keep]
        fig.add_trace(go.Scatter(x=xs, y=table.loc[rows.to_numpy(), high], mode="lines",
                                 line={"width": 0}, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=xs, y=table.loc[rows.to_numpy(), low], mode="lines", line={"width": 0},
            fill="tonexty", fillcolor="rgba(214, 39, 40, 0.18)", name=band_label(screen),
        ))
    lines = [c for c in table.columns if screen.band is None or c not in screen.band]
    for i, column in enumerate(lines):
        values = table[column].to_numpy(dtype="float64")
        markers = np.isfinite(values).sum() <= 40
        fig.add_trace(go.Scatter(
            x=x, y=values, name=plain_text(column), mode="lines+markers" if markers else "lines",
            line={"color": _COLOURS[i % len(_COLOURS)], "width": 4 if i == 1 else 3,
                  "dash": "dot" if i >= 2 else "solid"},
        ))
    fig.update_layout(
        height=height, font={"size": font_size}, margin={"l": 20, "r": 20, "t": 20, "b": 20},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                "font": {"size": font_size}, "traceorder": "normal"},
        hovermode="x unified",
    )
    fig.update_xaxes(title=plain_text(screen.x_title) or None, tickfont={"size": font_size})
    fig.update_yaxes(title=plain_text(screen.y_title) or None, tickfont={"size": font_size})
    if screen.lang != "en" and isinstance(table.index, pd.DatetimeIndex) and len(table):
        # Plotly writes dates in English: name the ticks in the screen's language instead.
        ticks = table.index[np.unique(np.linspace(0, len(table) - 1, 6).round().astype(int))]
        fig.update_xaxes(tickvals=list(ticks),
                         ticktext=[fmt_period(t, screen.freq, screen.lang) for t in ticks])
    if screen.key == "learning":
        values = table.to_numpy(dtype="float64")
        finite = values[np.isfinite(values)]
        if finite.size and finite.min() > 0 and finite.max() / finite.min() > 30:
            fig.update_yaxes(type="log")
    return fig


__all__ = [
    "SCREEN_KEYS", "Screen", "caveat_sentences", "future_tail", "present_screens",
    "screen_figure", "text",
]
