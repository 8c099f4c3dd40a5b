"""Put a dataset into the session: from a sample or from uploaded bytes."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_core.data import Dataset, load_dataset
from lstm_core.errors import DataError
from lstm_core.runs import fingerprint
from lstm_core.samples import SAMPLES, sample_bytes
from ui import state


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


def load_into_session(raw: RawFile, options: ReadOptions | None = None) -> Dataset:
    """Read `raw` and make it the current dataset.

    Raises:
        DataError: if the file cannot be used; the previous dataset then stays loaded.
    """
    options = options or ReadOptions()
    dataset = load_dataset(
        raw.data,
        raw.name,
        date_col=options.date_col,
        value_col=options.value_col,
        sheet=options.sheet,
        fill=options.fill,  # type: ignore[arg-type]
        use_dates=options.use_dates,
    )
    if len(dataset.series) == 0:
        raise DataError("The file has no usable rows. Check that it holds numbers.")
    changed = state.get(state.DATASET) is None or data_key(state.get(state.DATASET)) != (
        data_key(dataset)
    )
    state.put(state.RAW, raw)
    state.put(state.DATASET, dataset)
    state.put(state.SOURCE, raw.label)
    if changed:
        # Results belong to the data they were trained on: a new series starts a fresh page.
        state.put(state.RESULT, None)
        state.put(state.RUN_ID, None)
        state.put(state.RUN_NAME, None)
        state.put(state.RUN_MANIFEST, None)
        search = state.get(state.SEARCH_JOB)
        if search is not None:
            search.stop()  # a search of the old series is of no use to the new one
        state.put(state.SEARCH_JOB, None)
        state.put(state.SEARCH_PROGRESS, None)
        state.put(state.SEARCH, None)
    return dataset


def load_sample(key: str) -> Dataset:
    """Make a built-in sample the current dataset."""
    sample = SAMPLES[key]
    raw = RawFile(name=sample.filename, data=sample_bytes(key), label=sample.title)
    return load_into_session(raw)


def data_key(dataset: Dataset) -> tuple[str, str]:
    """What identifies a dataset's series: its name and a hash of its values and dates."""
    return dataset.name, fingerprint(dataset.series)
