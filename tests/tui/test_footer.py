"""The footer: the screen's keys on one line, clickable, with tooltips."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tests.tui.screen import screen_lines, started
from tui.widgets.footer import Footer


class KeysScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "add", "Add", tooltip="Add a student"),
        Binding("d", "delete", "Delete", tooltip="Delete the selected student"),
        Binding("x", "secret", "Secret", show=False),
        Binding("u", "undo", "Undo", tooltip="Undo the last change"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.done: list[str] = []
        self.can_undo = False
        self.deleting_allowed = True

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return None if not self.can_undo else True  # shown, but disabled
        if action == "delete":
            return self.deleting_allowed  # hidden when False
        return True

    def action_add(self) -> None:
        self.done.append("add")

    def action_delete(self) -> None:
        self.done.append("delete")

    def action_undo(self) -> None:
        self.done.append("undo")


class KeysApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.bells = 0

    def on_mount(self) -> None:
        self.push_screen(KeysScreen())

    def bell(self) -> None:
        self.bells += 1


async def keys_screen(app: KeysApp, pilot) -> KeysScreen:  # noqa: ANN001
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, KeysScreen)
    return screen


def footer_line(app: App) -> str:
    return screen_lines(app)[-1]


def x_of(app: App, label: str) -> int:
    """The column of ``label`` in the footer (which starts at column 0)."""
    return app.screen.query_one(Footer).render().plain.index(label)


async def test_shows_the_shown_keys_in_order_and_the_palette_on_the_right() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        line = footer_line(app)
        assert line.index("a Add") < line.index("d Delete") < line.index("u Undo")
        assert "Secret" not in line  # show=False
        assert line.rstrip().endswith("^p palette")
        footer = app.screen.query_one(Footer)
        keys, palette = footer.items()
        assert footer.item_at(79) is palette  # drawn up to the right edge
        assert [k.display for k in keys] == ["a", "d", "u"]
        assert [k.enabled for k in keys] == [True, True, False]  # check_action None → disabled
        assert palette is not None and palette.key == "ctrl+p"


async def test_follows_the_screens_bindings_when_they_change() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 10)) as pilot:
        screen = await keys_screen(app, pilot)
        screen.deleting_allowed = False
        screen.refresh_bindings()
        await pilot.pause()
        assert "Delete" not in footer_line(app)
        screen.can_undo = True
        screen.deleting_allowed = True
        screen.refresh_bindings()
        await pilot.pause()
        keys, _ = screen.query_one(Footer).items()
        assert [(k.display, k.enabled) for k in keys] == [("a", True), ("d", True), ("u", True)]


async def test_clicking_a_key_presses_it_and_a_disabled_key_rings_the_bell() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 10)) as pilot:
        screen = await keys_screen(app, pilot)
        await pilot.click(Footer, offset=(x_of(app, "Delete"), 0))
        await pilot.pause()
        assert screen.done == ["delete"]
        await pilot.click(Footer, offset=(x_of(app, "Undo"), 0))
        await pilot.pause()
        assert screen.done == ["delete"]  # disabled: not run
        assert app.bells == 1
        await pilot.click(Footer, offset=(x_of(app, "▏"), 0))  # the separator: no key
        await pilot.pause()
        assert screen.done == ["delete"] and app.screen is screen
        await pilot.click(Footer, offset=(x_of(app, "palette"), 0))
        await pilot.pause()
        assert app.screen is not screen  # the command palette opened


async def test_hovering_a_key_shows_its_tooltip() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        await pilot.hover(Footer, offset=(x_of(app, "Add"), 0))
        await pilot.pause()
        assert footer.tooltip == "Add a student"
        await pilot.hover(Footer, offset=(x_of(app, "Delete"), 0))
        await pilot.pause()
        assert footer.tooltip == "Delete the selected student"
        await pilot.hover(Static)
        await pilot.pause()
        assert footer.tooltip is None
        # the key under the mouse goes away: no stale tooltip
        await pilot.hover(Footer, offset=(x_of(app, "Delete"), 0))
        screen = await keys_screen(app, pilot)
        screen.deleting_allowed = False
        screen.refresh_bindings()
        await pilot.pause()
        assert "Delete" not in footer_line(app)
        assert footer.tooltip is None


async def test_keys_that_do_not_fit_are_left_out_and_the_palette_stays() -> None:
    app = KeysApp()
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        line = footer_line(app)
        assert "a Add" in line
        assert "Undo" not in line  # no room
        assert "U" not in line.split("▏")[0][-3:]  # no half-drawn key
        assert line.rstrip().endswith("^p palette")


async def test_too_narrow_for_the_palette_key_the_keys_get_the_line() -> None:
    app = KeysApp()
    async with app.run_test(size=(12, 6)) as pilot:
        await pilot.pause()
        line = app.screen.query_one(Footer).render().plain
        assert line.startswith(" a Add ") and "palette" not in line


async def test_today_shows_what_enter_does_where_the_focus_is(open_app) -> None:  # noqa: ANN001
    async with started(open_app, (140, 36)) as (app, pilot):
        assert app.screen.focused is not None and app.screen.focused.id == "groups"
        assert "⏎ Scores" in footer_line(app)
        await pilot.press("tab")
        await pilot.pause()
        assert app.screen.focused.id == "students"
        line = footer_line(app)
        assert "⏎ Open" in line and "Scores" not in line
        for key in ("◀ Day", "Day ▶", "t Today", "? Help", "^q Quit", "^p palette"):
            assert key in line


async def test_a_short_terminal_clips_today_instead_of_scrolling_it(open_app) -> None:  # noqa: ANN001
    async with started(open_app, (80, 24)) as (app, pilot):
        assert app.screen.max_scroll_y == 0
        line = footer_line(app)
        assert line.rstrip().endswith("^p palette")  # no scrollbar beside it
        assert "? Help" in line  # help comes early: on a narrow terminal it still shows
