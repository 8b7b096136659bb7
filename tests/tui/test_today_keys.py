"""Today reaches every screen by one key and comes back with Esc; the unlogged-sessions
notice and its queue; read-only mode (Pilot tests; today is Wed 25 Nov 2026, 10:12)."""

from __future__ import annotations

from datetime import date

import pytest

from store.db import Store
from tests.tui.screen import press_to, screen_text, settle
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.screens.calendar import CalendarScreen
from tui.screens.caseload import CaseloadScreen
from tui.screens.exports import ExportsScreen
from tui.screens.group import GroupScreen
from tui.screens.groups import GroupsScreen
from tui.screens.import_scores import ImportChoiceScreen
from tui.screens.measures import MeasuresScreen
from tui.screens.report import ReportScreen
from tui.screens.score_entry import ScoreEntryScreen
from tui.screens.session_log import SessionLogScreen
from tui.screens.student import StudentScreen
from tui.screens.students import StudentsScreen
from tui.screens.today import TodayScreen
from tui.widgets.row_table import RowTable

SIZE = (120, 40)
TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("g", GroupScreen),
        ("l", SessionLogScreen),
        ("c", CaseloadScreen),
        ("s", StudentsScreen),
        ("G", GroupsScreen),
        ("y", CalendarScreen),
        ("M", MeasuresScreen),
        ("r", ReportScreen),
        ("x", ExportsScreen),
        ("i", ImportChoiceScreen),  # then r: roster, s: scores
    ],
)
async def test_each_key_opens_its_screen_and_escape_comes_back(open_app, key, kind) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        today = await settle(pilot)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, kind)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is today


async def test_group_and_log_keys_act_on_the_selected_group(open_app) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        today = await settle(pilot)
        selected = today.selected_row()
        assert selected is not None and selected.group.name == "Fluency 3"  # now ●
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GroupScreen) and app.screen.group_id == selected.group.id
        assert "Fluency 3" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        log = app.screen
        assert isinstance(log, SessionLogScreen) and log.group.id == selected.group.id
        await pilot.press("enter")  # delivered as scheduled, all present
        await pilot.pause()
        assert app.screen is today
        session = app.store.session_on(selected.group.id, TODAY)
        assert session is not None and session.delivered
        assert today.selected_row().status == "done ✓"


async def test_enter_on_a_student_opens_the_student_screen(open_app) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        today = await settle(pilot)
        students = today.query_one("#students", RowTable)
        students.focus()
        await pilot.pause()
        first = today.lines[0]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StudentScreen)
        assert app.screen.student_id == first.student.id
        assert app.screen.measure == first.measure.code
        assert first.student.name in screen_text(app)
        # r on the student screen: that student's report
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen) and app.screen.student_id == first.student.id


async def test_clicks_choose_a_group_then_open_its_score_entry(open_app) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        today = await settle(pilot)
        groups = today.query_one("#groups", RowTable)
        first = today.rows[0].group
        assert today.selected_row().group.name == "Fluency 3"  # now ●, not the first row
        await pilot.click(groups, offset=(2, 1))  # line 0 is the header; line 1 the first group
        await pilot.pause()
        assert today.selected_row().group.id == first.id
        assert today.shown_group == first.id  # the students pane follows
        assert isinstance(app.screen, TodayScreen)  # one click only chooses
        await pilot.click(groups, offset=(2, 1))
        await pilot.pause()
        entry = app.screen
        assert isinstance(entry, ScoreEntryScreen) and entry.group.id == first.id


async def test_clicking_the_selected_student_opens_the_student_screen(open_app) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        today = await settle(pilot)
        students = today.query_one("#students", RowTable)
        second = today.lines[1]
        await pilot.click(students, offset=(2, 2))
        await pilot.pause()
        assert students.cursor_row == 1 and isinstance(app.screen, TodayScreen)
        await pilot.click(students, offset=(2, 2))
        await pilot.pause()
        assert isinstance(app.screen, StudentScreen)
        assert app.screen.student_id == second.student.id


async def test_unlogged_sessions_notice_and_queue(open_app) -> None:
    """At 10:12 three groups have ended unlogged (8:00, 8:15, 8:45): the notice says so and
    u logs them one after another; then the notice goes away."""
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        today = await settle(pilot)
        assert [g.name for g, _ in today.unlogged] == ["CICO", "Early Literacy K", "Phonics B"]
        assert "3 sessions not logged this week — press u" in screen_text(app)
        await press_to(pilot, SessionLogScreen, "u")
        assert "2 more to log after this" in screen_text(app)
        for _ in range(3):
            await pilot.press("enter")
            await pilot.pause()
        assert app.screen is today
        for name in ("CICO", "Early Literacy K", "Phonics B"):
            group = next(g for g in app.store.groups() if g.name == name)
            assert app.store.session_on(group.id, TODAY) is not None
        today = await settle(pilot)
        assert today.unlogged == []
        assert "not logged this week" not in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is today  # nothing to log: a notice, no screen


async def test_read_only_marks_the_day_bar_and_blocks_writing(demo_dir, demo_clock) -> None:
    store = Store.open(demo_dir, clock=demo_clock, readonly=True)
    app = InterventionApp(store, demo_clock, AppConfig())
    try:
        async with app.run_test(size=SIZE) as pilot:
            today = await settle(pilot)
            assert "READ-ONLY" in screen_text(app)
            for key in ("enter", "l", "i"):
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is today, key
            assert not isinstance(app.screen, ScoreEntryScreen)
            # reading still works: the caseload review opens
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, CaseloadScreen)
    finally:
        store.close()


async def test_palette_lists_the_screens(open_app) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        today = await settle(pilot)
        titles = [c.title for c in app.get_system_commands(today)]
        for wanted in (
            "Caseload review",
            "Students",
            "Groups and schedules",
            "School calendar",
            "Measures",
            "Log session",
            "Log unlogged sessions",
            "Report",
            "Export",
            "Import roster or scores",
        ):
            assert wanted in titles
