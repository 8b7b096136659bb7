"""Where we left off (issue 13, item 12): Today and score entry show each group's last logged
lesson and the next one ("Lesson 42 → 43"); the session log proposes the next lesson."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input

from store.db import Store
from store.model import Attendance, Group, Membership
from tests.conftest import FakeClock, log_delivered
from tests.tui.screen import press_to, screen_text, until_shown
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.screens.score_entry import ScoreEntryScreen
from tui.screens.session_log import SessionLogScreen
from tui.screens.today import TodayScreen

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.fixture
def app(tmp_path: Path) -> Iterator[InterventionApp]:
    """One group (9:00, Mon–Fri) whose last logged lesson, yesterday, was 'Lesson 42'."""
    clock = FakeClock(datetime(2026, 11, 25, 9, 5))
    store = Store.open(tmp_path / "d", clock=clock)
    ava = store.add_student("Ava", "Jones", "3")
    start = TODAY - timedelta(days=14)
    store.add_group(
        Group(
            "",
            "Reading A",
            start_time="09:00",
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            measures=["ORF"],
            start_date=start,
            memberships=[Membership(ava.id, start)],
        )
    )
    group = store.groups()[0]
    for day, lesson in ((date(2026, 11, 23), "Lesson 41"), (date(2026, 11, 24), "Lesson 42")):
        log_delivered(store, group.id, day, [Attendance(ava.id)], lesson=lesson)
    app = InterventionApp(store, clock, AppConfig())
    yield app
    app.store.close()


async def test_today_shows_the_last_lesson_and_the_next(app: InterventionApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        assert "Lesson 42 → 43" in screen_text(app)


async def test_score_entry_shows_it_and_the_session_log_proposes_the_next(
    app: InterventionApp,
) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await press_to(pilot, ScoreEntryScreen, "enter")
        assert "Lesson 42 → 43" in screen_text(app)
        await pilot.press("ctrl+l")
        log = await until_shown(pilot, SessionLogScreen, tries=20)
        assert log.query_one("#sl-lesson", Input).value == "Lesson 43"
        assert "Last: Lesson 42, Tue Nov 24" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        saved = app.store.session_on(app.store.groups()[0].id, TODAY)
        assert saved is not None and saved.lesson == "Lesson 43"
        # logged: Today now shows today's lesson and the one after it
        assert "Lesson 43 → 44" in screen_text(app)
