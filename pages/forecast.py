"""Forecast page: forecast vs actual on the holdout, the scoreboard, the future, and downloads."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import pandas as pd
import plotly.io as pio
import streamlit as st

from lstm_core.charts import future_figure, holdout_figure
from lstm_core.errors import BundleError, DataError
from lstm_core.evaluation import to_safe_csv
from lstm_core.narrative import narrative
from lstm_core.panel import MODE_LABELS
from lstm_core.run_record import present_result
from lstm_core.scoreboard import drivers_holdout_verdict, scoreboard_frame, verdict
from ui import drivers as what_if
from ui import state
from ui.entry import ensure_entrypoint
from ui.panels import MASE_COLUMNS, PanelRun, pick_series
from ui.rerun import rerun
from ui.run_store import load_networks
from ui.text import md_escape

ensure_entrypoint()


def _scoreboard(result: Any) -> None:
    st.subheader("Scoreboard on the holdout")
    frame = scoreboard_frame(result.scores)
    if frame.empty:
        st.info("No scores: the holdout was empty.")
        return

    def _best(column: pd.Series) -> list[str]:
        valid = column.dropna()
        best = valid.min() if len(valid) else None
        return ["font-weight: bold; background-color: #d8f0d8" if v == best else "" for v in column]

    styled = frame.style.apply(_best, axis=0).format(precision=3, na_rep="–")
    st.dataframe(styled)
    st.caption(
        "MAE and RMSE are in the series' units; sMAPE in percent. MASE below 1 means better than "
        "repeating the last season (seasonal naive) on average."
    )
    sentence = verdict(result.scores)
    if sentence:
        st.markdown(f"**{sentence}**")


def _coverage_note(result: Any) -> str:
    level = result.settings.level
    coverage = result.coverage
    if coverage is None or (isinstance(coverage, float) and math.isnan(coverage)):
        return f"The band is a {level:.0%} conformal interval (coverage not measurable here)."
    n = len(result.holdout)
    return (
        f"The band is a {level:.0%} conformal interval, calibrated on forecast errors the model "
        f"made on data it had not trained on. On the {n} held-out points it covered "
        f"{coverage:.0%} of the actual values."
    )


def _in_short(result: Any) -> None:
    """The run's story in plain sentences, in the session's language.

    `narrative` reads a fresh result and a reopened run alike, so nothing is converted here on
    every rerun; the deck and report convert the result only when one is downloaded.
    """
    lang = state.get(state.LANGUAGE)
    try:
        sentences = narrative(result, lang)
    except ValueError:
        return
    with st.container(border=True):
        st.markdown("**In short**" if lang == "en" else "**สรุป**")
        st.markdown("\n".join(f"- {md_escape(s)}" for s in sentences))
        st.page_link("pages/present.py", icon=":material/slideshow:",
                     label="Present this run in a meeting" if lang == "en"
                     else "นำเสนอผลนี้ในที่ประชุม")


def _handouts(result: Any, name: str) -> None:
    from lstm_core.report import build_deck, report_html, safe_filename

    lang = state.get(state.LANGUAGE)
    cols = st.columns(4)
    cols[0].download_button(
        "Deck (.pptx)", lambda: build_deck(present_result(result, name=name), lang),
        file_name=safe_filename(name, ".pptx"), icon=":material/slideshow:",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        help="PowerPoint slides with native, editable charts: one per Present screen.",
        on_click="ignore",
    )
    cols[1].download_button(
        "Report (.html)",
        lambda: report_html(present_result(result, name=name), lang).encode("utf-8"),
        file_name=safe_filename(name, ".html"), mime="text/html",
        icon=":material/description:", help="One self-contained page with the same content.",
        on_click="ignore",
    )


def _downloads(result: Any, holdout_fig, future_fig) -> None:
    # The chart pages (about 5 MB each, plotly.js inlined) are written only when asked for.
    st.subheader("Downloads")
    cols = st.columns(4)
    cols[0].download_button(
        "Forecast (CSV)", to_safe_csv(result.future), file_name="forecast.csv", mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    cols[1].download_button(
        "Holdout chart (HTML)",
        lambda: pio.to_html(holdout_fig, include_plotlyjs=True, full_html=True),
        file_name="holdout.html", mime="text/html", icon=":material/download:",
        on_click="ignore",
    )
    cols[2].download_button(
        "Forecast chart (HTML)",
        lambda: pio.to_html(future_fig, include_plotlyjs=True, full_html=True),
        file_name="forecast.html", mime="text/html", icon=":material/download:",
        on_click="ignore",
    )
    run_id = state.get(state.RUN_ID)
    if run_id:
        cols[3].download_button(
            "Model and run (.zip)", lambda: _bundle_bytes(run_id), file_name=f"run-{run_id}.zip",
            mime="application/zip", icon=":material/download:",
            help="The Keras model with its settings, scores and forecast. Open it on the Runs "
            "page or with `python -m lstm_core forecast --from-run FILE.zip`.",
            on_click="ignore",
        )
    else:
        cols[3].caption("This run was not saved, so there is no model bundle to download.")


def _bundle_bytes(run_id: str) -> bytes:
    import tempfile
    from pathlib import Path

    from lstm_core.runs import RunStore

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.zip"
        RunStore().export(run_id, path)
        return path.read_bytes()


MODEL_LABELS = {"lstm": "LSTM", "naive": "Naive", "seasonal_naive": "Seasonal naive",
                "ets": "ETS"}
BASELINE_WORDS = {"seasonal_naive": "seasonal naive", "naive": "naive", "ets": "ETS"}


def _aggregate(run: PanelRun) -> None:
    """Mean and median MASE per model across series, and how often the LSTM won."""
    aggregate = run.aggregate
    count = int(aggregate.get("series") or len(run.ids))
    st.subheader(f"Scoreboard across {count:,} series")
    models = aggregate.get("models") or {}
    beats = aggregate.get("lstm_beats") or {}
    frame = pd.DataFrame(
        {
            "Mean MASE": [(models.get(m) or {}).get("mean_mase") for m in MODEL_LABELS],
            "Median MASE": [(models.get(m) or {}).get("median_mase") for m in MODEL_LABELS],
        },
        index=list(MODEL_LABELS.values()),
    ).astype("float64")
    frame["LSTM better in"] = ["–" if m == "lstm" or beats.get(m) is None
                               else f"{int(beats[m]):,} of {count:,} series"
                               for m in MODEL_LABELS]

    def _best(column: pd.Series) -> list[str]:
        if not pd.api.types.is_numeric_dtype(column):
            return [""] * len(column)
        valid = column.dropna()
        best = valid.min() if len(valid) else None
        return ["font-weight: bold; background-color: #d8f0d8" if v == best else "" for v in column]

    styled = frame.style.apply(_best, axis=0).format(precision=3, na_rep="–")
    st.dataframe(styled, key="aggregate_table")
    sentences = [f"The LSTM beat {word} in {int(beats[m]):,} of {count:,} series."
                 for m, word in BASELINE_WORDS.items() if beats.get(m) is not None]
    coverage = aggregate.get("coverage")
    if coverage is not None and not (isinstance(coverage, float) and math.isnan(coverage)):
        sentences.append(f"The {run.settings.level:.0%} intervals covered {coverage:.0%} of the "
                         "held-out values on average.")
    st.markdown("\n".join(f"- {s}" for s in sentences))
    st.caption("MASE below 1 means better than repeating the last season (seasonal naive) on "
               "average; the median is less swayed by a few hard series than the mean.")


SCORE_COLUMNS = {
    **MASE_COLUMNS,
    "points": st.column_config.NumberColumn("Points", format="%d"),
    "coverage": st.column_config.NumberColumn("Coverage", format="%.0f %%",
                                              help="Share of held-out values inside the band."),
}


def _panel_views(run: PanelRun) -> str | None:
    """The whole run: aggregate, per-series table, what was left out, the long download.

    Returns:
        The picked series (None when no series was forecast).
    """
    mode = MODE_LABELS.get(run.mode, run.mode)
    st.caption(f"{len(run.ids):,} series forecast, {mode}"
               + (" (stopped early)" if run.stopped else "") + ".")
    if run.excluded:
        st.warning(
            f"{len(run.excluded):,} series {'was' if len(run.excluded) == 1 else 'were'} left "
            "out of this run; the table below says why.",
            icon=":material/warning:",
        )
        with st.expander(f"Series left out ({len(run.excluded):,})"):
            st.dataframe(pd.DataFrame({"Series": list(run.excluded),
                                       "Reason": list(run.excluded.values())}),
                         hide_index=True, key="excluded_table")
    _aggregate(run)
    st.markdown("**Every series** (click a column to sort)")
    shown = run.scores.assign(coverage=run.scores["coverage"] * 100)  # a share, shown in %
    st.dataframe(shown, hide_index=True, key="series_scores", column_config=SCORE_COLUMNS,
                 height=min(38 + 35 * len(shown), 400))
    st.download_button(
        "All forecasts (CSV)", lambda: to_safe_csv(run.forecasts_long()),
        file_name=_long_csv_name(run), mime="text/csv", icon=":material/download:",
        help="One row per series and date: series, date, forecast, lower, upper.",
        on_click="ignore",
    )
    if run.notes:
        with st.expander("How these forecasts were made"):
            st.markdown("\n".join(f"- {md_escape(n)}" for n in run.notes))
    if not run.ids:
        return None
    current = state.get(state.SERIES)
    picked = st.selectbox(
        "Series", run.ids, index=run.ids.index(current) if current in run.ids else 0,
        key="forecast_series_pick", help="The charts and scoreboard below show this series.",
    )
    if picked != current or state.get(state.RESULT) is not run.series_result(picked):
        pick_series(picked, of_run=True)
    return picked


def _long_csv_name(run: PanelRun) -> str:
    from lstm_core.report import safe_filename

    return safe_filename(f"{run.dataset or 'panel'} forecasts", ".csv")


def _single(result: Any, name: str | None) -> None:
    """Every view of one series' run (a run of one series, or the picked series of many)."""
    validation = getattr(result, "validation", None) or {}
    if validation.get("note"):
        # What the validation points said of the LSTM, before any holdout score is shown.
        if validation.get("shrink") == 0.0:
            st.warning(md_escape(validation["note"]), icon=":material/info:")
        else:
            st.info(md_escape(validation["note"]), icon=":material/model_training:")
    _in_short(result)
    if result.notes:
        with st.expander("How this forecast was made"):
            for note in result.notes:
                st.markdown(f"- {md_escape(note)}")

    st.page_link("pages/backtest.py", icon=":material/history_toggle_off:",
                 label="One holdout is one draw: backtest this run at several past cut-offs")
    show_baselines = st.toggle("Show baselines", value=True)
    holdout_fig = holdout_figure(result, show_baselines=show_baselines)
    st.plotly_chart(holdout_fig, width="stretch", key="holdout_chart")
    _scoreboard(result)
    verdict_of_drivers = drivers_holdout_verdict(result.scores)
    if verdict_of_drivers:
        st.markdown(f"**{md_escape(verdict_of_drivers)}** The backtest page tells whether that "
                    "holds at several cut-offs.")

    st.subheader("The future")
    future_fig = future_figure(result)
    known = result.drivers is not None and bool(result.drivers.spec.known)
    forecast = _forecaster(result) if known else None
    if forecast is not None:
        _networks_note(result)
        # The owner names this very result, so a run opened again starts from its own future
        # values in a fresh editor (not the table left by an earlier visit).
        _what_if(result, f"{state.get(state.RUN_ID) or 'result'}:{id(result)}", forecast)
    else:
        st.plotly_chart(future_fig, width="stretch", key="future_chart")
        if known:
            _future_drivers_used(result)
    st.caption(_coverage_note(result))
    if result.drivers is not None:
        _saved_scenarios(result)
    with st.expander("Forecast table"):
        st.dataframe(result.future, hide_index=True)
    _downloads(result, holdout_fig, future_fig)
    _handouts(result, name or "Unsaved run")


# -- drivers: the future values, what-if and scenarios --------------------------------------

WHATIF_HELP = ("Edit a value in the table (or upload a CSV) to see the forecast it gives beside "
               "this one; the trained networks forecast again, nothing is retrained.")


def _loaded_networks() -> what_if.RunNetworks | None:
    """The reopened run's networks, if they were loaded for the run shown."""
    networks: what_if.RunNetworks | None = state.get(state.RUN_NETWORKS)
    if (networks is None or networks.run_id != state.get(state.RUN_ID)
            or state.get(state.PANEL_RESULT) is not None):
        return None
    return networks


def _forecaster(result: Any) -> what_if.Forecaster | None:
    """How this run forecasts a scenario: its own networks (trained in this session) or those
    loaded from its bundle (a reopened run); None until a reopened run's are loaded."""
    if getattr(result, "models", None):
        return what_if.trained_forecaster(result)
    networks = _loaded_networks()
    return None if networks is None else what_if.bundle_forecaster(result, networks)


def _networks_note(result: Any) -> None:
    networks = _loaded_networks()
    if networks is None or getattr(result, "models", None):
        return
    count = len(networks.models)
    st.caption(f"A reopened run: its {count} trained network{'s' if count != 1 else ''} "
               f"{'were' if count != 1 else 'was'} loaded from its bundle in "
               f"{networks.seconds:.1f} s for the what-if below.")


def _editor_start(result: Any, owner: str) -> what_if.WhatIf:
    """The table the editor starts from: this run's future values, or the last upload."""
    current: what_if.WhatIf | None = state.get(state.WHATIF)
    if current is None or current.owner != owner:
        version = 0 if current is None else current.version + 1  # a new editor key
        current = what_if.WhatIf(owner=owner, version=version,
                                 table=what_if.editor_table(result, state.get(state.ASSUMED)))
        state.put(state.WHATIF, current)
    return current


def _editor(result: Any, start: what_if.WhatIf) -> pd.DataFrame:
    column = what_if.time_column(result)
    known = list(result.drivers.spec.known)
    config: dict[str, Any] = {
        column: st.column_config.TextColumn("Date" if column == "date" else "Step",
                                            disabled=True),
        what_if.ASSUMED_COLUMN: st.column_config.TextColumn(
            "Assumed", disabled=True,
            help="Columns of this row whose value the file did not give: it was taken from one "
            "season earlier. Replace it with the plan if you know it."),
    }
    for name in known:
        config[name] = st.column_config.NumberColumn(name, required=True)
    return st.data_editor(start.table, key=start.editor_key, hide_index=True,
                          num_rows="fixed", column_config=config, width="stretch")


def _scenario(
    forecast: what_if.Forecaster, values: pd.DataFrame
) -> tuple[pd.DataFrame | None, float, str | None]:
    """The scenario's forecast, the seconds it took and an error message; the networks run only
    when the values differ from the last scenario's (`WhatIf.last`)."""
    current: what_if.WhatIf = state.get(state.WHATIF)
    key = what_if.values_key(values)
    if current.last is not None and current.last[0] == key:
        return current.last[1], current.last[2], None
    started = time.perf_counter()
    try:
        scenario = forecast(values)
    except (DataError, BundleError) as exc:
        return None, time.perf_counter() - started, str(exc)
    seconds = time.perf_counter() - started
    state.put(state.WHATIF, replace(current, last=(key, scenario, seconds)))
    return scenario, seconds, None


def _rerun_section() -> None:
    """Redraw the what-if section; a whole-page run (Streamlit refuses a fragment rerun outside
    the fragment's own reruns) redraws the page instead."""
    from streamlit.errors import StreamlitAPIException

    try:
        st.rerun(scope="fragment")
    except StreamlitAPIException:
        rerun()


def _upload(result: Any, start: what_if.WhatIf) -> None:
    """An uploaded CSV of future values replaces the table once it is valid."""
    from lstm_core.data import read_table

    column = what_if.time_column(result)
    names = ", ".join([column, *result.drivers.spec.known])
    uploaded = st.file_uploader(
        "Or upload future values", type=["csv", "tsv", "txt", "xlsx"],
        key=f"future_upload:{start.owner}",
        help=f"A table with the columns {names}: one row per forecast date.",
    )
    if uploaded is None:
        return
    try:
        table = read_table(uploaded.getvalue(), uploaded.name)
        values, notes = what_if.scenario_values(result, table)
    except DataError as exc:
        st.error(f"{md_escape(uploaded.name)}: {md_escape(str(exc))}")
        return
    for note in notes:
        st.caption(md_escape(note))
    if uploaded.file_id != start.upload:
        state.put(state.WHATIF, what_if.WhatIf(
            owner=start.owner, version=start.version + 1,
            table=what_if.uploaded_table(result, values), upload=uploaded.file_id))
        _rerun_section()


@st.fragment
def _what_if(result: Any, owner: str, forecast: what_if.Forecaster) -> None:
    """The future chart with the scenario's line, the editable future values, save, download.

    Args:
        result: a fresh `ForecastResult` or a reopened `PresentedRun`, with known-ahead drivers.
        owner: the run the editor belongs to (`WhatIf.owner`).
        forecast: forecasts a scenario's checked future values (`ui.drivers.Forecaster`).
    """
    chart = st.container()
    st.markdown("**Future drivers** (known ahead)")
    start = _editor_start(result, owner)
    records = _saved(state.get(state.RUN_ID), result)
    if records:
        start = _scenario_picker(result, start, records)
    assumed = bool((start.table[what_if.ASSUMED_COLUMN] != "").any())
    shown = (f" Showing the saved scenario '{md_escape(start.scenario)}'." if start.scenario
             else "")
    # The help line sits between the picker and the grid, clear of the grid's hover toolbar.
    st.caption(WHATIF_HELP + shown
               + (" Values marked in 'Assumed' were taken from one season earlier."
                  if assumed else ""))
    edited = _editor(result, start)
    _upload(result, start)
    scenario, values, error = None, None, None
    try:
        values, _notes = what_if.scenario_values(result, edited)
    except DataError as exc:
        error = str(exc)
    seconds = None
    if values is not None and not what_if.is_original(result, values):
        scenario, seconds, error = _scenario(forecast, values)
    with chart:
        st.plotly_chart(what_if.scenario_figure(result, scenario), width="stretch",
                        key="future_chart")
        if error:
            st.error(md_escape(error), icon=":material/edit_calendar:")
        elif scenario is not None:
            changed = what_if.changed_cells(result, values)
            st.markdown(f"**{md_escape(what_if.difference_sentence(result, scenario))}**")
            st.caption(f"{changed} future value{'s' if changed != 1 else ''} changed; redrawn "
                       f"from the trained networks in {seconds * 1000:.0f} ms (no retraining).")
    if scenario is not None and values is not None:
        _keep_scenario(result, start, values, scenario)


def _scenario_picker(result: Any, start: what_if.WhatIf,
                     records: list[dict]) -> what_if.WhatIf:
    """Put a saved scenario's future values (or the run's own) back in the editor.

    Returns:
        What the editor starts from now (`start` unless a scenario was picked and shown).
    """
    names = [str(r.get("name", "")) for r in records]
    c = st.columns([3, 1], vertical_alignment="bottom")
    picked = c[0].selectbox("Show a saved scenario", [what_if.ORIGINAL_CHOICE, *names],
                            key=f"scenario_pick:{start.owner}",
                            help="Show a scenario saved with this run again, to compare or edit.")
    if not c[1].button("Show in the table", icon=":material/restore:",
                       key=f"scenario_show:{start.owner}"):
        return start
    if picked == what_if.ORIGINAL_CHOICE:
        table, scenario = what_if.editor_table(result, state.get(state.ASSUMED)), None
    else:
        try:
            table = what_if.saved_editor_table(result, records[names.index(picked)])
        except DataError as exc:
            st.error(f"The scenario '{md_escape(picked)}' cannot be shown: "
                     f"{md_escape(str(exc))}", icon=":material/edit_calendar:")
            return start
        scenario = picked
    # `upload` stays: the file still in the uploader was put in the table already. The new
    # version gives a fresh editor below, so no rerun is needed.
    shown = what_if.WhatIf(owner=start.owner, version=start.version + 1, table=table,
                           upload=start.upload, scenario=scenario)
    state.put(state.WHATIF, shown)
    return shown


def _keep_scenario(result: Any, start: what_if.WhatIf, values: pd.DataFrame,
                   scenario: pd.DataFrame) -> None:
    """Save the scenario with the run (under the shown saved scenario's name by default), or
    download it."""
    from lstm_core.report import safe_filename

    run_id = state.get(state.RUN_ID)
    c = st.columns([2, 1, 1], vertical_alignment="bottom")
    name = c[0].text_input("Scenario name", value=start.scenario or "Scenario",
                           key=f"scenario_name:{start.scenario or ''}", max_chars=80)
    table = what_if.scenario_table(result, values, scenario)
    c[2].download_button(
        "Scenario (CSV)", to_safe_csv(table), file_name=safe_filename(f"{name} scenario", ".csv"),
        mime="text/csv", icon=":material/download:", key="scenario_download",
        help="Date, the driver values, forecast, lower, upper.",
        on_click="ignore",
    )
    if run_id is None:
        c[1].caption("This run was not saved: download the scenario instead.")
        return
    if c[1].button("Save scenario", icon=":material/bookmark_add:", key="save_scenario"):
        _save_scenario(run_id, name.strip() or "Scenario", values, scenario)


def _saved(run_id: str | None, result: Any) -> list[dict]:
    """The scenarios saved with the run (read once per run)."""
    if run_id is None:
        return []
    kept = state.get(state.SCENARIOS)
    if kept is not None and kept[0] == run_id:
        return kept[1]
    records = list(getattr(result, "scenarios", None) or [])
    state.put(state.SCENARIOS, (run_id, records))
    return records


def _save_scenario(run_id: str, name: str, values: pd.DataFrame, scenario: pd.DataFrame) -> None:
    from lstm_core.run_record import scenario_record
    from lstm_core.runs import RunStore

    records = [r for r in _saved(run_id, state.get(state.RESULT)) if r.get("name") != name]
    records.append(scenario_record(name, values, scenario))
    try:
        RunStore().attach(run_id, "scenarios", records)
    except BundleError as exc:
        st.error(f"The scenario could not be saved: {md_escape(str(exc))} Download it instead.")
        return
    state.put(state.SCENARIOS, (run_id, records))
    st.toast(f"Saved the scenario '{name}' with this run.")
    rerun()  # the list of saved scenarios below the fragment shows it


def _future_drivers_used(result: Any) -> None:
    """A reopened run: the future values it forecast with, and its networks to load for a
    what-if."""
    if result.drivers.future is not None:
        with st.expander("Future drivers used"):
            st.dataframe(what_if.editor_table(result, state.get(state.ASSUMED)), hide_index=True,
                         key="future_drivers_used")
    run_id = state.get(state.RUN_ID)
    if run_id is None or state.get(state.PANEL_RESULT) is not None:
        st.info("The what-if needs this run's trained networks: train it again on the Train "
                "page.", icon=":material/info:")
        return
    with st.container(border=True):
        st.markdown("**What-if**: change the future values and see the forecast they give, "
                    "from this run's trained networks (no retraining).")
        if st.button("Load the networks for a what-if", icon=":material/model_training:",
                     type="primary", key="load_networks"):
            try:
                with st.spinner("Loading this run's networks from its bundle..."):
                    load_networks(run_id)
            except BundleError as exc:
                st.error(f"The networks could not be loaded: {md_escape(str(exc))}",
                         icon=":material/error:")
            else:
                rerun()
        st.caption("Loading takes a few seconds the first time; each scenario then takes "
                   "milliseconds. From a terminal: `python -m lstm_core forecast FILE --from-run "
                   "RUN_ID --future FUTURE.csv`.")


def _saved_scenarios(result: Any) -> None:
    from lstm_core.report import safe_filename

    records = _saved(state.get(state.RUN_ID), result)
    if not records:
        return
    with st.expander(f"Saved scenarios ({len(records)})", icon=":material/bookmarks:"):
        for i, record in enumerate(records):
            table = what_if.saved_table(record)
            total = float(table["forecast"].sum()) if "forecast" in table else float("nan")
            c = st.columns([3, 1], vertical_alignment="center")
            c[0].markdown(f"**{md_escape(str(record.get('name', '')))}**: total forecast "
                          f"{total:,.0f}")
            c[1].download_button(
                "CSV", to_safe_csv(table), mime="text/csv", icon=":material/download:",
                file_name=safe_filename(f"{record.get('name', 'scenario')} scenario", ".csv"),
                key=f"saved_scenario_{i}", on_click="ignore")
            st.dataframe(table, hide_index=True, key=f"saved_scenario_table_{i}")


st.title("Forecast")
panel_run: PanelRun | None = state.get(state.PANEL_RESULT)
result = state.get(state.RESULT)
if result is None and panel_run is None:
    st.info("Train a model on the Train page (or open a saved run on the Runs page) to see its "
            "forecast here.")
    st.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

name = state.get(state.RUN_NAME)
if name:
    st.caption(f"Run: {md_escape(name)}")
if panel_run is not None:
    picked = _panel_views(panel_run)
    if picked is None:
        st.stop()
    st.subheader(md_escape(picked), anchor=False)
    result = state.get(state.RESULT)
    name = f"{name or 'Unsaved run'} · {picked}"
_single(result, name)
