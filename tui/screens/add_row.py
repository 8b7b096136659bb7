"""Score entry's picker: another member or measure of the group to score in this session."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from store.model import Measure, Student
from tui.keys import bindings
from tui.screens.base import AppModal


class AddRowScreen(AppModal[tuple[Student, Measure] | None]):
    """Pick a (member, measure) to add to this session's score entry: type to filter (every
    word must match), ↑ ↓ to choose, Enter adds, Esc cancels."""

    BINDINGS = bindings("entry_add")

    def __init__(self, choices: list[tuple[Student, Measure]]) -> None:
        super().__init__()
        self.choices = choices
        self.shown: list[tuple[Student, Measure]] = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="add-row-box"):
            yield Static(Text("Add a student or measure to this session", style="bold"))
            yield Input(placeholder="type a name or measure", id="add-row-filter")
            yield OptionList(id="add-row-list")
            yield Static(Text("Enter adds · Esc cancels", style="dim"))

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#add-row-filter", Input).focus()

    @staticmethod
    def _label(choice: tuple[Student, Measure]) -> str:
        student, measure = choice
        return f"{student.name} · {measure.code} ({measure.name})"

    def _fill(self) -> None:
        needle = self.query_one("#add-row-filter", Input).value.casefold().split()
        self.shown = [
            c for c in self.choices if all(w in self._label(c).casefold() for w in needle)
        ]
        options = self.query_one("#add-row-list", OptionList)
        options.clear_options()
        options.add_options([Option(Text(self._label(c))) for c in self.shown])
        if self.shown:
            options.highlighted = 0

    @on(Input.Changed, "#add-row-filter")
    def _filter(self) -> None:
        self._fill()

    @on(Input.Submitted, "#add-row-filter")
    def _submitted(self) -> None:
        index = self.query_one("#add-row-list", OptionList).highlighted
        if index is not None and index < len(self.shown):
            self.dismiss(self.shown[index])

    @on(OptionList.OptionSelected, "#add-row-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])

    def action_cursor(self, step: int) -> None:
        options = self.query_one("#add-row-list", OptionList)
        if self.shown:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
