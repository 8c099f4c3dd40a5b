"""The Present page under AppTest: a saved run in five screens, both languages, never training."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.config import Settings
from lstm_core.data import load_dataset
from lstm_core.narrative import narrative
from lstm_core.present import SCREEN_KEYS, text
from lstm_core.run_record import PresentedRun
from lstm_core.runs import RunStore
from lstm_core.samples import sample_bytes

APP = str(Path(__file__).resolve().parent.parent / "app.py")
HOSTILE = '=HYPERLINK("http://x.example","click") <script>alert(1)</script> **bold**'


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory):
    """A tiny real training on the airline sample, saved under a hostile name; yields its id."""
    from lstm_core.pipeline import run_forecast
    from lstm_core.run_record import record_run

    home = tmp_path_factory.mktemp("present-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSTM_STUDIO_HOME", str(home))
        dataset = load_dataset(sample_bytes("airline"), "airline.csv")
        settings = Settings.from_dict({"window": {"input_length": 12, "horizon": 12},
                                       "model": {"units": 4},
                                       "train": {"epochs": 4, "patience": 0, "seed": 3}})
        result = run_forecast(dataset.series, settings)
        run_id, _ = record_run(result, dataset_name=dataset.name, name=HOSTILE)
        yield run_id


def _present(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.session_state["language"] = lang
    at.switch_page("pages/present.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _html(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def _button(at: AppTest, key: str):
    [button] = [b for b in at.button if b.key == key]
    return button


@pytest.mark.parametrize("lang", ["en", "th"])
def test_steps_through_every_screen_of_a_saved_run(saved_run, lang):
    at = _present(lang)
    manifest = RunStore().manifest(saved_run)
    run = PresentedRun.from_manifest(manifest)
    [picker] = at.selectbox
    assert picker.value == saved_run
    seen = []
    for number, key in enumerate(SCREEN_KEYS, start=1):
        page = _html(at)
        assert f"{number} / {len(SCREEN_KEYS)}" in page
        seen.append(key)
        assert text(key, lang) in page
        if key != SCREEN_KEYS[-1]:
            _button(at, "present_next").click().run()
            assert not at.exception
    assert seen == list(SCREEN_KEYS)
    summary = _html(at)
    for sentence in narrative(run, lang):
        # Sentences are HTML-escaped on the page; the airline run's have no special characters.
        assert sentence.replace("'", "&#x27;") in summary
    assert _button(at, "present_next").disabled
    _button(at, "present_previous").click().run()
    assert f"{len(SCREEN_KEYS) - 1} / {len(SCREEN_KEYS)}" in _html(at)
    assert at.session_state["job"] is None  # nothing on the page trains


def test_hostile_run_name_stays_literal(saved_run):
    at = _present()
    [picker] = at.selectbox
    assert HOSTILE in picker.options[0]  # options are plain text, never Markdown or HTML
    assert "<script>" not in _html(at)


def test_without_runs_the_page_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_STUDIO_HOME", str(tmp_path))
    at = _present()
    assert any("Nothing to present yet" in i.value for i in at.info)


def test_replay_redraws_the_recorded_loss_curve_to_its_end(saved_run):
    import json

    at = _present()
    _button(at, "present_next").click().run()
    _button(at, "present_replay").click().run()
    assert not at.exception, [e.value for e in at.exception]
    history = RunStore().manifest(saved_run)["history"]
    figure = json.loads(at.get("plotly_chart")[-1].proto.spec)
    drawn = figure["data"][0]["x"]  # epochs (y is binary-encoded by Plotly)
    assert drawn == list(range(1, len(history["loss"]) + 1))  # the replay ends on the whole curve
    assert figure["layout"]["xaxis"]["range"] == [0.5, len(history["loss"]) + 0.5]
