"""The Today screen on the demo caseload with a fixed clock (Pilot tests)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from textual.widgets import OptionList

from store.db import Store
from store.vocabulary import words
from tests.conftest import FakeClock
from tests.tui.screen import screen_text, started
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.screens.today import TodayScreen
from tui.screens.welcome import SchoolYearScreen, WelcomeScreen
from tui.widgets.row_table import RowTable


async def wait_for_attention(pilot, screen: TodayScreen, tries: int = 200) -> None:  # noqa: ANN001
    """The caseload summary is computed in a worker after the first paint: wait for it (at
    most ``tries`` steps of 20 ms)."""
    for _ in range(tries):
        await pilot.pause(0.02)
        if screen.attention_day == screen.day:
            return
    raise AssertionError("the needs-attention list never loaded")


def day_bar(app: InterventionApp) -> str:
    return str(app.screen.query_one("#day-bar").render())


def selected_group(app: InterventionApp) -> str:
    screen = app.screen
    assert isinstance(screen, TodayScreen)
    row = screen.selected_row()
    assert row is not None
    return row.group.name


def group_statuses(app: InterventionApp) -> dict[str, str]:
    screen = app.screen
    assert isinstance(screen, TodayScreen)
    return {r.group.name: r.status for r in screen.rows}


async def test_opening_mid_group_selects_the_running_group(open_app, demo_clock) -> None:
    async with started(open_app, (120, 36)) as (app, pilot):
        assert isinstance(app.screen, TodayScreen)
        bar = day_bar(app)
        assert "Wednesday 25 November 2026" in bar
        assert "10:12:00" in bar
        assert "Now: Fluency 3 · ends 10:35" in bar
        assert selected_group(app) == "Fluency 3"
        statuses = group_statuses(app)
        assert statuses["Fluency 3"] == "now ●"
        assert statuses["Comprehension 4–5"] == "next"
        assert statuses["Math Facts"] == "later"
        # earlier groups today have no session yet: not logged
        assert statuses["CICO"] == "not logged"
        # the groups are in time order
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        starts = [r.meeting.start for r in screen.rows]
        assert starts == sorted(starts)
        # the students pane shows the selected group's members with a status marker
        students = app.screen.query_one("#students", RowTable)
        assert students.row_count == 5
        cells = [str(students.get_row_at(i)[5]) for i in range(students.row_count)]
        allowed = ("on track", "above", "below", "no data", "no goal", "few weeks")
        assert all(c in allowed or re.fullmatch(r"\d+ of \d+ points", c) for c in cells), cells


async def test_between_groups_says_which_is_next(open_app, demo_clock: FakeClock) -> None:
    demo_clock.now = datetime(2026, 11, 25, 10, 40)
    async with started(open_app, (120, 36)) as (app, pilot):
        assert "Next: Comprehension 4–5 in 5 min" in day_bar(app)
        assert selected_group(app) == "Comprehension 4–5"
        assert group_statuses(app)["Fluency 3"] == "not logged"


async def test_after_the_last_group(open_app, demo_clock: FakeClock) -> None:
    demo_clock.now = datetime(2026, 11, 25, 15, 30)
    async with started(open_app, (120, 36)) as (app, pilot):
        assert "No more groups today" in day_bar(app)


async def test_weekend_shows_no_school_and_the_next_meeting(open_app, demo_clock) -> None:
    demo_clock.now = datetime(2026, 11, 28, 9, 0)  # Saturday
    async with started(open_app, (120, 36)) as (app, pilot):
        bar = day_bar(app)
        assert "Saturday 28 November 2026" in bar
        assert "No school today (weekend) — next: Mon 8:00" in bar
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        assert screen.rows == []
        assert "no school (weekend)" in str(screen.query_one("#groups-title").render())


async def test_day_navigation_skips_weekends_and_t_returns(open_app, demo_clock) -> None:
    demo_clock.now = datetime(2026, 11, 27, 9, 0)  # Friday
    async with started(open_app, (120, 36)) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        await pilot.press("right")
        await pilot.pause()
        assert screen.day == date(2026, 11, 30)  # Monday, not Saturday
        assert "Viewing a coming day" in day_bar(app)
        await pilot.press("left", "left")
        await pilot.pause()
        assert screen.day == date(2026, 11, 26)
        await pilot.press("t")
        await pilot.pause()
        assert screen.day == date(2026, 11, 27)


async def test_needs_attention_lists_decisions_and_opens_the_student(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        await wait_for_attention(pilot, screen)
        assert screen.attention, "the demo has students whose decision rule fired"
        first = screen.attention[0]
        assert first.decision_kind == "change"
        options = screen.query_one("#attention", OptionList)
        label = str(options.get_option_at_index(0).prompt)
        assert first.student.name in label
        assert "aim line" in label
        options.focus()
        options.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "StudentScreen"
        await pilot.pause()
        detail = screen_text(app)
        assert first.student.name in detail
        flat = " ".join(detail.split())
        assert words("change").label in flat and "consecutive scores below" in flat
        assert "Baseline" in detail and "ROI" in detail
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)


async def test_empty_store_opens_the_welcome_screen(tmp_path: Path) -> None:
    clock = FakeClock()
    store = Store.open(tmp_path / "empty", clock=clock)
    app = InterventionApp(store, clock, AppConfig(demo_dir=tmp_path / "demo"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("demo" in p for p in prompts)
        imports = [
            options.get_option_at_index(i)
            for i in range(options.option_count)
            if "Import a roster" in str(options.get_option_at_index(i).prompt)
        ]
        assert len(imports) == 1 and not imports[0].disabled
        # start empty: the school year is asked (issue 13), then Today with its empty state
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, SchoolYearScreen)
        await pilot.press(*"2026-08-24", "enter", *"2027-06-11", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        assert "none yet" in str(app.screen.query_one("#groups-title").render())
    store.close()


async def test_welcome_demo_builds_in_its_own_folder(tmp_path: Path) -> None:
    clock = FakeClock()
    real = tmp_path / "real"
    store = Store.open(real, clock=clock)
    app = InterventionApp(store, clock, AppConfig(demo_dir=tmp_path / "demo"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        assert app.store.data_dir == tmp_path / "demo"
        assert app.store.students()
    app.store.close()
    with Store.open(real, clock=clock) as again:
        assert again.is_empty(), "the demo never goes into the real data folder"


async def test_group_without_students_shows_an_empty_state(tmp_path: Path) -> None:
    from store.model import Group

    clock = FakeClock(datetime(2026, 11, 25, 8, 0))
    store = Store.open(tmp_path / "d", clock=clock)
    store.add_group(
        Group(id="", name="New group", start_time="09:00", duration_minutes=30, measures=["ORF"])
    )
    app = InterventionApp(store, clock, AppConfig())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "no students in this group yet" in str(
            app.screen.query_one("#students-title").render()
        )
    store.close()
