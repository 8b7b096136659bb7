"""Benchmark: score entry's Enter → "saved" painted, at the demo size and at 300 students.

Run: ``.venv/bin/python bench/bench_entry.py`` (not part of the tests; ``make bench`` runs it).

For each caseload (the demo built by ``store.demo.build_demo``; the demo plus more students in
more groups, 300 students in all, each with a goal and a term of weekly ORF scores) it opens
score entry through Pilot, headless, and makes ENTRIES entries: the first PER_SESSION rows of
the 5-student group running at 10:12, in sessions on days without scores (the last row's Enter
also opens the session log, a different screen's cost, so it is left out). For each Enter it
records

  * saved   — Enter → the first paint after the row shows "saved ✓" (the write is durable and
              the row recomputed: progress, decision)
  * next    — Enter → the next row is current (the field takes keys at once)
  * stall   — the longest event-loop stall between Enter and that paint (a 1 ms ticker)

and prints a table and a final JSON line: ``entry_saved_p95_ms_ratio`` (p95 saved, 300 vs
demo; target ≤ 1.3) and ``entry_stall_ms_p95`` (p95 of each entry's longest stall, worst of
the two sizes), with the p95s behind them.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events  # noqa: E402

from store.db import Store  # noqa: E402
from store.demo import build_demo  # noqa: E402
from store.model import Group  # noqa: E402
from tui.app import InterventionApp  # noqa: E402
from tui.config import AppConfig  # noqa: E402
from tui.screens.score_entry import ScoreEntryScreen  # noqa: E402

NOW = datetime(2026, 11, 25, 10, 12)  # during the demo's Fluency 3 (10:05–10:35)
BIG = 300
ENTRIES = 50
PER_SESSION = 4
SESSIONS = -(-ENTRIES // PER_SESSION)
WAIT = False  # True: let the writer finish the previous save before each Enter (for study)


def clock() -> datetime:
    return NOW


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) > 1 else xs[0]


def build(folder: Path, students: int | None) -> int:
    """The demo caseload; with ``students``, more students in more 5-student groups (each
    with a goal and weekly ORF scores since September) up to that many in all."""
    with Store.open(folder, clock=clock) as store:
        build_demo(store, NOW.date())
        have = len(store.students())
        if students is None or students <= have:
            return have
        start = date(2026, 9, 7)
        with store.batch("bench caseload"):
            for g in range((students - have + 4) // 5):
                group = store.add_group(
                    Group(
                        id="",
                        name=f"Bench {g:02d}",
                        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
                        start_time=f"{12 + g % 4:02d}:{(g * 7) % 50:02d}",
                        duration_minutes=30,
                        measures=["ORF"],
                        start_date=start,
                    )
                )
                for k in range(5):
                    if have >= students:
                        break
                    kid = store.add_student(f"Bench{g}", f"Student{k}", "3")
                    store.add_member(group.id, kid.id, start)
                    store.set_goal(
                        kid.id,
                        "ORF",
                        baseline_value=40,
                        baseline_date=start,
                        goal_value=70,
                        goal_date=date(2027, 3, 1),
                    )
                    for week in range(11):
                        day = start + timedelta(weeks=week, days=k % 4)
                        store.record_score(kid.id, "ORF", 40 + 2 * week + (week * k) % 5, day)
                    have += 1
        return len(store.students())


def free_days() -> list[date]:
    """Recent Saturdays, Sundays and Fridays: no group meets and no score is dated then."""
    saturday = NOW.date() - timedelta(days=4)
    return [saturday - timedelta(weeks=w, days=d) for d in (0, -1, 1) for w in range(9)]


async def measure(folder: Path, days: list[date]) -> dict[str, list[float]]:
    """ENTRIES entries through Pilot, one session per day in ``days`` (each run its own
    days: a row already saved would ask first): saved / next / stall times in ms."""
    store = Store.open(folder, clock=clock)
    app = InterventionApp(store, clock, AppConfig())
    out: dict[str, list[float]] = {"saved": [], "next": [], "stall": []}
    paints: list[float] = []
    ticks: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        # start-up's own background work (Today's caseload worker, the daily backup 2 s in)
        # is not score entry's: let it finish first
        await pilot.pause(2.5)
        await app.workers.wait_for_complete()
        original_display = app._display

        def display(*args: object, **kwargs: object) -> None:
            original_display(*args, **kwargs)  # type: ignore[arg-type]
            paints.append(time.perf_counter())

        app._display = display  # type: ignore[method-assign]
        stop = False

        async def ticker() -> None:
            while not stop:
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.001)

        tick_task = asyncio.create_task(ticker())
        group = next(g for g in store.groups() if g.name == "Fluency 3")
        for day in days:
            screen = ScoreEntryScreen(group, day)
            app.push_screen(screen)
            await pilot.pause()
            for i in range(min(PER_SESSION, len(screen.rows))):
                if len(out["saved"]) >= ENTRIES:
                    break
                row = screen.rows[i]
                assert row.state == "", f"row {i} on {day} is not open ({row.state})"
                earlier = [s.value for s in row.line.scores if s.date < day]
                typed = row.line.measure.format(earlier[-1] if earlier else 50)
                await pilot.press(*typed)
                while WAIT and screen.pending:
                    await asyncio.sleep(0.001)
                assert app._driver is not None
                t0 = time.perf_counter()
                app._driver.send_message(events.Key("enter", "\r"))
                moved = None
                while row.state != "saved" and time.perf_counter() - t0 < 10:
                    if moved is None and (screen.index != i or screen.app.screen is not screen):
                        moved = time.perf_counter()
                    await asyncio.sleep(0.0005)
                saved_at = time.perf_counter()
                while not paints or paints[-1] < saved_at:
                    await asyncio.sleep(0.0005)
                painted = next(p for p in paints if p >= saved_at)
                window = [t for t in ticks if t0 <= t <= painted]
                gaps = [b - a for a, b in zip([t0, *window], [*window, painted], strict=True)]
                out["saved"].append((painted - t0) * 1000)
                out["next"].append(((moved or saved_at) - t0) * 1000)
                out["stall"].append(max(gaps) * 1000)
            await pilot.pause()
            while app.screen is not screen and len(app.screen_stack) > 1:  # the session log
                app.pop_screen()
                await pilot.pause()
            if app.screen is screen:
                screen.dismiss(False)
                await pilot.pause()
        stop = True
        await tick_task
    store.close()
    return out


def main() -> None:
    results: dict[str, dict[str, list[float]]] = {}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, students in (("demo", None), ("300", BIG)):
            folder = Path(tmp) / name
            t0 = time.perf_counter()
            sizes[name] = build(folder, students)
            print(f"built {name}: {sizes[name]} students in {time.perf_counter() - t0:.1f} s")
            days = free_days()
            asyncio.run(measure(folder, days[:2]))  # warm-up (imports, caches, file cache)
            results[name] = asyncio.run(measure(folder, days[2 : 2 + SESSIONS]))
    print(
        f"{'':18}{'students':>9}{'saved p50':>11}{'saved p95':>11}{'next p95':>10}{'stall p95':>11}"
    )
    for name, r in results.items():
        print(
            f"{name:18}{sizes[name]:>9}{statistics.median(r['saved']):>9.1f}ms"
            f"{p95(r['saved']):>9.1f}ms{p95(r['next']):>8.1f}ms{p95(r['stall']):>9.1f}ms"
        )
    ratio = p95(results["300"]["saved"]) / p95(results["demo"]["saved"])
    stall = max(p95(r["stall"]) for r in results.values())
    print(
        json.dumps(
            {
                "entry_saved_p95_ms_ratio": round(ratio, 3),
                "entry_stall_ms_p95": round(stall, 1),
                "saved_p95_ms_demo": round(p95(results["demo"]["saved"]), 1),
                "saved_p95_ms_300": round(p95(results["300"]["saved"]), 1),
                "next_row_ms_p95": round(max(p95(r["next"]) for r in results.values()), 1),
                "entries": {name: len(r["saved"]) for name, r in results.items()},
                "students": sizes,
                "target_ratio": 1.3,
                "ok": ratio <= 1.3,
            }
        )
    )


if __name__ == "__main__":
    main()
