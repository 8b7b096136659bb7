"""The student progress report: one student's progress on every measure (chart, goal
statement, baseline, goal, scores, ROI needed vs actual, decision and reason, dosage and
attendance, phase changes), and the per-measure sections the meeting packet reuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from store.caseload import CaseloadRow
from store.db import Store
from store.dosage import StudentDosage, student_dosage
from store.goals import gap_analysis
from store.model import Group, Measure, Score, Student, fmt_number
from store.progress import goal_statement
from store.school_weeks import break_weeks, school_weeks_between
from tui.charts import chart_data
from tui.config import AppConfig
from tui.documents.model import Block, Bullets, Chart, Document, Heading, Para, Table
from tui.documents.words import _day, _decision_words, _pct, _roi
from tui.views.lines import student_rows

CHART_WIDTH = 76
CHART_HEIGHT = 18


def _config(config: AppConfig | None) -> AppConfig:
    return config or AppConfig()


def _student_groups(store: Store, student: Student, today: date) -> list[Group]:
    return store.groups_of(student.id, on=today)


def _measure_rows(
    store: Store, student: Student, today: date, config: AppConfig
) -> tuple[list[CaseloadRow], dict[str, list[Score]]]:
    rows, scores = student_rows(store, student, today, config)
    ordered = sorted(rows.values(), key=lambda r: _measure_order(r.measure))
    return ordered, scores


def _measure_order(m: Measure) -> tuple[int, str]:
    order = ("ORF", "NWF", "LNF", "Maze", "MCOMP", "DBR", "CICO")
    return (order.index(m.code) if m.code in order else 99, m.code)


def _overall_dosage(store: Store, student: Student, today: date) -> StudentDosage | None:
    """Attendance in all the student's groups, from joining the first one up to ``today``."""
    groups = [
        g
        for g in store.groups(include_inactive=True)
        if any(m.student_id == student.id for m in g.memberships)
    ]
    if not groups:
        return None
    start = min(m.start for g in groups for m in g.memberships if m.student_id == student.id)
    if start > today:
        return None
    sessions = [s for g in groups for s in store.sessions(g.id, until=today)]
    return student_dosage(student.id, groups, store.calendar(), sessions, start, today, today=today)


def _chart(
    row: CaseloadRow,
    today: date,
    config: AppConfig,
    breaks: Sequence[date] = (),
    *,
    small: bool = False,
) -> Chart:
    """The chart's data only: each renderer draws the one format it writes (text or SVG)."""
    title = f"{row.measure.code} — {row.measure.unit}"
    data = chart_data(
        row.progress,
        today=today,
        trend_method=config.decision.trend_method,
        title=title,
        breaks=breaks,
    )
    return Chart(data, CHART_WIDTH, CHART_HEIGHT, small=small)


def _dosage_items(d: StudentDosage | None) -> list[str]:
    if d is None:
        return ["Attendance: not in a group for this measure."]
    since = f"since {_day(d.start)}"
    # over the logged sessions: a day never entered is not captured, not an absence
    items = [
        f"Sessions attended: {d.sessions_attended} of {d.sessions_logged} logged "
        f"({_pct(d.attendance_pct)}) {since}"
        + (f"; {d.sessions_extra} make-up" if d.sessions_extra else ""),
        f"Minutes received: {d.minutes_received} of {d.minutes_planned_logged} planned in "
        f"logged sessions ({_pct(d.minutes_pct)})",
    ]
    if d.sessions_not_logged:
        n = d.sessions_not_logged
        items.append(f"Not logged: {n} planned session{'s' if n != 1 else ''} (not counted)")
    if d.fidelity_avg is not None:
        items.append(f"Fidelity (sessions attended): {_pct(d.fidelity_avg)}")
    missed = d.missed_reasons
    if missed:
        reasons = ", ".join(f"{label} × {n}" for label, n in sorted(missed.items()))
        items.append(f"Missed sessions: {reasons}")
    else:
        items.append("Missed sessions: none")
    return items


def _scores_table(measure: Measure, scores: Sequence[Score], limit: int | None = None) -> Table:
    shown = list(scores)[-limit:] if limit else list(scores)
    with_errors = measure.records_errors or any(s.errors is not None for s in shown)
    header: tuple[str, ...] = ("Date", "Score")
    if with_errors:
        header += ("Errors", "Accuracy")
    rows = []
    for s in shown:
        row: tuple[str, ...] = (s.date.isoformat(), measure.format(s.value))
        if with_errors:
            acc = s.accuracy
            row += (
                "–" if s.errors is None else str(s.errors),
                "–" if acc is None else f"{acc:.0%}",
            )
        rows.append(row)
    numeric = tuple(range(1, len(header)))
    return Table(header, tuple(rows), numeric)


def _measure_blocks(
    student: Student,
    row: CaseloadRow,
    scores: Sequence[Score],
    today: date,
    config: AppConfig,
    *,
    score_limit: int | None = None,
    breaks: Sequence[date] = (),
) -> list[Block]:
    """One measure's section. ``breaks``: Mondays of whole no-school weeks (shaded on the
    chart, left out of the goal statement's weeks of school)."""
    m = row.measure
    prog = row.progress
    blocks: list[Block] = [Heading(f"{m.code} — {m.name} ({m.unit})", 2)]
    blocks.append(_chart(row, today, config, breaks))
    goal = row.goal
    facts: list[str] = []
    if goal is not None:
        weeks = school_weeks_between(goal.baseline_date, goal.goal_date, breaks)
        statement = goal_statement(
            student.given_name, m, goal.goal_value, weeks, goal_date=goal.goal_date
        )
        blocks.append(Para(statement))
        facts.append(f"Baseline: {m.format(goal.baseline_value)} on {_day(goal.baseline_date)}")
        facts.append(f"Goal: {m.format(goal.goal_value)} by {_day(goal.goal_date)}")
    else:
        blocks.append(Para(f"No {m.code} goal is set yet."))
        if prog.baseline is not None:
            facts.append(f"Baseline (median of the first 3 scores): {fmt_number(prog.baseline, 1)}")
    if prog.last is not None:
        d, v = prog.last
        facts.append(f"Last score: {m.format(v)} on {_day(d)}")
    else:
        facts.append("Last score: none yet")
    if not m.higher_is_better:
        facts.append("Lower scores are better on this measure.")
    method = prog.trend.method if prog.trend else config.decision.trend_method
    facts.append(
        f"ROI needed: {_roi(row.needed_roi)} · ROI actual: {_roi(row.actual_roi)} "
        f"({method.upper() if method == 'ols' else method}, {row.decision.n_points} "
        "scores in the current phase)"
        + (
            f"; provisional until {row.decision.needed_points} scores"
            if row.decision.provisional
            else ""
        )
    )
    dec = row.decision
    if dec.points and prog.aim is not None:
        facts.append(
            f"Instruction: {fmt_number(round(dec.weeks, 1), 1)} weeks of school in this phase"
        )
    if dec.pct_at_goal is not None:
        facts.append(f"Scores at goal: {_pct(dec.pct_at_goal)} of the phase's scores")
    if dec.pnd is not None:
        base = "the previous phase" if prog.phase_changes else "the baseline"
        facts.append(f"PND: {_pct(dec.pnd)} of the phase's scores beyond {base}'s best")
    # Gap analysis (DOMAIN.md): gap and weeks to the goal at the actual ROI.
    analysis = gap_analysis(
        m,
        [v for d, v in prog.points if d <= today],
        goal=goal.goal_value if goal is not None else None,
        roi=row.actual_roi,
        grade=student.grade,
        on=today,
        goal_date=goal.goal_date if goal is not None else None,
        breaks=breaks,
    )
    if analysis is not None and analysis.gap is not None:
        facts.append(f"Gap: {analysis.gap_words()}")
    if analysis is not None and goal is not None:
        facts.append(f"Weeks to goal: {analysis.weeks_words()}")
    facts.append(f"Status: {row.status}")
    facts.append(f"Decision ({row.decision.rule}): {_decision_words(row)} — {row.decision.reason}")
    blocks.append(Bullets(tuple(facts)))
    if prog.phase_changes:
        blocks.append(Heading("Phase changes", 3))
        blocks.append(Bullets(tuple(f"{_day(p.date)}: {p.label}" for p in prog.phase_changes)))
    blocks.append(Heading("Dosage and attendance", 3))
    blocks.append(Bullets(tuple(_dosage_items(row.dosage))))
    blocks.append(Heading("Scores", 3))
    if scores:
        if score_limit and len(scores) > score_limit:
            blocks.append(Para(f"The latest {score_limit} of {len(scores)} scores:"))
        blocks.append(_scores_table(m, scores, score_limit))
    else:
        blocks.append(Para("No scores yet."))
    return blocks


def _student_header(
    store: Store, student: Student, today: date, groups: Sequence[Group] | None = None
) -> list[Block]:
    """The student's name and facts; ``groups``: their groups on ``today`` when known."""
    groups = _student_groups(store, student, today) if groups is None else groups
    names = ", ".join(g.name for g in groups) or "none"
    facts = [f"Grade: {student.grade}", f"Groups: {names}"]
    if student.sis_id:
        facts.append(f"Student ID: {student.sis_id}")
    return [Heading(f"{student.name}", 1), Bullets(tuple(facts))]


def student_document(
    store: Store, student_id: str, *, today: date, config: AppConfig | None = None
) -> Document:
    """The student progress report as blocks."""
    cfg = _config(config)
    student = store.student(student_id)
    doc = Document(f"Progress report — {student.name} — {_day(today)}", students=1)
    doc.add(Heading(f"Progress report: {student.name}", 1), Para(f"As of {_day(today)}"))
    doc.add(*_student_header(store, student, today)[1:])
    rows, scores = _measure_rows(store, student, today, cfg)
    breaks = break_weeks(store.calendar())
    if not rows:
        doc.add(Para("No measures, scores or goals for this student yet."))
    for row in rows:
        doc.add(
            *_measure_blocks(
                student, row, scores.get(row.measure.code, []), today, cfg, breaks=breaks
            )
        )
    return doc
