"""A school-scale data folder for the benchmarks, written straight in the Store's on-disk format.

``build(folder, students)`` writes ``students`` students with five school years (2022-23 to
2026-27) of weekly probe scores, their intervention groups (six students a group, one
measure each, meeting Monday to Thursday, formed again each school year and ended with it)
with a session logged on every meeting day,
a goal per student for the current year and a phase change for every fifth student — the
files the Store itself writes (``core.json`` as TinyDB JSON, ``scores/<year>/<student>.json``,
``sessions/<year>/<group>.json``, 0600 files in 0700 folders), so 3,000 students need not be
saved one by one through the API. The measures, calendar and schema record come from a real
``Store.open`` of the empty folder, so they are exactly what the Store writes.

``cached(students)`` builds once per size and format version under the temp folder and
returns that folder; a benchmark that changes data copies it first (``fresh_copy``). Every
timed run opens the store in a new process, so nothing parsed stays warm between runs.

Run ``.venv/bin/python bench/scale_data.py 300`` to build (and print) a cached folder.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store.db import SCORES_DIR, SESSIONS_DIR, Store, layout  # noqa: E402
from store.model import (  # noqa: E402
    Attendance,
    Goal,
    Group,
    Membership,
    PhaseChange,
    Score,
    Session,
    Student,
    school_year_of,
)
from store.storage import dumps, make_private_dir  # noqa: E402

#: Bump when the folder this writes changes; the Store's schema version is part of the key too.
BUILDER_VERSION = 4
NOW = datetime(2026, 11, 25, 10, 0)  # a Wednesday in the 2026-27 school year
YEARS = (2022, 2023, 2024, 2025, 2026)
GROUP_SIZE = 6
WEEKS = 36  # probe weeks in a school year (September to May)
MEETING_DAYS = (0, 1, 2, 3)  # Monday to Thursday, as the groups' rrule says
# (measure, grades): K-1 read nonsense words, 2-5 read passages, every sixth group does maze
# or math computation — measures from the Store's built-in list
_PLAN = (("NWF", ("K", "1")), ("ORF", ("2", "3", "4", "5")))
_EXTRA = ("Maze", "MCOMP")
_GIVEN = ("Ava", "Ben", "Chloe", "Dev", "Elena", "Finn", "Grace", "Hugo", "Isla", "Jonah")
_FAMILY = ("Adams", "Baker", "Chen", "Diaz", "Evans", "Flores", "Garcia", "Hill", "Ito", "Jones")
_GRADES = ("K", "1", "2", "3", "4", "5")


def _clock() -> datetime:
    return NOW


def _hex(rng: random.Random, nbytes: int) -> str:
    return rng.getrandbits(8 * nbytes).to_bytes(nbytes, "big").hex()


def _year_start(year: int) -> date:
    """The first Monday on or after 1 September of ``year``."""
    d = date(year, 9, 1)
    return d + timedelta(days=(7 - d.weekday()) % 7)


def _write_private(path: Path, root: Path, data: bytes) -> None:
    make_private_dir(path.parent, stop_at=root)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _table(records: list[Any]) -> dict[str, dict[str, Any]]:
    """A TinyDB table: documents keyed "1", "2", … in insertion order."""
    return {str(i): r.to_doc() for i, r in enumerate(records, 1)}


def build(folder: Path, students: int, *, seed: int = 16) -> dict[str, int]:
    """Write the data folder (which must not exist); the counts written, by kind."""
    rng = random.Random(seed * 100_003 + students)
    with Store.open(folder, clock=_clock):  # meta, built-in measures, calendar: the real thing
        pass
    core_path = folder / layout.CORE_FILE
    core = json.loads(core_path.read_bytes())
    today = NOW.date()

    people: list[Student] = []
    for i in range(students):
        people.append(
            Student(
                f"st-{_hex(rng, 4)}",
                f"{_GIVEN[i % 10]}{i // 100 or ''}",
                f"{_FAMILY[(i // 10) % 10]}-{i:04d}",
                _GRADES[i % len(_GRADES)],
                f"S{100000 + i}",
            )
        )
    groups: list[Group] = []
    goals: list[Goal] = []
    phases: list[PhaseChange] = []
    by_grade: dict[str, list[Student]] = {}
    for s in people:
        by_grade.setdefault(s.grade, []).append(s)
    code_of: dict[str, str] = {}
    group_year: dict[str, int] = {}
    for year in YEARS:  # groups are formed again every school year and end with it
        start, end = _year_start(year), date(year + 1, 6, 12)
        current = year == YEARS[-1]
        for grade, kids in by_grade.items():
            measure = next(m for m, grades in _PLAN if grade in grades)
            for k in range(0, len(kids), GROUP_SIZE):
                n = k // GROUP_SIZE
                code = _EXTRA[n % 2] if n % 6 == 5 and grade not in ("K", "1") else measure
                members = kids[k : k + GROUP_SIZE]
                g = Group(
                    f"gr-{_hex(rng, 4)}",
                    f"{year}-{year % 100 + 1:02d} Grade {grade} {code} {n + 1}",
                    program="Bench intervention",
                    skill_focus=code,
                    tier=3 if n % 4 == 0 else 2,
                    location=f"Room {100 + len(groups) % 40}",
                    memberships=[
                        Membership(s.id, start, None if current else end) for s in members
                    ],
                    start_time=f"{8 + n % 6:02d}:{(n * 15) % 60:02d}",
                    duration_minutes=30,
                    rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
                    start_date=start,
                    end_date=None if current else end,
                    measures=[code],
                )
                groups.append(g)
                group_year[g.id] = year
                for s in members:
                    code_of[s.id] = code

    scores: dict[str, dict[str, dict[str, Any]]] = {}  # rel -> table
    n_scores = 0
    for idx, s in enumerate(people):
        code = code_of[s.id]
        top = {"ORF": 180.0, "NWF": 120.0, "Maze": 40.0, "MCOMP": 80.0}[code]
        level = rng.uniform(0.15, 0.35) * top
        slope = rng.uniform(-0.002, 0.012) * top  # some students make no progress
        week_no = 0
        for year in YEARS:
            start = _year_start(year)
            table: dict[str, dict[str, Any]] = {}
            for w in range(WEEKS):
                day = start + timedelta(days=7 * w + 1)  # Tuesdays
                if day > today:
                    break
                week_no += 1
                value = level + slope * week_no + rng.gauss(0, 0.04 * top)
                value = round(min(max(value, 0.0), top * 1.5), 0 if code != "Maze" else 1)
                sc = Score(
                    f"sc-{_hex(rng, 8)}",
                    s.id,
                    code,
                    day,
                    float(value),
                    rng.randint(0, 6) if code in ("ORF", "NWF") else None,
                    None,
                    datetime.combine(day, datetime.min.time()).replace(hour=10),
                )
                table[str(len(table) + 1)] = sc.to_doc()
            if table:
                scores[f"{SCORES_DIR}/{school_year_of(start)}/{s.id}.json"] = table
                n_scores += len(table)
        cur = _year_start(YEARS[-1])
        digits = 1 if code == "Maze" else 0  # the measure's decimals
        base = round(min(max(level + slope * (week_no - 12), 0.0), top), digits)
        goals.append(
            Goal(
                f"go-{_hex(rng, 4)}",
                s.id,
                code,
                float(base),
                cur + timedelta(days=1),
                float(round(min(base * 1.5 + 10, top * 1.5), digits)),
                date(YEARS[-1] + 1, 5, 28),
                "custom",
                cur,
            )
        )
        if idx % 5 == 0:
            phases.append(
                PhaseChange(
                    f"ph-{_hex(rng, 4)}", s.id, code, date(2026, 10, 5), "intensified: 4x/week"
                )
            )

    sessions: dict[str, dict[str, dict[str, Any]]] = {}
    n_sessions = 0
    for gi, g in enumerate(groups):
        for year in (group_year[g.id],):
            start = _year_start(year)
            table = {}
            for d in range(0, 7 * WEEKS):
                day = start + timedelta(days=d)
                if day >= today:
                    break
                if day.weekday() not in MEETING_DAYS:
                    continue
                cancelled = (d + gi) % 29 == 0
                att = [
                    Attendance(
                        m.student_id,
                        "absent" if (d + j + gi) % 17 == 0 else "present",
                        "absent" if (d + j + gi) % 17 == 0 else None,
                    )
                    for j, m in enumerate(g.memberships)
                ]
                se = Session(
                    f"se-{_hex(rng, 8)}",
                    g.id,
                    day,
                    "cancelled" if cancelled else "delivered",
                    "assembly" if cancelled else None,
                    0 if cancelled else 30,
                    "" if cancelled else f"Lesson {d % 60 + 1}",
                    [] if cancelled else att,
                    logged_at=datetime.combine(day, datetime.min.time()).replace(hour=15),
                )
                table[str(len(table) + 1)] = se.to_doc()
            if table:
                sessions[f"{SESSIONS_DIR}/{school_year_of(start)}/{g.id}.json"] = table
                n_sessions += len(table)

    core["students"] = _table(people)
    core["groups"] = _table(groups)
    core["goals"] = _table(goals)
    core["phase_changes"] = _table(phases)
    for rel, table in scores.items():
        _write_private(folder / rel, folder, dumps({"scores": table}))
    for rel, table in sessions.items():
        _write_private(folder / rel, folder, dumps({"sessions": table}))
    _write_private(core_path, folder, dumps(core))
    return {
        "students": len(people),
        "groups": len(groups),
        "goals": len(goals),
        "phase_changes": len(phases),
        "scores": n_scores,
        "sessions": n_sessions,
    }


def cache_root() -> Path:
    return Path(tempfile.gettempdir()) / "intervene-bench"


def cached(students: int) -> Path:
    """The cached folder for ``students`` (built on first use, atomically by rename)."""
    key = f"scale-v{BUILDER_VERSION}-schema{layout.SCHEMA_VERSION}-{students}"
    folder = cache_root() / key
    if (folder / layout.CORE_FILE).exists():
        return folder
    cache_root().mkdir(mode=0o700, parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache_root()))
    build(work / "data", students)
    (work / "data").rename(folder)  # another run may have won: then rename fails, use theirs
    work.rmdir()
    return folder


def fresh_copy(students: int, dest: Path) -> Path:
    """A private copy of the cached folder (for a benchmark that writes), without its lock."""
    shutil.copytree(cached(students), dest)
    (dest / ".lock").unlink(missing_ok=True)
    return dest


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    print(cached(n))
