"""The meeting packet: the caseload's counts line and summary table, then one page per
student with a row that needs a decision (``CaseloadRow.needs_decision``, the one definition
every screen uses).
"""

from __future__ import annotations

from datetime import date

from store.caseload import CaseloadRow, attention_summary
from store.db import Store
from store.school_weeks import break_weeks
from tui.config import AppConfig
from tui.documents.model import Document, Heading, PageBreak, Para, Table
from tui.documents.student import _config, _measure_blocks, _measure_order, _student_header
from tui.documents.words import _day, _decision_words, _rate
from tui.views.attention import caseload_rows
from tui.views.lines import student_rows

PACKET_SCORES = 10  # the packet's per-student pages show the latest scores only


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
