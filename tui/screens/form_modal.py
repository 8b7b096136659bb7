"""A modal holding one Form: Enter in any field or ctrl+s saves, Esc cancels (issue 14: what
the measure and student forms shared)."""

from __future__ import annotations

from typing import Generic

from rich.text import Text
from textual import on
from textual.widgets import Input, Static

from tui.screens.base import AppModal, ResultType


class FormModal(AppModal[ResultType | None], Generic[ResultType]):
    """Subclasses compose the form (ending with :meth:`help_line`) and write ``action_save``."""

    #: The Input focused when the form opens.
    FIRST = ""

    def help_line(self) -> Static:
        return Static(Text("Enter or ctrl+s saves · Esc cancels", style="dim"), classes="form-help")

    def on_mount(self) -> None:
        self.query_one(self.FIRST, Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)
