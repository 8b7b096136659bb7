"""The checks records share (``store.validation``): a record that names one student twice is
refused whole, with one line naming the student (``check_unique``: a group's current members,
a session's attendance); a range must run forward (``check_after``: a measure's maximum, a
goal date, the last day of school)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from store.errors import ValidationError
from store.model import Attendance, Group, Measure, Membership, Session
from store.validation import check_after, check_unique

TODAY = date(2026, 11, 25)
SEPT = date(2026, 9, 1)


def test_check_unique_adds_a_new_key_and_refuses_a_repeat() -> None:
    seen: set[str] = set()
    check_unique("st1", seen, "st1 twice", "who")
    check_unique("st2", seen, "st2 twice", "who")
    assert seen == {"st1", "st2"}
    with pytest.raises(ValidationError) as info:
        check_unique("st1", seen, "st1 twice", "who")
    assert (str(info.value), info.value.field, info.value.value) == ("st1 twice", "who", "st1")
    assert seen == {"st1", "st2"}


def test_a_group_with_a_student_twice_as_a_current_member_is_refused(
    store: Store, data_dir: Path, tree: Callable[[Path], dict[str, bytes]]
) -> None:
    ana = store.add_student("Ana", "Diaz", "3")
    twice = [Membership(ana.id, SEPT), Membership(ana.id, date(2026, 10, 1))]
    before = tree(data_dir)
    with pytest.raises(ValidationError) as info:
        store.add_group(Group("", "Reading A", memberships=twice))
    assert str(info.value) == f"student {ana.id} is listed twice as a current member"
    assert (info.value.field, info.value.value) == ("memberships", ana.id)
    assert tree(data_dir) == before
    assert store.groups() == []


def test_a_past_membership_and_a_current_one_are_both_kept(store: Store) -> None:
    ana = store.add_student("Ana", "Diaz", "3")
    rejoined = [Membership(ana.id, SEPT, date(2026, 9, 30)), Membership(ana.id, date(2026, 10, 5))]
    group = store.add_group(Group("", "Reading A", memberships=rejoined))
    assert [(m.start, m.end) for m in group.memberships] == [
        (SEPT, date(2026, 9, 30)),
        (date(2026, 10, 5), None),
    ]


def test_a_session_with_two_attendance_entries_for_a_student_is_refused(
    store: Store, data_dir: Path, tree: Callable[[Path], dict[str, bytes]]
) -> None:
    ana = store.add_student("Ana", "Diaz", "3")
    group = store.add_group(Group("", "Reading A", memberships=[Membership(ana.id, SEPT)]))
    entries = [Attendance(ana.id, "present"), Attendance(ana.id, "absent", "absent")]
    before = tree(data_dir)
    with pytest.raises(ValidationError) as info:
        store.log_session(Session("", group.id, TODAY, minutes_delivered=30, attendance=entries))
    assert str(info.value) == f"student {ana.id} has two attendance entries"
    assert (info.value.field, info.value.value) == ("attendance", ana.id)
    assert tree(data_dir) == before
    assert store.session_on(group.id, TODAY) is None


def test_check_after_refuses_a_value_not_after_the_first() -> None:
    check_after(0.0, 0.5, "unused", "max")
    check_after(SEPT, TODAY, "unused", "goal_date")
    for first, then in ((10.0, 10.0), (10.0, 0.0), (TODAY, TODAY), (TODAY, SEPT)):
        with pytest.raises(ValidationError) as info:
            check_after(first, then, "not after", "field")  # type: ignore[type-var]
        assert (str(info.value), info.value.field, info.value.value) == ("not after", "field", then)


def test_a_measure_whose_maximum_is_its_minimum_is_refused(
    store: Store, data_dir: Path, tree: Callable[[Path], dict[str, bytes]]
) -> None:
    before = tree(data_dir)
    with pytest.raises(ValidationError) as info:
        store.add_measure(Measure("WRF", "Words read", "words", 0, 0))
    assert str(info.value) == "maximum 0 must be above minimum 0"
    assert (info.value.field, info.value.value) == ("max", 0.0)
    assert tree(data_dir) == before
