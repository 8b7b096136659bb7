"""Dosage: sessions planned vs delivered vs attended, minutes, fidelity, missed reasons."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from store.dosage import SessionIndex, group_dosage, student_dosage
from store.model import Attendance, Group, Membership, NoSchool, SchoolCalendar, Session
from store.progress import AimLine, PointRule, decide

D = date
CAL = SchoolCalendar(
    D(2024, 8, 26), D(2025, 6, 13), [NoSchool(D(2024, 9, 2), D(2024, 9, 2), "Labor Day")]
)
START, END = D(2024, 8, 26), D(2024, 9, 6)  # Mon .. Fri of the following week

# Mon–Thu, 30 minutes. Ava all along; Cal left on 8/28 (member 8/26, 8/27); Ben joined 9/3.
GROUP = Group(
    "g1",
    "Phonics A",
    memberships=[
        Membership("ava", D(2024, 8, 26)),
        Membership("cal", D(2024, 8, 26), D(2024, 8, 28)),
        Membership("ben", D(2024, 9, 3)),
    ],
    rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
    start_date=D(2024, 8, 26),
    duration_minutes=30,
)
# Fridays, 20 minutes, Ava only.
FRIDAYS = Group(
    "g2",
    "Fluency Fridays",
    memberships=[Membership("ava", D(2024, 8, 26))],
    rrule="FREQ=WEEKLY;BYDAY=FR",
    start_date=D(2024, 8, 26),
    duration_minutes=20,
)


def present(sid: str, minutes: int | None = None) -> Attendance:
    return Attendance(sid, "present", None, minutes)


def absent(sid: str, reason: str = "absent") -> Attendance:
    return Attendance(sid, "absent", reason)


SESSIONS = [
    Session("s1", "g1", D(2024, 8, 26), minutes_delivered=30, fidelity_pct=100,
            attendance=[present("ava"), present("cal")]),
    Session("s2", "g1", D(2024, 8, 27), minutes_delivered=30, fidelity_pct=80,
            attendance=[absent("ava"), present("cal")]),
    Session("s3", "g1", D(2024, 8, 28), status="cancelled", cancel_reason="assembly"),
    Session("s4", "g1", D(2024, 8, 29), minutes_delivered=25, fidelity_pct=90,
            attendance=[present("ava", 20)]),
    # 9/2 Labor Day: no school, no session
    Session("s5", "g1", D(2024, 9, 3), minutes_delivered=30,
            attendance=[present("ava"), absent("ben", "school-activity")]),
    Session("s6", "g1", D(2024, 9, 4), minutes_delivered=30,
            attendance=[Attendance("ava", "late"), present("ben")]),
    # 9/5 planned but not logged
]  # fmt: skip


def test_group_dosage_counts() -> None:
    g = group_dosage(GROUP, CAL, SESSIONS, START, END)
    # Mon–Thu over two weeks = 8 dates, minus Labor Day → 7 planned
    assert g.sessions_planned == 7
    assert g.sessions_delivered == 5  # 8/26, 8/27, 8/29, 9/3, 9/4
    assert g.sessions_cancelled == 1  # assembly
    assert g.sessions_not_logged == 1  # 9/5
    # 9/5 is not captured (eduCLIMBER): percentages are over the 6 logged dates
    assert g.sessions_logged == 6
    assert g.delivered_pct == pytest.approx(500 / 6)
    assert g.minutes_planned == 210  # 7 × 30
    assert g.minutes_delivered == 145  # 30 + 30 + 25 + 30 + 30
    assert g.minutes_pct == pytest.approx(14500 / 180)  # 145 of 6 logged × 30
    assert g.fidelity_avg == pytest.approx(90)  # (100 + 80 + 90) / 3; 9/3 and 9/4 unrecorded
    # student-sessions: Ava 4 of 7, Cal 2 of 2, Ben 1 of 3 → 7 of 12 planned; logged (9/5 left
    # out for Ava and Ben): 6 + 2 + 2 = 10
    assert (g.student_sessions_attended, g.student_sessions_planned) == (7, 12)
    assert g.attendance_pct == pytest.approx(700 / 10)
    assert g.cancel_reasons == {"assembly": 1, "not-logged": 1}
    assert g.absence_reasons == {"absent": 1, "school-activity": 1}
    assert g.missed_reasons == {
        "cancelled: assembly": 1,
        "session not logged": 1,
        "absent: absent from school": 1,
        "absent: school activity": 1,
    }
    assert set(g.students) == {"ava", "cal", "ben"}


def test_student_dosage_full_member() -> None:
    s = student_dosage("ava", [GROUP], CAL, SESSIONS, START, END)
    # attended 8/26, 8/29 (20 min), 9/3, 9/4 (late counts); absent 8/27; 8/28 cancelled;
    # 9/5 not logged
    assert (s.sessions_planned, s.sessions_attended, s.sessions_delivered) == (7, 4, 5)
    # 9/5 not logged: not captured, so 4 of the 6 logged sessions
    assert (s.sessions_not_logged, s.sessions_logged) == (1, 6)
    assert s.attendance_pct == pytest.approx(400 / 6)
    assert (s.minutes_received, s.minutes_planned) == (110, 210)  # 30 + 20 + 30 + 30
    assert s.minutes_planned_logged == 180  # 6 logged × 30
    assert s.minutes_pct == pytest.approx(11000 / 180)
    assert s.fidelity_avg == pytest.approx(95)  # sessions attended with fidelity: 100, 90
    assert s.sessions_missed == 3
    assert s.missed_reasons == {
        "cancelled: assembly": 1,
        "session not logged": 1,
        "absent: absent from school": 1,
    }
    assert s.is_low()  # 4 < 0.8 × 6 = 4.8
    assert s.low_parts() == ("sessions", "minutes")  # and 110 < 0.8 × 180 = 144


def test_partial_membership_counts_only_member_dates() -> None:
    ben = student_dosage("ben", [GROUP], CAL, SESSIONS, START, END)
    assert (ben.sessions_planned, ben.sessions_attended) == (3, 1)  # 9/3 9/4 9/5
    assert ben.absence_reasons == {"school-activity": 1}
    cal = student_dosage("cal", [GROUP], CAL, SESSIONS, START, END)
    assert (cal.sessions_planned, cal.sessions_attended) == (2, 2)  # left on 8/28
    assert cal.attendance_pct == 100
    nobody = student_dosage("zoe", [GROUP], CAL, SESSIONS, START, END)
    assert nobody.sessions_planned == 0 and nobody.attendance_pct is None
    assert not nobody.is_low()


def test_no_school_cancellation_is_not_planned() -> None:
    extra = Session("s7", "g1", D(2024, 9, 5), status="cancelled", cancel_reason="no-school")
    g = group_dosage(GROUP, CAL, [*SESSIONS, extra], START, END)
    assert g.sessions_planned == 6
    assert g.sessions_not_logged == 0
    assert "no-school" not in g.cancel_reasons


def test_unlogged_session_today_is_pending() -> None:
    g = group_dosage(GROUP, CAL, SESSIONS, START, D(2024, 9, 5), today=D(2024, 9, 5))
    assert g.sessions_planned == 6 and g.sessions_not_logged == 0
    # logged today: it counts
    today = Session("s7", "g1", D(2024, 9, 5), minutes_delivered=30, attendance=[present("ava")])
    g = group_dosage(GROUP, CAL, [*SESSIONS, today], START, D(2024, 9, 5), today=D(2024, 9, 5))
    assert g.sessions_planned == 7 and g.sessions_delivered == 6


def test_make_up_session_counts_as_extra() -> None:
    makeup = Session("m1", "g1", D(2024, 9, 6), minutes_delivered=30, attendance=[present("ava")])
    s = student_dosage("ava", [GROUP], CAL, [*SESSIONS, makeup], START, END)
    assert (s.sessions_planned, s.sessions_attended, s.sessions_extra) == (7, 5, 1)


def test_missing_attendance_entry_is_not_attended() -> None:
    s = Session("x", "g1", D(2024, 8, 26), minutes_delivered=30, attendance=[])
    d = student_dosage("ava", [GROUP], CAL, [s], D(2024, 8, 26), D(2024, 8, 26))
    assert (d.sessions_planned, d.sessions_attended) == (1, 0)
    assert d.missed_reasons == {"attendance not recorded": 1}


def test_student_dosage_across_groups() -> None:
    fri = [
        Session("f1", "g2", D(2024, 8, 30), minutes_delivered=20, attendance=[present("ava")]),
        Session("f2", "g2", D(2024, 9, 6), status="cancelled", cancel_reason="testing"),
    ]
    s = student_dosage("ava", [GROUP, FRIDAYS], CAL, SessionIndex([*SESSIONS, *fri]), START, END)
    assert s.group_ids == ("g1", "g2")
    assert (s.sessions_planned, s.sessions_attended) == (9, 5)  # 7 + 2 Fridays; 4 + 1
    assert s.minutes_planned == 210 + 40
    assert s.cancel_reasons["testing"] == 1


def test_injected_planned_dates() -> None:
    planned = {"g1": [D(2024, 8, 26), D(2024, 8, 27), D(2024, 12, 1)]}  # superset, filtered
    s = student_dosage("ava", [GROUP], CAL, SESSIONS, START, END, planned=planned)
    # planned 8/26 (attended) and 8/27 (absent); the delivered 8/29, 9/3, 9/4 sessions are not
    # in this plan, so they count as make-ups: attended 1 + 3
    assert (s.sessions_planned, s.sessions_attended, s.sessions_extra) == (2, 4, 3)


def test_low_dosage_decision_uses_student_dosage() -> None:
    s = student_dosage("ava", [GROUP], CAL, SESSIONS, START, END)
    aim = AimLine(D(2024, 8, 19), 20, D(2024, 11, 11), 44)  # 2/week
    below = [(D(2024, 8, 19) + timedelta(weeks=i), 10) for i in range(1, 8)]  # far below
    d = decide(below, aim, rule=PointRule(), dosage=s)
    assert d.kind == "low-dosage"
    # 9/5 was never logged: 4 of the 6 logged sessions (67 %) and 110 of 6 × 30 = 180 minutes
    # (61 %), both under 80 %; the unlogged one is named, not counted as missed
    assert "attended 4 of 6 logged sessions (67 %)" in d.reason
    assert "received 110 of 180 planned minutes (61 %)" in d.reason
    assert "1 more not logged" in d.reason


def test_dosage_is_sessions_and_minutes() -> None:
    # eduCLIMBER: ≥ 80 % of planned sessions AND minutes. Cal attended 2 of 2 sessions (100 %)
    # but 10 of 30 minutes each time: 20 of 60 minutes = 33 % → low on minutes only.
    short = [
        Session("m1", "g1", D(2024, 8, 26), minutes_delivered=30, attendance=[present("cal", 10)]),
        Session("m2", "g1", D(2024, 8, 27), minutes_delivered=30, attendance=[present("cal", 10)]),
    ]
    cal = student_dosage("cal", [GROUP], CAL, short, START, END)
    assert (cal.sessions_attended, cal.sessions_logged) == (2, 2)
    assert (cal.minutes_received, cal.minutes_planned_logged) == (20, 60)
    assert cal.low_parts() == ("minutes",)
    assert cal.is_low()


def test_unlogged_sessions_are_not_absences() -> None:
    # Ava: only 8/26 logged (present) out of 7 planned dates → 100 % of what was captured,
    # with 6 sessions not logged; nothing here is low dosage
    one = [Session("u1", "g1", D(2024, 8, 26), minutes_delivered=30, attendance=[present("ava")])]
    ava = student_dosage("ava", [GROUP], CAL, one, START, END)
    assert (ava.sessions_planned, ava.sessions_not_logged, ava.sessions_logged) == (7, 6, 1)
    assert ava.attendance_pct == 100
    assert not ava.is_low()
    none = student_dosage("ava", [GROUP], CAL, [], START, END)
    assert none.sessions_not_logged == 7 and none.attendance_pct is None and not none.is_low()


def test_group_dates_before_anyone_joined_are_not_planned() -> None:
    # a group whose only member joins on Tue 9/3: 8/26–8/29 (4 dates) had nobody to teach, so
    # they are neither planned nor "not logged"; 9/3, 9/4, 9/5 remain (9/2 is Labor Day)
    late = Group("g2", "Late", memberships=[Membership("zed", D(2024, 9, 3))], rrule=GROUP.rrule)
    g = group_dosage(late, CAL, [], START, END)
    assert (g.sessions_planned, g.sessions_not_logged) == (3, 3)
