"""Load benchmark: several browser users on one dashboard server at once.

Run: `.venv/bin/python bench/load_sessions.py [--sessions 8] [--epochs 20] [--json out.json]`.

Starts its own `streamlit run app.py` (trainings capped at the default, one per core), opens one
headless Chromium with one context per user (async Playwright), and has every user upload a
different sine series (own file name, own value-column name, own offset), train a tiny LSTM and
open the Forecast page. Checks that every training finishes and that no user sees another's
data, and samples the server's resident memory (with its children) before, during (every 0.5 s)
and after the sessions. Exit code 1 if a training did not finish or an isolation check failed.

Memory: "cold" is the fresh server; "before" is after one warm-up user trained and left (so the
one-off TensorFlow import is not counted as growth); "after" is once every context closed and
the server idled. Streamlit keeps a disconnected session's state for
`server.disconnectedSessionTTL` seconds (120 by default), so `--session-ttl` sets it for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
MEMORY_GOAL_MB = 200.0
POINTS = 240


# -- server ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, log_path: Path, session_ttl: int | None = None,
                 ) -> tuple[subprocess.Popen, str]:
    """Start the dashboard on a free port and wait until it is healthy; return (process, url)."""
    port = _free_port()
    env = {**os.environ, "LSTM_STUDIO_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("LSTM_STUDIO_MAX_TRAININGS", None)  # the default: one training per core
    extra = ["--server.disconnectedSessionTTL", str(session_ttl)] if session_ttl else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", *extra],
        cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("streamlit did not become healthy in time")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- memory ------------------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants, in MB (VmRSS from /proc)."""
    total_kb = 0
    for each in _descendants(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


class MemorySampler(threading.Thread):
    """Samples `rss_mb(pid)` every `interval` seconds until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0.0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return self.peak


# -- one user ----------------------------------------------------------------------------------


@dataclass
class Session:
    """One simulated user: their file, their value column and the range their values live in."""

    index: int
    file_name: str
    column: str
    offset: float
    amplitude: float
    finished: bool = False
    saw_queued: bool = False
    epochs_shown: int | None = None
    checks: dict[str, bool] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def isolated(self) -> bool:
        return bool(self.checks) and all(self.checks.values())


def make_sessions(n: int, tag: str = "user") -> list[Session]:
    """Distinct names and disjoint value ranges (offset 1000·(i+1) ± amplitude) per user."""
    return [
        Session(index=i, file_name=f"{tag}{i}_series_{i * 7919 % 1000:03d}.csv",
                column=f"{tag}{i}_meter_kw", offset=1000.0 * (i + 1), amplitude=20.0 + 5 * i)
        for i in range(n)
    ]


def write_series(session: Session, folder: Path) -> Path:
    """A daily sine series with a weekly cycle, as that user's CSV."""
    lines = [f"date,{session.column}"]
    for t in range(POINTS):
        day = time.strftime("%Y-%m-%d", time.gmtime(1_577_836_800 + 86_400 * t))
        value = session.offset + session.amplitude * math.sin(2 * math.pi * t / 7)
        lines.append(f"{day},{value:.4f}")
    path = folder / session.file_name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_IDLE_JS = """() => { const w = document.querySelector('[data-testid="stStatusWidget"]');
  return !w || !w.innerText.includes('Running'); }"""


async def _settle(page) -> None:
    await page.wait_for_selector('[data-testid="stApp"]')
    await page.wait_for_function(_IDLE_JS, timeout=120_000)


async def _nav(page, title: str) -> None:
    await page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    await _settle(page)


async def _fill(page, label: str, value: int) -> None:
    await page.wait_for_function(
        "(l) => document.querySelectorAll(`input[aria-label=\"${l}\"]`).length === 1", arg=label,
        timeout=120_000,
    )
    box = page.get_by_label(label, exact=True)
    await box.fill(str(value))
    await box.press("Tab")


async def _foreign_names(page, me: Session, everyone: list[Session]) -> list[str]:
    """Other users' file or column names anywhere in this page's text (hidden text included)."""
    text = await page.evaluate("() => document.body.textContent")
    return [name for other in everyone if other is not me
            for name in (other.file_name, other.column) if name in text]


async def _sidebar_shows_own_file(page, me: Session) -> bool:
    texts = await page.locator(
        '[data-testid="stSidebar"] [data-testid="stText"]').all_inner_texts()
    return me.file_name in [t.strip() for t in texts]


_HOLDOUT_READY_JS = """() => { const plots = document.querySelectorAll('.js-plotly-plot');
  const p = plots[0];
  return plots.length === 2 && !!p && !!p._fullData
    && p._fullData.some(t => t.name === 'History'); }"""
_HOLDOUT_JS = """() => { const p = document.querySelectorAll('.js-plotly-plot')[0];
  if (!p || !p._fullData) return null;
  const title = p.querySelector('.ytitle');
  const history = p._fullData.find(t => t.name === 'History');
  return {names: p._fullData.map(t => t.name),
          history: history ? Array.from(history.y, Number) : [],
          ytitle: title ? title.textContent : ''}; }"""


async def drive(browser, url: str, me: Session, everyone: list[Session], csv_path: Path,
                ready: asyncio.Barrier, epochs: int, units: int, timeout_s: float) -> None:
    """One user's whole visit; fills `me` with what was seen."""
    started = time.monotonic()
    arrived = False
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(120_000)
    try:
        await page.goto(url)
        await _settle(page)
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            str(csv_path))
        await page.wait_for_function(
            "(n) => [...document.querySelectorAll('[data-testid=\"stSidebar\"] "
            "[data-testid=\"stText\"]')].some(e => e.innerText.trim() === n)",
            arg=me.file_name, timeout=120_000,
        )
        await _settle(page)
        me.checks["data: sidebar shows own file"] = await _sidebar_shows_own_file(page, me)
        me.checks["data: no other user's names"] = not await _foreign_names(page, me, everyone)

        await _nav(page, "Train")
        await _fill(page, "Epochs", epochs)
        await _fill(page, "Early-stopping patience", 0)
        await _fill(page, "LSTM units", units)
        arrived = True
        await ready.wait()  # everyone presses Train at about the same moment
        await page.get_by_role("button", name="Train", exact=True).click()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            body = await page.locator("body").inner_text()
            if "Queued" in body or "Training is queued" in body:
                me.saw_queued = True
            match = re.search(r"Training (finished|stopped early) after (\d+) epochs", body)
            if match:
                me.finished = match.group(1) == "finished"
                me.epochs_shown = int(match.group(2))
                break
            if "Training failed" in body or "Sorry, " in body:
                me.problems.append("training failed: " + body[-300:])
                break
            await asyncio.sleep(0.25)
        else:
            me.problems.append(f"training did not finish within {timeout_s:.0f} s")
        await _settle(page)
        me.checks["train: sidebar shows own file"] = await _sidebar_shows_own_file(page, me)
        me.checks["train: no other user's names"] = not await _foreign_names(page, me, everyone)

        if me.finished:
            await _nav(page, "Forecast")
            # While the page switches, the Train page's loss chart can still be in the DOM: wait
            # until the first chart is the holdout chart (it has a History trace), so a slow
            # redraw is not mistaken for someone else's data; a wrong chart still fails below.
            from playwright.async_api import TimeoutError as PlaywrightTimeout

            try:
                await page.wait_for_function(_HOLDOUT_READY_JS, timeout=60_000)
            except PlaywrightTimeout:
                pass  # read whatever is there: the checks below then say what was wrong
            chart = await page.evaluate(_HOLDOUT_JS)
            history = [y for y in (chart or {}).get("history", []) if y is not None]
            low, high = me.offset - me.amplitude * 1.01, me.offset + me.amplitude * 1.01
            me.checks["forecast: chart holds own values"] = bool(history) and all(
                low <= y <= high for y in history)
            me.checks["forecast: chart titled with own column"] = (
                me.column in (chart or {}).get("ytitle", ""))
            if not (me.checks["forecast: chart holds own values"]
                    and me.checks["forecast: chart titled with own column"]):
                seen = chart or {}
                me.problems.append(
                    f"first chart on the Forecast page: traces {seen.get('names')}, y title "
                    f"{seen.get('ytitle')!r}, {len(history)} history values")
            me.checks["forecast: sidebar shows own file"] = await _sidebar_shows_own_file(page, me)
            foreign = await _foreign_names(page, me, everyone)
            me.checks["forecast: no other user's names"] = not foreign
            if foreign:
                me.problems.append(f"saw other users' names: {foreign}")
        me.checks["no traceback"] = await page.locator('[data-testid="stException"]').count() == 0
    except Exception as exc:  # a broken user must not hide the others' figures
        me.problems.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        me.checks["visit completed"] = False
        if not arrived:  # still count as arrived, or the others would wait for ever
            asyncio.ensure_future(ready.wait())
    finally:
        me.seconds = time.monotonic() - started
        await context.close()


async def run_users(url: str, sessions: list[Session], folder: Path, *, epochs: int, units: int,
                    timeout_s: float) -> None:
    """All `sessions` at once: one Chromium, one context per user."""
    from playwright.async_api import async_playwright

    paths = [write_series(s, folder) for s in sessions]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ready = asyncio.Barrier(len(sessions))
            await asyncio.gather(*(
                drive(browser, url, s, sessions, p, ready, epochs, units, timeout_s)
                for s, p in zip(sessions, paths, strict=True)
            ))
        finally:
            await browser.close()


# -- the whole benchmark -----------------------------------------------------------------------


def run_load(n_sessions: int = 8, *, epochs: int = 20, units: int = 4, idle_s: float = 15.0,
             session_ttl: int | None = None, timeout_s: float = 900.0,
             warm_up: bool = True) -> dict:
    """Run the benchmark; return the figures and per-session results as a JSON-safe dict."""
    with tempfile.TemporaryDirectory(prefix="lstm-load-") as tmp:
        folder = Path(tmp)
        (folder / "home").mkdir()
        proc, url = start_server(folder / "home", folder / "streamlit.log", session_ttl)
        try:
            time.sleep(2)
            cold = rss_mb(proc.pid)
            if warm_up:  # one user trains first, so TensorFlow's one-off import is not "growth"
                warm = make_sessions(1, tag="warmup")
                asyncio.run(run_users(url, warm, folder, epochs=3, units=units,
                                      timeout_s=timeout_s))
                time.sleep(idle_s)
            before = rss_mb(proc.pid)
            sampler = MemorySampler(proc.pid)
            sampler.start()
            sessions = make_sessions(n_sessions)
            started = time.monotonic()
            asyncio.run(run_users(url, sessions, folder, epochs=epochs, units=units,
                                  timeout_s=timeout_s))
            wall = time.monotonic() - started
            time.sleep(idle_s)
            peak = max(sampler.stop(), before)
            after = rss_mb(proc.pid)
        finally:
            stop_server(proc)
    return {
        "sessions": n_sessions,
        "finished": sum(s.finished for s in sessions),
        "isolated": sum(s.isolated for s in sessions),
        "queued_seen": sum(s.saw_queued for s in sessions),
        "cores": os.cpu_count(),
        "wall_seconds": round(wall, 1),
        "memory_mb": {"cold": round(cold, 1), "before": round(before, 1), "peak": round(peak, 1),
                      "after": round(after, 1), "growth": round(after - before, 1)},
        "idle_seconds": idle_s,
        "session_ttl": session_ttl,
        "per_session": [asdict(s) for s in sessions],
    }


def format_report(report: dict) -> str:
    """The summary table, then one line per session."""
    m = report["memory_mb"]
    head = ("sessions | finished | isolated | queued seen | cold MB | before MB | peak MB | "
            "after MB | after-before MB")
    row = (f"{report['sessions']:>8} | {report['finished']:>8} | {report['isolated']:>8} | "
           f"{report['queued_seen']:>11} | {m['cold']:>7.0f} | {m['before']:>9.0f} | "
           f"{m['peak']:>7.0f} | {m['after']:>8.0f} | {m['growth']:>+15.0f}")
    lines = [head, row, f"wall {report['wall_seconds']} s on {report['cores']} cores; after = "
             f"{report['idle_seconds']:.0f} s idle; goal: after-before < {MEMORY_GOAL_MB:.0f} MB"]
    for s in report["per_session"]:
        failed = [k for k, ok in s["checks"].items() if not ok]
        lines.append(
            f"  user {s['index']}: finished={s['finished']} epochs={s['epochs_shown']} "
            f"queued={s['saw_queued']} {s['seconds']:.0f}s "
            f"checks {sum(s['checks'].values())}/{len(s['checks'])}"
            + (f" FAILED {failed}" if failed else "")
            + (f" problems {s['problems']}" if s["problems"] else "")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--units", type=int, default=4)
    parser.add_argument("--idle", type=float, default=15.0, help="seconds idle before 'after'")
    parser.add_argument("--session-ttl", type=int, default=None,
                        help="server.disconnectedSessionTTL for the run (Streamlit default 120)")
    parser.add_argument("--no-warm-up", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    report = run_load(args.sessions, epochs=args.epochs, units=args.units, idle_s=args.idle,
                      session_ttl=args.session_ttl, warm_up=not args.no_warm_up)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    ok = report["finished"] == report["sessions"] == report["isolated"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
