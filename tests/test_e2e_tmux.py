"""End to end: the real `intervene` command in a real terminal (tmux), typed at like a user."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from store.storage import AtomicJSONStorage

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


def wait_for_any(session: str, *texts: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(session)
        if any(t in shown for t in texts):
            return shown
        time.sleep(0.2)
    raise AssertionError(f"none of {texts!r} appeared on screen; last screen:\n{shown}")


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
        if "Enter again to save it" in wait_for_any(session, "saved ✓", "Enter again"):
            tmux("send-keys", "-t", session, "Enter")  # far from the student's last scores
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
        for doc in _scores_in(path):
            if doc["date"] == DAY:
                saved.append(doc)
    assert [d["value"] for d in saved] == [7], saved


# --------------------------------------------------------------------------- keys in a burst
def start_demo(tmp_path: Path) -> tuple[str, Path]:
    """The demo caseload on DAY in a fresh tmux session, in score entry for the group
    running now (Fluency 3)."""
    assert INTERVENE.exists(), f"the console script is not installed at {INTERVENE}"
    data = tmp_path / "demo"
    session = f"intervene-e2e-{uuid.uuid4().hex[:8]}"
    command = f"{INTERVENE} demo --data-dir {data} --date {DAY}"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "36", command)
    wait_for(session, "Groups")
    wait_for(session, "Students")
    tmux("send-keys", "-t", session, "Enter")
    wait_for(session, "enter scores")
    return session, data


def wait_gone(session: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while session_alive(session) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not session_alive(session), "the app did not quit"


def quit_from_entry(session: str) -> None:
    tmux("send-keys", "-t", session, "Escape")
    if "Groups" not in wait_for_any(session, "Groups", "enter scores"):
        # the session log had opened after the last row: Esc went back to the scores
        tmux("send-keys", "-t", session, "Escape")
        wait_for(session, "Groups")
    tmux("send-keys", "-t", session, "q")
    wait_gone(session)


def entry_rows(session: str, data: Path) -> list[tuple[str, str]]:
    """(student id, value to type) for each row score entry shows, top down. The value is the
    student's last score on the row's measure: in range and plausible for any group (which
    group is running depends on the real time of day)."""
    from store.db import Store

    lines = screen(session).splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.split()[:2] == ["Student", "Measure"])
    rows = []
    with Store.open(data, readonly=True) as store:
        by_name = {s.name: s for s in store.students()}
        for line in lines[start + 1 :]:
            parts = re.split(r"\s{2,}", line.strip())
            if len(parts) < 2 or parts[0] not in by_name:
                break
            student, measure = by_name[parts[0]], store.measure(parts[1])
            last = [s for s in store.scores(student.id, measure.code) if s.date.isoformat() < DAY]
            rows.append((student.id, measure.format(last[-1].value)))
    return rows


def _scores_in(path: Path) -> list[dict]:
    """The score documents of a partition file with its journal (store/wal.py) replayed:
    a save to a large file is a line of ``X.json.wal`` until it is folded in."""
    data = AtomicJSONStorage(path, readonly=True).read()
    return list(data["scores"].values()) if data else []


def saved_on_day(data: Path) -> dict[str, float]:
    """{student id: value} of every score dated DAY, read from the files themselves."""
    saved = {}
    for path in (data / "scores").rglob("*.json"):
        for doc in _scores_in(path):
            if doc["date"] == DAY:
                saved[doc["student_id"]] = doc["value"]
    return saved


@pytest.mark.slow
def test_two_scores_sent_in_one_burst_are_both_saved(tmp_path: Path) -> None:
    session, data = start_demo(tmp_path)
    try:
        (first, a), (second, b) = entry_rows(session, data)[:2]
        tmux("send-keys", "-t", session, *a, "Enter", *b, "Enter")  # e.g. 41 ⏎ 52 ⏎ at once
        wait_for_any(session, f" {b} for ", "Session log")  # the second save is reported
        quit_from_entry(session)
    finally:
        if session_alive(session):
            tmux("kill-session", "-t", session)
    assert saved_on_day(data) == {first: float(a), second: float(b)}


@pytest.mark.slow
def test_score_enter_and_ctrl_q_in_one_burst_saves_the_score(tmp_path: Path) -> None:
    session, data = start_demo(tmp_path)
    try:
        ((first, value), *_) = entry_rows(session, data)
        tmux("send-keys", "-t", session, *value, "Enter", "C-q")  # one burst
        wait_gone(session)
    finally:
        if session_alive(session):
            tmux("kill-session", "-t", session)
    assert saved_on_day(data) == {first: float(value)}


@pytest.mark.slow
def test_bracketed_paste_of_a_column_fills_three_rows(tmp_path: Path) -> None:
    session, data = start_demo(tmp_path)
    buffer = f"col-{uuid.uuid4().hex[:6]}"
    try:
        rows = entry_rows(session, data)[:3]
        column = "".join(f"{value}\n" for _, value in rows)
        tmux("set-buffer", "-b", buffer, column)
        tmux("paste-buffer", "-p", "-d", "-b", buffer, "-t", session)  # bracketed paste
        wait_for(session, f"pasted 3 scores: {', '.join(v for _, v in rows)}")
        quit_from_entry(session)
    finally:
        if session_alive(session):
            tmux("kill-session", "-t", session)
    assert saved_on_day(data) == {sid: float(value) for sid, value in rows}


# --------------------------------------------------------------------------- keys at a screen change
@pytest.mark.slow
def test_left_pressed_as_the_app_starts_shows_the_previous_day(tmp_path: Path) -> None:
    """← typed while the app starts (before Today has mounted) is honoured, not a crash."""
    assert INTERVENE.exists(), f"the console script is not installed at {INTERVENE}"
    data = tmp_path / "demo"
    session = f"intervene-e2e-{uuid.uuid4().hex[:8]}"
    command = f"{INTERVENE} demo --data-dir {data} --date {DAY}; echo EXIT=$?; sleep 30"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "36", command)
    try:
        tmux("send-keys", "-t", session, "Left")  # waits in the terminal until the app reads it
        shown = wait_for_any(session, "Tuesday 24 November 2026", "EXIT=")
        assert "EXIT=" not in shown and "Error" not in shown, shown
        wait_for(session, "Students")
        tmux("send-keys", "-t", session, "q")
        wait_for(session, "EXIT=0")
    finally:
        if session_alive(session):
            tmux("kill-session", "-t", session)


@pytest.mark.slow
def test_enter_and_two_scores_in_one_burst_from_today_are_saved(tmp_path: Path) -> None:
    """Enter on Today and the first two scores in one send-keys: they land in score entry's
    rows in order (they were lost while its field was not yet focused)."""
    session, data = start_demo(tmp_path)
    try:
        (first, a), (second, b) = entry_rows(session, data)[:2]
        tmux("send-keys", "-t", session, "Escape")  # back on Today, the same group selected
        wait_for(session, "Groups")
        tmux("send-keys", "-t", session, "Enter", *a, "Enter", *b, "Enter")  # one burst
        deadline = time.monotonic() + 15  # both rows say "saved ✓"
        while screen(session).count("saved ✓") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        quit_from_entry(session)
    finally:
        if session_alive(session):
            tmux("kill-session", "-t", session)
    assert saved_on_day(data) == {first: float(a), second: float(b)}
