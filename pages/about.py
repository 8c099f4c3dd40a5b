"""About page: what an LSTM is, in plain words, for an audience in a meeting."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ui.datasets import load_sample
from ui.entry import ensure_entrypoint

ensure_entrypoint()


def _box(fig: go.Figure, x0: float, y0: float, x1: float, y1: float, text: str, color: str) -> None:
    fig.add_shape(
        type="rect", x0=x0, y0=y0, x1=x1, y1=y1, line={"color": color, "width": 2},
        fillcolor=color, opacity=0.25, layer="below",
    )
    fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=text, showarrow=False,
                       font={"size": 13})


def _arrow(fig: go.Figure, x0: float, y0: float, x1: float, y1: float, text: str = "") -> None:
    fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                       showarrow=True, arrowhead=3, arrowwidth=1.6, text=text,
                       font={"size": 11}, standoff=2)


def cell_diagram() -> go.Figure:
    """A plain diagram of one LSTM cell: the memory line and its three gates."""
    fig = go.Figure()
    _arrow(fig, 0.2, 4.2, 9.8, 4.2)
    fig.add_annotation(x=5, y=4.65, text="<b>cell state</b>: the long-term memory line",
                       showarrow=False, font={"size": 13})
    _box(fig, 1.2, 1.4, 2.8, 2.6, "forget gate<br>σ: what to erase", "#d62728")
    _box(fig, 3.4, 1.4, 5.0, 2.6, "input gate<br>σ: what to write", "#2ca02c")
    _box(fig, 5.4, 1.4, 7.0, 2.6, "candidate<br>tanh: new content", "#9467bd")
    _box(fig, 7.6, 1.4, 9.2, 2.6, "output gate<br>σ: what to show", "#1f77b4")
    _arrow(fig, 2.0, 2.6, 2.0, 4.1, "×")
    _arrow(fig, 4.6, 2.6, 4.6, 4.1, "+")
    _arrow(fig, 5.4, 2.3, 5.0, 2.3)  # the candidate passes through the input gate
    _arrow(fig, 8.4, 4.1, 8.4, 2.65)
    _arrow(fig, 0.2, 0.5, 9.0, 0.5)
    fig.add_annotation(x=1.0, y=0.15, text="today's value + yesterday's output", showarrow=False,
                       font={"size": 12})
    _arrow(fig, 9.2, 2.0, 9.9, 2.0)
    fig.add_annotation(x=9.6, y=1.2, text="output<br>(forecast)", showarrow=False,
                       font={"size": 12})
    for x in (2.0, 4.2, 6.2, 8.4):
        _arrow(fig, x, 0.5, x, 1.35)
    fig.update_xaxes(visible=False, range=[0, 10])
    fig.update_yaxes(visible=False, range=[0, 5])
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      plot_bgcolor="rgba(0,0,0,0)", showlegend=False)
    return fig


st.title("What is an LSTM?")
st.markdown(
    """
A **Long Short-Term Memory** network (LSTM) is a kind of neural network that reads a sequence one
step at a time — for us, one month or one day of a time series — and keeps a *memory* of what it has
seen. After reading the last few steps (the **window**) it says what comes next.

**The memory cell and its three gates.** Inside, an LSTM carries a *cell state*: a line of memory
that runs from step to step. At every step three small "gates" decide what happens to it:

- the **forget gate** decides what to erase ("that spike was a one-off");
- the **input gate** decides what new information to write ("sales are climbing");
- the **output gate** decides what part of the memory to use for today's answer.

Each gate is a number between 0 (closed) and 1 (open) that the network learns from the data.
"""
)
st.plotly_chart(cell_diagram(), width="stretch", config={"displayModeBar": False})
st.markdown(
    """
**Why it remembers long patterns.** A plain recurrent network multiplies its signal again and again
as it looks back in time, so the learning signal from far-back steps fades to nothing (the
*vanishing gradient*). The LSTM's cell state is updated by *adding* new content and *scaling* by the
forget gate, so information — and the learning signal — can travel across many steps intact.

**Where it is used.** Sales, demand and stock series; text (before today's transformers it powered
translation and autocomplete); speech recognition; music generation; video and sensor streams.

**What it costs.** Training takes time (minutes rather than the milliseconds of simple methods);
it needs a fair amount of data — a few seasons at least; and its settings (window, size, epochs,
learning rate) need tuning. That is why this studio always scores the LSTM against simple baselines
on data it never saw: sometimes "same as last year" is hard to beat.

### Watch an LSTM learn "the next number"
The classic first example: show the network 0, 1, 2, … 99 and ask it for the next number.
"""
)
if st.button("Load the counting example and go to training", icon=":material/play_arrow:",
             type="primary"):
    load_sample("counting")
    st.switch_page("pages/train.py")
