"""The first screen on an empty data folder: load the demo, import a roster, or start empty.

Starting empty or with a roster first asks for the school year's first and last day
(:class:`SchoolYearScreen`): sessions are planned only inside the school year, so an assumed
year would count meetings that never happened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from store.errors import StoreError, ValidationError
from store.model import SchoolCalendar, default_calendar, parse_date
from store.roster import ImportResult
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.widgets.footer import Footer
from tui.widgets.form import Form, school_year_fields

#: Longer than this between the first and last day is taken for a typo.
MAX_YEAR_DAYS = 400

INTRO = (
    "intervene keeps your intervention groups, progress-monitoring scores and session logs "
    "in a private folder on this computer. Nothing is sent anywhere."
)


class WelcomeScreen(AppScreen[None]):
    """Shown while the store holds no students and no groups."""

    BINDINGS = bindings("welcome")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="welcome-box"):
            yield Static(Text("Welcome to intervene", style="bold"), id="welcome-title")
            yield Static(INTRO, id="welcome-intro")
            yield OptionList(
                Option(
                    "Load the demo caseload  (its own folder — your data stays apart)", id="demo"
                ),
                Option("Import a roster  (a CSV file or a OneRoster folder)", id="import"),
                Option("Start empty", id="empty"),
                id="welcome-options",
            )
            yield Static(
                Text(f"Your data folder: {self.store.data_dir}", style="dim"),
                id="welcome-path",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "demo":
            self.action_demo()
        elif event.option.id == "import":
            self.action_import_roster()
        elif event.option.id == "empty":
            self.action_empty()

    def action_demo(self) -> None:
        self.notify("Building the demo caseload…", timeout=3, markup=False)
        self.context.load_demo()

    def action_empty(self) -> None:
        """Ask for the school year, then open Today."""
        self.ask_school_year(self.context.open_today)

    def action_import_roster(self) -> None:
        """Ask for the school year, then open the import screen; after an import, Today."""
        from tui.screens.import_roster import ImportRosterScreen

        self.ask_school_year(lambda: self.app.push_screen(ImportRosterScreen(), self._imported))

    def ask_school_year(self, then: Callable[[], object]) -> None:
        """Push :class:`SchoolYearScreen`; once the year is saved, ``then()``."""

        def answered(calendar: SchoolCalendar | None) -> None:
            if calendar is not None:
                then()

        self.app.push_screen(SchoolYearScreen(), answered)

    def _imported(self, result: ImportResult | None) -> None:
        if result is not None:
            self.context.open_today()


class SchoolYearScreen(AppScreen[SchoolCalendar | None]):
    """The school year's first and last day, asked once on the first start. Enter in the
    first field moves on, Enter in the last saves; Esc goes back and saves nothing."""

    BINDINGS = bindings("school_year")

    def compose(self) -> ComposeResult:
        today: date = self.today()
        example = default_calendar(today)
        current = self.store.calendar()
        known = current != example  # answered before (e.g. then Esc from the import)
        yield Header(show_clock=False)
        with Vertical(id="year-box"):
            yield Static(Text("Your school year", style="bold"), id="year-title")
            yield Static(
                "Groups meet, and sessions are counted, only between the school year's first "
                "and last day. Type both (no-school days can be added later with y).",
                id="year-intro",
            )
            yield Form(
                *school_year_fields(
                    ("year-start", "year-end"),
                    (
                        current.year_start.isoformat() if known else "",
                        current.year_end.isoformat() if known else "",
                    ),
                    (
                        f"YYYY-MM-DD, e.g. {example.year_start.isoformat()}",
                        f"YYYY-MM-DD, e.g. {example.year_end.isoformat()}",
                    ),
                ),
                id="year-form",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#year-start", Input).focus()

    @on(Input.Submitted, "#year-start")
    def _start_submitted(self) -> None:
        form = self.query_one(Form)
        try:
            parse_date(self.query_one("#year-start", Input).value, "first day of school")
        except ValidationError as exc:
            form.show_error(exc)
            return
        form.clear_errors()
        self.query_one("#year-end", Input).focus()

    @on(Input.Submitted, "#year-end")
    def _end_submitted(self) -> None:
        form = self.query_one(Form)
        try:
            calendar = self.school_year()
            saved = self.store.set_calendar(calendar)
        except StoreError as exc:
            form.show_store_error(exc)
            return
        self.notify(f"School year: {saved.year_start} to {saved.year_end}", markup=False)
        self.dismiss(saved)

    def school_year(self) -> SchoolCalendar:
        """The year as typed (no-school days kept); raises ValidationError naming the field."""
        start = parse_date(self.query_one("#year-start", Input).value, "first day of school")
        end = parse_date(self.query_one("#year-end", Input).value, "last day of school")
        if (end - start).days > MAX_YEAR_DAYS:
            raise ValidationError(
                f"last day of school {end} is more than a year after the first day {start}",
                field="year_end",
                value=end,
            )
        return SchoolCalendar(start, end, list(self.store.calendar().no_school)).validated()

    def action_back(self) -> None:
        self.dismiss(None)
