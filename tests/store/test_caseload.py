"""Caseload summary: one row per student × measure, sorted by urgency; student_progress."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from store.caseload import URGENCY as U
from store.caseload import caseload_summary, student_progress
from store.config import DecisionConfig
from store.model import (
    BUILTIN_MEASURES,
    Attendance,
    Goal,
    Group,
    Membership,
    PhaseChange,
    SchoolCalendar,
    Score,
    Session,
    Student,
)

CAL = SchoolCalendar(date(2024, 8, 26), date(2025, 6, 13))
W0 = date(2024, 9, 2)  # a Monday: baseline date and the group's first day
TODAY = W0 + timedelta(weeks=8)  # Monday 2024-10-28, week 8


def wk(w: int) -> date:
    return W0 + timedelta(weeks=w)


def aim_value(w: int) -> float:
    return 40 + 2 * w  # goal: 40 on 9/2 → 72 sixteen weeks later, 2/week


NAMES = ["ann", "bob", "cat", "dan", "eve", "fay"]
STUDENTS = [Student(n, n.title(), n.title(), "2") for n in [*NAMES, "gus", "hal"]]
STUDENTS[6] = Student("gus", "Gus", "Gus", "2", active=False)
GROUP = Group(
    "g1",
    "Reading A",
    memberships=[Membership(n, W0) for n in [*NAMES, "gus"]],
    rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
    start_date=W0,
    measures=["ORF"],
    probe_every_weeks=1,
)


def goal(sid: str, measure: str = "ORF") -> Goal:
    return Goal(f"goal-{sid}", sid, measure, 40, W0, 72, wk(16))


def scores_for(sid: str, values: dict[int, float], measure: str = "ORF") -> list[Score]:
    return [Score(f"{sid}-{measure}-{w}", sid, measure, wk(w), v) for w, v in values.items()]


def build() -> dict:
    scores = [
        # ann: weeks 1-8 at 40, far below the aim (42..56) → change
        *scores_for("ann", dict.fromkeys(range(1, 9), 40)),
        # bob: the same, but he attended only on Mondays → low dosage
        *scores_for("bob", dict.fromkeys(range(1, 9), 40)),
        # cat: 5 scores, the last on 10/7, 21 days before today → probe overdue
        *scores_for("cat", {w: aim_value(w) + (1 if w % 2 else -1) for w in range(1, 6)}),
        # dan: 10 above the aim every week (52..66), growing as fast as needed, the median of
        # the last 3 (64) still short of the goal of 72 → raise the goal
        *scores_for("dan", {w: aim_value(w) + 10 for w in range(1, 9)}),
        # eve: one above, one below, alternately → continue
        *scores_for("eve", {w: aim_value(w) + (1 if w % 2 else -1) for w in range(1, 9)}),
        # fay: no goal yet
        *scores_for("fay", {7: 50, 8: 52}),
        # gus is archived: no row
        *scores_for("gus", dict.fromkeys(range(1, 9), 40)),
        # hal: no group; a DBR goal and three ratings
        *scores_for("hal", {1: 5, 2: 6, 3: 6}, "DBR"),
    ]
    goals = [goal(s) for s in ["ann", "bob", "cat", "dan", "eve", "gus"]]
    goals.append(Goal("goal-hal", "hal", "DBR", 5, W0, 8, wk(12)))
    sessions = []
    d = W0
    while d < TODAY:
        if d.weekday() < 4:
            att = [Attendance(n, "present") for n in NAMES if n != "bob"]
            att.append(Attendance("bob", "present" if d.weekday() == 0 else "absent"))
            sessions.append(Session(f"s{d}", "g1", d, minutes_delivered=30, attendance=att))
        d += timedelta(days=1)
    return dict(
        students=STUDENTS,
        groups=[GROUP],
        measures=list(BUILTIN_MEASURES),
        goals=goals,
        scores=scores,
        phase_changes=[],
        sessions=sessions,
        calendar=CAL,
        today=TODAY,
        config=DecisionConfig(),
    )


def test_caseload_sort_order_and_fields() -> None:
    rows = caseload_summary(**build())
    got = [(r.student.id, r.measure.code, r.decision.kind, r.urgency) for r in rows]
    assert got == [
        ("ann", "ORF", "change", U["change"]),
        ("bob", "ORF", "low-dosage", U["low-dosage"]),
        (
            "cat",
            "ORF",
            "insufficient-data",
            U["overdue"],
        ),  # overdue probe outranks insufficient data
        ("dan", "ORF", "raise-goal", U["raise-goal"]),
        ("eve", "ORF", "continue", U["continue"]),
        ("fay", "ORF", "insufficient-data", U["insufficient-data"]),
        ("hal", "DBR", "insufficient-data", U["insufficient-data"]),
    ]
    ann, bob, cat, dan, eve, fay, hal = rows
    assert ann.status == "below" and ann.urgency_label == "change the intervention"
    assert ann.group_names == "Reading A"
    assert ann.needed_roi == pytest.approx(2.0)
    assert ann.actual_roi == pytest.approx(0.0)
    assert (ann.last_score, ann.last_date) == (40, TODAY)
    # dosage from the baseline date 9/2 to today: Mon–Thu × 8 weeks = 32 sessions; today's
    # Monday session is not logged yet, so it is pending, not missed
    assert ann.dosage is not None
    assert (ann.dosage.sessions_planned, ann.dosage.sessions_attended) == (32, 32)
    assert bob.dosage is not None and bob.dosage.sessions_attended == 8
    assert "attended 8 of 32 planned sessions (25 %)" in bob.decision.reason
    assert cat.probe_overdue and cat.status == "insufficient data"
    assert cat.probe_due == wk(5) + timedelta(weeks=1)
    assert not ann.probe_overdue and ann.probe_due == TODAY + timedelta(weeks=1)
    assert dan.status == "above"
    assert eve.status == "on track"
    assert fay.goal is None and "no goal set for ORF" in fay.decision.reason
    assert hal.groups == () and not hal.probe_overdue and hal.dosage is None
    assert hal.measure.code == "DBR"


def test_one_call_per_student_sharing_planned_dates_gives_the_same_rows() -> None:
    inputs = build()
    whole = caseload_summary(**inputs)
    planned: dict[str, list[date]] = {}
    per_student = []
    for student in inputs["students"]:
        per_student += caseload_summary(**{**inputs, "students": [student]}, planned=planned)
    key = lambda r: (r.student.id, r.measure.code)  # noqa: E731
    assert sorted(per_student, key=key) == sorted(whole, key=key)
    assert list(planned) == ["g1"]  # the group's schedule, expanded once and reused
    assert planned["g1"][0] == W0 and planned["g1"][-1] <= TODAY  # the group starts on W0


def test_probe_overdue_uses_the_groups_interval_and_factor() -> None:
    inputs = build()
    # cat's last probe was 21 days ago: with biweekly probes (limit 2 × 14 days) not overdue
    inputs["groups"] = [GROUP.with_(probe_every_weeks=2)]
    cat = next(r for r in caseload_summary(**inputs) if r.student.id == "cat")
    assert not cat.probe_overdue and cat.urgency == U["insufficient-data"]
    # weekly probes with a factor of 3 (21 days allowed): 21 days is still within
    inputs["groups"] = [GROUP]
    inputs["config"] = DecisionConfig(probe_overdue_factor=3)
    cat = next(r for r in caseload_summary(**inputs) if r.student.id == "cat")
    assert not cat.probe_overdue


def test_member_without_scores_is_overdue_after_two_intervals() -> None:
    inputs = build()
    # ann joined a weekly-probed math group on 10/7, 21 days ago, and has no MCOMP score
    late = Group("g2", "Math", memberships=[Membership("ann", wk(5))], measures=["MCOMP"])
    inputs["groups"] = [GROUP, late]
    mcomp = next(r for r in caseload_summary(**inputs) if r.measure.code == "MCOMP")
    assert mcomp.probe_overdue and mcomp.last_score is None and mcomp.urgency == U["overdue"]
    # joined 10/14, exactly 14 days ago: still within 2 × 1 week
    inputs["groups"] = [GROUP, late.with_(memberships=[Membership("ann", wk(6))])]
    mcomp = next(r for r in caseload_summary(**inputs) if r.measure.code == "MCOMP")
    assert not mcomp.probe_overdue and mcomp.probe_due == wk(6)


def test_future_scores_and_phase_changes_are_ignored() -> None:
    inputs = build()
    inputs["scores"] = [*inputs["scores"], Score("future", "ann", "ORF", wk(9), 99)]
    ann = caseload_summary(**inputs)[0]
    assert ann.last_date == TODAY


def test_phase_change_restarts_decision_and_dosage_window() -> None:
    inputs = build()
    inputs["phase_changes"] = [PhaseChange("p1", "ann", "ORF", wk(6), "smaller group")]
    ann = next(r for r in caseload_summary(**inputs) if r.student.id == "ann")
    assert ann.decision.kind == "insufficient-data"  # weeks 6, 7, 8 only
    assert ann.progress.phase_points == ((wk(6), 40), (wk(7), 40), (wk(8), 40))
    assert ann.dosage is not None and ann.dosage.sessions_planned == 8  # weeks 6-7, Mon–Thu
    assert ann.urgency == U["insufficient-data"]


def test_student_progress_without_goal() -> None:
    scores = scores_for("ann", {1: 7, 2: 5, 3: 8, 4: 10})
    p = student_progress("ann", "ORF", scores=scores, today=TODAY)
    assert p.baseline == 7  # IRIS: median of the first three
    assert p.aim is None
    # OLS over weeks 0..3: ȳ = 7.5, Sxy = 0.75 + 1.25 + 0.25 + 3.75 = 6, Sxx = 5 → 1.2/week
    assert p.trend is not None and p.trend.slope == pytest.approx(1.2)
    assert p.decision.kind == "insufficient-data"
    assert p.last == (wk(4), 10)


def test_student_progress_with_goal_filters_other_records() -> None:
    scores = [
        *scores_for("ann", dict.fromkeys(range(1, 9), 40)),
        *scores_for("bob", dict.fromkeys(range(1, 9), 90)),
        *scores_for("ann", dict.fromkeys(range(1, 9), 1), "NWF"),
    ]
    phases = [PhaseChange("p", "bob", "ORF", wk(3), "x")]
    p = student_progress(
        "ann", "ORF", scores=scores, goal=goal("ann"), phase_changes=phases, today=TODAY
    )
    assert p.baseline == 40 and p.aim is not None and p.aim.slope == pytest.approx(2)
    assert len(p.points) == 8 and p.phase_start is None
    assert p.decision.kind == "change"
    trend_cfg = DecisionConfig(rule="trend", trend_method="theil-sen")
    p = student_progress("ann", "ORF", scores=scores, goal=goal("ann"), config=trend_cfg)
    assert p.decision.kind == "change" and p.trend is not None
    assert p.trend.method == "theil-sen"


def test_lower_is_better_measure_in_caseload() -> None:
    from store.model import Measure

    disrupt = Measure("DISR", "Disruptions", "incidents per hour", 0, 50, higher_is_better=False)
    inputs = build()
    inputs["measures"] = [*BUILTIN_MEASURES, disrupt]
    inputs["goals"] = [Goal("gd", "hal", "DISR", 20, W0, 4, wk(16))]  # −1/week
    # aim(w) = 20 − w; 3 under it every week (16 … 9), falling as fast as needed; the median of
    # the last 3 (11, 10, 9 → 10) is not yet at the goal of 4 → raise the goal
    inputs["scores"] = scores_for("hal", {w: 20 - w - 3 for w in range(1, 9)}, "DISR")
    hal = next(r for r in caseload_summary(**inputs) if r.student.id == "hal")
    assert hal.decision.kind == "raise-goal" and hal.status == "above"
    # at 2 every week the median of the last 3 is 2 ≤ 4: the goal is met
    inputs["scores"] = scores_for("hal", dict.fromkeys(range(1, 9), 2), "DISR")
    hal = next(r for r in caseload_summary(**inputs) if r.student.id == "hal")
    assert hal.decision.kind == "goal-met"


def test_a_school_sized_caseload_under_both_rules() -> None:
    """150 students in 30 groups of 5, 3 measures each, 40 scores per student × measure: one
    row each under both rules. (Its speed is measured by `make bench`'s caseload_growth, not
    timed here: a timed unit test flakes on a shared machine.)"""
    start = date(2024, 8, 26)
    today = start + timedelta(weeks=40)
    cal = SchoolCalendar(start, date(2025, 6, 13))
    measures = ["ORF", "NWF", "MCOMP"]
    students, groups, goals, scores, sessions = [], [], [], [], []
    for gi in range(30):
        ids = [f"s{gi}-{k}" for k in range(5)]
        students += [Student(i, "Given", f"Fam{i}", "3") for i in ids]
        groups.append(
            Group(
                f"g{gi}",
                f"Group {gi}",
                memberships=[Membership(i, start) for i in ids],
                start_date=start,
                measures=measures,
            )
        )
        d = start
        while d < today:
            if d.weekday() < 5:
                att = [Attendance(i, "present") for i in ids]
                sessions.append(Session(f"x{gi}{d}", f"g{gi}", d, attendance=att))
            d += timedelta(days=1)
        for i in ids:
            for m in measures:
                goals.append(Goal(f"{i}{m}", i, m, 30, start, 90, start + timedelta(weeks=38)))
                scores += [
                    Score(f"{i}{m}{w}", i, m, start + timedelta(weeks=w), 30 + w + (w % 3))
                    for w in range(1, 41)
                ]
    for cfg in (DecisionConfig(), DecisionConfig(rule="trend", trend_method="theil-sen")):
        rows = caseload_summary(
            students, groups, BUILTIN_MEASURES, goals, scores, [], sessions, cal, today, cfg
        )
        assert len(rows) == 450
        assert {(r.student.id, r.measure.code) for r in rows} == {
            (f"s{gi}-{k}", m) for gi in range(30) for k in range(5) for m in measures
        }
        assert all(r.dosage is not None and r.dosage.sessions_planned > 0 for r in rows)
