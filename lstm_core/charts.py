"""Pure Plotly figure builders shared by the dashboard, the CLI HTML report and the tests.

Every builder takes plain pandas/numpy data (or a `ForecastResult`) and returns a
`plotly.graph_objects.Figure`; nothing here renders, writes files or imports streamlit. Column and
series names are user text: they are HTML-escaped before they become trace names or titles, because
Plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lstm_core.scoreboard import BASELINES, MODEL_LABELS, NO_DRIVERS, NO_DRIVERS_COLUMN

COLOURS = {
    "history": "#4c566a",
    "actual": "#222222",
    "forecast": "#d9480f",
    "band": "rgba(217, 72, 15, 0.18)",
    "filled": "#c92a2a",
    "naive": "#868e96",
    "seasonal_naive": "#1971c2",
    "ets": "#2f9e44",
    "no_drivers": "#495057",
}
_TIME_COLUMNS = ("date", "step")


def plain_text(text: object) -> str:
    """User text for a Plotly label, shown exactly as typed."""
    # Plotly renders a few tags (<b>, <br>, <a>) in labels: escape <, > and &, which it decodes
    # back for display. Quotes stay as typed (Plotly would show "&quot;" literally).
    return html.escape(str(text), quote=False)


def _layout(fig: go.Figure, title: str | None, *, slider: bool, y_title: str | None = None) -> None:
    fig.update_layout(
        title=plain_text(title) if title else None,
        template="plotly_white",
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 40, "r": 20, "t": 60 if title else 30, "b": 30},
        yaxis_title=plain_text(y_title) if y_title else None,
    )
    if slider:
        fig.update_xaxes(rangeslider={"visible": True})


def _time_column(frame: pd.DataFrame) -> str:
    for name in _TIME_COLUMNS:
        if name in frame.columns:
            return name
    raise ValueError("The frame needs a 'date' or 'step' column.")


def _band(fig: go.Figure, x: Sequence, lower: Sequence, upper: Sequence, name: str) -> None:
    """Add an interval band as two traces: the upper edge, then the lower edge filled up to it."""
    fig.add_trace(
        go.Scatter(
            x=x, y=upper, mode="lines", line={"width": 0}, name=f"{name} upper",
            showlegend=False, legendgroup="band", hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x, y=lower, mode="lines", line={"width": 0}, fill="tonexty",
            fillcolor=COLOURS["band"], name=name, legendgroup="band", hoverinfo="skip",
        )
    )


def series_figure(
    series: pd.Series, filled_positions: Iterable[int] = (), title: str | None = None
) -> go.Figure:
    """The raw series as a line with a range slider; filled (imputed) values marked in red.

    Args:
        series: (n,) values indexed by dates or row numbers; its name labels the y axis.
        filled_positions: positions (0-based) whose values were filled by cleaning.
        title: optional title (user text, escaped).

    Returns:
        Traces: the series, then "Filled values" (only when there are any).
    """
    name = plain_text(series.name if series.name is not None else "value")
    fig = go.Figure(
        go.Scatter(
            x=series.index, y=series.to_numpy(), mode="lines", name=name,
            line={"color": COLOURS["history"]},
        )
    )
    positions = sorted({int(p) for p in filled_positions if 0 <= int(p) < len(series)})
    if positions:
        fig.add_trace(
            go.Scatter(
                x=series.index[positions], y=series.iloc[positions].to_numpy(), mode="markers",
                name="Filled values", marker={"color": COLOURS["filled"], "size": 7,
                                              "symbol": "circle-open"},
            )
        )
    _layout(fig, title, slider=True, y_title=series.name)
    return fig


def loss_figure(
    history: Mapping[str, Sequence[float]],
    best_epoch: int | None = None,
    log_y: bool = False,
    *,
    large: bool = False,
) -> go.Figure:
    """Training and validation loss per epoch.

    Args:
        history: e.g. `{"loss": [...], "val_loss": [...]}` (one value per epoch; other keys that
            hold per-epoch numbers are drawn too).
        best_epoch: 1-based epoch whose weights were kept; drawn as a dashed vertical line.
        log_y: log-scale y axis (useful when the first epochs dominate).
        large: big tick, axis-title and legend text and thick lines, readable on a projector
            from the back of a room.

    Returns:
        One trace per history key ("Training loss", "Validation loss", or the key itself).
    """
    labels = {"loss": "Training loss", "val_loss": "Validation loss"}
    fig = go.Figure()
    for key, values in history.items():
        values = [float(v) for v in values]
        if not values:
            continue
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)), y=values, mode="lines",
                name=labels.get(key, plain_text(key)), line={"width": 3.5} if large else None,
            )
        )
    if best_epoch is not None:
        fig.add_vline(x=best_epoch, line_dash="dash", line_color="#868e96",
                      annotation_text=f"best epoch {best_epoch}")
    _layout(fig, None, slider=False, y_title="loss")
    fig.update_xaxes(title="epoch")
    if log_y:
        fig.update_yaxes(type="log")
    if large:
        _enlarge(fig)
    return fig


def _enlarge(fig: go.Figure) -> None:
    # Plotly's 12 px default is lost on a projector; 17-18 px reads from the back of a room while a
    # full-width chart still fits ten or so epoch ticks. automargin keeps the bigger labels inside.
    axis = {"tickfont": {"size": 17}, "title_font": {"size": 18}, "automargin": True}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    fig.update_annotations(font_size=16)  # the "best epoch" label
    fig.update_layout(legend_font_size=18, hoverlabel_font_size=16,
                      margin={"l": 60, "r": 20, "t": 40, "b": 50})


def _history_before(series: pd.Series, start: Any, tail: int | None) -> pd.Series:
    before = series[series.index < start] if start is not None else series
    return before.iloc[-tail:] if tail else before


def _comparisons(fig: go.Figure, x: pd.Series, frame: pd.DataFrame, no_drivers: str) -> None:
    """What the LSTM is compared with: a dotted line per baseline column with values, and a
    dashed "LSTM without drivers" when the run had drivers (its column is `no_drivers`)."""
    for column in BASELINES:
        if column in frame.columns and frame[column].notna().any():
            fig.add_trace(go.Scatter(x=x, y=frame[column], mode="lines", name=MODEL_LABELS[column],
                                     line={"color": COLOURS[column], "dash": "dot"}))
    if no_drivers in frame.columns and frame[no_drivers].notna().any():
        fig.add_trace(go.Scatter(x=x, y=frame[no_drivers], mode="lines",
                                 name=MODEL_LABELS[NO_DRIVERS],
                                 line={"color": COLOURS["no_drivers"], "dash": "dash"}))


def holdout_figure(result: Any, show_baselines: bool = True) -> go.Figure:
    """History, the held-out actual values, the LSTM forecast with its interval and the baselines.

    Args:
        result: a `ForecastResult` (uses `series`, `holdout`, `settings.level`).
        show_baselines: add one trace per baseline column of the holdout frame (and the LSTM
            without drivers).

    Returns:
        Traces: "History", "Actual", interval band (2 traces, the visible one named
        "80% interval" for level 0.8), "LSTM forecast", then baselines ("Naive", "Seasonal naive",
        "ETS") that have values and, for a run with drivers, "LSTM without drivers". Range slider
        on.
    """
    frame: pd.DataFrame = result.holdout
    time = _time_column(frame)
    x = frame[time]
    fig = go.Figure()
    history = _history_before(result.series, x.iloc[0] if len(x) else None, None)
    fig.add_trace(
        go.Scatter(x=history.index, y=history.to_numpy(), mode="lines", name="History",
                   line={"color": COLOURS["history"]})
    )
    fig.add_trace(
        go.Scatter(x=x, y=frame["actual"], mode="lines+markers", name="Actual",
                   line={"color": COLOURS["actual"]})
    )
    _band(fig, x, frame["lower"], frame["upper"], f"{round(result.settings.level * 100)}% interval")
    fig.add_trace(
        go.Scatter(x=x, y=frame["forecast"], mode="lines+markers", name="LSTM forecast",
                   line={"color": COLOURS["forecast"], "width": 3})
    )
    if show_baselines:
        _comparisons(fig, x, frame, NO_DRIVERS_COLUMN)
    _layout(fig, "Forecast vs actual on the holdout", slider=True, y_title=result.series.name)
    shown = 4 * len(frame)
    if len(x) and len(history) > shown:
        # Open on the holdout and the history just before it; the slider reaches the rest.
        fig.update_xaxes(range=[history.index[-shown], x.iloc[-1]])
    return fig


def future_figure(result: Any, tail: int | None = None) -> go.Figure:
    """The end of the history followed by the future forecast and its interval band.

    Args:
        result: a `ForecastResult` (uses `series`, `future`, `settings.level`).
        tail: history points to show; default four horizons (at least 24 points).

    Returns:
        Traces: "History", band (2 traces), "Forecast".
    """
    frame: pd.DataFrame = result.future
    time = _time_column(frame)
    shown = tail or max(24, 4 * len(frame))
    history = result.series.iloc[-shown:]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=history.index, y=history.to_numpy(), mode="lines", name="History",
                   line={"color": COLOURS["history"]})
    )
    _band(fig, frame[time], frame["lower"], frame["upper"],
          f"{round(result.settings.level * 100)}% interval")
    fig.add_trace(
        go.Scatter(x=frame[time], y=frame["forecast"], mode="lines+markers", name="Forecast",
                   line={"color": COLOURS["forecast"], "width": 3})
    )
    _layout(fig, "Forecast", slider=False, y_title=result.series.name)
    return fig


def compare_figure(
    results: Sequence[tuple[str, pd.DataFrame]], actual: pd.Series | None = None
) -> go.Figure:
    """Overlay the holdout forecasts of several runs on the actual values.

    Args:
        results: (label, holdout frame) pairs; labels are user text (escaped).
        actual: the actual values indexed by date/step; when None, the first frame's `actual`
            column is used (if present).

    Returns:
        Traces: "Actual" (when known), then one forecast trace per run, named by its label.
    """
    fig = go.Figure()
    if actual is None and results and "actual" in results[0][1].columns:
        first = results[0][1]
        actual = pd.Series(first["actual"].to_numpy(), index=first[_time_column(first)])
    if actual is not None:
        fig.add_trace(
            go.Scatter(x=actual.index, y=np.asarray(actual, dtype=float), mode="lines+markers",
                       name="Actual", line={"color": COLOURS["actual"], "width": 3})
        )
    for label, frame in results:
        fig.add_trace(
            go.Scatter(x=frame[_time_column(frame)], y=frame["forecast"], mode="lines+markers",
                       name=plain_text(label))
        )
    _layout(fig, "Runs compared on the holdout", slider=True)
    return fig


def backtest_figure(
    series: pd.Series, frame: pd.DataFrame, cutoff: Any, level: float,
    show_baselines: bool = True,
) -> go.Figure:
    """One backtest cut-off: the data up to it, what came next, and the forecast made there.

    Args:
        series: the whole series (its name labels the y axis).
        frame: `BacktestResult.frame` (all cut-offs; the rows of `cutoff` are drawn).
        cutoff: the cut-off to show (a value of `frame["cutoff"]`).
        level: the interval's nominal coverage.
        show_baselines: add the baselines made at the same cut-off (and the LSTM without
            drivers).

    Returns:
        Traces: "History" (up to the cut-off), "Actual" (after it), band (2 traces), "LSTM
        forecast", then the baselines with values. The x axis opens on four horizons of history.
    """
    rows = frame[frame["cutoff"] == cutoff]
    time = _time_column(rows)
    x = rows[time]
    history = series[series.index <= cutoff]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=history.index, y=history.to_numpy(), mode="lines", name="History",
                             line={"color": COLOURS["history"]}))
    fig.add_trace(go.Scatter(x=x, y=rows["actual"], mode="lines+markers", name="Actual",
                             line={"color": COLOURS["actual"]}))
    _band(fig, x, rows["lower"], rows["upper"], f"{round(level * 100)}% interval")
    fig.add_trace(go.Scatter(x=x, y=rows["lstm"], mode="lines+markers", name="LSTM forecast",
                             line={"color": COLOURS["forecast"], "width": 3}))
    if show_baselines:
        _comparisons(fig, x, rows, NO_DRIVERS)
    cut = cutoff.date() if isinstance(cutoff, pd.Timestamp) else cutoff
    _layout(fig, f"Forecast made with data up to {cut}", slider=False, y_title=series.name)
    shown = 4 * len(rows)
    if len(x) and len(history) > shown:
        fig.update_xaxes(range=[history.index[-shown], x.iloc[-1]])
    return fig


def small_multiples(
    series: Mapping[str, pd.Series], limit: int = 24, columns: int = 4, row_height: int = 120
) -> go.Figure:
    """A compact grid of small line charts, one per series, for a first look at a panel.

    Each chart has its own y axis (series of any scale stay readable) and no legend; the title
    is the series id. Only the first `limit` series are drawn: a grid of hundreds would be
    unreadable and slow to draw (the caller says how many were left out).

    Args:
        series: id -> (n_i,) values indexed by dates or row numbers; ids are user text (escaped).
        limit: most charts drawn (the first series in order).
        columns: charts per row.
        row_height: pixels per row of charts.

    Returns:
        One trace per drawn series, named by its id, on subplots in reading order.
    """
    from plotly.subplots import make_subplots

    keys = list(series)[:max(0, limit)]
    columns = max(1, min(columns, len(keys) or 1))
    rows = max(1, -(-len(keys) // columns))
    titles = [plain_text(_shorten(str(k))) for k in keys]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles or None,
                        horizontal_spacing=0.04, vertical_spacing=min(0.3, 0.5 / rows))
    for i, key in enumerate(keys):
        one = series[key]
        fig.add_trace(
            go.Scatter(x=one.index, y=one.to_numpy(), mode="lines", name=plain_text(key),
                         line={"color": COLOURS["history"], "width": 1.2},
                         hovertemplate="%{x}<br>%{y:,.4~g}<extra></extra>"),
            row=i // columns + 1, col=i % columns + 1,
        )
    fig.update_layout(template="plotly_white", showlegend=False, height=60 + row_height * rows,
                      margin={"l": 30, "r": 10, "t": 30, "b": 20})
    fig.update_xaxes(tickfont={"size": 9}, nticks=4)
    fig.update_yaxes(tickfont={"size": 9}, nticks=4)
    fig.update_annotations(font_size=11)
    return fig


def _shorten(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
