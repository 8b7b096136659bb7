"""The schedule as iCalendar: round trip through the file, no student names."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from store.db import Store
from store.ical import calendar_ics, event_dates, export_calendar
from store.model import Group, NoSchool, SchoolCalendar
from store.schedule import occurrences
from tests.store.test_export import Caseload, build_caseload, secrets_of


@pytest.fixture
def caseload(store: Store) -> Caseload:
    return build_caseload(store)


def expand(event) -> list[date]:  # type: ignore[no-untyped-def]
    """RRULE minus EXDATE with dateutil, independently of store.ical."""
    start = event.decoded("dtstart")
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
    excluded: set[datetime] = set()
    ex = event.get("EXDATE")
    for prop in ex if isinstance(ex, list) else ([ex] if ex is not None else []):
        excluded |= {d.dt for d in prop.dts}
    return sorted(dt.date() for dt in rule if dt not in excluded)


def test_round_trip_matches_the_schedule(store: Store, caseload: Caseload, tmp_path: Path) -> None:
    path = tmp_path / "schedule.ics"
    result = export_calendar(store, path, now=datetime(2026, 11, 25, 10))
    cal = store.calendar()
    parsed = Calendar.from_ical(path.read_bytes())
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    groups = store.groups()
    meeting = [g for g in groups if occurrences(g, cal, cal.year_start, cal.year_end)]
    assert result.rows == len(events) == len(meeting) == 3  # the unscheduled group is left out
    for g in meeting:
        event = events[f"{g.id}@intervene"]
        assert expand(event) == occurrences(g, cal, cal.year_start, cal.year_end), g.name
        assert event_dates(event) == expand(event)
        start = event.decoded("dtstart")
        assert start.tzinfo is None  # floating local time
        assert start.strftime("%H:%M") == g.start_time
        assert event.decoded("dtend") - start == timedelta(minutes=g.duration_minutes)
        assert str(event["SUMMARY"]) == g.name
        until = event["RRULE"]["UNTIL"][0]
        assert until.date() == (g.end_date or cal.year_end)
    reading = events[f"{caseload.groups['reading']}@intervene"]
    assert str(reading["LOCATION"]) == "Room 12"
    assert "Phonics Boost" in str(reading["DESCRIPTION"])
    exdates = {d.dt.date() for d in reading["EXDATE"].dts}
    fall_break = {n for n in cal.no_school_dates()}
    assert exdates and exdates <= fall_break  # only no-school days for a weekday rule
    daily = events[f"{caseload.groups['cico']}@intervene"]
    assert any(d.dt.weekday() >= 5 for d in daily["EXDATE"].dts)  # weekends of a DAILY rule
    assert store.exports()[-1].kind == "calendar" and store.exports()[-1].students == 0


def test_no_student_names_in_the_calendar(store: Store, caseload: Caseload) -> None:
    data = calendar_ics(store.groups(), store.calendar()).decode().casefold()
    group_names = {g.name.casefold() for g in store.groups()}
    for secret in secrets_of(store):
        if secret.casefold() in group_names or secret.startswith("gr-"):
            continue  # group names and ids are meant to be there
        assert secret.casefold() not in data, secret


def test_group_end_date_count_and_until() -> None:
    cal = SchoolCalendar(
        date(2026, 8, 25), date(2027, 6, 11), [NoSchool(date(2026, 9, 7), date(2026, 9, 7))]
    )
    groups = [
        Group("g1", "Ends early", rrule="FREQ=WEEKLY;BYDAY=MO,WE", end_date=date(2026, 10, 30)),
        Group(
            "g2", "Counted", rrule="RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4", start_date=date(2026, 9, 1)
        ),
        Group("g3", "Until", rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20261201T000000Z"),
        Group("g4", "Monthly", rrule="FREQ=MONTHLY;BYDAY=1TH", start_time="13:45"),
        Group(
            "g5",
            "Later start",
            rrule="FREQ=WEEKLY;INTERVAL=3;BYDAY=FR",
            start_date=date(2026, 9, 16),
        ),
    ]
    parsed = Calendar.from_ical(calendar_ics(groups, cal, now=datetime(2026, 9, 1)))
    events = {str(e["UID"]).split("@")[0]: e for e in parsed.walk("VEVENT")}
    for g in groups:
        want = occurrences(g, cal, cal.year_start, cal.year_end)
        assert expand(events[g.id]) == want, g.name
    assert events["g1"]["RRULE"]["UNTIL"][0].date() == date(2026, 10, 30)  # the end date
    assert events["g3"]["RRULE"]["UNTIL"][0].date() == date(2026, 12, 1)  # its last meeting
    assert "COUNT" not in events["g2"]["RRULE"]


def test_ical_text_is_rfc5545(store: Store, caseload: Caseload) -> None:
    text = calendar_ics(store.groups(), store.calendar(), now=datetime(2026, 11, 25)).decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "VERSION:2.0" in text and "PRODID:" in text
    assert "DTSTAMP:20261125T" in text and "TZID" not in text
