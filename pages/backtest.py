"""Backtest page: how the forecast would have done at several past cut-offs (rolling origin).

With many series loaded it backtests every series at once (the aggregate over (series, cut-off)
pairs, a row per series, one series' cut-offs) or, as for a single series, only the picked one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from lstm_core.backtest import MAX_ORIGINS, backtest_verdict, drivers_verdict, max_origins
from lstm_core.charts import backtest_figure
from lstm_core.evaluation import to_safe_csv
from lstm_core.panel import MODE_LABELS
from lstm_core.plan import default_settings
from lstm_core.runs import fingerprint
from lstm_core.scoreboard import MODEL_LABELS
from ui import state
from ui.backtesting import (
    BacktestSource,
    PanelBacktestSource,
    shown_backtest,
    shown_panel_backtest,
    start_backtest,
    start_panel_backtest,
    warm_workers,
)
from ui.entry import ensure_entrypoint
from ui.jobs import MAX_TRAININGS, TrainingJob, running_trainings
from ui.panels import MASE_COLUMNS, LoadedPanel, PanelRun, run_belongs
from ui.rerun import rerun
from ui.text import md_escape

if TYPE_CHECKING:
    from lstm_core.backtest import BacktestResult
    from lstm_core.panel_backtest import PanelBacktest

ensure_entrypoint()


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
                              series=result.series, settings=result.settings, run_id=run_id,
                              drivers=getattr(result, "drivers", None))
    dataset = state.get(state.DATASET)
    if dataset is None:
        return None
    saved = state.get(state.SETTINGS)
    settings = saved if saved is not None and st.session_state.get("_settings_for") == \
        dataset.name else default_settings(len(dataset.series), dataset.report.season_length)
    driven = state.get(state.DRIVEN)
    drivers = None if driven is None else driven.drivers
    # A backtest with drivers is another backtest than one without, on the same series.
    with_drivers = "" if drivers is None else f":drivers:{hash(drivers.spec)}"
    return BacktestSource(key=f"data:{fingerprint(dataset.series)}{with_drivers}",
                          label=state.get(state.SOURCE) or dataset.name,
                          series=dataset.series, settings=settings, run_id=None,
                          drivers=drivers)


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
        rerun()
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


def _scores_table(result: BacktestResult) -> None:
    labels = {name: label for name, label in MODEL_LABELS.items()
              if name in result.summary["models"] and name in result.scores.columns}
    table = result.scores[["cutoff", *labels, "coverage"]].copy()
    if result.time_column == "date":
        table["cutoff"] = pd.to_datetime(table["cutoff"]).dt.date.astype(str)
    means = {name: result.summary["models"][name]["mean_mase"] for name in labels}
    table.loc[len(table)] = {"cutoff": "mean", **{k: (math.nan if v is None else v)
                                                   for k, v in means.items()},
                             "coverage": result.summary["coverage"]}
    table = table.rename(columns={"cutoff": "Cut-off", "coverage": "Interval coverage",
                                  **labels})
    models = list(labels.values())

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


def _show(source: BacktestSource, result: BacktestResult) -> None:
    st.subheader("Result")
    st.markdown(f"**{md_escape(backtest_verdict(result.summary))}**")
    helped = drivers_verdict(result.summary)
    if helped:
        st.markdown(f"**{md_escape(helped)}**")
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
                       mime="text/csv", icon=":material/download:", on_click="ignore")
    if source.run_id is None:
        st.caption("Train a model to keep a backtest with its run: without a run it stays only "
                   "in this browser session.")


def _finished(job: TrainingJob) -> None:
    snap = job.snapshot()
    if snap.status == "failed":
        st.error(md_escape(snap.error or "The backtest failed."))
    elif job.result is not None and "panel_backtest" in job.meta:
        state.put(state.PANEL_BACKTEST, job.result)
        state.put(state.PANEL_BACKTEST_FOR, job.meta["panel_backtest"])
        state.put(state.BACKTEST_JOB, None)  # consumed: the result now lives in PANEL_BACKTEST
        if snap.error:
            st.warning(md_escape(snap.error))
    elif job.result is not None:
        state.put(state.BACKTEST, job.result)
        state.put(state.BACKTEST_FOR, st.session_state.get("_backtest_key"))
        state.put(state.BACKTEST_JOB, None)  # consumed: the result now lives in BACKTEST
        if snap.error:
            st.warning(md_escape(snap.error))


# ------------------------------------------------------------------ every series of a panel

SCOPE_OPTIONS = ("all", "picked")
SERIES_COLUMNS = {
    **MASE_COLUMNS,
    "lstm_wins": st.column_config.NumberColumn(
        "LSTM beat seasonal naive", format="%d",
        help="Cut-offs of this series where the LSTM's error was lower than seasonal naive's."),
    "cutoffs": st.column_config.NumberColumn("Cut-offs", format="%d"),
}


def _panel_source() -> PanelBacktestSource | None:
    """Every series of the loaded panel (or of the current panel run), with the run's settings."""
    loaded: LoadedPanel | None = state.get(state.PANEL)
    run: PanelRun | None = state.get(state.PANEL_RESULT)
    if run is not None and (loaded is None or not run_belongs(run, loaded)):
        # A reopened run whose file is not loaded: its own saved series.
        points = dict(zip(run.scores["series"], run.scores["points"], strict=True))
        return PanelBacktestSource(
            key=run.run_id or f"result:{id(run)}", label=run.dataset or run.name,
            lengths={k: int(points.get(k, 0)) for k in run.ids}, settings=run.settings,
            mode=run.mode, run_id=run.run_id,
            series_of=lambda key: run.series_result(key).series)
    if loaded is None:
        return None
    panel_series = loaded.panel.series
    lengths = {k: len(one) for k, one in panel_series.items()}
    if run is not None:
        return PanelBacktestSource(
            key=run.run_id or f"result:{id(run)}", label=state.get(state.SOURCE) or loaded.name,
            lengths=lengths,
            settings=run.settings, mode=run.mode, run_id=run.run_id,
            series_of=lambda key: panel_series[key])
    return PanelBacktestSource(
        key=f"panel:{loaded.key[1]}", label=state.get(state.SOURCE) or loaded.name,
        lengths=lengths, settings=loaded.defaults, mode="global", run_id=None,
        series_of=lambda key: panel_series[key])


def _scope(panel: PanelBacktestSource) -> str:
    """All series (the default with a panel run current) or only the picked one."""
    default = "all" if state.get(state.PANEL_RESULT) is not None else "picked"
    current = state.get(state.BACKTEST_SCOPE) or default
    picked = state.get(state.SERIES)
    count = len(panel.ids)
    job: TrainingJob | None = state.get(state.BACKTEST_JOB)
    scope = st.radio(
        "What to backtest", SCOPE_OPTIONS, index=SCOPE_OPTIONS.index(current),
        format_func=lambda s: f"All {count:,} series" if s == "all" else (
            f"Only the picked series ({md_escape(str(picked))})" if picked
            else "Only the picked series"),
        key="backtest_scope_pick", horizontal=True,
        disabled=job is not None and job.snapshot().active,
        help="All series: every series cut at its own last cut-offs, scored together. The "
        "picked series: that one alone, as for a file of one series.",
    )
    if scope != current:
        state.put(state.BACKTEST_SCOPE, scope)
    return scope


def _panel_controls(panel: PanelBacktestSource, busy: bool) -> tuple[int, int] | None:
    """The form for every series; returns (origins, step) when the user pressed Run."""
    settings = panel.settings
    horizon = settings.window.horizon
    fits = {k: max_origins(n, settings) for k, n in panel.lengths.items()}
    most = max(fits.values(), default=0)
    if most == 0:
        st.warning(
            f"Every series is too short to backtest with a window of "
            f"{settings.window.input_length} and a horizon of {horizon}: even one cut-off "
            "needs more data. Train every series with a shorter window or horizon on the "
            "Train page: the backtest then uses that run's settings.",
            icon=":material/warning:",
        )
        return None
    typical = sorted(fits.values())[len(fits) // 2]
    with st.form("panel_backtest_form"):
        c = st.columns([1, 1, 2])
        origins = c[0].number_input(
            "Cut-offs", 1, MAX_ORIGINS, max(1, min(3, typical)),
            help=f"How many past points in time each series is cut at. With these settings "
            f"the longest series fits {most} (one horizon apart); a series that fits fewer is "
            "left out.",
        )
        step = c[1].number_input(
            "Steps between cut-offs", 1, max(1, max(panel.lengths.values())), horizon,
            help="Default: one horizon, so the periods scored do not overlap.",
        )
        per = ("one LSTM for every series at each cut-off" if panel.mode == "global"
               else "one LSTM per series and cut-off")
        c[2].caption(
            f"Trains {per} with these settings (window "
            f"{settings.window.input_length}, horizon {horizon}, {settings.model.units} units, "
            f"up to {settings.train.epochs} epochs), on the data before each cut-off, and scores "
            "the forecast of the next horizon beside the baselines. Tasks run in parallel, one "
            "per core."
        )
        pressed = st.form_submit_button("Run backtest", type="primary",
                                        icon=":material/play_arrow:", disabled=busy)
    if not pressed:
        return None
    fitting = sum(max_origins(n, settings, int(step)) >= int(origins)
                  for n in panel.lengths.values())
    if fitting == 0:
        longest = max(max_origins(n, settings, int(step)) for n in panel.lengths.values())
        st.error(
            f"No series fits {int(origins)} cut-offs {int(step)} steps apart with these "
            f"settings (the longest fits {longest}); choose {longest} or fewer, or a smaller "
            "step."
        )
        return None
    return int(origins), int(step)


def _panel_aggregate(result: PanelBacktest) -> None:
    """Mean and geometric-mean MASE per model over (series, cut-off) pairs, and the LSTM's wins."""
    summary = result.summary
    pairs = int(summary["origins"])
    models, beats = summary["models"], summary["lstm_beats"]
    shown = [m for m in MODEL_LABELS if m in models]  # a panel has no drivers
    frame = pd.DataFrame(
        {"Mean MASE": [models[m]["mean_mase"] for m in shown],
         "Geometric-mean MASE": [models[m]["geomean_mase"] for m in shown]},
        index=[MODEL_LABELS[m] for m in shown],
    ).astype("float64")
    frame["LSTM better in"] = [
        "–" if m == "lstm" or beats.get(m) is None
        else f"{round(beats[m] * pairs):,} of {pairs:,} pairs ({beats[m]:.0%})"
        for m in shown
    ]

    def best(column: pd.Series) -> list[str]:
        if not pd.api.types.is_numeric_dtype(column):
            return [""] * len(column)
        valid = column.dropna()
        low = valid.min() if len(valid) else None
        return ["font-weight: bold; background-color: #d8f0d8" if v == low else ""
                for v in column]

    st.dataframe(frame.style.apply(best, axis=0).format(precision=3, na_rep="undefined"),
                 key="panel_backtest_aggregate")
    coverage = summary.get("coverage")
    covered = ("" if coverage is None or (isinstance(coverage, float) and math.isnan(coverage))
               else f"The {result.settings.level:.0%} intervals covered {coverage:.0%} of the "
               f"{len(result.frame):,} actual values. ")
    st.caption(f"{covered}MASE below 1 beats repeating the last season in-sample; the geometric "
               "mean is less swayed by a few hard series than the mean.")


def _panel_left_out(result: PanelBacktest) -> None:
    if not result.excluded:
        return
    count = len(result.excluded)
    st.warning(f"{count:,} series {'was' if count == 1 else 'were'} left out of the backtest; "
               "the table below says why.", icon=":material/warning:")
    with st.expander(f"Series left out ({count:,})"):
        st.dataframe(pd.DataFrame({"Series": list(result.excluded),
                                   "Reason": list(result.excluded.values())}),
                     hide_index=True, key="panel_backtest_excluded")


def _panel_one_series(panel: PanelBacktestSource, result: PanelBacktest) -> None:
    """One series' cut-offs, with the single-series chart and table."""
    ids = result.ids
    current = state.get(state.SERIES)
    st.subheader("One series")
    key = st.selectbox("Series", ids, index=ids.index(current) if current in ids else 0,
                       key="backtest_series_pick",
                       help="The chart and table below show this series' cut-offs.")
    one = result.series_result(key)
    st.caption(md_escape(backtest_verdict(one.summary)))
    cutoffs = one.cutoffs
    labels = [str(c.date()) if isinstance(c, pd.Timestamp) else str(c) for c in cutoffs]
    picked = labels[0]
    if len(cutoffs) > 1:
        picked = st.select_slider("Cut-off shown", options=labels, value=labels[-1],
                                  key="panel_backtest_cutoff")
    show_baselines = st.toggle("Show baselines", value=True, key="panel_backtest_baselines")
    st.plotly_chart(backtest_figure(panel.series_of(key), one.frame,
                                    cutoffs[labels.index(picked)], one.settings.level,
                                    show_baselines),
                    width="stretch", key="panel_backtest_chart")
    _scores_table(one)


def _panel_show(panel: PanelBacktestSource, result: PanelBacktest) -> None:
    st.subheader(f"Result across {int(result.summary['series']):,} series")
    verdict = backtest_verdict(result.summary, unit="(series, cut-off) pair", allow_mae=False)
    st.markdown(f"**{md_escape(verdict)}**")
    _panel_aggregate(result)
    _panel_left_out(result)
    st.markdown("**Every series** (click a column to sort)")
    st.dataframe(result.per_series, hide_index=True, key="panel_backtest_series",
                 column_config=SERIES_COLUMNS, height=min(38 + 35 * len(result.per_series), 400))
    st.download_button(
        "Backtest of all series (CSV)", lambda: to_safe_csv(result.frame),
        file_name="backtest_all_series.csv", mime="text/csv", icon=":material/download:",
        help="One row per series, cut-off and step: series, cutoff, date, actual, lstm, lower, "
        "upper and the baselines.",
        on_click="ignore",
    )
    if result.stopped:
        st.info("The backtest was stopped: only the cut-offs that finished are scored.")
    if result.notes:
        with st.expander("How this backtest was made"):
            st.markdown("\n".join(f"- {md_escape(n)}" for n in result.notes))
    if panel.run_id is None:
        st.caption("Train a model on every series to keep a backtest with its run: without a "
                   "saved run it stays only in this browser session.")
    _panel_one_series(panel, result)


def _panel_page(panel: PanelBacktestSource) -> None:
    """The Backtest page for every series of a panel."""
    mode = MODE_LABELS.get(panel.mode, panel.mode)
    run: PanelRun | None = state.get(state.PANEL_RESULT)
    whose = (f"the settings of the current run ({md_escape(run.name)})" if run is not None
             else "the automatic settings for this file")
    picked = state.get(state.SERIES)
    first = (f" The one-series view opens on the picked series, {md_escape(str(picked))}."
             if picked in panel.lengths else "")
    st.caption(f"Backtesting {md_escape(panel.label)}: {len(panel.ids):,} series, {mode}, "
               f"with {whose}.{first}")
    job: TrainingJob | None = state.get(state.BACKTEST_JOB)
    busy = job is not None and job.snapshot().active
    request = _panel_controls(panel, busy)
    if request is not None and not busy:
        start_panel_backtest(panel, *request)
        rerun()
    if busy:
        _live(state.BACKTEST_JOB)
        return
    if job is not None:
        _finished(job)
    shown = shown_panel_backtest(panel)
    if shown is not None:
        _panel_show(panel, shown)
    elif job is None:
        st.info("Run a backtest to see how the forecast would have done for every series at "
                "past cut-offs: one holdout per series is a single draw, several cut-offs show "
                "how steady the model is across series and time.")


st.title("Backtest")
source = _source()
if source is None:
    st.info("Load a dataset on the Data page first.")
    st.page_link("pages/data.py", label="Go to Data", icon=":material/table_chart:")
    st.stop()

warm_workers()
panel_source = _panel_source()
if panel_source is not None and len(panel_source.ids) > 1 and _scope(panel_source) == "all":
    _panel_page(panel_source)
    st.stop()
what = "the current run" if source.run_id or state.get(state.RESULT) is not None else "the data"
st.caption(f"Backtesting {what}: {md_escape(source.label)} · {len(source.series):,} points")
job: TrainingJob | None = state.get(state.BACKTEST_JOB)
busy = job is not None and job.snapshot().active
request = _controls(source, busy)
if request is not None and not busy:
    st.session_state["_backtest_key"] = source.key
    start_backtest(source, *request)
    rerun()  # redraw with the Run button disabled and the live progress
if busy:
    _live(state.BACKTEST_JOB)
else:
    if job is not None:
        _finished(job)
    shown = shown_backtest(source)
    if shown is not None:
        _show(source, shown)
    elif job is None:
        st.info("Run a backtest to see how the forecast would have done at past cut-offs: "
                "one holdout is a single draw, several cut-offs show how steady the model is.")
