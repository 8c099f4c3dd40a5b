"""Data page: upload a file or pick a sample, choose columns, read the health card and chart."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lstm_core.charts import series_figure
from lstm_core.data import ColumnChoice, Dataset, PanelChoice, list_sheets
from lstm_core.drivers import ENCODINGS, Driver, DriverSet
from lstm_core.errors import DataError, SettingsError
from lstm_core.plan import default_settings
from lstm_core.samples import SAMPLES
from ui import state
from ui.datasets import RawFile, ReadOptions, apply_drivers, load_into_session, load_sample
from ui.drivers import ENCODING_LABELS, KIND_LABELS, driver_candidates, driver_figure
from ui.entry import ensure_entrypoint
from ui.panels import SMALL_MULTIPLES, LoadedPanel, pick_series, too_short
from ui.rerun import rerun
from ui.text import md_escape

ensure_entrypoint()

NO_DATE = "(none: use row order)"
FILL_LABELS = {
    "interpolate": "Interpolate in time (default)",
    "ffill": "Repeat the last value",
    "zero": "Fill with zero",
    "drop": "Leave missing (skip windows that touch a gap)",
}


def _try_load(raw: RawFile, options: ReadOptions | None = None) -> bool:
    try:
        load_into_session(raw, options)
    except DataError as exc:
        st.error(f"{md_escape(raw.name)}: {md_escape(str(exc))} The previous dataset stays loaded.")
        return False
    return True


def _source_picker() -> None:
    left, right = st.columns([1, 2])
    with left:
        keys = list(SAMPLES)
        key = st.selectbox(
            "Sample dataset", keys, format_func=lambda k: SAMPLES[k].title, key="sample_pick"
        )
        st.caption(SAMPLES[key].description)
        if st.button("Load sample", icon=":material/dataset:"):
            load_sample(key)
    with right:
        uploaded = st.file_uploader(
            "Or upload your own time series",
            type=["csv", "tsv", "txt", "xlsx"],
            help="One row per time step: a date column (optional) and one or more number columns. "
            "CSV/TSV/TXT in any common encoding and delimiter, or an Excel .xlsx workbook.",
            key="uploader",
        )
        if uploaded is not None and uploaded.file_id != st.session_state.get("_last_upload"):
            st.session_state["_last_upload"] = uploaded.file_id
            _try_load(RawFile(name=uploaded.name, data=uploaded.getvalue(), label=uploaded.name))


LAYOUT_LABELS = {
    "single": "One series",
    "long": "One series per id column(s)",
    "wide": "Several value columns, one series each",
}


def _id_candidates(choice: ColumnChoice | PanelChoice) -> list[str]:
    """Columns that could name the series: any but the date, text columns first.

    Number columns are offered too (store 7, region 3); the value column cannot also be an id,
    which reading the file checks and says so.
    """
    others = [c for c in choice.columns if c != choice.date_column]
    return ([c for c in others if c not in choice.numeric_columns]
            + [c for c in others if c in choice.numeric_columns])


def _layout_pick(dataset: Dataset, loaded: LoadedPanel | None) -> str | None:
    """The Layout control, when the file could be read another way (None: not offered)."""
    choice = loaded.panel.choice if loaded is not None else dataset.choice
    if loaded is None and len(_id_candidates(choice)) < 2:
        return None  # a date and one value column: nothing else to read
    current = loaded.panel.choice.layout if loaded is not None else "single"
    layouts = list(LAYOUT_LABELS)
    return st.radio(
        "Layout", layouts, index=layouts.index(current) if current in layouts else 0,
        format_func=LAYOUT_LABELS.get, horizontal=True,
        help="One series: one value column over time. One series per id: a long file with a "
        "column naming the series (e.g. store, product) and the dates repeated for each. "
        "Several value columns: a wide file, each chosen number column is a series.",
    )


def _options_form(dataset: Dataset, loaded: LoadedPanel | None) -> None:
    raw: RawFile | None = state.get(state.RAW)
    if raw is None:
        return
    choice = loaded.panel.choice if loaded is not None else dataset.choice
    with st.expander("Columns and cleaning", expanded=False):
        layout = _layout_pick(dataset, loaded)
        with st.form("read_options"):
            sheets = list_sheets(raw.data, raw.name)
            sheet = st.selectbox("Sheet", sheets) if len(sheets) > 1 else None
            cols = st.columns(3)
            date_options = [NO_DATE, *choice.columns]
            date_index = date_options.index(choice.date_column) if choice.date_column else 0
            date_col = cols[0].selectbox("Date column", date_options, index=date_index)
            value_options = list(choice.numeric_columns) or list(_value_columns(choice))
            ids: list[str] = []
            values: list[str] = []
            value_col = None
            if layout == "wide":
                chosen = [c for c in _value_columns(choice) if c in value_options]
                values = cols[1].multiselect(
                    "Value columns", value_options,
                    default=chosen if len(chosen) > 1 else value_options,
                    help="Each chosen column is one series.",
                )
            else:
                current_value = _value_columns(choice)[0] if _value_columns(choice) else None
                if layout == "long":
                    id_options = _id_candidates(choice)
                    now = choice.id_columns if isinstance(choice, PanelChoice) else ()
                    default_ids = [c for c in now if c in id_options] or id_options[:1]
                    ids = cols[1].multiselect(
                        "Series id column(s)", id_options, default=default_ids,
                        help="The column (or columns together) that names each series: text "
                        "or whole numbers (store 7), never the value column.",
                    )
                    if current_value in default_ids:
                        current_value = next(
                            (c for c in value_options if c not in default_ids), None)
                value_col = (cols[2] if layout == "long" else cols[1]).selectbox(
                    "Value column",
                    value_options,
                    index=value_options.index(current_value)
                    if current_value in value_options
                    else 0,
                )
            fill_col = cols[2] if layout != "long" else st.columns(3)[0]
            fill = fill_col.selectbox(
                "Missing values",
                list(FILL_LABELS),
                index=list(FILL_LABELS).index(st.session_state.get("_fill", "interpolate")),
                format_func=FILL_LABELS.get,
                help="How gaps are filled. Every filled value is counted and marked on the chart.",
            )
            submitted = st.form_submit_button("Apply")
    if not submitted:
        return
    if layout == "long" and not ids:
        st.error("Choose at least one series id column, or pick another layout.")
        return
    if layout == "wide" and not values:
        st.error("Choose at least one value column, or pick another layout.")
        return
    st.session_state["_fill"] = fill
    options = ReadOptions(
        date_col=None if date_col == NO_DATE else date_col,
        value_col=value_col,
        sheet=sheet,
        fill=fill,
        use_dates=date_col != NO_DATE,
        layout=layout,
        id_cols=tuple(ids),
        value_cols=tuple(values),
    )
    if sheet is not None and sheet != st.session_state.get("_sheet"):
        # Another sheet has other columns: let detection choose again.
        options = ReadOptions(sheet=sheet, fill=fill)
    st.session_state["_sheet"] = sheet
    if _try_load(raw, options):
        rerun()


def _value_columns(choice: ColumnChoice | PanelChoice) -> tuple[str, ...]:
    """The value column(s) of a single-series or a panel reading."""
    if isinstance(choice, PanelChoice):
        return choice.value_columns
    return (choice.value_column,) if choice.value_column else ()


def _health_card(dataset: Dataset) -> None:
    report = dataset.report
    st.subheader("Data health")
    row1 = st.columns(5)
    row1[0].metric("Rows read", f"{report.rows_read:,}")
    row1[1].metric("Points used", f"{report.rows_used:,}")
    row1[2].metric("Frequency", report.frequency or "row order")
    row1[3].metric("Season length", report.season_length or "none found")
    row1[4].metric("Date column", dataset.choice.date_column or "none")
    row2 = st.columns(5)
    row2[0].metric("Duplicates merged", report.duplicates_merged)
    row2[1].metric("Junk cells", report.junk_cells)
    row2[2].metric("Rows dropped", report.rows_dropped)
    row2[3].metric("Dates inserted", report.timestamps_inserted)
    row2[4].metric("Values filled", report.values_filled)
    if report.start:
        st.caption(f"From {report.start} to {report.end}.")
    for warning in report.warnings:
        st.warning(md_escape(warning), icon=":material/warning:")
    if report.changes:
        with st.expander(f"Rows that were changed ({len(report.changes):,})"):
            st.dataframe(pd.DataFrame(list(report.changes)), hide_index=True)


def _short_warning(dataset: Dataset) -> None:
    """A single series too short for the automatic settings: say so here, not only on Train."""
    report = dataset.report
    defaults = default_settings(len(dataset.series), report.season_length)
    short = too_short({"series": dataset.series}, defaults)
    if short:
        st.warning(
            f"This series is too short to forecast: {md_escape(short['series'])}",
            icon=":material/warning:",
        )


def _listed(reasons: dict[str, str], most: int = 5) -> str:
    names = ", ".join(f"'{md_escape(k)}'" for k in list(reasons)[:most])
    more = f" and {len(reasons) - most:,} more" if len(reasons) > most else ""
    return names + more


def _reasons_table(reasons: dict[str, str], key: str) -> None:
    st.dataframe(
        pd.DataFrame({"Series": list(reasons), "Reason": list(reasons.values())}),
        hide_index=True, key=key,
    )


def _panel_overview(loaded: LoadedPanel) -> None:
    """The series table, what was left out and why, and the small multiples."""
    panel = loaded.panel
    count = len(loaded.ids)
    st.subheader(f"{count:,} series", anchor=False)
    st.caption(f"Source: {md_escape(state.get(state.SOURCE) or loaded.name)} · "
               f"{md_escape(_layout_sentence(panel.choice))}")
    for warning in panel.warnings:
        st.warning(md_escape(warning), icon=":material/warning:")
    if panel.dropped:
        # The file's warnings above already name them; this lists every reason.
        with st.expander(f"Series left out while reading ({len(panel.dropped):,})"):
            _reasons_table(panel.dropped, "dropped_table")
    if loaded.short:
        settings = loaded.defaults
        st.warning(
            f"{len(loaded.short):,} of {count:,} series "
            f"{'is' if len(loaded.short) == 1 else 'are'} too short for the automatic "
            f"settings (a window of {settings.window.input_length} and a horizon of "
            f"{settings.window.horizon}) and will be left out of training: "
            f"{_listed(loaded.short)}. Shorten the window or horizon on the Train page to "
            "include them.",
            icon=":material/warning:",
        )
        with st.expander(f"Series too short ({len(loaded.short):,})"):
            _reasons_table(loaded.short, "short_table")
    st.markdown("**Health of every series**")
    st.dataframe(
        loaded.table, hide_index=True, key="series_table", height=min(38 + 35 * count, 400),
        column_config=SERIES_COLUMNS,
        # One frequency for every series (the file's): the caption says it once.
        column_order=[c for c in loaded.table.columns if c != "frequency"],
    )
    st.caption(_total_sentence(loaded.total, count))
    st.plotly_chart(loaded.figure, width="stretch", key="small_multiples",
                    config={"displayModeBar": False})
    if count > SMALL_MULTIPLES:
        st.caption(f"Showing the first {SMALL_MULTIPLES} of {count:,} series; pick any series "
                   "below to see it in full.")


SERIES_COLUMNS = {
    "series": st.column_config.TextColumn("Series"),
    "points": st.column_config.NumberColumn("Points", format="%d"),
    "start": st.column_config.TextColumn("From"),
    "end": st.column_config.TextColumn("To"),
    "frequency": st.column_config.TextColumn("Frequency"),
    "season": st.column_config.NumberColumn("Season", format="%d"),
    "gaps_filled": st.column_config.NumberColumn("Values filled", format="%d"),
    "timestamps_inserted": st.column_config.NumberColumn("Dates inserted", format="%d"),
    "duplicates_merged": st.column_config.NumberColumn("Duplicates merged", format="%d"),
    "rows_dropped": st.column_config.NumberColumn("Rows dropped", format="%d"),
    "junk_cells": st.column_config.NumberColumn("Junk cells", format="%d"),
    "warnings": st.column_config.NumberColumn("Warnings", format="%d"),
}
_TOTAL_WORDS = {
    "points": "points", "gaps_filled": "values filled", "timestamps_inserted": "dates inserted",
    "duplicates_merged": "duplicates merged", "rows_dropped": "rows dropped",
    "junk_cells": "junk cells",
}


def _total_sentence(total: dict[str, object], count: int) -> str:
    parts = [f"{int(total[k]):,} {word}" for k, word in _TOTAL_WORDS.items()
             if isinstance(total.get(k), int | float) and not pd.isna(total.get(k))]
    frequency = f", frequency {total['frequency']}" if total.get("frequency") else ""
    return (f"All {count:,} series{frequency}: "
            + (", ".join(parts) if parts else "nothing changed") + ".")


def _layout_sentence(choice: PanelChoice) -> str:
    ids = ", ".join(f"'{c}'" for c in choice.id_columns)
    values = ", ".join(f"'{c}'" for c in _value_columns(choice))
    if choice.layout == "long":
        return f"Long layout: series named by {ids}, values from {values}."
    if choice.layout == "wide":
        return f"Wide layout: one series per column ({values})."
    return f"One series: values from {values}."


def _series_picker(loaded: LoadedPanel) -> None:
    ids = loaded.ids
    current = state.get(state.SERIES)
    picked = st.selectbox(
        "Series", ids, index=ids.index(current) if current in ids else 0, key="data_series_pick",
        help="The chart and health card below show this series; the Train page can train it "
        "alone, and the Forecast page opens on it.",
    )
    if picked != current:
        pick_series(picked)


def _driver_columns(raw: RawFile, dataset: Dataset) -> tuple[str, ...]:
    """The file's columns that can be drivers (worked out once per file reading)."""
    columns = state.get(state.DRIVER_COLUMNS)
    if columns is None:
        try:
            columns = driver_candidates(raw.data, raw.name, dataset,
                                        st.session_state.get("_sheet"))
        except DataError:
            columns = ()
        state.put(state.DRIVER_COLUMNS, columns)
    return columns


def _drivers_form(columns: tuple[str, ...], spec: DriverSet | None) -> DriverSet | None:
    """The per-column choice, calendar and holidays; the validated set when Apply was pressed."""
    kinds = {d.name: d.kind for d in spec.drivers} if spec is not None else {}
    options = list(KIND_LABELS)
    with st.form("drivers_form"):
        chosen: dict[str, str] = {}
        if columns:
            st.markdown("**Columns**")
        else:
            st.caption("This file has no other number or yes/no column; the calendar and "
                       "public holidays can still be used.")
        for column in columns:
            chosen[column] = st.radio(
                md_escape(column), options, index=options.index(kinds.get(column, "none")),
                format_func=KIND_LABELS.get, horizontal=True, key=f"driver_kind:{column}",
            )
        st.markdown("**Calendar and holidays**")
        c = st.columns([1, 2])
        calendar = c[0].toggle(
            "Calendar features", value=bool(spec and spec.calendar),
            help="Month of year, day of week, hour of day: what the series' frequency allows. "
            "Computed from the dates, so their future is known.",
        )
        encoding = c[1].radio(
            "Calendar encoding", ENCODINGS, horizontal=True, format_func=ENCODING_LABELS.get,
            index=ENCODINGS.index(spec.encoding) if spec is not None else 0,
        )
        c = st.columns(2)
        country = c[0].text_input(
            "Public holidays: country code", value=(spec.holidays or "") if spec else "",
            placeholder="e.g. TH, US, GB (empty: none)",
            help="Adds the number of public holidays in each period, from the holidays package "
            "(no network needed).",
        )
        region = c[1].text_input(
            "Region (optional)", value=(spec.subdivision or "") if spec else "",
            placeholder="e.g. CA for California", help="A state or province of that country.",
        )
        applied = st.form_submit_button("Apply drivers", icon=":material/done:")
    if not applied:
        return None
    try:
        return DriverSet(
            drivers=tuple(Driver(name, kind) for name, kind in chosen.items() if kind != "none"),
            calendar=bool(calendar), encoding=encoding,
            holidays=country.strip() or None, subdivision=region.strip() or None,
        )
    except SettingsError as exc:
        st.error(md_escape(str(exc)))
        return None


def _drivers_preview(driven) -> None:
    spec = driven.drivers.spec
    words = [f"'{md_escape(d.name)}' ({KIND_LABELS[d.kind]})" for d in spec.drivers]
    if spec.calendar:
        words.append(f"calendar ({spec.encoding})")
    if spec.holidays:
        where = f"{spec.holidays}-{spec.subdivision}" if spec.subdivision else spec.holidays
        words.append(f"public holidays of {where}")
    st.success("Drivers in use: " + ", ".join(words) + ". Training also trains the same LSTM "
               "without them, so the scoreboard shows whether they helped.",
               icon=":material/check_circle:")
    if driven.notes:
        st.info("\n".join(f"- {md_escape(n)}" for n in driven.notes), icon=":material/info:")
    if spec.names:
        st.plotly_chart(driver_figure(driven.drivers), width="stretch", key="drivers_chart",
                        config={"displayModeBar": False})
    if spec.known and driven.drivers.future is None:
        st.caption("The file gives no future values for the known-ahead drivers: training "
                   "assumes them from one season earlier, and the Forecast page lets you edit "
                   "them.")


def _drivers_section(dataset: Dataset, loaded: LoadedPanel | None) -> None:
    """Other columns, the calendar and holidays as drivers (one series at a time)."""
    raw: RawFile | None = state.get(state.RAW)
    if raw is None:
        return
    if loaded is not None:
        if len(loaded.ids) > 1:
            st.caption("Drivers (other columns that help explain a series) work on one series "
                       "at a time: choose the 'One series' layout under Columns and cleaning to "
                       "use them.")
        return
    spec: DriverSet | None = state.get(state.DRIVERS)
    driven = state.get(state.DRIVEN)
    with st.expander("Drivers", icon=":material/tune:", expanded=spec is not None):
        st.caption(
            "Columns that help explain the series. Known ahead: values planned for the future "
            "(promotions, prices); rows after the series' last value give them. Observed only: "
            "only its past is used (temperature, a competitor's sales)."
        )
        wanted = _drivers_form(_driver_columns(raw, dataset), spec)
        if wanted is not None and wanted != (spec or DriverSet()):
            try:
                apply_drivers(wanted, sheet=st.session_state.get("_sheet"),
                              fill=st.session_state.get("_fill", "interpolate"))
            except (DataError, SettingsError) as exc:
                st.error(md_escape(str(exc)))
            else:
                rerun()  # the chart and health card above show the series as now read
        if driven is not None:
            _drivers_preview(driven)


st.title("Data")
_source_picker()
dataset: Dataset | None = state.get(state.DATASET)
loaded: LoadedPanel | None = state.get(state.PANEL)
if dataset is None:
    st.info("Pick a sample or upload a file to begin.")
else:
    if loaded is not None:
        _panel_overview(loaded)
        if len(loaded.ids) > 1:
            _series_picker(loaded)
        dataset = state.get(state.DATASET)
        st.subheader(md_escape(str(state.get(state.SERIES))), anchor=False)
        if state.get(state.SERIES) in loaded.short:
            st.warning(
                "This series is too short for the automatic settings: "
                f"{md_escape(loaded.short[state.get(state.SERIES)])}",
                icon=":material/warning:",
            )
    else:
        st.subheader(md_escape(str(dataset.series.name or "value")), anchor=False)
        st.caption(f"Source: {md_escape(state.get(state.SOURCE) or dataset.name)}")
        _short_warning(dataset)
    st.plotly_chart(
        series_figure(dataset.series, filled_positions=dataset.report.filled_positions),
        width="stretch",
        key="series_chart",
    )
    _health_card(dataset)
    _options_form(dataset, loaded)
    _drivers_section(dataset, loaded)
    if st.button("Next: train a model", icon=":material/arrow_forward:", type="primary"):
        st.switch_page("pages/train.py")
