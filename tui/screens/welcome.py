"""The first screen on an empty data folder: load the demo, import a roster, or start empty."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from store.roster import ImportResult
from tui.widgets.footer import Footer

INTRO = (
    "intervene keeps your intervention groups, progress-monitoring scores and session logs "
    "in a private folder on this computer. Nothing is sent anywhere."
)


class WelcomeScreen(Screen[None]):
    """Shown while the store holds no students and no groups."""

    BINDINGS = [
        Binding("d", "demo", "Demo caseload", id="welcome.demo", tooltip="Explore a demo caseload"),
        Binding(
            "i",
            "import_roster",
            "Import roster",
            id="welcome.import",
            tooltip="Import students from a CSV file or a OneRoster folder",
        ),
        Binding("e", "empty", "Start empty", id="welcome.empty", tooltip="Start with no data"),
        Binding("q", "app.quit", "Quit", show=False, id="welcome.quit", tooltip="Quit intervene"),
    ]

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
                Text(f"Your data folder: {self.app.store.data_dir}", style="dim"),  # type: ignore[attr-defined]
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
        self.app.load_demo()  # type: ignore[attr-defined]

    def action_empty(self) -> None:
        self.app.open_today()  # type: ignore[attr-defined]

    def action_import_roster(self) -> None:
        """Open the import screen; after an import, go on to Today."""
        from tui.screens.import_roster import ImportRosterScreen

        self.app.push_screen(ImportRosterScreen(), self._imported)

    def _imported(self, result: ImportResult | None) -> None:
        if result is not None:
            self.app.open_today()  # type: ignore[attr-defined]

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Load the demo caseload", "Explore a demo caseload", self.action_demo)
        yield SystemCommand(
            "Import a roster",
            "Students from a CSV file or a OneRoster folder",
            self.action_import_roster,
        )
        yield SystemCommand("Start empty", "Start with no data", self.action_empty)
