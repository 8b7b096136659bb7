"""The measure catalogue: the built-ins, custom measures to add, and switching a custom one
off (its scores stay)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Header, Static

from store.errors import StoreError
from store.model import Measure, fmt_number
from tui.keys import bindings
from tui.screens.list_screen import ListScreen
from tui.screens.measure_form import MeasureForm
from tui.widgets.footer import Footer


class MeasuresScreen(ListScreen[Measure]):
    """Every measure, built-in and custom."""

    BINDINGS = bindings("measures")

    TABLE = "measure-list"
    COLUMNS = (
        ("Code", "code"),
        ("Name", "name"),
        ("Unit", "unit"),
        ("Range", "range"),
        ("Better", "better"),
        ("Dec.", "decimals"),
        ("Errors", "errors"),
        ("Kind", "kind"),
        ("Status", "status"),
    )

    def item_key(self, item: Measure) -> str:
        return item.code

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(Text("Measures", style="bold"), classes="manage-bar")
        yield self.list_table()
        yield Footer()

    def refresh_list(self, *, keep: str | None = None) -> None:
        table = self.table
        keep = keep or self.cursor_key()
        self.shown = self.store.measures(include_inactive=True)
        table.clear()
        for m in self.shown:
            dim = "" if m.active else "dim"
            table.add_row(
                Text(m.code, style=dim),
                Text(m.name, style=dim),
                Text(m.unit, style=dim),
                f"{fmt_number(m.min)}–{fmt_number(m.max)}",
                "higher" if m.higher_is_better else "lower",
                str(m.decimals),
                "yes" if m.records_errors else "",
                "built-in" if m.builtin else "custom",
                Text("active") if m.active else Text("off", style="dim italic"),
                key=m.code,
            )
        self.move_cursor_to(keep)

    def action_add(self) -> None:
        self.app.push_screen(MeasureForm(), self.after_form(lambda m: f"Added measure {m.code}"))

    def action_toggle_active(self) -> None:
        m = self.selected()
        if m is None:
            return
        if m.builtin:
            self.notify(
                f"{m.code} is built in; only custom measures can be switched off",
                severity="warning",
                markup=False,
            )
            return
        try:
            self.store.update_measure(m.code, active=not m.active)
        except StoreError as exc:
            self.notify_error(exc)
            return
        state = "switched on" if not m.active else "switched off (its scores stay)"
        self.notify(f"{m.code} {state}", markup=False)
        self.refresh_list(keep=m.code)
