"""The student screen (Pilot): goal setting, phase changes, score edit/delete/undo, 80×24."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import Input, Select

from store.db import Store
from tests.conftest import FakeClock
from tests.tui.screen import screen_text
from tui.app import InterventionApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.goal_form import GoalForm
from tui.screens.phase_form import PhaseForm, ScoreEditForm, append_note
from tui.screens.student import StudentScreen

DAY = date(2026, 11, 25)
FLAT = "st-demo17"  # the demo's "flat" ORF student: the 4-point rule says change


async def open_student(app: InterventionApp, pilot, measure: str = "ORF") -> StudentScreen:  # noqa: ANN001
    await pilot.pause()
    screen = StudentScreen(FLAT, DAY, measure)
    app.push_screen(screen)
    await pilot.pause()
    assert app.screen is screen
    return screen


def messages(app: InterventionApp) -> list[str]:
    """The notifications (toasts) shown so far."""
    return [n.message for n in app._notifications]


def progress(screen: StudentScreen):  # noqa: ANN201
    current = screen.current()
    assert current is not None
    return current[0]


async def test_goal_form_previews_the_aim_line_and_saving_changes_the_decision(
    open_app, demo_dir: Path, demo_clock: FakeClock
) -> None:
    app = open_app()
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_student(app, pilot)
        assert progress(screen).decision.kind == "change"
        await pilot.press("g")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, GoalForm)
        name = screen.view.student.given_name  # type: ignore[union-attr]
        text = screen_text(app)
        # the goal in force is the starting point: Fuchs ambitious growth, grade 3
        assert "proposed aim line" in text
        assert f"In 20 weeks, {name} will read 89 words correct per minute." in text
        # a custom goal from a lower baseline: the recent scores sit above its aim line
        form.query_one("#g-method", Select).value = "custom"
        form.query_one("#g-baseline", Input).value = "45"
        form.query_one("#g-target", Input).value = "60"
        await pilot.pause()
        text = screen_text(app)
        assert "Goal 60 by Jan 14, 2027" in text
        assert f"{name} will read 60 words correct per minute." in text
        assert "With this goal: RAISE the goal" in text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert progress(screen).decision.kind == "raise-goal"
        assert "RAISE the goal" in screen_text(app)
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        goal = fresh.goal(FLAT, "ORF")
        assert goal is not None
        assert (goal.baseline_value, goal.goal_value, goal.method) == (45, 60, "custom")


async def test_goal_form_shows_why_a_goal_cannot_be_saved(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_student(app, pilot)
        await pilot.press("g")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, GoalForm)
        form.query_one("#g-method", Select).value = "custom"
        form.query_one("#g-target", Input).value = "412"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # nothing saved, the form stays open
        assert "ORF goal 412 is outside 0–300" in screen_text(app)


async def test_phase_change_restarts_the_trend(open_app, demo_dir, demo_clock) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_student(app, pilot)
        before = progress(screen)
        assert before.decision.n_points > 6
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PhaseForm)
        date_box = app.screen.query_one("#phase-date", Input)
        date_box.value = "2026-11-12"
        await pilot.press(*"Added 10 minutes, smaller group", "enter")
        await pilot.pause()
        assert app.screen is screen
        after = progress(screen)
        start = date(2026, 11, 12)
        assert after.phase_start == start
        kept = [p for p in before.points if p[0] >= start]
        assert list(after.phase_points) == kept and len(kept) == 3
        assert after.decision.kind == "insufficient-data"  # 3 points: too few to judge again
        assert "since the phase change on 2026-11-12" in after.decision.reason
        text = screen_text(app)
        assert "Added 10 minutes, smaller group" in text
        assert "3 pts" in text
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        phases = fresh.phase_changes(FLAT, "ORF")
        assert [(p.date, p.label) for p in phases] == [
            (date(2026, 11, 12), "Added 10 minutes, smaller group")
        ]


async def test_edit_delete_and_undo_a_score(open_app, demo_dir, demo_clock) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_student(app, pilot)
        newest = screen.history[0]
        assert newest.date == date(2026, 11, 23)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ScoreEditForm)
        box = form.query_one("#edit-value", Input)
        box.value = "412"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form  # rejected: shown inline, nothing saved
        assert "ORF score 412 is outside 0–300" in screen_text(app)
        assert app.store.score_on(FLAT, "ORF", newest.date).value == newest.value
        box.value = "61"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.history[0].value == 61
        # delete it, after confirming
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert all(s.id != newest.id for s in screen.history)
        with Store.open(demo_dir, clock=demo_clock, readonly=True) as disk:
            assert disk.score_on(FLAT, "ORF", newest.date) is None
        # ctrl+z brings it back and says what it undid
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert screen.history[0].id == newest.id and screen.history[0].value == 61
        assert any(m.startswith("Undid: deleted ORF 61") for m in messages(app))
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        saved = fresh.score_on(FLAT, "ORF", newest.date)
        assert saved is not None and saved.value == 61


async def test_note_is_dated_and_appended(open_app, demo_dir, demo_clock) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_student(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Met with [/] teacher", "enter")
        await pilot.pause()
        assert "2026-11-25: Met with [/] teacher" in screen_text(app)
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        assert fresh.student(FLAT).notes.endswith("2026-11-25: Met with [/] teacher")
    assert append_note("old", DAY, " new ") == "old\n2026-11-25: new"


async def test_readable_at_80_by_24(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_student(app, pilot)
        text = screen_text(app)
        goal = progress(screen).goal
        assert goal is not None
        assert f"{goal.goal_value:g} by Jan 14, 2027" in text
        assert f"{goal.baseline_value:g} on Aug 27" in text
        assert "needed +1.50/wk" in text
        assert "CHANGE the intervention" in text
        assert "Last score" in text and "Dosage" in text
        assert "aim line" in text  # the chart's legend
        # t cycles the trend method; Tab the measure (one measure: says so)
        await pilot.press("t")
        await pilot.pause()
        assert screen.method == "tukey"
        assert "trend: Tukey" in screen_text(app)


async def test_a_name_with_markup_does_not_crash(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.store.update_student(FLAT, given_name="Ann [/]", family_name="[bold]x")
        await open_student(app, pilot)
        assert "Ann [/] [bold]x" in screen_text(app)


async def test_palette_lists_the_screen_actions(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_student(app, pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert {"Set goal", "Add phase change", "Add note", "Undo"} <= set(titles)
        assert all(b.id and b.tooltip for b in StudentScreen.BINDINGS)  # type: ignore[union-attr]
