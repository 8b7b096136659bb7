"""School calendar and measure catalogue (Pilot tests; today is Wed 25 Nov 2026). A
no-school day added here leaves Today and planned dosage."""

from __future__ import annotations

from datetime import date

from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input

from store import schedule
from store.db import Store
from store.dosage import group_dosage
from tests.conftest import data_files
from tests.tui.screen import press_to, screen_text
from tui.app import InterventionApp
from tui.screens.calendar import CalendarScreen
from tui.screens.measures import MeasureForm, MeasuresScreen
from tui.screens.today import TodayScreen
from tui.widgets.form import Form

SIZE = (120, 40)
THANKSGIVING = date(2026, 11, 26)  # a Thursday
WEEK = (date(2026, 11, 23), date(2026, 11, 27))


async def push(app: InterventionApp, pilot: Pilot, screen):  # noqa: ANN001, ANN201
    await pilot.pause()
    await app.workers.wait_for_complete()  # the daily backup: before any byte comparison
    app.push_screen(screen)
    await pilot.pause()
    return screen


async def add_no_school(
    pilot: Pilot, screen: CalendarScreen, start: str, end: str, label: str
) -> None:
    screen.query_one("#ns-start", Input).value = start
    screen.query_one("#ns-end", Input).value = end
    label_field = screen.query_one("#ns-label", Input)
    label_field.value = label
    label_field.focus()
    await pilot.press("enter")
    await pilot.pause()


def planned_this_week(app: InterventionApp) -> dict[str, int]:
    store = app.store
    cal = store.calendar()
    return {
        g.id: group_dosage(g, cal, store.sessions(g.id), *WEEK).sessions_planned
        for g in store.groups()
    }


async def test_a_no_school_day_leaves_today_and_planned_dosage(open_app) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        before = planned_this_week(app)
        assert schedule.meetings_on(app.store.groups(), app.store.calendar(), THANKSGIVING)
        screen = await push(app, pilot, CalendarScreen())
        await add_no_school(pilot, screen, "2026-11-26", "2026-11-27", "Thanksgiving break")
        cal = app.store.calendar()
        assert cal.no_school_label(THANKSGIVING) == "Thanksgiving break"
        assert cal.no_school_label(date(2026, 11, 27)) == "Thanksgiving break"
        assert "Thanksgiving break" in screen_text(app)
        assert screen.query_one("#ns-start", Input).value == ""  # ready for the next one
        # planned dosage: Thu and Fri meetings are gone this week
        after = planned_this_week(app)
        meets_thu = {
            m.group.id
            for m in schedule.meetings_on(
                app.store.groups(), app.store.calendar().with_(no_school=[]), THANKSGIVING
            )
        }
        meets_fri = {
            m.group.id
            for m in schedule.meetings_on(
                app.store.groups(), app.store.calendar().with_(no_school=[]), date(2026, 11, 27)
            )
        }
        for gid, n in before.items():
            assert after[gid] == n - (gid in meets_thu) - (gid in meets_fri)
        # Today: back home, go to Thursday — no school
        today = await press_to(pilot, TodayScreen, "escape")
        await pilot.press("right")
        await pilot.pause()
        # Thu and Fri are skipped: the next school day is Monday
        assert today.day == date(2026, 11, 30)
        today.day = THANKSGIVING
        today.load_day()
        await pilot.pause()
        assert today.rows == []
        assert "no school (Thanksgiving break)" in str(today.query_one("#groups-title").render())


async def test_remove_a_no_school_day_and_undo(open_app) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await push(app, pilot, CalendarScreen())
        n = len(app.store.calendar().no_school)
        table = screen.query_one("#no-school-list", DataTable)
        assert table.row_count == n
        table.focus()
        table.move_cursor(row=0)
        first = app.store.calendar().no_school[0]
        await pilot.press("d")
        await pilot.pause()
        assert first not in app.store.calendar().no_school
        assert table.row_count == n - 1
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert first in app.store.calendar().no_school


async def test_calendar_validation_inline_and_nothing_saved(open_app, demo_dir) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await push(app, pilot, CalendarScreen())
        before = data_files(demo_dir)
        await add_no_school(pilot, screen, "2026-12-24", "2026-12-20", "Winter break")
        errors = screen.query_one("#cal-ns-form", Form).errors
        assert errors == {"start": "no-school range ends 2026-12-20, before it starts 2026-12-24"}
        await add_no_school(pilot, screen, "12/24/2026", "", "Winter break")
        assert screen.query_one("#cal-ns-form", Form).errors == {
            "start": "no-school start '12/24/2026' is not a date (use YYYY-MM-DD)"
        }
        await add_no_school(pilot, screen, "2027-08-01", "", "Summer")
        assert "outside the school year" in screen.query_one("#cal-ns-form", Form).errors["start"]
        # the school year: last day before the first
        screen.query_one("#cal-end", Input).value = "2026-08-01"
        screen.query_one("#cal-end", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#cal-year-form", Form).errors == {
            "year_end": "last day of school 2026-08-01 is not after the first day 2026-08-03"
        }
        assert data_files(demo_dir) == before
        # a valid change saves
        screen.query_one("#cal-end", Input).value = "2027-06-11"
        await pilot.press("enter")
        await pilot.pause()
        assert app.store.calendar().year_end == date(2027, 6, 11)


async def test_measures_catalogue_add_and_deactivate_custom(open_app, demo_dir) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await push(app, pilot, MeasuresScreen())
        text = screen_text(app)
        for code in ("ORF", "NWF", "LNF", "Maze", "MCOMP", "DBR", "CICO"):
            assert code in text
        assert "built-in" in text
        # built-ins can't be switched off here
        await pilot.press("x")
        await pilot.pause()
        assert all(m.active for m in app.store.measures(include_inactive=True))
        form = await press_to(pilot, MeasureForm, "a")
        before = data_files(demo_dir)
        form.query_one("#mf-code", Input).value = "9PSF"
        form.query_one("#mf-name", Input).value = "Phoneme segmentation [fluency]"
        form.query_one("#mf-unit", Input).value = "correct sounds"
        form.query_one("#mf-max", Input).value = "80"
        form.query_one("#mf-code", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        errors = form.query_one(Form).errors
        assert list(errors) == ["code"] and "must start with a letter" in errors["code"]
        form.query_one("#mf-code", Input).value = "PSF"
        form.query_one("#mf-max", Input).value = "-1"
        await pilot.press("enter")
        await pilot.pause()
        assert form.query_one(Form).errors == {"max": "maximum -1 must be above minimum 0"}
        form.query_one("#mf-code", Input).value = "orf"
        form.query_one("#mf-max", Input).value = "80"
        await pilot.press("enter")
        await pilot.pause()
        assert "already used" in form.query_one(Form).errors["code"]
        assert data_files(demo_dir) == before
        form.query_one("#mf-code", Input).value = "PSF"
        form.query_one("#mf-decimals", Input).value = "1"
        form.query_one("#mf-higher", Checkbox).value = False
        form.query_one("#mf-errors", Checkbox).value = True
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        psf = app.store.measure("PSF")
        assert (psf.name, psf.unit, psf.min, psf.max) == (
            "Phoneme segmentation [fluency]",
            "correct sounds",
            0,
            80,
        )
        assert (psf.higher_is_better, psf.decimals, psf.records_errors, psf.builtin) == (
            False,
            1,
            True,
            False,
        )
        assert "Phoneme segmentation [fluency]" in screen_text(app)
        assert screen.selected() == psf
        await pilot.press("x")
        await pilot.pause()
        assert not app.store.measure("PSF").active
        assert "PSF" not in [m.code for m in app.store.measures()]
        await pilot.press("x")
        await pilot.pause()
        assert app.store.measure("PSF").active


async def test_a_single_no_school_day_today_and_the_arrow_keys(
    open_app, demo_dir, demo_clock
) -> None:
    """A one-day closing added today: Today shows it with no groups, ← / → step over it
    (they walk school days), t comes back to it, and planned dosage leaves it out."""
    app = open_app()
    today_ = date(2026, 11, 25)  # the demo clock's Wednesday
    async with app.run_test(size=SIZE) as pilot:
        before = planned_this_week(app)
        meeting = {
            m.group.id
            for m in schedule.meetings_on(app.store.groups(), app.store.calendar(), today_)
        }
        assert meeting
        home = app.screen
        assert isinstance(home, TodayScreen) and home.day == today_ and home.rows
        await pilot.press("y")  # the calendar, from Today
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CalendarScreen)
        n = len(app.store.calendar().no_school)
        await add_no_school(pilot, screen, today_.isoformat(), "", "Snow day")
        assert screen.query_one("#cal-ns-form", Form).errors == {}
        cal = app.store.calendar()
        assert len(cal.no_school) == n + 1
        added = [x for x in cal.no_school if x.label == "Snow day"]
        assert [(x.start, x.end) for x in added] == [(today_, today_)]
        assert cal.no_school_label(today_) == "Snow day"
        assert cal.is_school_day(date(2026, 11, 24)) and cal.is_school_day(date(2026, 11, 26))
        assert "Snow day" in screen_text(app)
        # planned dosage this week: Wednesday's meetings are gone, nothing else
        after = planned_this_week(app)
        assert after == {gid: k - (gid in meeting) for gid, k in before.items()}
        # on disk too
        with Store.open(demo_dir, clock=demo_clock, readonly=True) as disk:
            assert disk.calendar().no_school_label(today_) == "Snow day"
        # back to Today: it is today, so it shows the closing at once
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is home
        assert home.day == today_ and home.rows == []
        assert "no school (Snow day)" in str(home.query_one("#groups-title").render())
        assert "No school today (Snow day)" in screen_text(app)
        # → Thursday, ← steps over Wednesday to Tuesday, → over it again, t back to it
        await pilot.press("right")
        await pilot.pause()
        assert home.day == date(2026, 11, 26) and home.rows
        await pilot.press("left")
        await pilot.pause()
        assert home.day == date(2026, 11, 24) and home.rows
        await pilot.press("right")
        await pilot.pause()
        assert home.day == date(2026, 11, 26)
        await pilot.press("t")
        await pilot.pause()
        assert home.day == today_ and home.rows == []
        assert "no school (Snow day)" in str(home.query_one("#groups-title").render())
