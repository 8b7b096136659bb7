"""First run (issue 13, item 11): the first start asks for the school year instead of
assuming one, and a group created today never has "not logged" sessions before it existed.
Today is Wed 25 Nov 2026, 10:00."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from textual.widgets import Input

from store.db import Store
from store.model import Group, Membership
from tests.conftest import FakeClock, data_files
from tests.tui.first_start import first_start, type_into
from tests.tui.screen import press_to, screen_text
from tui.app import InterventionApp
from tui.screens.group_form import GroupForm
from tui.screens.import_roster import ImportRosterScreen
from tui.screens.today import TodayScreen
from tui.screens.welcome import SchoolYearScreen, WelcomeScreen
from tui.views.unlogged import unlogged_sessions
from tui.widgets.form import Form

SIZE = (120, 40)
TODAY = date(2026, 11, 25)


async def test_start_empty_asks_for_the_school_year_and_saves_it(empty_app) -> None:  # noqa: ANN001
    app, folder, clock = empty_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        screen = await press_to(pilot, SchoolYearScreen, "e")
        assert "Your school year" in screen_text(app)
        start, end = screen.query_one("#year-start", Input), screen.query_one("#year-end", Input)
        assert (start.value, end.value) == ("", "")  # asked, not assumed
        assert app.focused is start
        await app.workers.wait_for_complete()
        before = data_files(folder)
        # bad answers: a clear message, nothing written
        await pilot.press(*"2026-13-01", "enter")
        await pilot.pause()
        assert screen.query_one(Form).errors == {
            "year_start": "first day of school '2026-13-01' is not a date (use YYYY-MM-DD)"
        }
        await type_into(pilot, start, "2026-08-31")
        await pilot.press("enter", *"2026-06-10", "enter")
        await pilot.pause()
        assert screen.query_one(Form).errors == {
            "year_end": "last day of school 2026-06-10 is not after the first day 2026-08-31"
        }
        await type_into(pilot, end, "2029-06-10")
        await pilot.press("enter")
        await pilot.pause()
        assert "more than a year after" in screen.query_one(Form).errors["year_end"]
        assert data_files(folder) == before
        assert isinstance(app.screen, SchoolYearScreen)
        await type_into(pilot, end, "2027-06-10")
        await press_to(pilot, TodayScreen, "enter")
    app.store.close()
    with Store.open(folder, clock=clock) as fresh:
        cal = fresh.calendar()
        assert (cal.year_start, cal.year_end) == (date(2026, 8, 31), date(2027, 6, 10))


async def test_escape_from_the_school_year_goes_back_and_saves_nothing(empty_app) -> None:  # noqa: ANN001
    app, folder, _clock = empty_app
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        before = data_files(folder)
        await pilot.press("e")
        await pilot.pause()
        await press_to(pilot, WelcomeScreen, *"2026-09-01", "escape")
        assert data_files(folder) == before


async def test_import_asks_for_the_school_year_first(empty_app) -> None:  # noqa: ANN001
    app = empty_app[0]
    async with first_start(empty_app, SIZE, "i", "2026-09-02", "2027-06-15"):
        assert isinstance(app.screen, ImportRosterScreen)
        cal = app.store.calendar()
        assert (cal.year_start, cal.year_end) == (date(2026, 9, 2), date(2027, 6, 15))


async def new_group(pilot, app: InterventionApp, name: str, start_time: str) -> Group:  # noqa: ANN001
    """From Today: G, a, type the name and time, keep the rest, ctrl+s; back on Today."""
    await pilot.press("G")
    await pilot.pause()
    form = await press_to(pilot, GroupForm, "a")
    await type_into(pilot, form.query_one("#gf-name", Input), name)
    await type_into(pilot, form.query_one("#gf-time", Input), start_time)
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.press("escape")  # the groups list → Today
    await pilot.pause()
    assert isinstance(app.screen, TodayScreen)
    return next(g for g in app.store.groups() if g.name == name)


async def test_a_group_created_today_has_nothing_unlogged_before_it_existed(empty_app) -> None:  # noqa: ANN001
    app, _folder, clock = empty_app
    async with first_start(empty_app, SIZE, "e", "2026-08-24", "2027-06-11") as pilot:
        later = await new_group(pilot, app, "Reading A", "13:00")
        assert later.start_date == TODAY  # created today, starts today
        earlier = await new_group(pilot, app, "Reading B", "08:00")
        # today's 8:00 meeting ended before the group was made: it starts tomorrow
        assert earlier.start_date == date(2026, 11, 26)
        store = app.store
        ana = store.add_student("Ana", "Diaz", "3")
        for group in (later, earlier):
            store.add_member(group.id, ana.id, TODAY)
        for at in (datetime(2026, 11, 25, 10, 0), datetime(2026, 11, 25, 15, 0)):
            clock.now = at
            pending = unlogged_sessions(store, TODAY, now=at)
            assert all(d >= TODAY for _g, d in pending), pending
        # after 13:30 Reading A's first meeting is over and not logged: that one is real
        assert [(g.name, d) for g, d in pending] == [("Reading A", TODAY)]
        clock.now = datetime(2026, 11, 25, 10, 0)
        app.screen.load_day()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "not logged" not in screen_text(app)


def test_meetings_before_any_member_joined_are_not_unlogged(tmp_path: Path) -> None:
    """A group without a start date (e.g. from a roster, scheduled later) counts nothing from
    before its first member joined."""
    clock = FakeClock(datetime(2026, 11, 25, 10, 0))
    with Store.open(tmp_path / "d", clock=clock) as store:
        ana = store.add_student("Ana", "Diaz", "3")
        store.add_group(
            Group("", "Reading C", start_time="08:00", memberships=[Membership(ana.id, TODAY)])
        )
        assert unlogged_sessions(store, TODAY) == []
        pending = unlogged_sessions(store, TODAY, now=clock())
        assert [(g.name, d) for g, d in pending] == [("Reading C", TODAY)]
