"""Reports for meetings and families, built from the Store's public API and the progress
engine (``store.caseload`` / ``store.progress`` / ``store.dosage``).

Three reports, each in three formats (``md``, ``html``, ``text``):

* **student** — one student's progress on every measure: chart, goal statement, baseline,
  goal, scores, ROI needed vs actual, decision and reason, dosage/attendance, phase changes;
* **packet** — the meeting packet: the caseload's counts line and summary table, then one page
  per student with a row that needs a decision (``CaseloadRow.needs_decision``, the one
  definition every screen uses);
* **letter** — a family letter: the same facts in plain words, without jargon.

Each report is first built as a short list of blocks (headings, paragraphs, tables, charts,
page breaks) and then rendered, so the three formats say the same thing and user text is
escaped in one place: Markdown punctuation is backslash-escaped, HTML is ``html.escape``d
(and self-contained: inline CSS, no scripts, no links), text loses control characters.
"""

from __future__ import annotations

import html
import os
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import field
from datetime import date, timedelta
from pathlib import Path

from store.caseload import CaseloadRow, attention_summary
from store.db import Store
from store.dosage import StudentDosage, student_dosage
from store.goals import gap_analysis
from store.model import Group, Measure, Score, Student, fmt_number
from store.progress import goal_statement
from store.records import frozen_record, mutable_record
from store.school_weeks import break_weeks, school_weeks_between
from store.vocabulary import KINDS as VOCABULARY
from tui.charts import progress_chart, progress_chart_html
from tui.config import AppConfig
from tui.tones import decision_words
from tui.views.attention import caseload_rows
from tui.views.lines import student_rows

KINDS: tuple[str, ...] = ("student", "packet", "letter")
FORMATS: tuple[str, ...] = ("md", "html", "text")
EXTENSIONS: dict[str, str] = {"md": "md", "html": "html", "text": "txt"}
# The words come from store.vocabulary (the same on every screen and in `intervene caseload`).
SHORT_DECISIONS: dict[str, str] = {kind: w.short for kind, w in VOCABULARY.items()}
DECISION_WORDS: dict[str, str] = {kind: w.label for kind, w in VOCABULARY.items()}
CHART_WIDTH = 76
CHART_HEIGHT = 18
PACKET_SCORES = 10  # the packet's per-student pages show the latest scores only
FILE_MODE = 0o600


class ReportError(ValueError):
    """A report that cannot be made as asked (unknown kind/format, no student given)."""


# --------------------------------------------------------------------------- blocks
@frozen_record
class Heading:
    text: str
    level: int = 1


@frozen_record
class Para:
    text: str


@frozen_record
class Lines:
    """Short lines kept as they are (an address, a signature)."""

    lines: tuple[str, ...]


@frozen_record
class Bullets:
    items: tuple[str, ...]


@frozen_record
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns aligned right


@frozen_record
class Chart:
    text: str  # colour-free text chart
    html: str  # HTML fragment


@frozen_record
class PageBreak:
    pass


Block = Heading | Para | Lines | Bullets | Table | Chart | PageBreak


@mutable_record
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    students: int = 0  # how many students' data it holds (for the export log)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


# --------------------------------------------------------------------------- small words
def _day(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def _long_day(d: date, today: date) -> str:
    """'February 12' (the year added when it is not this year)."""
    text = f"{d:%B} {d.day}"
    return text if d.year == today.year else f"{text}, {d.year}"


def _roi(value: float | None) -> str:
    if value is None:
        return "–"
    text = fmt_number(round(value, 2) + 0.0, 2)
    return f"{text if text.startswith('-') else '+' + text}/week"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value)} %"


def _decision_words(row: CaseloadRow, short: bool = False) -> str:
    """The row's decision words and overdue flag (``tui.tones.decision_words``)."""
    return decision_words(row, short=short)


def _rate(value: float | None) -> str:
    if value is None:
        return "–"
    text = fmt_number(round(value, 2) + 0.0, 2)
    return text if text.startswith("-") else "+" + text


# --------------------------------------------------------------------------- data
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


# --------------------------------------------------------------------------- student report
def _chart(row: CaseloadRow, today: date, config: AppConfig, breaks: Sequence[date] = ()) -> Chart:
    title = f"{row.measure.code} — {row.measure.unit}"
    method = config.decision.trend_method
    text = progress_chart(
        row.progress,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        today=today,
        color=False,
        trend_method=method,
        title=title,
        breaks=breaks,
    )
    fragment = progress_chart_html(
        row.progress,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        today=today,
        trend_method=method,
        title=title,
        breaks=breaks,
    )
    return Chart(text, fragment)


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


def _student_header(store: Store, student: Student, today: date) -> list[Block]:
    groups = _student_groups(store, student, today)
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


# --------------------------------------------------------------------------- meeting packet
def packet_document(store: Store, *, today: date, config: AppConfig | None = None) -> Document:
    """The meeting packet as blocks: the counts line (``attention_summary``), the caseload
    table, then a page per student with a row that needs a decision."""
    cfg = _config(config)
    rows = caseload_rows(store, today, cfg)
    doc = Document(f"Meeting packet — {_day(today)}")
    doc.add(Heading(f"Meeting packet · {_day(today)}", 1))
    students = {r.student.id for r in rows}
    needing: dict[str, list[CaseloadRow]] = {}
    for r in rows:
        if r.needs_decision:  # the one definition (store.vocabulary), as on every screen
            needing.setdefault(r.student.id, []).append(r)
    doc.students = len(students)
    n = len(needing)
    doc.add(
        Para(
            f"{len(students)} students, {len(rows)} student × measure lines; "
            f"{n} {'student needs' if n == 1 else 'students need'} a decision."
        )
    )
    summary = attention_summary(rows)
    if summary:  # the counts line Today and the caseload review show
        doc.add(Para(summary))
    table_rows = []
    for r in rows:
        last = "–"
        if r.last_score is not None and r.last_date is not None:
            last = f"{r.measure.format(r.last_score)} ({r.last_date:%b} {r.last_date.day})"
        table_rows.append(
            (
                r.student.name,
                r.group_names or "–",
                r.measure.code,
                last,
                f"{_rate(r.actual_roi)} vs {_rate(r.needed_roi)}",
                r.status,
                _decision_words(r, short=True),
            )
        )
    doc.add(Heading("Caseload", 2))
    if table_rows:
        doc.add(
            Table(
                (
                    "Student",
                    "Group",
                    "Measure",
                    "Last score",
                    "ROI/week actual vs needed",
                    "Status",
                    "Decision",
                ),
                tuple(table_rows),
            )
        )
    else:
        doc.add(Para("No students on the caseload yet."))
    by_id = {r.student.id: r.student for r in rows}
    order = sorted(needing, key=lambda sid: by_id[sid].sort_key)
    breaks = break_weeks(store.calendar())
    for sid in order:
        student = by_id[sid]
        doc.add(PageBreak())
        doc.add(*_student_header(store, student, today))
        _, scores = student_rows(store, student, today, cfg)
        for r in sorted(needing[sid], key=lambda r: _measure_order(r.measure)):
            doc.add(
                *_measure_blocks(
                    student,
                    r,
                    scores.get(r.measure.code, []),
                    today,
                    cfg,
                    score_limit=PACKET_SCORES,
                    breaks=breaks,
                )
            )
    return doc


# --------------------------------------------------------------------------- family letter
# (past tense, base form) of what the student did, per measure — plain words for families.
PLAIN: dict[str, tuple[str, str]] = {
    "ORF": ("read {n} words correctly in one minute", "read {n} words correctly in one minute"),
    "NWF": (
        "read {n} sounds in made-up words in one minute",
        "read {n} sounds in made-up words in one minute",
    ),
    "LNF": ("named {n} letters in one minute", "name {n} letters in one minute"),
    "Maze": (
        "picked the right missing word {n} times in a short story",
        "pick the right missing word {n} times in a short story",
    ),
    "MCOMP": (
        "wrote {n} correct digits in math problems in one minute",
        "write {n} correct digits in math problems in one minute",
    ),
    "DBR": (
        "earned a behaviour rating of {n} out of 10",
        "earn a behaviour rating of {n} out of 10",
    ),
    "DBR-AE": (
        "was rated {n} out of 10 for staying focused on class work",
        "be rated {n} out of 10 or higher for staying focused on class work",
    ),
    "DBR-RS": (
        "was rated {n} out of 10 for being respectful",
        "be rated {n} out of 10 or higher for being respectful",
    ),
    "DBR-DB": (  # lower is better
        "was rated {n} out of 10 for disruptive behaviour (lower is better)",
        "be rated {n} out of 10 or lower for disruptive behaviour",
    ),
    "CICO": (
        "earned {n}% of the daily behaviour points",
        "earn {n}% or more of the daily behaviour points",
    ),
}
SUBJECTS: dict[str, str] = {
    "ORF": "reading",
    "NWF": "reading",
    "LNF": "reading",
    "Maze": "reading",
    "MCOMP": "math",
    "DBR": "behaviour",
    "DBR-AE": "behaviour",
    "DBR-RS": "behaviour",
    "DBR-DB": "behaviour",
    "CICO": "behaviour",
}
# Words a family letter must not use (DOMAIN.md vocabulary is for staff).
JARGON: tuple[str, ...] = (
    "ROI",
    "aim line",
    "trend",
    "intervention fidelity",
    "fidelity",
    "probe",
    "CBM",
    "baseline",
    "phase",
    "tier",
    "dosage",
)


def _plain_value(m: Measure, value: float) -> str:
    return m.format(value) + ("%" if m.code == "CICO" else "")


def _did(m: Measure, value: float, past: bool = True) -> str:
    n = _plain_value(m, value)
    if m.code in PLAIN:
        return PLAIN[m.code][0 if past else 1].format(n=m.format(value))
    return f"{'scored' if past else 'score'} {n} on {m.name.lower()}"


def _when(d: date, today: date) -> str:
    monday = today - timedelta(days=today.weekday())
    if d >= monday:
        return "this week"
    if d >= monday - timedelta(days=7):
        return "last week"
    return f"on {_long_day(d, today)}"


def _plain_status(name: str, row: CaseloadRow) -> str:
    kind, status = row.decision.kind, row.decision.status
    if row.goal is None:
        return f"We will keep checking {name}'s progress every week or two."
    if kind == "low-dosage":
        return (
            f"{name} has missed some group time. We are working to make sure {name} gets every "
            "planned session before we decide whether to change anything."
        )
    if kind in ("low-fidelity", "not-logged"):
        return (
            f"We are checking our records of {name}'s group time before we decide whether to "
            "change anything."
        )
    if kind == "goal-met":
        return f"{name} has reached this goal, so we will set a new one."
    if kind == "goal-missed":
        return (
            f"The date we set for this goal has passed and {name} has not reached it yet, so we "
            "are looking at the plan again."
        )
    if kind == "questionable-response":
        return (
            f"{name} has had several days below the goal recently, so we are looking at ways "
            "to help."
        )
    if kind == "raise-goal" or status == "above":
        return f"{name} is ahead of where we hoped, so we may set a higher goal."
    if kind == "change" or status == "below":
        return (
            f"{name} is not yet on track to meet this goal, so we are looking at ways to "
            "give more or different help."
        )
    if kind == "continue":
        return f"{name} is on track to meet this goal."
    return f"It is still early, so we will keep checking {name}'s progress each week."


def _plain_measure(name: str, row: CaseloadRow, today: date) -> str | None:
    m = row.measure
    pts = row.progress.points
    if not pts:
        return None
    (first_day, first), (last_day, last) = pts[0], pts[-1]
    when = _when(last_day, today)
    sentence = f"{name} {_did(m, last)} {when}"
    if len(pts) > 1 and first_day != last_day:
        start = (
            f"{first_day:%B}"
            if first_day.year == today.year or ((today - first_day).days < 300)
            else f"{first_day:%B %Y}"
        )
        better = last > first if m.higher_is_better else last < first
        if last == first:
            sentence += f", the same as in {start}"
        elif better:
            word = "up" if last > first else "down"
            sentence += f", {word} from {_plain_value(m, first)} in {start}"
        else:
            sentence += f", compared with {_plain_value(m, first)} in {start}"
    sentence = sentence[0].upper() + sentence[1:] + "."
    parts = [sentence]
    if row.goal is not None:
        g = row.goal
        goal_date = _long_day(g.goal_date, today)
        parts.append(
            f"Our goal is for {name} to {_did(m, g.goal_value, past=False)} by {goal_date}."
        )
    parts.append(_plain_status(name, row))
    return " ".join(parts)


def _subject(rows: Iterable[CaseloadRow]) -> str:
    subjects = list(dict.fromkeys(SUBJECTS.get(r.measure.code, "support") for r in rows))
    academic = [s for s in subjects if s in ("reading", "math")]
    if academic:
        return " and ".join(academic)
    return subjects[0] if subjects else "support"


def letter_document(
    store: Store, student_id: str, *, today: date, config: AppConfig | None = None
) -> Document:
    """The family letter as blocks: plain language, no jargon, no group or program names."""
    cfg = _config(config)
    student = store.student(student_id)
    name = student.given_name
    rows, _ = _measure_rows(store, student, today, cfg)
    with_data = [r for r in rows if r.progress.points]
    subject = _subject(with_data or rows)
    doc = Document(f"A note about {student.name}'s progress", students=1)
    doc.add(Lines((f"{today:%B} {today.day}, {today.year}",)))
    doc.add(Para(f"Dear family of {student.name},"))
    doc.add(
        Para(
            f"{name} has been working in a small group at school to build {subject} skills. "
            f"Every week or two, we check {name}'s progress with a short activity. "
            f"Here is how {name} is doing."
        )
    )
    for row in with_data:
        text = _plain_measure(name, row, today)
        if text:
            doc.add(Para(text))
    if not with_data:
        doc.add(Para(f"{name} is just getting started, so we do not have results to share yet."))
    dosage = _overall_dosage(store, student, today)
    if dosage is not None and dosage.sessions_planned:
        doc.add(
            Para(
                f"Since {_long_day(dosage.start, today)}, {name} came to "
                f"{dosage.sessions_attended} of the {dosage.sessions_logged} group sessions "
                "we held."
            )
        )
    doc.add(
        Para(
            "Thank you for your support at home. A few minutes of practice together each day "
            "makes a real difference. If you have any questions, please get in touch."
        )
    )
    doc.add(Lines(("Warm regards,", f"Your child's {subject} teacher")))
    return doc


# --------------------------------------------------------------------------- rendering
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&!])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _clean(text))


def _clean(text: str) -> str:
    """No control characters (tabs/newlines become spaces)."""
    return "".join(c if c.isprintable() else " " for c in str(text))


def to_markdown(doc: Document) -> str:
    """Markdown; every piece of text escaped, charts in fenced code blocks."""
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            out.append(f"{'#' * b.level} {_md(b.text)}")
        elif isinstance(b, Para):
            out.append(_md(b.text))
        elif isinstance(b, Lines):
            out.append("  \n".join(_md(x) for x in b.lines))
        elif isinstance(b, Bullets):
            out.append("\n".join(f"- {_md(x)}" for x in b.items))
        elif isinstance(b, Table):
            header = "| " + " | ".join(_md(h) for h in b.header) + " |"
            rule = (
                "|"
                + "|".join("---:" if i in b.numeric else "---" for i in range(len(b.header)))
                + "|"
            )
            body = ["| " + " | ".join(_md(c) for c in row) + " |" for row in b.rows]
            out.append("\n".join([header, rule, *body]))
        elif isinstance(b, Chart):
            fence = "```"
            while fence in b.text:
                fence += "`"
            out.append(f"{fence}text\n{b.text}\n{fence}")
        elif isinstance(b, PageBreak):
            out.append("---")
    return "\n\n".join(out) + "\n"


def _wrap(text: str, width: int, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(
        _clean(text),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    )


def _text_table(t: Table, width: int) -> str:
    """Columns at their natural width; only a table wider than 1.5 × ``width`` has its
    widest cells shortened (with …)."""
    cells = [list(t.header)] + [list(r) for r in t.rows]
    cells = [[_clean(c) for c in row] for row in cells]
    n = len(t.header)
    widths = [max(len(row[i]) for row in cells) for i in range(n)]
    width = width * 3 // 2
    limit = max(8, (width - 2 * (n - 1)) // n)
    while sum(widths) + 2 * (n - 1) > width and max(widths) > limit:
        i = widths.index(max(widths))
        widths[i] -= 1
    lines = []
    for k, row in enumerate(cells):
        parts = []
        for i, c in enumerate(row):
            c = c if len(c) <= widths[i] else c[: max(1, widths[i] - 1)] + "…"
            parts.append(c.rjust(widths[i]) if i in t.numeric else c.ljust(widths[i]))
        lines.append("  ".join(parts).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def to_text(doc: Document, width: int = 78) -> str:
    """Plain text for the terminal; page breaks are a form feed and a rule."""
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            text = _clean(b.text)
            underline = {1: "=", 2: "-"}.get(b.level)
            out.append(f"{text}\n{underline * min(len(text), width)}" if underline else text)
        elif isinstance(b, Para):
            out.append(_wrap(b.text, width))
        elif isinstance(b, Lines):
            out.append("\n".join(_clean(x) for x in b.lines))
        elif isinstance(b, Bullets):
            out.append("\n".join(_wrap(x, width, "  ", "- ") for x in b.items))
        elif isinstance(b, Table):
            out.append(_text_table(b, width))
        elif isinstance(b, Chart):
            out.append(b.text)
        elif isinstance(b, PageBreak):
            out.append("\f" + "─" * width)
    return "\n\n".join(out) + "\n"


_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #ccc; padding-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .8rem;
  line-height: 1.15; background: #fafafa; border: 1px solid #e4e4e4; padding: .5rem;
  overflow-x: auto; }
figure.chart { margin: .5rem 0 1rem; }
p.lines { white-space: pre-line; }
section.page { page-break-before: always; break-before: page; }
@media print { body { margin: 0; max-width: none; } pre { font-size: .7rem; } }
"""


def _h(text: str) -> str:
    return html.escape(_clean(text), quote=True)


def to_html(doc: Document) -> str:
    """A self-contained HTML page: inline CSS, no scripts, no external links; page breaks
    start a new ``<section class="page">`` (CSS page-break-before)."""
    body: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            level = min(max(b.level, 1), 6)
            body.append(f"<h{level}>{_h(b.text)}</h{level}>")
        elif isinstance(b, Para):
            body.append(f"<p>{_h(b.text)}</p>")
        elif isinstance(b, Lines):
            body.append("<p>" + "<br>".join(_h(x) for x in b.lines) + "</p>")
        elif isinstance(b, Bullets):
            items = "".join(f"<li>{_h(x)}</li>" for x in b.items)
            body.append(f"<ul>{items}</ul>")
        elif isinstance(b, Table):

            def cls(i: int, t: Table = b) -> str:
                return ' class="num"' if i in t.numeric else ""

            head = "".join(f"<th{cls(i)}>{_h(h)}</th>" for i, h in enumerate(b.header))
            rows = "".join(
                "<tr>" + "".join(f"<td{cls(i)}>{_h(c)}</td>" for i, c in enumerate(r)) + "</tr>"
                for r in b.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(b, Chart):
            body.append(b.html)
        elif isinstance(b, PageBreak):
            body.append('</section>\n<section class="page">')
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_h(doc.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        "<section>\n" + "\n".join(body) + "\n</section>\n</body>\n</html>\n"
    )


def render(doc: Document, fmt: str) -> str:
    """``doc`` in ``md``, ``html`` or ``text``."""
    if fmt == "md":
        return to_markdown(doc)
    if fmt == "html":
        return to_html(doc)
    if fmt == "text":
        return to_text(doc)
    raise ReportError(f"report format {fmt!r} is not one of: {', '.join(FORMATS)}")


# --------------------------------------------------------------------------- public entry points
def build_document(
    kind: str,
    store: Store,
    *,
    today: date,
    student_id: str | None = None,
    config: AppConfig | None = None,
) -> Document:
    """The report ``kind`` ("student", "packet", "letter") as a Document."""
    if kind not in KINDS:
        raise ReportError(f"report {kind!r} is not one of: {', '.join(KINDS)}")
    if kind == "packet":
        return packet_document(store, today=today, config=config)
    if student_id is None:
        raise ReportError(f"the {kind} report needs a student")
    if kind == "student":
        return student_document(store, student_id, today=today, config=config)
    return letter_document(store, student_id, today=today, config=config)


def student_report(
    store: Store, student_id: str, *, today: date, fmt: str = "md", config: AppConfig | None = None
) -> str:
    """One student's progress report in ``fmt``."""
    return render(student_document(store, student_id, today=today, config=config), fmt)


def meeting_packet(
    store: Store, *, today: date, fmt: str = "md", config: AppConfig | None = None
) -> str:
    """The meeting packet in ``fmt``."""
    return render(packet_document(store, today=today, config=config), fmt)


def family_letter(
    store: Store, student_id: str, *, today: date, fmt: str = "md", config: AppConfig | None = None
) -> str:
    """The family letter in ``fmt``."""
    return render(letter_document(store, student_id, today=today, config=config), fmt)


def slug(text: str) -> str:
    """ASCII, lowercase, hyphens: "Zoë O'Neil" → 'zoe-o-neil'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def default_filename(kind: str, fmt: str, today: date, student: Student | None = None) -> str:
    """``<kind>-<student>-<date>.<ext>``, e.g. ``letter-ava-smith-2025-01-15.html`` (the
    student's name as ASCII, else the id); the packet has no student part."""
    ext = EXTENSIONS.get(fmt, fmt)
    who = ""
    if student is not None:
        who = "-" + (slug(student.name) or slug(student.id) or "student")
    return f"{kind}{who}-{today.isoformat()}.{ext}"


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` readable by the user only (mode 0600), via a temp file in
    the same folder and an atomic replace."""
    path = Path(path).expanduser()
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def log_report(store: Store, kind: str, path: str | Path, students: int) -> None:
    """Record the report in the Store's export (privacy) log; read-only stores skip it."""
    if not store.readonly:
        store.log_export(f"report-{kind}", str(path), students, deidentified=False)


def write_report(
    kind: str,
    fmt: str,
    path: str | Path,
    store: Store,
    *,
    today: date,
    student_id: str | None = None,
    config: AppConfig | None = None,
    log: bool = True,
) -> Path:
    """Build the report, write it to ``path`` (mode 0600), log the export, return the path."""
    if fmt not in FORMATS:
        raise ReportError(f"report format {fmt!r} is not one of: {', '.join(FORMATS)}")
    doc = build_document(kind, store, today=today, student_id=student_id, config=config)
    out = write_private(Path(path), render(doc, fmt))
    if log:
        log_report(store, kind, out.absolute(), doc.students)
    return out
