"""Put a dataset into the session: from a sample or from uploaded bytes."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_core.data import Dataset, DrivenDataset, Panel, load_dataset, load_driven, load_panel
from lstm_core.drivers import DriverSet
from lstm_core.errors import DataError, SettingsError
from lstm_core.runs import fingerprint
from lstm_core.samples import SAMPLES, sample_bytes
from ui import state
from ui.panels import LoadedPanel


@dataclass(frozen=True)
class RawFile:
    """The bytes of the current file, kept so that column or sheet changes can re-read it."""

    name: str
    data: bytes
    label: str  # shown in the sidebar


@dataclass(frozen=True)
class ReadOptions:
    """What the user chose on the Data page for reading the current file."""

    date_col: str | None = None
    value_col: str | None = None
    sheet: str | None = None
    fill: str = "interpolate"
    use_dates: bool = True
    layout: str | None = None  # None: detect; "single", "long" (id_cols) or "wide" (value_cols)
    id_cols: tuple[str, ...] = ()
    value_cols: tuple[str, ...] = ()


def load_into_session(raw: RawFile, options: ReadOptions | None = None) -> Dataset:
    """Read `raw` and make it the current data: one series, or a panel and its picked series.

    Raises:
        DataError: if the file cannot be used; the previous data then stays loaded.
    """
    options = options or ReadOptions()
    loaded: LoadedPanel | None = None
    picked: str | None = None
    if options.layout == "single":
        dataset = _read_single(raw, options)  # the ids are ignored: one series, as chosen
    else:
        panel = _read_panel(raw, options)
        ids = list(panel.series)
        if panel.choice.layout != "single":
            # Even one usable series of a long or wide file keeps the table, the series left
            # out and the file's notes in view.
            loaded = LoadedPanel.build(panel)
            picked = state.get(state.SERIES) if state.get(state.SERIES) in ids else ids[0]
        dataset = panel.dataset(picked or ids[0])
    if len(dataset.series) == 0:
        raise DataError("The file has no usable rows. Check that it holds numbers.")
    same_file = state.get(state.RAW) == raw
    driven = _keep_drivers(raw, options, dataset) if same_file and loaded is None else None
    if driven is not None:
        dataset = driven.dataset
    before, before_panel = state.get(state.DATASET), state.get(state.PANEL)
    if loaded is not None and before_panel is not None:
        changed = before_panel.key != loaded.key
    else:
        changed = before is None or before_panel is not None or loaded is not None or (
            data_key(before) != data_key(dataset))
    state.put(state.RAW, raw)
    state.put(state.PANEL, loaded)
    state.put(state.SERIES, picked)
    state.put(state.DATASET, dataset)
    state.put(state.SOURCE, raw.label)
    state.put(state.DRIVEN, driven)
    state.put(state.DRIVERS, None if driven is None else driven.drivers.spec)
    state.put(state.DRIVER_COLUMNS, None)  # other columns, or another value column: worked out
    # again by the Data page
    if changed:
        forget_results()
    return dataset


def _keep_drivers(raw: RawFile, options: ReadOptions, dataset: Dataset) -> DrivenDataset | None:
    """The same file read with other options keeps its drivers when they still fit.

    Raises:
        DataError: the drivers no longer fit (e.g. a driver became the value column); the
            message says so and how to go on, and the previous data stays loaded.
    """
    spec: DriverSet | None = state.get(state.DRIVERS)
    if spec is None or spec.empty:
        return None
    try:
        return read_driven(raw, dataset, spec, sheet=options.sheet, fill=options.fill)
    except (DataError, SettingsError) as exc:
        raise DataError(f"{exc} (Or set the drivers to 'not used' first.)") from exc


def read_driven(
    raw: RawFile, dataset: Dataset, spec: DriverSet, *, sheet: str | None, fill: str
) -> DrivenDataset:
    """Read `raw` again with drivers, with the columns `dataset` was read with.

    Raises:
        DataError, SettingsError: the engine's plain messages (a driver missing or unreadable,
            calendar drivers without dates, ...).
    """
    choice = dataset.choice
    return load_driven(
        raw.data, raw.name, spec, date_col=choice.date_column, value_col=choice.value_column,
        sheet=sheet, fill=fill,  # type: ignore[arg-type]
        use_dates=choice.date_column is not None,
    )


def apply_drivers(spec: DriverSet, *, sheet: str | None, fill: str) -> DrivenDataset | None:
    """Make `spec` the current file's drivers (an empty one: none) and forget any trained result.

    The series is read again: with known-ahead drivers, rows after its last value are their
    future and leave the series.

    Raises:
        DataError, SettingsError: the drivers do not fit the file; nothing changes then.
    """
    raw: RawFile | None = state.get(state.RAW)
    dataset: Dataset | None = state.get(state.DATASET)
    if raw is None or dataset is None:
        raise DataError("Load a file first, then choose its drivers.")
    if spec.empty:
        plain = _read_single(raw, ReadOptions(
            date_col=dataset.choice.date_column, value_col=dataset.choice.value_column,
            sheet=sheet, fill=fill, use_dates=dataset.choice.date_column is not None))
        state.put(state.DATASET, plain)
        state.put(state.DRIVEN, None)
        state.put(state.DRIVERS, None)
        forget_results()
        return None
    driven = read_driven(raw, dataset, spec, sheet=sheet, fill=fill)
    state.put(state.DATASET, driven.dataset)
    state.put(state.DRIVEN, driven)
    state.put(state.DRIVERS, spec)
    forget_results()
    return driven


def _read_single(raw: RawFile, options: ReadOptions) -> Dataset:
    return load_dataset(
        raw.data,
        raw.name,
        date_col=options.date_col,
        value_col=options.value_col,
        sheet=options.sheet,
        fill=options.fill,  # type: ignore[arg-type]
        use_dates=options.use_dates,
    )


def _read_panel(raw: RawFile, options: ReadOptions) -> Panel:
    """One series or many: the layout detected, or the id or value columns the user chose."""
    wide = options.layout == "wide"
    return load_panel(
        raw.data,
        raw.name,
        date_col=options.date_col,
        id_cols=list(options.id_cols) if options.layout == "long" else None,
        value_col=None if wide else options.value_col,
        value_cols=list(options.value_cols) if wide else None,
        sheet=options.sheet,
        fill=options.fill,  # type: ignore[arg-type]
        use_dates=options.use_dates,
    )


def forget_results() -> None:
    """Results belong to the data they were trained on: new data starts a fresh page."""
    state.put(state.RESULT, None)
    state.put(state.RUN_ID, None)
    state.put(state.RUN_NAME, None)
    state.put(state.RUN_MANIFEST, None)
    state.put(state.PANEL_RESULT, None)
    state.put(state.ASSUMED, None)
    state.put(state.SCENARIOS, None)
    state.put(state.RUN_NETWORKS, None)
    search = state.get(state.SEARCH_JOB)
    if search is not None:
        search.stop()  # a search of the old series is of no use to the new one
    state.put(state.SEARCH_JOB, None)
    state.put(state.SEARCH_PROGRESS, None)
    state.put(state.SEARCH, None)


def load_sample(key: str) -> Dataset:
    """Make a built-in sample the current dataset."""
    sample = SAMPLES[key]
    raw = RawFile(name=sample.filename, data=sample_bytes(key), label=sample.title)
    return load_into_session(raw)


def data_key(dataset: Dataset) -> tuple[str, str]:
    """What identifies a dataset's series: its name and a hash of its values and dates."""
    return dataset.name, fingerprint(dataset.series)
