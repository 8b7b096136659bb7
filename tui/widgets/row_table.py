"""A table of text rows with a row cursor, drawn a line at a time (the Today screen's lists)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.keys import bindings

HEADER = -1  # the row index of the header line
LINE_CACHE = 256  # rendered lines kept (hover, focus and widths make new ones)


def _one_line(cell: str | Text) -> Text:
    """A cell as one line: a ``str`` is plain text (never markup), line breaks become spaces
    and tabs are expanded (names may hold either; a raw one would move the terminal's cursor).
    A ``Text`` that is one line already is kept as given (never changed: the table only reads
    its cells); one that is not is copied first."""
    text = cell if isinstance(cell, Text) else Text(cell)
    plain = text.plain
    if "\n" in plain or "\r" in plain or "\t" in plain:
        text = text.copy()
        if "\n" in plain or "\r" in plain:
            text.plain = plain.replace("\r", " ").replace("\n", " ")  # same length: spans stay
        if "\t" in plain:
            text.expand_tabs()
    return text


class RowMessage(Message):
    """About one row of a RowTable: the table, the row's index and its key."""

    def __init__(self, table: RowTable, cursor_row: int, row_key: str | None) -> None:
        super().__init__()
        self.table = table
        self.cursor_row = cursor_row
        self.row_key = row_key

    @property
    def control(self) -> RowTable:
        return self.table


class RowTable(ScrollView, can_focus=True):
    """Rows of ``Text`` cells under a header line, with one row under the cursor.

    What the Today screen needs from Textual's ``DataTable``, with the same look (theme
    colours, zebra stripes, hover, the cursor dimmed when unfocused) and the same messages
    (``RowHighlighted`` when the cursor moves to another row, ``RowSelected`` on Enter or a
    click on the cursor row). DataTable renders every cell through Rich on its own and styles
    eleven component classes; this renders each line as one ``Text``. On the Today screen's
    two lists that was about a quarter of the work before the first paint (``make bench``).

    Cells are ``Text`` (a ``str`` is taken as plain text, never markup); columns are as wide
    as their widest cell. Keys: ↑/↓ move, PgUp/PgDn a page, Home/End the first/last row,
    Enter selects.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "row-table--header",
        "row-table--cursor",
        "row-table--even-row",
        "row-table--hover",
    }
    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .row-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .row-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark {
            & > .row-table--even-row {
                background: $surface-darken-1 40%;
            }
        }
        & > .row-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .row-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .row-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .row-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .row-table--hover {
            background: $block-hover-background;
        }
    }
    """

    BINDINGS = bindings("row_table")

    class RowHighlighted(RowMessage):
        """The cursor moved to another row."""

    class RowSelected(RowMessage):
        """Enter on the cursor row, or a click on it."""

    def __init__(
        self,
        *,
        columns: Iterable[str | Text] = (),
        zebra_stripes: bool = False,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name for it
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.zebra_stripes = zebra_stripes
        self.cursor_row = 0
        self._labels: list[Text] = []
        self._widths: list[int] = []
        self._rows: list[tuple[Text, ...]] = []
        self._row_keys: list[str | None] = []
        self._hover_row: int | None = None
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(LINE_CACHE)
        for label in columns:  # known when it is made: rows can be added before its mount
            text = _one_line(label)
            self._labels.append(text)
            self._widths.append(text.cell_len)

    # ------------------------------------------------------------------ data
    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def column_count(self) -> int:
        return len(self._labels)

    def add_column(self, label: str | Text) -> None:
        """Add a column on the right, as wide as its label until a wider cell comes."""
        text = _one_line(label)
        self._labels.append(text)
        self._widths.append(text.cell_len)
        self._changed()

    def add_row(self, *cells: str | Text, key: str | None = None) -> None:
        """Add a row at the bottom; one cell per column."""
        if len(cells) != len(self._labels):
            raise ValueError(f"{len(cells)} cells for {len(self._labels)} columns")
        row = tuple(_one_line(c) for c in cells)
        self._rows.append(row)
        self._row_keys.append(key)
        self._widths = [max(w, c.cell_len) for w, c in zip(self._widths, row, strict=True)]
        self._changed()

    def get_row_at(self, index: int) -> list[Text]:
        """The cells of row ``index`` (IndexError outside the table)."""
        return list(self._rows[index])

    def row_key_at(self, index: int) -> str | None:
        return self._row_keys[index]

    def clear(self) -> None:
        """Remove every row (the columns stay); the cursor goes back to the first row."""
        self._rows.clear()
        self._row_keys.clear()
        self._widths = [label.cell_len for label in self._labels]
        self.cursor_row = 0
        self._hover_row = None
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._changed()

    def _changed(self) -> None:
        self._lines.clear()
        width = sum(self._widths) + 2 * len(self._widths)  # a space either side of a cell
        size = Size(width, 1 + len(self._rows))
        if size != self.virtual_size:
            self.virtual_size = size  # a reactive with layout=True: it refreshes the layout
        else:
            self.refresh(layout=True)

    # ------------------------------------------------------------------ cursor
    def move_cursor(self, *, row: int) -> None:
        """Put the cursor on ``row`` (kept inside the table) and scroll it into view."""
        if not self._rows:
            self.cursor_row = 0
            return
        row = max(0, min(row, len(self._rows) - 1))
        if row != self.cursor_row:
            self.cursor_row = row
            self.refresh()
            self.post_message(self.RowHighlighted(self, row, self._row_keys[row]))
        self.call_after_refresh(self._scroll_cursor_into_view)

    def _scroll_cursor_into_view(self) -> None:
        if not self._rows:
            return
        region = Region(int(self.scroll_x), 1 + self.cursor_row, max(1, self.size.width), 1)
        self.scroll_to_region(region, spacing=Spacing(top=1), animate=False, force=True)

    def action_cursor(self, step: int) -> None:
        self._set_hover(None)
        self.move_cursor(row=self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self._set_hover(None)
        page = max(1, self.scrollable_content_region.height - 1)  # less the header line
        self.move_cursor(row=self.cursor_row + step * page)

    def action_first(self) -> None:
        self._set_hover(None)
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self._set_hover(None)
        self.move_cursor(row=len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        if self._rows:
            row = self.cursor_row
            self.post_message(self.RowSelected(self, row, self._row_keys[row]))

    # ------------------------------------------------------------------ mouse
    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return None
        index = offset.y - 1 + self.scroll_offset.y
        return index if 0 <= index < len(self._rows) else None

    def _set_hover(self, row: int | None) -> None:
        if row != self._hover_row:
            self._hover_row = row
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._row_at(event))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event)
        if row is None:
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row=row)

    # ------------------------------------------------------------------ drawing
    def notify_style_update(self) -> None:
        self._lines.clear()
        super().notify_style_update()

    def _row_style(self, index: int) -> Style:
        if index == HEADER:
            return self.get_component_rich_style("row-table--header")
        style = Style()
        if self.zebra_stripes and index % 2 == 0:
            style += self.get_component_rich_style("row-table--even-row")
        if index == self._hover_row:
            style += self.get_component_rich_style("row-table--hover")
        if index == self.cursor_row:
            style += self.get_component_rich_style("row-table--cursor")
        return style

    def _cursor_color(self) -> Color | None:
        return self.get_component_rich_style("row-table--cursor").color

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        index = HEADER if y == 0 else y - 1 + scroll_y
        if index >= len(self._rows):
            return Strip.blank(width, base)
        style = self._row_style(index)
        key = (index, style, base, scroll_x, width)
        strip = self._lines.get(key)
        if strip is None:
            cells = self._labels if index == HEADER else self._rows[index]
            line = Text(no_wrap=True, end="")
            for cell, cell_width in zip(cells, self._widths, strict=True):
                # the padding is the row's, so a cell's reverse or strike stops at its text
                pad = cell_width - cell.cell_len
                left = (
                    pad if cell.justify == "right" else pad // 2 if cell.justify == "center" else 0
                )
                line.append(" " * (1 + left))
                line.append_text(cell)
                line.append(" " * (pad - left + 1))
            if line.cell_len < scroll_x + width:  # the row's colours reach the right edge
                line.append(" " * (scroll_x + width - line.cell_len))
            # Text.render leaves out the text's own style: the row's goes under every cell's
            segments = line.render(self.app.console)
            strip = Strip(segments, line.cell_len).apply_style(base + style)
            if index == self.cursor_row and (color := self._cursor_color()) is not None:
                # the cursor's text colour wins, as in DataTable: a red "below" on the blue
                # cursor would be unreadable
                strip = Strip(
                    Segment.apply_style(strip, post_style=Style(color=color)), strip.cell_length
                )
            strip = strip.crop_extend(scroll_x, scroll_x + width, base)
            self._lines.set(key, strip)
        return strip
