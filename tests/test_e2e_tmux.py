"""End to end: the real `intervene` command in a real terminal (tmux), typed at like a user."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

DAY = "2026-11-25"
INTERVENE = Path(sys.executable).with_name("intervene")

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed, so the terminal test cannot run"
)


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], check=True, capture_output=True, text=True, timeout=20
    ).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared on screen; last screen:\n{shown}")


def session_alive(session: str) -> bool:
    return (
        subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode == 0
    )


@pytest.mark.slow
def test_type_a_score_in_the_real_app_and_find_it_on_disk(tmp_path: Path) -> None:
    assert INTERVENE.exists(), f"the console script is not installed at {INTERVENE}"
    data = tmp_path / "demo"
    session = f"intervene-e2e-{uuid.uuid4().hex[:8]}"
    command = f"{INTERVENE} demo --data-dir {data} --date {DAY}"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "36", command)
    try:
        wait_for(session, "Groups")
        wait_for(session, "Students")
        tmux("send-keys", "-t", session, "Enter")  # score entry for the selected group
        wait_for(session, "enter scores")
        tmux("send-keys", "-t", session, "7", "Enter")  # 7 is in range for every measure
        wait_for(session, "saved ✓")
        tmux("send-keys", "-t", session, "Escape")
        wait_for(session, "Groups")
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 15
        while session_alive(session) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not session_alive(session), "the app did not quit on q"
    finally:
        if session_alive(session):
            tmux("kill-session", "-t", session)
    saved = []
    for path in (data / "scores").rglob("*.json"):
        assert path.stat().st_mode & 0o777 == 0o600
        for doc in json.loads(path.read_text())["scores"].values():
            if doc["date"] == DAY:
                saved.append(doc)
    assert [d["value"] for d in saved] == [7], saved
