"""Backtest page: how the forecast would have done at several past cut-offs (rolling origin)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from lstm_core.backtest import MAX_ORIGINS, backtest_verdict, max_origins
from lstm_core.charts import backtest_figure
from lstm_core.evaluation import to_safe_csv
from lstm_core.plan import default_settings
from lstm_core.runs import fingerprint
from ui import state
from ui.backtesting import BacktestSource, shown_backtest, start_backtest, warm_workers
from ui.entry import ensure_entrypoint
from ui.jobs import MAX_TRAININGS, TrainingJob, running_trainings
from ui.text import md_escape

ensure_entrypoint()

MODEL_LABELS = {"lstm": "LSTM", "naive": "Naive", "seasonal_naive": "Seasonal naive",
                "ets": "ETS"}


def _source() -> BacktestSource | None:
    """The current run if there is one, else the dataset with the Train page's settings."""
    result = state.get(state.RESULT)
    if result is not None and state.get(state.PANEL_RESULT) is not None:
        # One series of a run of many: backtested on its own, not stored with the whole run.
        series = str(state.get(state.SERIES))
        owner = state.get(state.RUN_ID) or f"result:{id(state.get(state.PANEL_RESULT))}"
        name = state.get(state.RUN_NAME) or "the current run"
        return BacktestSource(key=f"{owner}:{series}", label=f"{name} · {series}",
                              series=result.series, settings=result.settings, run_id=None)
    if result is not None:
        run_id = state.get(state.RUN_ID)
        name = state.get(state.RUN_NAME) or "the current run"
        return BacktestSource(key=run_id or f"result:{id(result)}", label=name,
                              series=result.series, settings=result.settings, run_id=run_id)
    dataset = state.get(state.DATASET)
    if dataset is None:
        return None
    saved = state.get(state.SETTINGS)
    settings = saved if saved is not None and st.session_state.get("_settings_for") == \
        dataset.name else default_settings(len(dataset.series), dataset.report.season_length)
    return BacktestSource(key=f"data:{fingerprint(dataset.series)}",
                          label=state.get(state.SOURCE) or dataset.name,
                          series=dataset.series, settings=settings, run_id=None)


def _controls(source: BacktestSource, busy: bool) -> tuple[int, int] | None:
    """The form; returns (origins, step) when the user pressed Run."""
    horizon = source.settings.window.horizon
    fits = max_origins(len(source.series), source.settings)
    if fits == 0:
        st.warning(
            f"This series ({len(source.series)} points) is too short to backtest with a window "
            f"of {source.settings.window.input_length} and a horizon of {horizon}: even one "
            "cut-off needs more data. Shorten the window or horizon on the Train page.",
            icon=":material/warning:",
        )
        return None
    with st.form("backtest_form"):
        c = st.columns([1, 1, 2])
        origins = c[0].number_input(
            "Cut-offs", 1, MAX_ORIGINS, min(3, fits),
            help=f"How many past points in time to pretend the data ended at. With these "
            f"settings this series fits up to {fits} (one horizon apart).",
        )
        step = c[1].number_input(
            "Steps between cut-offs", 1, max(1, len(source.series)), horizon,
            help="Default: one horizon, so the periods scored do not overlap.",
        )
        c[2].caption(
            f"Each cut-off trains the LSTM exactly as on the Train page (window "
            f"{source.settings.window.input_length}, horizon {horizon}, "
            f"{source.settings.model.units} units, up to {source.settings.train.epochs} epochs) "
            "on the data before it, and scores its forecast of the next horizon beside the "
            "baselines. Cut-offs train in parallel, one per core."
        )
        pressed = st.form_submit_button("Run backtest", type="primary",
                                        icon=":material/play_arrow:", disabled=busy)
    if not pressed:
        return None
    fits_step = max_origins(len(source.series), source.settings, int(step))
    if int(origins) > fits_step:
        st.error(
            f"This series fits at most {fits_step} cut-off{'s' if fits_step != 1 else ''} "
            f"{int(step)} steps apart with these settings; choose {fits_step} or fewer, or a "
            "smaller step."
        )
        return None
    return int(origins), int(step)


@st.fragment(run_every=0.5)
def _live(job_key: str) -> None:
    job: TrainingJob | None = state.get(job_key)
    if job is None:
        return
    snap = job.snapshot()
    if not snap.active:
        st.rerun()
    if snap.status == "queued":
        st.info(f"Queued: the server is already running {running_trainings()} job(s), its limit "
                f"is {MAX_TRAININGS}. Yours starts as soon as one finishes.",
                icon=":material/hourglass_top:")
    else:
        if snap.epoch == 0:
            text = ("Starting: the worker processes load TensorFlow (or finish another user's "
                    f"backtest first) · {snap.elapsed:.0f} s elapsed")
        else:
            text = (f"{snap.phase or '0 cut-offs done'} · {snap.epoch} epochs trained · "
                    f"{snap.elapsed:.0f} s elapsed")
        st.progress(snap.fraction, text=text)
    if st.button("Stop", icon=":material/stop:", key="stop_backtest"):
        job.stop()
        st.toast("Stopping: running cut-offs keep their best weights; the rest are skipped.")


def _scores_table(result) -> None:
    table = result.scores[["cutoff", "lstm", "naive", "seasonal_naive", "ets", "coverage"]].copy()
    if result.time_column == "date":
        table["cutoff"] = pd.to_datetime(table["cutoff"]).dt.date.astype(str)
    means = {name: result.summary["models"][name]["mean_mase"] for name in MODEL_LABELS}
    table.loc[len(table)] = {"cutoff": "mean", **{k: (math.nan if v is None else v)
                                                   for k, v in means.items()},
                             "coverage": result.summary["coverage"]}
    table = table.rename(columns={"cutoff": "Cut-off", "coverage": "Interval coverage",
                                  **MODEL_LABELS})
    models = list(MODEL_LABELS.values())

    def best(row: pd.Series) -> list[str]:
        values = row[models].astype(float)
        low = values.min() if values.notna().any() else None
        return ["font-weight: bold; background-color: #d8f0d8"
                if name in models and low is not None and row[name] == low else ""
                for name in row.index]

    styled = table.style.apply(best, axis=1).format(
        {**dict.fromkeys(models, "{:.3f}"), "Interval coverage": "{:.0%}"}, na_rep="undefined")
    st.dataframe(styled, hide_index=True, key="backtest_table")
    caption = ("MASE at each cut-off: below 1 beats repeating the last season in-sample; the "
               "lowest in each row is highlighted.")
    if table[models].isna().any().any():
        caption += (" 'undefined' means the history repeated its season exactly, so there is no "
                    "error to scale by.")
    st.caption(caption)


def _show(source: BacktestSource, result) -> None:
    st.subheader("Result")
    st.markdown(f"**{md_escape(backtest_verdict(result.summary))}**")
    cutoffs = result.cutoffs
    labels = [str(c.date()) if isinstance(c, pd.Timestamp) else str(c) for c in cutoffs]
    if len(cutoffs) > 1:
        picked = st.select_slider("Cut-off shown", options=labels, value=labels[-1],
                                  key="backtest_cutoff")
    else:
        picked = labels[0]
    cutoff = cutoffs[labels.index(picked)]
    show_baselines = st.toggle("Show baselines", value=True, key="backtest_baselines")
    st.plotly_chart(backtest_figure(source.series, result.frame, cutoff, result.settings.level,
                                    show_baselines), width="stretch", key="backtest_chart")
    _scores_table(result)
    level = result.settings.level
    st.caption(f"The {level:.0%} interval covered {result.summary['coverage']:.0%} of the "
               f"{len(result.frame)} actual values across all cut-offs.")
    if result.notes:
        for note in result.notes:
            st.info(md_escape(note))
    st.download_button("Backtest (CSV)", to_safe_csv(result.frame), file_name="backtest.csv",
                       mime="text/csv", icon=":material/download:")
    if source.run_id is None:
        st.caption("Train a model to keep a backtest with its run: without a run it stays only "
                   "in this browser session.")


def _finished(job: TrainingJob, source: BacktestSource) -> None:
    snap = job.snapshot()
    if snap.status == "failed":
        st.error(md_escape(snap.error or "The backtest failed."))
    elif job.result is not None:
        state.put(state.BACKTEST, job.result)
        state.put(state.BACKTEST_FOR, st.session_state.get("_backtest_key"))
        state.put(state.BACKTEST_JOB, None)  # consumed: the result now lives in BACKTEST
        if snap.error:
            st.warning(md_escape(snap.error))


st.title("Backtest")
source = _source()
if source is None:
    st.info("Load a dataset on the Data page first.")
    st.page_link("pages/data.py", label="Go to Data", icon=":material/table_chart:")
    st.stop()

warm_workers()
what = "the current run" if source.run_id or state.get(state.RESULT) is not None else "the data"
st.caption(f"Backtesting {what}: {md_escape(source.label)} · {len(source.series):,} points")
job: TrainingJob | None = state.get(state.BACKTEST_JOB)
busy = job is not None and job.snapshot().active
request = _controls(source, busy)
if request is not None and not busy:
    st.session_state["_backtest_key"] = source.key
    start_backtest(source, *request)
    st.rerun()  # redraw with the Run button disabled and the live progress
if busy:
    _live(state.BACKTEST_JOB)
else:
    if job is not None:
        _finished(job, source)
    shown = shown_backtest(source)
    if shown is not None:
        _show(source, shown)
    elif job is None:
        st.info("Run a backtest to see how the forecast would have done at past cut-offs: "
                "one holdout is a single draw, several cut-offs show how steady the model is.")
