"""The Store's API: round trips through a re-opened folder, validation, undo, migrations."""

from __future__ import annotations

import json
import re
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import store.db.layout as db  # SCHEMA_VERSION, PARTITION_CACHE: patched where they are read
from store.db import DuplicateScoreError, Store, UnknownIdError
from store.errors import NotFoundError, NothingToUndoError, StoreError, ValidationError
from store.model import (
    BUILTIN_MEASURES,
    Attendance,
    Goal,
    Group,
    Measure,
    Membership,
    NoSchool,
    SchoolCalendar,
    Session,
    default_calendar,
)

TODAY = date(2026, 11, 25)


def reopen(store: Store) -> Store:
    store.close()
    return Store.open(store.data_dir, clock=store._clock)


def make_group(store: Store, *members: str, **kw: object) -> Group:
    base = dict(
        id="",
        name="Reading A",
        program="Phonics",
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
        start_time="09:10",
        duration_minutes=30,
        measures=["ORF"],
        fidelity_items=["warm-up", "decoding", "reading"],
        memberships=[Membership(m, date(2026, 9, 1)) for m in members],
    )
    base.update(kw)
    return store.add_group(Group(**base))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- fresh folder
def test_fresh_store_is_seeded(store: Store) -> None:
    assert store.is_empty()
    assert store.today() == TODAY
    assert [m.code for m in store.measures()] == [m.code for m in BUILTIN_MEASURES]
    assert store.calendar() == default_calendar(TODAY)
    core = json.loads((store.data_dir / "core.json").read_text())
    assert core["meta"]["1"]["version"] == db.SCHEMA_VERSION
    assert not (store.data_dir / "scores").exists()


def test_ids_are_short_prefixed_and_random(store: Store) -> None:
    a = store.add_student("Ava", "Jones", "3")
    b = store.add_student("Ben", "Lee", "3")
    assert re.fullmatch(r"st-[0-9a-f]{8}", a.id) and a.id != b.id
    g = make_group(store, a.id)
    assert re.fullmatch(r"gr-[0-9a-f]{8}", g.id)
    sc = store.record_score(a.id, "ORF", 58, TODAY)
    assert re.fullmatch(r"sc-[0-9a-f]{16}", sc.id)
    se = store.log_session(Session("", g.id, TODAY, minutes_delivered=30))
    assert re.fullmatch(r"se-[0-9a-f]{16}", se.id)
    go = orf_goal(store, a.id, 70)
    assert re.fullmatch(r"go-[0-9a-f]{8}", go.id)
    ph = store.add_phase_change(a.id, "ORF", date(2026, 10, 1), "more time")
    assert re.fullmatch(r"ph-[0-9a-f]{8}", ph.id)
    ex = store.log_export("csv", "/tmp/x.csv", 1, deidentified=True)
    assert re.fullmatch(r"ex-[0-9a-f]{16}", ex.id)  # the export log: 64 bits
    assert store.add_student("Cy", "Ng", "2", id="custom-1").id == "custom-1"


def orf_goal(store: Store, student_id: str, goal_value: float, **kw: Any) -> Goal:
    """An ORF goal from a baseline of 40 on 2026-09-15 to ``goal_value`` by 2027-02-01
    (``kw`` overrides or adds :meth:`Store.set_goal` arguments)."""
    args: dict[str, Any] = dict(
        baseline_value=40, baseline_date=date(2026, 9, 15), goal_date=date(2027, 2, 1)
    )
    return store.set_goal(student_id, "ORF", goal_value=goal_value, **(args | kw))


# --------------------------------------------------------------------------- round trips
def test_round_trip_of_every_record_kind(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3", sis_id="S100", notes="likes dogs")
    ben = store.add_student("Ben", "Lee", "K")
    group = make_group(store, ava.id, ben.id, location="Room 12", tier=3, probe_every_weeks=2)
    maze = store.add_measure(Measure("WRF", "Word reading", "words", 0, 100, decimals=1))
    s1 = store.record_score(ava.id, "ORF", 58, date(2026, 11, 24), errors=3)
    s2 = store.record_score(ava.id, "ORF", 61, TODAY, session_id="se-1")
    s3 = store.record_score(ben.id, "WRF", "12.5", date(2026, 3, 2))  # another school year
    session = store.log_session(
        Session(
            "",
            group.id,
            date(2026, 11, 24),
            minutes_delivered=28,
            lesson="Unit 4 lesson 2",
            attendance=[Attendance(ava.id), Attendance(ben.id, "absent", "school-activity")],
            fidelity_done=["warm-up", "decoding"],
            note="fire drill",
        )
    )
    cancelled = store.log_session(
        Session("", group.id, date(2026, 11, 23), status="cancelled", cancel_reason="assembly")
    )
    goal = orf_goal(
        store,
        ava.id,
        72,
        method="norms-ambitious",
        note="grade 3",
    )
    phase = store.add_phase_change(ava.id, "ORF", date(2026, 10, 20), "added 10 minutes")
    cal = store.set_calendar(
        SchoolCalendar(
            date(2026, 8, 26),
            date(2027, 6, 11),
            [NoSchool(date(2026, 11, 26), date(2026, 11, 27), "Thanksgiving")],
        )
    )
    export = store.log_export("csv", "/tmp/report.csv", 2, deidentified=False)
    store.update_measure("LNF", active=False)

    again = reopen(store)
    try:
        assert again.student(ava.id) == ava
        assert again.students() == [ava, ben]  # sorted by family name
        assert again.group(group.id) == group
        assert again.measure("WRF") == maze
        assert again.scores(ava.id) == [s1, s2]
        assert again.scores(ben.id) == [s3]
        assert s3.value == 12.5
        assert again.session_on(group.id, date(2026, 11, 24)) == session
        assert session.fidelity_pct == pytest.approx(200 / 3)
        assert again.sessions(group.id) == [cancelled, session]
        assert again.goal(ava.id, "ORF") == goal
        assert again.phase_changes(ava.id, "ORF") == [phase]
        assert again.calendar() == cal
        assert again.exports() == [export]
        assert "LNF" not in [m.code for m in again.measures()]
        assert "LNF" in [m.code for m in again.measures(include_inactive=True)]
        assert list(again.iter_scores()) == sorted(
            [s1, s2, s3], key=lambda s: (s.student_id, s.date)
        )
        assert not again.is_empty()
    finally:
        again.close()


def test_scores_live_in_per_student_per_year_partitions(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    store.record_score(ava.id, "ORF", 50, date(2026, 6, 30))  # school year 2025
    store.record_score(ava.id, "ORF", 55, date(2026, 7, 1))  # school year 2026
    root = store.data_dir / "scores"
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*.json")) == [
        f"2025/{ava.id}.json",
        f"2026/{ava.id}.json",
    ]
    assert "scores" not in json.loads((store.data_dir / "core.json").read_text())
    assert [s.value for s in store.scores(ava.id, since=date(2026, 7, 1))] == [55]
    assert [s.value for s in store.scores(ava.id, until=date(2026, 6, 30))] == [50]


# --------------------------------------------------------------------------- scores
def test_record_score_messages(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    with pytest.raises(ValidationError, match="ORF score 412 is outside 0–300"):
        store.record_score(ava.id, "ORF", 412, TODAY)
    with pytest.raises(ValidationError, match="date 2026-11-26 is in the future"):
        store.record_score(ava.id, "ORF", 40, date(2026, 11, 26))
    with pytest.raises(ValidationError, match="no student with id 'nobody'"):
        store.record_score("nobody", "ORF", 40, TODAY)
    with pytest.raises(NotFoundError):
        store.record_score("nobody", "ORF", 40, TODAY)
    with pytest.raises(ValidationError, match="measure 'XYZ' is not one of: ORF"):
        store.record_score(ava.id, "XYZ", 40, TODAY)
    with pytest.raises(ValidationError, match="Maze does not record errors"):
        store.record_score(ava.id, "Maze", 10, TODAY, errors=2)
    with pytest.raises(ValidationError, match="errors -1 is outside 0–999"):
        store.record_score(ava.id, "ORF", 40, TODAY, errors=-1)
    with pytest.raises(ValidationError, match="errors 1.5 is not a whole number"):
        store.record_score(ava.id, "ORF", 40, TODAY, errors=1.5)
    with pytest.raises(ValidationError, match="'abc' is not a number"):
        store.record_score(ava.id, "ORF", "abc", TODAY)
    with pytest.raises(ValidationError, match="not a date"):
        store.record_score(ava.id, "ORF", 40, "yesterday")
    store.update_measure("NWF", active=False)
    with pytest.raises(ValidationError, match="NWF is switched off"):
        store.record_score(ava.id, "NWF", 40, TODAY)
    assert store.scores(ava.id) == []


def test_duplicate_score_and_replace(store: Store, clock) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    first = store.record_score(ava.id, "ORF", 58, TODAY)
    with pytest.raises(DuplicateScoreError) as info:
        store.record_score(ava.id, "ORF", 60, TODAY)
    assert str(info.value) == "ORF 58 already entered for Ava Jones on 2026-11-25"
    assert info.value.existing == first
    clock.advance(minutes=5)
    second = store.record_score(ava.id, "ORF", 60, TODAY, replace=True)
    assert second.id == first.id and second.value == 60
    assert second.entered_at == datetime(2026, 11, 25, 10, 5)
    assert store.scores(ava.id) == [second]
    # same date, another measure is fine
    store.record_score(ava.id, "NWF", 30, TODAY)
    assert len(store.scores(ava.id)) == 2
    assert store.score_on(ava.id, "ORF", TODAY) == second
    assert store.score_on(ava.id, "ORF", date(2026, 11, 1)) is None


def test_a_score_moved_to_another_day_leaves_its_session(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    s = store.record_score(ava.id, "ORF", 58, TODAY, session_id="se-1")
    assert store.update_score(s.id, value=60).session_id == "se-1"  # same day: kept
    moved = store.update_score(s.id, date=TODAY - timedelta(days=1))
    assert moved.session_id is None
    relinked = store.update_score(s.id, date=TODAY, session_id="se-2")
    assert relinked.session_id == "se-2"


def test_update_and_delete_score(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    s = store.record_score(ava.id, "ORF", 58, TODAY, errors=2)
    moved = store.update_score(s.id, value=59, date=date(2026, 5, 4))  # into last school year
    assert moved.id == s.id and moved.value == 59 and moved.errors == 2
    assert (store.data_dir / f"scores/2025/{ava.id}.json").is_file()
    again = reopen(store)
    try:
        assert again.scores(ava.id) == [moved]  # found by id on disk, not in memory
        other = again.record_score(ava.id, "ORF", 70, TODAY)
        with pytest.raises(DuplicateScoreError):
            again.update_score(other.id, date=date(2026, 5, 4))
        with pytest.raises(ValidationError, match="cannot change 'student_id'"):
            again.update_score(other.id, student_id="x")
        assert again.delete_score(moved.id) == moved
        assert again.scores(ava.id) == [other]
        with pytest.raises(UnknownIdError, match="no score with id 'sc-00000000'"):
            again.delete_score("sc-00000000")
    finally:
        again.close()


# --------------------------------------------------------------------------- students
def test_student_validation_and_sis_uniqueness(store: Store) -> None:
    ava = store.add_student(" Ava ", "Jones", "03", sis_id="S1")
    assert (ava.given_name, ava.grade) == ("Ava", "3")
    with pytest.raises(ValidationError, match="SIS identifier 'S1' already belongs to Ava Jones"):
        store.add_student("Ann", "Lee", "2", sis_id="S1")
    with pytest.raises(ValidationError, match="grade '13' is not a school grade"):
        store.add_student("Ann", "Lee", "13")
    with pytest.raises(ValidationError, match="given name is required"):
        store.add_student("  ", "Lee", "2")
    with pytest.raises(ValidationError, match="student id 'st-1' is already used"):
        store.add_student("A", "B", "2", id="st-1") and store.add_student("C", "D", "2", id="st-1")
    ann = store.add_student("Ann", "Lee", "2", sis_id="S2")
    with pytest.raises(ValidationError, match="already belongs to Ava Jones"):
        store.update_student(ann.id, sis_id="S1")
    with pytest.raises(ValidationError, match="cannot change 'id'"):
        store.update_student(ann.id, id="x")
    assert store.update_student(ann.id, grade="K").grade == "K"
    store.archive_student(ann.id)
    assert ann.id not in [s.id for s in store.students()]
    assert ann.id in [s.id for s in store.students(include_archived=True)]
    assert store.restore_student(ann.id).active
    with pytest.raises(NotFoundError, match="no student with id 'zz'"):
        store.student("zz")


# --------------------------------------------------------------------------- groups
def test_groups_validation_and_membership(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    ben = store.add_student("Ben", "Lee", "3")
    with pytest.raises(ValidationError, match="recurrence 'FREQ=SOMETIMES' is not a valid RRULE"):
        make_group(store, rrule="FREQ=SOMETIMES")
    with pytest.raises(ValidationError, match="no student with id 'ghost'"):
        make_group(store, "ghost")
    with pytest.raises(ValidationError, match="measure 'XYZ' is not one of"):
        make_group(store, measures=["XYZ"])
    with pytest.raises(ValidationError, match="duration"):
        make_group(store, duration_minutes=0)
    assert store.groups() == []
    g = make_group(store, ava.id)
    with pytest.raises(ValidationError, match="Ava Jones is already in Reading A"):
        store.add_member(g.id, ava.id, date(2026, 11, 2))
    g = store.add_member(g.id, ben.id, date(2026, 11, 2))
    assert g.member_ids == [ava.id, ben.id]
    assert store.groups_of(ben.id) == [g]
    assert store.groups_of(ben.id, date(2026, 10, 1)) == []
    g = store.remove_member(g.id, ava.id, date(2026, 11, 20))
    assert g.member_ids == [ben.id]
    assert g.members_on(date(2026, 11, 19)) == [ava.id, ben.id]
    assert g.memberships[0].end == date(2026, 11, 20)
    with pytest.raises(ValidationError, match="Ava Jones is not in Reading A"):
        store.remove_member(g.id, ava.id, TODAY)
    with pytest.raises(ValidationError, match="before Ben Lee joined"):
        store.remove_member(g.id, ben.id, date(2026, 1, 1))
    g = store.update_group(g.id, location="Library", start_time="9:45")
    assert (g.location, g.start_time) == ("Library", "09:45")
    with pytest.raises(ValidationError, match="cannot change 'memberships'"):
        store.update_group(g.id, memberships=[])
    ended = store.end_group(g.id, date(2026, 12, 19))
    assert not ended.active and ended.end_date == date(2026, 12, 19)
    assert ended.member_ids == []
    assert store.groups() == [] and store.groups(include_inactive=True) == [ended]


# --------------------------------------------------------------------------- sessions
def test_sessions_upsert_and_attendance(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    ben = store.add_student("Ben", "Lee", "3")
    g = make_group(store, ava.id, ben.id)
    first = store.log_session(Session("", g.id, TODAY, minutes_delivered=25, lesson="L1"))
    second = store.log_session(Session("", g.id, TODAY, minutes_delivered=30, lesson="L2"))
    assert second.id == first.id
    assert store.sessions(g.id) == [second]
    marked = store.mark_attendance(g.id, TODAY, Attendance(ava.id, "late", minutes=20))
    assert marked.id == first.id and marked.lesson == "L2"
    marked = store.mark_attendance(g.id, TODAY, Attendance(ava.id, "present"))
    assert [a.status for a in marked.attendance] == ["present"]
    # no session yet on another date: one is created with the group's minutes
    created = store.mark_attendance(g.id, date(2026, 11, 24), Attendance(ben.id, "absent"))
    assert created.minutes_delivered == 30 and created.delivered
    assert created.attendance[0].reason == "absent"
    with pytest.raises(ValidationError, match="minutes attended 50 is outside 0–30"):
        store.mark_attendance(g.id, TODAY, Attendance(ava.id, minutes=50))
    with pytest.raises(ValidationError, match="no student with id 'ghost'"):
        store.mark_attendance(g.id, TODAY, Attendance("ghost"))
    with pytest.raises(ValidationError, match="no student with id 'ghost'"):
        store.log_session(Session("", g.id, TODAY, attendance=[Attendance("ghost")]))
    with pytest.raises(ValidationError, match="not on Reading A's checklist"):
        store.log_session(Session("", g.id, TODAY, fidelity_done=["dancing"]))
    with pytest.raises(ValidationError, match="date 2026-11-26 is in the future"):
        store.log_session(Session("", g.id, date(2026, 11, 26), minutes_delivered=30))
    # a cancellation may be logged ahead of time
    store.log_session(
        Session("", g.id, date(2026, 11, 30), status="cancelled", cancel_reason="assembly")
    )
    with pytest.raises(ValidationError, match="was cancelled"):
        store.log_session(Session("", g.id, date(2026, 11, 20), status="cancelled"))
        store.mark_attendance(g.id, date(2026, 11, 20), Attendance(ava.id))
    assert [s.date for s in store.sessions(since=date(2026, 11, 21))] == [
        date(2026, 11, 24),
        TODAY,
        date(2026, 11, 30),
    ]
    # moving a session to another date (same id) leaves one session
    moved = store.log_session(second.with_(date=date(2026, 11, 19), attendance=[]))
    assert moved.id == second.id
    assert store.session_on(g.id, TODAY) is None
    assert store.delete_session(moved.id).id == moved.id
    assert store.session_on(g.id, date(2026, 11, 19)) is None


# --------------------------------------------------------------------------- goals, measures
def test_goal_history_and_latest(store: Store, clock) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    g1 = orf_goal(store, ava.id, 60)
    g2 = orf_goal(store, ava.id, 65)  # same day: later one wins
    assert store.goal(ava.id, "ORF") == g2
    clock.advance(days=7)
    g3 = orf_goal(store, ava.id, 70)
    assert g3.set_on == date(2026, 12, 2)
    assert store.goals(ava.id) == [g1, g2, g3]
    assert store.goal(ava.id, "NWF") is None
    with pytest.raises(ValidationError, match="ORF goal 400 is outside 0–300"):
        orf_goal(store, ava.id, 400)
    with pytest.raises(ValidationError, match="must be after the baseline date"):
        orf_goal(store, ava.id, 60, baseline_date=date(2027, 3, 1))


def test_measures_builtin_protected(store: Store) -> None:
    with pytest.raises(
        ValidationError, match="ORF is a built-in measure; only 'active' can change"
    ):
        store.update_measure("ORF", max=500)
    with pytest.raises(ValidationError, match="measure code 'orf' is already used"):
        store.add_measure(Measure("orf", "x", "y", 0, 10))
    with pytest.raises(ValidationError, match="maximum 0 must be above minimum 10"):
        store.add_measure(Measure("NEW", "x", "y", 10, 0))
    m = store.add_measure(Measure("NEW", "New probe", "points", 0, 10, builtin=True))
    assert not m.builtin
    assert store.update_measure("NEW", max=20).max == 20
    assert not store.update_measure("ORF", active=False).active
    assert store.measure("orf").code == "ORF"
    with pytest.raises(NotFoundError):
        store.measure("nope")


# --------------------------------------------------------------------------- undo
def test_undo_each_kind_of_change(store: Store) -> None:
    with pytest.raises(NothingToUndoError):
        store.undo_last()
    assert not store.can_undo()
    ava = store.add_student("Ava", "Jones", "3")
    before = store.data_dir.joinpath("core.json").read_bytes()
    ben = store.add_student("Ben", "Lee", "3")
    assert store.undo_last() == "Undid: added student Ben Lee"
    assert store.data_dir.joinpath("core.json").read_bytes() == before
    with pytest.raises(NotFoundError):
        store.student(ben.id)

    store.update_student(ava.id, grade="4")
    assert store.undo_last() == "Undid: change to student Ava Jones"
    assert store.student(ava.id).grade == "3"
    store.archive_student(ava.id)
    assert store.undo_last() == "Undid: archived Ava Jones"
    assert store.student(ava.id).active

    s = store.record_score(ava.id, "ORF", 62, TODAY)
    assert store.undo_last() == "Undid: ORF 62 for Ava Jones on 2026-11-25"
    assert store.scores(ava.id) == []
    s = store.record_score(ava.id, "ORF", 58, TODAY)
    store.record_score(ava.id, "ORF", 62, TODAY, replace=True)
    assert store.undo_last() == "Undid: ORF 62 for Ava Jones on 2026-11-25 (was 58)"
    assert store.scores(ava.id) == [s]
    store.update_score(s.id, date=date(2026, 3, 3))
    assert store.undo_last().startswith("Undid: change to ORF 58")
    assert store.scores(ava.id) == [s]
    assert not store.data_dir.joinpath(f"scores/2025/{ava.id}.json").read_text().count(s.id)
    store.delete_score(s.id)
    assert store.undo_last() == "Undid: deleted ORF 58 for Ava Jones on 2026-11-25"
    assert store.scores(ava.id) == [s]

    g = make_group(store)
    store.add_member(g.id, ava.id, TODAY)
    assert store.undo_last() == "Undid: added Ava Jones to Reading A"
    assert store.group(g.id).member_ids == []
    store.update_group(g.id, name="Reading B")
    store.undo_last()
    assert store.group(g.id).name == "Reading A"
    store.end_group(g.id, TODAY)
    store.undo_last()
    assert store.group(g.id).active

    se = store.log_session(Session("", g.id, TODAY, minutes_delivered=30))
    store.log_session(se.with_(lesson="L9"))
    assert store.undo_last() == "Undid: Reading A session on 2026-11-25"
    assert store.session_on(g.id, TODAY) == se
    store.mark_attendance(g.id, TODAY, Attendance(ava.id, "absent"))
    assert store.undo_last() == "Undid: attendance of Ava Jones at Reading A on 2026-11-25"
    assert store.session_on(g.id, TODAY) == se
    store.delete_session(se.id)
    store.undo_last()
    assert store.session_on(g.id, TODAY) == se

    goal = orf_goal(store, ava.id, 60, baseline_date=date(2026, 9, 1), goal_date=date(2027, 1, 1))
    assert store.undo_last() == "Undid: ORF goal 60 by 2027-01-01 for Ava Jones"
    assert store.goal(ava.id, "ORF") is None and goal.id
    with pytest.raises(ValidationError, match="phase change date 2026-11-26 is in the future"):
        store.add_phase_change(ava.id, "ORF", TODAY + timedelta(days=1), "next week's plan")
    ph = store.add_phase_change(ava.id, "ORF", TODAY, "new program")
    store.undo_last()
    assert store.phase_changes(ava.id) == []
    ph = store.add_phase_change(ava.id, "ORF", TODAY, "new program")
    store.delete_phase_change(ph.id)
    store.undo_last()
    assert store.phase_changes(ava.id) == [ph]

    cal = store.calendar()
    store.set_calendar(SchoolCalendar(date(2026, 9, 1), date(2027, 6, 1)))
    store.undo_last()
    assert store.calendar() == cal
    store.add_measure(Measure("NEW", "New", "pts", 0, 10))
    assert store.undo_last() == "Undid: added measure NEW"
    store.update_measure("ORF", active=False)
    store.undo_last()
    assert store.measure("ORF").active

    store.log_export("csv", "/tmp/a.csv", 1, deidentified=True)  # a privacy log: not undoable
    assert len(store.exports()) == 1

    while store.can_undo():
        store.undo_last()
    assert store.students() == [] and store.groups(include_inactive=True) == []
    assert store.is_empty()


def test_undo_stack_is_per_store_instance(store: Store) -> None:
    store.add_student("Ava", "Jones", "3")
    again = reopen(store)
    try:
        assert not again.can_undo()
        with pytest.raises(NothingToUndoError):
            again.undo_last()
    finally:
        again.close()


def test_batch_is_one_undo_step_and_one_write_per_file(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    writes_before = store._storage("core.json").writes
    with store.batch("imported 3 students") as s:
        for i in range(3):
            s.add_student(f"Kid{i}", "Batch", "2")
        for d in range(1, 11):
            s.record_score(ava.id, "ORF", 40 + d, date(2026, 11, d))
        assert len(s.students()) == 4  # visible inside the batch
    assert store._storage("core.json").writes == writes_before + 1
    assert store._storage(f"scores/2026/{ava.id}.json").writes == 1
    again = reopen(store)
    try:
        assert len(again.students()) == 4 and len(again.scores(ava.id)) == 10
    finally:
        again.close()
    store = Store.open(again.data_dir, clock=again._clock)
    try:
        store.scores(ava.id)  # several files cached when the batch starts
        store.scores("nobody")
        with store.batch("more") as s:
            s.add_student("X", "Y", "1")
            s.record_score(ava.id, "ORF", 5, date(2026, 10, 1))
        assert store.undo_last() == "Undid: more"
        assert len(store.students()) == 4
    finally:
        store.close()


# --------------------------------------------------------------------------- migrations
def _write_core(data_dir: Path, core: dict) -> bytes:
    data_dir.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(core).encode()
    (data_dir / "core.json").write_bytes(raw)
    return raw


def test_migration_from_v0_file(data_dir: Path, clock) -> None:
    raw = _write_core(
        data_dir,
        {
            "students": {
                "1": {"id": "st-1", "given_name": "Old", "family_name": "Kid", "grade": "2"}
            }
        },
    )
    with Store.open(data_dir, clock=clock) as s:
        assert s.student("st-1").active
        assert [m.code for m in s.measures()][:3] == ["ORF", "NWF", "LNF"]
        assert s.calendar() == default_calendar(TODAY)
    core = json.loads((data_dir / "core.json").read_text())
    assert {"id": "schema", "version": db.SCHEMA_VERSION} in core["meta"].values()
    assert (data_dir / "backups/before-v1-upgrade/core.json").read_bytes() == raw


def test_migration_hook_runs_steps_in_order(data_dir: Path, clock, monkeypatch) -> None:
    with Store.open(data_dir, clock=clock) as s:
        s.add_student("Ava", "Jones", "3")
    calls = []

    def step1(core: dict, store: Store) -> dict:
        calls.append(1)
        for doc in core["students"].values():
            doc["notes"] = "v2"
        return core

    def step2(core: dict, store: Store) -> dict:
        calls.append(2)
        for doc in core["students"].values():
            doc["notes"] += "+v3"
        return core

    now = db.SCHEMA_VERSION
    monkeypatch.setattr(db, "SCHEMA_VERSION", now + 2)
    with Store.open(data_dir, clock=clock, migrations={now: step1, now + 1: step2}) as s:
        assert calls == [1, 2]
        assert s.students()[0].notes == "v2+v3"
    with Store.open(data_dir, clock=clock, migrations={}) as s:  # already at the top: nothing runs
        assert calls == [1, 2]


def test_newer_schema_is_refused_and_left_alone(data_dir: Path, clock, tree) -> None:
    _write_core(data_dir, {"meta": {"1": {"id": "schema", "version": 99}}, "students": {}})
    before = tree(data_dir)
    with pytest.raises(StoreError, match=r"newer version of intervene.*v99.*Upgrade intervene"):
        Store.open(data_dir, clock=clock)
    assert tree(data_dir) == before
    with pytest.raises(StoreError, match="newer version"):  # the lock was released
        Store.open(data_dir, clock=clock)


def test_missing_migration_step_is_an_error(data_dir: Path, clock, tree) -> None:
    _write_core(data_dir, {"students": {}})
    before = tree(data_dir)
    with pytest.raises(StoreError, match="no migration from data format v0 to v1"):
        Store.open(data_dir, clock=clock, migrations={})
    assert tree(data_dir)["core.json"] == before["core.json"]


# --------------------------------------------------------------------------- misc
def test_readonly_store_reads_and_refuses_writes(store: Store, tree) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    store.record_score(ava.id, "ORF", 50, TODAY)
    before = tree(store.data_dir)
    ro = Store.open(store.data_dir, clock=store._clock, readonly=True)  # while the writer is open
    try:
        assert [s.value for s in ro.scores(ava.id)] == [50]
        with pytest.raises(StoreError, match="read-only"):
            ro.record_score(ava.id, "ORF", 51, date(2026, 11, 24))
        with pytest.raises(StoreError, match="read-only"):
            ro.add_student("X", "Y", "1")
        assert ro.backup_if_due() is None
    finally:
        ro.close()
    assert tree(store.data_dir) == before


def test_readonly_on_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="there is no intervene data"):
        Store.open(tmp_path / "nothing", readonly=True)
    assert not (tmp_path / "nothing").exists()


def test_closed_store_refuses_calls(store: Store) -> None:
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        store.students()


def test_concurrent_saves_from_threads(store: Store) -> None:
    kids = [store.add_student(f"K{i}", "T", "2") for i in range(4)]
    errors: list[BaseException] = []

    def work(student_id: str) -> None:
        try:
            for d in range(1, 21):
                store.record_score(student_id, "ORF", d, date(2026, 11, d))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k.id,)) for k in kids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    again = reopen(store)
    try:
        assert [len(again.scores(k.id)) for k in kids] == [20, 20, 20, 20]
    finally:
        again.close()


def test_partition_cache_is_bounded(store: Store, monkeypatch) -> None:
    monkeypatch.setattr(db, "PARTITION_CACHE", 3)
    kids = [store.add_student(f"K{i}", "T", "2") for i in range(6)]
    saved = [store.record_score(k.id, "ORF", 10 + i, TODAY) for i, k in enumerate(kids)]
    assert len(store._dbs) <= 3
    assert [store.scores(k.id) for k in kids] == [[s] for s in saved]
    for _ in kids:  # undo reaches evicted partitions too
        store.undo_last()
    assert all(store.scores(k.id) == [] for k in kids)
