"""Benchmark: time from process start to the Today screen's first full paint.

Run: ``.venv/bin/python bench/bench_startup.py`` (``make bench``; not part of the tests).

Builds the demo caseload plus 100k historical scores (five earlier school years, the demo's
students and 150 former students), then starts a fresh Python process that opens the app
headless on it and reports the moment the Today screen has painted (groups and the selected
group's students filled). The same is measured for a bare Textual app showing one Static.
Each is run RUNS times, alternating; medians are compared. The last line is JSON with
``startup_ratio`` = intervene / bare (target ≤ 1.5).

Both children go through the same harness (``PAINTED``): poll until the screen holds what
it must show, then wait for the screen's next refresh (``Screen.wait_for_refresh``) and
take the time. (Not ``pilot.pause()``: that waits until the process's CPU goes idle, so it
would also count work the app deliberately does after the first paint, such as the
needs-attention summary computed in a worker thread.)

Both children run with Python's ordinary bytecode cache (what an installed or repeatedly
run app has), kept in the bench's temporary folder; the warm-up runs fill it. With
``--no-bytecode-cache`` the environment's PYTHONDONTWRITEBYTECODE is kept instead, so every
start compiles our modules from source (the bare app's modules are precompiled in the venv).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.partitions import write_score_partitions  # noqa: E402
from store.db import Store  # noqa: E402
from store.demo import build_demo  # noqa: E402
from store.model import Score  # noqa: E402

NOW = datetime(2026, 11, 25, 10, 12)
HISTORY = 100_000
FORMER = 150
# one start varies by about ±20 % on a shared 2-CPU machine; the median of 15 is steady
RUNS = 15

PAINTED = """
import time
async def report_when_painted(pilot, ready):
    while not ready():
        await pilot.pause(0.001)
    await pilot.app.screen.wait_for_refresh()  # the paint that shows it
    print(time.time(), flush=True)
    pilot.app.exit()
"""

CHILD_APP = (
    PAINTED
    + """
import sys
from datetime import datetime
from store.db import Store
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.screens.today import TodayScreen
now = datetime.fromisoformat(sys.argv[2])
store = Store.open(sys.argv[1], clock=lambda: now)
app = InterventionApp(store, lambda: now, AppConfig())
def ready():
    return isinstance(app.screen, TodayScreen) and app.screen.query_one('#students').row_count
async def auto(pilot):
    await report_when_painted(pilot, ready)
app.run(headless=True, size=(120, 36), auto_pilot=auto)
store.close()
"""
)

CHILD_BARE = (
    PAINTED
    + """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
app = Bare()
def ready():
    return bool(app.screen.query(Static))
async def auto(pilot):
    await report_when_painted(pilot, ready)
app.run(headless=True, size=(120, 36), auto_pilot=auto)
"""
)


def build(folder: Path) -> int:
    """Demo caseload for NOW's date plus HISTORY scores in earlier school years."""
    with Store.open(folder, clock=lambda: NOW) as store:
        build_demo(store, NOW.date())
        with store.batch("former students"):
            former = [
                store.add_student(f"Former{i}", f"Student{i:03d}", "4").id for i in range(FORMER)
            ]
            for sid in former:
                store.archive_student(sid)
        ids = [s.id for s in store.students()] + former
    years = range(2021, 2026)

    def history() -> Iterator[Score]:
        for i in range(HISTORY):
            sid = ids[i % len(ids)]
            year = years[(i // len(ids)) % len(years)]
            k = i // (len(ids) * len(years))
            day = date(year, 9, 1) + timedelta(days=7 * (k % 40) + k // 40)
            yield Score(f"sc-h{i:07x}", sid, "ORF", day, float(20 + i % 150), None, None, NOW)

    return write_score_partitions(folder, history())


def time_child(code: str, *args: str, env: dict[str, str] | None = None) -> float:
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    painted = float(out.strip().splitlines()[-1])
    return painted - start


def child_env(tmp: Path, bytecode_cache: bool) -> dict[str, str]:
    """The same environment for both children."""
    env = dict(os.environ)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def main() -> None:
    bytecode_cache = "--no-bytecode-cache" not in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(Path(tmp), bytecode_cache)
        folder = Path(tmp) / "data"
        t0 = time.perf_counter()
        n = build(folder)
        print(f"built demo caseload + {n:,} historical scores in {time.perf_counter() - t0:.1f} s")
        ours: list[float] = []
        bare: list[float] = []
        time_child(CHILD_BARE, env=env)  # warm the OS file cache (and bytecode cache) for both
        time_child(CHILD_APP, str(folder), NOW.isoformat(), env=env)
        for _ in range(RUNS):
            bare.append(time_child(CHILD_BARE, env=env))
            ours.append(time_child(CHILD_APP, str(folder), NOW.isoformat(), env=env))
    ours_ms = statistics.median(ours) * 1000
    bare_ms = statistics.median(bare) * 1000
    print(f"{'':24}{'median':>10}{'min':>10}{'max':>10}")
    for name, xs in (("bare Textual app", bare), ("intervene Today screen", ours)):
        print(
            f"{name:24}{statistics.median(xs) * 1000:>9.0f}ms"
            f"{min(xs) * 1000:>9.0f}ms{max(xs) * 1000:>9.0f}ms"
        )
    ratio = ours_ms / bare_ms
    print(
        json.dumps(
            {
                "startup_ms": round(ours_ms, 1),
                "bare_ms": round(bare_ms, 1),
                "startup_ratio": round(ratio, 3),
                "history_scores": HISTORY,
                "bytecode_cache": bytecode_cache,
                "target": 1.5,
                "ok": ratio <= 1.5,
            }
        )
    )


if __name__ == "__main__":
    main()
