"""Put a dataset into the session: from a sample or from uploaded bytes."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_core.data import Dataset, Panel, load_dataset, load_panel
from lstm_core.errors import DataError
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
    if changed:
        forget_results()
    return dataset


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
