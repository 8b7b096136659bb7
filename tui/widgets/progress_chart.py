"""The progress chart widget: a plotext chart (``tui.charts``) redrawn at the widget's size.

Shared by the student screen and the goal form's preview.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual import events
from textual.widgets import Static

from store.caseload import StudentProgress
from tui.charts import progress_chart, use_color


class ProgressChartView(Static):
    """A plotext progress chart redrawn at the widget's size (on resize and theme change)."""

    def __init__(
        self,
        progress: StudentProgress | None = None,
        *,
        day: date | None = None,
        method: str | None = None,
        title: str | None = None,
        breaks: Sequence[date] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.progress = progress
        self.day = day
        self.method = method
        self.title = title
        self.breaks = tuple(breaks)  # Mondays of whole no-school weeks, shaded

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.redraw())

    def on_resize(self, event: events.Resize) -> None:
        self.redraw()

    def show(
        self, progress: StudentProgress, *, method: str | None = None, title: str | None = None
    ) -> None:
        self.progress = progress
        self.method = method
        self.title = title
        self.redraw()

    def redraw(self) -> None:
        width, height = self.content_size
        if self.progress is None or width <= 0 or height <= 0:
            return
        text = progress_chart(
            self.progress,
            width=width,
            height=height,
            today=self.day,
            color=use_color(),
            trend_method=self.method,
            title=self.title,
            breaks=self.breaks,
        )
        self.update(Text.from_ansi(text, no_wrap=True, overflow="crop"))
