"""Start a session's training job: the pipeline in a background thread, then record the run."""

from __future__ import annotations

from lstm_core.config import Settings
from lstm_core.data import Dataset
from ui import state
from ui.jobs import TrainingJob


def expected_epochs(settings: Settings) -> int:
    """How many epochs the pipeline runs at most: every ensemble member trains once."""
    return settings.train.epochs * max(1, settings.ensemble)


def start_training(dataset: Dataset, settings: Settings) -> TrainingJob:
    """Create, store in the session and start a training job for `dataset` with `settings`."""
    from lstm_core.pipeline import run_forecast  # imports TensorFlow: only when training

    series = dataset.series

    def work(on_epoch, should_stop):
        return run_forecast(
            series, settings, season_length=dataset.report.season_length,
            on_epoch=on_epoch, should_stop=should_stop,
        )

    def save(result):
        from ui.run_store import record_run

        return record_run(result, dataset)

    job = TrainingJob(work=work, epochs_total=expected_epochs(settings), on_done=save)
    state.put(state.JOB, job)
    job.start()
    return job
