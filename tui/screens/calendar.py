"""The school calendar: the year's first and last day and the no-school days (single days or
ranges, with a label). Groups do not meet on no-school days, so those days leave Today and
planned dosage."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Input, Static

from store.errors import StoreError, ValidationError
from store.model import NoSchool, SchoolCalendar, parse_date, parse_optional_date
from tui.keys import bindings
from tui.screens.list_screen import ListScreen
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField, school_year_fields


def school_days_in(n: NoSchool) -> int:
    """Weekdays a no-school range covers."""
    return sum(
        1 for i in range((n.end - n.start).days + 1) if (n.start + timedelta(days=i)).weekday() < 5
    )


class CalendarScreen(ListScreen[NoSchool]):
    """Edit the school year and its no-school days."""

    BINDINGS = bindings("calendar")

    TABLE = "no-school-list"
    COLUMNS = (("From", "start"), ("To", "end"), ("Days", "days"), ("Label", "label"))

    def __init__(self) -> None:
        super().__init__()
        self.calendar: SchoolCalendar | None = None

    def item_key(self, item: NoSchool) -> str:
        return str(self.shown.index(item))

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(Text("School calendar", style="bold"), classes="manage-bar")
        with Horizontal(id="cal-body"):
            with Vertical(id="cal-left"):
                yield Static(Text("School year", style="bold"), classes="pane-title")
                yield Form(*school_year_fields(("cal-start", "cal-end")), id="cal-year-form")
                yield Static(
                    Text("Add a no-school day or range", style="bold"), classes="pane-title"
                )
                yield Form(
                    FormField(
                        "From",
                        Input(id="ns-start", placeholder="YYYY-MM-DD"),
                        key="start",
                        aliases=("no-school start", "no_school"),
                    ),
                    FormField(
                        "To",
                        Input(id="ns-end", placeholder="blank: a single day"),
                        key="end",
                        aliases=("no-school end",),
                    ),
                    FormField(
                        "Label",
                        Input(id="ns-label", placeholder="e.g. Thanksgiving break"),
                        key="label",
                        aliases=("no-school label",),
                        hint="Enter adds it",
                    ),
                    id="cal-ns-form",
                )
            with Vertical(id="cal-right"):
                yield Static(id="no-school-title", classes="pane-title")
                yield self.list_table()
        yield Footer()

    def first_focus(self) -> Input:
        return self.query_one("#ns-start", Input)

    def refresh_list(self, *, keep: str | None = None) -> None:
        self.load()

    def load(self) -> None:
        cal = self.calendar = self.store.calendar()
        self.shown = list(cal.no_school)
        self.query_one("#cal-start", Input).value = cal.year_start.isoformat()
        self.query_one("#cal-end", Input).value = cal.year_end.isoformat()
        table = self.query_one("#no-school-list", DataTable)
        table.clear()
        for i, n in enumerate(cal.no_school):
            table.add_row(
                f"{n.start:%a} {n.start.isoformat()}",
                f"{n.end:%a} {n.end.isoformat()}" if n.end != n.start else "",
                str(school_days_in(n)),
                Text(n.label),
                key=str(i),
            )
        title = Text("No-school days", style="bold")
        total = sum(school_days_in(n) for n in cal.no_school)
        title.append(f" · {total} school days off · d removes", style="dim")
        self.query_one("#no-school-title", Static).update(title)

    def _save(self, cal: SchoolCalendar, form: Form) -> bool:
        try:
            self.store.set_calendar(cal)
        except StoreError as exc:
            form.show_store_error(exc)
            return False
        form.clear_errors()
        self.load()
        return True

    @on(Input.Submitted, "#cal-start, #cal-end")
    def _year_submitted(self) -> None:
        assert self.calendar is not None
        form = self.query_one("#cal-year-form", Form)
        try:
            start = parse_date(self.query_one("#cal-start", Input).value, "first day of school")
            end = parse_date(self.query_one("#cal-end", Input).value, "last day of school")
        except ValidationError as exc:
            form.show_error(exc)
            return
        if self._save(SchoolCalendar(start, end, list(self.calendar.no_school)), form):
            self.notify(f"School year: {start} to {end}", markup=False)

    @on(Input.Submitted, "#ns-start, #ns-end, #ns-label")
    def _no_school_submitted(self) -> None:
        assert self.calendar is not None
        form = self.query_one("#cal-ns-form", Form)
        try:
            start = parse_date(self.query_one("#ns-start", Input).value, "no-school start")
            end = parse_optional_date(
                self.query_one("#ns-end", Input).value.strip(), "no-school end"
            )
        except ValidationError as exc:
            form.show_error(exc)
            return
        label = self.query_one("#ns-label", Input).value
        cal = self.calendar
        new = NoSchool(start, end or start, label)
        if not (cal.year_start <= start <= cal.year_end):
            form.show_error(
                f"no-school start {start} is outside the school year "
                f"({cal.year_start} to {cal.year_end})",
                "start",
            )
            return
        if self._save(SchoolCalendar(cal.year_start, cal.year_end, [*cal.no_school, new]), form):
            for widget_id in ("#ns-start", "#ns-end", "#ns-label"):
                self.query_one(widget_id, Input).value = ""
            self.query_one("#ns-start", Input).focus()
            self.notify(f"No school {start}{f' to {end}' if end else ''}: {label}", markup=False)

    def action_remove(self) -> None:
        table = self.query_one("#no-school-list", DataTable)
        cal = self.calendar
        if cal is None or not cal.no_school or self.focused is not table:
            return
        i = table.cursor_row
        gone = cal.no_school[i]
        kept = [n for j, n in enumerate(cal.no_school) if j != i]
        if self._save(
            SchoolCalendar(cal.year_start, cal.year_end, kept), self.query_one("#cal-ns-form", Form)
        ):
            self.notify(f"Removed {gone.label or 'no-school day'} ({gone.start})", markup=False)
