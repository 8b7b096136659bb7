"""``intervene caseload [--date D] [--json]``: the caseload review for scripts and screen readers.

One row per (student, measure), most urgent first, computed by the very function the app's
screens use (:func:`tui.views.attention.caseload_rows`, i.e. ``store.caseload.caseload_summary``),
with the counts line Today, the caseload review and the meeting packet show
(``store.caseload.attention_summary``). The data folder is opened read-only, without the
writer lock, so this works while the app is open in another window. Imports no Textual.

``--json`` prints one object::

    {"date": "2026-11-25",
     "summary": {"line": "5 to change · 3 probes overdue", "counts": {"change": 5, "overdue": 3},
                 "students": 20, "rows": 34,
                 "rows_needing_decision": 9, "students_needing_decision": 7},
     "rows": [{"student_id": ..., "student": ..., "measure": "ORF", "status": "below",
               "decision": "change", "decision_words": "change the intervention",
               "reason": ..., "roi_actual": 0.2, "roi_needed": 1.5, "points": 8,
               "dosage": {"attendance_pct": 92.0, ...} | null,
               "needs_decision": true, "probe_overdue": false, ...}, ...]}

``counts`` holds the decision kinds that need a decision (``store.vocabulary``), most urgent
first, plus ``overdue`` (rows with a probe overdue); kinds with no row are left out.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TYPE_CHECKING

from tui.cli.io import _handles_errors, _say, add_read_command, print_lines, read_as_of

if TYPE_CHECKING:
    from store.caseload import CaseloadRow
    from store.dosage import StudentDosage

COLUMNS = ("Decision", "Student", "Measure", "Status", "ROI act/need", "Points", "Dosage")


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits) + 0.0


def dosage_record(dosage: StudentDosage | None) -> dict[str, object] | None:
    """A row's dosage as plain values (percentages 0–100, ``None`` when nothing was planned)."""
    if dosage is None:
        return None
    return {
        "since": dosage.start.isoformat(),
        "attendance_pct": _round(dosage.attendance_pct, 1),
        "minutes_pct": _round(dosage.minutes_pct, 1),
        "sessions_planned": dosage.sessions_planned,
        "sessions_attended": dosage.sessions_attended,
        "sessions_logged": dosage.sessions_logged,
        "sessions_not_logged": dosage.sessions_not_logged,
        "minutes_planned": dosage.minutes_planned,
        "minutes_planned_logged": dosage.minutes_planned_logged,
        "minutes_received": dosage.minutes_received,
        "fidelity_pct": _round(dosage.fidelity_avg, 1),
    }


def row_record(row: CaseloadRow) -> dict[str, object]:
    """One caseload row as plain values (the ``rows`` items of ``--json``)."""
    from tui.tones import decision_words

    d = row.decision
    return {
        "student_id": row.student.id,
        "student": row.student.name,
        "grade": row.student.grade,
        "groups": [g.name for g in row.groups],
        "measure": row.measure.code,
        "status": row.status,
        "decision": d.kind,
        "decision_words": decision_words(row),
        "reason": d.reason,
        "rule": d.rule,
        "roi_actual": _round(row.actual_roi, 2),
        "roi_needed": _round(row.needed_roi, 2),
        "points": d.n_points,
        "needed_points": d.needed_points,
        "last_score": row.last_score,
        "last_date": row.last_date.isoformat() if row.last_date else None,
        "dosage": dosage_record(row.dosage),
        "needs_decision": row.needs_decision,
        "probe_overdue": row.probe_overdue,
        "probe_due": row.probe_due.isoformat() if row.probe_due else None,
        "urgency": row.urgency,
    }


def caseload_document(rows: list[CaseloadRow], day: date) -> dict[str, object]:
    """The ``--json`` object: date, summary counts and one record per row (in urgency order)."""
    from store.caseload import attention_counts, attention_summary

    needing = [r for r in rows if r.needs_decision]
    return {
        "date": day.isoformat(),
        "summary": {
            "line": attention_summary(rows),
            "counts": attention_counts(rows),
            "students": len({r.student.id for r in rows}),
            "rows": len(rows),
            "rows_needing_decision": len(needing),
            "students_needing_decision": len({r.student.id for r in needing}),
        },
        "rows": [row_record(r) for r in rows],
    }


def _roi(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def _dosage_text(dosage: StudentDosage | None) -> str:
    if dosage is None or not dosage.sessions_planned:
        return "–"
    att = dosage.attendance_pct
    text = "–" if att is None else f"{att:.0f}%"
    minutes = dosage.minutes_pct
    if minutes is not None:
        text += f" ({minutes:.0f}% min)"
    not_logged = getattr(dosage, "sessions_not_logged", 0)
    if not_logged:
        text += f", {not_logged} not logged"
    return text


def caseload_text(rows: list[CaseloadRow], day: date) -> list[str]:
    """The text form: a heading, the counts line, then an aligned table (no colour), one row
    per line, the reason last so a screen reader reads the columns first."""
    from store.caseload import attention_summary
    from tui.tones import decision_words

    students = len({r.student.id for r in rows})
    needing = len({r.student.id for r in rows if r.needs_decision})
    heading = (
        f"Caseload review · {day:%A} {day.day} {day:%B %Y} · {students} "
        f"student{'s' if students != 1 else ''} · {len(rows)} row{'s' if len(rows) != 1 else ''}"
    )
    if not rows:
        return [heading, "No students on the caseload yet."]
    heading += f" · {needing} {'student needs' if needing == 1 else 'students need'} a decision"
    out = [heading, attention_summary(rows) or "Nothing needs a decision or a probe."]
    out.append("")
    table = [
        (
            decision_words(r, short=True),
            r.student.name,
            r.measure.code,
            r.status,
            f"{_roi(r.actual_roi)} / {_roi(r.needed_roi)}",
            f"{r.decision.n_points}",
            _dosage_text(r.dosage),
            r.decision.reason,
        )
        for r in rows
    ]
    widths = [max(len(c), *(len(t[i]) for t in table)) for i, c in enumerate(COLUMNS)]
    out.append("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)) + "  Reason")
    for t in table:
        cells = "  ".join(c.ljust(w) for c, w in zip(t, widths, strict=False))
        out.append(f"{cells}  {t[-1]}")
    return out


@_handles_errors
def cmd_caseload(args: argparse.Namespace) -> int:
    """Print the caseload review (read-only: never takes the writer lock)."""
    from tui.views.attention import caseload_rows, unreadable_files

    with read_as_of(args) as (store, day, config):
        rows = caseload_rows(store, day, config)
        for problem in unreadable_files(store):  # left out of the rows, named here
            _say(f"intervene: {problem}", to_stderr=True)
    if args.json:
        print(json.dumps(caseload_document(rows, day), ensure_ascii=False, indent=2))
        return 0
    return print_lines(caseload_text(rows, day))


def add_caseload_command(sub: argparse._SubParsersAction) -> None:
    """Add ``caseload`` to the ``intervene`` subcommands."""
    p = add_read_command(
        sub,
        "caseload",
        cmd_caseload,
        help="print the caseload review: every student and measure by urgency, with decisions",
        description="Print the caseload review — one row per student and measure, most urgent "
        "first, with the decision, its reason, ROI, points and dosage. Reads the data without "
        "locking it, so it works while the app is open in another window.",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='one JSON object: {"date", "summary": {"line", "counts", ...}, "rows": [...]}',
    )
