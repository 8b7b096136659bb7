"""Returning from a student keeps Today's cursor (issue 19): after a save on the student
screen, Today reads the day again and its students table stays on the same student."""

from __future__ import annotations

from tests.tui.screen import settle
from tui.screens.student import StudentScreen
from tui.widgets.row_table import RowTable


async def test_back_from_a_student_after_a_save_keeps_the_cursor(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        today = await settle(pilot)
        students = today.query_one("#students", RowTable)
        assert len(today.lines) >= 3
        students.focus()
        students.move_cursor(row=2)
        await pilot.pause()
        line = today.lines[2]
        await pilot.press("enter")
        await pilot.pause()
        student = app.screen
        assert isinstance(student, StudentScreen) and student.student_id == line.student.id
        app.store.update_student(line.student.id, notes="reads with a ruler")  # a save there
        student.dismiss(True)
        await settle(pilot, today)
        assert app.screen is today
        assert students.cursor_row == 2
        assert today.lines[students.cursor_row].student.id == line.student.id
        assert app.focused is students
