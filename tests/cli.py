"""The command-line tests' shared steps: run `intervene` in a real process, check a user
error, a refused command that changed nothing, and a data folder with the demo caseload."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from store.db import Store
from store.demo import build_demo
from tests.conftest import REPO, SAMPLES, read_tree

__all__ = ["REPO", "SAMPLES", "assert_user_error", "demo_today", "run", "run_refused"]


def run(
    *args: str | Path,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path = REPO,
) -> subprocess.CompletedProcess[str]:
    """`intervene ARGS --data-dir DATA_DIR` with no terminal on stdin, run in ``cwd``."""
    argv = [sys.executable, "-m", "tui.cli", *map(str, args)]
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    environ = {
        k: v for k, v in os.environ.items() if k not in ("INTERVENE_DATA_DIR", "INTERVENE_DEMO_DIR")
    }
    environ["PYTHONPATH"] = str(REPO)
    environ.update(env or {})
    return subprocess.run(
        argv,
        cwd=cwd,
        env=environ,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_user_error(out: subprocess.CompletedProcess[str], text: str) -> None:
    """Exit code 1 and one line on stderr, ``intervene: …`` naming ``text``; no traceback."""
    assert out.returncode == 1, out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("intervene: "), out.stderr
    assert text in lines[0], lines[0]
    assert "Traceback" not in out.stderr


def run_refused(*args: str | Path, data_dir: Path, text: str) -> subprocess.CompletedProcess[str]:
    """Run ``args`` on ``data_dir`` expecting the user error ``text`` and not one byte of the
    folder changed (a rejected value changes nothing on disk); the finished process."""
    before = read_tree(data_dir)
    out = run(*args, data_dir=data_dir)
    assert_user_error(out, text)
    assert read_tree(data_dir) == before
    return out


def demo_today(folder: Path) -> Path:
    """``folder`` holding the demo caseload built for the real today (store closed): a
    command in a real process reads the real clock."""
    with Store.open(folder) as s:
        build_demo(s, date.today())
    return folder
