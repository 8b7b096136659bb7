"""Fidelity is recorded only when the checklist was filled in: an untouched checklist is
"not recorded" (None), never 0 % (issue 13, item 9)."""

from __future__ import annotations

from datetime import date

import pytest

from store.db import Store
from store.dosage import group_dosage
from store.model import Attendance, Group, Membership, Session

TODAY = date(2026, 11, 25)
ITEMS = ["warm-up", "decoding", "reading", "graphing"]


@pytest.fixture
def group(store: Store) -> Group:
    ana = store.add_student("Ana", "Diaz", "3")
    members = [Membership(ana.id, date(2026, 9, 1))]
    return store.add_group(Group("", "Reading A", fidelity_items=ITEMS, memberships=members))


def test_an_untouched_checklist_is_not_recorded(store: Store, group: Group) -> None:
    saved = store.log_session(Session("", group.id, TODAY, minutes_delivered=30))
    assert saved.fidelity_pct is None and saved.fidelity_done == []
    assert store.session_on(group.id, TODAY).fidelity_pct is None  # type: ignore[union-attr]
    dose = group_dosage(store.group(group.id), store.calendar(), store.sessions(), TODAY, TODAY)
    assert dose.fidelity_avg is None


def test_ticked_items_give_the_percentage(store: Store, group: Group) -> None:
    saved = store.log_session(
        Session("", group.id, TODAY, minutes_delivered=30, fidelity_done=["warm-up", "reading"])
    )
    assert saved.fidelity_pct == 50.0


def test_none_done_is_said_explicitly(store: Store, group: Group) -> None:
    saved = store.log_session(Session("", group.id, TODAY, minutes_delivered=30, fidelity_pct=0))
    assert saved.fidelity_pct == 0.0
    assert store.session_on(group.id, TODAY).fidelity_pct == 0.0  # type: ignore[union-attr]


def test_marking_an_absence_does_not_record_fidelity(store: Store, group: Group) -> None:
    ana = store.students()[0]
    session = store.mark_attendance(group.id, TODAY, Attendance(ana.id, "absent", "absent"))
    assert session.fidelity_pct is None
