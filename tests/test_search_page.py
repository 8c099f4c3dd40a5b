"""Find settings on the Train page (AppTest): live trials, Stop keeps them, the form fills."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _button(at: AppTest, key: str):
    [button] = [b for b in at.button if b.key == key]
    return button


def test_find_settings_lists_trials_stops_and_fills_the_form(monkeypatch, tmp_path):
    monkeypatch.setenv("LSTM_STUDIO_WORKERS", "1")  # trials in the job's thread: no processes
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    _button(at, "find_settings").click().run()
    assert not at.exception, [e.value for e in at.exception]
    job, progress = at.session_state["search_job"], at.session_state["search_progress"]
    deadline = time.monotonic() + 120
    while len(progress.copy()[0]) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(progress.copy()[0]) >= 2
    at.run()
    assert any("Searching…" in (p.proto.text or "") for p in at.get("progress"))
    assert any(len(frame.value) >= 2 for frame in at.dataframe)  # the live trials table
    _button(at, "stop_search").click().run()
    job.join(120)
    at.run()
    result = job.result
    assert result.stopped and result.trials[0].params["input_length"] == 24
    assert any(s.value.startswith("Best: trial") for s in at.success)
    _button(at, "use_search").click().run()
    assert not at.exception
    assert at.session_state["settings"] == result.best_settings
    window = [w for w in at.number_input if w.label == "Window (past steps read)"][0]
    assert window.value == result.best.params["input_length"]
    assert at.session_state["search"] is result
    # Training with the found settings saves the search with the run it leads to.
    [train] = [b for b in at.button if b.label == "Train"]
    train.click().run()
    training = at.session_state["job"]
    training.join(300)
    at.run()
    from lstm_core.runs import RunStore

    saved = RunStore().manifest(at.session_state["run_id"])["extra"]["search"]
    assert [t["number"] for t in saved["trials"]] == [t.number for t in result.trials]


def test_new_data_stops_and_forgets_a_search(monkeypatch, tmp_path):
    monkeypatch.setenv("LSTM_STUDIO_WORKERS", "1")
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/train.py").run()
    _button(at, "find_settings").click().run()
    job = at.session_state["search_job"]
    at.switch_page("pages/data.py").run()
    at.selectbox(key="sample_pick").set_value("counting").run()
    [load] = [b for b in at.button if b.label == "Load sample"]
    load.click().run()
    job.join(120)
    assert job.snapshot().status in ("stopped", "done")
    assert job.result is None or job.result.stopped
    assert at.session_state["search_job"] is None and at.session_state["search"] is None
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "stop_search"]
