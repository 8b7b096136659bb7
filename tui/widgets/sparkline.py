"""Progress sparklines: one cell per week on a fixed scale, gaps for missing weeks.

Not Textual's ``Sparkline``: that one scales to its own min..max (50→51 looks like a cliff) and
crashes on gaps (DESIGN.md, traps). Here the scale is fixed per measure and student — from the
measure's minimum (or 0) up to the larger of the goal and the highest score — and weeks
without a score show as a dim dot. Cells at or better than the aim line are drawn in the
"meets" style (bold green), the others yellow, so the goal level is visible at a glance.
Under ``NO_COLOR`` (monochrome terminals) the two differ by intensity, not colour: meeting
cells bold, the others faint (dim), so they stay apart without any colour (issue 19).

Rich only (no Textual): the views' measure lines are drawn with it (``tui.widgets.measure_cells``);
the widget that holds one is ``tui.widgets.progress_sparkline.ProgressSparkline``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from itertools import groupby
from operator import itemgetter

from rich.text import Text

BLOCKS = "▁▂▃▄▅▆▇█"
GAP = "·"


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def sparkline_cells(
    points: Sequence[tuple[date, float]],
    *,
    end: date,
    weeks: int,
    lo: float,
    hi: float,
) -> list[tuple[date, float | None, str]]:
    """One (week start, value, glyph) per week ending with ``end``'s week; the latest score
    of a week stands for it. ``hi`` ≤ ``lo`` is widened so a flat series draws low, not a cliff."""
    last = monday(end)
    first = last - timedelta(weeks=weeks - 1)
    by_week: dict[date, tuple[date, float]] = {}
    for d, v in points:
        w = monday(d)
        if first <= w <= last and (w not in by_week or d >= by_week[w][0]):
            by_week[w] = (d, v)
    span = hi - lo if hi > lo else 1.0
    cells: list[tuple[date, float | None, str]] = []
    for i in range(weeks):
        w = first + timedelta(weeks=i)
        if w not in by_week:
            cells.append((w, None, GAP))
            continue
        v = by_week[w][1]
        level = round((min(max(v, lo), lo + span) - lo) / span * (len(BLOCKS) - 1))
        cells.append((w, v, BLOCKS[level]))
    return cells


def _no_color() -> bool:
    """``NO_COLOR`` set to a non-empty value (https://no-color.org)."""
    import os

    return bool(os.environ.get("NO_COLOR"))


def progress_sparkline(
    points: Sequence[tuple[date, float]],
    *,
    end: date,
    weeks: int = 12,
    lo: float = 0.0,
    hi: float | None = None,
    aim: Callable[[date], float] | None = None,
    higher_is_better: bool = True,
) -> Text:
    """A rich Text sparkline. ``aim(d)`` gives the aim-line value on a date (None: no goal)."""
    top = max([v for _, v in points], default=lo)
    if hi is None or hi < top:
        hi = max(top, hi or lo)
    meets_style, below_style = ("bold", "dim") if _no_color() else ("bold green", "yellow")
    styled: list[tuple[str, str]] = []
    for week, value, glyph in sparkline_cells(points, end=end, weeks=weeks, lo=lo, hi=hi):
        if value is None:
            styled.append((glyph, "dim"))
        elif aim is None:
            styled.append((glyph, "bold"))
        else:
            target = aim(week + timedelta(days=4))
            meets = value >= target if higher_is_better else value <= target
            styled.append((glyph, meets_style if meets else below_style))
    text = Text(no_wrap=True, overflow="crop")
    for style, run in groupby(styled, key=itemgetter(1)):  # one span per run of a style
        text.append("".join(glyph for glyph, _ in run), style=style)
    return text
