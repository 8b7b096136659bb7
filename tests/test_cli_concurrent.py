"""Issue 15 item 9: reading while the app (or another command) holds the writer lock.

Exports and reports from another terminal work read-only and are still logged (the export
log, ``exports.log``, needs no writer lock); a CLI writer waits a few seconds for the lock,
then names "another intervene command (pid N)"; ``--read-only`` is suggested only where it
works."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from store.db import Store
from tests.cli import REPO, demo_today, run

HOLD = r"""
import sys, time
from store.db import Store
s = Store.open(sys.argv[1], holder=sys.argv[2])
print("held", flush=True)
time.sleep(float(sys.argv[3]))
s.close()
"""


@contextmanager
def held(folder: Path, holder: str = "window", seconds: float = 60) -> Iterator[int]:
    """Another process holds the writer lock (as the app, or as a CLI command)."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), holder, str(seconds)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "held\n", child.stderr.read() if child.stderr else ""
        yield child.pid
    finally:
        child.kill()
        child.wait(timeout=30)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return demo_today(tmp_path / "data")


def test_exports_and_reports_work_and_are_logged_while_the_app_is_open(
    folder: Path, tmp_path: Path
) -> None:
    with held(folder):
        csv = tmp_path / "scores.csv"
        out = run("export", "scores", csv, data_dir=folder)
        assert out.returncode == 0, out.stderr
        assert csv.is_file()
        report = tmp_path / "packet.md"
        out = run("report", "packet", "--out", report, data_dir=folder)
        assert out.returncode == 0, out.stderr
        assert report.is_file()
        out = run("--read-only", "export", "sessions", tmp_path / "s.csv", data_dir=folder)
        assert out.returncode == 0, out.stderr
        listed = run("exports", data_dir=folder)
        assert listed.returncode == 0, listed.stderr
    assert str(csv) in listed.stdout and str(report) in listed.stdout
    assert str(tmp_path / "s.csv") in listed.stdout
    log = folder / "exports.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    kinds = [json.loads(line)["kind"] for line in log.read_text().splitlines()]
    assert kinds == ["scores", "report-packet", "sessions"]
    with Store.open(folder, readonly=True) as s:  # the app's export list reads both
        assert [e.kind for e in s.exports()] == kinds


def test_the_old_export_table_is_listed_with_the_log(folder: Path, tmp_path: Path) -> None:
    with Store.open(folder) as s:  # an export logged by an older intervene, in core.json
        s._put("core.json", "exports", "ex-old", {
            "id": "ex-old", "at": "2026-01-05T09:00:00", "kind": "backup",
            "path": "/old/backup.json", "students": 3, "deidentified": False,
        })  # fmt: skip
    assert run("export", "scores", tmp_path / "new.csv", data_dir=folder).returncode == 0
    listed = run("exports", data_dir=folder).stdout.splitlines()
    assert "/old/backup.json" in listed[0] and str(tmp_path / "new.csv") in listed[1]


def test_a_writer_waits_for_a_command_then_names_it(folder: Path) -> None:
    with Store.open(folder, readonly=True) as s:
        sid = s.students()[0].id
    env = {"INTERVENE_LOCK_WAIT": "1"}
    with held(folder, "command") as pid:
        started = time.monotonic()
        out = run("add-score", sid, "ORF", "50", data_dir=folder, env=env)
        waited = time.monotonic() - started
    assert out.returncode == 1, out.stderr
    line = out.stderr.strip()
    assert f"another intervene command (pid {pid})" in line, line
    assert "--read-only" not in line, line  # add-score cannot run read-only
    assert "\n" not in line and "Traceback" not in line
    assert waited >= 1
    # a holder that finishes within the wait: the writer gets in
    with held(folder, "command", seconds=1):
        out = run("add-score", sid, "ORF", "50", data_dir=folder)
    assert out.returncode == 0, out.stderr


def test_read_only_is_suggested_only_where_it_works(folder: Path) -> None:
    with held(folder) as pid:
        app = run(data_dir=folder)  # `intervene`: the app accepts --read-only
        assert app.returncode == 1
        assert f"another intervene window (pid {pid})" in app.stderr
        assert "intervene --read-only" in app.stderr
        restore = run("restore", "nothing.json", "--yes", data_dir=folder,
                      env={"INTERVENE_LOCK_WAIT": "0"})  # fmt: skip
        assert restore.returncode == 1
        assert "--read-only" not in restore.stderr
