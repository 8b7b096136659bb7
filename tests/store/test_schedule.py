"""Schedules: RFC 5545 rules anchored at the group's start, no-school days as EXDATE."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from store.errors import ValidationError
from store.model import Group, Membership, NoSchool, SchoolCalendar
from store.schedule import (
    build_rrule,
    conflicts,
    conflicts_for,
    current_meeting,
    describe,
    groups_on,
    meetings_on,
    meets_on,
    next_dates,
    next_meeting,
    next_school_day,
    occurrences,
    parse_rrule,
)

# 2026-08-24 and 2026-09-07 are Mondays.
YEAR = SchoolCalendar(date(2026, 8, 24), date(2027, 6, 11), [])
MON = date(2026, 9, 7)


def group(
    gid: str = "g1",
    name: str = "Reading A",
    *,
    rrule: str = "FREQ=WEEKLY;BYDAY=MO,WE",
    start_time: str = "09:10",
    minutes: int = 30,
    start: date | None = MON,
    end: date | None = None,
    members: tuple[str, ...] = (),
    active: bool = True,
) -> Group:
    return Group(
        id=gid,
        name=name,
        rrule=rrule,
        start_time=start_time,
        duration_minutes=minutes,
        start_date=start,
        end_date=end,
        memberships=[Membership(s, start or YEAR.year_start) for s in members],
        active=active,
    )


def d(offset: int) -> date:
    return MON + timedelta(days=offset)


# --------------------------------------------------------------------------- parse_rrule
def test_parse_rrule_with_and_without_prefix() -> None:
    plain = parse_rrule("FREQ=WEEKLY;BYDAY=MO,TU", MON)
    prefixed = parse_rrule("RRULE:FREQ=WEEKLY;BYDAY=MO,TU", datetime(2026, 9, 7))
    lower = parse_rrule("freq=weekly;byday=mo,tu", MON)
    expected = [datetime(2026, 9, 7), datetime(2026, 9, 8), datetime(2026, 9, 14)]
    assert list(plain[:3]) == list(prefixed[:3]) == list(lower[:3]) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FREQ=WEEKLY;BYDAY=XX", "XX"),
        ("BYDAY=MO", "FREQ is missing"),
        ("FREQ=SOMETIMES", "FREQ=SOMETIMES"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "COUNT and UNTIL"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL=0"),
        ("", "empty"),
        ("every monday", "KEY=VALUE"),
        ("FREQ=WEEKLY\nRRULE:FREQ=DAILY", "one rule"),
    ],
)
def test_invalid_rrule_names_the_rule_and_reason(text: str, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_rrule(text, MON)
    message = str(info.value)
    assert message.startswith(f"recurrence {text!r} is not a valid RRULE: ")
    assert reason in message
    assert info.value.field == "rrule"
    assert info.value.value == text


def test_until_in_utc_is_read_as_a_local_date() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=MO;UNTIL=20260921T235959Z", MON)
    assert [x.date() for x in rule] == [d(0), d(7), d(14)]


# --------------------------------------------------------------------------- occurrences
def test_weekly_rule() -> None:
    g = group(rrule="FREQ=WEEKLY;BYDAY=MO,WE")
    assert occurrences(g, YEAR, d(0), d(13)) == [d(0), d(2), d(7), d(9)]


def test_biweekly_is_anchored_at_the_start_date() -> None:
    g = group(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", start=MON)
    # weeks 0, 2, 4 from the start date — even when the window starts in an odd week
    assert occurrences(g, YEAR, d(0), d(34)) == [d(0), d(14), d(28)]
    assert occurrences(g, YEAR, d(7), d(34)) == [d(14), d(28)]
    assert not meets_on(g, YEAR, d(7))
    assert meets_on(g, YEAR, d(14))
    # shifting the start by one week shifts every meeting
    shifted = group(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", start=d(7))
    assert occurrences(shifted, YEAR, d(0), d(34)) == [d(7), d(21)]


def test_biweekly_without_start_date_anchors_at_first_day_of_school() -> None:
    g = group(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", start=None)
    first = YEAR.year_start  # Mon 2026-08-24
    assert occurrences(g, YEAR, first, first + timedelta(days=35)) == [
        first,
        first + timedelta(days=14),
        first + timedelta(days=28),
    ]


def test_no_school_ranges_act_as_exdates() -> None:
    cal = SchoolCalendar(YEAR.year_start, YEAR.year_end, [NoSchool(d(7), d(8), "break")])
    g = group(rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE")
    assert occurrences(g, cal, d(0), d(9)) == [d(0), d(1), d(2), d(9)]
    assert not meets_on(g, cal, d(7))


def test_daily_rule_skips_weekends() -> None:
    g = group(rrule="FREQ=DAILY")
    assert occurrences(g, YEAR, d(0), d(13)) == [d(i) for i in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)]


def test_mid_year_start_and_end() -> None:
    g = group(rrule="FREQ=WEEKLY;BYDAY=MO,TH", start=date(2027, 1, 13), end=date(2027, 1, 25))
    assert occurrences(g, YEAR, YEAR.year_start, YEAR.year_end) == [
        date(2027, 1, 14),
        date(2027, 1, 18),
        date(2027, 1, 21),
        date(2027, 1, 25),
    ]


def test_days_outside_the_school_year() -> None:
    g = group(rrule="FREQ=DAILY", start=None)
    assert occurrences(g, YEAR, date(2026, 8, 17), date(2026, 8, 25)) == [
        date(2026, 8, 24),
        date(2026, 8, 25),
    ]
    assert occurrences(g, YEAR, date(2027, 6, 10), date(2027, 6, 30)) == [
        date(2027, 6, 10),
        date(2027, 6, 11),
    ]
    assert not meets_on(g, YEAR, date(2027, 7, 5))


def test_inactive_group_without_end_date_does_not_meet() -> None:
    assert occurrences(group(active=False), YEAR, d(0), d(13)) == []
    ended = group(active=False, end=d(2))
    assert occurrences(ended, YEAR, d(0), d(13)) == [d(0), d(2)]


def test_a_whole_year_is_fast_enough() -> None:
    g = group(rrule="FREQ=DAILY", start=None)
    assert len(occurrences(g, YEAR, YEAR.year_start, YEAR.year_end)) > 180


# --------------------------------------------------------------------------- days
def test_groups_on_orders_by_start_time_then_name() -> None:
    late = group("g1", "Alpha", start_time="10:00")
    early_b = group("g2", "Bravo", start_time="08:15")
    early_a = group("g3", "alpha", start_time="08:15")
    other_day = group("g4", "Tuesday only", rrule="FREQ=WEEKLY;BYDAY=TU")
    assert [g.id for g in groups_on([late, early_b, early_a, other_day], YEAR, MON)] == [
        "g3",
        "g2",
        "g1",
    ]
    meetings = meetings_on([late, early_b], YEAR, MON)
    assert len(set(meetings + meetings_on([late], YEAR, MON))) == 2  # hashable
    assert [(m.start, m.end) for m in meetings] == [
        (datetime(2026, 9, 7, 8, 15), datetime(2026, 9, 7, 8, 45)),
        (datetime(2026, 9, 7, 10, 0), datetime(2026, 9, 7, 10, 30)),
    ]


def test_next_meeting_across_a_weekend_and_a_no_school_day() -> None:
    cal = SchoolCalendar(YEAR.year_start, YEAR.year_end, [NoSchool(d(7), d(7), "PD day")])
    daily = group("g1", "Phonics", rrule="FREQ=DAILY", start_time="08:15")
    later = group("g2", "Math", rrule="FREQ=DAILY", start_time="10:00")
    friday_evening = datetime(2026, 9, 11, 16, 0)
    m = next_meeting([later, daily], YEAR, friday_evening)
    assert m is not None and m.group.id == "g1" and m.start == datetime(2026, 9, 14, 8, 15)
    # Monday d(7) has no school: next is Tuesday
    m = next_meeting([later, daily], cal, friday_evening)
    assert m is not None and m.start == datetime(2026, 9, 15, 8, 15)
    # later the same day; strictly after
    m = next_meeting([later, daily], YEAR, datetime(2026, 9, 8, 8, 15))
    assert m is not None and m.group.id == "g2" and m.date == d(1)
    assert next_meeting([daily], YEAR, datetime(2027, 6, 11, 17, 0)) is None


def test_current_meeting() -> None:
    a = group("g1", "Reading A", start_time="09:10", minutes=30)
    b = group("g2", "Math B", start_time="09:40", minutes=30)
    at = datetime.combine(MON, datetime.min.time())
    assert current_meeting([a, b], YEAR, at.replace(hour=9, minute=9)) is None
    m = current_meeting([a, b], YEAR, at.replace(hour=9, minute=10))
    assert m is not None and m.group.id == "g1"
    m = current_meeting([a, b], YEAR, at.replace(hour=9, minute=40))
    assert m is not None and m.group.id == "g2"
    assert current_meeting([a, b], YEAR, at.replace(hour=10, minute=10)) is None
    assert current_meeting([a, b], YEAR, at.replace(day=8, hour=9, minute=20)) is None


def test_next_school_day() -> None:
    cal = SchoolCalendar(YEAR.year_start, YEAR.year_end, [NoSchool(d(7), d(8), "break")])
    friday = d(4)
    assert next_school_day(cal, friday) == d(9)
    assert next_school_day(cal, d(9), step=-1) == friday
    assert next_school_day(cal, d(0)) == d(1)
    assert next_school_day(cal, YEAR.year_end) is None
    assert next_school_day(cal, YEAR.year_start, step=-1) is None
    assert next_school_day(cal, date(2026, 8, 1)) == YEAR.year_start


def test_next_dates() -> None:
    g = group(rrule="FREQ=WEEKLY;BYDAY=MO,WE")
    assert next_dates(g, YEAR, d(0), n=3) == [d(2), d(7), d(9)]
    short = group(rrule="FREQ=WEEKLY;BYDAY=MO", end=d(14))
    assert next_dates(short, YEAR, d(0), n=5) == [d(7), d(14)]


# --------------------------------------------------------------------------- conflicts
def test_overlapping_groups_collapse_into_one_conflict() -> None:
    a = group("g1", "Reading A", rrule="FREQ=WEEKLY;BYDAY=MO,TU", start_time="09:10")
    b = group("g2", "Math B", rrule="FREQ=WEEKLY;BYDAY=MO", start_time="09:20")
    found = conflicts([a, b], YEAR, d(0), d(27))
    assert len(found) == 1
    c = found[0]
    assert c.kind == "groups"
    assert {g.id for g in c.groups} == {"g1", "g2"}
    assert c.first_date == d(0) and c.count == 4
    assert (
        c.message == "Reading A and Math B overlap on Mondays 9:20–9:40 (first 2026-09-07, 4 dates)"
    )


def test_student_in_two_overlapping_groups() -> None:
    a = group("g1", "Reading A", start_time="09:10", members=("s1", "s2"))
    b = group("g2", "Math B", start_time="09:30", members=("s2", "s3"))
    found = conflicts([a, b], YEAR, d(0), d(6), student_names={"s2": "Ana Díaz"})
    kinds = [(c.kind, c.student_id) for c in found]
    assert ("groups", None) in kinds and ("student", "s2") in kinds and len(found) == 2
    student = next(c for c in found if c.kind == "student")
    assert student.message == (
        "Ana Díaz is in both Reading A and Math B, which overlap on Mondays and Wednesdays "
        "9:30–9:40 (first 2026-09-07, 2 dates)"
    )


def test_student_conflict_respects_membership_dates() -> None:
    a = group("g1", "Reading A", start_time="09:10", members=("s1",))
    b = group("g2", "Math B", start_time="09:30")
    b.memberships = [Membership("s1", d(7))]
    found = [c for c in conflicts([a, b], YEAR, d(0), d(13)) if c.kind == "student"]
    assert len(found) == 1 and found[0].dates == (d(7), d(9))


def test_back_to_back_groups_do_not_conflict() -> None:
    a = group("g1", "Reading A", start_time="09:00", members=("s1",))
    b = group("g2", "Math B", start_time="09:30", members=("s1",))
    assert conflicts([a, b], YEAR, d(0), d(27)) == []


def test_same_time_on_different_days_or_weeks_do_not_conflict() -> None:
    a = group("g1", "A", rrule="FREQ=WEEKLY;BYDAY=MO")
    b = group("g2", "B", rrule="FREQ=WEEKLY;BYDAY=TU")
    odd = group("g3", "C", rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", start=MON)
    even = group("g4", "D", rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", start=d(7))
    assert conflicts([a, b, odd, even], YEAR, d(0), d(60)) == []


def test_conflicts_for_a_candidate_skips_its_saved_self() -> None:
    saved = group("g1", "Reading A", start_time="09:10")
    edited = group("g1", "Reading A", start_time="09:25")
    other = group("g2", "Math B", start_time="09:40")
    found = conflicts_for(edited, [saved, other], YEAR, d(0), d(6))
    assert [(c.kind, c.groups[0].id, c.groups[1].id) for c in found] == [("groups", "g1", "g2")]
    assert conflicts_for(saved, [saved, other], YEAR, d(0), d(6)) == []


# --------------------------------------------------------------------------- words
def test_describe() -> None:
    g = group(
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,TH",
        start_time="09:10",
        start=date(2026, 9, 8),
        end=date(2027, 1, 30),
    )
    assert describe(g) == "Mon, Tue, Thu at 9:10 for 30 min, from Sep 8 to Jan 30"
    biweekly = group(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", start_time="13:05", start=None)
    assert describe(biweekly) == "every other week on Mon, Wed at 13:05 for 30 min"
    daily = group(rrule="RRULE:FREQ=DAILY", start_time="08:00", minutes=45, start=None)
    assert describe(daily) == "every school day at 8:00 for 45 min"
    weekdays = group(rrule="FREQ=WEEKLY;BYDAY=FR,MO,TU,WE,TH", start=None, end=date(2027, 3, 5))
    assert describe(weekdays) == "Mon–Fri at 9:10 for 30 min, until Mar 5"
    no_byday = group(rrule="FREQ=WEEKLY", start=date(2026, 9, 9))
    assert describe(no_byday) == "Wed at 9:10 for 30 min, from Sep 9"
    assert "not a valid schedule" in describe(group(rrule="nonsense", start=None))


def test_build_rrule() -> None:
    assert build_rrule(["MO", "TU"]) == "FREQ=WEEKLY;BYDAY=MO,TU"
    assert build_rrule(["we", "Mon"], interval=2) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE"
    assert build_rrule(["FR", "MO", "MO"]) == "FREQ=WEEKLY;BYDAY=MO,FR"
    parse_rrule(build_rrule(["TH"], 3), MON)  # round trip
    with pytest.raises(ValidationError, match="weekday 'XX'"):
        build_rrule(["XX"])
    with pytest.raises(ValidationError, match="at least one weekday"):
        build_rrule([])
    with pytest.raises(ValidationError, match="interval"):
        build_rrule(["MO"], interval=0)


def test_an_unscheduled_group_never_meets_and_says_so() -> None:
    from store.schedule import UNSCHEDULED_RRULE, describe, is_unscheduled

    cal = SchoolCalendar(date(2026, 8, 24), date(2027, 6, 11))
    group = Group(id="g", name="Imported", rrule=UNSCHEDULED_RRULE, start_date=date(2026, 8, 24))
    assert is_unscheduled(group)
    assert describe(group) == "not scheduled yet"
    assert occurrences(group, cal, cal.year_start, cal.year_end) == []
