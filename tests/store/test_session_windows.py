"""The caseload reads only the session logs a dosage window reaches (issue 16), and the
specialised Session/Attendance.from_doc build what the stored document says."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from store.caseload import caseload_summary, session_windows
from store.model import Attendance, Group, Membership, Score, Session
from tests.store.test_caseload import NAMES, W0, build

LAST_YEAR = date(2023, 9, 4)  # a Monday of the school year before


def _with_last_year() -> dict:
    """The caseload of test_caseload, plus last year's ended group of ann and fay (fay has
    no goal, so her dosage counts from her first joining: last year's group too)."""
    data = build()
    old = Group(
        "g0",
        "Reading 2023",
        memberships=[Membership(n, LAST_YEAR, date(2024, 6, 1)) for n in ("ann", "fay")],
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
        start_date=LAST_YEAR,
        measures=["ORF"],
        active=False,
    )
    old_sessions = [
        Session(
            f"old{i}",
            "g0",
            LAST_YEAR + timedelta(days=7 * i),
            minutes_delivered=30,
            attendance=[Attendance("ann"), Attendance("fay", "absent", "illness")],
        )
        for i in range(30)
    ]
    data["groups"] = [*data["groups"], old]
    data["sessions"] = [*data["sessions"], *old_sessions]
    return data


def _windows(data: dict) -> dict[str, date]:
    return session_windows(
        data["students"],
        data["groups"],
        data["goals"],
        data["scores"],
        data["phase_changes"],
        data["today"],
    )


def test_windows_reach_a_past_group_only_for_a_dosage_that_counts_it() -> None:
    data = _with_last_year()
    windows = _windows(data)
    # ann's dosage starts at her goal's baseline (this year): last year is not read for her;
    # fay has no goal, so her window starts when she first joined, last year
    assert windows == {"g1": W0, "g0": LAST_YEAR}
    data["groups"][1].memberships[:] = [Membership("ann", LAST_YEAR, date(2024, 6, 1))]
    assert _windows(data) == {"g1": W0}


def test_rows_from_the_windowed_sessions_are_the_rows_from_every_session() -> None:
    for drop_fay in (False, True):
        data = _with_last_year()
        if drop_fay:
            data["groups"][1].memberships[:] = [Membership("ann", LAST_YEAR, date(2024, 6, 1))]
        windows = _windows(data)
        every = caseload_summary(**data)
        data["sessions"] = [
            s
            for s in data["sessions"]
            if s.group_id in windows and windows[s.group_id] <= s.date <= data["today"]
        ]
        windowed = caseload_summary(**data)
        assert [(r.student.id, r.measure.code, r.decision, r.dosage) for r in windowed] == [
            (r.student.id, r.measure.code, r.decision, r.dosage) for r in every
        ]
        fay = next(r for r in windowed if r.student.id == "fay")
        assert fay.dosage is not None
        # last year's 30 sessions are make-ups of fay's window (absences) unless she left
        assert fay.dosage.sessions_extra == (0 if drop_fay else 30)
    assert set(NAMES) <= {r.student.id for r in every}


def test_session_from_doc_round_trips_and_ignores_unknown_keys() -> None:
    s = Session(
        "s1",
        "g1",
        date(2024, 9, 3),
        status="cancelled",
        cancel_reason="staff-absent",
        minutes_delivered=0,
        lesson="L4",
        attendance=[Attendance("ann", "late", None, 20), Attendance("bob", "absent", "illness")],
        fidelity_done=["a", "b"],
        fidelity_pct=50.0,
        note="fire drill",
        logged_at=datetime(2024, 9, 3, 14, 5),
    )
    doc = s.to_doc()
    back = Session.from_doc({**doc, "obsolete": 1})
    assert back == s
    assert back.fidelity_done is not doc["fidelity_done"]  # never shares the cached list
    minimal = Session.from_doc({"id": "s2", "group_id": "g1", "date": "2024-09-04"})
    assert minimal == Session("s2", "g1", date(2024, 9, 4))
    assert Attendance.from_doc({"student_id": "cat"}) == Attendance("cat", "present")


def test_score_from_doc_round_trips_and_ignores_unknown_keys() -> None:
    s = Score(
        "sc1",
        "ann",
        "ORF",
        date(2024, 9, 3),
        61.0,
        errors=3,
        session_id="s1",
        entered_at=datetime(2024, 9, 3, 9, 30),
        passages=[58.0, 61.0, 64.0],
    )
    doc = s.to_doc()
    back = Score.from_doc({**doc, "obsolete": True})
    assert back == s
    assert back.passages is not doc["passages"]
    single = Score.from_doc(
        {"id": "sc2", "student_id": "bob", "measure": "ORF", "date": "2024-09-10", "value": 40}
    )
    assert single == Score("sc2", "bob", "ORF", date(2024, 9, 10), 40)
    assert single.passages == [] and single.entered_at is None
