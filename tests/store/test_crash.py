"""Durability: saves survive a fresh process, and SIGKILL at any moment loses no saved score."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from tests.conftest import REPO

WRITER = r"""
import sys
from datetime import date, datetime, timedelta
from store.db import Store

data_dir, start = sys.argv[1], int(sys.argv[2])
store = Store.open(data_dir, clock=lambda: datetime(2026, 11, 25, 10, 0))
kids = [s.id for s in store.students()]
print("ready", flush=True)
i = start
while True:
    day = date(2026, 11, 25) - timedelta(days=i // len(kids))
    score = store.record_score(kids[i % len(kids)], "ORF", i % 250, day, replace=True)
    print(score.id, flush=True)
    i += 1
"""


def test_each_save_is_visible_to_a_fresh_process(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    code = (
        "import sys\n"
        "from store.db import Store\n"
        "s = Store.open(sys.argv[1], readonly=True)\n"
        "print(','.join(f'{x.id}={x.value:g}' for x in s.scores(sys.argv[2])))\n"
    )
    for n in range(3):
        score = store.record_score(ava.id, "ORF", 50 + n, date(2026, 11, 20 + n))
        out = subprocess.run(
            [sys.executable, "-c", code, str(store.data_dir), ava.id],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
        )
        assert f"{score.id}=5{n}" in out.stdout, out.stderr


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        for name in ("Ava", "Ben", "Cy"):
            s.add_student(name, "Kill", "3")
    rng = random.Random(20261125)
    promised: set[str] = set()
    start = 0
    deadline = time.monotonic() + 50
    kills = 0
    while kills < 60 and (kills < 50 or time.monotonic() < deadline):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_dir), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
        )
        assert child.stdout is not None
        ready = child.stdout.readline()
        assert ready == b"ready\n", child.stderr.read() if child.stderr else ready
        time.sleep(rng.uniform(0.02, 0.15))
        os.kill(child.pid, signal.SIGKILL)
        out, _err = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        kills += 1
        printed = re.findall(rb"^(sc-[0-9a-f]{16})\n", out, flags=re.M)
        promised.update(x.decode() for x in printed)
        start += len(printed) + 1  # the unprinted call may or may not have landed
        with Store.open(data_dir, clock=clock) as s:  # always opens
            saved = {x.id for x in s.iter_scores()}
        missing = promised - saved
        assert not missing, f"after kill {kills}: {len(missing)} confirmed scores lost"
    assert kills >= 50
    assert len(promised) > 100, len(promised)  # the child really was writing when killed
    print(f"{kills} kills, {len(promised)} confirmed scores")
