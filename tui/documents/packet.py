"""The meeting packet (issue 19): an agenda first — the students who need a decision, most
urgent first (``store.vocabulary`` urgency; ``CaseloadRow.needs_decision``, the one definition
every screen uses), the group dosage summary, then everyone else — then the caseload table and
one page per student who needs a decision, in the agenda's order. Each page shows the team's
latest recorded decision when there is one and ends with boxes for today's decision and notes
and the attendees line.
"""

from __future__ import annotations

from datetime import date

from store.caseload import CaseloadRow, attention_summary
from store.db import Store
from store.db.team_decisions import TEAM_CHOICE_LABELS, TeamDecision
from store.db.team_decisions import TEAM_CHOICES as STORE_CHOICES
from store.dosage import group_dosage
from store.model import Group
from store.school_weeks import break_weeks
from tui.config import AppConfig
from tui.documents.model import Block, Bullets, Document, Heading, PageBreak, Para, Table
from tui.documents.student import _config, _measure_blocks, _measure_order, _student_header
from tui.documents.words import _day, _decision_words, _pct, _rate
from tui.views.attention import caseload_with_scores

PACKET_SCORES = 10  # the packet's per-student pages show the latest scores only
# the team's choices, in meeting mode's words (store.db.team_decisions; NCII DBI steps)
TEAM_CHOICES: tuple[str, ...] = tuple(
    TEAM_CHOICE_LABELS[c] + (" (phase change: ________________)" if c == "change" else "")
    for c in STORE_CHOICES
)
BOX_LINES = 3  # ruled lines in the notes box


def decision_box() -> list[Block]:
    """The end of each student page: the team's decision (tick one), notes, attendees."""
    return [
        Heading("Team decision", 3),
        Bullets(tuple(f"[ ] {c}" for c in TEAM_CHOICES)),
        Heading("Notes", 3),
        Para("\n".join("_" * 60 for _ in range(BOX_LINES))),
        Para("Attendees: " + "_" * 50),
    ]


def team_decision_words(d: TeamDecision) -> str:
    """'Nov 16, 2026 (ORF): change the intervention — add a second daily session; present:
    …'"""
    text = f"{_day(d.date)} ({d.measure}): {d.label}"
    if d.note:
        text += f" — {d.note}"
    if d.attendees:
        text += f"; present: {d.attendees}"
    return text


def _group_dosage_table(store: Store, today: date) -> Table | None:
    """Each active group's sessions, attendance, minutes and fidelity this school year: the
    groups that ended before it began are past years' (most of a school's groups table), not
    listed, and only this year's session logs are read."""
    calendar = store.calendar()
    rows = []
    for g in store.groups_open_on(calendar.year_start):
        start = max(g.start_date or calendar.year_start, calendar.year_start)
        if start > today:
            continue
        logged = store.sessions(g.id, since=start, until=today)
        d = group_dosage(g, calendar, logged, start, today, today=today)
        rows.append(
            (
                g.name,
                str(len(g.members_on(today))),
                f"{d.sessions_delivered} of {d.sessions_logged}",
                str(d.sessions_not_logged),
                _pct(d.attendance_pct),
                _pct(d.minutes_pct),
                _pct(d.fidelity_avg),
            )
        )
    if not rows:
        return None
    header = (
        "Group",
        "Members",
        "Sessions delivered of logged",
        "Not logged",
        "Attendance",
        "Minutes",
        "Fidelity",
    )
    return Table(header, tuple(rows), numeric=(1, 3, 4, 5, 6))


def packet_document(store: Store, *, today: date, config: AppConfig | None = None) -> Document:
    """The meeting packet as blocks: the counts line (``attention_summary``), the caseload
    table, then a page per student with a row that needs a decision."""
    cfg = _config(config)
    rows, scores = caseload_with_scores(store, today, cfg)  # read once, not per student
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
    by_id = {r.student.id: r.student for r in rows}

    def rank(sid: str) -> tuple[int, tuple[str, ...]]:
        return (min(r.urgency for r in needing[sid]), by_id[sid].sort_key)

    order = sorted(needing, key=rank)
    doc.add(Heading("Agenda", 2))
    doc.add(Heading("1. Students who need a decision (most urgent first)", 3))
    if order:
        items = []
        for sid in order:
            what = "; ".join(
                f"{r.measure.code}: {_decision_words(r, short=True)}"
                for r in sorted(needing[sid], key=lambda r: r.urgency)
            )
            items.append(f"{by_id[sid].name} — {what}")
        doc.add(Bullets(tuple(items), ordered=True))
    else:
        doc.add(Para("No student needs a decision today."))
    doc.add(Heading("2. Group dosage", 3))
    dosage = _group_dosage_table(store, today)
    doc.add(dosage if dosage is not None else Para("No groups yet."))
    doc.add(Heading("3. Everyone else", 3))
    others = sorted((s for s in students if s not in needing), key=lambda sid: by_id[sid].sort_key)
    rows_of: dict[str, list[CaseloadRow]] = {}
    for r in rows:
        rows_of.setdefault(r.student.id, []).append(r)
    if others:
        lines = []
        for sid in others:
            mine = rows_of[sid]
            lines.append(
                f"{by_id[sid].name} — "
                + "; ".join(f"{r.measure.code}: {_decision_words(r, short=True)}" for r in mine)
            )
        doc.add(Bullets(tuple(lines)))
    else:
        doc.add(Para("Everyone on the caseload needs a decision."))
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
    breaks = break_weeks(store.calendar())
    groups_on: dict[str, list[Group]] = {}  # each student's groups today (Store.groups_of)
    for g in store.groups(include_inactive=True):
        for member in dict.fromkeys(g.members_on(today)):
            groups_on.setdefault(member, []).append(g)
    decided = store.latest_team_decisions()  # meeting mode's record, one read
    for sid in order:
        student = by_id[sid]
        doc.add(PageBreak())
        doc.add(*_student_header(store, student, today, groups_on.get(sid, [])))
        team = decided.get(sid)
        words = team_decision_words(team) if team else "none recorded"
        doc.add(Para(f"Last team decision: {words}"))
        for r in sorted(needing[sid], key=lambda r: _measure_order(r.measure)):
            doc.add(
                *_measure_blocks(
                    student,
                    r,
                    scores.get((sid, r.measure.code), []),
                    today,
                    cfg,
                    score_limit=PACKET_SCORES,
                    breaks=breaks,
                )
            )
        doc.add(*decision_box())
    return doc
