"""``intervene student NAME [--date D] [--scores N]``: one student as plain text (issue 19,
for screen readers and scripts): facts, each measure's decision with its reason and the
recent scores, and the team's last decision. The same rows the student screen shows
(:func:`tui.views.student.load_view`), decided with the settings file's rule. Opens the
data read-only (works while the app is open). Imports no Textual.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui.cli.io import _handles_errors, add_read_command, print_lines, read_as_of

if TYPE_CHECKING:
    from store.db import Store
    from store.model import Student
    from tui.views.student import StudentView

RECENT_SCORES = 8


def _roi(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def student_text(
    store: Store, student: Student, view: StudentView, *, recent: int = RECENT_SCORES
) -> list[str]:
    """The text lines (no colour; every status in words, the decision's mark "!" kept)."""
    from tui.tones import decision_label

    s = student
    groups = store.groups_of(s.id, view.day)
    head = f"{s.name} · grade {s.grade}"
    if s.sis_id:
        head += f" · SIS {s.sis_id}"
    if not s.active:
        head += " · archived"
    out = [head, f"As of {view.day:%A} {view.day.day} {view.day:%B %Y}"]
    out.append(f"Groups: {', '.join(g.name for g in groups) if groups else 'none'}")
    if s.notes:
        out.append(f"Notes: {s.notes}")
    team = store.latest_team_decision(s.id)
    if team is not None:
        line = f"Team decision {team.date}: {team.label} ({team.measure})"
        if team.note:
            line += f" — {team.note}"
        out.append(line)
    if not view.measures:
        out.append("")
        out.append("No scores, goals or monitored measures yet.")
        return out
    for code in view.measures:
        row = view.rows.get(code)
        progress = view.progress(code)
        measure = progress.measure
        out.append("")
        out.append(f"{measure.code} ({measure.name})")
        if row is not None:
            d = row.decision
            out.append(f"  Decision: {decision_label(d.kind).strip()} — {d.reason}")
            if row.probe_overdue:
                out.append(
                    f"  Probe overdue (due {row.probe_due})" if row.probe_due else "  Probe overdue"
                )
            goal = row.goal
            goal_text = (
                f"goal {measure.format(goal.goal_value)} by {goal.goal_date}" if goal else "no goal"
            )
            out.append(
                f"  Status: {row.status} · {goal_text} · growth a week {_roi(row.actual_roi)} "
                f"(needed {_roi(row.needed_roi)}) · {d.n_points} points"
            )
            dosage = row.dosage
            if dosage is not None and dosage.sessions_planned:
                att = "–" if dosage.attendance_pct is None else f"{dosage.attendance_pct:.0f}%"
                out.append(
                    f"  Dosage: attended {att} of {dosage.sessions_planned} planned sessions "
                    f"since {dosage.start}"
                )
        scores = view.scores.get(code, [])
        if not scores:
            out.append("  Recent scores: none")
            continue
        shown = scores[-recent:]
        out.append(f"  Recent scores ({len(shown)} of {len(scores)}):")
        for score in reversed(shown):
            extra = f", {score.errors} errors" if score.errors is not None else ""
            out.append(f"    {score.date}  {measure.format(score.value)}{extra}")
    return out


@_handles_errors
def cmd_student(args: argparse.Namespace) -> int:
    from store.export import find_student
    from tui.views.student import load_view

    with read_as_of(args) as (store, day, config):
        student = find_student(store, args.name)
        view = load_view(store, student.id, day, config)
        lines = student_text(store, student, view, recent=args.scores)
    return print_lines(lines)


def add_student_command(sub: argparse._SubParsersAction) -> None:
    """Add ``student`` to the ``intervene`` subcommands."""
    p = add_read_command(
        sub,
        "student",
        cmd_student,
        help="print one student as text: facts, decisions and recent scores",
        description="Print one student's facts, each measure's decision and reason, dosage "
        "and recent scores as plain text (for screen readers and scripts). Reads the data "
        "without locking it.",
    )
    p.add_argument("name", metavar="NAME", help="student id, SIS id or name (a unique prefix)")
    p.add_argument(
        "--scores",
        type=int,
        default=RECENT_SCORES,
        metavar="N",
        help=f"how many recent scores per measure (default {RECENT_SCORES})",
    )
