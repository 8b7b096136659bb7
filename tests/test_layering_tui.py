"""The headless parts of tui/ (issue 14): importing every module of ``tui/cli``,
``tui/documents`` and ``tui/views`` in a fresh interpreter loads no Textual (the views no Rich
either), and the commands that do not open the app (``today``, ``caseload``, ``report``,
``export``, ``add-score``) run without loading Textual."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from store.demo import build_demo
from tests.conftest import REPO

HEADLESS = ("tui/cli", "tui/documents", "tui/views")
TODAY = date(2026, 11, 25)

REPORT_LOADED = """
import json, sys
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"textual", "rich", "plotext"})
print("LOADED " + json.dumps(loaded))
"""


def _child(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def _loaded(out: subprocess.CompletedProcess[str]) -> list[str]:
    assert out.returncode == 0, out.stderr
    line = next(x for x in reversed(out.stdout.splitlines()) if x.startswith("LOADED "))
    return json.loads(line.removeprefix("LOADED "))


def headless_modules(folder: str) -> list[str]:
    """Every module under ``folder`` (``__main__`` left out: importing it runs the command)."""
    names = []
    for path in sorted((REPO / folder).rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


@pytest.mark.parametrize("folder", HEADLESS)
def test_importing_the_headless_packages_loads_no_textual(folder: str, tmp_path: Path) -> None:
    modules = headless_modules(folder)
    assert len(modules) > 1, f"{folder} is a package of several modules"
    code = "".join(f"import {m}\n" for m in modules) + REPORT_LOADED
    loaded = _loaded(_child(code, cwd=tmp_path))
    assert "textual" not in loaded
    if folder == "tui/views":  # views return values and style keys; widgets build Rich Text
        assert "rich" not in loaded


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    with Store.open(folder) as store:
        build_demo(store, TODAY)
    return folder


COMMANDS = {
    "today": ["today", "--json"],
    "caseload": ["caseload", "--json"],
    "report": ["report", "student", "Ava"],
    "export": ["export", "scores", "-"],
    "add-score": ["add-score", "Ava", "ORF", "61", "--replace"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_commands_that_open_no_app_load_no_textual(
    command: str, demo: Path, tmp_path: Path
) -> None:
    code = (
        "import sys\nfrom tui.cli import main\n"
        "code = main(sys.argv[1:])\nassert code == 0, code\n" + REPORT_LOADED
    )
    argv = ["--data-dir", str(demo), "--date", TODAY.isoformat(), *COMMANDS[command]]
    loaded = _loaded(_child(code, *argv, cwd=tmp_path))
    assert "textual" not in loaded
