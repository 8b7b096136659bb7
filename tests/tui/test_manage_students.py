"""Students screen: search, add / edit with inline validation, archive / restore, move,
delete permanently with a typed confirmation (Pilot tests on the demo caseload)."""

from __future__ import annotations

from datetime import date

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from tests.conftest import data_files
from tests.tui.screen import opened, press_to, push, screen_text
from tui.app import InterventionApp
from tui.screens.student import StudentScreen
from tui.screens.student_form import DeleteStudentScreen, StudentForm
from tui.screens.students import MoveStudentScreen, StudentsScreen
from tui.views.attention import caseload_rows
from tui.views.lines import group_lines
from tui.widgets.form import Form

SIZE = (120, 40)
TODAY = date(2026, 11, 25)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` key by key into the focused widget."""
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


async def open_students(app: InterventionApp, pilot: Pilot) -> StudentsScreen:
    await pilot.pause()
    await app.workers.wait_for_complete()  # the daily backup: before any byte comparison
    return await push(pilot, StudentsScreen())


def form_errors(app: InterventionApp) -> dict[str, str]:
    return app.screen.query_one(Form).errors


async def fill(pilot: Pilot, app: InterventionApp, values: dict[str, str]) -> None:
    for widget_id, value in values.items():
        field = app.screen.query_one(f"#{widget_id}", Input)
        field.value = ""
        field.focus()
        await type_text(pilot, value)


async def test_add_a_student(open_app) -> None:
    async with opened(open_app, SIZE, open_students) as (app, pilot, screen):
        before = len(app.store.students())
        await press_to(pilot, StudentForm, "a")
        await fill(pilot, app, {"sf-given": "Zoe", "sf-family": "Quinn", "sf-grade": "k"})
        await fill(pilot, app, {"sf-sis": "990001", "sf-notes": "new this week"})
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        added = [s for s in app.store.students() if s.sis_id == "990001"]
        assert len(added) == 1 and len(app.store.students()) == before + 1
        assert (added[0].name, added[0].grade, added[0].notes) == (
            "Zoe Quinn",
            "K",
            "new this week",
        )
        assert screen.selected() == added[0], "the cursor lands on the new student"
        assert "Zoe Quinn" in screen_text(app)


async def test_validation_errors_show_inline_and_save_nothing(open_app, demo_dir) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_students(app, pilot)
        taken = app.store.students()[0]
        before = data_files(demo_dir)
        await pilot.press("a")
        await pilot.pause()
        await fill(pilot, app, {"sf-given": "Zoe", "sf-grade": "13"})
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StudentForm), "the form stays open"
        errors = form_errors(app)
        assert errors == {"grade": "grade '13' is not a school grade (allowed: K, 1–12)"}
        assert "is not a school grade" in screen_text(app)
        assert app.focused is app.screen.query_one("#sf-grade")
        # fix the grade; a taken SIS identifier is the next error, next to its own field
        await fill(pilot, app, {"sf-grade": "3", "sf-sis": taken.sis_id})
        await pilot.press("enter")
        await pilot.pause()
        assert form_errors(app) == {
            "sis_id": f"SIS identifier {taken.sis_id!r} already belongs to {taken.name}"
        }
        # a missing given name
        await fill(pilot, app, {"sf-given": "", "sf-sis": ""})
        await pilot.press("enter")
        await pilot.pause()
        assert form_errors(app) == {"given_name": "given name is required"}
        assert data_files(demo_dir) == before, "nothing saved on error"
        await press_to(pilot, StudentsScreen, "escape")
        assert data_files(demo_dir) == before


async def test_edit_a_student(open_app, demo_dir) -> None:
    async with opened(open_app, SIZE, open_students) as (app, pilot, screen):
        student = screen.selected()
        assert student is not None
        await press_to(pilot, StudentForm, "e")
        assert app.screen.query_one("#sf-given", Input).value == student.given_name
        before = data_files(demo_dir)
        await fill(pilot, app, {"sf-grade": "X"})
        await pilot.press("enter")
        await pilot.pause()
        assert "grade" in form_errors(app)
        assert data_files(demo_dir) == before
        await fill(pilot, app, {"sf-grade": "5", "sf-notes": "reads below grade level"})
        await pilot.press("enter")
        await pilot.pause()
        saved = app.store.student(student.id)
        assert (saved.grade, saved.notes) == ("5", "reads below grade level")


async def test_enter_opens_the_student_screen(open_app) -> None:
    from tui.screens.student import StudentScreen

    async with opened(open_app, SIZE, open_students) as (app, pilot, screen):
        await pilot.press("down")
        student = screen.selected()
        assert student is not None
        await press_to(pilot, StudentScreen, "enter")
        assert app.screen.student_id == student.id
        assert student.name in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.selected() == student


async def test_markup_in_names_is_shown_literally(open_app) -> None:
    async with opened(open_app, SIZE, open_students) as (app, pilot, screen):
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#sf-given", Input).value = "Ann [/]"
        app.screen.query_one("#sf-family", Input).value = "[bold]Lee"
        app.screen.query_one("#sf-grade", Input).value = "2"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        text = screen_text(app)
        assert "Ann [/] [bold]Lee" in text
        # edit, archive and the delete confirmation also show it literally
        await pilot.press("e")
        await pilot.pause()
        assert "Edit Ann [/] [bold]Lee" in screen_text(app)
        await pilot.press("escape", "D")
        await pilot.pause()
        assert "Delete Ann [/] [bold]Lee permanently?" in screen_text(app)
        await pilot.press("escape", "x")
        await pilot.pause()
        # undo's message names the student: shown literally, not parsed as markup
        await pilot.press("ctrl+z")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("Ann [/] [bold]Lee" in m and m.startswith("Undid") for m in messages)
        # and from the student screen too
        from tui.screens.student import StudentScreen

        ann = next(st for st in app.store.students() if st.given_name == "Ann [/]")
        app.store.add_phase_change(ann.id, "ORF", app.today(), "smaller group")
        await app.push_screen(StudentScreen(ann.id, app.today(), "ORF"))
        await pilot.pause()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.store.phase_changes(ann.id) == []
        messages = [n.message for n in app._notifications]
        assert any("Ann [/] [bold]Lee" in m and "smaller group" in m for m in messages)


async def test_search_as_you_type(open_app) -> None:
    async with opened(open_app, SIZE, open_students) as (app, pilot, screen):
        everyone = app.store.students()
        target = everyone[3]
        await pilot.press("slash")
        await type_text(pilot, target.family_name[:3].lower())
        await pilot.pause()
        assert target in screen.shown
        assert all(target.family_name[:3].lower() in s.name.lower() for s in screen.shown)
        assert len(screen.shown) < len(everyone)
        await type_text(pilot, "zzzz")
        await pilot.pause()
        assert screen.shown == []
        # the SIS identifier finds a student too
        search = screen.query_one("#student-search", Input)
        search.value = target.sis_id or ""
        await pilot.pause()
        assert screen.shown == [target]
        await pilot.press("enter")  # Enter in the search opens the first match (issue 19)
        await pilot.pause()
        assert isinstance(app.screen, StudentScreen) and app.screen.student_id == target.id
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert app.focused is screen.query_one("#student-list", DataTable)
        await pilot.press("escape")  # clears the search first
        await pilot.pause()
        assert search.value == "" and len(screen.shown) == len(everyone)
        assert isinstance(app.screen, StudentsScreen)


async def test_archive_keeps_history_hides_and_restores(open_app, demo_dir) -> None:
    async with opened(open_app, SIZE, open_students) as (app, pilot, screen):
        store = app.store
        group = next(g for g in store.groups() if g.measures and g.member_ids)
        student = store.student(group.member_ids[0])
        scores_before = store.scores(student.id)
        assert scores_before
        table = screen.query_one("#student-list", DataTable)
        table.move_cursor(row=[s.id for s in screen.shown].index(student.id))
        await pilot.press("x")
        await pilot.pause()
        # records kept
        assert not store.student(student.id).active
        assert store.scores(student.id) == scores_before
        # hidden: the list, Today's group, the caseload
        assert student not in screen.shown
        assert student.name not in screen_text(app)
        group_now = store.group(group.id)
        assert student.id not in group_now.member_ids
        assert student.id not in {
            ln.student.id for ln in group_lines(store, group_now, TODAY, app.config)
        }
        assert student.id not in {s.id for s in store.students()}
        rows = caseload_rows(store, TODAY, app.config)
        assert rows and all(r.student.id != student.id for r in rows)
        # ...but still in the group's history for dosage (membership ended today)
        assert student.id in group_now.members_on(TODAY - (TODAY - group.start_date))
        # shown with the toggle, and restorable
        await pilot.press("v")
        await pilot.pause()
        assert student.id in [s.id for s in screen.shown]
        assert "archived" in screen_text(app)
        table.move_cursor(row=[s.id for s in screen.shown].index(student.id))
        await pilot.press("x")
        await pilot.pause()
        assert store.student(student.id).active
        assert store.scores(student.id) == scores_before


async def test_delete_permanently_needs_the_typed_name_and_can_be_undone(
    open_app, demo_dir
) -> None:
    async with opened(open_app, SIZE, open_students) as (app, pilot, screen):
        store = app.store
        student = screen.selected()
        assert student is not None and store.scores(student.id)
        before = data_files(demo_dir)
        await press_to(pilot, DeleteStudentScreen, "D")
        text = screen_text(app)
        assert "scores" in text and "archive them instead" in text
        await type_text(pilot, student.given_name)
        await press_to(pilot, DeleteStudentScreen, "enter")
        assert "nothing was deleted" in screen_text(app)
        assert data_files(demo_dir) == before
        await pilot.press("escape")
        await pilot.pause()
        assert data_files(demo_dir) == before
        await pilot.press("D")
        await pilot.pause()
        await type_text(pilot, student.name.upper())
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert student.id not in {s.id for s in store.students(include_archived=True)}
        assert store.scores(student.id) == []
        assert all(student.id not in {m.student_id for m in g.memberships} for g in store.groups())
        assert all(s.attendance_of(student.id) is None for s in store.sessions())
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert store.student(student.id).name == student.name
        assert store.scores(student.id)
        assert any(s.attendance_of(student.id) for s in store.sessions())


async def test_move_a_student_between_groups_records_the_date(open_app, demo_dir) -> None:
    async with opened(open_app, SIZE, open_students) as (app, pilot, screen):
        store = app.store
        source = next(g for g in store.groups() if g.member_ids)
        target = next(g for g in store.groups() if g.id != source.id)
        student = store.student(source.member_ids[0])
        table = screen.query_one("#student-list", DataTable)
        table.move_cursor(row=[s.id for s in screen.shown].index(student.id))
        await press_to(pilot, MoveStudentScreen, "m")
        before = data_files(demo_dir)
        # no target chosen yet: an inline error, nothing saved
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert form_errors(app) == {"to_group": "choose the group to move to"}
        app.screen.query_one("#move-to").value = target.id
        date_field = app.screen.query_one("#move-on", Input)
        date_field.value = "2026-11-31"
        date_field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "on" in form_errors(app)
        assert data_files(demo_dir) == before
        date_field.value = "2026-11-23"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        src, dst = store.group(source.id), store.group(target.id)
        left = [m for m in src.memberships if m.student_id == student.id]
        joined = [m for m in dst.memberships if m.student_id == student.id]
        assert left[-1].end == date(2026, 11, 23)
        assert joined[-1].start == date(2026, 11, 23) and joined[-1].end is None
        assert student.id in src.members_on(date(2026, 11, 20))
        assert student.id not in src.members_on(date(2026, 11, 24))
