"""Add or edit a student, and the typed confirmation for deleting one permanently."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from store.errors import StoreError, ValidationError
from store.model import Student
from tui.widgets.form import Form, FormField


class StudentForm(ModalScreen[Student | None]):
    """Given name, family name, grade, SIS identifier, notes. Enter saves (the store checks
    every field; its message shows next to the field and nothing is saved); Esc cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="student_form.save", tooltip="Save the student"),
        Binding("escape", "cancel", "Cancel", id="student_form.cancel", tooltip="Close unsaved"),
    ]

    def __init__(self, student: Student | None = None) -> None:
        super().__init__()
        self.student = student

    def compose(self) -> ComposeResult:
        s = self.student
        title = "New student" if s is None else f"Edit {s.name}"
        with Vertical(id="student-form-box", classes="form-box"):
            yield Static(Text(title, style="bold"), classes="form-title")
            yield Form(
                FormField(
                    "Given name",
                    Input(s.given_name if s else "", id="sf-given", max_length=80),
                    key="given_name",
                ),
                FormField(
                    "Family name",
                    Input(s.family_name if s else "", id="sf-family", max_length=80),
                    key="family_name",
                ),
                FormField(
                    "Grade",
                    Input(
                        s.grade if s else "", id="sf-grade", placeholder="K, 1–12", max_length=12
                    ),
                    key="grade",
                ),
                FormField(
                    "SIS identifier",
                    Input((s.sis_id or "") if s else "", id="sf-sis", placeholder="optional"),
                    key="sis_id",
                ),
                FormField("Notes", Input(s.notes if s else "", id="sf-notes"), key="notes"),
                id="student-form",
            )
            yield Static(
                Text("Enter or ctrl+s saves · Esc cancels", style="dim"), classes="form-help"
            )

    def on_mount(self) -> None:
        self.query_one("#sf-given", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        form = self.query_one(Form)
        values = {key: form.value(key) for key in ("given_name", "family_name", "grade", "notes")}
        values["sis_id"] = form.value("sis_id").strip() or None  # type: ignore[assignment]
        store = self.app.store  # type: ignore[attr-defined]
        try:
            if self.student is None:
                saved = store.add_student(
                    values.pop("given_name"),
                    values.pop("family_name"),
                    values.pop("grade"),
                    **values,
                )
            else:
                saved = store.update_student(self.student.id, **values)
        except ValidationError as exc:
            form.show_error(exc)
            return
        except StoreError as exc:
            form.show_error(str(exc), "")
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)


def describe_footprint(counts: dict[str, int]) -> str:
    """{'scores': 16, 'goals': 1, ...} → '16 scores, 1 goal, 2 group memberships, ...'."""
    words = {
        "scores": ("score", "scores"),
        "goals": ("goal", "goals"),
        "phase_changes": ("phase change", "phase changes"),
        "groups": ("group membership", "group memberships"),
        "sessions": ("session attendance entry", "session attendance entries"),
    }
    parts = [
        f"{n} {words[k][0] if n == 1 else words[k][1]}" for k, n in counts.items() if k in words
    ]
    return ", ".join(parts)


class DeleteStudentScreen(ModalScreen[bool]):
    """Delete a student entered by mistake: type their full name to confirm."""

    BINDINGS = [
        Binding(
            "escape", "cancel", "Cancel", id="delete_student.cancel", tooltip="Keep the student"
        ),
    ]

    def __init__(self, student: Student, counts: dict[str, int]) -> None:
        super().__init__()
        self.student = student
        self.counts = counts

    def compose(self) -> ComposeResult:
        s = self.student
        text = Text()
        text.append("Delete ", style="bold")
        text.append(s.name, style="bold")
        text.append(" permanently?\n\n", style="bold")
        text.append(
            "This is for a student entered by mistake. It removes the student and "
            f"{describe_footprint(self.counts)}.\n"
            "To keep their records, archive them instead (x).\n\n"
            "ctrl+z right after deleting (in this session of the app) puts everything back; "
            "after that it is gone, except from the daily backups (kept 14 days).\n\n"
        )
        text.append("Type the student's full name to confirm:")
        with Vertical(id="delete-box"):
            yield Static(text, id="delete-question")
            yield Input(placeholder=s.name, id="delete-name")
            yield Static("", id="delete-error")

    def on_mount(self) -> None:
        self.query_one("#delete-name", Input).focus()

    @on(Input.Submitted, "#delete-name")
    def _submitted(self, event: Input.Submitted) -> None:
        typed = " ".join(event.value.split())
        if typed.casefold() != " ".join(self.student.name.split()).casefold():
            self.query_one("#delete-error", Static).update(
                Text(f"That is not {self.student.name}'s full name; nothing was deleted.")
            )
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
