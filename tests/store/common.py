"""Records shared by the store's on-disk tests (test_storage, test_data_loss)."""

from __future__ import annotations

from datetime import date

from store.db import Store
from store.model import Group, Membership, Session

TODAY = date(2026, 11, 25)


def fill(store: Store, earlier: date) -> tuple[str, str]:
    """A student in a group, two ORF scores (today and ``earlier``) and today's session;
    returns the student's and the group's ids."""
    ava = store.add_student("Ava", "Jones", "3")
    g = store.add_group(Group("", "Reading A", memberships=[Membership(ava.id, date(2026, 9, 1))]))
    store.record_score(ava.id, "ORF", 50, TODAY)
    store.record_score(ava.id, "ORF", 45, earlier)
    store.log_session(Session("", g.id, TODAY, minutes_delivered=30))
    return ava.id, g.id
