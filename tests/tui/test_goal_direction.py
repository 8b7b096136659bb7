"""Goals in weeks of school and in the measure's direction, as the screens show them (Pilot;
issue 12 items 8 and 11). Expected values are worked out by hand in the comments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static

from store.db import Store
from store.model import NoSchool, SchoolCalendar
from tests.conftest import FakeClock
from tests.tui.screen import push, screen_lines, screen_text
from tests.tui.test_student_screen import open_goal_form
from tui.app import InterventionApp
from tui.charts import NO_SCHOOL
from tui.config import AppConfig
from tui.documents import meeting_packet, student_report
from tui.screens.goal_form import GoalForm
from tui.screens.student import StudentScreen

DAY = date(2026, 12, 10)  # a Thursday in winter (Hasbrouck & Tindal's winter norms)
# Winter break Mon Dec 21 – Fri Jan 1: two whole no-school weeks.
CALENDAR = SchoolCalendar(
    date(2026, 8, 24),
    date(2027, 6, 11),
    [NoSchool(date(2026, 12, 21), date(2027, 1, 1), "Winter break")],
)
MONDAYS = [date(2026, 10, 12) + timedelta(weeks=i) for i in range(9)]  # Oct 12 … Dec 7


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 10, 10, 0))


@pytest.fixture
def folder(data_dir: Path, clock: FakeClock) -> Path:
    """Yara (grade 4, ORF, a dated goal across winter break) and Mia (DBR disruptive
    behaviour, lower is better)."""
    with Store.open(data_dir, clock=clock) as s:
        s.set_calendar(CALENDAR)
        yara = s.add_student("Yara", "Okafor", "4", id="st-yara")
        # 63, 65, …, 79: exactly +2 a week (no break among them), so every trend method's ROI
        # is +2.00/week.
        for i, d in enumerate(MONDAYS):
            s.record_score(yara.id, "ORF", 63 + 2 * i, d)
        # Baseline 70 on Fri Nov 6, goal 89 on Fri Mar 19: 19 calendar weeks, 17 of school.
        s.set_goal(
            yara.id,
            "ORF",
            baseline_value=70,
            baseline_date=date(2026, 11, 6),
            goal_value=89,
            goal_date=date(2027, 3, 19),
            method="norms-ambitious",
        )
        mia = s.add_student("Mia", "Lund", "3", id="st-mia")
        # 7.5, 7.0, …, 3.5: exactly −0.5 a week (disruptive behaviour falling).
        for i, d in enumerate(MONDAYS):
            s.record_score(mia.id, "DBR-DB", 7.5 - 0.5 * i, d)
    return data_dir


@pytest.fixture
def app(folder: Path, clock: FakeClock, tmp_path: Path) -> Iterator[InterventionApp]:
    store = Store.open(folder, clock=clock)
    yield InterventionApp(store, clock, AppConfig(demo_dir=tmp_path / "demo-built"))
    store.close()


async def open_student(app: InterventionApp, pilot, student: str, measure: str) -> StudentScreen:  # noqa: ANN001
    return await push(pilot, StudentScreen(student, DAY, measure))


def set_mia_goal(store: Store) -> None:
    """Mia's disruptive-behaviour goal: 1.5 by Feb 26 from a baseline of 7 on Oct 12."""
    store.set_goal(
        "st-mia",
        "DBR-DB",
        baseline_value=7,
        baseline_date=date(2026, 10, 12),
        goal_value=1.5,
        goal_date=date(2027, 2, 26),
    )


def facts(app: InterventionApp) -> str:
    """The student screen's facts column as shown (the screen's cells right of the chart),
    its wrapped lines joined (one space between words)."""
    region = app.screen.query_one("#st-facts").region
    lines = screen_lines(app)[region.y : region.y + region.height]
    return flat("\n".join(line[region.x : region.x + region.width] for line in lines))


def flat(text: str) -> str:
    """Screen text with the facts column's wrapping undone (one space between words)."""
    return " ".join(text.split())


async def test_student_facts_show_the_dated_statement_gap_and_weeks_to_goal(
    app: InterventionApp,
) -> None:
    async with app.run_test(size=(150, 44)) as pilot:
        await open_student(app, pilot, "st-yara", "ORF")
        text = screen_text(app)
        words = facts(app)
        # 19 calendar weeks less the 2 winter-break weeks = 17 weeks of school.
        assert (
            "By March 19, 2027 (17 weeks of school), Yara will read 89 words correct per minute."
            in words
        )
        # Current level = median of the last 3 (75, 77, 79) = 77. Grade 4 in December: winter
        # 50th percentile 120 WCPM (Hasbrouck & Tindal 2017) → gap 120 ÷ 77 = 1.56 → "1.6×".
        assert "Gap 1.6× the benchmark: benchmark 120 ÷ current 77" in words
        # Weeks to goal at +2/week: (89 − 77) ÷ 2 = 6 (12 weeks of school are left: in time).
        assert "To goal ≈ 6 weeks to goal at the current ROI" in words
        assert "after the goal date" not in words
        # The chart shades the winter break (inside the chart's Oct → Mar range).
        assert NO_SCHOOL in text and "no school Dec 21–Jan 1" in text


async def test_lower_is_better_gap_and_weeks_to_goal_on_the_student_screen(
    app: InterventionApp,
) -> None:
    async with app.run_test(size=(150, 44)) as pilot:
        screen = await open_student(app, pilot, "st-mia", "DBR-DB")
        # Goal 1.5 from baseline 7.0 (median of 7.5, 7.0, 6.5).
        set_mia_goal(app.store)
        screen.reload()
        await pilot.pause()
        words = facts(app)
        # Current = median(4.5, 4.0, 3.5) = 4.0; lower is better: 4.0 ÷ 1.5 = 2.67 times too
        # high ("2.7×"), above 2.0 → significant.
        assert "Gap 2.7× the goal (significant): current 4.0 ÷ goal 1.5 (times too high)" in words
        # ROI −0.5/week: (4.0 − 1.5) ÷ 0.5 = 5 weeks.
        assert "≈ 5 weeks to goal at the current ROI" in words
        assert "Mia will show disruptive behaviour rated 1.5 or lower." in words


async def test_goal_form_proposes_a_lower_goal_for_disruptive_behaviour(
    app: InterventionApp,
) -> None:
    async with app.run_test(size=(150, 44)) as pilot:
        await open_student(app, pilot, "st-mia", "DBR-DB")
        form = await open_goal_form(app, pilot)
        assert form.query_one("#g-method", Select).value == "roi"
        # The baseline is the median of the first 3 ratings: 7.5, 7.0, 6.5 → 7.0.
        assert form.query_one("#g-baseline", Input).value == "7.0"
        # Baseline 6, a decrease of 0.2 a week for 10 weeks (Mon Nov 2 → Mon Jan 25 is 12
        # calendar weeks, less the 2 winter-break weeks = 10 weeks of school):
        # 6 − 0.2 × 10 = 4.0, not 6 + 2 = 8.
        form.query_one("#g-baseline", Input).value = "6"
        form.query_one("#g-bdate", Input).value = "2026-11-02"
        form.query_one("#g-gdate", Input).value = "2027-01-25"
        form.query_one("#g-rate", Input).value = "0.2"
        form.query_one("#g-multiplier", Input).value = "1"
        await pilot.pause()
        assert form.proposed is not None
        assert form.proposed.weeks == 10
        assert form.proposed.goal_value == 4.0
        assert form.proposed.statement == (
            "By January 25, 2027 (10 weeks of school), Mia will show disruptive behaviour "
            "rated 4.0 or lower."
        )
        assert "Decrease / week" in screen_text(app)
        preview = str(form.query_one("#goal-preview", Static).content)
        assert "Goal 4.0 by Jan 25, 2027 · 10.0 weeks of school · needed -0.20/wk" in preview
        assert "(2 no-school weeks left out)" in preview
        assert form.proposed.statement in preview
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, GoalForm)
        goal = app.store.goal("st-mia", "DBR-DB")
        assert goal is not None and goal.goal_value == 4.0
        assert goal.note == form.proposed.statement
        # Reopened, the saved goal's rate reads as a decrease: (6 − 4) ÷ 10 = 0.20 a week.
        again = await open_goal_form(app, pilot)
        assert again.query_one("#g-rate", Input).value == "0.20"
        assert again.proposed is not None and again.proposed.goal_value == 4.0


async def test_goal_form_fuchs_goal_counts_weeks_of_school(app: InterventionApp) -> None:
    async with app.run_test(size=(150, 44)) as pilot:
        await open_student(app, pilot, "st-yara", "ORF")
        form = await open_goal_form(app, pilot)
        # The goal in force: baseline 70 Nov 6 → Mar 19, 17 weeks of school; its rate shown is
        # (89 − 70) ÷ 17 = 1.12 a week of school (not ÷ 19 = 1.00).
        assert form.query_one("#g-rate", Input).value == "1.12"
        # Grade 4 realistic growth 0.85/week (Fuchs et al. 1993): 70 + 0.85 × 17 = 84.45 → 84.
        form.query_one("#g-method", Select).value = "norms-realistic"
        await pilot.pause()
        assert form.proposed is not None
        assert form.proposed.goal_value == 84
        assert form.proposed.statement == (
            "By March 19, 2027 (17 weeks of school), Yara will read 84 words correct per minute."
        )


def test_student_report_facts_show_gap_and_weeks_to_goal(folder: Path, clock: FakeClock) -> None:
    with Store.open(folder, clock=clock) as s:
        text = student_report(s, "st-yara", today=DAY, fmt="text")
    words = flat(text)
    assert (
        "By March 19, 2027 (17 weeks of school), Yara will read 89 words correct per minute."
        in words
    )
    assert "Gap: 1.6× the benchmark: benchmark 120 ÷ current 77" in words  # 120 ÷ 77 = 1.56
    assert "Weeks to goal: ≈ 6 weeks to goal at the current ROI" in words  # (89 − 77) ÷ 2
    assert NO_SCHOOL in text


def test_packet_facts_show_gap_and_weeks_to_goal(folder: Path, clock: FakeClock) -> None:
    with Store.open(folder, clock=clock) as s:
        set_mia_goal(s)
        text = meeting_packet(s, today=DAY, fmt="text")
    words = flat(text)
    # Mia's ratings fall −0.5 a week to 3.5, yet stay above the goal: a decision, so a page.
    # Current median(4.5, 4.0, 3.5) = 4.0: 4.0 ÷ 1.5 = 2.67 times too high; (4.0 − 1.5) ÷ 0.5 = 5.
    assert "Gap: 2.7× the goal (significant): current 4.0 ÷ goal 1.5 (times too high)" in words
    assert "Weeks to goal: ≈ 5 weeks to goal at the current ROI" in words
    # Oct 12 → Feb 26: 137 days = 19.6 weeks, less 2 break weeks = 17.6 → "18 weeks of school".
    assert "By February 26, 2027 (18 weeks of school), Mia will show disruptive behaviour" in words
    assert NO_SCHOOL in text
