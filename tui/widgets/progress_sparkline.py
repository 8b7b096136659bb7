"""A Static holding a progress sparkline (``tui.widgets.sparkline``)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class ProgressSparkline(Static):
    """A Static holding a progress sparkline (recomputed by its owner, never from the store)."""

    DEFAULT_CSS = """
    ProgressSparkline { width: auto; height: 1; }
    """

    def show(self, spark: Text) -> None:
        self.update(spark)
