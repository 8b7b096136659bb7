"""Check boxes that read without colour (issue 19, NO_COLOR and monochrome terminals).

Textual's Checkbox and SelectionList draw the same ``X`` whether ticked or not and tell the
states apart by colour alone. These draw ``X`` when ticked and a blank when not, so the
state is visible on a monochrome terminal, under ``NO_COLOR`` and to a screen reader's
review cursor. Drop-in subclasses: same messages, same CSS type names.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox as _Checkbox
from textual.widgets import SelectionList as _SelectionList
from textual.widgets.option_list import OptionDoesNotExist

__all__ = ["Checkbox", "SelectionList", "TICKED", "UNTICKED"]

TICKED = "X"
UNTICKED = " "


class Checkbox(_Checkbox):
    """A Checkbox showing ``X`` only when ticked."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return TICKED if self.value else UNTICKED


T = TypeVar("T")


class SelectionList(_SelectionList[T]):
    """A SelectionList whose rows show ``X`` only when selected."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != TICKED:
            return strip
        mark = TICKED if selection.value in self._selected else UNTICKED
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, strip.cell_length)
