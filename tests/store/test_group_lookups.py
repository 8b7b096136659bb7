"""The group lookups Today's first paint uses (issue 16): ``groups_open_on`` (the groups that
can still meet) and ``groups_with`` (the groups some students were ever in) return exactly
what filtering every group would, without parsing the rest."""

from __future__ import annotations

from datetime import date

from store.db import Store
from store.model import Group, Membership

DAY = date(2026, 11, 25)


def _group(store: Store, name: str, *members: str, **kw: object) -> Group:
    group = Group(
        id="",
        name=name,
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
        start_time=str(kw.pop("start_time", "09:00")),
        measures=["ORF"],
        memberships=[Membership(m, date(2026, 9, 1)) for m in members],
        **kw,  # type: ignore[arg-type]
    )
    return store.add_group(group)


def _school(store: Store) -> dict[str, Group]:
    ava = store.add_student("Ava", "Jones", "3").id
    ben = store.add_student("Ben", "Lee", "3").id
    cal = store.add_student("Cal", "Moss", "3").id
    made = {
        "open": _group(store, "Open", ava, start_time="10:00"),
        "later end": _group(store, "Later end", ben, end_date=date(2027, 1, 29)),
        "ends on the day": _group(store, "Ends today", cal, end_date=DAY),
        # an end date in the past while still marked active (as an old folder may hold)
        "ended, active": _group(store, "Ended active", ava, end_date=date(2026, 10, 30)),
        "other": _group(store, "Other", cal, start_time="08:30"),
    }
    made["ended"] = store.end_group(_group(store, "Ended", ben, ava).id, date(2026, 10, 16))
    made["joined later"] = store.add_member(made["other"].id, ben, date(2026, 11, 2))
    made["left"] = store.remove_member(made["joined later"].id, ben, date(2026, 11, 20))
    return made


def test_groups_open_on_is_the_active_groups_not_ended_before_the_day(store: Store) -> None:
    _school(store)
    for day in (date(2026, 9, 1), date(2026, 10, 30), date(2026, 10, 31), DAY, date(2027, 2, 1)):
        expected = [g for g in store.groups() if g.end_date is None or g.end_date >= day]
        assert store.groups_open_on(day) == expected, day
    names = [g.name for g in store.groups_open_on(DAY)]
    assert names == ["Other", "Ends today", "Later end", "Open"]  # by start time, then name
    assert [g.name for g in store.groups_open_on(date(2026, 10, 30))] == [
        "Other",
        "Ended active",
        "Ends today",
        "Later end",
        "Open",
    ]


def test_groups_with_is_every_group_the_students_were_ever_in(store: Store) -> None:
    _school(store)
    everyone = store.groups(include_inactive=True)
    for student in store.students():
        for ids in ([student.id], [student.id, "no-such-student"]):
            expected = [g for g in everyone if any(m.student_id in ids for m in g.memberships)]
            assert store.groups_with(ids) == expected
    ben = next(s.id for s in store.students() if s.name.startswith("Ben"))
    # an ended group, and one Ben left, are still his history (dosage windows reach them)
    assert [g.name for g in store.groups_with([ben])] == ["Other", "Ended", "Later end"]
    assert store.groups_with([]) == []


def test_groups_reads_the_same_after_a_reopen(store: Store) -> None:
    _school(store)
    before = (store.groups(), store.groups(include_inactive=True), store.groups_open_on(DAY))
    store.close()
    again = Store.open(store.data_dir, clock=store._clock)
    try:
        after = (again.groups(), again.groups(include_inactive=True), again.groups_open_on(DAY))
        assert after == before
        assert [g.name for g in after[0]] == [
            "Other",
            "Ended active",
            "Ends today",
            "Later end",
            "Open",
        ]
    finally:
        again.close()
