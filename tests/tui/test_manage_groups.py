"""Groups: create / edit / end, the recurrence builder and its live preview, conflicts,
member changes with an effective date (Pilot tests on the demo caseload; today is
Wed 25 Nov 2026)."""

from __future__ import annotations

from datetime import date

from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, SelectionList, TextArea

from tests.conftest import data_files
from tests.tui.screen import opened, press_to, push, screen_text
from tui.app import InterventionApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.group_form import GroupForm
from tui.screens.groups import GroupsScreen
from tui.widgets.form import Form, WeekdayPicker

SIZE = (120, 40)


async def open_groups(app: InterventionApp, pilot: Pilot) -> GroupsScreen:
    await pilot.pause()
    await app.workers.wait_for_complete()  # the daily backup: before any byte comparison
    return await push(pilot, GroupsScreen())


async def new_group_form(app: InterventionApp, pilot: Pilot) -> GroupForm:
    await open_groups(app, pilot)
    await press_to(pilot, GroupForm, "a")
    return app.screen


async def set_inputs(pilot: Pilot, form: GroupForm, **values: str) -> None:
    for widget_id, value in values.items():
        form.query_one(f"#{widget_id.replace('_', '-')}", Input).value = value
    await pilot.pause()


async def set_days(pilot: Pilot, form: GroupForm, keys: str) -> None:
    """Clear the weekdays, then press ``keys`` on the picker (e.g. '124' or 'mth')."""
    picker = form.query_one("#gf-days", WeekdayPicker)
    picker.days = frozenset()
    picker.focus()
    await pilot.press(*keys)
    await pilot.pause()


def preview(form: GroupForm) -> str:
    return str(form.query_one("#gf-preview").render())


def errors(form: GroupForm) -> dict[str, str]:
    return form.query_one(Form).errors


async def test_recurrence_builder_weekly(open_app) -> None:
    async with opened(open_app, SIZE, new_group_form) as (app, pilot, form):
        await set_inputs(pilot, form, gf_time="9:10", gf_duration="30")
        await set_days(pilot, form, "124")  # Mon, Tue, Thu by number
        assert form.query_one("#gf-days", WeekdayPicker).selected == ["MO", "TU", "TH"]
        assert "Mon, Tue, Thu at 9:10 for 30 min" in preview(form)
        assert form.next_dates == [
            date(2026, 11, 26),
            date(2026, 11, 30),
            date(2026, 12, 1),
            date(2026, 12, 3),
            date(2026, 12, 7),
        ]
        assert "Thu Nov 26, Mon Nov 30, Tue Dec 1, Thu Dec 3, Mon Dec 7" in preview(form)
        # letters toggle too, and the words follow live
        await pilot.press("t", "w")
        await pilot.pause()
        assert "Mon, Wed, Thu at 9:10" in preview(form)
        await set_inputs(pilot, form, gf_start="2026-09-08", gf_end="2027-01-30")
        await set_days(pilot, form, "mth")
        assert "Mon, Tue, Thu at 9:10 for 30 min, from Sep 8 to Jan 30" in preview(form)
        assert "[x] Mon" in screen_text(app) and "[ ] Wed" in screen_text(app)


async def test_recurrence_every_other_week_from_a_mid_year_start(open_app) -> None:
    async with opened(open_app, SIZE, new_group_form) as (app, pilot, form):
        await set_inputs(pilot, form, gf_time="13:00", gf_duration="25", gf_start="2026-12-07")
        await set_days(pilot, form, "13")
        form.query_one("#gf-biweekly", Checkbox).value = True
        await pilot.pause()
        assert "every other week on Mon, Wed at 13:00 for 25 min, from Dec 7" in preview(form)
        assert form.next_dates == [
            date(2026, 12, 7),
            date(2026, 12, 9),
            date(2026, 12, 21),
            date(2026, 12, 23),
            date(2027, 1, 4),
        ]


async def test_recurrence_with_an_end_date_and_a_no_school_day(open_app) -> None:
    async with opened(open_app, SIZE, new_group_form) as (app, pilot, form):
        # a new form asks for a start time rather than showing an error
        assert "Type a start time (HH:MM)" in preview(form) and "not a time" not in preview(form)
        await set_inputs(pilot, form, gf_time="14:00", gf_duration="30", gf_end="2026-12-18")
        await set_days(pilot, form, "f")
        # a new group starts today (issue 13): the start date is filled in
        assert form.query_one("#gf-start", Input).value == "2026-11-25"
        assert "Fri at 14:00 for 30 min, from Nov 25 to Dec 18" in preview(form)
        # Fri 18 Dec is the demo's staff development day: no meeting
        assert form.next_dates == [date(2026, 11, 27), date(2026, 12, 4), date(2026, 12, 11)]
        # a problem in the schedule shows in the preview instead of dates
        await set_inputs(pilot, form, gf_time="25:00")
        assert "is not a time of day" in preview(form)


async def test_create_a_group(open_app, demo_dir) -> None:
    async with opened(open_app, SIZE, new_group_form) as (app, pilot, form):
        store = app.store
        students = store.students()
        await set_inputs(
            pilot,
            form,
            gf_name="Reading Boost",
            gf_program="Phonics for Reading",
            gf_skill="decoding",
            gf_tier="3",
            gf_location="Room 12",
            gf_time="14:30",
            gf_duration="30",
            gf_start="2026-11-30",
        )
        await set_days(pilot, form, "24")
        # members: search, then space picks
        search = form.query_one("#group-member-search", Input)
        search.focus()
        for ch in students[0].family_name[:4]:
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        members = form.query_one("#gf-members", SelectionList)
        assert app.focused is members
        assert members.option_count < len(students)
        members.highlighted = 0
        await pilot.press("space")
        search.value = students[1].given_name
        await pilot.pause()
        members.focus()
        members.highlighted = [
            members.get_option_at_index(i).value for i in range(members.option_count)
        ].index(students[1].id)
        await pilot.press("space")
        await pilot.pause()
        assert form.chosen == [students[0].id, students[1].id]
        search.value = ""
        await pilot.pause()
        assert set(members.selected) == {students[0].id, students[1].id}
        # a measure and the fidelity checklist
        form.query_one("#gf-measures", SelectionList).select("NWF")
        form.query_one("#gf-fidelity", TextArea).text = "sound review\n\nblending\n"
        await set_inputs(pilot, form, gf_probe="2")
        await press_to(pilot, GroupsScreen, "ctrl+s")
        saved = next(g for g in store.groups() if g.name == "Reading Boost")
        assert (saved.program, saved.skill_focus, saved.tier, saved.location) == (
            "Phonics for Reading",
            "decoding",
            3,
            "Room 12",
        )
        assert (saved.start_time, saved.duration_minutes) == ("14:30", 30)
        assert saved.rrule == "FREQ=WEEKLY;BYDAY=TU,TH"
        assert saved.start_date == date(2026, 11, 30) and saved.end_date is None
        assert saved.measures == ["NWF"] and saved.probe_every_weeks == 2
        assert saved.fidelity_items == ["sound review", "blending"]
        # new members join on the group's start date
        assert sorted((m.student_id, m.start) for m in saved.memberships) == sorted(
            [(students[0].id, date(2026, 11, 30)), (students[1].id, date(2026, 11, 30))]
        )
        assert "Reading Boost" in screen_text(app)
        assert "Tue, Thu at 14:30 for 30 min, from Nov 30" in screen_text(app)


async def test_group_validation_errors_inline_and_nothing_saved(open_app, demo_dir) -> None:
    async with opened(open_app, SIZE, new_group_form) as (app, pilot, form):
        before = data_files(demo_dir)
        await set_inputs(pilot, form, gf_name="Broken", gf_time="9:75", gf_duration="30")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert errors(form) == {
            "start_time": "start time '9:75' is not a time of day (use HH:MM, 24-hour)"
        }
        await set_inputs(pilot, form, gf_time="9:00", gf_duration="2")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert errors(form) == {"duration": "duration (minutes) 2 is outside 5–240"}
        await set_inputs(pilot, form, gf_duration="30")
        await set_days(pilot, form, "")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert errors(form) == {"weekdays": "choose at least one weekday"}
        await set_days(pilot, form, "1")
        await set_inputs(pilot, form, gf_start="2027-01-10", gf_end="2026-12-01")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert errors(form) == {"end_date": "end date 2026-12-01 is before start date 2027-01-10"}
        await set_inputs(pilot, form, gf_start="", gf_end="", gf_name="  ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert errors(form) == {"name": "group name is required"}
        assert "group name is required" in screen_text(app)
        assert isinstance(app.screen, GroupForm)
        assert data_files(demo_dir) == before
        await press_to(pilot, GroupsScreen, "escape")
        assert data_files(demo_dir) == before


async def test_conflicts_are_shown_before_saving(open_app, demo_dir) -> None:
    async with opened(open_app, SIZE, new_group_form) as (app, pilot, form):
        store = app.store
        fluency = store.group("demo-fluency-3")  # 10:05–10:35 Mon–Fri
        shared = store.student(fluency.member_ids[0])
        await set_inputs(pilot, form, gf_name="Vocab", gf_time="10:15", gf_duration="30")
        await set_days(pilot, form, "12")
        form.chosen.append(shared.id)
        before = data_files(demo_dir)
        await press_to(pilot, ConfirmScreen, "ctrl+s")
        text = screen_text(app)
        assert "This schedule clashes" in text
        assert "Fluency 3 and Vocab overlap" in text
        assert f"{shared.name} is in both Fluency 3 and Vocab" in text
        assert "10:15–10:35" in text
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is form
        assert data_files(demo_dir) == before
        await pilot.press("ctrl+s")
        await pilot.pause()
        await press_to(pilot, GroupsScreen, "y")
        assert any(g.name == "Vocab" for g in store.groups())


async def test_edit_members_with_an_effective_date(open_app, demo_dir) -> None:
    async with opened(open_app, SIZE, open_groups) as (app, pilot, screen):
        store = app.store
        group = store.group("demo-math-45")
        leaving, staying = group.member_ids[0], group.member_ids[1:]
        newcomer = next(s for s in store.students() if s.id not in group.member_ids)
        table = screen.query_one("#group-list", DataTable)
        table.move_cursor(row=[g.id for g in screen.shown].index(group.id))
        form = await press_to(pilot, GroupForm, "enter")
        assert form.query_one("#gf-name", Input).value == "Math 4–5"
        assert form.query_one("#gf-days", WeekdayPicker).selected == ["MO", "TU", "WE", "TH"]
        assert "Mon, Tue, Wed, Thu at 13:25 for 35 min" in preview(form)
        members = form.query_one("#gf-members", SelectionList)
        assert set(members.selected) == set(group.member_ids)
        members.focus()
        values = [members.get_option_at_index(i).value for i in range(members.option_count)]
        for sid in (leaving, newcomer.id):
            members.highlighted = values.index(sid)
            await pilot.press("space")
        # the effective date can't be before the leaver joined: inline error, nothing saved
        before = data_files(demo_dir)
        await set_inputs(pilot, form, gf_effective="2026-01-05")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "before" in str(form.query_one("#gf-effective-error").render())
        assert data_files(demo_dir) == before
        await set_inputs(pilot, form, gf_effective="2026-11-23", gf_location="Library")
        await pilot.press("ctrl+s")
        await pilot.pause()
        if isinstance(app.screen, ConfirmScreen):  # the newcomer may clash elsewhere
            await pilot.press("y")
            await pilot.pause()
        assert app.screen is screen
        saved = store.group(group.id)
        assert saved.location == "Library"
        assert set(saved.member_ids) == {*staying, newcomer.id}
        left = next(m for m in saved.memberships if m.student_id == leaving)
        joined = next(m for m in saved.memberships if m.student_id == newcomer.id)
        assert left.end == date(2026, 11, 23) and joined.start == date(2026, 11, 23)
        # one undo step puts the group back
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert store.group(group.id) == group


async def test_end_a_group_keeps_its_history(open_app) -> None:
    async with opened(open_app, SIZE, open_groups) as (app, pilot, screen):
        store = app.store
        group = screen.selected()
        assert group is not None
        sessions = store.sessions(group.id)
        await press_to(pilot, ConfirmScreen, "x")
        await pilot.press("y")
        await pilot.pause()
        ended = store.group(group.id)
        assert not ended.active and ended.end_date == date(2026, 11, 25)
        assert ended.member_ids == []
        assert store.sessions(group.id) == sessions
        assert group.id not in [g.id for g in screen.shown]
        await pilot.press("v")
        await pilot.pause()
        assert group.id in [g.id for g in screen.shown]
        assert "ended" in screen_text(app)
