"""Add or edit a student."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from store.errors import StoreError
from store.model import Student
from tui.keys import bindings
from tui.screens.delete_student import DeleteStudentScreen
from tui.screens.form_modal import FormModal
from tui.widgets.form import Form, FormField

__all__ = ["DeleteStudentScreen", "StudentForm"]  # the delete question moved to its module


class StudentForm(FormModal[Student]):
    """Given name, family name, grade, SIS identifier, notes. Enter saves (the store checks
    every field; its message shows next to the field and nothing is saved); Esc cancels."""

    BINDINGS = bindings("student_form")
    FIRST = "#sf-given"

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
            yield self.help_line()

    def action_save(self) -> None:
        form = self.query_one(Form)
        values = {key: form.value(key) for key in ("given_name", "family_name", "grade", "notes")}
        # no SIS id is None; the other values stay str for add_student's positional names
        values["sis_id"] = form.value("sis_id").strip() or None  # type: ignore[assignment]
        store = self.store
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
        except StoreError as exc:
            form.show_store_error(exc)
            return
        self.dismiss(saved)
