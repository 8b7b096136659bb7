"""The student screen's small forms: a phase change, a dated note, a score edit.

Each form saves through the Store itself, so the Store's validation decides: a rejected value
shows its message inline, nothing is written and the form stays open. On success the form
dismisses with the saved record (``None`` when cancelled).
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from store.db import Store
from store.errors import StoreError
from store.model import Measure, PhaseChange, Score, Student, check_text

FORM_BINDINGS = [
    Binding("escape", "cancel", "Cancel", id="review_form.cancel", tooltip="Close without saving"),
    Binding("ctrl+s", "save", "Save", id="review_form.save", tooltip="Save (Enter in a field too)"),
]


class _SmallForm(ModalScreen[object]):
    """A titled box of labelled Inputs with an inline error line; Enter or ctrl+s saves."""

    BINDINGS = FORM_BINDINGS
    TITLE_TEXT = ""
    HELP_TEXT = "Enter or ctrl+s saves · Esc cancels"

    def fields(self) -> list[tuple[str, Input]]:
        """(label, input) pairs, top to bottom."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="review-form"):
            yield Static(Text(self.TITLE_TEXT, style="bold"), classes="review-form-title")
            for label, widget in self.fields():
                with Horizontal(classes="review-form-row"):
                    yield Label(label, classes="review-form-label")
                    yield widget
            yield Static("", classes="review-form-error", id="form-error")
            yield Static(Text(self.HELP_TEXT, style="dim"), classes="review-form-help")

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined]

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            saved = self.save()
        except StoreError as exc:  # ValidationError and friends: say why, save nothing
            self.show_error(str(exc))
            return
        self.dismiss(saved)

    def save(self) -> object:
        raise NotImplementedError


class PhaseForm(_SmallForm):
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


def append_note(notes: str, day: date, text: str) -> str:
    """The student's notes with a dated line added at the end: ``2026-11-25: text``."""
    line = f"{day.isoformat()}: {text.strip()}"
    return f"{notes.rstrip()}\n{line}" if notes.strip() else line


class NoteForm(_SmallForm):
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


class ScoreEditForm(_SmallForm):
    """Change one score's value, errors or date."""

    def __init__(self, score: Score, measure: Measure, student: Student) -> None:
        super().__init__()
        self.score = score
        self.measure = measure
        self.TITLE_TEXT = (
            f"Edit {measure.code} {measure.format(score.value)} · {student.name} · "
            f"{score.date:%b %-d, %Y}"
        )

    def fields(self) -> list[tuple[str, Input]]:
        out = [
            (
                "Score",
                Input(self.measure.format(self.score.value), id="edit-value"),
            )
        ]
        if self.measure.records_errors:
            errors = "" if self.score.errors is None else str(self.score.errors)
            out.append(("Errors", Input(errors, id="edit-errors", placeholder="none")))
        out.append(("Date", Input(self.score.date.isoformat(), id="edit-date")))
        return out

    def on_mount(self) -> None:
        self.query_one("#edit-value", Input).focus()

    def save(self) -> Score:
        changes: dict[str, object] = {
            "value": self.query_one("#edit-value", Input).value,
            "date": self.query_one("#edit-date", Input).value,
        }
        if self.measure.records_errors:
            errors = self.query_one("#edit-errors", Input).value.strip()
            changes["errors"] = errors or None
        return self.store.update_score(self.score.id, **changes)
