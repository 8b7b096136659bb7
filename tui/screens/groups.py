"""The group list: add, edit, end a group; ended groups behind a toggle."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from store import schedule
from store.errors import StoreError
from store.model import Group
from tui.keys import bindings
from tui.screens.confirm import ConfirmScreen
from tui.screens.group_form import GroupForm
from tui.screens.list_screen import ListScreen
from tui.widgets.footer import Footer


class GroupsScreen(ListScreen[Group]):
    """Every group with its schedule in words."""

    BINDINGS = bindings("groups")

    TABLE = "group-list"
    COLUMNS = (
        ("Group", "name", 20),
        ("Program · skill", "program", 20),
        ("Tier", "tier", 4),
        ("Schedule", "schedule", 42),
        ("N", "n", 2),
        ("Where", "where", 10),
        ("Status", "status", 6),
    )

    def __init__(self) -> None:
        super().__init__()
        self.show_ended = False

    def item_key(self, item: Group) -> str:
        return item.id

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="groups-bar", classes="manage-bar")
        yield self.list_table()
        yield Footer()

    def refresh_list(self, *, keep: str | None = None) -> None:
        table = self.table
        keep = keep or self.cursor_key()
        self.shown = self.store.groups(include_inactive=self.show_ended)
        table.clear()
        for g in self.shown:
            program = " · ".join(p for p in (g.program, g.skill_focus) if p)
            table.add_row(
                Text(g.name, style="" if g.active else "dim", no_wrap=True, overflow="ellipsis"),
                Text(program, no_wrap=True, overflow="ellipsis"),
                str(g.tier),
                Text(schedule.describe(g), no_wrap=True, overflow="ellipsis"),
                str(len(g.member_ids)),
                Text(g.location, no_wrap=True, overflow="ellipsis"),
                Text("active") if g.active else Text("ended", style="dim italic"),
                key=g.id,
            )
        self.move_cursor_to(keep)
        bar = Text("Groups", style="bold")
        bar.append(f" · {sum(1 for g in self.shown if g.active)} active", style="dim")
        if self.show_ended:
            bar.append(" · ended shown (v hides)", style="dim")
        if not self.shown:
            bar.append(" · none yet — press a to create one", style="dim")
        self.query_one("#groups-bar", Static).update(bar)

    @on(DataTable.RowSelected, "#group-list")
    def _row_selected(self) -> None:
        self.action_edit()

    @staticmethod
    def _saved_words(group: Group) -> str:
        return f"Saved {group.name}: {schedule.describe(group)}"

    def action_add(self) -> None:
        self.app.push_screen(GroupForm(), self.after_form(self._saved_words))

    def action_edit(self) -> None:
        group = self.selected()
        if group is not None:
            self.app.push_screen(GroupForm(group), self.after_form(self._saved_words))

    def action_end(self) -> None:
        group = self.selected()
        if group is None or not group.active:
            return
        today = self.today()

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.store.end_group(group.id, today)
            except StoreError as exc:
                self.notify_error(exc)
                return
            self.notify(f"Ended {group.name} on {today} — its history stays", markup=False)
            self.refresh_list()

        question = (
            f"End {group.name} on {today}? It stops meeting, its members leave it that day, "
            "and its sessions and scores stay in the history."
        )
        self.app.push_screen(ConfirmScreen(question, yes="End group", no="Keep"), answer)

    def action_toggle_ended(self) -> None:
        self.show_ended = not self.show_ended
        self.refresh_list()
