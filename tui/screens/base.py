"""What every screen of the app stands on: the app's store, config and clock (typed), the
read-only refusal, error notices, undo, and the command palette's commands generated from the
screen's BINDINGS, and ``loaded()``: the one signal that a screen's background work is shown.
(The tables of records: tui/screens/list_screen.py.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, cast

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen

from store.errors import NothingToUndoError, StoreError

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from store.db import Store
    from tui.config import AppConfig

ResultType = TypeVar("ResultType")

READ_ONLY = (
    "Opened read-only (--read-only or another intervene has the folder): nothing can be saved"
)
VIEWER = (
    "This data folder is a read-only copy of the team database (you are a viewer): "
    "nothing can be saved"
)


#: Actions a palette does not offer: moving the cursor (the palette closes over the screen)
#: and the app's own (quit is among Textual's system commands already).
NOT_IN_PALETTE = frozenset({"cursor"})


def palette_words(binding: Binding) -> tuple[str, str]:
    """A binding's palette title and help. A tooltip may lead with its palette title before a
    colon ("Set goal: set or change this measure's goal"); otherwise the title is the
    binding's description (the footer's word) and the help is the whole tooltip."""
    tooltip = binding.tooltip or ""
    lead, colon, rest = tooltip.partition(": ")
    if colon and lead:
        return lead, rest[:1].upper() + rest[1:]
    return binding.description or binding.action, tooltip


def palette_bindings(bindings: Iterable[BindingType]) -> Iterator[Binding]:
    """One binding per action the palette offers, in BINDINGS order."""
    seen: set[str] = set()
    for binding in Binding.make_bindings(bindings):
        name = binding.action.partition("(")[0]
        if binding.action in seen or name in NOT_IN_PALETTE or name.startswith("app."):
            continue
        seen.add(binding.action)
        yield binding


class RunAction:
    """A palette command's callback: run a binding's action on its screen, as its key does."""

    def __init__(self, screen: Screen, action: str) -> None:
        self.screen = screen
        self.action = action

    async def __call__(self) -> None:
        await self.screen.run_action(self.action)


class AppContext(Protocol):
    """What a screen needs from InterventionApp (a protocol: screens never import the app)."""

    store: Store
    config: AppConfig
    is_demo: bool

    def clock(self) -> datetime: ...

    def today(self) -> date: ...

    def open_today(self) -> None: ...

    def open_help(self) -> None: ...

    def load_demo(self) -> None: ...


class AppContextMixin:
    """The app's dependencies and the notices every screen words the same way."""

    #: an undo ran here: it may have changed anyone's records, not only the screen's own
    undid_change: bool = False

    if TYPE_CHECKING:  # Widget.notify, for the type checker (the mixin sits on a Screen)

        def notify(
            self,
            message: str,
            *,
            title: str = "",
            severity: SeverityLevel = "information",
            timeout: float | None = None,
            markup: bool = True,
        ) -> None: ...

    @property
    def context(self) -> AppContext:
        # The mixin sits on a Screen (AppScreen, AppModal) whose app is InterventionApp,
        # which the AppContext protocol describes without importing it.
        return cast(AppContext, cast(Screen, self).app)

    @property
    def store(self) -> Store:
        return self.context.store

    @property
    def config(self) -> AppConfig:
        return self.context.config

    def clock(self) -> datetime:
        """The app's injected clock: now."""
        return self.context.clock()

    def today(self) -> date:
        """The app's date (from its injected clock)."""
        return self.context.clock().date()

    def require_writable(self) -> bool:
        """True when the store can save; else say why not (once, in the same words)."""
        if self.store.view_only:
            self.notify(
                READ_ONLY if self.store.readonly else VIEWER, severity="warning", markup=False
            )
            return False
        return True

    def notify_error(self, message: str | Exception, *, title: str = "") -> None:
        """An error notice. Messages name students and groups: shown as plain text, never
        parsed as markup."""
        self.notify(str(message), title=title, severity="error", markup=False)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette's commands for this screen: one per bound action (title and
        help from the binding, see ``palette_words``), then ``extra_commands``."""
        screen = cast(Screen, self)
        for binding in palette_bindings(screen.BINDINGS):
            title, help_text = palette_words(binding)
            yield SystemCommand(title, help_text, RunAction(screen, binding.action))
        yield from self.extra_commands()

    def extra_commands(self) -> Iterable[SystemCommand]:
        """Palette-only commands (none unless a screen needs some)."""
        return ()

    def ready_for_keys(self) -> bool:
        """Whether keys typed ahead may be handed to this screen now (it is mounted). False
        while a screen it opens by itself is on its way (score entry's session log): the keys
        wait for that screen (tui/type_ahead.py)."""
        return True

    def is_loaded(self) -> bool:
        """Whether what the screen computes in the background is on it (screens that load
        in a worker say when; the default: nothing to wait for beyond the workers)."""
        return True

    async def loaded(self, timeout: float = 30.0) -> None:
        """Wait until the screen's background work is shown: the app's workers are done,
        the messages they posted have been handled, and ``is_loaded()`` holds. Tests await
        this instead of polling the screen."""
        screen = cast(Screen, self)
        deadline = time.monotonic() + timeout
        while True:
            await screen.app.workers.wait_for_complete()
            handled = asyncio.get_running_loop().create_future()
            if not screen.call_later(handled.set_result, None):  # after the workers' messages
                return  # the screen has closed: nothing more will be shown on it
            await asyncio.wait_for(handled, max(0.1, deadline - time.monotonic()))
            if self.is_loaded() and not any(w.is_running for w in screen.app.workers):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{type(self).__name__} did not finish loading")
            await asyncio.sleep(0.01)

    def undo(self) -> str | None:
        """Undo the store's last change. Returns what was undone (the caller shows it and
        refreshes), or None after telling the user why nothing was undone."""
        try:
            undone = self.store.undo_last()
        except NothingToUndoError:
            self.notify("Nothing to undo", severity="warning", markup=False)
        except StoreError as exc:
            self.notify_error(exc)
        else:
            self.undid_change = True
            return undone
        return None


class AppScreen(AppContextMixin, Screen[ResultType], Generic[ResultType]):
    """A full screen of the app."""


class AppModal(AppContextMixin, ModalScreen[ResultType], Generic[ResultType]):
    """A modal (form or question) over a screen of the app."""
