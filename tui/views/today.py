"""Today's rows: the day's group meetings with their status words, and the header's phrase."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from store import schedule
from store.model import Group, Session
from store.records import mutable_record


@mutable_record
class DayRow:
    """One group meeting on the viewed day, with its status word."""

    meeting: schedule.Meeting
    session: Session | None
    status: str

    @property
    def group(self) -> Group:
        return self.meeting.group


def group_status(
    meeting: schedule.Meeting, session: Session | None, now: datetime, next_start: datetime | None
) -> str:
    """done ✓ / now ● / next / later / cancelled / not logged, for ``meeting`` as of ``now``."""
    if session is not None:
        return "cancelled" if session.status == "cancelled" else "done ✓"
    if meeting.end <= now:
        return "not logged"
    if meeting.start <= now:
        return "now ●"
    if next_start is not None and meeting.start == next_start:
        return "next"
    return "later"


def _in_words(delta: timedelta) -> str:
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def moment_text(
    day: date,
    now: datetime,
    rows: list[DayRow],
    next_meeting: schedule.Meeting | None,
    no_school_label: str | None,
) -> str:
    """The header's phrase: 'Now: Math Facts B · ends 10:15', 'Next: Reading A in 7 min'…"""
    if day != now.date():
        when = "past day" if day < now.date() else "coming day"
        return f"Viewing a {when} — press t for today"
    if not rows:
        reason = f"No school today ({no_school_label})" if no_school_label else "No groups today"
        if next_meeting is None:
            return reason
        return f"{reason} — next: {next_meeting.start:%a} {next_meeting.start:%-H:%M}"
    current = [
        r for r in rows if r.meeting.start <= now < r.meeting.end and r.status != "cancelled"
    ]
    if current:
        m = current[0].meeting
        return f"Now: {m.group.name} · ends {m.end:%-H:%M}"
    upcoming = [r for r in rows if r.meeting.start > now and r.status != "cancelled"]
    if upcoming:
        m = upcoming[0].meeting
        return f"Next: {m.group.name} in {_in_words(m.start - now)}"
    return "No more groups today"
