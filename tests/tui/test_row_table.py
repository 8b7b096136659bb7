"""RowTable: a header line over rows of text, a row cursor moved by keys and clicks, messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from rich.color import Color as RichColor
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.color import Color
from textual.pilot import Pilot
from textual.widgets import Static

from tests.tui.screen import screen_lines
from tui.widgets.row_table import RowTable

COLUMNS = ("Name", "Gr", "Note")
PEOPLE = [
    (("Ann [/]", "3", "[b]x[/b]"), "ann"),  # markup-like text, shown as it is
    (("Bo", "12", ""), "bo"),
    (("Christopher", "4", "ok"), "chris"),
    (("Di", "5", ""), "di"),
]
LONG = 20  # rows in #long, which is 5 lines high: the header and 4 rows


class TablesApp(App[None]):
    """#people (4 rows, as high as its rows) above #long (20 rows in 5 lines) and a Static."""

    CSS = "#long { height: 5; }"

    def __init__(self, *, people: bool = True, zebra: bool = False) -> None:
        super().__init__()
        self.fill_people = people
        self.zebra = zebra
        self.events: list[tuple[str, str | None, int, str | None]] = []

    def compose(self) -> ComposeResult:
        yield RowTable(id="people", zebra_stripes=self.zebra)
        yield RowTable(id="long")
        yield Static("below", id="below")

    def on_mount(self) -> None:
        people = self.query_one("#people", RowTable)
        for label in COLUMNS:
            people.add_column(label)
        if self.fill_people:
            for (name, grade, note), key in PEOPLE:
                people.add_row(Text(name), grade, note, key=key)
        long = self.query_one("#long", RowTable)
        long.add_column("Row")
        for i in range(LONG):
            long.add_row(f"row {i}", key=f"r{i}")

    def on_row_table_row_highlighted(self, event: RowTable.RowHighlighted) -> None:
        self.events.append(("highlighted", event.table.id, event.cursor_row, event.row_key))

    def on_row_table_row_selected(self, event: RowTable.RowSelected) -> None:
        self.events.append(("selected", event.table.id, event.cursor_row, event.row_key))


def table(app: App, id: str = "people") -> RowTable:  # noqa: A002
    return app.query_one(f"#{id}", RowTable)


def line(t: RowTable, y: int) -> str:
    return t.render_line(y).text


def segment_style(t: RowTable, y: int, segment: int = 0) -> Style:
    """The style of one segment of line ``y`` as drawn."""
    style = list(t.render_line(y))[segment].style
    assert style is not None
    return style


def bg(t: RowTable, y: int, segment: int = 0) -> RichColor | None:
    """The background colour of one segment of line ``y`` as drawn."""
    return segment_style(t, y, segment).bgcolor


@asynccontextmanager
async def running() -> AsyncIterator[tuple[TablesApp, Pilot[None]]]:
    """TablesApp at 50×16, mounted and settled."""
    app = TablesApp()
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        yield app, pilot


@asynccontextmanager
async def on_long() -> AsyncIterator[tuple[TablesApp, Pilot[None], RowTable]]:
    """``running()`` with the keyboard on #long (20 rows in 5 lines): (app, pilot, #long)."""
    async with running() as (app, pilot):
        long = table(app, "long")
        long.focus()
        yield app, pilot, long


async def press(pilot, *keys: str) -> None:  # noqa: ANN001
    await pilot.press(*keys)
    await pilot.pause()


async def scrolled(pilot, t: RowTable, *keys: str) -> int:  # noqa: ANN001
    """Press ``keys`` and let ``t`` scroll (one more paint): its scroll offset, in rows."""
    await press(pilot, *keys)
    await pilot.pause()
    return t.scroll_offset.y


def hl(id: str, row: int, key: str) -> tuple[str, str, int, str]:  # noqa: A002
    return ("highlighted", id, row, key)


# ---------------------------------------------------------------------------- drawing


async def test_header_then_rows_with_columns_as_wide_as_their_widest_cell() -> None:
    async with running() as (app, pilot):
        people = table(app)
        assert people.row_count == 4 and people.column_count == 3
        # widest cells: "Christopher" (11), "Gr"/"12" (2), "[b]x[/b]" (8); a space either side
        cells = [(" Name", "Gr", "Note")] + [row for row, _key in PEOPLE]
        for y, (name, grade, note) in enumerate(cells):
            expected = f" {name.strip():<11}  {grade:<2}  {note:<8} "
            assert line(people, y)[: len(expected)] == expected
        assert line(people, 0).rstrip() == " Name         Gr  Note"
        assert line(people, 1).rstrip() == " Ann [/]      3   [b]x[/b]"
        assert people.virtual_size.width == 11 + 2 + 8 + 2 * 3
        assert people.size.height == 5  # height auto: the header and four rows
        assert people.get_row_at(0)[0].plain == "Ann [/]" and people.row_key_at(2) == "chris"


async def test_str_and_text_cells_are_shown_literally_not_as_markup() -> None:
    async with running() as (app, pilot):
        lines = screen_lines(app)
        assert "Name         Gr  Note" in lines[0]
        assert "Ann [/]      3   [b]x[/b]" in lines[1]  # "[/]" alone would be a markup error


async def test_add_row_with_the_wrong_number_of_cells_raises_and_adds_nothing() -> None:
    async with running() as (app, pilot):
        people = table(app)
        with pytest.raises(ValueError, match="2 cells for 3 columns"):
            people.add_row("Eve", "2", key="eve")
        with pytest.raises(ValueError, match="4 cells for 3 columns"):
            people.add_row("Eve", "2", "", "extra", key="eve")
        await pilot.pause()
        assert people.row_count == 4
        assert line(people, 5).strip() == ""  # no fifth row drawn
        assert people.size.height == 5


# ---------------------------------------------------------------------------- keys


async def test_up_and_down_move_the_cursor_and_clamp_at_both_ends() -> None:
    async with running() as (app, pilot):
        people = table(app)
        assert app.focused is people and people.cursor_row == 0
        await press(pilot, "up")  # already on the first row: nothing
        assert people.cursor_row == 0 and app.events == []
        await press(pilot, "down", "down")
        assert people.cursor_row == 2
        assert app.events == [hl("people", 1, "bo"), hl("people", 2, "chris")]
        await press(pilot, "down", "down", "down")  # one more row, then the end
        assert people.cursor_row == 3
        assert app.events[2:] == [hl("people", 3, "di")]
        await press(pilot, "up")
        assert people.cursor_row == 2 and app.events[3:] == [hl("people", 2, "chris")]


async def test_home_end_and_page_keys_move_the_cursor_and_clamp() -> None:
    async with on_long() as (app, pilot, long):
        await pilot.pause()
        await press(pilot, "home")  # already first: no message
        assert long.cursor_row == 0 and app.events == []
        await press(pilot, "pagedown")  # a page is the 4 rows under the header
        assert long.cursor_row == 4 and app.events == [hl("long", 4, "r4")]
        await press(pilot, "end")
        assert long.cursor_row == LONG - 1 and app.events[-1] == hl("long", 19, "r19")
        app.events.clear()
        await press(pilot, "end", "pagedown", "down")  # clamped at the last row
        assert long.cursor_row == LONG - 1 and app.events == []
        await press(pilot, "pageup")
        assert long.cursor_row == 15 and app.events == [hl("long", 15, "r15")]
        await press(pilot, "pageup", "pageup", "pageup", "pageup")  # 11, 7, 3, then 0
        assert long.cursor_row == 0 and app.events[-1] == hl("long", 0, "r0")
        app.events.clear()
        await press(pilot, "pageup", "up", "home")  # clamped at the first row
        assert long.cursor_row == 0 and app.events == []


async def test_enter_selects_the_cursor_row() -> None:
    async with running() as (app, pilot):
        await press(pilot, "enter")
        assert app.events == [("selected", "people", 0, "ann")]
        await press(pilot, "down", "down", "enter")
        assert app.events[-1] == ("selected", "people", 2, "chris")
        assert table(app).cursor_row == 2  # selecting does not move the cursor


async def test_enter_on_an_empty_table_posts_nothing() -> None:
    app = TablesApp(people=False)
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        people = table(app)
        assert app.focused is people and people.row_count == 0
        await press(pilot, "enter", "down", "end", "pagedown")
        assert app.events == [] and people.cursor_row == 0
        assert line(people, 0).rstrip() == " Name  Gr  Note"  # the header alone


# ---------------------------------------------------------------------------- mouse


async def test_clicking_another_row_moves_the_cursor_without_selecting() -> None:
    async with running() as (app, pilot):
        await pilot.click("#people", offset=(3, 3))  # line 3: the third row
        await pilot.pause()
        assert table(app).cursor_row == 2
        assert app.events == [hl("people", 2, "chris")]


async def test_clicking_the_cursor_row_selects_it() -> None:
    async with running() as (app, pilot):
        await pilot.click("#people", offset=(3, 1))  # the first row, already the cursor's
        await pilot.pause()
        assert app.events == [("selected", "people", 0, "ann")]
        await pilot.click("#people", offset=(3, 4))
        await pilot.click("#people", offset=(20, 4))
        await pilot.pause()
        assert app.events[1:] == [hl("people", 3, "di"), ("selected", "people", 3, "di")]


async def test_clicking_the_header_does_nothing() -> None:
    async with running() as (app, pilot):
        await press(pilot, "down")
        app.events.clear()
        await pilot.click("#people", offset=(3, 0))
        await pilot.pause()
        assert table(app).cursor_row == 1 and app.events == []


async def test_a_click_on_a_scrolled_table_picks_the_row_drawn_there() -> None:
    async with on_long() as (app, pilot, long):
        await press(pilot, "end")
        await pilot.pause()
        app.events.clear()
        await pilot.click(long, offset=(2, 1))  # the top row drawn: row 16
        await pilot.pause()
        assert line(long, 1).strip() == "row 16"
        assert long.cursor_row == 16 and app.events == [hl("long", 16, "r16")]
        await pilot.click(long, offset=(2, 0))  # the header, not the row scrolled under it
        await pilot.pause()
        assert long.cursor_row == 16 and app.events == [hl("long", 16, "r16")]


# ---------------------------------------------------------------------------- scrolling


async def test_moving_to_the_last_row_scrolls_it_into_view_under_a_fixed_header() -> None:
    async with on_long() as (app, pilot, long):
        await pilot.pause()
        assert [line(long, y).strip() for y in range(5)] == ["Row"] + [f"row {i}" for i in range(4)]
        assert await scrolled(pilot, long, "end") == LONG - 4
        assert [line(long, y).strip() for y in range(5)] == ["Row"] + [
            f"row {i}" for i in range(16, 20)
        ]
        assert await scrolled(pilot, long, "home") == 0
        assert line(long, 0).strip() == "Row" and line(long, 1).strip() == "row 0"


async def test_moving_down_a_row_past_the_bottom_scrolls_by_one() -> None:
    async with on_long() as (app, pilot, long):
        # row 3: the last line, no scroll yet
        assert await scrolled(pilot, long, "down", "down", "down") == 0
        assert await scrolled(pilot, long, "down") == 1
        assert line(long, 0).strip() == "Row" and line(long, 4).strip() == "row 4"


# ---------------------------------------------------------------------------- clear


async def test_clear_empties_rows_keeps_columns_and_resets_the_cursor() -> None:
    async with on_long() as (app, pilot, long):
        assert await scrolled(pilot, long, "end") > 0
        long.clear()
        await pilot.pause()
        assert long.row_count == 0 and long.cursor_row == 0 and long.column_count == 1
        assert long.scroll_offset.y == 0
        assert line(long, 0).strip() == "Row" and line(long, 1).strip() == ""
        long.add_row("fresh", key="f")
        await pilot.pause()
        assert long.row_count == 1 and line(long, 1).strip() == "fresh"
        app.events.clear()
        await press(pilot, "enter")
        assert app.events == [("selected", "long", 0, "f")]


async def test_clear_narrows_the_columns_back_to_their_labels() -> None:
    async with running() as (app, pilot):
        people = table(app)
        people.clear()
        people.add_row("Al", "1", "", key="al")
        await pilot.pause()
        assert line(people, 0).rstrip() == " Name  Gr  Note"
        assert line(people, 1).rstrip() == " Al    1"


# ---------------------------------------------------------------------------- styles


async def test_the_cursor_row_looks_different_when_the_table_loses_focus() -> None:
    async with running() as (app, pilot):
        people = table(app)
        assert app.focused is people
        focused = bg(people, 1)
        block_cursor = Color.parse(app.theme_variables["block-cursor-background"])
        assert focused == block_cursor.rich_color  # the theme's cursor, as in a DataTable
        assert focused != bg(people, 2)  # the cursor row stands out from the others
        assert segment_style(people, 1).bold
        table(app, "long").focus()
        await pilot.pause()
        blurred = bg(people, 1)
        assert blurred != focused
        assert blurred != bg(people, 2)  # still marked when blurred
        assert not segment_style(people, 1).bold
        people.focus()
        await pilot.pause()
        assert bg(people, 1) == focused


async def test_the_cursor_row_background_reaches_the_right_edge() -> None:
    async with running() as (app, pilot):
        people = table(app)
        strip = people.render_line(1)
        assert strip.cell_length == people.size.width == 50
        assert bg(people, 1, -1) == bg(people, 1, 0)
        await press(pilot, "down")
        assert bg(people, 2, -1) == bg(people, 2, 0) != bg(people, 1, -1)


async def test_zebra_stripes_shade_even_rows() -> None:
    app = TablesApp(zebra=True)
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        people = table(app)
        table(app, "long").focus()  # the people cursor is on row 0; move it out of the way
        people.move_cursor(row=3)
        await pilot.pause()
        even, odd = bg(people, 1), bg(people, 2)
        assert even != odd
        assert bg(people, 3) == even  # row 2
        assert bg(people, 1, -1) == even  # to the right edge
        people.zebra_stripes = False
        people.refresh()
        await pilot.pause()
        assert bg(people, 1) == bg(people, 3) == odd  # the even rows lose their shade
        assert bg(people, 2) == odd


async def test_without_zebra_stripes_rows_match() -> None:
    app = TablesApp(zebra=False)
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        people = table(app)
        table(app, "long").focus()
        people.move_cursor(row=3)
        await pilot.pause()
        assert bg(people, 1) == bg(people, 2) == bg(people, 3)


async def test_hovering_a_row_highlights_it_until_a_key_moves_the_cursor() -> None:
    async with running() as (app, pilot):
        people = table(app)
        plain = bg(people, 3)
        await pilot.hover("#people", offset=(3, 3))  # the third row
        await pilot.pause()
        hovered = bg(people, 3)
        assert hovered != plain
        assert bg(people, 2) == plain  # only the row under the mouse
        assert people.cursor_row == 0 and app.events == []  # hovering is not moving
        await press(pilot, "down")
        assert people.cursor_row == 1
        assert bg(people, 3) == plain


async def test_the_hover_highlight_goes_when_the_mouse_leaves_or_is_on_the_header() -> None:
    async with running() as (app, pilot):
        people = table(app)
        plain = bg(people, 3)
        await pilot.hover("#people", offset=(3, 3))
        await pilot.pause()
        assert bg(people, 3) != plain
        await pilot.hover("#people", offset=(3, 0))  # the header
        await pilot.pause()
        assert bg(people, 3) == plain
        await pilot.hover("#people", offset=(3, 3))
        await pilot.hover("#below")
        await pilot.pause()
        assert bg(people, 3) == plain


# ---------------------------------------------------------------------------- cell text


class StyledApp(App[None]):
    """One table whose cells carry their own styles, as Today's status column does."""

    def compose(self) -> ComposeResult:
        yield RowTable(id="styled")

    def on_mount(self) -> None:
        styled = self.query_one(RowTable)
        styled.add_column("Status")
        styled.add_column("N")
        styled.add_row(Text("now ●", style="bold reverse"), "5", key="now")
        styled.add_row(Text("cancelled", style="strike"), "4", key="cancelled")
        styled.add_row(Text("below", style="red"), Text("12", justify="right"), key="below")


def styled_runs(t: RowTable, y: int) -> list[tuple[str, Style | None]]:
    return [(s.text, s.style) for s in t.render_line(y) if s.text]


async def test_a_cells_own_style_stops_at_its_text_not_its_column_padding() -> None:
    app = StyledApp()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        styled = app.query_one(RowTable)
        for y, word in ((1, "now ●"), (2, "cancelled")):
            runs = styled_runs(styled, y)
            marked = "".join(
                text for text, style in runs if style and (style.reverse or style.strike)
            )
            assert marked == word  # "now ●" is reversed, not "now ●    " (column is 9 wide)
        assert styled.render_line(3).text.startswith(" below      12 ")  # right-justified cell


async def test_the_cursor_text_colour_wins_over_a_cells_colour() -> None:
    """A red "below" on the blue cursor would be unreadable: the cursor's colour is on top,
    as in DataTable; off the cursor the cell keeps its colour."""
    app = StyledApp()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        styled = app.query_one(RowTable)
        cursor_colour = styled.get_component_rich_style("row-table--cursor").color
        red = Style.parse("red").color
        await press(pilot, "down", "down")  # the cursor on "below"
        below = [style for text, style in styled_runs(styled, 3) if "below" in text]
        assert below and all(style.color == cursor_colour for style in below)
        await press(pilot, "up")
        below = [style for text, style in styled_runs(styled, 3) if "below" in text]
        assert below and below[0].color == red


async def test_tabs_and_line_breaks_in_a_cell_stay_on_one_line() -> None:
    app = TablesApp()
    async with app.run_test(size=(60, 16)) as pilot:
        await pilot.pause()
        people = table(app)
        people.add_row(Text("Eve\tAnn", style="bold"), "2", "two\nlines", key="eve")
        await pilot.pause()
        drawn = people.render_line(5).text
        assert "\t" not in drawn and "\n" not in drawn
        assert drawn.startswith(" Eve     Ann  2   two lines ")  # a tab stop every 8 cells
        assert people.get_row_at(4)[0].cell_len == 11
        assert all(s.style and s.style.bold for s in people.render_line(5) if "Eve" in s.text)


async def test_columns_given_when_made_take_rows_before_the_mount() -> None:
    """Columns passed to the constructor: rows can be added before the table is mounted
    (Today's tables: a load before its on_mount raised "6 cells for 0 columns")."""
    table = RowTable(columns=COLUMNS)
    assert table.column_count == 3
    table.add_row("Ann", "3", "", key="ann")
    assert table.row_count == 1 and table.get_row_at(0)[0].plain == "Ann"
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        table.add_row("Bo", "12")
