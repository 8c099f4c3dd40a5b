"""Small helpers shared by the browser tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def wait_for_app(pg) -> None:
    """Wait until Streamlit finished running the script.

    `stApp` carries the script state; the status widget is checked too, for runs still starting.
    """
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                         timeout=90_000)
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText"
        ".includes('Running')",
        timeout=90_000,
    )


def assert_no_exception(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0, "a traceback is on the page"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy in time")


@contextlib.contextmanager
def serve_app(home: Path, log_path: Path) -> Iterator[str]:
    """Run `streamlit run app.py` on a free port until the block ends; yield its base URL."""
    port = _free_port()
    env = {**os.environ, "LSTM_STUDIO_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "2"}
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def screenshot(pg, path) -> None:
    """Save the whole page: Streamlit scrolls inside its main area, so grow the viewport to fit."""
    size = pg.viewport_size or {"width": 1400, "height": 1000}
    height = pg.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]')"
        " || document.scrollingElement; return m.scrollHeight; }"
    )
    pg.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 6000))})
    pg.wait_for_timeout(400)
    pg.screenshot(path=str(path))
    pg.set_viewport_size(size)


def go(pg, app_server: str, path: str = "") -> None:
    """Open a page of the app and wait for its script run to finish."""
    pg.goto(f"{app_server}/{path}")
    wait_for_app(pg)


def nav(pg, title: str) -> None:
    """Click a page in the sidebar navigation and wait for it."""
    pg.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    wait_for_app(pg)


def fill_number(pg, label: str, value: int | float) -> None:
    """Type a value into the number input with this label."""
    box = pg.get_by_label(label, exact=True)
    # While a page redraws, Streamlit briefly keeps the old elements: wait for one input.
    pg.wait_for_function(
        "(l) => document.querySelectorAll(`input[aria-label=\"${l}\"]`).length === 1",
        arg=label,
    )
    box.fill(str(value))
    box.press("Tab")


def train_tiny(page, epochs: int, patience: int = 0, units: int = 4) -> None:
    """Open the Train page, set a tiny model and press Train (does not wait for the end)."""
    nav(page, "Train")
    fill_number(page, "Epochs", epochs)
    fill_number(page, "Early-stopping patience", patience)
    fill_number(page, "LSTM units", units)
    page.get_by_role("button", name="Train", exact=True).click()


def require_chromium(path: str) -> None:
    """Skip when Debian's Chromium is missing on a developer machine; fail in CI."""
    if Path(path).exists() and shutil.which(path) is not None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is required in CI but {path} is missing")
    pytest.skip(f"{path} not installed (apt-get install chromium)")
