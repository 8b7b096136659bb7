"""The students list adds a long list a screenful first and the rest after each paint
(issue 16): every student ends up in the table once, in order, under columns as wide as
DataTable's own measuring makes them, and the cursor stays on the kept student."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

import tui.screens.students as students_screen
from tests.tui.screen import in_chunks, row_keys
from tui.screens.students import StudentsScreen

SIZE = (120, 40)


async def test_a_long_students_list_is_added_in_chunks(
    open_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with in_chunks(
        open_app, SIZE, monkeypatch, students_screen, (3, 4), lambda _app: StudentsScreen()
    ) as (app, pilot, screen):
        table = screen.query_one("#student-list", DataTable)
        everyone = app.store.students()
        assert len(everyone) > 10
        assert table.row_count == len(screen.shown) == len(everyone)
        assert row_keys(table) == [s.id for s in screen.shown]
        # the widths DataTable finds when it measures every cell itself
        auto = DataTable()
        await screen.mount(auto)
        for column in table.ordered_columns:
            auto.add_column(column.label)
        for i in range(table.row_count):
            auto.add_row(*table.get_row_at(i))
        await pilot.pause()
        assert [c.get_render_width(table) for c in table.ordered_columns] == [
            c.get_render_width(auto) for c in auto.ordered_columns
        ]
        # refilled with the cursor on a student past the first screenful
        last = screen.shown[-1].id
        screen.refresh_list(keep=last)
        assert table.cursor_row == len(screen.shown) - 1
        await screen.loaded()
        assert table.row_count == len(everyone)
        # a search typed while rows are being added: only its rows end up in the table
        screen.refresh_list(keep=screen.shown[0].id)
        assert screen.adding and table.row_count == 3
        screen.query_one("#student-search", Input).value = screen.shown[0].family_name
        await pilot.pause()
        await screen.loaded()
        assert 0 < len(screen.shown) < len(everyone)
        assert table.row_count == len(screen.shown)
