"""The caseload at a glance: for every active student and measure, where they stand against
their aim line, what the decision rule says, whether a probe is overdue and whether the
intervention was delivered (DOMAIN.md "Review"; NCII data-based individualization; IRIS
Center progress monitoring; aimsweb ROI status).

Pure functions over the model's records; the app passes in everything, including ``today``
and the :class:`~store.config.DecisionConfig`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from store.config import DecisionConfig
from store.dosage import SessionIndex, StudentDosage, student_dosage
from store.model import (
    BUILTIN_MEASURES,
    Goal,
    Group,
    Measure,
    PhaseChange,
    SchoolCalendar,
    Score,
    Session,
    Student,
)
from store.progress import (
    AimLine,
    Decision,
    InsufficientDataError,
    Point,
    Trend,
    baseline,
    decide,
    latest_phase_start,
    phase_points,
    trend,
)
from store.records import frozen_record
from store.school_weeks import break_weeks
from store.vocabulary import KINDS, OVERDUE, OVERDUE_URGENCY, STATUS_LABELS, words
from store.vocabulary import needs_decision as kind_needs_decision
from store.vocabulary import urgency as kind_urgency

# Kept for callers: the words and ranks live in store.vocabulary.
URGENCY: dict[str, int] = {kind: w.urgency for kind, w in KINDS.items()} | {
    "overdue": OVERDUE_URGENCY
}
URGENCY_LABELS: dict[int, str] = {w.urgency: w.label for w in (*KINDS.values(), OVERDUE)}
_BUILTIN = {m.code: m for m in BUILTIN_MEASURES}
_ORDER = {m.code: i for i, m in enumerate(BUILTIN_MEASURES)}


def _measure(measure: Measure | str) -> Measure:
    if isinstance(measure, Measure):
        return measure
    return _BUILTIN.get(measure) or Measure(measure, measure, "points", 0, 1_000_000)


@frozen_record
class StudentProgress:
    """One student's data on one measure, ready to chart: all points, the current phase's
    points, baseline (IRIS Center: median of the first 3 probes, or the goal's baseline), aim
    line, trend line (configured method) and the decision rule's verdict."""

    student_id: str
    measure: Measure
    goal: Goal | None
    points: tuple[Point, ...]
    phase_points: tuple[Point, ...]
    phase_start: date | None
    phase_changes: tuple[PhaseChange, ...]
    baseline: float | None
    aim: AimLine | None
    trend: Trend | None
    decision: Decision
    dosage: StudentDosage | None
    goal_aim: AimLine | None = None

    @property
    def aims(self) -> tuple[AimLine, ...]:
        """The aim lines to draw: the goal's, then the current phase's when it restarted."""
        lines = [a for a in (self.goal_aim, self.aim) if a is not None]
        return tuple(dict.fromkeys(lines))

    @property
    def last(self) -> Point | None:
        return self.points[-1] if self.points else None


def _latest_goal(goals: Iterable[Goal]) -> Goal | None:
    """The goal in force: the one set last (by ``set_on``; on the same day the later one in
    entry order wins, as in ``Store.goal`` — a goal changed on the day it was set)."""
    latest: Goal | None = None
    for g in goals:
        if latest is None or (g.set_on or g.baseline_date) >= (
            latest.set_on or latest.baseline_date
        ):
            latest = g
    return latest


def student_progress(
    student_id: str,
    measure: Measure | str,
    *,
    scores: Iterable[Score],
    goal: Goal | None = None,
    phase_changes: Iterable[PhaseChange] = (),
    dosage: StudentDosage | None = None,
    config: DecisionConfig | None = None,
    today: date | None = None,
    breaks: Iterable[date] = (),
) -> StudentProgress:
    """Baseline, aim line, trend and decision for one student and measure (DOMAIN.md; NCII
    decision rules). ``scores``/``phase_changes`` may hold other students' records: they are
    filtered here. Records dated after ``today`` are ignored. ``breaks`` are the Mondays of
    whole no-school weeks (``store.school_weeks.break_weeks``): time is in weeks of school.
    A behaviour measure's aim line is flat at the goal (CICO-SWIS); after a phase change
    ``aim`` is the phase's own line and ``goal_aim`` the goal's."""
    config = config or DecisionConfig()
    m = _measure(measure)
    mine = sorted(
        (s for s in scores if s.student_id == student_id and s.measure == m.code),
        key=lambda s: (s.date, s.value),
    )
    if today is not None:
        mine = [s for s in mine if s.date <= today]
    points = tuple((s.date, float(s.value)) for s in mine)
    phases = tuple(
        sorted(
            (
                p
                for p in phase_changes
                if p.student_id == student_id
                and p.measure == m.code
                and (today is None or p.date <= today)
            ),
            key=lambda p: p.date,
        )
    )
    start = latest_phase_start(p.date for p in phases)
    aim = None
    skip = tuple(breaks)
    if goal is not None:
        try:
            aim = AimLine.from_goal(goal, breaks=skip, flat=m.behaviour)
        except ValueError:
            aim = None
    base = goal.baseline_value if goal else (baseline([v for _, v in points]) if points else None)
    current = phase_points(points, aim, start)
    rule = config.decision_rule(m)
    goal_aim = aim
    if aim is None:
        fitted = None
        if len(current) >= config.provisional_points:
            try:
                fitted = trend(current, config.trend_method, breaks=skip)
            except InsufficientDataError:
                fitted = None
        decision = Decision(
            "insufficient-data",
            f"no goal set for {m.code} — set a goal to draw an aim line and get decisions",
            "insufficient",
            rule.label,
            points=tuple(current),
            needed_points=rule.needed_points,
            actual_roi=fitted.slope if fitted else None,
            trend=fitted,
            phase_start=start,
        )
    else:
        decision = decide(
            points,
            aim,
            rule=rule,
            higher_is_better=m.higher_is_better,
            dosage=dosage,
            phase_start=start,
            dosage_target=config.dosage_target,
            roi_method=config.trend_method,
            behaviour=m.behaviour,
            today=today,
            settings=config.rule_settings(m),
        )
        fitted = decision.trend  # fitted on the same phase points
        aim = decision.aim
    return StudentProgress(
        student_id=student_id,
        measure=m,
        goal=goal,
        points=points,
        phase_points=tuple(current),
        phase_start=start,
        phase_changes=phases,
        baseline=base,
        aim=aim,
        trend=fitted,
        decision=decision,
        dosage=dosage,
        goal_aim=goal_aim,
    )


@frozen_record
class CaseloadRow:
    """One student × measure line of the caseload, with an urgency rank to sort by."""

    student: Student
    measure: Measure
    groups: tuple[Group, ...]
    goal: Goal | None
    status: str
    actual_roi: float | None
    needed_roi: float | None
    last_score: float | None
    last_date: date | None
    probe_overdue: bool
    probe_due: date | None
    dosage: StudentDosage | None
    decision: Decision
    urgency: int
    progress: StudentProgress

    @property
    def urgency_label(self) -> str:
        """The decision's words; an overdue probe never hides a decision (it is a flag)."""
        if self.probe_overdue and not kind_needs_decision(self.decision.kind):
            return OVERDUE.label
        return words(self.decision.kind).label

    @property
    def needs_decision(self) -> bool:
        """The one definition of "needs a decision" (store.vocabulary)."""
        return kind_needs_decision(self.decision.kind)

    @property
    def needs_attention(self) -> bool:
        """A decision to make or a probe overdue: what Today's attention list shows."""
        return self.needs_decision or self.probe_overdue

    @property
    def group_names(self) -> str:
        return ", ".join(g.name for g in self.groups)


def _probe(
    groups: Sequence[Group],
    student_id: str,
    last: date | None,
    today: date,
    factor: float,
) -> tuple[bool, date | None]:
    """(overdue, next due date): overdue when there is no score within ``factor`` × the
    shortest probe interval of the student's groups on this measure (IRIS Center: probe
    weekly or every other week)."""
    if not groups:
        return False, None
    weeks = min(g.probe_every_weeks for g in groups)
    if last is None:
        joined = [
            max(m.start, g.start_date or m.start)
            for g in groups
            for m in g.memberships
            if m.student_id == student_id and m.active_on(today)
        ]
        ref = min(joined) if joined else today
        due = ref
    else:
        ref = last
        due = last + timedelta(weeks=weeks)
    return (today - ref).days > factor * weeks * 7, due


def caseload_summary(
    students: Iterable[Student],
    groups: Iterable[Group],
    measures: Iterable[Measure],
    goals: Iterable[Goal],
    scores: Iterable[Score],
    phase_changes: Iterable[PhaseChange],
    sessions: Iterable[Session],
    calendar: SchoolCalendar,
    today: date,
    config: DecisionConfig | None = None,
    *,
    planned: dict[str, list[date]] | None = None,
) -> list[CaseloadRow]:
    """Every active student × every measure their current groups probe (or they have scores or
    a goal in), most urgent first: change > low dosage > overdue probe > raise goal > continue
    > insufficient data (DOMAIN.md decision rules; NCII). Dosage is counted from the latest
    phase change (else the goal's baseline date, else joining the group) up to ``today``.

    ``planned`` caches each group's planned meeting dates (first day of school to ``today``)
    by group id; pass the same dict to calls with the same calendar and ``today`` (one call
    per student, as the Today screen makes) so each group's schedule is expanded once."""
    config = config or DecisionConfig()
    measure_by = {m.code: m for m in measures}
    by = _Indexed(groups, goals, scores, phase_changes, today)
    scores_by, measures_of, current_of = by.scores_by, by.measures_of, by.current_of

    index = SessionIndex(sessions)
    breaks = break_weeks(calendar)
    planned = {} if planned is None else planned
    dosages: dict[tuple[str, tuple[str, ...], date], StudentDosage] = {}
    counted: dict[tuple[str, date, date], tuple[list[date], list[date]]] = {}  # by group window

    def planned_for(gs: Iterable[Group]) -> dict[str, list[date]]:
        from store.schedule import occurrences

        for g in gs:
            if g.id not in planned:
                planned[g.id] = occurrences(g, calendar, calendar.year_start, today)
        return planned

    rows: list[CaseloadRow] = []
    for student in students:
        if not student.active:
            continue
        sid = student.id
        for code in sorted(measures_of.get(sid, ()), key=lambda c: (_ORDER.get(c, 99), c)):
            m = measure_by.get(code) or _measure(code)
            key = (sid, code)
            goal, phases, dose_groups, start = by.dose(sid, code)
            probing = [g for g in current_of.get(sid, []) if code in g.measures]
            dosage = None
            if dose_groups and start is not None:
                dkey = (sid, tuple(g.id for g in dose_groups), start)
                dosage = dosages.get(dkey)
                if dosage is None:
                    dosage = dosages[dkey] = student_dosage(
                        sid,
                        dose_groups,
                        calendar,
                        index,
                        start,
                        today,
                        today=today,
                        planned=planned_for(dose_groups),
                        counted=counted,
                    )
            prog = student_progress(
                sid,
                m,
                scores=scores_by.get(key, ()),
                goal=goal,
                phase_changes=phases,
                dosage=dosage,
                config=config,
                today=today,
                breaks=breaks,
            )
            last = prog.last
            overdue, due = _probe(
                probing, sid, last[0] if last else None, today, config.probe_overdue_factor
            )
            d = prog.decision
            urgency = kind_urgency(d.kind, overdue=overdue)
            rows.append(
                CaseloadRow(
                    student=student,
                    measure=m,
                    groups=tuple(probing),
                    goal=goal,
                    status=STATUS_LABELS[d.status],
                    actual_roi=d.actual_roi,
                    needed_roi=d.needed_roi,
                    last_score=last[1] if last else None,
                    last_date=last[0] if last else None,
                    probe_overdue=overdue,
                    probe_due=due,
                    dosage=dosage,
                    decision=d,
                    urgency=urgency,
                    progress=prog,
                )
            )
    rows.sort(key=row_order)
    return rows


class _Indexed:
    """The records ``caseload_summary`` reads, indexed by student and measure."""

    def __init__(
        self,
        groups: Iterable[Group],
        goals: Iterable[Goal],
        scores: Iterable[Score],
        phase_changes: Iterable[PhaseChange],
        today: date,
    ) -> None:
        self.today = today
        self.scores_by: dict[tuple[str, str], list[Score]] = defaultdict(list)
        for s in scores:
            if s.date <= today:
                self.scores_by[(s.student_id, s.measure)].append(s)
        self.goals_by: dict[tuple[str, str], list[Goal]] = defaultdict(list)
        for g in goals:
            self.goals_by[(g.student_id, g.measure)].append(g)
        self.phases_by: dict[tuple[str, str], list[PhaseChange]] = defaultdict(list)
        for p in phase_changes:
            self.phases_by[(p.student_id, p.measure)].append(p)
        self.measures_of: dict[str, set[str]] = defaultdict(set)
        for sid, code in (*self.scores_by, *self.goals_by):
            self.measures_of[sid].add(code)
        # any membership, for dosage; member today, for probes and display
        self.groups_of: dict[str, list[Group]] = defaultdict(list)
        self.current_of: dict[str, list[Group]] = defaultdict(list)
        for grp in groups:
            for sid in dict.fromkeys(m.student_id for m in grp.memberships):
                self.groups_of[sid].append(grp)
            if grp.active:
                for sid in dict.fromkeys(grp.members_on(today)):
                    self.current_of[sid].append(grp)
                    self.measures_of[sid].update(grp.measures)

    def dose(
        self, sid: str, code: str
    ) -> tuple[Goal | None, list[PhaseChange], list[Group], date | None]:
        """(latest goal, phase changes, the groups dosage is counted over, the dosage start:
        the latest phase change, else the goal's baseline date, else joining a group)."""
        key = (sid, code)
        goal = _latest_goal(self.goals_by.get(key, ()))
        phases = self.phases_by.get(key, [])
        dose_groups = [g for g in self.groups_of.get(sid, []) if code in g.measures]
        dose_groups = dose_groups or self.groups_of.get(sid, [])
        if not dose_groups:
            return goal, phases, dose_groups, None
        start = latest_phase_start([p.date for p in phases], until=self.today)
        if start is None and goal is not None:
            start = goal.baseline_date
        if start is None:
            start = min(
                mm.start for g in dose_groups for mm in g.memberships if mm.student_id == sid
            )
        return goal, phases, dose_groups, start


def session_windows(
    students: Iterable[Student],
    groups: Iterable[Group],
    goals: Iterable[Goal],
    scores: Iterable[Score],
    phase_changes: Iterable[PhaseChange],
    today: date,
) -> dict[str, date]:
    """Group id → the first date whose session ``caseload_summary`` (same records, same
    ``today``) can count, for the groups whose log it reads at all. A student's dosage counts
    a session only on a date in [dosage start, today] on which they were a member
    (``store.dosage``), so a group no student was a member of in their window, such as last
    year's, needs no log read, and an older year of a log needs no parse (issue 16)."""
    by = _Indexed(groups, goals, scores, phase_changes, today)
    out: dict[str, date] = {}
    for student in students:
        if not student.active:
            continue
        sid = student.id
        for code in by.measures_of.get(sid, ()):
            _, _, dose_groups, start = by.dose(sid, code)
            if start is None:
                continue
            for g in dose_groups:
                for m in g.memberships:
                    if m.student_id != sid or (m.end is not None and m.end <= start):
                        continue
                    first = max(start, m.start)
                    if first <= today and (g.id not in out or first < out[g.id]):
                        out[g.id] = first
    return out


def row_order(row: CaseloadRow) -> tuple[int, tuple[str, ...], int, str]:
    """The caseload's order: most urgent first, then by student, then by measure (so lists
    merged from several ``caseload_summary`` calls sort as one call would)."""
    return (row.urgency, row.student.sort_key, _ORDER.get(row.measure.code, 99), row.measure.code)


def attention_counts(rows: Iterable[CaseloadRow]) -> dict[str, int]:
    """How many rows need each kind of decision, most urgent kind first, plus ``overdue`` (rows
    with a probe overdue, whatever their decision). Kinds with no row are left out."""
    counts: dict[str, int] = {}
    overdue = 0
    for r in rows:
        if r.needs_decision:
            counts[r.decision.kind] = counts.get(r.decision.kind, 0) + 1
        if r.probe_overdue:
            overdue += 1
    out = dict(sorted(counts.items(), key=lambda kv: words(kv[0]).urgency))
    if overdue:
        out["overdue"] = overdue
    return out


def attention_summary(rows: Iterable[CaseloadRow]) -> str:
    """ "5 to change · 21 to raise the goal · 3 probes overdue" ('' when nothing needs a look);
    the same line on Today, the caseload review, the packet and ``intervene caseload``."""
    counts = attention_counts(rows)
    parts = []
    for kind, n in counts.items():
        w = OVERDUE if kind == "overdue" else words(kind)
        phrase = w.counted
        if n == 1 and kind == "overdue":
            phrase = "probe overdue"
        parts.append(f"{n} {phrase}")
    return " · ".join(parts)
