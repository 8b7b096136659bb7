"""Progress sparklines: a fixed scale, one cell per week, gaps, the goal level visible."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rich.text import Text

from store.db import Store
from tests.tui.conftest import MID_GROUP
from tui.config import AppConfig
from tui.views.lines import group_lines
from tui.widgets.measure_cells import sparkline_text
from tui.widgets.sparkline import BLOCKS, GAP, progress_sparkline, sparkline_cells

END = date(2026, 11, 25)  # a Wednesday; its week starts Monday Nov 23
MON = date(2026, 11, 23)
SCALE = dict(end=END, weeks=2, lo=0.0, hi=100.0)  # the last two weeks on a 0..100 scale


def week(n: int) -> date:
    """A Tuesday ``n`` weeks before END's week (0: END's own week)."""
    return MON - timedelta(weeks=n) + timedelta(days=1)


def styles(text: Text) -> list[str]:
    """The style of each cell of ``text``."""
    out = [str(text.style)] * len(text.plain)
    for span in text.spans:
        for i in range(span.start, span.end):
            out[i] = str(span.style)
    return out


def test_one_cell_per_week_ending_with_the_days_week_and_gaps_for_missing_weeks() -> None:
    points = [(week(4), 10.0), (week(3), 20.0), (week(1), 40.0)]
    cells = sparkline_cells(points, end=END, weeks=5, lo=0, hi=80)
    assert [c[0] for c in cells] == [MON - timedelta(weeks=n) for n in (4, 3, 2, 1, 0)]
    assert [c[1] for c in cells] == [10.0, 20.0, None, 40.0, None]
    assert [c[2] for c in cells][2] == GAP and cells[4][2] == GAP
    # older than the window: not drawn at all
    assert sparkline_cells([(week(9), 50.0)], end=END, weeks=5, lo=0, hi=80)[0][1] is None


def test_the_latest_score_of_a_week_stands_for_it() -> None:
    points = [(week(0) + timedelta(days=1), 70.0), (week(0) - timedelta(days=1), 10.0)]
    assert sparkline_cells(points, end=END, weeks=1, lo=0, hi=80)[0][1] == 70.0


def test_a_fixed_scale_50_to_51_is_not_a_cliff() -> None:
    glyphs = [c[2] for c in sparkline_cells([(week(1), 50.0), (week(0), 51.0)], **SCALE)]
    assert glyphs == [BLOCKS[4], BLOCKS[4]]  # both mid-height on 0..100
    # and the scale is the caller's, not the data's: 10 stays low whatever else is drawn
    alone = sparkline_cells([(week(0), 10.0)], **SCALE)
    mixed = sparkline_cells([(week(1), 100.0), (week(0), 10.0)], **SCALE)
    assert alone[-1][2] == mixed[-1][2] == BLOCKS[1]


def test_values_outside_the_scale_are_clamped_and_a_flat_scale_draws_low() -> None:
    glyphs = [c[2] for c in sparkline_cells([(week(1), -5.0), (week(0), 150.0)], **SCALE)]
    assert glyphs == [BLOCKS[0], BLOCKS[-1]]
    flat = sparkline_cells([(week(0), 0.0)], end=END, weeks=1, lo=0.0, hi=0.0)
    assert flat[0][2] == BLOCKS[0]


def test_cells_at_or_better_than_the_aim_line_are_marked() -> None:
    points = [(week(3), 50.0), (week(2), 60.0), (week(0), 70.0)]
    text = progress_sparkline(points, end=END, weeks=4, hi=100, aim=lambda d: 60.0)
    assert len(text.plain) == 4 and text.plain[2] == GAP
    assert styles(text) == ["yellow", "bold green", "dim", "bold green"]
    lower = progress_sparkline(
        points, end=END, weeks=4, hi=100, aim=lambda d: 60.0, higher_is_better=False
    )
    assert styles(lower) == ["bold green", "bold green", "dim", "yellow"]
    no_goal = progress_sparkline(points, end=END, weeks=4, hi=100)
    assert styles(no_goal) == ["bold", "bold", "dim", "bold"]
    # the aim is read mid-week (Friday), where the line is for that week's probe
    seen: list[date] = []
    progress_sparkline(points, end=END, weeks=1, hi=100, aim=lambda d: seen.append(d) or 0.0)
    assert seen == [MON + timedelta(days=4)]


def test_no_scores_at_all_is_a_row_of_gaps() -> None:
    text = progress_sparkline([], end=END, weeks=6)
    assert text.plain == GAP * 6 and styles(text) == ["dim"] * 6


def test_todays_scale_runs_from_0_to_the_larger_of_goal_and_top_score(demo_dir: Path) -> None:
    with Store.open(demo_dir, clock=lambda: MID_GROUP) as store:
        group = next(g for g in store.groups() if g.name == "Fluency 3")
        lines = group_lines(store, group, MID_GROUP.date(), AppConfig())
    assert lines
    for line in lines:
        top = max([s.value for s in line.scores], default=0.0)
        goal = line.goal.goal_value if line.goal else 0.0
        assert line.scale_hi == max(top, goal, line.measure.min + 1)
        spark = sparkline_text(line, MID_GROUP.date(), 12)
        assert len(spark.plain) == 12
        # the drawn levels are the fixed scale's: the same score draws the same block
        for (_w, value, glyph), ch in zip(
            sparkline_cells(line.points, end=MID_GROUP.date(), weeks=12, lo=0, hi=line.scale_hi),
            spark.plain,
            strict=True,
        ):
            assert ch == glyph
            if value is not None:
                expected = BLOCKS[round(min(value, line.scale_hi) / line.scale_hi * 7)]
                assert glyph == expected
