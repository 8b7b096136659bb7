"""The Textual application. Its store, clock and config are passed in (tests use a temp folder
and a fixed clock)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from datetime import date, datetime

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from store.db import Store
from tui.config import AppConfig

Clock = Callable[[], datetime]
_frozen = False


def _freeze_start_up_objects() -> None:
    """Once per process: the modules, classes and config loaded before the app starts live
    for the whole run, so move them out of the cyclic collector's sight (``gc.freeze``).
    Otherwise start-up triggers a full collection that rescans all of them (~40 ms, before
    the first paint). Later apps in the same process (tests) change nothing."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


class InterventionApp(App[int]):
    """intervene: today's groups, rapid score entry, progress at a glance."""

    CSS_PATH = "app.tcss"
    TITLE = "intervene"
    BINDINGS = [
        Binding(
            "ctrl+q", "quit", "Quit", id="app.quit", tooltip="Quit (every save is already on disk)"
        ),
    ]

    def __init__(
        self,
        store: Store,
        clock: Clock,
        config: AppConfig | None = None,
        *,
        start_date: date | None = None,
    ) -> None:
        _freeze_start_up_objects()
        super().__init__()
        self.store = store
        self.clock = clock
        self.config = config or AppConfig()
        self.start_date = start_date
        self.is_demo = self.config.is_demo
        if self.is_demo:
            self.sub_title = "DEMO caseload"

    # ----------------------------------------------------------------- start-up
    def on_mount(self) -> None:
        if self.store.is_empty():
            from tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen())
        else:
            from tui.screens.today import TodayScreen

            self.push_screen(TodayScreen(self.start_date))
        # the daily backup waits until the first screen is up: never on the start-up path
        self.set_timer(2.0, self.make_backup)

    @work(thread=True, exclusive=True, group="backup")
    def make_backup(self) -> None:
        """Daily backup off the UI thread (hard links: cheap, but never on the start-up path)."""
        try:
            self.store.backup_if_due()
        except Exception as exc:  # a failed backup must not stop the day's work
            self.call_from_thread(
                self.notify, f"Backup failed: {exc}", severity="warning", timeout=8
            )

    def today(self) -> date:
        return self.clock().date()

    # ----------------------------------------------------------------- welcome actions
    def open_today(self) -> None:
        from tui.screens.today import TodayScreen

        self.switch_screen(TodayScreen(self.start_date))

    def load_demo(self) -> None:
        """Build the demo caseload in its own folder and switch the app to it."""
        from tui.cli import build_demo_folder

        folder = self.config.demo_dir
        if folder is None:
            self.notify("No demo folder is configured", severity="error")
            return
        build_demo_folder(folder, self.start_date or self.today())
        self.store.close()
        self.store = Store.open(folder, clock=self.clock)
        self.is_demo = True
        self.sub_title = "DEMO caseload"
        self.open_today()

    # ----------------------------------------------------------------- command palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers the current screen's actions first, then Textual's own."""
        palette = getattr(screen, "palette_commands", None)
        if palette is not None:
            yield from palette()
        yield from super().get_system_commands(screen)
