"""Train page: settings with automatic defaults, a live loss chart, and Stop."""

from __future__ import annotations

import json

import streamlit as st

from lstm_core.charts import loss_figure
from lstm_core.config import LIMITS, TRANSFORMS, Settings
from lstm_core.data import Dataset, DrivenDataset
from lstm_core.drivers import DriverData
from lstm_core.errors import DataError, SettingsError
from lstm_core.panel import prepare_in_workers
from lstm_core.plan import Plan, default_settings, make_plan
from ui import state
from ui.backtesting import warm_workers
from ui.drivers import KIND_LABELS, assumed_labels, assumed_sentence
from ui.entry import ensure_entrypoint
from ui.jobs import MAX_TRAININGS, JobSnapshot, TrainingJob, running_trainings
from ui.panels import SCOPES, LoadedPanel, PanelRun, pick_series, scope_label, too_short
from ui.rerun import rerun
from ui.text import md_escape
from ui.training import start_panel_training, start_training, warm_up

ensure_entrypoint()

ACTIVATIONS = ("tanh", "relu")
# Title, progress row and a chart this tall fit a 1366x768 screen (browser and Streamlit chrome
# included) without scrolling, so a room can watch training on a projector.
CHART_HEIGHT = 420


def _current_settings(dataset: Dataset) -> Settings:
    """The user's last settings for this dataset, else the automatic defaults."""
    saved = state.get(state.SETTINGS)
    if saved is not None and st.session_state.get("_settings_for") == dataset.name:
        return saved
    return default_settings(len(dataset.series), dataset.report.season_length)


def _settings_form(defaults: Settings, locked: bool = False) -> Settings | None:
    """Render the form; return validated settings when the user pressed Train.

    Args:
        defaults: the values the inputs start from.
        locked: every input and Train disabled (a training job of this session is running).
    """
    w, m, t = defaults.window, defaults.model, defaults.train
    with st.form("train_settings", border=True):
        st.markdown("**Window and horizon**")
        c = st.columns(3)
        input_length = c[0].number_input(
            "Window (past steps read)", 1, LIMITS["input_length"], w.input_length,
            help="How many past points the LSTM reads to make one forecast. "
            "Default: two seasons when a season was found.", disabled=locked,
        )
        horizon = c[1].number_input(
            "Horizon (steps ahead)", 1, LIMITS["horizon"], w.horizon,
            help="How many steps ahead to forecast; the last `horizon` points are held out "
            "to score the model.", disabled=locked,
        )
        seed = c[2].number_input(
            "Seed", 0, 2**31 - 1, t.seed,
            help="Same data, settings and seed give the same numbers.", disabled=locked,
        )
        st.markdown("**Model**")
        c = st.columns(4)
        units = c[0].number_input(
            "LSTM units", 1, LIMITS["units"], m.units,
            help="Size of each LSTM layer's memory. More can learn more, but trains slower.",
            disabled=locked,
        )
        layers = c[1].number_input(
            "Layers", 1, LIMITS["layers"], m.layers, help="Stacked LSTM layers.", disabled=locked
        )
        dropout = c[2].number_input(
            "Dropout", 0.0, LIMITS["dropout_max"], float(m.dropout), step=0.05,
            help="Fraction of connections dropped while training, against over-fitting.",
            disabled=locked,
        )
        activation = c[3].selectbox(
            "Activation", ACTIVATIONS, index=ACTIVATIONS.index(m.activation)
            if m.activation in ACTIVATIONS else 0,
            help="tanh is the standard LSTM; relu is what the classic tutorial uses.",
            disabled=locked,
        )
        st.markdown("**Training**")
        c = st.columns(4)
        epochs = c[0].number_input(
            "Epochs", 1, LIMITS["epochs"], t.epochs,
            help="Passes over the training data (early stopping may end sooner).", disabled=locked,
        )
        batch_size = c[1].number_input(
            "Batch size", 1, LIMITS["batch_size"], t.batch_size,
            help="Windows per weight update.", disabled=locked,
        )
        learning_rate = c[2].number_input(
            "Learning rate", LIMITS["learning_rate_min"], 1.0, float(t.learning_rate),
            format="%.6f", step=1e-4,
            help="Step size of the Adam optimiser.", disabled=locked,
        )
        patience = c[3].number_input(
            "Early-stopping patience", 0, LIMITS["patience"], t.patience,
            help="Stop after this many epochs without a better validation loss (0 = never); "
            "the best weights are kept.", disabled=locked,
        )
        st.markdown("**Forecast**")
        c = st.columns(4)
        holdout = c[0].number_input(
            "Holdout length", 1, LIMITS["rows"], int(defaults.holdout or w.horizon),
            help="How many points at the end are hidden from training and used to score the "
            "forecast. Default: one horizon.", disabled=locked,
        )
        level = c[1].slider(
            "Interval level", 0.01, 0.99, float(defaults.level), step=0.01,
            help="Coverage the forecast interval aims for (80 % by default).", disabled=locked,
        )
        ensemble = c[2].number_input(
            "Models in ensemble", 1, LIMITS["ensemble"], int(defaults.ensemble),
            help="Train several models with different seeds side by side and take their "
            "median: steadier forecasts for little extra training time.", disabled=locked,
        )
        transform = c[3].selectbox(
            "Transform", TRANSFORMS, index=TRANSFORMS.index(defaults.transform)
            if defaults.transform in TRANSFORMS else 0,
            help="'auto' models the logarithm when every value is above zero (swings that grow "
            "with the level); 'log' insists on it; 'none' models the raw values.", disabled=locked,
        )
        submitted = st.form_submit_button(
            "Train", type="primary", icon=":material/play_arrow:", disabled=locked
        )
    if not submitted:
        return None
    try:
        return Settings.from_dict(
            {
                **defaults.to_dict(),
                "window": {"input_length": int(input_length), "horizon": int(horizon)},
                "model": {"units": int(units), "layers": int(layers), "dropout": float(dropout),
                          "activation": activation},
                "train": {**defaults.to_dict()["train"], "epochs": int(epochs),
                          "batch_size": int(batch_size), "learning_rate": float(learning_rate),
                          "patience": int(patience), "seed": int(seed)},
                "level": float(level),
                "holdout": int(holdout),
                "ensemble": int(ensemble),
                "transform": transform,
            }
        )
    except SettingsError as exc:
        st.error(md_escape(str(exc)))
        return None


def _settings_files(current: Settings, settings_for: str) -> None:
    with st.expander("Settings file (JSON)"):
        st.download_button(
            "Download these settings", json.dumps(current.to_dict(), indent=2),
            file_name="settings.json", mime="application/json",
            help="The same file works with `python -m lstm_core forecast --config settings.json`.",
            on_click="ignore",
        )
        uploaded = st.file_uploader("Load settings", type=["json"], key="settings_upload")
        if uploaded is not None and uploaded.file_id != st.session_state.get("_settings_file"):
            st.session_state["_settings_file"] = uploaded.file_id
            try:
                loaded = Settings.from_dict(json.loads(uploaded.getvalue().decode("utf-8")))
            except (ValueError, UnicodeDecodeError) as exc:
                st.error(
                    "That settings file could not be used: "
                    f"{md_escape(str(exc))} Download a settings file from this page to see "
                    "the expected format."
                )
            else:
                state.put(state.SETTINGS, loaded)
                st.session_state["_settings_for"] = settings_for
                rerun()


def _loss_chart(snap: JobSnapshot, log_y: bool, key: str) -> None:
    if snap.history.get("loss"):
        fig = loss_figure(snap.history, best_epoch=snap.best_epoch, log_y=log_y, large=True)
        fig.update_layout(height=CHART_HEIGHT)
        st.plotly_chart(fig, width="stretch", key=key)


def _progress_line(snap: JobSnapshot) -> None:
    if snap.status == "queued":
        st.info(
            f"Queued: the server is already running {running_trainings()} training(s), its limit "
            f"is {MAX_TRAININGS}. Yours starts as soon as one finishes.",
            icon=":material/hourglass_top:",
        )
        return
    if snap.detail and snap.detail_fraction is not None:
        # A run of many series: preparing, scoring, or training series after series.
        st.progress(snap.fraction, text=f"{snap.detail} · {snap.elapsed:.1f} s elapsed")
        return
    eta = f", about {snap.eta:.0f} s left" if snap.eta is not None else ""
    phase = f" ({snap.phase})" if snap.phase else ""
    st.progress(
        snap.fraction,
        text=f"Epoch {snap.epoch} of up to {snap.epochs_total}{phase} · "
        f"{snap.elapsed:.1f} s elapsed{eta}",
    )


@st.fragment(run_every=0.5)
def _live_job() -> None:
    """Progress, Log scale and Stop on one row, the growing loss chart under them."""
    job: TrainingJob | None = state.get(state.JOB)
    if job is None:
        return
    snap = job.snapshot()
    if not snap.active:
        rerun()  # training ended: redraw the whole page with its result and the form
    with st.container(horizontal=True, vertical_alignment="center"):
        _progress_line(snap)
        log_y = st.toggle("Log scale", key="loss_log")
        if st.button("Stop", icon=":material/stop:", key="stop_button"):
            job.stop()
            st.toast("Stopping at the end of this epoch; the best weights so far are kept.")
    _loss_chart(snap, log_y, "live_loss")


def _finished_job(job: TrainingJob) -> None:
    snap = job.snapshot()
    if snap.status == "failed":
        st.error(md_escape(snap.error or "Training failed."))
        return
    if job.result is not None and state.get(state.ADOPTED_JOB) != job.id:
        _adopt(job)
    sentence = assumed_sentence(job.meta.get("assumed") or {})
    if sentence:
        st.info(md_escape(sentence), icon=":material/edit_calendar:")
    verb = "stopped early" if snap.status == "stopped" else "finished"
    run = state.get(state.PANEL_RESULT)
    mine = run is not None and run.result is job.result
    forecast = f" {len(run.ids):,} series forecast." if mine else ""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.success(
            f"Training {verb} after {snap.epoch} epoch{'s' if snap.epoch != 1 else ''} in "
            f"{snap.elapsed:.1f} s.{forecast}",
            icon=":material/check_circle:",
        )
        log_y = st.toggle("Log scale", key="loss_log_done")
        if st.button("See the forecast", icon=":material/arrow_forward:", type="primary"):
            st.switch_page("pages/forecast.py")
    if snap.error:
        st.warning(md_escape(snap.error))
    if mine:
        _panel_outcome(run)
    _loss_chart(snap, log_y, "final_loss")


def _adopt(job: TrainingJob) -> None:
    """Make a finished job's result the current run (once: later data changes forget it)."""
    state.put(state.ADOPTED_JOB, job.id)
    run_id, name = job.done_value or (None, "Unsaved run")
    state.put(state.RUN_ID, run_id)
    state.put(state.RUN_NAME, name)
    state.put(state.RUN_MANIFEST, None)
    state.put(state.RUN_NETWORKS, None)  # a reopened run's networks, now not the current run's
    if "series" not in job.meta:  # a run of one series
        state.put(state.PANEL_RESULT, None)
        state.put(state.RESULT, job.result)
        state.put(state.ASSUMED, job.meta.get("assumed") or None)
        state.put(state.SCENARIOS, None)
        return
    run = PanelRun.from_result(job.result, name=name, run_id=run_id,
                               dataset=job.meta.get("dataset", ""))
    state.put(state.PANEL_RESULT, run)
    picked = state.get(state.SERIES)
    pick_series(picked if picked in run.ids else run.ids[0], of_run=True)


def _series_count(count: int) -> str:
    return f"{count:,} series {'was' if count == 1 else 'were'}"


def _panel_outcome(run: PanelRun) -> None:
    """What a run of many series left out, and whether it was saved."""
    if run.excluded:
        st.warning(
            f"{_series_count(len(run.excluded))} left out: "
            + "; ".join(f"'{md_escape(k)}': {md_escape(v)}"
                        for k, v in list(run.excluded.items())[:3])
            + (" …" if len(run.excluded) > 3 else "")
            + " The Forecast page lists them all.",
            icon=":material/warning:",
        )
    if run.run_id is None:
        st.info(
            "This run holds too many models to save (one per series): its forecasts are on "
            "the Forecast page, with a download of all of them.",
            icon=":material/info:",
        )


def _start_panel(loaded: LoadedPanel, settings: Settings, mode: str) -> None:
    """Check that some series fit the settings (the job's own rule), then start the job."""
    if _search_running():
        st.error("A settings search is running: wait for it to end, or stop it, then train.")
        return
    short = too_short(loaded.panel.series, settings)
    if len(short) == len(loaded.ids):
        key, reason = next(iter(short.items()))
        st.error(f"Every series is too short for these settings ('{md_escape(key)}': "
                 f"{md_escape(reason)}).")
        return
    state.put(state.SETTINGS, settings)
    st.session_state["_settings_for"] = _panel_settings_key(loaded)
    start_panel_training(loaded, settings, mode)
    rerun()


def _panel_settings_key(loaded: LoadedPanel) -> str:
    return f"panel:{loaded.name}:{loaded.key[1]}"


def _panel_settings(loaded: LoadedPanel) -> Settings:
    """The user's last settings for this panel, else its automatic defaults."""
    saved = state.get(state.SETTINGS)
    if saved is not None and st.session_state.get("_settings_for") == _panel_settings_key(loaded):
        return saved
    return loaded.defaults


def _scope(loaded: LoadedPanel) -> str:
    """What to train: every series (one LSTM, or one each) or only the picked series."""
    count, picked = len(loaded.ids), state.get(state.SERIES)
    current = state.get(state.TRAIN_SCOPE)
    scope = st.radio(
        "What to train", SCOPES, index=SCOPES.index(current) if current in SCOPES else 0,
        format_func=lambda s: scope_label(s, count, md_escape(str(picked))),
        key="train_scope_pick", disabled=_job_active(),
        help="One LSTM for all learns from the windows of every series at once (fast, and "
        "short series borrow strength from long ones). One LSTM per series trains each on "
        "its own. Pick a series on the Data page to train it alone.",
    )
    if scope != current:
        state.put(state.TRAIN_SCOPE, scope)
    return scope


def _job_active() -> bool:
    job = state.get(state.JOB)
    return job is not None and job.snapshot().active


def _short_for(loaded: LoadedPanel, settings: Settings) -> None:
    short = too_short(loaded.panel.series, settings)
    run = state.get(state.PANEL_RESULT)
    job = state.get(state.JOB)
    if not short or (run is not None and job is not None and run.result is job.result
                     and set(short) <= set(run.excluded)):
        return  # none, or the finished run just above already lists them
    names = ", ".join(f"'{md_escape(k)}'" for k in list(short)[:5])
    more = f" and {len(short) - 5:,} more" if len(short) > 5 else ""
    are = "is" if len(short) == 1 else "are"
    st.warning(
        f"{len(short):,} of {len(loaded.ids):,} series {are} too short for these settings and "
        f"will be left out: {names}{more}. A shorter window or horizon includes them.",
        icon=":material/warning:",
    )
    with st.expander(f"Why each is left out ({len(short):,})"):
        import pandas as pd

        st.dataframe(pd.DataFrame({"Series": list(short), "Reason": list(short.values())}),
                     hide_index=True, key="train_short_table")


def _start(dataset: Dataset, settings: Settings) -> None:
    """Check the settings as the job will, then start it and redraw the page around it."""
    if _search_running():
        st.error("A settings search is running: wait for it to end, or stop it, then train.")
        return
    try:
        plan = make_plan(dataset.series, settings)  # the job's own check: never accept less
    except (DataError, SettingsError) as exc:
        st.error(md_escape(str(exc)))
        return
    drivers, assumed = None, None
    driven = state.get(state.DRIVEN)
    if driven is not None:
        try:
            drivers, assumed = _future_filled(dataset, plan, driven.drivers)
        except (DataError, SettingsError) as exc:
            st.error(md_escape(str(exc)))
            return
    state.put(state.SETTINGS, settings)  # the form comes back with these after training
    st.session_state["_settings_for"] = dataset.name
    found = state.get(state.SEARCH)
    attach = ({"search": found.to_dict()} if found is not None
              and found.best_settings == settings else None)
    start_training(dataset, settings, attach=attach, drivers=drivers, assumed=assumed)
    rerun()  # this run already drew the open form above where the chart belongs


def _future_filled(
    dataset: Dataset, plan: Plan, drivers: DriverData
) -> tuple[DriverData, dict[str, list[str]]]:
    """The drivers with a value for every forecast date: the file's, else one season earlier.

    Returns:
        The drivers to train with, and the assumed dates per column (`assumed_labels`).
    """
    from lstm_core.driver_inputs import assume_future
    from lstm_core.evaluation import future_index

    index = future_index(dataset.series.index, plan.horizon)
    filled, assumed = assume_future(drivers, index, plan.season)
    return filled, assumed_labels(assumed, index)


def _drivers_caption(driven: DrivenDataset) -> str:
    spec = driven.drivers.spec
    names = [f"{md_escape(d.name)} ({KIND_LABELS[d.kind]})" for d in spec.drivers]
    names += ["calendar"] if spec.calendar else []
    names += [f"holidays {spec.holidays}"] if spec.holidays else []
    return " · drivers: " + ", ".join(names)


# -- Find settings ---------------------------------------------------------------------------


def _search_running() -> bool:
    job = state.get(state.SEARCH_JOB)
    return job is not None and job.snapshot().active


def _trials_table(trials: list, newest_first: bool = False) -> None:
    import pandas as pd

    if not trials:
        st.caption("No trial has finished yet.")
        return
    frame = pd.DataFrame([
        {"Trial": t.number, "Result": t.state, "Validation MASE": t.score,
         "Window": t.params["input_length"], "Units": t.params["units"],
         "Layers": t.params["layers"], "Learning rate": t.params["learning_rate"],
         "Dropout": t.params["dropout"], "Batch": t.params["batch_size"],
         "Base": t.params["base"], "Shrink": t.params["shrink"],
         "Seconds": round(t.seconds, 1)}
        for t in (reversed(trials) if newest_first else trials)
    ])
    st.dataframe(
        frame, hide_index=True, height=min(38 + 35 * len(frame), 320), key="search_trials",
        column_config={"Validation MASE": st.column_config.NumberColumn(format="%.3f"),
                       "Learning rate": st.column_config.NumberColumn(format="%.4f")},
    )


def _best_chart(trials: list, arrived: list[float], budget: float, key: str) -> None:
    import plotly.graph_objects as go

    from ui.searching import best_curve

    xs, ys = best_curve(trials, arrived)
    if not xs:
        return
    done = [(when, t.score) for t, when in zip(trials, arrived, strict=True)
            if t.state == "complete" and t.score is not None]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[w for w, _ in done], y=[s for _, s in done], mode="markers",
                             name="A trial", marker={"color": "#adb5bd", "size": 8}))
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name="Best so far",
                             line={"shape": "hv", "width": 3, "color": "#1f77b4"}))
    fig.update_layout(height=280, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title="Best validation MASE over time",
                      legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(title="seconds", range=[0, max(budget, xs[-1]) * 1.02])
    fig.update_yaxes(title="MASE")
    st.plotly_chart(fig, width="stretch", key=key)


@st.fragment(run_every=1.0)
def _live_search() -> None:
    job: TrainingJob | None = state.get(state.SEARCH_JOB)
    progress = state.get(state.SEARCH_PROGRESS)
    if job is None or progress is None:
        return
    snap = job.snapshot()
    if not snap.active:
        rerun()  # the search ended: redraw the page with its result
    trials, arrived, training = progress.copy()
    if snap.status == "queued":
        st.info("The search is queued: the server is busy with other jobs.",
                icon=":material/hourglass_top:")
    else:
        running = ", ".join(f"trial {n} at epoch {e}" for n, e in sorted(training.items()))
        st.progress(min(1.0, snap.elapsed / progress.budget),
                    text=f"Searching… {snap.elapsed:.0f} of {progress.budget:.0f} s · "
                    f"{len(trials)} trials done" + (f" · {running}" if running else ""))
    if st.button("Stop the search", icon=":material/stop:", key="stop_search"):
        job.stop()
        st.toast("Stopping: the trials that finished are kept.")
    _trials_table(trials, newest_first=True)
    _best_chart(trials, arrived, progress.budget, "search_best_live")


def _search_result(dataset: Dataset, job: TrainingJob) -> None:
    from lstm_core.search import optuna_figures

    snap = job.snapshot()
    if snap.status == "failed":
        st.error(md_escape(snap.error or "The search failed."))
        return
    from ui.datasets import data_key

    result = job.result
    progress = state.get(state.SEARCH_PROGRESS)
    if result is None or progress is None:
        return
    if progress.dataset != data_key(dataset):
        st.info("The last search ran on other data; search again for this series.")
        return
    best, first = result.best, result.trials[0] if result.trials else None
    pruned = sum(t.state == "pruned" for t in result.trials)
    if best is None:
        st.warning("No trial finished: give the search a larger budget.")
    else:
        start = (f" (your settings: {first.score:.3f})"
                 if first is not None and first.score is not None else "")
        st.success(
            f"Best: trial {best.number}, validation MASE {best.score:.3f}{start}. "
            f"{len(result.trials)} trials in {result.seconds:.0f} s, {pruned} pruned"
            + (", stopped by you." if result.stopped else "."),
            icon=":material/check_circle:",
        )
        lowest = result.lowest
        if lowest is not None and lowest is not best:
            why = (
                "the trial that led on the earlier cut-offs did not hold up at the latest one "
                "(a low score among many tries is often luck), so your settings stay."
                if best.number == 0 else
                f"trial {best.number} led on the earlier cut-offs and held up at the latest one, "
                "where it was not chosen."
            )
            st.caption(f"Trial {lowest.number} had the lowest score ({lowest.score:.3f}), but "
                       + why)
        if state.get(state.SEARCH) is result:
            st.info(f"The form below holds trial {best.number}'s settings (recipe: base "
                    f"{best.params['base']}, shrinkage {'on' if best.params['shrink'] else 'off'}"
                    "): press Train. The search is saved with the run.",
                    icon=":material/arrow_downward:")
        elif st.button("Use these settings", type="primary", icon=":material/done_all:",
                       key="use_search"):
            state.put(state.SETTINGS, result.best_settings)
            state.put(state.SEARCH, result)
            st.session_state["_settings_for"] = dataset.name
            rerun()
    trials, arrived, _ = progress.copy()
    table, over_time, importance, parallel = st.tabs(
        ["Trials", "Best over time", "What mattered", "Parallel coordinates"])
    with table:
        _trials_table(trials)
    with over_time:
        _best_chart(trials, arrived, progress.budget, "search_best_done")
    figures = optuna_figures(result)
    with importance:
        if "importance" in figures:
            st.plotly_chart(figures["importance"], width="stretch", key="search_importance")
        else:
            st.caption("Needs at least three finished trials.")
    with parallel:
        if "parallel" in figures:
            st.plotly_chart(figures["parallel"], width="stretch", key="search_parallel")
        else:
            st.caption("Needs at least three finished trials.")


def _find_settings(dataset: Dataset, current: Settings) -> None:
    from ui.searching import BUDGETS, DEFAULT_BUDGET, start_search

    job: TrainingJob | None = state.get(state.SEARCH_JOB)
    running = job is not None and job.snapshot().active
    with st.expander("Find settings", icon=":material/travel_explore:",
                     expanded=running or job is not None):
        st.caption(
            "Tries other windows, sizes, learning rates, dropout, batch sizes and recipes "
            "within a time budget. Each is scored on a small backtest over the data before "
            "the holdout, so the holdout stays a fair test. Your current settings (the defaults, "
            "or the last ones you trained with or loaded) are trial 0."
        )
        if state.get(state.DRIVEN) is not None:
            st.caption("The search tunes the LSTM on the series alone and ignores the drivers; "
                       "the settings it finds are then trained with them.")
        if running:
            _live_search()
            return
        c = st.columns([3, 1])
        budget = c[0].slider("Budget (seconds)", *BUDGETS, DEFAULT_BUDGET, step=15,
                             key="search_budget")
        if c[1].button("Find settings", icon=":material/travel_explore:", key="find_settings",
                       width="stretch"):
            try:
                make_plan(dataset.series, current)
            except (DataError, SettingsError) as exc:
                st.error(md_escape(str(exc)))
            else:
                start_search(dataset, current, budget)
                rerun()
        if job is not None:
            _search_result(dataset, job)


st.title("Train")
dataset: Dataset | None = state.get(state.DATASET)
if dataset is None:
    st.info("Load a dataset on the Data page first.")
    st.page_link("pages/data.py", label="Go to Data", icon=":material/table_chart:")
    st.stop()

warm_up()
loaded: LoadedPanel | None = state.get(state.PANEL)
if loaded is not None and prepare_in_workers(len(loaded.ids), warm=True):
    warm_workers()  # the series are prepared there; pressing Train then starts at once
header = st.empty()  # the caption says what the scope chosen below trains on
# A file of one usable series (the rest left out) trains it as a file of one series would.
scope = _scope(loaded) if loaded is not None and len(loaded.ids) > 1 else "picked"
many = scope != "picked"
source = md_escape(state.get(state.SOURCE) or dataset.name)
if loaded is not None and many:
    header.caption(f"Training on {source} · {len(loaded.ids):,} series")
elif loaded is not None:
    header.caption(f"Training on {source} · series {md_escape(str(state.get(state.SERIES)))} "
                   f"· {len(dataset.series):,} points")
else:
    driven = state.get(state.DRIVEN)
    header.caption(f"Training on {source} · {len(dataset.series):,} points"
                   + (_drivers_caption(driven) if driven is not None else ""))
job: TrainingJob | None = state.get(state.JOB)
current = _panel_settings(loaded) if loaded is not None and many else _current_settings(dataset)
if job is not None and job.snapshot().active:
    # The audience sees the live chart right under the title; the settings fold away until the
    # job ends (the fragment then reruns the page, which takes the other branch).
    _live_job()
    with st.expander("Settings (locked while training)", icon=":material/lock:"):
        _settings_form(current, locked=True)
else:
    if job is not None:
        _finished_job(job)
    if loaded is not None and many:
        _short_for(loaded, current)
        settings = _settings_form(current)
        _settings_files(current, _panel_settings_key(loaded))
        if settings is not None:
            _start_panel(loaded, settings, scope)
    else:
        _find_settings(dataset, current)
        settings = _settings_form(current)
        _settings_files(current, dataset.name)
        if settings is not None:
            _start(dataset, settings)
