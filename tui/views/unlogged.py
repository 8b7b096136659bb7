"""Meetings that happened but were never logged (for "2 sessions not logged this week")."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from store import schedule
from store.db import Store
from store.errors import CorruptFileError
from store.model import Group


def unlogged_sessions(
    store: Store, today: date, days: int = 7, *, now: datetime | None = None
) -> list[tuple[Group, date]]:
    """Past meetings in the ``days`` days before ``today`` with no session logged (delivered
    or cancelled), oldest first. With ``now``, today's meetings that have already ended count
    too. Ended groups count for the dates they still met. A meeting counts only from the
    group's start date and while it had members: nothing is "not logged" from before the
    group existed (a group with no start date, e.g. from a roster, starts with its first
    member)."""
    calendar = store.calendar()
    start = today - timedelta(days=days)
    end = today - timedelta(days=1)
    out: list[tuple[Group, date]] = []
    for group in store.groups(include_inactive=True):
        dates = schedule.occurrences(group, calendar, start, end) if start <= end else []
        if now is not None and now.date() == today:
            dates += [
                m.date for m in schedule.meetings_on([group], calendar, today) if m.end <= now
            ]
        if not dates:  # an ended group's log is not read (issue 16: years of groups)
            continue
        try:
            logged = {
                (s.group_id, s.date) for s in store.sessions(group.id, since=start, until=today)
            }
        except CorruptFileError:  # an unreadable log is named on Today, never "not logged"
            continue
        out.extend((group, d) for d in dates if (group.id, d) not in logged and group.members_on(d))
    out.sort(key=lambda pair: (pair[1], pair[0].start_time, pair[0].name.casefold()))
    return out
