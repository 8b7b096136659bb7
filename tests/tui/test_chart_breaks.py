"""No-school weeks on the progress chart (issue 12 item 8): a whole no-school week is shaded
``░`` over its dates, behind the other series, named in the legend, in text and in HTML."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from store.caseload import student_progress
from store.model import Goal, Score
from tests.tui.test_charts import D0, DATA, GOAL_DAY, POINTS, Grid, plain
from tui.charts import AIM, NO_SCHOOL, break_spans, progress_chart, progress_chart_html

SPRING_BREAK = date(2026, 4, 6)  # a Monday inside DATA's Feb 2 → Jun 22 range


def test_break_spans_join_consecutive_weeks() -> None:
    # Mondays Dec 21 and Dec 28 → one span Mon Dec 21 – Fri Jan 1; Apr 6 alone → Apr 6–10.
    assert break_spans([date(2026, 12, 28), date(2026, 4, 6), date(2026, 12, 21)]) == [
        (date(2026, 4, 6), date(2026, 4, 10)),
        (date(2026, 12, 21), date(2027, 1, 1)),
    ]


def test_no_break_no_shading() -> None:
    text = plain()
    assert NO_SCHOOL not in text and "no school" not in text


def test_a_break_week_is_shaded_over_its_dates() -> None:
    text = plain(replace(DATA, breaks=(SPRING_BREAK,)))
    grid = Grid.parse(text)
    shaded = grid.cells(NO_SCHOOL)
    assert shaded, text
    cols = sorted({c for _, c in shaded})
    # The band covers Mon Apr 6 through Fri Apr 10 (to the end of Friday), and nothing else.
    lo, hi = grid.col(SPRING_BREAK), grid.col(SPRING_BREAK + timedelta(days=5))
    assert lo - 1 <= cols[0] and cols[-1] <= hi + 1, (cols, lo, hi)
    assert round(grid.col(SPRING_BREAK + timedelta(days=2))) in cols  # mid-week Wednesday
    assert cols == list(range(cols[0], cols[-1] + 1))  # one unbroken band
    # It runs the full height of the plot (every row has a shaded cell or a series over it).
    rows = {r for r, _ in shaded}
    assert len(rows) >= (grid.bottom - grid.top - 1) - 2
    # Behind the aim line: the aim line still crosses the band.
    assert any(cols[0] <= c <= cols[-1] for _, c in grid.cells(AIM))
    # Named in the legend, readable without colour.
    assert f"{NO_SCHOOL} no school Apr 6–Apr 10" in text
    assert "\x1b[" not in text


def test_a_break_outside_the_chart_is_left_out() -> None:
    text = plain(replace(DATA, breaks=(date(2026, 12, 21),)))  # after the goal date
    assert NO_SCHOOL not in text


def test_student_chart_and_html_shade_the_break() -> None:
    scores = [Score(f"sc{i}", "st1", "ORF", d, v) for i, (d, v) in enumerate(POINTS)]
    goal = Goal("go1", "st1", "ORF", 30, D0, 70, GOAL_DAY)
    prog = student_progress("st1", "ORF", scores=scores, goal=goal, today=POINTS[-1][0])
    text = progress_chart(prog, width=76, height=16, color=False, breaks=(SPRING_BREAK,))
    assert NO_SCHOOL in text and "no school Apr 6–Apr 10" in text
    html = progress_chart_html(prog, breaks=(SPRING_BREAK,))
    assert f'<span style="color:#b8b8b8">{NO_SCHOOL}' in html
    assert "no school Apr 6–Apr 10" in html
    assert NO_SCHOOL not in progress_chart(prog, width=76, height=16, color=False)
