"""Moving a student from one group to another on a date (both memberships keep the date)."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Select, Static

from store.errors import StoreError
from store.model import Group, Student, parse_date
from tui.keys import bindings
from tui.screens.base import AppModal
from tui.widgets.form import Form, FormField


class MoveStudentScreen(AppModal[str | None]):
    """Move a student from one group to another on a date (both memberships keep the date)."""

    BINDINGS = bindings("move_student")

    def __init__(
        self, student: Student, current: list[Group], groups: list[Group], today: date
    ) -> None:
        super().__init__()
        self.student = student
        self.current = current
        self.targets = [g for g in groups if student.id not in g.member_ids]
        self.day = today

    def compose(self) -> ComposeResult:
        with Vertical(id="move-box", classes="form-box"):
            yield Static(Text(f"Move {self.student.name}", style="bold"), classes="form-title")
            yield Form(
                FormField(
                    "From group",
                    Select(
                        [(Text(g.name), g.id) for g in self.current],
                        value=self.current[0].id,
                        allow_blank=False,
                        id="move-from",
                    ),
                    key="from_group",
                ),
                FormField(
                    "To group",
                    Select([(Text(g.name), g.id) for g in self.targets], id="move-to"),
                    key="to_group",
                ),
                FormField(
                    "On",
                    Input(self.day.isoformat(), id="move-on"),
                    key="on",
                    aliases=("moved on", "date"),
                    hint="They leave one group and join the other on this date.",
                ),
            )
            yield Static(Text("ctrl+s or Enter (in the date) moves · Esc cancels", style="dim"))

    @on(Input.Submitted, "#move-on")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        form = self.query_one(Form)
        source = self.query_one("#move-from", Select).value
        target = self.query_one("#move-to", Select).value
        assert isinstance(source, str)  # #move-from has allow_blank=False: always a group id
        if not isinstance(target, str):
            form.show_error("choose the group to move to", "to_group")
            return
        try:
            day = parse_date(form.value("on"), "on")
            _, joined = self.store.move_member(self.student.id, source, target, day)
        except StoreError as exc:
            form.show_store_error(exc)
            return
        self.dismiss(f"Moved {self.student.name} to {joined.name} on {day}")

    def action_cancel(self) -> None:
        self.dismiss(None)
