"""The student screen's facts say what the engine weighed (issue 12): behaviour overlap (PND,
share of scores at goal), weeks of school in the phase, a provisional ROI, dosage over logged
sessions with the unlogged ones named."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from store.db import Store
from tests.conftest import FakeClock
from tests.tui.screen import screen_text
from tui.screens.student import StudentScreen

DAY = date(2026, 11, 25)


async def show(app, pilot, student_id: str, measure: str) -> str:  # noqa: ANN001
    """Open the student screen; the facts beside the chart as one line per row, unwrapped
    (the panel is 50 columns wide and wraps long rows)."""
    await pilot.pause()
    app.push_screen(StudentScreen(student_id, DAY, measure))
    await pilot.pause()
    await pilot.pause()
    assert "ROI" in screen_text(app)
    facts = app.screen.query_one("#st-facts", Static)
    console = Console(width=400, record=True, color_system=None)
    console.print(facts.content)
    return console.export_text()


async def test_behaviour_measure_shows_days_at_goal_and_pnd(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(160, 50)) as pilot:
        text = await show(app, pilot, "st-demo24", "CICO")  # the demo's fading CICO student
        assert "of scores at goal" in text and "PND" in text
        assert "goal met" in text and "consider fading" in text


async def test_phase_change_shows_weeks_of_school_in_the_phase(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(160, 50)) as pilot:
        text = await show(app, pilot, "st-demo16", "ORF")  # the demo's phase-change student
        assert "weeks of school this phase" in text
        assert "PND" in text  # after a phase change: overlap with the previous phase


async def test_three_points_show_a_provisional_roi(
    demo_dir: Path, demo_clock: FakeClock, open_app
) -> None:
    # a new member with a goal and 3 weekly scores 40, 43, 46 (3 a week): ROI shown from 3
    # points, provisional until the 4-point rule's 6
    with Store.open(demo_dir, clock=demo_clock) as s:
        group = next(g for g in s.groups() if g.name == "Fluency 3")
        st = s.add_student("Quinn", "Aardvark", "3")
        base = DAY - timedelta(weeks=4)
        s.add_member(group.id, st.id, base)
        s.set_goal(
            st.id, "ORF", baseline_value=40, baseline_date=base, goal_value=70,
            goal_date=base + timedelta(weeks=20), method="custom",
        )  # fmt: skip
        for i, v in enumerate((40, 43, 46), 1):
            s.record_score(st.id, "ORF", v, base + timedelta(weeks=i))
    app = open_app()
    async with app.run_test(size=(160, 50)) as pilot:
        text = await show(app, pilot, st.id, "ORF")
        # 30 over 20 weeks = 1.5 needed; 3 a week; the 3rd score is 3 weeks after the baseline
        assert "needed +1.50/wk · actual +3.00/wk (OLS, 3 pts over 3 weeks of school" in text
        assert "provisional: 3 of 6 points" in text
        # the group's sessions since the baseline are logged in the demo up to yesterday; Quinn
        # has no attendance entries, so the dosage counts logged sessions only
        assert "logged sessions" in text
