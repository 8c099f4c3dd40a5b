"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"


@pytest.fixture(autouse=True, scope="session")
def _isolated_store(tmp_path_factory: pytest.TempPathFactory):
    """Keep the suite's saved runs in a temporary folder, never in the user's real one."""
    home = tmp_path_factory.mktemp("studio-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSTM_STUDIO_HOME", str(home))
        yield


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Folder for screenshots and other artefacts tests leave for people to look at."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
