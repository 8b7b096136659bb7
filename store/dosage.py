"""Dosage: was the intervention delivered and received as planned? (DOMAIN.md: dosage,
fidelity; Ed-Fi StudentInterventionAttendanceEvent for attendance and its reasons; eduCLIMBER's
fidelity report for sessions *and* minutes and for "not captured".)

Definitions, for a group or a student over a window [start, end]:

* **planned sessions** — the dates the group's schedule meets (``store.schedule.occurrences``:
  no-school days, weekends and dates outside the group's start/end excluded), less any date
  whose session was cancelled for "no-school" (the calendar did not know). For a student only
  dates on which they were a member count (``Membership.active_on``). With ``today`` given, a
  planned date on or after ``today`` with no session logged yet is pending and not counted.
* **not logged** — a planned date with no session entered. It is *not captured*, not an
  absence (eduCLIMBER): it is left out of every percentage below and counted on its own, so
  the verdict can say "log them before judging dosage".
* **logged sessions** = planned − not logged.
* **delivered** — a session logged as delivered on a planned date; a delivered session on an
  unplanned date is a make-up (``sessions_extra``) and still counts as delivered/attended.
* **attended** — delivered, and the student's attendance is present, late or left early. A
  delivered session without an entry for the student counts as missed ("not recorded").
* **attendance %** = sessions attended / logged sessions × 100 (can pass 100 with make-ups);
  **minutes %** = minutes received / minutes planned for the logged sessions × 100, where a
  student's received minutes are their attendance minutes when recorded, else the session's
  minutes delivered. ``minutes_planned`` itself stays the whole plan (planned × duration).
* **fidelity** — mean of the sessions' fidelity % where recorded (delivered sessions; for a
  student, the ones they attended).

Percentages are 0–100 and ``None`` when nothing logged was planned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from datetime import date

from store.model import ABSENCE_REASONS, CANCEL_REASONS, Group, SchoolCalendar, Session
from store.records import frozen_record, mutable_record

NOT_LOGGED = "not-logged"
NOT_RECORDED = "not-recorded"
_LABELS = {NOT_LOGGED: "session not logged", NOT_RECORDED: "attendance not recorded"}


def _pct(part: float, whole: float) -> float | None:
    return None if not whole else 100.0 * part / whole


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


class SessionIndex:
    """Sessions by group id and date, built once (a caseload looks them up many times)."""

    def __init__(self, sessions: Iterable[Session]) -> None:
        self._by_group: dict[str, dict[date, Session]] = {}
        for s in sessions:
            self._by_group.setdefault(s.group_id, {})[s.date] = s

    def for_group(self, group_id: str) -> Mapping[date, Session]:
        return self._by_group.get(group_id, {})


def _index(sessions: Iterable[Session] | SessionIndex) -> SessionIndex:
    return sessions if isinstance(sessions, SessionIndex) else SessionIndex(sessions)


def _planned(
    group: Group,
    calendar: SchoolCalendar,
    start: date,
    end: date,
    planned: Mapping[str, Sequence[date]] | None,
) -> list[date]:
    if planned is not None and group.id in planned:
        return [d for d in planned[group.id] if start <= d <= end]
    from store.schedule import occurrences  # lazy: keeps dateutil out of pure imports

    return occurrences(group, calendar, start, end)


@mutable_record
class _Tally:
    planned: int = 0
    delivered: int = 0
    attended: int = 0
    extra: int = 0
    minutes_planned: int = 0
    minutes: int = 0
    fidelity: list[float] = field(default_factory=list)
    cancel_reasons: Counter[str] = field(default_factory=Counter)
    absence_reasons: Counter[str] = field(default_factory=Counter)


def _session_dates(
    group: Group,
    calendar: SchoolCalendar,
    by_date: Mapping[date, Session],
    start: date,
    end: date,
    today: date | None,
    planned: Mapping[str, Sequence[date]] | None,
) -> tuple[list[date], list[date]]:
    """(planned dates that count, make-up dates) in the window."""
    plan = _planned(group, calendar, start, end, planned)
    counted = []
    for d in plan:
        s = by_date.get(d)
        if s is None and today is not None and d >= today:
            continue  # not happened (or not logged) yet
        if s is not None and not s.delivered and s.cancel_reason == "no-school":
            continue
        counted.append(d)
    plan_set = set(plan)
    extra = [
        d for d, s in by_date.items() if start <= d <= end and s.delivered and d not in plan_set
    ]
    return counted, sorted(extra)


def _tally_student(
    tally: _Tally,
    group: Group,
    student_id: str,
    by_date: Mapping[date, Session],
    counted: list[date],
    extra: list[date],
) -> None:
    # (joined, left) spans, as Membership.active_on reads them: asked once a planned date
    spans = [(m.start, m.end) for m in group.memberships if m.student_id == student_id]
    if not spans:
        return

    def member(d: date) -> bool:
        return any(joined <= d and (left is None or d < left) for joined, left in spans)

    for d in counted:
        if not member(d):
            continue
        tally.planned += 1
        tally.minutes_planned += group.duration_minutes
        _attend(tally, by_date.get(d), student_id)
    for d in extra:
        if member(d):
            tally.extra += 1
            _attend(tally, by_date[d], student_id)


def _attend(tally: _Tally, s: Session | None, student_id: str) -> None:
    if s is None:
        tally.cancel_reasons[NOT_LOGGED] += 1
        return
    if not s.delivered:
        tally.cancel_reasons[s.cancel_reason or "other"] += 1
        return
    tally.delivered += 1
    a = s.attendance_of(student_id)
    if a is None:
        tally.absence_reasons[NOT_RECORDED] += 1
    elif not a.attended:
        tally.absence_reasons[a.reason or "absent"] += 1
    else:
        tally.attended += 1
        tally.minutes += a.minutes if a.minutes is not None else s.minutes_delivered
        if s.fidelity_pct is not None:
            tally.fidelity.append(s.fidelity_pct)


def _logged_minutes(minutes_planned: int, logged: int, planned: int) -> int:
    """The planned minutes of the ``logged`` of ``planned`` sessions (DOMAIN.md dosage: dates
    never entered are "not captured", so they leave the base of the minutes share)."""
    return round(minutes_planned * logged / planned) if planned else 0


def _labelled(cancel: Counter[str], absence: Counter[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for code, n in cancel.items():
        label = _LABELS.get(code) or f"cancelled: {CANCEL_REASONS.get(code, code)}"
        out[label] += n
    for code, n in absence.items():
        label = _LABELS.get(code) or f"absent: {ABSENCE_REASONS.get(code, code)}"
        out[label] += n
    return out


@frozen_record
class StudentDosage:
    """One student's dosage over [start, end] across their groups (see module docstring)."""

    student_id: str
    start: date
    end: date
    group_ids: tuple[str, ...]
    sessions_planned: int
    sessions_delivered: int
    sessions_attended: int
    sessions_extra: int
    minutes_planned: int
    minutes_received: int
    fidelity_avg: float | None
    cancel_reasons: Counter[str]
    absence_reasons: Counter[str]

    @property
    def sessions_missed(self) -> int:
        return sum(self.cancel_reasons.values()) + sum(self.absence_reasons.values())

    @property
    def sessions_not_logged(self) -> int:
        """Planned sessions never entered: not captured, not absences (eduCLIMBER)."""
        return self.cancel_reasons.get(NOT_LOGGED, 0)

    @property
    def sessions_logged(self) -> int:
        return self.sessions_planned - self.sessions_not_logged

    @property
    def minutes_planned_logged(self) -> int:
        """Planned minutes of the logged sessions (the base of ``minutes_pct``)."""
        return _logged_minutes(self.minutes_planned, self.sessions_logged, self.sessions_planned)

    @property
    def attendance_pct(self) -> float | None:
        """Sessions attended / logged sessions × 100 (Ed-Fi attendance; DOMAIN.md dosage:
        days never entered are "not captured", not absences)."""
        return _pct(self.sessions_attended, self.sessions_logged)

    @property
    def minutes_pct(self) -> float | None:
        """Minutes received / minutes planned for the logged sessions × 100."""
        return _pct(self.minutes_received, self.minutes_planned_logged)

    @property
    def missed_reasons(self) -> Counter[str]:
        """Why planned sessions were missed, in words: cancellations and absences."""
        return _labelled(self.cancel_reasons, self.absence_reasons)

    def low_parts(self, target: float = 0.8) -> tuple[str, ...]:
        """Which of "sessions" and "minutes" fall below ``target`` of the logged plan
        (eduCLIMBER: a student should receive ≥ 80 % of planned sessions *and* minutes)."""
        parts = []
        if self.sessions_logged > 0 and self.sessions_attended < target * self.sessions_logged:
            parts.append("sessions")
        logged_minutes = self.minutes_planned_logged
        if logged_minutes > 0 and self.minutes_received < target * logged_minutes:
            parts.append("minutes")
        return tuple(parts)

    def is_low(self, target: float = 0.8) -> bool:
        """Below the dosage target in attended sessions or received minutes, over the logged
        sessions (DOMAIN.md 80 %; eduCLIMBER sessions and minutes)."""
        return bool(self.low_parts(target))


@frozen_record
class GroupDosage:
    """A group's delivery over [start, end] (see module docstring). ``attendance_pct`` is over
    student-sessions: all members' attended sessions / all members' planned sessions."""

    group_id: str
    start: date
    end: date
    sessions_planned: int
    sessions_delivered: int
    sessions_cancelled: int
    sessions_not_logged: int
    sessions_extra: int
    minutes_planned: int
    minutes_delivered: int
    fidelity_avg: float | None
    student_sessions_planned: int
    student_sessions_attended: int
    cancel_reasons: Counter[str]
    absence_reasons: Counter[str]
    students: dict[str, StudentDosage]

    @property
    def sessions_logged(self) -> int:
        return self.sessions_planned - self.sessions_not_logged

    @property
    def delivered_pct(self) -> float | None:
        """Delivered / logged sessions × 100 (unlogged dates are not captured)."""
        return _pct(self.sessions_delivered, self.sessions_logged)

    @property
    def minutes_planned_logged(self) -> int:
        """Planned minutes of the logged sessions (the base of ``minutes_pct``)."""
        return _logged_minutes(self.minutes_planned, self.sessions_logged, self.sessions_planned)

    @property
    def minutes_pct(self) -> float | None:
        """Minutes delivered / minutes planned for the logged sessions × 100."""
        return _pct(self.minutes_delivered, self.minutes_planned_logged)

    @property
    def student_sessions_logged(self) -> int:
        return sum(s.sessions_logged for s in self.students.values())

    @property
    def attendance_pct(self) -> float | None:
        """Members' attended / logged student-sessions × 100."""
        return _pct(self.student_sessions_attended, self.student_sessions_logged)

    @property
    def missed_reasons(self) -> Counter[str]:
        """Why sessions (cancellations, not logged) and student-sessions (absences) were missed."""
        return _labelled(self.cancel_reasons, self.absence_reasons)


def _student_result(
    student_id: str, start: date, end: date, group_ids: tuple[str, ...], t: _Tally
) -> StudentDosage:
    return StudentDosage(
        student_id=student_id,
        start=start,
        end=end,
        group_ids=group_ids,
        sessions_planned=t.planned,
        sessions_delivered=t.delivered,
        sessions_attended=t.attended,
        sessions_extra=t.extra,
        minutes_planned=t.minutes_planned,
        minutes_received=t.minutes,
        fidelity_avg=_mean(t.fidelity),
        cancel_reasons=t.cancel_reasons,
        absence_reasons=t.absence_reasons,
    )


def student_dosage(
    student_id: str,
    groups: Iterable[Group],
    calendar: SchoolCalendar,
    sessions: Iterable[Session] | SessionIndex,
    start: date,
    end: date,
    *,
    today: date | None = None,
    planned: Mapping[str, Sequence[date]] | None = None,
    counted: dict[tuple[str, date, date], tuple[list[date], list[date]]] | None = None,
) -> StudentDosage:
    """A student's dosage over [start, end] in the given groups, counting only dates on which
    they were a member (DOMAIN.md dosage; Ed-Fi attendance). ``planned`` optionally maps group
    id → precomputed schedule dates (a superset of the window) to skip the rrule expansion;
    ``counted`` caches each (group id, start, end)'s counted and make-up dates for calls with
    the same sessions, calendar, ``today`` and ``planned`` (a group's members share them)."""
    index = _index(sessions)
    tally = _Tally()
    ids = []
    for g in groups:
        if not any(m.student_id == student_id for m in g.memberships):
            continue
        ids.append(g.id)
        if not any(
            m.student_id == student_id and m.start <= end and (m.end is None or m.end > start)
            for m in g.memberships
        ):
            continue  # not a member on any day of the window (last year's group): nothing
        by_date = index.for_group(g.id)
        key = (g.id, start, end)
        dates = counted.get(key) if counted is not None else None
        if dates is None:
            dates = _session_dates(g, calendar, by_date, start, end, today, planned)
            if counted is not None:
                counted[key] = dates
        _tally_student(tally, g, student_id, by_date, *dates)
    return _student_result(student_id, start, end, tuple(ids), tally)


def group_dosage(
    group: Group,
    calendar: SchoolCalendar,
    sessions: Iterable[Session] | SessionIndex,
    start: date,
    end: date,
    *,
    today: date | None = None,
    planned: Mapping[str, Sequence[date]] | None = None,
) -> GroupDosage:
    """A group's dosage over [start, end]: sessions planned (schedule minus no-school days),
    delivered, cancelled (with reasons), minutes planned vs delivered, fidelity, and its
    members' attendance while they were members (DOMAIN.md dosage/fidelity; Ed-Fi)."""
    by_date = _index(sessions).for_group(group.id)
    counted, extra = _session_dates(group, calendar, by_date, start, end, today, planned)
    # a date with nobody in the group was never a session to deliver (a group made in the
    # middle of the year, a roster group before its students joined), unless one was logged
    counted = [d for d in counted if d in by_date or any(m.active_on(d) for m in group.memberships)]
    cancel: Counter[str] = Counter()
    delivered = minutes = 0
    fidelity: list[float] = []
    for d in [*counted, *extra]:
        s = by_date.get(d)
        if s is None:
            cancel[NOT_LOGGED] += 1
        elif not s.delivered:
            cancel[s.cancel_reason or "other"] += 1
        else:
            delivered += 1
            minutes += s.minutes_delivered
            if s.fidelity_pct is not None:
                fidelity.append(s.fidelity_pct)
    students: dict[str, StudentDosage] = {}
    absence: Counter[str] = Counter()
    for sid in dict.fromkeys(m.student_id for m in group.memberships):
        t = _Tally()
        _tally_student(t, group, sid, by_date, counted, extra)
        if t.planned or t.extra:
            students[sid] = _student_result(sid, start, end, (group.id,), t)
            absence.update(t.absence_reasons)
    return GroupDosage(
        group_id=group.id,
        start=start,
        end=end,
        sessions_planned=len(counted),
        sessions_delivered=delivered,
        sessions_cancelled=sum(n for k, n in cancel.items() if k != NOT_LOGGED),
        sessions_not_logged=cancel[NOT_LOGGED],
        sessions_extra=len(extra),
        minutes_planned=len(counted) * group.duration_minutes,
        minutes_delivered=minutes,
        fidelity_avg=_mean(fidelity),
        student_sessions_planned=sum(s.sessions_planned for s in students.values()),
        student_sessions_attended=sum(s.sessions_attended for s in students.values()),
        cancel_reasons=cancel,
        absence_reasons=absence,
        students=students,
    )
