"""Where a group left off: its last logged lesson/unit and the one that comes next.

The morning question "what do we do today" is answered from the lesson text of the latest
delivered session: the next lesson bumps its last number and keeps the rest ("SIPPS B lesson
41" → "SIPPS B lesson 42"). A school week has five days, so "week 3, day 5" goes on to
"week 4, day 1". Text without a number is proposed again as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol

from store.errors import CorruptFileError
from store.model import Session
from store.records import frozen_record

__all__ = ["DAYS_PER_WEEK", "LeftOff", "group_left_off", "left_off", "next_lesson"]

DAYS_PER_WEEK = 5
RECENT_DAYS = 35  #: looked at first: parsing a group's whole history costs more
_NUMBER = re.compile(r"\d+")
_WEEK_DAY = re.compile(r"(?i)(\bweek\s*)(\d+)(\W+day\s*)(\d+)(\D*)$")
_LABEL = re.compile(r"[^\W\d]+\.?\s*$")  # the word naming a number: "lesson ", "Vol. "


def _bump(number: str, by: int = 1) -> str:
    """'41' → '42'; zero padding is kept ('09' → '10', '007' → '008')."""
    return str(int(number) + by).zfill(len(number))


def next_lesson(last: str) -> str:
    """The lesson after ``last``: its last number plus one, the rest kept (see the module)."""
    text = last.strip()
    week_day = _WEEK_DAY.search(text)
    if week_day is not None and int(week_day.group(4)) >= DAYS_PER_WEEK:
        week, sep_week, sep_day, tail = (week_day.group(i) for i in (2, 1, 3, 5))
        day_one = "1".zfill(len(week_day.group(4)))
        return f"{text[: week_day.start()]}{sep_week}{_bump(week)}{sep_day}{day_one}{tail}"
    numbers = list(_NUMBER.finditer(text))
    if not numbers:
        return text
    n = numbers[-1]
    return text[: n.start()] + _bump(n.group()) + text[n.end() :]


@frozen_record
class LeftOff:
    """The last logged lesson (and its date) and the next one."""

    last: str
    date: date
    next: str

    @property
    def text(self) -> str:
        """'Lesson 42 → 43'; 'Heggerty week 3, day 5 → week 4, day 1'; 'Story review'."""
        return f"{self.last} → {_changed_part(self.last, self.next)}" if self.changes else self.last

    @property
    def changes(self) -> bool:
        return self.next != self.last


def _changed_part(last: str, following: str) -> str:
    """What to show after the arrow: only the new number when just the last number changed,
    else the next lesson from the label of its first changed number."""
    a, b = list(_NUMBER.finditer(last)), list(_NUMBER.finditer(following))
    if len(a) != len(b) or _NUMBER.split(last) != _NUMBER.split(following):
        return following
    changed = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x.group() != y.group()]
    if changed == [len(b) - 1]:
        return following[b[-1].start() :]
    start = b[changed[0]].start()
    label = _LABEL.search(following[:start])
    return following[label.start() if label else start :]


def left_off(sessions: Iterable[Session], through: date) -> LeftOff | None:
    """The latest delivered session on or before ``through`` with a lesson typed, as a
    :class:`LeftOff`; None when no session names its lesson."""
    logged = [s for s in sessions if s.delivered and s.lesson.strip() and s.date <= through]
    if not logged:
        return None
    latest = max(logged, key=lambda s: s.date)
    last = latest.lesson.strip()
    return LeftOff(last, latest.date, next_lesson(last))


class _Sessions(Protocol):
    def sessions(
        self, group_id: str | None = None, *, since: date | None = None, until: date | None = None
    ) -> list[Session]: ...


def group_left_off(store: _Sessions, group_id: str, through: date) -> LeftOff | None:
    """:func:`left_off` for one group of a Store: its recent sessions first, then (when none
    of them names a lesson) its whole history. None when the group's log cannot be read (the
    damaged file is named elsewhere)."""
    try:
        recent = store.sessions(
            group_id, since=through - timedelta(days=RECENT_DAYS), until=through
        )
        found = left_off(recent, through)
        if found is None:
            found = left_off(store.sessions(group_id, until=through), through)
    except CorruptFileError:
        return None
    return found
