"""A phase change on a student's measure: the trend and decisions restart from it. (The
student screen's other small forms, a note and a score edit, have their own modules.)"""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from store.model import Measure, PhaseChange, Student
from tui.screens.note_form import NoteForm, append_note
from tui.screens.score_edit_form import ScoreEditForm
from tui.screens.small_form import SmallForm

__all__ = ["NoteForm", "PhaseForm", "ScoreEditForm", "append_note"]


class PhaseForm(SmallForm):
    """Add a phase change (date + label); the trend and decisions restart from it."""

    TITLE_TEXT = "Add a phase change"

    def __init__(self, student: Student, measure: Measure, day: date) -> None:
        super().__init__()
        self.student = student
        self.measure = measure
        self.day = day
        self.TITLE_TEXT = f"Phase change · {student.name} · {measure.code}"

    def fields(self) -> list[tuple[str, Input]]:
        return [
            ("Date", Input(self.day.isoformat(), id="phase-date", placeholder="YYYY-MM-DD")),
            (
                "What changed",
                Input(id="phase-label", placeholder="e.g. Added 10 minutes, smaller group"),
            ),
        ]

    def on_mount(self) -> None:
        self.query_one("#phase-label", Input).focus()

    def save(self) -> PhaseChange:
        return self.store.add_phase_change(
            self.student.id,
            self.measure.code,
            self.query_one("#phase-date", Input).value,
            self.query_one("#phase-label", Input).value,
        )
