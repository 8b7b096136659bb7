"""The schedule as an iCalendar file (RFC 5545) that phones and Outlook can import.

One recurring VEVENT per group that meets at least once in the school year:

* ``DTSTART`` is the group's first meeting at its start time, in *floating* local time (no
  TZID: a group "at 9:10" is at 9:10 wherever the school is, as in store/schedule.py);
  ``DTEND`` adds the group's duration.
* ``RRULE`` is the group's own rule with ``UNTIL`` = the group's end date or the last day of
  school (a rule that had its own COUNT/UNTIL ends at its last meeting instead).
* ``EXDATE`` lists every instance of that rule on which the group does not meet: no-school
  days, and weekend days a daily rule would produce. Expanding RRULE minus EXDATE gives
  exactly :func:`store.schedule.occurrences` over the school year; should a rule not survive
  re-anchoring, the event falls back to explicit ``RDATE``s.

Only the group name, location, program, skill focus and tier go in: never a student's name.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from dateutil.rrule import rrulestr

from store.db import Store
from store.model import Group, SchoolCalendar
from store.output import ExportResult, write_logged
from store.schedule import occurrences

if TYPE_CHECKING:  # icalendar (~170 ms) is imported when a calendar is made, not with store.export
    from icalendar import Event, vRecur

PRODID = "-//intervene//intervention schedule//EN"


def _recur(group: Group, until: datetime) -> vRecur:
    from icalendar import vRecur

    text = group.rrule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    recur = vRecur.from_ical(text.upper())
    for key in ("COUNT", "UNTIL"):
        recur.pop(key, None)
    recur["UNTIL"] = until
    return recur


def group_event(group: Group, calendar: SchoolCalendar, stamp: datetime) -> Event | None:
    """The VEVENT of one group over the school year, or None if it never meets."""
    from icalendar import Event

    days = occurrences(group, calendar, calendar.year_start, calendar.year_end)
    if not days:
        return None
    start = datetime.combine(days[0], group.start)
    event = Event()
    event.add("uid", f"{group.id}@intervene")
    event.add("dtstamp", stamp)
    event.add("summary", group.name)
    if group.location:
        event.add("location", group.location)
    details = [
        f"Program: {group.program}" if group.program else "",
        f"Focus: {group.skill_focus}" if group.skill_focus else "",
        f"Tier {group.tier}",
    ]
    event.add("description", " · ".join(d for d in details if d))
    event.add("categories", ["Intervention"])
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=group.duration_minutes))

    rule_text = group.rrule.upper()
    own_end = "COUNT=" in rule_text or "UNTIL=" in rule_text
    last = days[-1] if own_end else min(calendar.year_end, group.end_date or calendar.year_end)
    recur = _recur(group, datetime.combine(last, group.start))
    wanted = set(days)
    try:
        instances = list(rrulestr(recur.to_ical().decode(), dtstart=start))
    except (ValueError, TypeError):
        instances = []
    excluded = [dt for dt in instances if dt.date() not in wanted]
    if {dt.date() for dt in instances} - {dt.date() for dt in excluded} == wanted:
        event.add("rrule", recur)
        if excluded:
            event.add("exdate", excluded)
    else:  # pragma: no cover - a rule that re-anchoring would change: list the dates
        extra = [datetime.combine(d, group.start) for d in days[1:]]
        if extra:
            event.add("rdate", extra)
    return event


def calendar_ics(
    groups: list[Group],
    calendar: SchoolCalendar,
    *,
    now: datetime | None = None,
    name: str = "Intervention groups",
) -> bytes:
    """An RFC 5545 calendar of ``groups`` over the school year."""
    from icalendar import Calendar

    moment = now or datetime.now()
    stamp = (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for group in sorted(groups, key=lambda g: (g.start_time, g.name.casefold(), g.id)):
        event = group_event(group, calendar, stamp.replace(microsecond=0))
        if event is not None:
            cal.add_component(event)
    return cal.to_ical()


def export_calendar(store: Store, path: str | Path, *, now: datetime | None = None) -> ExportResult:
    """Write the schedule of every group as .ics; logged as kind ``calendar`` (no student
    data: 0 students, de-identified)."""
    data = calendar_ics(store.groups(include_inactive=True), store.calendar(), now=now)
    written, record = write_logged(store, "calendar", path, data, 0, deidentified=True)
    events = data.count(b"BEGIN:VEVENT")
    return ExportResult(written, events, 0, True, record)


def event_dates(event: Event) -> list[date]:
    """The dates an exported VEVENT stands for (RRULE + RDATE − EXDATE), for checks."""
    start = event.decoded("dtstart")
    dates: set[datetime] = {start}
    if "RRULE" in event:
        rule = event["RRULE"].to_ical()
        text = rule.decode() if isinstance(rule, bytes) else rule
        dates = set(rrulestr(text, dtstart=start))
    for key in ("RDATE", "EXDATE"):
        values = event.get(key)
        if values is None:
            continue
        items = [d.dt for v in (values if isinstance(values, list) else [values]) for d in v.dts]
        dates = dates | set(items) if key == "RDATE" else dates - set(items)
    return sorted(d.date() for d in dates)
