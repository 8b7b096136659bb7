"""The first screen on an empty data folder: load the demo, import a roster, or start empty."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

INTRO = (
    "intervene keeps your intervention groups, progress-monitoring scores and session logs "
    "in a private folder on this computer. Nothing is sent anywhere."
)


class WelcomeScreen(Screen[None]):
    """Shown while the store holds no students and no groups."""

    BINDINGS = [
        Binding("d", "demo", "Demo caseload", id="welcome.demo", tooltip="Explore a demo caseload"),
        Binding("e", "empty", "Start empty", id="welcome.empty", tooltip="Start with no data"),
        Binding("q", "app.quit", "Quit", id="welcome.quit", tooltip="Quit intervene"),
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
                Option(
                    "Import a roster from CSV  (coming in a later version)",
                    id="import",
                    disabled=True,
                ),
                Option("Start empty", id="empty"),
                id="welcome-options",
            )
            yield Static(
                Text(f"Your data folder: {self.app.store.data_dir}", style="dim"), id="welcome-path"
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "demo":
            self.action_demo()
        elif event.option.id == "empty":
            self.action_empty()

    def action_demo(self) -> None:
        self.notify("Building the demo caseload…", timeout=3)
        self.app.load_demo()  # type: ignore[attr-defined]

    def action_empty(self) -> None:
        self.app.open_today()  # type: ignore[attr-defined]
