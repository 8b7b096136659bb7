"""A realistic demo caseload, dated relative to "today", built through the Store's public API.

One interventionist's week in an elementary school (grades K–5): eight intervention groups
between 8:00 and 15:00 over reading, math and behaviour, 15–20 weeks of weekly academic
progress monitoring, daily behaviour ratings (the CICO point card on every day the student
checked in; the three DBR-SIS items on every school day), goals from baselines with published
growth rates, logged sessions with a few absences and one assembly that cancelled a morning.
Most students are on track, growing at 0.85–1.15× the needed rate (a realistic base rate, so
"raise the goal" stays the exception); some are flat (the 4-point rule says "change the
intervention"), some above their aim line and growing faster ("raise the goal"), one responds
after a phase change and one has low dosage. On behaviour: most are responding, one CICO card
and one DBR item are questionable (3 of the last 5 days below goal) and one CICO student has
met the goal for 4 weeks (consider fading).

Sources for the numbers (``shared/DOMAIN.md``): baseline = median of the first 3 probes (IRIS
Center); weekly ORF and computation growth, ambitious (Fuchs et al., 1993); CICO goal 80 % of
points. Everything is drawn from a seeded ``random.Random`` so ``(today, seed)`` fixes the demo.
Nothing is dated after the day before ``today``: today's sessions are left for the user.
"""

from __future__ import annotations

import random
import shutil
import statistics
from dataclasses import field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import StoreError
from store.model import (
    BUILTIN_MEASURES,
    Attendance,
    Group,
    Measure,
    Membership,
    NoSchool,
    SchoolCalendar,
    Session,
    default_calendar,
)
from store.records import frozen_record, mutable_record
from store.schedule import occurrences

if TYPE_CHECKING:
    from store.db import Store

__all__ = ["DEMO_MARKER", "DemoSummary", "build_demo", "build_demo_folder"]

DEMO_MARKER = "DEMO-CASELOAD.txt"  # the file that says a folder holds only a demo

# Groups start two weeks after the first day of school (after screening), but at least
# MIN_HISTORY_WEEKS and at most MAX_HISTORY_WEEKS before the current week.
MIN_HISTORY_WEEKS = 15
MAX_HISTORY_WEEKS = 20
GOAL_WEEKS_AHEAD = 6  # goals fall at least this many weeks after today

# Fuchs et al. (1993), ambitious weekly growth: ORF words/week, computation digits/week.
ORF_AMBITIOUS = {"1": 3.0, "2": 2.0, "3": 1.5, "4": 1.1, "5": 0.8}
MCOMP_AMBITIOUS = {"1": 0.5, "2": 0.5, "3": 0.5, "4": 1.15, "5": 1.2}

GIVEN_NAMES: tuple[str, ...] = (
    "Aaliyah", "Mateo", "Sofia", "Liam", "Amara", "Ethan", "Priya", "Diego", "Hana", "Malik",
    "Zoe", "Santiago", "Mei", "Omar", "Camila", "Jayden", "Fatima", "Noah", "Ximena", "Elijah",
    "Aiyana", "Kai", "Nadia", "Lucas", "Yara", "Jamal", "Isabella", "Minh", "Ava", "Tariq",
    "Leilani", "Owen", "Esperanza", "Darius", "Chloe", "Arjun", "Valentina", "Kofi", "Ruby",
    "Emmanuel",
)  # fmt: skip
FAMILY_NAMES: tuple[str, ...] = (
    "Nguyen", "Garcia", "Johnson", "Okafor", "Patel", "Hernandez", "Kim", "Williams",
    "Rodriguez", "Begay", "Haddad", "Smith", "Chen", "Martinez", "Brown", "Yilmaz", "Santos",
    "Jackson", "Ali", "Lopez", "Tran", "Davis", "Mensah", "Rivera", "Novak", "Thompson",
    "Ramirez", "Sato", "Washington", "Cruz", "Ahmed", "Wilson", "Flores", "Park", "Osei",
    "Morales",
)  # fmt: skip


# --------------------------------------------------------------------------- the plan
@frozen_record
class _GroupPlan:
    key: str
    name: str
    program: str
    focus: str
    tier: int
    location: str
    start_time: str
    minutes: int
    rrule: str
    measures: tuple[str, ...]
    probe_weekday: int  # 0 = Monday; probes on the first meeting on/after this weekday
    members: tuple[int, ...]  # indexes into _GRADES
    lesson: str
    fidelity: tuple[str, ...]
    probe_every_weeks: int = 1


# 30 students: K ×5, 1 ×5, 2 ×5, 3 ×6, 4 ×5, 5 ×4.
_GRADES: tuple[str, ...] = (
    ("K",) * 5 + ("1",) * 5 + ("2",) * 5 + ("3",) * 6 + ("4",) * 5 + ("5",) * 4
)

_MON_TH = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH"
_DAILY = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"

_GROUPS: tuple[_GroupPlan, ...] = (
    _GroupPlan(
        "cico", "CICO", "Check-In/Check-Out", "daily point card, 80% goal", 2,
        "Counseling office", "08:00", 10, _DAILY, ("CICO",), 4, (14, 17, 20, 23, 29),
        "Check-in day {n}", ("greeted by name", "reviewed goals", "gave point card"),
    ),
    _GroupPlan(
        "k-literacy", "Early Literacy K", "Heggerty Phonemic Awareness",
        "letter names and sounds", 2, "Room 104", "08:15", 20, _DAILY, ("LNF",), 1,
        (0, 1, 2, 3, 4), "Heggerty week {w}, day {d}",
        ("rhyming warm-up", "onset-rime", "letter-sound review"),
    ),
    _GroupPlan(
        "phonics-b", "Phonics B", "SIPPS Beginning", "short vowels, CVC words", 2,
        "Reading room", "08:45", 30, _MON_TH, ("NWF",), 2, (5, 6, 7, 8, 9),
        "SIPPS B lesson {n}",
        ("sound review", "blending", "spelling dictation", "decodable text"),
    ),
    _GroupPlan(
        "fluency-3", "Fluency 3", "Read Naturally", "repeated reading, phrasing", 2,
        "Reading room", "10:05", 30, _DAILY, ("ORF",), 3, (10, 11, 15, 16, 17),
        "Read Naturally story {n}",
        ("cold read", "modelled reading", "timed repeated reading", "graphed progress"),
    ),
    _GroupPlan(
        "comprehension-45", "Comprehension 4–5", "Corrective Reading Decoding B1",
        "multisyllable decoding, comprehension", 3, "Library annex", "10:45", 40, _MON_TH,
        ("ORF", "Maze"), 1, (21, 22, 23, 26, 27), "Decoding B1 lesson {n}",
        ("word attack", "group reading", "individual checkouts", "workbook"),
    ),
    _GroupPlan(
        "social-skills", "Lunch Bunch", "Second Step", "self-regulation, joining in", 2,
        "Counseling office", "11:50", 30, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,FR",
        ("DBR-AE", "DBR-RS", "DBR-DB"), 1,
        (11, 14, 20, 24), "Second Step unit 2, lesson {n}",
        ("reviewed norms", "taught skill", "role play"), 2,
    ),
    _GroupPlan(
        "math-facts", "Math Facts", "Number Worlds", "addition and subtraction facts to 20", 2,
        "Room 110", "12:45", 30, _DAILY, ("MCOMP",), 4, (9, 12, 13, 18, 19),
        "Number Worlds unit C, lesson {n}",
        ("warm-up", "explicit model", "guided practice", "fact game"),
    ),
    _GroupPlan(
        "math-45", "Math 4–5", "Bridges Intervention", "multi-digit multiplication", 3,
        "Room 110", "13:25", 35, _MON_TH, ("MCOMP",), 2, (24, 25, 28, 29),
        "Bridges Vol. 5, session {n}",
        ("number talk", "visual model", "practice with feedback"),
    ),
)  # fmt: skip

# (student index, measure) → profile; everyone else is on track.
_PROFILES: dict[tuple[int, str], str] = {
    (6, "NWF"): "flat",
    (16, "ORF"): "flat",
    (22, "ORF"): "flat",
    (10, "ORF"): "above",
    (27, "ORF"): "above",
    (2, "LNF"): "above",
    (15, "ORF"): "phase",
    (13, "MCOMP"): "low-dosage",
    # behaviour (daily): everyone else is responding
    (17, "CICO"): "questionable",
    (23, "CICO"): "fade",
    (24, "DBR-DB"): "questionable",
}
# Behaviour measures are rated daily (CICO-SWIS; DBR-SIS), academic ones once a probe week.
_DAILY_MEASURES = ("CICO", "DBR-AE", "DBR-RS", "DBR-DB")
# Behaviour goals: CICO 80 % of points; DBR-SIS 8 of 10 engaged / respectful, 2 or less
# disruptive (lower is better).
_BEHAVIOUR_GOALS = {"CICO": 80.0, "DBR-AE": 8.0, "DBR-RS": 8.0, "DBR-DB": 2.0}


def _start_level(code: str, grade: str, rng: random.Random) -> float:
    """A baseline level below the 25th percentile (Hasbrouck & Tindal 2017 for ORF)."""
    g = 0 if grade == "K" else int(grade)
    lo: float
    hi: float
    ranges = {
        "ORF": {1: (12, 22), 2: (24, 40), 3: (45, 62), 4: (62, 80), 5: (76, 95)},
        "MCOMP": {1: (5, 10), 2: (7, 13), 3: (9, 15), 4: (12, 20), 5: (14, 22)},
    }
    if code in ranges:
        lo, hi = ranges[code].get(g, (20, 40))
    else:
        lo, hi = {
            "LNF": (6, 16),
            "NWF": (14, 28),
            "Maze": (4, 9),
            "DBR-AE": (4, 5.5),
            "DBR-RS": (4.5, 6),
            "DBR-DB": (5, 7),
            "CICO": (52, 64),
        }[code]
    return rng.uniform(lo, hi)


def _needed_roi(code: str, grade: str) -> tuple[float, str]:
    """Weekly growth for the goal, and the goal method's code."""
    if code == "ORF":
        return ORF_AMBITIOUS.get(grade, 1.0), "norms-ambitious"
    if code == "MCOMP":
        return MCOMP_AMBITIOUS.get(grade, 0.5), "norms-ambitious"
    return {"LNF": 1.5, "NWF": 2.0, "Maze": 0.5}[code], "roi"


def _noise(code: str) -> float:
    return {
        "ORF": 4.5,
        "NWF": 3.5,
        "LNF": 3.0,
        "Maze": 1.2,
        "MCOMP": 2.0,
        "DBR-AE": 0.8,
        "DBR-RS": 0.8,
        "DBR-DB": 0.8,
        "CICO": 6.0,
    }.get(code, 5.0)


# --------------------------------------------------------------------------- summary
@mutable_record
class DemoSummary:
    """What :func:`build_demo` wrote, with the students picked to show each decision."""

    today: date
    first_day: date
    last_day: date
    students: int = 0
    groups: int = 0
    goals: int = 0
    scores: int = 0
    sessions: int = 0
    cancelled_sessions: int = 0
    absences: int = 0
    phase_changes: int = 0
    no_school_days: int = 0
    flat: list[tuple[str, str]] = field(default_factory=list)
    above: list[tuple[str, str]] = field(default_factory=list)
    phase_change: list[tuple[str, str]] = field(default_factory=list)
    low_dosage: list[tuple[str, str]] = field(default_factory=list)
    questionable: list[tuple[str, str]] = field(default_factory=list)
    fade: list[tuple[str, str]] = field(default_factory=list)
    responding: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers
def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _round(measure: Measure, value: float) -> float:
    value = min(max(value, measure.min), measure.max)
    if measure.code == "Maze":  # adjusted = correct − 0.5 × incorrect: halves
        return round(value * 2) / 2
    return round(value, measure.decimals) if measure.decimals else float(round(value))


def _calendar(today: date, first_monday: date) -> SchoolCalendar:
    """A school year around ``today`` with a 2-day break and a PD day in the past and a
    staff day ahead; never on today's week."""
    base = default_calendar(today)
    year_start = min(base.year_start, first_monday - timedelta(weeks=1))
    year_start = _monday(year_start)
    year_end = max(base.year_end, today + timedelta(weeks=10))
    year_end = year_end + timedelta(days=(4 - year_end.weekday()) % 7)  # a Friday
    this_monday = _monday(today)
    days = [
        NoSchool(
            this_monday - timedelta(weeks=5) + timedelta(days=3),
            this_monday - timedelta(weeks=5) + timedelta(days=4),
            "Conference days",
        ),
        NoSchool(this_monday - timedelta(weeks=10), this_monday - timedelta(weeks=10), "PD day"),
        NoSchool(
            this_monday + timedelta(weeks=3, days=4),
            this_monday + timedelta(weeks=3, days=4),
            "Staff development day",
        ),
    ]
    return SchoolCalendar(year_start, year_end, days)


def _names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    given = rng.sample(GIVEN_NAMES, n)
    family = rng.sample(FAMILY_NAMES, n)
    return list(zip(given, family, strict=True))


# --------------------------------------------------------------------------- build
def build_demo(store: Store, today: date, seed: int = 7) -> DemoSummary:
    """Fill an empty Store with the demo caseload, dated relative to ``today``.

    ``today`` may be a weekend. History (scores, sessions) runs from the groups' start,
    15–20 weeks before this week, to the day before ``today``. Raises StoreError
    if the Store already holds students.
    """
    if not store.is_empty():
        raise StoreError("the demo needs an empty data folder; this one already holds data")
    rng = random.Random(seed * 1_000_003 + today.toordinal())
    last_day = today - timedelta(days=1)
    this_monday = _monday(today)
    planned = _monday(default_calendar(today).year_start) + timedelta(weeks=2)
    weeks = min(max((this_monday - planned).days // 7, MIN_HISTORY_WEEKS), MAX_HISTORY_WEEKS)
    first_monday = this_monday - timedelta(weeks=weeks)
    calendar = _calendar(today, first_monday)
    measures = {m.code: m for m in BUILTIN_MEASURES}
    summary = DemoSummary(today=today, first_day=first_monday, last_day=last_day)

    with store.batch("built the demo caseload"):
        store.set_calendar(calendar)
        summary.no_school_days = sum(
            1 for d in calendar.no_school_dates() if d.weekday() < 5 and d <= last_day
        )

        # students --------------------------------------------------------------
        ids: list[str] = []
        for (given, family), grade in zip(_names(rng, len(_GRADES)), _GRADES, strict=True):
            n = len(ids) + 1
            student = store.add_student(
                given,
                family,
                grade,
                id=f"st-demo{n:02d}",
                sis_id=f"{200000 + n * 1000 + rng.randint(0, 999)}",
            )
            ids.append(student.id)
        summary.students = len(ids)

        # groups ----------------------------------------------------------------
        groups: list[tuple[_GroupPlan, Group]] = []
        for plan in _GROUPS:
            saved = store.add_group(
                Group(
                    id=f"demo-{plan.key}",
                    name=plan.name,
                    program=plan.program,
                    skill_focus=plan.focus,
                    tier=plan.tier,
                    location=plan.location,
                    memberships=[Membership(ids[i], first_monday) for i in plan.members],
                    start_time=plan.start_time,
                    duration_minutes=plan.minutes,
                    rrule=plan.rrule,
                    start_date=first_monday,
                    measures=list(plan.measures),
                    probe_every_weeks=plan.probe_every_weeks,
                    fidelity_items=list(plan.fidelity),
                )
            )
            groups.append((plan, saved))
        summary.groups = len(groups)

        # one assembly cancels the mid-morning groups on a Wednesday two weeks ago
        assembly_day = _monday(today) - timedelta(weeks=2) + timedelta(days=2)

        # sessions ----------------------------------------------------------------
        # attended[(group key, student index)] = dates the student was in the session
        attended: dict[tuple[str, int], set[date]] = {}
        delivered_days: dict[str, list[date]] = {}
        for plan, group in groups:
            lesson_no = rng.randint(8, 30)
            days = occurrences(group, calendar, first_monday, last_day)
            delivered_days[plan.key] = []
            for day in days:
                if day == assembly_day and "08:30" <= plan.start_time <= "11:30":
                    store.log_session(
                        Session(
                            id=f"se-{group.id}-{day:%Y%m%d}",
                            group_id=group.id,
                            date=day,
                            status="cancelled",
                            cancel_reason="assembly",
                            note="Whole-school assembly",
                        )
                    )
                    summary.sessions += 1
                    summary.cancelled_sessions += 1
                    continue
                attendance = []
                for i in plan.members:
                    low = _PROFILES.get((i, plan.measures[0])) == "low-dosage"
                    absent_rate = 0.35 if low else 0.05
                    roll = rng.random()
                    if roll < absent_rate:
                        reason = rng.choice(["absent", "absent", "school-activity", "refused"])
                        attendance.append(Attendance(ids[i], "absent", reason))
                        summary.absences += 1
                        continue
                    if roll < absent_rate + 0.03 and plan.minutes >= 20:
                        attendance.append(Attendance(ids[i], "late", None, plan.minutes - 8))
                    else:
                        attendance.append(Attendance(ids[i], "present"))
                    attended.setdefault((plan.key, i), set()).add(day)
                done = [item for item in plan.fidelity if rng.random() > 0.08]
                short = rng.random() < 0.1
                lesson = plan.lesson.format(n=lesson_no, w=lesson_no // 5 + 1, d=lesson_no % 5 + 1)
                lesson_no += 1
                note = ""
                if short:
                    note = rng.choice(
                        ["Started late: previous class ran over", "Fire drill cut it short"]
                    )
                elif rng.random() < 0.06:
                    note = rng.choice(["Great focus today", "Reviewed yesterday's lesson"])
                store.log_session(
                    Session(
                        id=f"se-{group.id}-{day:%Y%m%d}",
                        group_id=group.id,
                        date=day,
                        minutes_delivered=plan.minutes - (5 if short and plan.minutes > 15 else 0),
                        lesson=lesson,
                        attendance=attendance,
                        fidelity_done=done,
                        note=note,
                    )
                )
                summary.sessions += 1
                delivered_days[plan.key].append(day)

        # scores, goals, phase changes --------------------------------------------
        school_days = [
            d
            for d in (
                first_monday + timedelta(days=n) for n in range((last_day - first_monday).days + 1)
            )
            if calendar.is_school_day(d)
        ]
        for plan, group in groups:
            days = delivered_days[plan.key]
            for i in plan.members:
                present = attended.get((plan.key, i), set())
                weekly = _probe_days(plan, days, present, first_monday, last_day)
                for code in plan.measures:
                    if code == "CICO":  # the card is filled on each day the student checks in
                        probe_days = sorted(present)
                    elif code in _DAILY_MEASURES:  # rated by the class teacher every school day
                        probe_days = school_days
                    else:
                        probe_days = weekly
                    _student_series(
                        store,
                        rng,
                        summary,
                        measures[code],
                        ids[i],
                        _GRADES[i],
                        _PROFILES.get((i, code), "on-track"),
                        probe_days,
                        calendar,
                        today,
                        group.id,
                    )
    return summary


def build_demo_folder(folder: Path, today: date) -> None:
    """Wipe ``folder`` if it holds only a demo (or nothing), then build a fresh demo there.

    Raises StoreError if ``folder`` holds data that is not a demo.
    """
    from store.db import Store  # store.db does not import this module: no cycle

    if folder.exists() and any(folder.iterdir()):
        if not (folder / DEMO_MARKER).exists():
            raise StoreError(
                f"{folder} holds data that is not a demo; choose an empty folder for the demo"
            )
        shutil.rmtree(folder)
    with Store.open(folder) as store:
        build_demo(store, today)
    (folder / DEMO_MARKER).write_text("This folder holds the intervene demo caseload.\n")
    (folder / DEMO_MARKER).chmod(0o600)


def _probe_days(
    plan: _GroupPlan, days: list[date], present: set[date], first_monday: date, last_day: date
) -> list[date]:
    """One probe per probe week: the first delivered session on/after the group's probe
    weekday that the student attended (a make-up later that week if absent)."""
    out: list[date] = []
    week = 0
    while (monday := first_monday + timedelta(weeks=week)) <= last_day:
        if week % plan.probe_every_weeks == 0:
            sunday = monday + timedelta(days=6)
            this_week = [d for d in days if monday <= d <= sunday and d in present]
            wanted = monday + timedelta(days=plan.probe_weekday)
            # the probe day, else a make-up later that week, else earlier that week
            later = [d for d in this_week if d >= wanted]
            if later or this_week:
                out.append((later or this_week)[0])
        week += 1
    return out


def _student_series(
    store: Store,
    rng: random.Random,
    summary: DemoSummary,
    measure: Measure,
    student_id: str,
    grade: str,
    profile: str,
    probe_days: list[date],
    calendar: SchoolCalendar,
    today: date,
    group_id: str,
) -> None:
    """Scores with growth and noise, then the goal from the baseline (median of first 3)."""
    code = measure.code
    if len(probe_days) < 3:
        return
    if measure.behaviour:
        _behaviour_series(
            store, rng, summary, measure, student_id, profile, probe_days, calendar, today,
            group_id,
        )  # fmt: skip
        return
    roi, method = _needed_roi(code, grade)
    growth = {
        "on-track": roi * rng.uniform(0.85, 1.15),
        "flat": roi * rng.uniform(0.0, 0.15),
        "above": roi * rng.uniform(1.45, 1.7),
        "phase": roi * rng.uniform(0.0, 0.1),
        "low-dosage": roi * rng.uniform(0.2, 0.5),
    }[profile]
    level = _start_level(code, grade, rng)
    sd = _noise(code) * (0.5 if profile == "phase" else 1.0)  # a response clear enough to see
    first = probe_days[0]
    span = (probe_days[-1] - first).days / 7
    # the phase-change student's intervention changes half way (a Monday); afterwards growth
    # beats the new phase's aim line (from the level then to the goal): responding
    phase_day = first + timedelta(weeks=round(span / 2))
    phase_day -= timedelta(days=phase_day.weekday())
    pc = (phase_day - first).days / 7
    goal_weeks = 26 if profile != "above" else 40  # "above": a year-end goal, still ahead
    goal_span = goal_weeks + 2  # the baseline is the 3rd probe, about 2 weeks in
    after = roi * (goal_span - growth / roi * pc) / max(goal_span - pc, 1) * rng.uniform(1.0, 1.1)
    values: list[float] = []
    errors: list[int | None] = []
    for day in probe_days:
        t = (day - first).days / 7
        if profile == "phase" and day >= phase_day:
            true = level + growth * pc + after * (t - pc)
        else:
            true = level + growth * t
        values.append(_round(measure, rng.gauss(true, sd)))
        errors.append(
            max(0, round(rng.gauss(6 - 3 * t / 16, 1.5))) if measure.records_errors else None
        )

    baseline = _round(measure, statistics.median(values[:3]))
    baseline_date = probe_days[2]
    goal_date = min(
        max(
            baseline_date + timedelta(weeks=goal_weeks),
            today + timedelta(weeks=GOAL_WEEKS_AHEAD),
        ),
        calendar.year_end,
    )
    weeks = (goal_date - baseline_date).days / 7
    goal_value = _round(measure, baseline + roi * weeks)
    # The demo must show its decisions (4-point rule): a flat student's last 4 probes sit
    # below the aim line and an "above" student's above it, however the noise fell.
    side = {"flat": -1, "above": 1, "low-dosage": -1}.get(profile)
    if side is not None:
        slope = (goal_value - baseline) / weeks
        for k in range(max(3, len(values) - 4), len(values)):
            aim = baseline + slope * (probe_days[k] - baseline_date).days / 7
            margin = 0.5 * sd + abs(rng.gauss(0, sd / 2))
            if (values[k] - aim) * side < margin:
                values[k] = _round(measure, aim + side * margin)
    if profile in ("on-track", "phase"):
        _not_all_on_one_side(measure, values, probe_days, baseline, baseline_date, goal_value,
                             goal_date, phase_day if profile == "phase" else None, sd, rng)  # fmt: skip
    for day, value, n_errors in zip(probe_days, values, errors, strict=True):
        store.record_score(
            student_id, code, value, day, errors=n_errors, session_id=f"se-{group_id}-{day:%Y%m%d}"
        )
        summary.scores += 1
    store.set_goal(
        student_id,
        code,
        baseline_value=baseline,
        baseline_date=baseline_date,
        goal_value=goal_value,
        goal_date=goal_date,
        method=method,
        note="Set from the median of the first 3 probes",
    )
    summary.goals += 1
    entry = (student_id, code)
    if profile == "flat":
        summary.flat.append(entry)
    elif profile == "above":
        summary.above.append(entry)
    elif profile == "low-dosage":
        summary.low_dosage.append(entry)
    elif profile == "phase":
        store.add_phase_change(
            student_id, code, phase_day, "Moved to 1:1 with 10 more minutes a day"
        )
        summary.phase_change.append(entry)
        summary.phase_changes += 1


def _not_all_on_one_side(
    measure: Measure,
    values: list[float],
    days: list[date],
    baseline: float,
    baseline_date: date,
    goal_value: float,
    goal_date: date,
    phase_day: date | None,
    sd: float,
    rng: random.Random,
) -> None:
    """An on-track student's last 4 probes straddle the aim line (the one in force: a phase
    change restarts it from the median of the 3 scores before), so the 4-point rule says
    "continue" for them however the noise fell."""
    start_day, start_value = baseline_date, baseline
    if phase_day is not None:
        before = [v for d, v in zip(days, values, strict=True) if d < phase_day][-3:]
        start_day, start_value = phase_day, statistics.median(before)
    slope = (goal_value - start_value) / max((goal_date - start_day).days / 7, 1)

    def aim(d: date) -> float:
        return start_value + slope * (d - start_day).days / 7

    last4 = range(max(0, len(values) - 4), len(values))
    sides = {(values[k] > aim(days[k])) - (values[k] < aim(days[k])) for k in last4}
    if len(sides) == 1:
        k = len(values) - 2 - rng.randrange(2)
        side = -sides.pop() or 1
        values[k] = _round(measure, aim(days[k]) + side * (0.5 * sd + 1))


def _behaviour_series(
    store: Store,
    rng: random.Random,
    summary: DemoSummary,
    measure: Measure,
    student_id: str,
    profile: str,
    days: list[date],
    calendar: SchoolCalendar,
    today: date,
    group_id: str,
) -> None:
    """Daily behaviour ratings against a flat goal (CICO-SWIS; DBR-SIS). ``responding``: from
    the starting level up to just past the goal over the history, so the last days are mostly
    at goal but not yet 4 weeks of it; ``questionable``: hovering under the goal (3 of the
    last 5 days below it); ``fade``: at goal for the last 6 weeks (goal met: consider fading)."""
    code = measure.code
    profile = profile if profile in ("questionable", "fade") else "responding"
    sign = 1 if measure.higher_is_better else -1
    goal = _BEHAVIOUR_GOALS[code]
    start = _start_level("DBR-DB" if code == "DBR-DB" else code, "3", rng)
    sd = _noise(code)
    scale = measure.max - measure.min
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)
    values: list[float] = []
    for day in days:
        t = (day - first).days / span  # 0 → 1 over the history
        if profile == "questionable":
            true = start + (goal - sign * 0.12 * scale - start) * min(1.0, 2 * t)
        elif profile == "fade":
            true = start + (goal + sign * 0.1 * scale - start) * min(1.0, 2.5 * t)
        else:  # responding: reaches the goal in the last few weeks
            true = start + (goal + sign * 0.06 * scale - start) * t
        values.append(_round(measure, rng.gauss(true, sd)))
    # make each profile's verdict hold however the noise fell
    last5 = range(max(0, len(values) - 5), len(values))
    worse = [k for k in last5 if sign * (values[k] - goal) < 0]
    if profile == "questionable":
        for k in list(last5)[: max(0, 3 - len(worse))]:
            values[k] = _round(measure, goal - sign * 0.15 * scale)
    else:
        for k in worse[1:]:  # at most 1 of the last 5 days below goal
            values[k] = _round(measure, goal + sign * 0.05 * scale)
    if profile == "fade":
        cutoff = last - timedelta(weeks=5)
        values = [
            v
            if d < cutoff or sign * (v - goal) >= 0
            else _round(measure, goal + sign * 0.03 * scale)
            for d, v in zip(days, values, strict=True)
        ]
    elif profile == "responding":  # not yet 4 weeks at goal: the week 3 back sits under it
        monday = last - timedelta(days=last.weekday()) - timedelta(weeks=2)
        values = [
            _round(measure, goal - sign * 0.08 * scale)
            if monday <= d < monday + timedelta(days=7)
            else v
            for d, v in zip(days, values, strict=True)
        ]
    session_days = set(days) if code == "CICO" else set()
    for day, value in zip(days, values, strict=True):
        session = f"se-{group_id}-{day:%Y%m%d}" if day in session_days else None
        store.record_score(student_id, code, value, day, session_id=session)
        summary.scores += 1
    baseline = _round(measure, statistics.median(values[:3]))
    baseline_date = days[2]
    goal_date = min(
        max(baseline_date + timedelta(weeks=26), today + timedelta(weeks=8)), calendar.year_end
    )
    store.set_goal(
        student_id,
        code,
        baseline_value=baseline,
        baseline_date=baseline_date,
        goal_value=goal,
        goal_date=goal_date,
        method="benchmark",
        note="CICO-SWIS: 80 % of daily points" if code == "CICO" else "DBR-SIS target",
    )
    summary.goals += 1
    entry = (student_id, code)
    if profile == "questionable":
        summary.questionable.append(entry)
    elif profile == "fade":
        summary.fade.append(entry)
    else:
        summary.responding.append(entry)
