"""A yes/no question in a small modal (y / n / Esc)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from tui.keys import bindings


class ConfirmScreen(ModalScreen[bool]):
    """Ask one question; dismisses with True (yes) or False (no / Esc)."""

    BINDINGS = bindings("confirm")

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(self.question), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes} (y)", id="confirm-yes", variant="warning")
                yield Button(f"{self.no} (n)", id="confirm-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def write_unless_refused(screen: Screen, path: Path, write: Callable[[], object]) -> None:
    """Run ``write`` now, or, when ``path`` already exists, once the user says yes to
    replacing it (an export, a report: nothing is overwritten unasked)."""
    if not path.exists():
        write()
        return

    def answered(replace: bool | None) -> None:
        if replace:
            write()

    screen.app.push_screen(ConfirmScreen(f"{path} exists. Replace it?", yes="Replace"), answered)
