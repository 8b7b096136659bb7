"""The demo caseload: realistic, dated relative to today, deterministic, never in the future."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from store.db import Store
from store.demo import DemoSummary, build_demo
from store.dosage import StudentDosage, student_dosage
from store.errors import StoreError
from store.progress import AimLine, PointRule, decide, phase_aim, trend
from store.schedule import conflicts, meetings_on, occurrences

WEDNESDAY = date(2026, 11, 18)


def open_store(folder: Path, today: date) -> Store:
    return Store.open(folder, clock=lambda: datetime.combine(today, datetime.min.time()))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, DemoSummary]]:
    store = open_store(tmp_path_factory.mktemp("demo"), WEDNESDAY)
    started = time.perf_counter()
    summary = build_demo(store, WEDNESDAY)
    assert time.perf_counter() - started < 3.0
    yield store, summary
    store.close()


def decisions(store: Store) -> dict[tuple[str, str], str]:
    out = {}
    for goal in store.goals():
        points = [(s.date, s.value) for s in store.scores(goal.student_id, goal.measure)]
        phases = [p.date for p in store.phase_changes(goal.student_id, goal.measure)]
        measure = store.measure(goal.measure)
        decision = decide(
            points,
            AimLine.from_goal(goal),
            rule=PointRule(),
            higher_is_better=measure.higher_is_better,
            phase_start=phases or None,
        )
        out[(goal.student_id, goal.measure)] = decision.kind
    return out


def test_counts_and_grades(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    students = store.students()
    assert 24 <= len(students) <= 36
    assert summary.students == len(students)
    assert {s.grade for s in students} == {"K", "1", "2", "3", "4", "5"}
    assert len({s.name for s in students}) == len(students)
    groups = store.groups()
    assert 6 <= len(groups) <= 8 and summary.groups == len(groups)
    assert {g.tier for g in groups} == {2, 3}
    measures = {code for g in groups for code in g.measures}
    assert {"LNF", "NWF", "ORF", "Maze", "MCOMP", "DBR-AE", "DBR-RS", "DBR-DB", "CICO"} <= measures
    assert all(2 <= len(g.member_ids) <= 6 for g in groups)
    assert all(g.program and g.skill_focus and g.location for g in groups)
    assert summary.scores == sum(1 for _ in store.iter_scores())
    assert summary.sessions == len(store.sessions())


def test_measures_suit_the_grades(demo: tuple[Store, DemoSummary]) -> None:
    store, _ = demo
    grade = {s.id: s.grade for s in store.students()}
    for goal in store.goals():
        g = grade[goal.student_id]
        if goal.measure in ("LNF", "NWF"):
            assert g in ("K", "1")
        if goal.measure == "ORF":
            assert g in ("2", "3", "4", "5")
        if goal.measure == "Maze":
            assert g in ("4", "5")


def test_groups_fill_every_weekday_between_8_and_15(demo: tuple[Store, DemoSummary]) -> None:
    store, _ = demo
    groups, calendar = store.groups(), store.calendar()
    for g in groups:
        assert g.start_time >= "08:00" and g.end_time <= "15:00", g.name
        assert occurrences(g, calendar, WEDNESDAY, WEDNESDAY + timedelta(days=14)), g.name
    assert any("INTERVAL=2" in g.rrule for g in groups)
    assert len(meetings_on(groups, calendar, WEDNESDAY)) >= 6
    monday = WEDNESDAY - timedelta(days=WEDNESDAY.weekday())
    for offset in range(5):
        assert len(meetings_on(groups, calendar, monday + timedelta(days=offset))) >= 4
    far = calendar.year_end - timedelta(days=1)
    assert conflicts(groups, calendar, calendar.year_start, far) == []


def test_nothing_is_dated_in_the_future(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    assert max(s.date for s in store.iter_scores()) < WEDNESDAY
    assert max(s.date for s in store.sessions()) < WEDNESDAY
    assert summary.last_day < WEDNESDAY
    assert all(
        p.date <= WEDNESDAY for g in store.goals() for p in store.phase_changes(g.student_id)
    )


def test_twelve_weeks_of_history_and_goals_from_baseline(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    goals = store.goals()
    assert len(goals) == summary.goals >= summary.students
    monitored = {g.student_id for g in goals}
    assert monitored == {s.id for s in store.students()}
    for goal in goals:
        scores = store.scores(goal.student_id, goal.measure)
        assert (scores[-1].date - scores[0].date).days >= 12 * 7
        assert len(scores) >= 7
        first3 = [s.value for s in scores[:3]]
        assert goal.baseline_value == pytest.approx(statistics.median(first3), abs=0.5)
        assert goal.goal_date > WEDNESDAY
        measure = store.measure(goal.measure)
        if measure.behaviour:  # CICO-SWIS 80 % of points; DBR-SIS 8 (2 or less disruptive)
            assert (
                goal.goal_value == {"CICO": 80, "DBR-AE": 8, "DBR-RS": 8, "DBR-DB": 2}[measure.code]
            )
        else:
            assert goal.goal_value > goal.baseline_value


def test_weekly_probes_on_meeting_days(demo: tuple[Store, DemoSummary]) -> None:
    store, _ = demo
    calendar = store.calendar()
    for g in store.groups():
        meets = set(occurrences(g, calendar, calendar.year_start, WEDNESDAY))
        for sid in g.member_ids:
            for code in g.measures:
                scores = store.scores(sid, code)
                days = [s.date for s in scores]
                if code.startswith("DBR-"):  # DBR-SIS: rated by the class every school day
                    span = range((days[-1] - days[0]).days + 1)
                    every = [days[0] + timedelta(days=n) for n in span]
                    assert days == [d for d in every if calendar.is_school_day(d)]
                    continue
                assert set(days) <= meets, (g.name, code)
                for score in scores:
                    session = store.session_on(g.id, score.date)
                    assert session is not None and session.id == score.session_id
                    attendance = session.attendance_of(sid)
                    assert attendance is not None and attendance.attended
                gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
                if code == "CICO":  # the daily card: every day the student checked in
                    present = {
                        s.date
                        for s in store.sessions(g.id)
                        if s.delivered and (a := s.attendance_of(sid)) and a.attended
                    }
                    assert set(days) == present
                else:
                    assert max(gaps) <= 14 * g.probe_every_weeks + 6


def test_decisions_fire(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    kinds = decisions(store)
    assert len(summary.flat) >= 2
    for key in summary.flat:
        assert kinds[key] == "change", key
    for key in summary.above:
        assert kinds[key] == "raise-goal", key
    assert list(kinds.values()).count("change") >= 2
    assert list(kinds.values()).count("raise-goal") >= 1
    assert list(kinds.values()).count("continue") >= 10


def test_dosage_is_low_only_for_the_low_dosage_student(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    groups, calendar, sessions = store.groups(), store.calendar(), store.sessions()

    def dosage(student_id: str) -> StudentDosage:
        return student_dosage(
            student_id,
            groups,
            calendar,
            sessions,
            summary.first_day,
            summary.last_day,
            today=WEDNESDAY,
        )

    (low_id, _), *_ = summary.low_dosage
    assert dosage(low_id).is_low()
    for sid, _code in summary.flat:
        assert not dosage(sid).is_low(), sid  # so "change" is not explained away by dosage
    assert sum(dosage(s.id).is_low() for s in store.students()) <= 2


def test_phase_change_improves_growth(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    assert summary.phase_changes >= 1
    sid, code = summary.phase_change[0]
    (phase,) = store.phase_changes(sid, code)
    points = [(s.date, s.value) for s in store.scores(sid, code)]
    before = [p for p in points if p[0] < phase.date]
    after = [p for p in points if p[0] >= phase.date]
    assert len(before) >= 5 and len(after) >= 6
    # responding to the change: clearly faster growth after it, and on track against the new
    # phase's aim line (from the median of the last 3 scores before the change to the goal)
    goal = store.goal(sid, code)
    assert goal is not None
    line = phase_aim(AimLine.from_goal(goal), points, phase.date)
    assert line.start == phase.date
    assert trend(after).slope > trend(before).slope + 0.5
    decision = decide(points, AimLine.from_goal(goal), rule=PointRule(), phase_start=phase.date)
    assert decision.aim == line and decision.kind == "continue"


def test_sessions_absences_and_the_assembly(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    sessions = store.sessions()
    cancelled = [s for s in sessions if s.status == "cancelled"]
    assert cancelled and {s.cancel_reason for s in cancelled} == {"assembly"}
    assert len({s.date for s in cancelled}) == 1
    absent = [a for s in sessions for a in s.attendance if a.status == "absent"]
    assert len(absent) == summary.absences > 0
    assert all(a.reason for a in absent)
    delivered = [s for s in sessions if s.delivered]
    assert all(s.minutes_delivered > 0 and s.lesson for s in delivered)
    assert all(s.fidelity_pct is not None for s in delivered)
    # sessions are logged for every past meeting day, and only those
    calendar = store.calendar()
    for g in store.groups():
        logged = sorted(s.date for s in sessions if s.group_id == g.id)
        assert logged == occurrences(g, calendar, summary.first_day, WEDNESDAY - timedelta(days=1))


def test_calendar_has_past_breaks_and_today_is_a_school_day(
    demo: tuple[Store, DemoSummary],
) -> None:
    store, summary = demo
    calendar = store.calendar()
    assert calendar.is_school_day(WEDNESDAY)
    past = [d for d in calendar.no_school_dates() if summary.first_day <= d < WEDNESDAY]
    assert len(past) >= 2 and summary.no_school_days == len(past)
    assert any(n.end > n.start for n in calendar.no_school)  # a 2-day break


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    def fingerprint(folder: Path, seed: int) -> list[tuple[object, ...]]:
        with open_store(folder, WEDNESDAY) as store:
            build_demo(store, WEDNESDAY, seed=seed)
            names = {s.id: s.name for s in store.students()}
            return sorted(
                (names[s.student_id], s.measure, s.date, s.value, s.errors)
                for s in store.iter_scores()
            )

    a = fingerprint(tmp_path / "a", 7)
    assert a == fingerprint(tmp_path / "b", 7)
    assert a != fingerprint(tmp_path / "c", 8)


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 11, 21),  # Saturday
        date(2026, 11, 22),  # Sunday
        date(2026, 9, 14),  # early in the school year
        date(2027, 3, 1),  # a Monday later in the year
        date(2027, 7, 15),  # summer
    ],
)
def test_any_today_works(tmp_path: Path, today: date) -> None:
    with open_store(tmp_path, today) as store:
        summary = build_demo(store, today)
        assert max(s.date for s in store.iter_scores()) < today
        assert max(s.date for s in store.sessions()) < today
        for goal in store.goals():
            scores = store.scores(goal.student_id, goal.measure)
            assert (scores[-1].date - scores[0].date).days >= 12 * 7
        kinds = decisions(store)
        assert all(kinds[key] == "change" for key in summary.flat)
        assert summary.cancelled_sessions >= 1 and summary.phase_changes == 1
        if today.weekday() < 5:
            assert len(meetings_on(store.groups(), store.calendar(), today)) >= 4
        else:
            friday = today - timedelta(days=today.weekday() - 4)
            assert max(s.date for s in store.sessions()) == friday


def test_refuses_a_store_that_holds_data(tmp_path: Path) -> None:
    with open_store(tmp_path, WEDNESDAY) as store:
        store.add_student("Real", "Student", "3")
        with pytest.raises(StoreError, match="empty"):
            build_demo(store, WEDNESDAY)
        assert len(store.students()) == 1
