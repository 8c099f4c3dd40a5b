"""Train page: settings with automatic defaults, a live loss chart, and Stop."""

from __future__ import annotations

import json

import streamlit as st

from lstm_core.charts import loss_figure
from lstm_core.config import LIMITS, TRANSFORMS, Settings
from lstm_core.data import Dataset
from lstm_core.errors import DataError, SettingsError
from lstm_core.plan import default_settings, make_plan
from ui import state
from ui.entry import ensure_entrypoint
from ui.jobs import MAX_TRAININGS, JobSnapshot, TrainingJob, running_trainings
from ui.text import md_escape
from ui.training import start_training, warm_up

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


def _settings_files(current: Settings, dataset: Dataset) -> None:
    with st.expander("Settings file (JSON)"):
        st.download_button(
            "Download these settings", json.dumps(current.to_dict(), indent=2),
            file_name="settings.json", mime="application/json",
            help="The same file works with `python -m lstm_core forecast --config settings.json`.",
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
                st.session_state["_settings_for"] = dataset.name
                st.rerun()


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
        st.rerun()  # training ended: redraw the whole page with its result and the form
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
    if job.result is not None and state.get(state.RESULT) is not job.result:
        state.put(state.RESULT, job.result)
        run_id, name = job.done_value or (None, "Unsaved run")
        state.put(state.RUN_ID, run_id)
        state.put(state.RUN_NAME, name)
        state.put(state.RUN_MANIFEST, None)
    verb = "stopped early" if snap.status == "stopped" else "finished"
    with st.container(horizontal=True, vertical_alignment="center"):
        st.success(
            f"Training {verb} after {snap.epoch} epochs in {snap.elapsed:.1f} s.",
            icon=":material/check_circle:",
        )
        log_y = st.toggle("Log scale", key="loss_log_done")
        if st.button("See the forecast", icon=":material/arrow_forward:", type="primary"):
            st.switch_page("pages/forecast.py")
    if snap.error:
        st.warning(md_escape(snap.error))
    _loss_chart(snap, log_y, "final_loss")


def _start(dataset: Dataset, settings: Settings) -> None:
    """Check the settings as the job will, then start it and redraw the page around it."""
    try:
        make_plan(dataset.series, settings)  # the job's own check: the page never accepts less
    except (DataError, SettingsError) as exc:
        st.error(md_escape(str(exc)))
        return
    state.put(state.SETTINGS, settings)  # the form comes back with these after training
    st.session_state["_settings_for"] = dataset.name
    start_training(dataset, settings)
    st.rerun()  # this run already drew the open form above where the chart belongs


st.title("Train")
dataset: Dataset | None = state.get(state.DATASET)
if dataset is None:
    st.info("Load a dataset on the Data page first.")
    st.page_link("pages/data.py", label="Go to Data", icon=":material/table_chart:")
    st.stop()

warm_up()
st.caption(
    f"Training on {md_escape(state.get(state.SOURCE) or dataset.name)} · "
    f"{len(dataset.series):,} points"
)
job: TrainingJob | None = state.get(state.JOB)
current = _current_settings(dataset)
if job is not None and job.snapshot().active:
    # The audience sees the live chart right under the title; the settings fold away until the
    # job ends (the fragment then reruns the page, which takes the other branch).
    _live_job()
    with st.expander("Settings (locked while training)", icon=":material/lock:"):
        _settings_form(current, locked=True)
else:
    if job is not None:
        _finished_job(job)
    settings = _settings_form(current)
    _settings_files(current, dataset)
    if settings is not None:
        _start(dataset, settings)
