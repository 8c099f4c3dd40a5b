"""Page tests under Streamlit's AppTest: the whole journey without a browser."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TINY = {"Epochs": 3, "LSTM units": 4, "Models in ensemble": 1, "Early-stopping patience": 0}


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at


def _set_numbers(at: AppTest, values: dict[str, float]) -> None:
    for widget in at.number_input:
        if widget.label in values:
            widget.set_value(values[widget.label])


def _train(at: AppTest, values: dict[str, float] = TINY) -> None:
    at.switch_page("pages/train.py").run()
    _set_numbers(at, values)
    [train] = [b for b in at.button if b.label == "Train"]
    train.click().run()
    assert not at.exception, [e.value for e in at.exception]
    job = at.session_state["job"]
    job.join(300)
    assert job.snapshot().status == "done", job.snapshot().error
    at.run()  # the page notices the finished job and stores its result
    assert not at.exception, [e.value for e in at.exception]


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.text]
    parts += [c.value for c in at.caption] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


# -- Data page ----------------------------------------------------------------------------------


def test_upload_loads_a_series_and_a_bad_file_keeps_it():
    at = _app()
    csv = "date,sales\n" + "".join(f"2024-01-{d:02d},{d * 10}\n" for d in range(1, 29))
    at.file_uploader[0].set_value(("shop.csv", csv.encode(), "text/csv")).run()
    assert not at.exception
    dataset = at.session_state["dataset"]
    assert at.session_state["source"] == "shop.csv"
    assert list(dataset.series.to_numpy()[:3]) == [10.0, 20.0, 30.0]
    assert len(dataset.series) == 28

    at.file_uploader[0].set_value(("broken.csv", b"", "text/csv")).run()
    assert not at.exception
    assert at.error, "an empty file must show an error"
    assert "broken.csv" in at.error[0].value.replace("\\", "")  # Markdown escapes removed
    assert at.session_state["source"] == "shop.csv"  # the previous series stays loaded


def test_sample_picker_loads_the_counting_example():
    at = _app()
    at.selectbox(key="sample_pick").set_value("counting").run()
    [load] = [b for b in at.button if b.label == "Load sample"]
    load.click().run()
    series = at.session_state["dataset"].series
    assert series.to_numpy().tolist() == [float(v) for v in range(100)]
    # (The sidebar is checked in the browser tests: AppTest re-runs only the page script.)
    assert at.session_state["source"].startswith("Counting")


# -- Train, Forecast, Runs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """One session that trained two tiny models on the airline sample, with its own run store."""
    home = tmp_path_factory.mktemp("pages-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSTM_STUDIO_HOME", str(home))
        yield _trained_session()


def _trained_session() -> AppTest:
    at = _app()
    _train(at, {**TINY, "Seed": 1})
    first = at.session_state["run_id"]
    _train(at, {**TINY, "Seed": 2, "LSTM units": 3})
    at.run_ids = [first, at.session_state["run_id"]]  # type: ignore[attr-defined]
    return at


def test_train_page_trains_to_completion_and_stores_the_model(trained: AppTest):
    result = trained.session_state["result"]
    assert result is not None and len(result.models) == 1
    assert result.settings.model.units == 3 and result.settings.train.epochs == 3
    assert trained.session_state["run_id"]
    assert any("Training finished" in s.value for s in trained.success)
    assert trained.get("plotly_chart"), "the loss chart is shown after training"


def test_model_still_predicts_after_reruns(trained: AppTest):
    """Streamlit clears the Keras session after every run; our models must not depend on it."""
    result = trained.session_state["result"]
    model = result.models[0]
    window = result.settings.window.input_length
    x = np.linspace(-1, 1, window, dtype="float32").reshape(1, window, 1)
    before = np.asarray(model(x))
    for _ in range(3):
        trained.run()
    after = np.asarray(model(x))
    np.testing.assert_array_equal(before, after)


def test_model_predicts_while_another_session_trains(trained: AppTest):
    """Reruns (each clears the Keras session) must break neither a saved model nor a training."""
    model = trained.session_state["result"].models[0]
    window = trained.session_state["result"].settings.window.input_length
    x = np.linspace(-1, 1, window, dtype="float32").reshape(1, window, 1)
    before = np.asarray(model(x))

    other = _app()
    other.switch_page("pages/train.py").run()
    _set_numbers(other, {**TINY, "Epochs": 2000})
    [train] = [b for b in other.button if b.label == "Train"]
    train.click().run()
    job = other.session_state["job"]
    deadline = time.monotonic() + 120
    while job.snapshot().epoch < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    epochs_seen = job.snapshot().epoch
    for _ in range(3):
        trained.run()
        other.run()
    np.testing.assert_array_equal(before, np.asarray(model(x)))
    assert job.snapshot().epoch > epochs_seen, "training kept going through the reruns"
    job.stop()
    job.join(120)
    assert job.snapshot().status == "stopped"
    assert job.result is not None and job.result.models


def test_forecast_page_shows_charts_scoreboard_and_downloads(trained: AppTest):
    trained.switch_page("pages/forecast.py").run()
    assert not trained.exception, [e.value for e in trained.exception]
    assert len(trained.get("plotly_chart")) == 2  # holdout and future
    table = trained.dataframe[0].value
    assert {"LSTM", "Naive", "Seasonal naive"} <= set(table.index)
    assert "MASE" in table.columns
    assert "best baseline" in _texts(trained)
    labels = [d.proto.label for d in trained.get("download_button")]
    assert "Forecast (CSV)" in labels and "Model and run (.zip)" in labels


def test_runs_page_lists_compares_opens_and_deletes(trained: AppTest):
    trained.switch_page("pages/runs.py").run()
    assert not trained.exception
    listed = trained.dataframe[0].value
    ours = trained.run_ids
    assert len(listed) >= 2
    picker = trained.multiselect(key="runs_pick")
    assert all(any(run_id in option for option in picker.options) for run_id in ours)

    picker.set_value(ours).run()
    assert not trained.exception, [e.value for e in trained.exception]
    charts = trained.get("plotly_chart")
    assert len(charts) == 2  # loss curves and forecasts, overlaid
    assert len(trained.dataframe[1].value) == 2  # scores side by side

    first = ours[0]
    trained.multiselect(key="runs_pick").set_value([first]).run()
    [open_button] = [b for b in trained.button if b.label == "Open on the Forecast page"]
    open_button.click().run()
    assert not trained.exception, [e.value for e in trained.exception]
    assert trained.session_state["run_id"] == first
    assert type(trained.session_state["result"]).__name__ == "PresentedRun"

    trained.switch_page("pages/runs.py").run()
    trained.multiselect(key="runs_pick").set_value([first]).run()
    [delete] = [b for b in trained.button if b.label == "Delete"]
    delete.click().run()
    [confirm] = [b for b in trained.button if b.label == "Yes, delete it"]
    confirm.click().run()
    assert not trained.exception
    assert len(trained.dataframe[0].value) == len(listed) - 1
    assert not any(first in option for option in trained.multiselect(key="runs_pick").options)


def test_second_train_click_while_running_starts_no_second_job():
    at = _app()
    at.switch_page("pages/train.py").run()
    _set_numbers(at, {**TINY, "Epochs": 400, "Early-stopping patience": 0})
    [train] = [b for b in at.button if b.label == "Train"]
    train.click().run()
    job = at.session_state["job"]
    deadline = time.monotonic() + 60
    while job.snapshot().status == "queued" and time.monotonic() < deadline:
        time.sleep(0.1)
    at.run()
    [train] = [b for b in at.button if b.label == "Train"]
    assert train.disabled  # a browser user cannot press it again
    at.run()
    assert at.session_state["job"] is job
    job.stop()
    job.join(120)
    assert job.snapshot().status == "stopped"


def test_choosing_no_date_column_switches_to_row_order():
    at = _app()
    [date_pick] = [s for s in at.selectbox if s.label == "Date column"]
    date_pick.set_value("(none: use row order)")
    [apply] = [b for b in at.button if b.label == "Apply"]
    apply.click().run()
    assert not at.exception
    series = at.session_state["dataset"].series
    assert series.index.name == "step" and len(series) == 144


def test_settings_file_round_trip_on_the_train_page():
    import json

    from lstm_core.plan import default_settings

    at = _app()
    at.switch_page("pages/train.py").run()
    dataset = at.session_state["dataset"]
    wanted = default_settings(len(dataset.series), dataset.report.season_length).to_dict()
    wanted["model"]["units"] = 7
    wanted["train"]["epochs"] = 42
    at.file_uploader(key="settings_upload").set_value(
        ("settings.json", json.dumps(wanted).encode(), "application/json")
    ).run()
    assert not at.exception
    values = {n.label: n.value for n in at.number_input}
    assert values["LSTM units"] == 7 and values["Epochs"] == 42

    wanted["model"]["units"] = 0
    at.file_uploader(key="settings_upload").set_value(
        ("bad.json", json.dumps(wanted).encode(), "application/json")
    ).run()
    assert not at.exception
    assert any("settings file could not be used" in e.value for e in at.error)
    assert {n.label: n.value for n in at.number_input}["LSTM units"] == 7  # kept


def test_unexpected_error_shows_an_apology_with_a_reference_and_the_app_stays_usable():
    at = _app()
    at.session_state["result"] = object()  # a broken result: the Forecast page will fail on it
    at.switch_page("pages/forecast.py").run()
    assert not at.exception  # no traceback in the browser
    [apology] = [e.value for e in at.error if e.value.startswith("Sorry")]
    assert "reference" in apology
    at.session_state["result"] = None
    at.switch_page("pages/data.py").run()
    assert not at.exception and not at.error
    assert at.get("plotly_chart")
