"""Benchmark: time from process start to the Today screen's first full paint, and to its
needs-attention pane filled.

Run: ``.venv/bin/python bench/bench_startup.py`` (``make bench``; not part of the tests).

Uses a copy of ``bench/scale_data.py``'s 300-student caseload (5 school years of weekly
scores, ~50 groups with every session logged, goals, phase changes), then starts a fresh
Python process that opens the app headless on it and reports two moments: the Today screen
has painted (groups and the selected group's students filled), and the needs-attention pane
is filled (the worker's list is on screen: ``TodayScreen.attention_day`` is the day and the
list has its rows, then the next paint; the unlogged-sessions line, a bar of its own, is read
after it). The same is measured for a bare Textual app showing one Static.
The app starts as ``intervene`` starts it (``tui.cli.main.open_app``, with the default
settings: the store opened, then — before Textual is imported — a child forked to fill the
attention pane on the second core, ``tui.views.attention_prefill``), with the caseload rows
kept in the data folder between starts (``AppConfig.attention_cache``), and twice a round:
first with no kept rows (the day's first start, or any start after the core records
changed: every student is computed), then again (the rows kept by the first: none
computed). Each app child waits, untimed, for its screen's workers before it quits, as a
real session outlasts them (its forked child has kept the rows by then).
Each is run RUNS times, alternating; medians are compared. The last line is JSON with
``startup_ratio`` = Today painted / bare (target ≤ 1.5), ``attention_ratio`` = attention
filled with no kept rows / bare (target ≤ 1.8) and ``attention_warm_ratio`` = filled from
the kept rows / bare.

Both children go through the same harness (``PAINTED``): the moment is the first frame the
app draws (``App._display`` given a compositor update) while the screen holds what it must
show, checked as each frame is drawn. The watch is set once the app is made: importing
Textual before ``open_app`` would delay the child it forks, which ``intervene`` does not.
(It waited for ``Screen.wait_for_refresh`` after the state was seen: that is Textual's
``call_after_refresh``, which runs when the messages already queued are handled, not after
the next frame: work queued before it counted, and a frame drawn before it did not.) The
harness waits for that time with a plain ``asyncio.sleep(0.001)``: not ``pilot.pause()``,
which waits until the process's CPU goes idle (so it would also count work the app
deliberately does after the first paint, such as the needs-attention summary computed in a
worker thread), nor ``pilot.pause(0.001)``, which also walks every widget's message queue
each millisecond: measured, that took ~200 ms of the main thread's CPU while the worker ran
(process CPU 563 ms vs the worker's 355 ms, against 357 vs 323 with a plain sleep), CPU the
worker then waited for under the GIL and that no real start of the app spends.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_data import NOW, fresh_copy  # noqa: E402
from tui.views.attention_cache import CACHE_NAME  # noqa: E402

STUDENTS = 300
# one start varies by about ±20 % on a shared 2-CPU machine; the median of 7 is steady enough for a 10-minute make bench
RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "7"))

PAINTED = """
import asyncio, time
_watches = []  # [ready, time of the first frame drawn while ready() held]
def watch_frames():  # once Textual is imported (the app forks its child before that)
    from textual.app import App
    display = App._display
    def watched(self, screen, renderable):
        display(self, screen, renderable)
        if renderable is None or self._batch_count:
            return  # no frame
        now = time.time()
        for watch in _watches:
            if watch[1] is None and watch[0]():
                watch[1] = now
    App._display = watched
    App._frames_watched = True
async def report_when_painted(pilot, *readies, exit=True):
    if not getattr(pilot.app, "_frames_watched", False):
        raise RuntimeError("call watch_frames() once the app is made, before it runs")
    watches = [[ready, None] for ready in readies]  # watched from now on, all of them
    _watches.extend(watches)
    for watch in watches:
        while watch[1] is None:
            await asyncio.sleep(0.001)  # not pilot.pause: see the module docstring
        print(watch[1], flush=True)
    if exit:
        pilot.app.exit()
"""

CHILD_APP = (
    PAINTED
    + """
import sys
from datetime import datetime
from pathlib import Path
from tui.cli.main import open_app
now = datetime.fromisoformat(sys.argv[2])
app = open_app(Path(sys.argv[1]), lambda: now, None, is_demo=False)  # as intervene opens it
watch_frames()
def today():
    screen = app.screen
    return screen if type(screen).__name__ == "TodayScreen" else None
def ready():
    return today() is not None and today().query_one('#students').row_count
def filled():  # a paneful of the list is in the pane (the unlogged line, its own bar, next)
    screen = today()
    pane = screen.query_one('#attention')
    n = pane.option_count
    return screen.attention_day == screen.day and n and (
        n >= pane.size.height or not screen.attention_adding
    )
async def auto(pilot):
    await report_when_painted(pilot, ready, filled, exit=False)
    await app.screen.loaded()  # its workers done (the rows kept for the next start), untimed
    app.exit()
app.run(headless=True, size=(120, 36), auto_pilot=auto)
app.store.close()
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
watch_frames()
def ready():
    return bool(app.screen.query(Static))
async def auto(pilot):
    await report_when_painted(pilot, ready)
app.run(headless=True, size=(120, 36), auto_pilot=auto)
"""
)


def time_child(code: str, *args: str, env: dict[str, str] | None = None) -> list[float]:
    """Seconds from the child's start to each moment it reports."""
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
    return [float(line) - start for line in out.strip().splitlines()[-2:] if line[:1].isdigit()]


def child_env(tmp: Path, bytecode_cache: bool) -> dict[str, str]:
    """The same environment for both children (no settings file: the defaults)."""
    env = dict(os.environ)
    env["INTERVENE_SETTINGS"] = str(tmp / "no-settings.toml")
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def main() -> None:
    bytecode_cache = "--no-bytecode-cache" not in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(Path(tmp), bytecode_cache)
        t0 = time.perf_counter()
        folder = fresh_copy(STUDENTS, Path(tmp) / "data")  # the app may write: not the cache
        print(f"{STUDENTS}-student caseload ready in {time.perf_counter() - t0:.1f} s")
        painted: list[float] = []
        filled: list[float] = []
        warm_painted: list[float] = []
        warm: list[float] = []
        bare: list[float] = []
        time_child(CHILD_BARE, env=env)  # warm the OS file cache (and bytecode cache) for both
        time_child(CHILD_APP, str(folder), NOW.isoformat(), env=env)
        for _ in range(RUNS):
            bare += time_child(CHILD_BARE, env=env)
            (folder / CACHE_NAME).unlink(missing_ok=True)  # the day's first start: every row
            today, attention = time_child(CHILD_APP, str(folder), NOW.isoformat(), env=env)
            painted.append(today)
            filled.append(attention)
            today, attention = time_child(CHILD_APP, str(folder), NOW.isoformat(), env=env)
            warm_painted.append(today)
            warm.append(attention)
    bare_ms = statistics.median(bare) * 1000
    print(f"{'':28}{'median':>10}{'min':>10}{'max':>10}")
    for name, xs in (
        ("bare Textual app", bare),
        ("intervene Today painted", painted),
        ("needs-attention filled", filled),
        ("Today painted, kept rows", warm_painted),
        ("filled from kept rows", warm),
    ):
        print(
            f"{name:28}{statistics.median(xs) * 1000:>9.0f}ms"
            f"{min(xs) * 1000:>9.0f}ms{max(xs) * 1000:>9.0f}ms"
        )
    startup = statistics.median(painted) * 1000 / bare_ms
    attention = statistics.median(filled) * 1000 / bare_ms
    attention_warm = statistics.median(warm) * 1000 / bare_ms
    print(
        json.dumps(
            {
                "startup_ratio": round(startup, 3),
                "attention_ratio": round(attention, 3),
                "attention_warm_ratio": round(attention_warm, 3),
                "startup_ms": round(statistics.median(painted) * 1000, 1),
                "attention_ms": round(statistics.median(filled) * 1000, 1),
                "attention_warm_ms": round(statistics.median(warm) * 1000, 1),
                "bare_ms": round(bare_ms, 1),
                "students": STUDENTS,
                "bytecode_cache": bytecode_cache,
            }
        )
    )


if __name__ == "__main__":
    main()
