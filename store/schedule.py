"""Which groups meet when: recurring schedules as RFC 5545 recurrence rules.

A group's ``rrule`` is the value of an RFC 5545 RRULE property (§3.3.10 "Recurrence Rule",
§3.8.5.3), e.g. ``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH``; python-dateutil's ``rrulestr`` expands it.
The rule is anchored at the group's start date (its DTSTART, §3.8.2.4), or the first day of
school when the group has none, so ``INTERVAL=2`` ("every other week") counts weeks from that
date. The school calendar's no-school ranges act as EXDATEs (§3.8.5.1), and a group only meets
on school days (weekdays inside the school year) between its start and end dates.

Times are naive local wall-clock times: a group "at 9:10" meets at 9:10 wherever the school is.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from store.errors import ValidationError
from store.model import WEEKDAYS, Group, SchoolCalendar
from store.records import frozen_record

Day = date  # an alias for annotations inside classes with a field named `date`

__all__ = [
    "Conflict",
    "Meeting",
    "build_rrule",
    "conflicts",
    "conflicts_for",
    "current_meeting",
    "describe",
    "groups_on",
    "meetings_on",
    "meets_on",
    "next_dates",
    "next_meeting",
    "next_school_day",
    "occurrences",
    "parse_rrule",
]

_DAY_ABBR = {
    "MO": "Mon",
    "TU": "Tue",
    "WE": "Wed",
    "TH": "Thu",
    "FR": "Fri",
    "SA": "Sat",
    "SU": "Sun",
}
_DAY_PLURAL = {
    0: "Mondays",
    1: "Tuesdays",
    2: "Wednesdays",
    3: "Thursdays",
    4: "Fridays",
    5: "Saturdays",
    6: "Sundays",
}
_DAY_ALIASES = {
    **{code: code for code in WEEKDAYS},
    **{abbr.upper(): code for code, abbr in _DAY_ABBR.items()},
    "MONDAY": "MO",
    "TUESDAY": "TU",
    "WEDNESDAY": "WE",
    "THURSDAY": "TH",
    "FRIDAY": "FR",
    "SATURDAY": "SA",
    "SUNDAY": "SU",
    "M": "MO",
    "T": "TU",
    "W": "WE",
    "R": "TH",
    "F": "FR",
}
_FREQS = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


# --------------------------------------------------------------------------- parsing
def _invalid(text: str, reason: str) -> ValidationError:
    return ValidationError(
        f"recurrence {text!r} is not a valid RRULE: {reason}", field="rrule", value=text
    )


def _rule_parts(text: str) -> tuple[str, dict[str, str]]:
    """Split ``[RRULE:]KEY=VALUE;...`` into (normalised rule text, {KEY: VALUE}).

    Checks what dateutil lets through or reports obscurely (RFC 5545 §3.3.10): a single
    rule, FREQ present, INTERVAL ≥ 1, COUNT and UNTIL not both.
    """
    if not isinstance(text, str):
        raise _invalid(str(text), "it is not text")
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :].strip()
    if not body:
        raise _invalid(text, "it is empty (e.g. FREQ=WEEKLY;BYDAY=MO,WE)")
    if "\n" in body or "\r" in body or ":" in body:
        raise _invalid(text, "give one rule only, without DTSTART/EXDATE lines")
    parts: dict[str, str] = {}
    for chunk in body.rstrip(";").split(";"):
        key, sep, value = chunk.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not sep or not key or not value:
            raise _invalid(text, f"{chunk.strip()!r} is not KEY=VALUE")
        if key in parts:
            raise _invalid(text, f"{key} is given twice")
        parts[key] = value
    if "FREQ" not in parts:
        raise _invalid(text, "FREQ is missing (e.g. FREQ=WEEKLY)")
    if parts["FREQ"] not in _FREQS:
        raise _invalid(text, f"FREQ={parts['FREQ']} is not one of {', '.join(_FREQS)}")
    if "INTERVAL" in parts and (not parts["INTERVAL"].isdigit() or int(parts["INTERVAL"]) < 1):
        raise _invalid(text, f"INTERVAL={parts['INTERVAL']} must be a whole number of 1 or more")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _invalid(text, "COUNT and UNTIL cannot both be given (RFC 5545 §3.3.10)")
    if "UNTIL" in parts and parts["UNTIL"].endswith("Z"):
        # Calendar apps write UNTIL in UTC; group times are local wall-clock times.
        parts["UNTIL"] = parts["UNTIL"][:-1]
    return ";".join(f"{k}={v}" for k, v in parts.items()), parts


@lru_cache(maxsize=512)
def _parse_cached(normalised: str, dtstart: datetime) -> rrule:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rule = rrulestr(normalised, dtstart=dtstart)
    if not isinstance(rule, rrule):  # pragma: no cover - _rule_parts allows one rule only
        raise ValueError("expected a single rule")
    return rule


def _as_datetime(d: date | datetime) -> datetime:
    if isinstance(d, datetime):
        return d.replace(tzinfo=None)
    return datetime(d.year, d.month, d.day)


def parse_rrule(text: str, dtstart: date | datetime) -> rrule:
    """Parse an RFC 5545 RRULE value (with or without the ``RRULE:`` prefix) anchored at
    ``dtstart``; a bad rule raises ValidationError
    ``recurrence 'X' is not a valid RRULE: <reason>`` (field ``rrule``)."""
    normalised, _ = _rule_parts(text)
    try:
        return _parse_cached(normalised, _as_datetime(dtstart))
    except (ValueError, TypeError, KeyError, OverflowError, Warning) as exc:
        raise _invalid(text, str(exc) or type(exc).__name__) from None


def build_rrule(weekdays: Iterable[str], interval: int = 1) -> str:
    """A weekly rule from weekday names: ``(["WE", "mon"], 2)`` →
    ``FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE`` (INTERVAL omitted when 1)."""
    codes: set[str] = set()
    for day in weekdays:
        code = _DAY_ALIASES.get(str(day).strip().upper())
        if code is None:
            raise ValidationError(
                f"weekday {day!r} is not one of {', '.join(WEEKDAYS)}", field="rrule", value=day
            )
        codes.add(code)
    if not codes:
        raise ValidationError("choose at least one weekday", field="rrule", value=[])
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        raise ValidationError(
            f"every {interval!r} weeks: the interval must be a whole number of 1 or more",
            field="rrule",
            value=interval,
        )
    ordered = ",".join(code for code in WEEKDAYS if code in codes)
    middle = f";INTERVAL={interval}" if interval != 1 else ""
    return f"FREQ=WEEKLY{middle};BYDAY={ordered}"


# --------------------------------------------------------------------------- dates
def _anchor(group: Group, calendar: SchoolCalendar) -> date:
    return group.start_date or calendar.year_start


#: the rule parts under which a DAILY or WEEKLY rule repeats itself every INTERVAL days or
#: weeks (see _period_days)
_PERIODIC_PARTS = frozenset({"FREQ", "INTERVAL", "BYDAY", "WKST", "UNTIL"})


@lru_cache(maxsize=512)
def _period_days(text: str) -> int | None:
    """After how many days the rule ``text`` repeats itself, so that moving its anchor
    (DTSTART) forward by a whole number of periods leaves every date from the new anchor on
    unchanged: INTERVAL days for DAILY, INTERVAL weeks for WEEKLY (the moved anchor keeps its
    weekday and its place in the INTERVAL-week cycle of WKST weeks), when nothing else counts
    from the anchor (COUNT, BYSETPOS, ...) and BYDAY names plain weekdays. None otherwise.

    Why: dateutil walks a rule from its anchor, so a group that started in September was
    walked through every week since to answer "does it meet today?" (Today asks it of every
    group at start-up). Raises ValidationError for an invalid rule, as parse_rrule does."""
    _, parts = _rule_parts(text)
    if not parts.keys() <= _PERIODIC_PARTS:
        return None
    if "BYDAY" in parts and not all(d in WEEKDAYS for d in parts["BYDAY"].split(",")):
        return None
    step = int(parts.get("INTERVAL", "1"))
    return {"DAILY": step, "WEEKLY": 7 * step}.get(parts["FREQ"])


def _anchor_near(group: Group, calendar: SchoolCalendar, lo: date) -> date:
    """The group's anchor, moved forward by whole periods of its rule to the last such date
    on or before ``lo`` (the same dates from ``lo`` on; the anchor itself otherwise)."""
    anchor = _anchor(group, calendar)
    period = _period_days(group.rrule)
    if period is None or lo <= anchor:
        return anchor
    return anchor + timedelta(days=(lo - anchor).days // period * period)


def _window(
    group: Group, calendar: SchoolCalendar, start: date, end: date
) -> tuple[date, date] | None:
    """[start, end] clipped to the school year and the group's own dates; None if empty."""
    lo = max(start, calendar.year_start, group.start_date or calendar.year_start)
    hi = min(end, calendar.year_end)
    if group.end_date is not None:
        hi = min(hi, group.end_date)
    elif not group.active:
        return None  # ended without an end date: it no longer meets
    return (lo, hi) if lo <= hi else None


def occurrences(group: Group, calendar: SchoolCalendar, start: date, end: date) -> list[date]:
    """Dates in [start, end] on which ``group`` meets.

    The rule is anchored at the group's start date (or the first day of school); dates
    outside the school year, outside the group's start..end dates, on weekends and in
    no-school ranges (EXDATE, RFC 5545 §3.8.5.1) are left out. An inactive group with no
    end date does not meet at all. Raises ValidationError if the group's rule is invalid.
    """
    window = _window(group, calendar, start, end)
    if window is None:
        return []
    lo, hi = window
    rule = parse_rrule(group.rrule, _anchor_near(group, calendar, lo))
    last = _as_datetime(hi) + timedelta(days=1) - timedelta(microseconds=1)
    days = sorted({h.date() for h in rule.between(_as_datetime(lo), last, inc=True)})
    return [d for d in days if calendar.is_school_day(d)]


def meets_on(group: Group, calendar: SchoolCalendar, d: date) -> bool:
    """Does ``group`` meet on date ``d``?"""
    return bool(occurrences(group, calendar, d, d))


def _by_time(groups: Iterable[Group]) -> list[Group]:
    return sorted(groups, key=lambda g: (g.start_time, g.name.casefold(), g.id))


def groups_on(groups: Iterable[Group], calendar: SchoolCalendar, d: date) -> list[Group]:
    """The groups that meet on ``d``, ordered by start time, then name."""
    return _by_time(g for g in groups if meets_on(g, calendar, d))


def next_school_day(calendar: SchoolCalendar, d: date, step: int = 1) -> date | None:
    """The school day after ``d`` (``step=-1``: before it); None beyond the school year."""
    if step not in (1, -1):
        raise ValueError("step must be +1 or -1")
    day = d + timedelta(days=step)
    while not calendar.is_school_day(day):
        if (step == 1 and day > calendar.year_end) or (step == -1 and day < calendar.year_start):
            return None
        day += timedelta(days=step)
    return day


def next_dates(group: Group, calendar: SchoolCalendar, after: date, n: int = 5) -> list[date]:
    """The next ``n`` dates (strictly after ``after``) on which ``group`` meets."""
    out: list[date] = []
    lo = after + timedelta(days=1)
    last = min(calendar.year_end, group.end_date or calendar.year_end)
    while len(out) < n and lo <= last:
        hi = min(lo + timedelta(days=62), last)
        out.extend(occurrences(group, calendar, lo, hi))
        lo = hi + timedelta(days=1)
    return out[:n]


# --------------------------------------------------------------------------- meetings
@frozen_record
class Meeting:
    """One group meeting on one date, with wall-clock start and end."""

    group: Group
    date: Day  # the field is named as the records name theirs; Day is datetime.date
    start: datetime
    end: datetime

    @classmethod
    def of(cls, group: Group, d: Day) -> Meeting:
        start = datetime.combine(d, group.start)
        return cls(group, d, start, start + timedelta(minutes=group.duration_minutes))

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end

    def __hash__(self) -> int:  # Group is mutable (unhashable); a meeting is group + time
        return hash((self.group.id, self.start, self.end))


def meetings_on(groups: Iterable[Group], calendar: SchoolCalendar, d: date) -> list[Meeting]:
    """The meetings on ``d``, ordered by start time, then group name."""
    return [Meeting.of(g, d) for g in groups_on(groups, calendar, d)]


def _meetings_between(
    groups: Iterable[Group], calendar: SchoolCalendar, start: date, end: date
) -> list[Meeting]:
    out = [Meeting.of(g, d) for g in groups for d in occurrences(g, calendar, start, end)]
    out.sort(key=lambda m: (m.start, m.group.name.casefold(), m.group.id))
    return out


def next_meeting(
    groups: Iterable[Group], calendar: SchoolCalendar, after: datetime, horizon_days: int = 60
) -> Meeting | None:
    """The first meeting that starts after ``after`` within ``horizon_days`` — for
    "No school today — next: Mon 8:15"."""
    first = after.date()
    for m in _meetings_between(groups, calendar, first, first + timedelta(days=horizon_days)):
        if m.start > after:
            return m
    return None


def current_meeting(
    groups: Iterable[Group], calendar: SchoolCalendar, at: datetime
) -> Meeting | None:
    """The meeting in progress at ``at`` (start ≤ at < end); if two overlap, the one that
    started last."""
    running = [m for m in meetings_on(groups, calendar, at.date()) if m.contains(at)]
    return running[-1] if running else None


# --------------------------------------------------------------------------- conflicts
@frozen_record
class Conflict:
    """Two groups meeting at overlapping times on the same dates.

    ``kind`` is ``"groups"`` (the interventionist is booked twice) or ``"student"`` (one
    student is in both groups on those dates). Repeated clashes are collapsed into one
    Conflict: ``dates`` lists them all, ``first_date`` and ``count`` summarise.
    """

    kind: str
    groups: tuple[Group, Group]
    dates: tuple[date, ...]
    start_time: str
    end_time: str
    message: str
    student_id: str | None = None
    weekdays: tuple[int, ...] = field(default=())

    def __hash__(self) -> int:
        return hash((self.kind, self.groups[0].id, self.groups[1].id, self.student_id))

    @property
    def first_date(self) -> date:
        return self.dates[0]

    @property
    def count(self) -> int:
        return len(self.dates)


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _weekday_words(days: Sequence[int]) -> str:
    if list(days) == [0, 1, 2, 3, 4]:
        return "weekdays"
    names = [_DAY_PLURAL[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _pair_conflicts(
    a: Group,
    b: Group,
    dates_a: list[date],
    dates_b: list[date],
    names: Mapping[str, str],
) -> list[Conflict]:
    a_lo, b_lo = _minutes(a.start_time), _minutes(b.start_time)
    lo = max(a_lo, b_lo)
    hi = min(a_lo + a.duration_minutes, b_lo + b.duration_minutes)
    if lo >= hi:  # back to back (9:00–9:30, 9:30–10:00) is not a clash
        return []
    common = sorted(set(dates_a) & set(dates_b))
    if not common:
        return []
    first, second = (a, b) if (a.start_time, a.name) <= (b.start_time, b.name) else (b, a)
    span = f"{_clock(lo)}–{_clock(hi)}"

    def make(kind: str, dates: list[date], student: str | None) -> Conflict:
        weekdays = tuple(sorted({d.weekday() for d in dates}))
        when = f"on {_weekday_words(weekdays)} {span} (first {dates[0].isoformat()}"
        when += f", {len(dates)} dates)" if len(dates) > 1 else ")"
        if student is None:
            message = f"{first.name} and {second.name} overlap {when}"
        else:
            who = names.get(student, student)
            message = f"{who} is in both {first.name} and {second.name}, which overlap {when}"
        return Conflict(
            kind, (first, second), tuple(dates), _clock(lo), _clock(hi), message, student, weekdays
        )

    out = [make("groups", common, None)]
    shared = {m.student_id for m in a.memberships} & {m.student_id for m in b.memberships}
    for sid in sorted(shared):
        both = [d for d in common if sid in a.members_on(d) and sid in b.members_on(d)]
        if both:
            out.append(make("student", both, sid))
    return out


def _clashes(
    pairs: Iterable[tuple[Group, Group]],
    calendar: SchoolCalendar,
    start: date,
    end: date,
    names: Mapping[str, str],
) -> list[Conflict]:
    """The clashes of each pair of groups on dates in [start, end], soonest first (each
    group's meetings listed once, kept by object: nothing here assumes the ids differ)."""
    dates: dict[int, list[date]] = {}

    def meetings(g: Group) -> list[date]:
        if id(g) not in dates:
            dates[id(g)] = occurrences(g, calendar, start, end)
        return dates[id(g)]

    out = [c for a, b in pairs for c in _pair_conflicts(a, b, meetings(a), meetings(b), names)]
    out.sort(key=lambda c: (c.first_date, c.start_time, c.kind, c.message))
    return out


def conflicts(
    groups: Sequence[Group],
    calendar: SchoolCalendar,
    start: date,
    end: date,
    *,
    student_names: Mapping[str, str] | None = None,
) -> list[Conflict]:
    """Every clash between ``groups`` on dates in [start, end]: groups meeting at
    overlapping times ("groups") and students in two overlapping groups ("student").
    ``student_names`` (id → name) makes the messages readable."""
    pairs = [(a, b) for i, a in enumerate(groups) for b in groups[i + 1 :] if a.id != b.id]
    return _clashes(pairs, calendar, start, end, student_names or {})


def conflicts_for(
    candidate: Group,
    other_groups: Iterable[Group],
    calendar: SchoolCalendar,
    start: date,
    end: date,
    *,
    student_names: Mapping[str, str] | None = None,
) -> list[Conflict]:
    """Clashes between ``candidate`` and the other groups — check a group before saving it.
    A group with the candidate's id (its saved version) is skipped."""
    pairs = [(candidate, other) for other in other_groups if other.id != candidate.id]
    return _clashes(pairs, calendar, start, end, student_names or {})


# --------------------------------------------------------------------------- words
def _clock_words(hhmm: str) -> str:
    return _clock(_minutes(hhmm))


def _short_date(d: date) -> str:
    return f"{d:%b} {d.day}"


def _when_words(parts: dict[str, str]) -> str | None:
    """'Mon, Tue, Thu' / 'every other week on Mon, Wed' / 'every school day'; None when the
    rule is not a simple daily/weekly one."""
    freq = parts.get("FREQ")
    interval = int(parts.get("INTERVAL", "1"))
    extra = set(parts) - {"FREQ", "INTERVAL", "BYDAY", "WKST", "UNTIL", "COUNT"}
    if extra:
        return None
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if any(d not in _DAY_ABBR for d in days):
        return None
    if freq == "DAILY" and not days:
        return "every school day" if interval == 1 else f"every {interval} days"
    if freq == "DAILY":
        every = "" if interval == 1 else f"every {interval} days, on "
    elif freq == "WEEKLY":
        every = {1: "", 2: "every other week on "}.get(interval, f"every {interval} weeks on ")
    else:
        return None
    if not days:
        return None  # WEEKLY without BYDAY: the weekday of the start date; caller handles
    ordered = [d for d in WEEKDAYS if d in days]
    if ordered == ["MO", "TU", "WE", "TH", "FR"]:
        names = "Mon–Fri"
    else:
        names = ", ".join(_DAY_ABBR[d] for d in ordered)
    return every + names


UNSCHEDULED_RRULE = "FREQ=WEEKLY;BYDAY=SU"
"""The rule of a group that has no schedule yet (e.g. created by a roster import): Sunday is
never a school day, so it never meets, yet the rule stays valid and cheap to expand."""


def is_unscheduled(group: Group) -> bool:
    """A group not given a schedule yet (see :data:`UNSCHEDULED_RRULE`)."""
    return group.rrule.strip().upper().removeprefix("RRULE:") == UNSCHEDULED_RRULE


def describe(group: Group) -> str:
    """The schedule in plain words: ``Mon, Tue, Thu at 9:10 for 30 min, from Sep 8 to Jan 30``."""
    if is_unscheduled(group):
        return "not scheduled yet"
    try:
        _, parts = _rule_parts(group.rrule)
        when = _when_words(parts)
        if (
            when is None
            and group.start_date is not None
            and parts.get("FREQ") == "WEEKLY"
            and set(parts) <= {"FREQ", "INTERVAL"}
        ):
            # WEEKLY without BYDAY repeats on the start date's weekday (RFC 5545 §3.3.10).
            parts = {**parts, "BYDAY": WEEKDAYS[group.start_date.weekday()]}
            when = _when_words(parts)
        if when is None:
            when = f"repeating {group.rrule.strip()}"
    except ValidationError:
        when = f"{group.rrule.strip()!r} (not a valid schedule)"
    text = f"{when} at {_clock_words(group.start_time)} for {group.duration_minutes} min"
    if group.start_date and group.end_date:
        text += f", from {_short_date(group.start_date)} to {_short_date(group.end_date)}"
    elif group.start_date:
        text += f", from {_short_date(group.start_date)}"
    elif group.end_date:
        text += f", until {_short_date(group.end_date)}"
    return text
