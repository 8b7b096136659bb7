"""The Rich cells of a measure line (``tui.views.lines.MeasureLine``) and of an attention row:
the sparkline, the status word, the last score and the attention list's label.

Rich only, no Textual: the views hand over values and style keys, these turn them into ``Text``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text

from store.progress import AimLine
from tui.tones import attention_segments
from tui.widgets.sparkline import progress_sparkline

if TYPE_CHECKING:
    from store.caseload import CaseloadRow
    from tui.views.lines import MeasureLine

STATUS_STYLE = {
    "on track": "green",
    "above": "bold green",
    "below": "bold red",
    "insufficient data": "",
    "no data": "dim",
    "no goal": "dim",
}


def sparkline_text(line: MeasureLine, end: date, weeks: int) -> Text:
    """The line's sparkline for the ``weeks`` weeks ending with ``end``'s, against its aim."""
    aim = AimLine.from_goal(line.goal).value_at if line.goal else None
    return progress_sparkline(
        line.points,
        end=end,
        weeks=weeks,
        lo=min(0.0, line.measure.min) if line.measure.min >= 0 else line.measure.min,
        hi=line.scale_hi,
        aim=aim,
        higher_is_better=line.measure.higher_is_better,
    )


def status_text(line: MeasureLine) -> Text:
    """The status word, styled."""
    return Text(line.status, style=STATUS_STYLE.get(line.status, ""))


def last_text(line: MeasureLine) -> Text:
    """The last score with its accuracy and date, or a dim dash."""
    last = line.last
    if last is None:
        return Text("–", style="dim")
    text = Text(line.measure.format(last.value))
    if last.errors is not None and last.accuracy is not None:
        text.append(f" ({last.accuracy:.0%})", style="dim")
    text.append(f" {last.date:%b %d}", style="dim")
    return text


def attention_label(row: CaseloadRow) -> Text:
    """An attention line's label (``tui.tones.attention_segments``): the decision's mark and
    words, the student, the measure and the reason, then the overdue flag."""
    return Text.assemble(*attention_segments(row))
