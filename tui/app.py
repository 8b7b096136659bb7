"""The Textual application. Its store, clock and config are passed in (tests use a temp folder
and a fixed clock)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.command import Provider
from textual.screen import Screen

from store.db import Store
from tui.config import AppConfig
from tui.keys import bindings
from tui.type_ahead import TypeAhead

if TYPE_CHECKING:
    from tui.views.attention_prefill import Prefill

Clock = Callable[[], datetime]
_frozen = False
#: Every screen's styles but the first screen's (app.tcss): see InterventionApp.push_screen.
SCREENS_CSS = Path(__file__).with_name("screens.tcss")


def _freeze_start_up_objects() -> None:
    """Once per process: the modules, classes and config loaded before the app starts live
    for the whole run, so move them out of the cyclic collector's sight (``gc.freeze``).
    Otherwise start-up triggers a full collection that rescans all of them (~40 ms, before
    the first paint). Later apps in the same process (tests) change nothing."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


def _commands_provider() -> type[Provider]:
    from tui.palette import CommandsProvider

    return CommandsProvider


def _students_provider() -> type[Provider]:
    from tui.palette import StudentsProvider

    return StudentsProvider


class InterventionApp(App[int]):
    """intervene: today's groups, rapid score entry, progress at a glance."""

    #: the palette finds commands by title or description, and students by name (tui.palette)
    COMMANDS = {_commands_provider, _students_provider}
    CSS_PATH = "app.tcss"  # what the welcome and Today screens need; the rest: SCREENS_CSS
    TITLE = "intervene"
    BINDINGS = bindings("app")

    def __init__(
        self,
        store: Store,
        clock: Clock,
        config: AppConfig | None = None,
        *,
        start_date: date | None = None,
        prefill: Prefill | None = None,
    ) -> None:
        """``prefill``: the child ``intervene`` forked to fill Today's attention pane while
        this starts (``tui.views.attention_prefill``); Today takes it once."""
        _freeze_start_up_objects()
        super().__init__()
        self.store = store
        self.clock = clock
        self.config = config or AppConfig()
        self.start_date = start_date
        self.is_demo = self.config.is_demo
        if self.no_color:  # NO_COLOR: a monochrome that keeps every status legible
            from textual.filter import Monochrome

            from tui.monochrome import ReadableMonochrome

            # Textual keeps its line filters in App._filters (no public setter)
            self._filters = [
                ReadableMonochrome() if isinstance(f, Monochrome) else f for f in self._filters
            ]
        if self.is_demo:
            self.sub_title = "DEMO caseload"
        self._screens_css_loaded = False
        self.sync_runner: Any = None  # a tui.syncing.SyncRunner when this folder syncs
        self._prefill = prefill  # until Today takes it
        self._prefill_lock = threading.Lock()
        self._prefill_taken: Prefill | None = None  # closed on exit (a pane still awaited)
        self.type_ahead = TypeAhead(self)  # typed keys, one at a time (tui/type_ahead.py)

    def take_prefill(self, day: date) -> Prefill | None:
        """The start-up child's pane-filler, if it was for ``day``; once (any thread)."""
        with self._prefill_lock:
            prefill, self._prefill = self._prefill, None
            self._prefill_taken = prefill
        if prefill is not None and prefill.day != day:
            prefill.close()
            return None
        return prefill

    async def on_event(self, event: events.Event) -> None:
        """A key or paste the app has just read goes out only once the keys before it have
        done their work on the screen that is up (``tui.type_ahead``): typed ahead of a
        screen change or of a screen's mount, it is neither lost nor run too early."""
        if not isinstance(event, events.Key | events.Paste) or event.is_forwarded:
            await super().on_event(event)
            return
        if not self.type_ahead.admit(event):
            return  # held: it comes back in its turn
        try:
            target = self.focused or self.screen  # where Textual hands it (bar a binding)
        except Exception:  # no screen: Textual's own handling says what happens
            target = None
        try:
            await super().on_event(event)
        finally:
            self.type_ahead.routed(target)

    # ----------------------------------------------------------------- start-up
    def get_default_screen(self) -> Screen:
        """With data, Today is the bottom of the screen stack itself rather than pushed over
        Textual's empty default screen, which would be styled, laid out and resumed for
        nothing before the first paint. (Its styles are all in app.tcss: SCREENS_CSS is not
        loaded for it.)"""
        if self.store.is_empty():
            return super().get_default_screen()
        from tui.screens.today import TodayScreen

        return TodayScreen(self.start_date)

    def on_mount(self) -> None:
        if self.store.is_empty():  # the first screen's styles are in app.tcss: not SCREENS_CSS
            from tui.screens.welcome import WelcomeScreen

            super().push_screen(WelcomeScreen())
        # the daily backup waits until the first screen is up: never on the start-up path
        self.set_timer(2.0, self.make_backup)
        from store.sync.state import is_configured  # one stat; httpx only when it syncs

        if is_configured(self.store.data_dir):
            from tui.syncing import SyncRunner

            self.sync_runner = SyncRunner(self)
            self.sync_runner.start()
        for notice in self.store.notices:  # e.g. an interrupted restore, finished on open
            self.notify(notice, severity="warning", timeout=15, markup=False)
        self.apply_settings(start=True)
        self._catch_exit_signals(True)

    def on_unmount(self) -> None:
        self._catch_exit_signals(False)
        with self._prefill_lock:  # never taken (the welcome screen, a quick quit), or
            left = [self._prefill, self._prefill_taken]  # its pane still awaited: not now
            self._prefill = self._prefill_taken = None
        for prefill in left:
            if prefill is not None:
                prefill.close()

    def _catch_exit_signals(self, on: bool) -> None:
        """SIGTERM and SIGHUP (the terminal window closed) close the app like ctrl+q, minus
        the question nobody could answer: typed keys are handled and every pending save
        reaches the disk before it exits (only kill -9 can cut a save short)."""
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP):
                if on:
                    loop.add_signal_handler(sig, self.exit_on_signal)
                else:
                    loop.remove_signal_handler(sig)

    def exit_on_signal(self) -> None:
        """Finish what every screen holds (its keys, its writer), then exit."""

        async def finish() -> None:
            for screen in reversed(self.screen_stack):
                settle = getattr(screen, "settle_for_exit", None)
                if settle is not None:
                    with contextlib.suppress(Exception):
                        await settle()
            self.type_ahead.open_up()  # keys still arriving go out ahead of the exit
            self.exit()

        # the keys typed before the signal first (the gate holds them: tui/type_ahead.py)
        self.type_ahead.when_idle(lambda: self.call_later(finish))

    @work(thread=True, exclusive=True, group="backup")
    def make_backup(self) -> None:
        """Daily backup off the UI thread (copies or reflinks: never on the start-up path)."""
        try:
            self.store.backup_if_due()
        except Exception as exc:  # a failed backup must not stop the day's work
            self.call_from_thread(
                self.notify, f"Backup failed: {exc}", severity="warning", timeout=8
            )

    def today(self) -> date:
        return self.clock().date()

    # ----------------------------------------------------------------- errors
    def _handle_exception(self, error: Exception) -> None:
        """Never print a traceback with locals (Textual's default shows them: raw file bytes,
        student names). A store or disk error in a worker (a screen's background load) is
        shown and the app goes on; anything else exits with one line for a store or disk
        error, else a traceback without locals."""
        from rich.segment import Segments
        from rich.text import Text
        from rich.traceback import Traceback
        from textual.worker import WorkerFailed

        from store.errors import StoreError, one_line

        cause = error.error if isinstance(error, WorkerFailed) else error
        expected = isinstance(cause, StoreError | OSError | RecursionError)
        if isinstance(error, WorkerFailed) and expected:
            self.notify(one_line(cause), severity="error", timeout=20, markup=False)
            return
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self.bell()
        shown: Text | Traceback = (
            Text(f"intervene: {one_line(cause)}")
            if expected or not isinstance(cause, Exception)
            else Traceback.from_exception(
                type(cause), cause, cause.__traceback__, show_locals=False, width=None
            )
        )
        self._exit_renderables.append(Segments(self.console.render(shown, self.console.options)))
        self._close_messages_no_wait()

    # ----------------------------------------------------------------- quitting
    async def action_quit(self) -> None:
        """Quit without dropping anything: each open screen that holds typed input or pending
        saves (score entry) first handles the keys it already has and waits for its writer;
        if typed text is unsaved it asks, and its answer decides."""
        for screen in reversed(self.screen_stack):
            prepare = getattr(screen, "prepare_to_quit", None)
            if prepare is not None and not await prepare():
                return
        self.exit()

    # ----------------------------------------------------------------- styles
    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.can_read_for(screen):
            return None
        self.load_screens_css()
        return super().push_screen(screen, *args, **kwargs)

    def can_read_for(self, screen: Any) -> bool:
        """A screen about one student (``reads_scores_of``) opens only if that student's
        scores file can be read; else a notice names the damaged file and its backup."""
        student_id = getattr(screen, "reads_scores_of", None)
        if not isinstance(student_id, str):
            return True
        from store.errors import CorruptFileError

        try:
            self.store.scores(student_id)
        except CorruptFileError as exc:
            self.notify(
                str(exc), title="Scores file damaged", severity="error", timeout=20, markup=False
            )
            return False
        return True

    def switch_screen(self, screen: Any) -> Any:
        self.load_screens_css()
        return super().switch_screen(screen)

    def load_screens_css(self) -> None:
        """Add the other screens' styles (SCREENS_CSS) before the first of them opens.

        Start-up parses only app.tcss: Textual checks every rule it knows for every widget it
        styles, so the other screens' rules would slow the first paint (~15 ms) for nothing.
        Adding them later parses just this file (Textual keeps the rest parsed), and none of
        them matches a widget already on screen, so nothing needs restyling."""
        if self._screens_css_loaded:
            return
        self._screens_css_loaded = True
        self.stylesheet.read(SCREENS_CSS)
        self.stylesheet.parse()
        if self.css_monitor is not None:  # textual --dev: reload it on change too
            self.css_monitor.add_paths([SCREENS_CSS])

    # ----------------------------------------------------------------- screens' actions
    def open_conflicts(self) -> None:
        from tui.screens.conflicts import ConflictsScreen

        self.load_screens_css()
        self.push_screen(ConflictsScreen())

    def open_help(self) -> None:
        """The help page (it reads the screens' BINDINGS, so the screens never import it)."""
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def open_today(self) -> None:
        from tui.screens.today import TodayScreen

        self.switch_screen(TodayScreen(self.start_date))

    def load_demo(self) -> None:
        """Build the demo caseload in its own folder and switch the app to it."""
        from store.demo import build_demo_folder

        folder = self.config.demo_dir
        if folder is None:
            self.notify("No demo folder is configured", severity="error", markup=False)
            return
        build_demo_folder(folder, self.start_date or self.today())
        self.store.close()
        self.store = Store.open(folder, clock=self.clock)
        self.is_demo = True
        self.sub_title = "DEMO caseload"
        self.open_today()

    # ----------------------------------------------------------------- settings (issue 19)
    def apply_settings(self, *, start: bool = False) -> None:
        """The settings' keymap, and their school year when it differs from the store's
        calendar (the calendar is the one source of truth; the file's year is an edit to it).
        On start, each refused settings key is shown."""
        from tui.settings_apply import apply_settings

        apply_settings(self, start=start)

    def action_open_settings(self) -> None:
        from tui.screens.settings import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen())

    def open_meeting(self) -> None:
        """Meeting mode: the students who need a decision, one by one."""
        from tui.screens.meeting import MeetingScreen

        self.push_screen(MeetingScreen(self.start_date))

    # ----------------------------------------------------------------- command palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers the current screen's actions first, then Textual's own."""
        palette = getattr(screen, "palette_commands", None)
        if palette is not None:
            yield from palette()
        if self.sync_runner is not None:
            yield SystemCommand(
                "Sync conflicts", "Records entered differently on two machines", self.open_conflicts
            )
        yield SystemCommand(
            "Settings",
            "Your name and school for letters, letters' language (Spanish), decision rule, "
            "school year, keys",
            self.action_open_settings,
        )
        yield SystemCommand(
            "Meeting mode",
            "Data meeting: walk the students who need a decision; save the team's decision",
            self.open_meeting,
        )
        yield from super().get_system_commands(screen)
