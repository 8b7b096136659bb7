"""Sync conflicts (issue 18): records entered differently on two machines, every version with
who entered it and when; Enter keeps the version under the cursor and removes the others.

The versions are read from the team database on a worker thread (the network never blocks
the screen); resolving is :func:`store.sync.engine.resolve`, then a sync.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from tui.keys import bindings
from tui.screens.base import AppScreen


class ConflictsScreen(AppScreen[None]):
    """Every open conflict, one row per version (the version kept now first)."""

    BINDINGS = bindings("conflicts")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str]] = []  # (record id, revision) per table row

    def compose(self) -> ComposeResult:
        yield Static(Text("Sync conflicts", style="bold"), id="conflicts-title")
        yield Static(Text("Reading the conflicts from the team database…"), id="conflicts-note")
        yield DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#conflicts", DataTable)
        for label in ("Record", "Value", "Entered by", "When", ""):
            table.add_column(label)
        self.action_reload()

    def _note(self, words: str) -> None:
        self.query_one("#conflicts-note", Static).update(Text(words))

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="conflicts")
    def _load(self) -> None:
        from store.errors import StoreError
        from store.sync.engine import conflicts, names_of

        try:
            found: list[Any] = conflicts(self.store.data_dir, names=names_of(self.store))
            error = None
        except StoreError as exc:
            found, error = [], str(exc)
        self.app.call_from_thread(self._show, found, error)

    def _show(self, found: list[Any], error: str | None) -> None:
        table = self.query_one("#conflicts", DataTable)
        table.clear()
        self.rows = []
        for conflict in found:
            for i, version in enumerate(conflict.versions):
                table.add_row(
                    Text(conflict.title if i == 0 else ""),
                    Text(version["label"]),
                    Text(version["by"] or "?"),
                    Text(version["at"] or "?"),
                    Text("shown now" if i == 0 else "other", style="dim"),
                )
                self.rows.append((conflict.doc_id, version["rev"]))
        if error:
            self._note(error)
        elif not found:
            self._note("No conflicts: every record has one version.")
        else:
            self._note(
                f"{len(found)} record(s) were entered differently on two machines. "
                "Enter keeps the version under the cursor and removes the others."
            )

    @on(DataTable.RowSelected, "#conflicts")
    def _row_selected(self) -> None:  # the table takes Enter itself
        self.action_keep()

    def action_keep(self) -> None:
        if not self.require_writable():
            return
        row = self.query_one("#conflicts", DataTable).cursor_row
        if not (0 <= row < len(self.rows)):
            return
        doc_id, rev = self.rows[row]
        self._note(f"Keeping {rev} of {doc_id}…")
        self._resolve(doc_id, rev)

    @work(thread=True, exclusive=True, group="conflicts")
    def _resolve(self, doc_id: str, rev: str) -> None:
        from store.errors import StoreError
        from store.sync.engine import resolve

        try:
            resolve(self.store, doc_id, rev)
            message = f"Kept one version of {doc_id}; the others are removed for the whole team."
        except StoreError as exc:
            message = str(exc)
        self.app.call_from_thread(self.notify, message, markup=False)
        self._load()

    def action_back(self) -> None:
        self.dismiss(None)
