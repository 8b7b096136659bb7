"""The two import screens' (roster, scores) shared steps: type a path and preview it; record
the progress the import reports while it writes (``ImportScreen`` is their common base)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar

from tests.tui.screen import settle
from tui.screens.import_base import ImportScreen


async def type_path(pilot: Pilot, app: App, path: Path) -> None:
    """Put ``path`` in the import screen's path field and press Enter: the preview, loaded."""
    field = app.screen.query_one("#im-path", Input)
    field.value = str(path)
    field.focus()
    await pilot.press("enter")
    await settle(pilot)


class ProgressSeen:
    """A ``message_hook`` for ``run_test``: each ``Progress`` message's (done, total) in
    ``seen``, and in ``shown`` whether the progress bar was on screen when it came."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.seen: list[tuple[int, int]] = []
        self.shown: list[bool] = []

    def __call__(self, message: object) -> None:
        if isinstance(message, ImportScreen.Progress):
            self.seen.append((message.done, message.total))
            self.shown.append(self.app.screen.query_one("#im-progress", ProgressBar).display)
