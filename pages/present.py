"""Present page: meeting mode. One idea per screen, large type, arrow keys; never trains.

It shows a saved run (or the session's current one) as the five screens of
`lstm_core.present.present_screens`: the data, the LSTM learning (its recorded loss curve,
replayed), the holdout against the actuals, the future with its range, and the narrative. Opening
a run reads its manifest only: no model is loaded and nothing here can start a training.
"""

from __future__ import annotations

import html
import time
from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st

from lstm_core.errors import BundleError
from lstm_core.i18n import LANGUAGES
from lstm_core.present import Screen, present_screens, screen_figure
from lstm_core.run_record import PresentedRun, is_panel, present_result, series_manifest
from lstm_core.runs import RunStore
from ui import state
from ui.entry import ensure_entrypoint
from ui.text import md_escape

ensure_entrypoint()

CURRENT = "current"  # the picker's value for the session's unsaved current run
_WORDS = {
    "en": {"title": "Present", "run": "Run to present", "previous": "Previous", "next": "Next",
           "current": "Current run (not saved)", "replay": "▶ Replay the training",
           "deck": "Deck (.pptx)", "report": "Report (.html)", "none":
           "Nothing to present yet: train a model on the Train page, or save a run first.",
           "keys": "Use the ← and → keys (or the buttons) to move between screens.",
           "opened": "Opened in {:.2f} s"},
    "th": {"title": "นำเสนอ", "run": "ผลการฝึกที่จะนำเสนอ", "previous": "ก่อนหน้า", "next": "ถัดไป",
           "current": "ผลปัจจุบัน (ยังไม่บันทึก)", "replay": "▶ เล่นการฝึกซ้ำ",
           "deck": "สไลด์ (.pptx)", "report": "รายงาน (.html)", "none":
           "ยังไม่มีผลให้นำเสนอ: ฝึกโมเดลที่หน้า Train หรือบันทึกผลการฝึกก่อน",
           "keys": "กดปุ่มลูกศร ← และ → (หรือปุ่มด้านล่าง) เพื่อเปลี่ยนหน้าจอ",
           "opened": "เปิดใน {:.2f} วินาที"},
}
_STYLE = """
<style>
[data-testid="stMainBlockContainer"] {padding-top: 2.2rem !important;}
p.present-title {font-size: 2.5rem !important; font-weight: 700; line-height: 1.2;
    margin: 0 0 .3rem 0;}
p.present-line {font-size: 1.55rem !important; line-height: 1.45; margin: 0 0 .9rem 0;}
.present-summary p.present-line {font-size: 1.75rem !important;}
p.present-count {font-size: 1.25rem !important; color: #6c757d; text-align: center;
    padding-top: .35rem;}
</style>
"""


def _choices(store: RunStore) -> dict[str, str]:
    """Run id → label, newest first; the current unsaved run first when there is one."""
    choices: dict[str, str] = {}
    if state.get(state.RESULT) is not None and not state.get(state.RUN_ID):
        choices[CURRENT] = ""
    for run in store.list():
        choices[run.id] = f"{run.name}  ({run.id})"
    return choices


def _open(store: RunStore, key: str) -> PresentedRun:
    """The run to present: read from the store (with its backtest), or the current result."""
    if key == CURRENT:
        return present_result(state.get(state.RESULT), name=state.get(state.RUN_NAME) or "")
    manifest = store.manifest(key)
    if is_panel(manifest):
        # A run of many series presents one: the picked series when the run holds it.
        ids = list(manifest["extra"]["panel"].get("ids") or [])
        if not ids:
            raise BundleError("This run holds no forecast series.")
        picked = state.get(state.SERIES)
        manifest = series_manifest(manifest, picked if picked in ids else ids[0])
    return PresentedRun.from_manifest(manifest)


def _move(step: int, count: int) -> None:
    index = int(state.get(state.PRESENT_SCREEN) or 0) + step
    state.put(state.PRESENT_SCREEN, max(0, min(count - 1, index)))


def _sentences(screen: Screen, css: str = "") -> None:
    lines = "".join(f"<p class='present-line'>{html.escape(s)}</p>" for s in screen.sentences)
    st.markdown(f"<div class='{css}'>{lines}</div>", unsafe_allow_html=True)


def _learning_chart(screen: Screen, replay: bool) -> None:
    """The recorded loss curve; on `replay` it is drawn again, epoch by epoch."""
    chart = st.empty()
    fig = screen_figure(screen, height=460)
    if fig is None:
        return
    if replay:
        table = screen.table
        epochs, frames = len(table), 30
        values = table.to_numpy(dtype="float64")
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
        pad = 0.05 * (high - low or abs(high) or 1.0)
        log = fig.layout.yaxis.type == "log"
        y_range = [np.log10(low) - 0.05, np.log10(high) + 0.05] if log else [low - pad, high + pad]
        for k in range(1, frames + 1):
            shown = replace(screen, table=table.iloc[: max(1, round(epochs * k / frames))])
            part = screen_figure(shown, height=460)
            part.update_xaxes(range=[0.5, epochs + 0.5])
            part.update_yaxes(range=y_range, type="log" if log else "linear")
            chart.plotly_chart(part, width="stretch", key=f"present_learning_{k}")
            time.sleep(0.06)
        return
    chart.plotly_chart(fig, width="stretch", key="present_learning")


def _screen(screen: Screen, lang: str) -> None:
    st.markdown(f"<p class='present-title'>{html.escape(screen.title)}</p>",
                unsafe_allow_html=True)
    if screen.table is None:
        _sentences(screen, "present-summary")
        return
    chart, words = st.columns([3, 2], gap="large")
    with words:
        _sentences(screen)
        replay = screen.key == "learning" and st.button(_WORDS[lang]["replay"],
                                                        key="present_replay")
    with chart:
        if screen.key == "learning":
            _learning_chart(screen, replay)
        else:
            st.plotly_chart(screen_figure(screen, height=460), width="stretch",
                            key=f"present_{screen.key}")


def _navigation(count: int, lang: str) -> None:
    index = int(state.get(state.PRESENT_SCREEN) or 0)
    back, where, ahead = st.columns([1, 1, 1])
    back.button(_WORDS[lang]["previous"], icon=":material/arrow_back:", key="present_previous",
                shortcut="Left", disabled=index == 0, on_click=_move, args=(-1, count),
                width="stretch")
    where.markdown(f"<p class='present-count'>{index + 1} / {count}</p>",
                   unsafe_allow_html=True)
    ahead.button(_WORDS[lang]["next"], icon=":material/arrow_forward:", key="present_next",
                 shortcut="Right", disabled=index >= count - 1, on_click=_move, args=(1, count),
                 type="primary", width="stretch")


def _downloads(run: PresentedRun, lang: str) -> None:
    from lstm_core.report import build_deck, report_html, safe_filename

    deck, report = st.columns(2)
    deck.download_button(
        _WORDS[lang]["deck"], lambda: build_deck(run, lang), key="present_deck",
        file_name=safe_filename(run.name, ".pptx"), icon=":material/slideshow:",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        on_click="ignore",
    )
    report.download_button(
        _WORDS[lang]["report"], lambda: report_html(run, lang).encode("utf-8"),
        key="present_report", file_name=safe_filename(run.name, ".html"), mime="text/html",
        icon=":material/description:",
        on_click="ignore",
    )


started = time.perf_counter()  # the page's own script time, shown to the presenter
lang = state.get(state.LANGUAGE) if state.get(state.LANGUAGE) in LANGUAGES else "en"
words = _WORDS[lang]
st.html(_STYLE)
store = RunStore()
choices = _choices(store)
if not choices:
    st.title(words["title"])
    st.info(words["none"])
    st.page_link("pages/train.py", label="Train", icon=":material/model_training:")
    st.stop()

labels = {**choices, **({CURRENT: words["current"]} if CURRENT in choices else {})}
wanted = state.get(state.PRESENT_RUN)
if wanted not in choices:
    current_id = state.get(state.RUN_ID)
    wanted = current_id if current_id in choices else next(iter(choices))
picked = st.sidebar.selectbox(words["run"], list(choices), index=list(choices).index(wanted),
                              format_func=labels.__getitem__, key="_present_pick")
if picked != state.get(state.PRESENT_RUN):
    state.put(state.PRESENT_RUN, picked)
    state.put(state.PRESENT_SCREEN, 0)

try:
    run: Any = _open(store, picked)
    screens = present_screens(run, lang)
except (BundleError, ValueError) as exc:
    st.error(md_escape(str(exc)))
    st.stop()

index = max(0, min(len(screens) - 1, int(state.get(state.PRESENT_SCREEN) or 0)))
state.put(state.PRESENT_SCREEN, index)
_screen(screens[index], lang)
_navigation(len(screens), lang)
st.caption(f"{md_escape(words['keys'])} · "
           f"{words['opened'].format(time.perf_counter() - started)}")
_downloads(run, lang)
