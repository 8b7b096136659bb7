"""Score entry's one entry field: the keys it handles itself, in the order they arrive.

Moved out of :mod:`tui.screens.score_entry` (issue 14); see that module's docstring for why
Enter, ↑ ↓, ctrl+z, ``a``, ``+`` and a pasted column are handled in the field's own key handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from textual import events
from textual.widgets import Input

from tui.views.entry import ALLOWED


@runtime_checkable
class EntryKeys(Protocol):
    """What the field asks of its screen (ScoreEntryScreen)."""

    def submit_entry(self, typed: str) -> bool: ...
    def action_move(self, step: int) -> None: ...
    def action_undo(self) -> None: ...
    def mark_absent(self) -> None: ...
    def action_add_row(self) -> None: ...
    def refuse_key(self, char: str) -> None: ...
    def paste_column(self, lines: list[str]) -> None: ...


class ScoreInput(Input):
    """The one entry field. Enter, ↑ ↓, ctrl+z, ``a`` (on an empty field: absent), ``+`` and a
    pasted column act here, in the order the keys arrive (see the module docstring). A key
    that is not allowed is shown and flagged at once, and the entry is refused on Enter."""

    @property
    def entry(self) -> EntryKeys:
        screen = self.screen
        assert isinstance(screen, EntryKeys)
        return screen

    async def _on_key(self, event: events.Key) -> None:
        key, char = event.key, event.character
        actions: dict[str, Callable[[], object]] = {
            "enter": lambda: self.entry.submit_entry(self.value),
            "up": lambda: self.entry.action_move(-1),
            "down": lambda: self.entry.action_move(1),
            "ctrl+z": self.entry.action_undo,
        }
        if key in actions:
            event.stop()
            event.prevent_default()
            actions[key]()
            return
        if char in ("a", "A") and not self.value.strip():
            event.stop()
            event.prevent_default()
            self.entry.mark_absent()
            return
        if char == "+":
            event.stop()
            event.prevent_default()
            self.entry.action_add_row()
            return
        await super()._on_key(event)
        if event.is_printable and char is not None and char not in ALLOWED:
            self.entry.refuse_key(char)

    def _on_paste(self, event: events.Paste) -> None:
        lines = [ln.strip() for ln in event.text.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        # prevent_default: Textual would also run Input._on_paste (each class's handler runs)
        if len(lines) > 1:
            event.stop()
            event.prevent_default()
            self.entry.paste_column(lines)
            return
        super()._on_paste(event)
        event.prevent_default()
        if any(ch not in ALLOWED for ch in self.value):
            self.entry.refuse_key(next(ch for ch in self.value if ch not in ALLOWED))
