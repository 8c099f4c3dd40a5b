"""About page: what an LSTM is, in plain words, for an audience in a meeting."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ui import state
from ui.about_text import about_text
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


def cell_diagram(lang: str = "en") -> go.Figure:
    """A plain diagram of one LSTM cell: the memory line and its three gates.

    Args:
        lang: the language of its labels, "en" or "th".
    """
    words = about_text(lang)
    fig = go.Figure()
    _arrow(fig, 0.2, 4.2, 9.8, 4.2)
    fig.add_annotation(x=5, y=4.65, text=words.diagram_cell_state,
                       showarrow=False, font={"size": 13})
    _box(fig, 1.2, 1.4, 2.8, 2.6, words.diagram_forget_gate, "#d62728")
    _box(fig, 3.4, 1.4, 5.0, 2.6, words.diagram_input_gate, "#2ca02c")
    _box(fig, 5.4, 1.4, 7.0, 2.6, words.diagram_candidate, "#9467bd")
    _box(fig, 7.6, 1.4, 9.2, 2.6, words.diagram_output_gate, "#1f77b4")
    _arrow(fig, 2.0, 2.6, 2.0, 4.1, "×")
    _arrow(fig, 4.6, 2.6, 4.6, 4.1, "+")
    _arrow(fig, 5.4, 2.3, 5.0, 2.3)  # the candidate passes through the input gate
    _arrow(fig, 8.4, 4.1, 8.4, 2.65)
    _arrow(fig, 0.2, 0.5, 9.0, 0.5)
    fig.add_annotation(x=1.0, y=0.15, text=words.diagram_inputs, showarrow=False,
                       font={"size": 12})
    _arrow(fig, 9.2, 2.0, 9.9, 2.0)
    fig.add_annotation(x=9.6, y=1.2, text=words.diagram_output, showarrow=False,
                       font={"size": 12})
    for x in (2.0, 4.2, 6.2, 8.4):
        _arrow(fig, x, 0.5, x, 1.35)
    fig.update_xaxes(visible=False, range=[0, 10])
    fig.update_yaxes(visible=False, range=[0, 5])
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      plot_bgcolor="rgba(0,0,0,0)", showlegend=False)
    return fig


lang = state.get(state.LANGUAGE)
text = about_text(lang)

st.title(text.title)
st.markdown(text.intro)
st.plotly_chart(cell_diagram(lang), width="stretch", config={"displayModeBar": False})
st.markdown(text.details)
if st.button(text.button, icon=":material/play_arrow:", type="primary"):
    load_sample("counting")
    st.switch_page("pages/train.py")
