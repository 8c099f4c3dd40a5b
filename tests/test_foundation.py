"""The project's frame: engine/UI separation, lazy TensorFlow, and every page opening cleanly."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_engine_source_never_imports_streamlit():
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "lstm_core").rglob("*.py")
        if "streamlit" in _imported_modules(p)
    ]
    assert offenders == []


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=300,
    )
    return set(out.stdout.split())


def test_importing_every_engine_module_loads_no_streamlit():
    modules = [
        f"lstm_core.{p.stem}" for p in (ROOT / "lstm_core").glob("*.py") if p.stem != "__main__"
    ]
    loaded = _modules_after("\n".join(f"import {m}" for m in modules))
    assert "streamlit" not in loaded


def test_data_and_about_pages_do_not_import_tensorflow():
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "at.switch_page('pages/about.py').run()\n"
        "assert not at.exception, at.exception\n"
    )
    loaded = _modules_after(code)
    assert "streamlit" in loaded  # the pages really ran
    assert "tensorflow" not in loaded
    assert "keras" not in loaded


def _calls(attr: str) -> list[tuple[str, ast.Call]]:
    """Every call `<something>.<attr>(...)` in the dashboard's code, with its file and line."""
    found = []
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == attr):
                found.append((f"{path.relative_to(ROOT).as_posix()}:{node.lineno}", node))
    return found


def test_download_buttons_never_rerun_the_page():
    """A click that reruns the page gives the button a new file id, and Streamlit drops the old
    one when that run ends: a download still asking for it then fails. Downloads change nothing,
    so they skip the rerun."""
    buttons = _calls("download_button")
    assert len(buttons) >= 10
    rerunning = [where for where, call in buttons
                 if not any(k.arg == "on_click" and isinstance(k.value, ast.Constant)
                            and k.value.value == "ignore" for k in call.keywords)]
    assert rerunning == []


def test_pages_rerun_through_the_helper_that_keeps_the_users_click():
    """`st.rerun()` would override a page the user clicked meanwhile; `ui.rerun.rerun` yields to
    it. Only the helper itself and fragment-scoped reruns call Streamlit's directly."""
    direct = [where for where, call in _calls("rerun")
              if not where.startswith("ui/rerun.py")
              and not any(k.arg == "scope" and isinstance(k.value, ast.Constant)
                          and k.value.value == "fragment" for k in call.keywords)]
    assert direct == []


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_exception(page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_home_page_shows_the_sample_chart():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert charts, "the Data page should open on the sample's chart"
    assert "Airline" in " ".join(t.value for t in at.sidebar.text)
