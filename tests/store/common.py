"""Records shared by the store's on-disk tests (test_storage, test_data_loss)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from store.db import Store
from store.model import Group, Membership, Session

TODAY = date(2026, 11, 25)


def fill(store: Store, earlier: date) -> tuple[str, str]:
    """A student in a group, two ORF scores (today and ``earlier``) and today's session;
    returns the student's and the group's ids."""
    ava = store.add_student("Ava", "Jones", "3")
    g = store.add_group(Group("", "Reading A", memberships=[Membership(ava.id, date(2026, 9, 1))]))
    store.record_score(ava.id, "ORF", 50, TODAY)
    store.record_score(ava.id, "ORF", 45, earlier)
    store.log_session(Session("", g.id, TODAY, minutes_delivered=30))
    return ava.id, g.id


def killed_writer(code: str, args: list[str], pause: float) -> bytes:
    """Run the Python ``code`` in a child process (from the repository, with ``args``),
    let it work ``pause`` seconds after it prints "ready", SIGKILL it: what it printed."""
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert child.stdout is not None
    ready = child.stdout.readline()
    assert ready == b"ready\n", child.stderr.read() if child.stderr else ready
    time.sleep(pause)
    os.kill(child.pid, signal.SIGKILL)
    out, _err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return out
