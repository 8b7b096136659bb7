"""Weeks of school: elapsed time with whole no-school weeks left out (DOMAIN.md goal: goal =
baseline + ROI × weeks, where the weeks are weeks of instruction; a winter break is not a week
in which a student could grow).

A *break week* is a Monday–Friday week inside the school year on which no day is a school day
(every weekday is covered by the calendar's no-school ranges). Partial weeks count whole: a
single holiday does not shorten the week.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from store.model import SchoolCalendar


def monday_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def break_weeks(calendar: SchoolCalendar) -> tuple[date, ...]:
    """Mondays of the whole no-school weeks between the first and last day of school."""
    if not calendar.no_school:
        return ()
    out = []
    week = monday_of(calendar.year_start)
    while week <= calendar.year_end:
        days = [week + timedelta(days=i) for i in range(5)]
        inside = [d for d in days if calendar.year_start <= d <= calendar.year_end]
        if inside and len(inside) == 5 and not any(calendar.is_school_day(d) for d in days):
            out.append(week)
        week += timedelta(weeks=1)
    return tuple(out)


def school_weeks_between(start: date, end: date, breaks: Iterable[date] = ()) -> float:
    """(end − start) in weeks (days / 7) less the part of each break week (Monday → next
    Monday) that falls between them; negative when ``end`` is before ``start``."""
    if end < start:
        return -school_weeks_between(end, start, breaks)
    days = (end - start).days
    for monday in breaks:
        lo, hi = max(start, monday), min(end, monday + timedelta(days=7))
        if hi > lo:
            days -= (hi - lo).days
    return days / 7


def school_weeks(start: date, end: date, calendar: SchoolCalendar | None = None) -> float:
    """Weeks of school from ``start`` to ``end`` on ``calendar`` (its whole no-school weeks
    left out); plain calendar weeks without one. The one count of a goal's weeks that the goal
    helpers, the goal form, the goal statement and reports share (DOMAIN.md goal: ROI ×
    weeks of instruction)."""
    return school_weeks_between(start, end, break_weeks(calendar) if calendar else ())
