"""Benchmark: start-up and a score save with team sync configured, against the same folder
without sync (issue 18: "The app's start-up and save benchmarks with sync configured stay
within their targets" — sync must not slow the user).

Run: ``.venv/bin/python bench/bench_sync_overhead.py`` (``make bench``; not part of the tests).

Two copies of ``bench/scale_data.py``'s 300-student caseload: one plain, one whose
``sync.json`` (and password) point at a team database on an unreachable ``127.0.0.1`` port
(a port just bound and closed), so every sync the app starts fails at once, as offline. A
fresh Python process opens the app headless on each (alternating, RUNS times each) and
reports:

- Today painted (the same harness as ``bench_startup.py``: the groups and students are on
  screen, then the next refresh);
- then starts a background sync at once (``SyncRunner.run``, what its 2-second timer does;
  offline, the worker then counts the changes waiting — reading and hashing only the files
  changed since the digests were cached in ``sync-digests.json``; the warm-up run builds
  that cache — while the user types), and, 0.1 s later (past the connection attempt; the
  counting takes ~0.2 s since the cache is read and written in lines, no longer one 6.8 MB
  JSON value), times SAVES score saves (``Store.record_score`` on the app's thread, as the
  entry screen calls it), each undone untimed so every run saves into the same folder.

Both folders get the day's backup before the first child (``Store.backup_if_due``, what the
app's 2-second timer does once a day): otherwise only the synced folder had one — its
warm-up child, waiting for its first sync to hash every file, lived past that timer, the
plain one never did — a difference between the two that is not sync (it measured no
difference in a save, 0.855 vs 0.861 ms, but the two children must differ only by sync).

The last line is JSON with ``startup_sync_ratio`` = median Today painted with sync / without
and ``save_sync_ratio`` = median save with sync / without (targets ≤ 1.1 each).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_startup import PAINTED, child_env  # noqa: E402
from bench.scale_data import NOW, fresh_copy  # noqa: E402
from store.db import Store  # noqa: E402

STUDENTS = 300
RUNS = int(os.environ.get("BENCH_SYNC_OVERHEAD_RUNS", "7"))
SAVES = 30

CHILD = (
    PAINTED
    + """
import statistics, sys, time
from datetime import datetime
from store.db import Store
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.screens.today import TodayScreen
now = datetime.fromisoformat(sys.argv[2])
saves = int(sys.argv[3])
store = Store.open(sys.argv[1], clock=lambda: now)
app = InterventionApp(store, lambda: now, AppConfig())
watch_frames()
def ready():
    return isinstance(app.screen, TodayScreen) and app.screen.query_one('#students').row_count
kids = [s for s in store.students() if s.grade in ('2', '3', '4', '5')][:saves]
def save_all():
    times = []
    for kid in kids:
        t = time.perf_counter()
        store.record_score(kid.id, 'ORF', 57, now.date())
        times.append(time.perf_counter() - t)
        store.undo_last()  # untimed: every run saves into the same folder
    return statistics.median(times)
async def auto(pilot):
    import asyncio
    await report_when_painted(pilot, ready, exit=False)
    await app.screen.loaded()  # Today's start-up workers done: they are not the sync's cost
    idle = save_all()  # sync configured, its first run not yet due (2 s after start)
    if app.sync_runner is not None:
        app.sync_runner.run()  # a sync in flight while the user saves
    await asyncio.sleep(0.1)  # past the connection attempt: the worker is counting
    busy = save_all()
    running = any(w.group == 'sync' and w.is_running for w in app.workers)
    print('save', idle, busy, app.sync_runner is not None, running, flush=True)
    from textual.worker import WorkerCancelled
    syncs = [w for w in app.workers if w.group == 'sync']
    try:  # the sync has finished before the next start (a superseded worker is cancelled)
        if syncs:
            await app.workers.wait_for_complete(syncs)
    except WorkerCancelled:
        pass
    app.exit()
app.run(headless=True, size=(120, 36), auto_pilot=auto)
store.close()
"""
)


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure_sync(folder: Path) -> str:
    """Make ``folder`` a writer's replica of a team database no one can reach."""
    from store.sync import state as sync_state

    url = f"http://127.0.0.1:{closed_port()}/team"
    sync_state.save(folder, sync_state.SyncState(url=url, user="bench"))
    sync_state.save_password(folder, "bench-password")
    assert sync_state.is_configured(folder)
    return url


def run_child(folder: Path, env: dict[str, str], synced: bool) -> tuple[float, float, float]:
    """(seconds to Today painted, median seconds per save, the same while a sync runs) for
    one app start."""
    start = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), NOW.isoformat(), str(SAVES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode:
        raise SystemExit(f"the app failed (sync={synced}):\n{proc.stderr[-3000:]}")
    lines = proc.stdout.strip().splitlines()
    painted = next(float(x) for x in lines if x[:1].isdigit()) - start
    _, idle, busy, had_runner, running = next(x for x in lines if x.startswith("save ")).split()
    assert (had_runner == "True") == synced, "the sync runner should run only when configured"
    assert (running == "True") == synced, "the saves should overlap the background sync"
    return painted, float(idle), float(busy)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(Path(tmp), bytecode_cache=True)
        t0 = time.perf_counter()
        plain = fresh_copy(STUDENTS, Path(tmp) / "plain")
        synced = fresh_copy(STUDENTS, Path(tmp) / "synced")
        url = configure_sync(synced)
        for folder in (plain, synced):  # the day's backup, as after the day's first start
            with Store.open(folder, clock=lambda: NOW) as store:
                store.backup_if_due()
        print(f"{STUDENTS}-student caseloads ready in {time.perf_counter() - t0:.1f} s")
        print(f"sync configured: {url} (unreachable: every sync fails at once, as offline)")
        run_child(plain, env, False)  # warm the OS file cache and the bytecode cache
        run_child(synced, env, True)
        keys = ("start", "save", "busy")
        figures: dict[str, list[float]] = {f"{w}_{k}": [] for w in "ps" for k in keys}
        for i in range(RUNS):
            order = ((plain, "p"), (synced, "s")) if i % 2 == 0 else ((synced, "s"), (plain, "p"))
            for folder, which in order:
                for key, value in zip(keys, run_child(folder, env, which == "s"), strict=True):
                    figures[f"{which}_{key}"].append(value)
    med = {k: statistics.median(v) * 1000 for k, v in figures.items()}
    print(f"{'':34}{'median':>10}{'min':>10}{'max':>10}")
    for name, key in (
        ("Today painted, no sync", "p_start"),
        ("Today painted, sync configured", "s_start"),
        ("score save, no sync", "p_save"),
        ("score save, sync configured", "s_save"),
        ("score save 0.1 s later, no sync", "p_busy"),
        ("score save, while a sync runs", "s_busy"),
    ):
        xs = figures[key]
        print(f"{name:34}{med[key]:>8.2f}ms{min(xs) * 1000:>8.2f}ms{max(xs) * 1000:>8.2f}ms")
    print(
        json.dumps(
            {
                "startup_sync_ratio": round(med["s_start"] / med["p_start"], 3),
                "save_sync_ratio": round(med["s_save"] / med["p_save"], 3),
                "startup_ms": round(med["p_start"], 1),
                "startup_sync_ms": round(med["s_start"], 1),
                "save_ms": round(med["p_save"], 3),
                "save_sync_ms": round(med["s_save"], 3),
                "save_during_sync_ratio": round(med["s_busy"] / med["p_busy"], 3),
                "students": STUDENTS,
                "runs": RUNS,
            }
        )
    )


if __name__ == "__main__":
    main()
