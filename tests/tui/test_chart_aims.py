"""The chart draws the aim line the decision uses: a new line from each phase change, level
through no-school weeks (issue 12 items 4 and 8). Values worked by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from store.caseload import StudentProgress, student_progress
from store.model import BUILTIN_MEASURES, Goal, PhaseChange, Score
from tui.charts import Segment, aim_path, chart_data, render_chart

START = date(2024, 1, 1)  # a Monday
ORF = next(m for m in BUILTIN_MEASURES if m.code == "ORF")


def wk(w: float) -> date:
    return START + timedelta(days=round(7 * w))


def _flat_then_phase_change(goal_score: float) -> StudentProgress:
    """Scores at 20 on weeks 1–5, a goal 20 → `goal_score` by week 12, a phase change on week 6."""
    scores = [Score(f"s{w}", "ann", "ORF", wk(w), 20) for w in range(1, 6)]
    return student_progress(
        "ann",
        ORF,
        scores=scores,
        goal=Goal("g", "ann", "ORF", 20, START, goal_score, wk(12)),
        phase_changes=[PhaseChange("p", "ann", "ORF", wk(6), "1:1")],
        today=wk(6),
    )


def test_a_phase_change_draws_the_goal_line_then_the_phase_line() -> None:
    # goal 20 → 44 over 12 weeks (2/week). Scores at 20 on weeks 1–5; phase change on week 6.
    # The goal's line runs to week 6 (20 + 12 = 32); the phase's from (week 6, median of the
    # last 3 scores before = 20) to (week 12, 44).
    prog = _flat_then_phase_change(goal_score=44)
    path = aim_path(prog)
    assert path == [Segment(START, 20, wk(6), pytest.approx(32)), Segment(wk(6), 20, wk(12), 44)]
    assert chart_data(prog).aim_path == tuple(path)


def test_the_aim_line_waits_out_a_no_school_week() -> None:
    # 20 → 40 with week 4 (Jan 29 – Feb 4) off: 11 weeks of school, 20/11 a week.
    # Week 4 starts at 20 + 4 × 20/11 = 27.27 and stays there until week 5, then on to 40.
    goal = Goal("g", "ann", "ORF", 20, START, 40, wk(12))
    prog = student_progress("ann", ORF, scores=[], goal=goal, breaks=[wk(4)])
    path = aim_path(prog)
    level = 20 + 4 * 20 / 11
    assert [(s.start, s.end) for s in path] == [(START, wk(4)), (wk(4), wk(5)), (wk(5), wk(12))]
    assert path[0].end_value == pytest.approx(level)
    assert path[1].start_value == path[1].end_value == pytest.approx(level)
    assert path[2].end_value == 40


def test_both_lines_are_drawn() -> None:
    # far below the goal's line, then a phase change: the aim mark "·" appears left of the
    # phase line "┆" (the goal's line, up to 40 on Feb 12) and right of it (20 → 60)
    prog = _flat_then_phase_change(goal_score=60)
    text = render_chart(chart_data(prog), width=70, height=18, color=False)
    rows = [line for line in text.splitlines() if "┆" in line[4:]]
    assert len(rows) >= 10
    left = any("·" in line[: line.index("┆", 4)] for line in rows)
    right = any("·" in line[line.index("┆", 4) :] for line in rows)
    assert left and right
