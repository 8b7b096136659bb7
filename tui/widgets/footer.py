"""The keys bar at the bottom of every screen: one widget, not one widget per key."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from store.records import frozen_record


@frozen_record
class FooterItem:
    """One key as the footer shows it."""

    key: str  # what simulate_key presses, e.g. "question_mark"
    display: str  # what the user reads, e.g. "?"
    description: str
    enabled: bool
    tooltip: str


class Footer(Widget, can_focus=False):
    """The screen's active key bindings (those with ``show=True``) on one line, and the command
    palette key on the right — what Textual's Footer shows, with the same theme colours.

    Textual's Footer mounts a widget per key and remounts them all whenever the bindings are
    refreshed; each key is then styled, laid out and painted on its own. On the Today screen
    that was about 50 ms of the start-up (``make bench``). This draws the same line as one
    piece of text. Clicking a key presses it (a disabled key rings the bell); hovering shows
    its tooltip. Keys that don't fit are left out; they stay in ``?`` help and the palette.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "footer--key",
        "footer--description",
        "footer--hover",
        "footer--separator",
    }
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    Footer > .footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    Footer > .footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    Footer > .footer--hover {
        background: $block-hover-background;
    }
    Footer > .footer--separator {
        color: $foreground 20%;
    }
    """

    def __init__(self, *, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_command_palette = show_command_palette
        self._items: tuple[list[FooterItem], FooterItem | None] | None = None
        self._spans: list[tuple[int, int, FooterItem]] = []  # x range of each drawn key
        self._hover: FooterItem | None = None

    # ------------------------------------------------------------------ what to show
    def items(self) -> tuple[list[FooterItem], FooterItem | None]:
        """The keys to show (one per action, in binding order) and the palette key."""
        if self._items is None:
            self._items = self._read_bindings(self.screen)
        return self._items

    def _read_bindings(self, screen: Screen) -> tuple[list[FooterItem], FooterItem | None]:
        app = self.app

        def item(binding: Binding, enabled: bool, tooltip: str) -> FooterItem:
            display = app.get_key_display(binding)
            return FooterItem(binding.key, display, binding.description, enabled, tooltip)

        active = screen.active_bindings
        keys: list[FooterItem] = []
        actions: set[str] = set()
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append(item(binding, enabled, tooltip or binding.description))
        palette = None
        found = active.get(app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE and found is not None:
            _node, binding, enabled, _tooltip = found
            palette = item(binding, enabled, binding.tooltip or binding.description)
        return keys, palette

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        items = self._read_bindings(screen)
        if items != self._items:
            self._items = items
            if self._hover is not None:  # its key may be gone or mean something else now
                self._hover = None
                self.tooltip = None
            self.refresh()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    # ------------------------------------------------------------------ drawing
    def _piece(self, item: FooterItem, key: Style, description: Style, hover: Style) -> Text:
        extra = hover if item is self._hover else Style()
        dim = Style(dim=True) if not item.enabled else Style()
        piece = Text(end="")
        piece.append(f" {item.display} ", style=key + extra + dim)
        if item.description:
            piece.append(f"{item.description} ", style=description + extra + dim)
        return piece

    def render(self) -> Text:
        keys, palette = self.items()
        key_style = self.get_component_rich_style("footer--key")
        description_style = self.get_component_rich_style("footer--description")
        hover_style = self.get_component_rich_style("footer--hover")
        width = self.size.width
        right = Text(end="")
        if palette is not None:
            right.append("▏", style=self.get_component_rich_style("footer--separator"))
            right.append_text(self._piece(palette, key_style, description_style, hover_style))
            if right.cell_len > width:  # too narrow for it: the keys get the whole line
                palette, right = None, Text(end="")
        room = width - right.cell_len
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, FooterItem]] = []
        for item in keys:
            piece = self._piece(item, key_style, description_style, hover_style)
            if line.cell_len + piece.cell_len > room:
                break
            spans.append((line.cell_len, line.cell_len + piece.cell_len, item))
            line.append_text(piece)
        if palette is not None:
            line.append(" " * (room - line.cell_len))
            spans.append((room + 1, width, palette))
            line.append_text(right)
        self._spans = spans
        return line

    # ------------------------------------------------------------------ mouse
    def item_at(self, x: int) -> FooterItem | None:
        """The key drawn at column ``x`` (None between keys)."""
        for start, end, item in self._spans:
            if start <= x < end:
                return item
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self.item_at(event.x)
        if item is not self._hover:
            self._hover = item
            self.tooltip = item.tooltip if item is not None and item.tooltip else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        item = self.item_at(event.x)
        if item is None:
            return
        event.stop()
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
