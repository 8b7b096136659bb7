"""Session log: Enter accepts "delivered as scheduled, all present"; a full log with
attendance, minutes and fidelity; cancellations; validation; unlogged sessions — each
checked through the dosage numbers (Pilot tests; today is Wed 25 Nov 2026, 10:12)."""

from __future__ import annotations

from datetime import date, datetime

from textual.pilot import Pilot
from textual.widgets import Input, Select, SelectionList

from store.db import Store
from store.dosage import group_dosage, student_dosage
from tests.conftest import FakeClock, data_files
from tests.tui.screen import opened, press_to, screen_text, started, until_shown
from tui.app import InterventionApp
from tui.screens.score_entry import ScoreEntryScreen
from tui.screens.session_log import AttendanceTable, SessionLogScreen
from tui.screens.today import TodayScreen
from tui.views.unlogged import unlogged_sessions
from tui.widgets.form import Form

SIZE = (120, 40)
TODAY = date(2026, 11, 25)
FLUENCY = "demo-fluency-3"  # 10:05–10:35, 30 min, 5 students, 4 fidelity items


async def open_log(app: InterventionApp, pilot: Pilot, **kw: object) -> SessionLogScreen:
    await pilot.pause()
    await app.workers.wait_for_complete()  # the daily backup: before any byte comparison
    group = app.store.group(kw.pop("group_id", FLUENCY))  # type: ignore[arg-type]
    screen = SessionLogScreen(group, kw.pop("day", TODAY), **kw)  # type: ignore[arg-type]
    app.push_screen(screen)
    await pilot.pause()
    return screen


def dosage_today(app: InterventionApp, group_id: str = FLUENCY):
    store = app.store
    return group_dosage(
        store.group(group_id), store.calendar(), store.sessions(group_id), TODAY, TODAY
    )


async def test_enter_accepts_delivered_as_scheduled_all_present(open_app) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        before = dosage_today(app)
        assert (before.sessions_planned, before.sessions_delivered) == (1, 0)
        assert before.sessions_not_logged == 1
        screen = await open_log(app, pilot)
        assert "Session log · Fluency 3 · Wed Nov 25" in screen_text(app)
        assert app.focused is screen.query_one("#sl-minutes", Input)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen
        session = app.store.session_on(FLUENCY, TODAY)
        assert session is not None and session.delivered
        assert session.minutes_delivered == 30
        assert [a.status for a in session.attendance] == ["present"] * 5
        assert session.fidelity_pct is None  # the checklist was left untouched: not recorded
        after = dosage_today(app)
        assert (after.sessions_planned, after.sessions_delivered, after.sessions_not_logged) == (
            1,
            1,
            0,
        )
        assert (after.minutes_planned, after.minutes_delivered) == (30, 30)
        assert after.attendance_pct == 100.0 and after.fidelity_avg is None


async def test_a_full_log_with_attendance_minutes_and_fidelity(open_app) -> None:
    async with opened(open_app, SIZE, open_log) as (app, pilot, screen):
        table = screen.query_one(AttendanceTable)
        names = [r.student.id for r in table.rows_]
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("a")  # first: absent (cursor moves on)
        await pilot.press("l", "1", "5")  # second: late, 15 minutes
        await pilot.press("down", "e", "2", "0")  # third: left early after 20
        await pilot.press("down", "r", "r")  # fourth: absent, reason → school activity
        assert "school activity" in screen_text(app)
        fidelity = screen.query_one("#sl-fidelity", SelectionList)
        for item in ("cold read", "modelled reading", "timed repeated reading"):
            fidelity.select(item)
        await pilot.pause()
        assert "3 of 4 done · 75 %" in screen_text(app)
        screen.query_one("#sl-minutes", Input).value = "28"
        screen.query_one("#sl-lesson", Input).value = "Story 97"
        note = screen.query_one("#sl-note", Input)
        note.value = "fire drill [/] at 10:20"
        note.focus()
        await pilot.press("enter")
        await pilot.pause()
        session = app.store.session_on(FLUENCY, TODAY)
        assert session is not None
        assert (session.minutes_delivered, session.lesson, session.note) == (
            28,
            "Story 97",
            "fire drill [/] at 10:20",
        )
        by_id = {a.student_id: a for a in session.attendance}
        assert (by_id[names[0]].status, by_id[names[0]].reason) == ("absent", "absent")
        assert (by_id[names[1]].status, by_id[names[1]].minutes) == ("late", 15)
        assert (by_id[names[2]].status, by_id[names[2]].minutes) == ("left-early", 20)
        assert (by_id[names[3]].status, by_id[names[3]].reason) == ("absent", "school-activity")
        assert by_id[names[4]].status == "present"
        assert session.fidelity_pct == 75.0
        store = app.store
        groups, cal, sessions = [store.group(FLUENCY)], store.calendar(), store.sessions()
        dose = dosage_today(app)
        assert (dose.minutes_delivered, dose.fidelity_avg) == (28, 75.0)
        assert (dose.student_sessions_planned, dose.student_sessions_attended) == (5, 3)
        late = student_dosage(names[1], groups, cal, sessions, TODAY, TODAY)
        assert (late.sessions_attended, late.minutes_received, late.minutes_planned) == (1, 15, 30)
        absent = student_dosage(names[3], groups, cal, sessions, TODAY, TODAY)
        assert (absent.sessions_planned, absent.sessions_attended) == (1, 0)
        assert absent.absence_reasons["school-activity"] == 1


async def test_a_cancelled_session(open_app) -> None:
    async with opened(open_app, SIZE, open_log) as (app, pilot, screen):
        screen.query_one("#sl-status", Select).value = "assembly"
        await pilot.pause()
        assert screen.query_one("#sl-minutes", Input).disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
        session = app.store.session_on(FLUENCY, TODAY)
        assert session is not None and not session.delivered
        assert session.cancel_reason == "assembly" and session.minutes_delivered == 0
        dose = dosage_today(app)
        assert (dose.sessions_planned, dose.sessions_delivered, dose.sessions_cancelled) == (
            1,
            0,
            1,
        )
        assert dose.cancel_reasons["assembly"] == 1
        assert dose.missed_reasons["cancelled: assembly"] == 1


async def test_validation_errors_inline_and_nothing_saved(open_app, demo_dir) -> None:
    async with opened(open_app, SIZE, open_log) as (app, pilot, screen):
        before = data_files(demo_dir)
        minutes = screen.query_one("#sl-minutes", Input)
        minutes.value = "300"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one(Form).errors == {
            "minutes": "minutes delivered 300 is outside 0–240"
        }
        minutes.value = "30"
        table = screen.query_one(AttendanceTable)
        table.focus()
        await pilot.press("l", "4", "5")
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(screen.query_one("#sl-attendance-error").render())
        assert error == "minutes attended 45 is outside 0–30"
        assert data_files(demo_dir) == before
        # delivered in the future
        date_field = screen.query_one("#sl-date", Input)
        date_field.value = "2026-11-26"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.query_one(Form).errors == {"date": "date 2026-11-26 is in the future"}
        assert app.screen is screen
        assert data_files(demo_dir) == before


async def test_a_past_session_opens_prefilled_and_is_replaced(open_app) -> None:
    async with opened(open_app, SIZE, open_log) as (app, pilot, screen):
        past = app.store.session_on(FLUENCY, date(2026, 11, 24))
        assert past is not None
        screen.query_one("#sl-date", Input).value = "2026-11-24"
        await pilot.pause()
        assert screen.day == date(2026, 11, 24)
        assert screen.query_one("#sl-lesson", Input).value == past.lesson
        assert "saving replaces it" in screen_text(app)
        screen.query_one("#sl-lesson", Input).value = "Story 96b"
        await pilot.press("enter")
        await pilot.pause()
        again = app.store.session_on(FLUENCY, date(2026, 11, 24))
        assert again is not None and again.id == past.id and again.lesson == "Story 96b"
        assert (
            len(app.store.sessions(FLUENCY, since=date(2026, 11, 24), until=date(2026, 11, 24)))
            == 1
        )


async def test_pick_another_group(open_app) -> None:
    async with opened(open_app, SIZE, open_log) as (app, pilot, screen):
        screen.query_one("#sl-group", Select).value = "demo-cico"
        await pilot.pause()
        assert screen.group is not None and screen.group.id == "demo-cico"
        assert "Session log · CICO" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.store.session_on("demo-cico", TODAY) is not None


async def test_unlogged_sessions_are_found_and_logged_in_a_row(open_app, demo_clock) -> None:
    demo_clock.now = datetime(2026, 11, 25, 10, 40)
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        store = app.store
        assert unlogged_sessions(store, TODAY) == []  # the demo logged every past day
        pending = unlogged_sessions(store, TODAY, now=demo_clock())
        assert [(g.name, d) for g, d in pending] == [
            ("CICO", TODAY),
            ("Early Literacy K", TODAY),
            ("Phonics B", TODAY),
            ("Fluency 3", TODAY),
        ]
        # a past meeting without a session counts too
        store.delete_session(store.session_on(FLUENCY, date(2026, 11, 20)).id)
        pending = unlogged_sessions(store, TODAY, now=demo_clock())
        assert (pending[0][0].id, pending[0][1]) == (FLUENCY, date(2026, 11, 20))
        await pilot.pause()
        screen = SessionLogScreen(queue=pending)
        app.push_screen(screen)
        await pilot.pause()
        assert "4 more to log after this" in screen_text(app)
        for _ in pending:
            await pilot.press("enter")
            await pilot.pause()
        assert app.screen is not screen
        assert unlogged_sessions(store, TODAY, now=demo_clock()) == []


# ---------------------------------------------------------------- issue 13: the quick session log
async def test_fidelity_starts_unticked_and_an_untouched_checklist_is_not_recorded(
    open_app, demo_dir
) -> None:
    async with opened(open_app, SIZE, open_log) as (app, pilot, screen):
        assert screen.query_one("#sl-fidelity", SelectionList).selected == []
        assert "Fidelity checklist · not recorded" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen
    app.store.close()
    with Store.open(demo_dir, clock=FakeClock(datetime(2026, 11, 25, 10, 12))) as fresh:
        session = fresh.session_on(FLUENCY, TODAY)
        assert session is not None and session.delivered
        assert session.fidelity_done == [] and session.fidelity_pct is None
        dose = group_dosage(fresh.group(FLUENCY), fresh.calendar(), [session], TODAY, TODAY)
        assert dose.fidelity_avg is None  # not 0 %


async def test_ticking_fidelity_items_with_keys(open_app) -> None:
    async with opened(open_app, SIZE, open_log) as (app, pilot, screen):
        screen.query_one("#sl-fidelity", SelectionList).focus()
        await pilot.press("space", "down", "down", "space")
        await pilot.pause()
        assert "2 of 4 done · 50 %" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        session = app.store.session_on(FLUENCY, TODAY)
        assert session is not None
        assert session.fidelity_done == ["cold read", "timed repeated reading"]
        assert session.fidelity_pct == 50.0


async def test_cancelling_clears_the_minutes(open_app) -> None:
    async with opened(open_app, SIZE, open_log) as (app, pilot, screen):
        minutes = screen.query_one("#sl-minutes", Input)
        assert minutes.value == "30"
        status = screen.query_one("#sl-status", Select)
        status.focus()
        await pilot.press("enter", "down", "enter")  # the first cancel reason
        await pilot.pause()
        assert status.value != "delivered"
        assert minutes.value == "" and minutes.disabled
        assert "Minutes delivered" in screen_text(app)
        status.focus()
        await pilot.press("enter", "up", "enter")  # back to delivered: the planned minutes
        await pilot.pause()
        assert status.value == "delivered" and minutes.value == "30"
        status.focus()
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        session = app.store.session_on(FLUENCY, TODAY)
        assert session is not None and not session.delivered
        assert session.minutes_delivered == 0 and session.attendance == []


async def test_the_session_log_proposes_the_next_lesson(open_app) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        last = app.store.session_on(FLUENCY, date(2026, 11, 24))
        assert last is not None and last.lesson.startswith("Read Naturally story ")
        n = int(last.lesson.rsplit(" ", 1)[1])
        screen = await open_log(app, pilot)
        lesson = screen.query_one("#sl-lesson", Input)
        assert lesson.value == f"Read Naturally story {n + 1}"
        assert f"Last: Read Naturally story {n}, Tue Nov 24" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        saved = app.store.session_on(FLUENCY, TODAY)
        assert saved is not None and saved.lesson == f"Read Naturally story {n + 1}"


async def test_after_the_last_score_the_log_has_the_absences_just_marked(
    open_app, demo_dir
) -> None:
    async with started(open_app, SIZE) as (app, pilot):
        entry = await press_to(pilot, ScoreEntryScreen, "enter")  # Today → Fluency 3's entry
        absent = entry.rows[0].line.student
        await pilot.press("a")  # first student absent
        for value in ("48", "71", "55", "90"):
            await pilot.press(*value, "enter")
        log = await until_shown(pilot, SessionLogScreen, tries=50)
        rows = {r.student.id: r.status for r in log.query_one(AttendanceTable).rows_}
        assert rows[absent.id] == "absent"
        assert sorted(rows.values()) == ["absent"] + ["present"] * 4
        assert log.query_one("#sl-fidelity", SelectionList).selected == []
        assert log.query_one("#sl-minutes", Input).value == "30"
        assert app.focused is log.query_one("#sl-minutes", Input)
        await pilot.press("enter")  # accept
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        assert {r.group.name: r.status for r in app.screen.rows}["Fluency 3"] == "done ✓"
    app.store.close()
    with Store.open(demo_dir, clock=FakeClock(datetime(2026, 11, 25, 10, 12))) as fresh:
        session = fresh.session_on(FLUENCY, TODAY)
        assert session is not None and session.delivered and session.minutes_delivered == 30
        by_id = {a.student_id: a.status for a in session.attendance}
        assert by_id[absent.id] == "absent"
        assert sorted(by_id.values()) == ["absent"] + ["present"] * 4
        assert session.fidelity_pct is None
        assert fresh.score_on(absent.id, "ORF", TODAY) is None
