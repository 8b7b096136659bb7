"""What the screens show about one student on one measure, computed from the store.

A thin layer between the store/progress engine and the widgets: it reads through the Store's
public API (never TinyDB) and the pure functions of ``store.progress`` / ``store.caseload``,
and returns plain values the widgets render (their Rich cells: ``tui.widgets.measure_cells``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from store.caseload import CaseloadRow, caseload_summary, session_windows
from store.db import SESSIONS_DIR, Store
from store.errors import CorruptFileError
from store.model import Goal, Group, Measure, Score, Session, Student
from store.records import mutable_record
from store.school_weeks import monday_of
from store.vocabulary import needs_decision
from tui.config import AppConfig

if TYPE_CHECKING:
    pass

#: The status of a line whose scores file cannot be read (no verdict from part of the data).
UNREADABLE = "scores file damaged"
UNREADABLE_LOG = "session log damaged"


def unreadable(exc: CorruptFileError) -> str:
    """Which of the student's files could not be read, as a line's status."""
    return UNREADABLE_LOG if f"/{SESSIONS_DIR}/" in str(exc.path) else UNREADABLE


@mutable_record
class MeasureLine:
    """One student × one measure: scores, goal, status and decision, ready to draw."""

    student: Student
    measure: Measure
    scores: list[Score]
    goal: Goal | None
    status: str  # on track | above | below | no data | UNREADABLE
    decision_kind: str | None = None
    decision_reason: str = ""
    probe_due: bool = False
    scale_hi: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def last(self) -> Score | None:
        return self.scores[-1] if self.scores else None

    @property
    def points(self) -> list[tuple[date, float]]:
        return [(s.date, s.value) for s in self.scores]

    @property
    def needs_action(self) -> bool:
        """The one definition of "needs a decision" (store.vocabulary)."""
        return self.decision_kind is not None and needs_decision(self.decision_kind)


def probe_due(last: date | None, day: date, every_weeks: int) -> bool:
    """Due when the latest score is from before this probe window (``every_weeks`` weeks,
    Monday-based): weekly probes are due every week until one is entered."""
    if last is None:
        return True
    return monday_of(last) <= monday_of(day) - timedelta(weeks=every_weeks)


def status_words(row: CaseloadRow) -> str:
    """The marker shown beside a sparkline: on track / above / below, or why there is none.

    No verdict from one score: with fewer points (or weeks) than the decision rule needs, the
    marker says how far along the data are ("2 of 6 points"), exactly where the caseload says
    "insufficient data" — never an on-track / below guess from the latest score."""
    if not row.progress.points:
        return "no data"
    if row.goal is None:
        return "no goal"
    d = row.decision
    if d.status != "insufficient":
        return row.status
    if d.n_points < d.needed_points:
        return f"{d.n_points} of {d.needed_points} points"
    return "few weeks"


def line_from_row(
    row: CaseloadRow, scores: list[Score], day: date, every_weeks: int
) -> MeasureLine:
    before_today = [s for s in scores if s.date < day]
    last_probe = before_today[-1].date if before_today else None
    due = probe_due(last_probe, day, every_weeks) and not any(s.date == day for s in scores)
    top = [s.value for s in scores] + ([row.goal.goal_value] if row.goal else [])
    return MeasureLine(
        student=row.student,
        measure=row.measure,
        scores=scores,
        goal=row.goal,
        status=status_words(row),
        decision_kind=row.decision.kind,
        decision_reason=row.decision.reason,
        probe_due=due,
        scale_hi=max(top + [row.measure.min + 1]),
        extra={"row": row},
    )


def history_start(store: Store, goals: list[Goal]) -> date:
    """How far back the screens read scores: the school year's first day, or an earlier goal
    baseline. Earlier years stay on disk unread, so start-up does not grow with history."""
    return min([store.calendar().year_start] + [g.baseline_date for g in goals])


class Shared:
    """Records several students share (groups, calendar, measures, each group's sessions),
    read once per screen fill instead of once per student. With ``students``, only the
    groups those students were ever in (all a fill of just them looks at)."""

    def __init__(self, store: Store, day: date, students: Iterable[str] | None = None) -> None:
        self.store = store
        self.day = day
        self.groups = (
            store.groups(include_inactive=True) if students is None else store.groups_with(students)
        )
        self.calendar = store.calendar()
        self.measures = store.measures(include_inactive=True)
        self.planned: dict[str, list[date]] = {}  # group id → planned dates, for dosage
        self._sessions: dict[str, tuple[date, list[Session]]] = {}

    def sessions(self, group_id: str, since: date) -> list[Session]:
        """The group's sessions from ``since`` to the day, read once for the earliest
        ``since`` asked so far (members' dosage windows start on different days)."""
        read = self._sessions.get(group_id)
        if read is None or since < read[0]:
            read = self._sessions[group_id] = (
                since,
                self.store.sessions(group_id, since=since, until=self.day),
            )
        return [s for s in read[1] if s.date >= since] if since > read[0] else read[1]


def student_rows(
    store: Store,
    student: Student,
    day: date,
    config: AppConfig,
    shared: Shared | None = None,
) -> tuple[dict[str, CaseloadRow], dict[str, list[Score]]]:
    """The caseload rows (one per measure) of one student as of ``day``, and their scores.

    Uses :func:`store.caseload.caseload_summary` on this student's records only, so the
    decision (including low dosage) is the very one the caseload review shows."""
    shared = shared or Shared(store, day)
    goals = store.goals(student.id)
    since = min([shared.calendar.year_start] + [g.baseline_date for g in goals])
    scores = store.scores(student.id, since=since, until=day)
    mine = [g for g in shared.groups if any(m.student_id == student.id for m in g.memberships)]
    phases = store.phase_changes(student.id)
    # only the logs (and years of them) this student's dosage windows reach (issue 16)
    windows = session_windows([student], mine, goals, scores, phases, day)
    rows = caseload_summary(
        [student],
        mine,
        shared.measures,
        goals,
        scores,
        phases,
        [s for g in mine if g.id in windows for s in shared.sessions(g.id, windows[g.id])],
        shared.calendar,
        day,
        config.decision,
        planned=shared.planned,
    )
    by_measure: dict[str, list[Score]] = {}
    for s in scores:
        by_measure.setdefault(s.measure, []).append(s)
    return {r.measure.code: r for r in rows}, by_measure


def measure_line(
    store: Store,
    student: Student,
    measure: Measure,
    day: date,
    config: AppConfig,
    *,
    every_weeks: int = 1,
) -> MeasureLine:
    """The line for ``student`` on ``measure`` as of ``day`` (later scores ignored)."""
    try:
        rows, scores = student_rows(store, student, day, config)
    except CorruptFileError as exc:
        return MeasureLine(student, measure, [], None, unreadable(exc))
    row = rows.get(measure.code)
    mine = scores.get(measure.code, [])
    if row is None:  # a measure the student's groups don't probe and that has no data yet
        return MeasureLine(student, measure, mine, store.goal(student.id, measure.code), "no data")
    return line_from_row(row, mine, day, every_weeks)


def group_lines(store: Store, group: Group, day: date, config: AppConfig) -> list[MeasureLine]:
    """Every (member on ``day``, measure the group probes) line, members by family name."""
    members = [store.student(sid) for sid in group.members_on(day)]
    members.sort(key=lambda s: s.sort_key)
    lines = []
    shared = Shared(store, day, [s.id for s in members])
    for student in members:
        try:
            rows, scores = student_rows(store, student, day, config, shared)
        except CorruptFileError as exc:  # named on Today; no verdict from half the data
            for code in group.measures:
                status = unreadable(exc)
                lines.append(MeasureLine(student, store.measure(code), [], None, status))
            continue
        for code in group.measures:
            row = rows.get(code)
            mine = scores.get(code, [])
            if row is None:
                measure = store.measure(code)
                lines.append(
                    MeasureLine(student, measure, mine, store.goal(student.id, code), "no data")
                )
            else:
                lines.append(line_from_row(row, mine, day, group.probe_every_weeks))
    return lines
