"""The management lists (students, measures, groups, no-school days): a table of records whose
cursor stays on the same record when the list is read again, forms that say what they saved,
undo and back."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from textual.widget import Widget
from textual.widgets import DataTable

from tui.screens.base import AppScreen

Item = TypeVar("Item")
#: One column of a list: (label, key), or (label, key, width) for a fixed width.
Column = tuple[str, str] | tuple[str, str, int]


class ListScreen(AppScreen[None], Generic[Item]):
    """A table of records (students, measures, groups, no-school days): ``shown`` holds the
    records in table order; reloading keeps the cursor on the same record."""

    TABLE: ClassVar[str]  # the DataTable's id
    COLUMNS: ClassVar[tuple[Column, ...]]  # its columns, left to right

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[Item] = []

    def list_table(self) -> DataTable:
        """The records' table for compose(): id TABLE, the COLUMNS, a row cursor, zebra rows."""
        table: DataTable = DataTable(id=self.TABLE, cursor_type="row", zebra_stripes=True)
        for label, key, *width in self.COLUMNS:
            table.add_column(label, key=key, width=width[0] if width else None)
        return table

    @property
    def table(self) -> DataTable:
        return self.query_one(f"#{self.TABLE}", DataTable)

    def on_mount(self) -> None:
        self.refresh_list()
        self.first_focus().focus()

    def first_focus(self) -> Widget:
        """What has the keyboard when the list opens: the table (a subclass may say otherwise)."""
        return self.table

    def item_key(self, item: Item) -> str:
        """The record's key in the table (its id or code)."""
        raise NotImplementedError

    def refresh_list(self, *, keep: str | None = None) -> None:
        """Read the records again and fill the table (the cursor stays on ``keep``)."""
        raise NotImplementedError

    def selected(self) -> Item | None:
        """The record under the cursor, if any."""
        row = self.table.cursor_row
        if not self.shown or not (0 <= row < len(self.shown)):
            return None
        return self.shown[row]

    def cursor_key(self) -> str | None:
        """The key of the record under the cursor (kept across a reload)."""
        item = self.selected()
        return None if item is None else self.item_key(item)

    def move_cursor_to(self, keep: str | None) -> None:
        keys = [self.item_key(item) for item in self.shown]
        if keep in keys:
            self.table.move_cursor(row=keys.index(keep))

    def after_form(self, words: Callable[[Item], str]) -> Callable[[Item | None], None]:
        """A form's callback: say what was saved (``words``) and show it under the cursor."""

        def saved(item: Item | None) -> None:
            if item is not None:
                self.notify(words(item), markup=False)
                self.refresh_list(keep=self.item_key(item))

        return saved

    def action_undo(self) -> None:
        message = self.undo()
        if message is not None:
            self.notify(message, markup=False)
        self.refresh_list()

    def action_back(self) -> None:
        self.dismiss(None)
