"""Deleting a student entered by mistake: a typed confirmation (their full name)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from store.model import Student
from tui.keys import bindings
from tui.screens.base import AppModal


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


class DeleteStudentScreen(AppModal[bool]):
    """Delete a student entered by mistake: type their full name to confirm."""

    BINDINGS = bindings("delete_student")

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
