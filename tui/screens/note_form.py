"""A dated note on a student (a line appended to the student's notes)."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from store.model import Student, check_text
from tui.screens.small_form import SmallForm


def append_note(notes: str, day: date, text: str) -> str:
    """The student's notes with a dated line added at the end: ``2026-11-25: text``."""
    line = f"{day.isoformat()}: {text.strip()}"
    return f"{notes.rstrip()}\n{line}" if notes.strip() else line


class NoteForm(SmallForm):
    """Add a dated note: one line ``YYYY-MM-DD: text`` appended to the student's notes field
    (``Student.notes``, saved with ``update_student``, so it is validated and undoable)."""

    TITLE_TEXT = "Add a note"

    def __init__(self, student: Student, day: date) -> None:
        super().__init__()
        self.student = student
        self.day = day
        self.TITLE_TEXT = f"Note · {student.name} · dated {day:%b %-d, %Y}"

    def fields(self) -> list[tuple[str, Input]]:
        return [("Note", Input(id="note-text", placeholder="e.g. Met with the teacher"))]

    def on_mount(self) -> None:
        self.query_one("#note-text", Input).focus()

    def save(self) -> Student:
        text = check_text(self.query_one("#note-text", Input).value, "note", required=True)
        return self.store.update_student(
            self.student.id, notes=append_note(self.student.notes, self.day, text)
        )
