"""The student screen's small forms share this: a titled box of labelled Inputs with an
inline error line; Enter or ctrl+s saves.

Each form saves through the Store itself, so the Store's validation decides: a rejected value
shows its message inline, nothing is written and the form stays open. On success the form
dismisses with the saved record (``None`` when cancelled).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from store.errors import StoreError
from tui.keys import bindings
from tui.screens.base import AppModal


class SmallForm(AppModal[object]):
    """A titled box of labelled Inputs with an inline error line; Enter or ctrl+s saves."""

    BINDINGS = bindings("review_form")
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
