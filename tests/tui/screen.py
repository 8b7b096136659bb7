"""Read what a user sees: the app's screen as plain text lines (from Textual's SVG export)."""

from __future__ import annotations

import asyncio
import html
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any, TypeVar

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable

_TEXT = re.compile(
    r'<text class="[^"]*-r\d+" x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>([^<]*)</text>'
)
S = TypeVar("S", bound=Screen)
CELL = 12.2  # width of one terminal cell in Textual's SVG export


def screen_lines(app: App) -> list[str]:
    """Each terminal row as text (cells placed by their x position)."""
    svg = app.export_screenshot()
    rows: dict[float, dict[int, str]] = defaultdict(dict)
    for x, y, _length, text in _TEXT.findall(svg):
        col = round(float(x) / CELL)
        chars = html.unescape(text).replace("\xa0", " ")
        for i, ch in enumerate(chars):
            rows[float(y)][col + i] = ch
    out = []
    for y in sorted(rows):
        cells = rows[y]
        width = max(cells) + 1
        out.append("".join(cells.get(i, " ") for i in range(width)).rstrip())
    return out


def screen_text(app: App) -> str:
    return "\n".join(screen_lines(app))


async def typed_out(pilot: Pilot, timeout: float = 30.0) -> None:
    """Until every key typed ahead has been handed out and done its work (the app's
    type-ahead gate is idle: ``tui.type_ahead.TypeAhead.when_idle``), however slow the
    machine: a burst goes out one key at a time."""
    gate = getattr(pilot.app, "type_ahead", None)
    if gate is None:
        return
    idle = asyncio.get_running_loop().create_future()
    gate.when_idle(lambda: idle.done() or idle.set_result(None))
    await asyncio.wait_for(idle, timeout)


async def settle(pilot: Pilot, screen: Screen | None = None) -> Screen:
    """The one wait of the TUI tests: until the keys typed ahead are all out (``typed_out``)
    and ``screen`` (by default the current one) shows what it loads in the background —
    ``AppScreen.loaded()``: workers done, their messages handled, score entry's saves
    answered — and has repainted. Returns the screen."""
    await pilot.pause()
    await typed_out(pilot)
    screen = screen or pilot.app.screen
    loaded = getattr(screen, "loaded", None)
    if loaded is not None:
        await loaded()
    else:  # a plain Textual screen (help, a question): its workers, if any
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def pause_until(pilot: Pilot, done: Callable[[App], bool], tries: int = 100) -> None:
    """Pause in short steps until ``done(app)`` is true (at most ``tries`` steps of 20 ms): for
    waits on the app itself — quitting, leaving a screen — that no ``loaded()`` covers."""
    for _ in range(tries):
        await pilot.pause(0.02)
        if done(pilot.app):
            return


async def until_shown(pilot: Pilot, cls: type[S], tries: int = 100) -> S:
    """Pause (as ``pause_until``) until a ``cls`` screen is on top and return it, checked by
    type: for a screen the app opens by itself (after a save), not straight from a key."""
    await pause_until(pilot, lambda app: isinstance(app.screen, cls), tries)
    screen = pilot.app.screen
    assert isinstance(screen, cls), f"{screen!r} is shown, not a {cls.__name__}"
    return screen


async def push(pilot: Pilot, screen: S) -> S:
    """Push ``screen`` once the app has started and return it, shown (on top)."""
    await pilot.pause()
    await pilot.app.push_screen(screen)
    await pilot.pause()
    assert pilot.app.screen is screen
    return screen


async def press_to(pilot: Pilot, cls: type[S], *keys: str) -> S:
    """Press ``keys`` and return the screen they open, checked to be a ``cls``."""
    await pilot.press(*keys)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, cls), f"{keys} opened {screen!r}, not a {cls.__name__}"
    return screen


@asynccontextmanager
async def opened(
    open_app: Callable[[], App],
    size: tuple[int, int],
    open_screen: Callable[[Any, Pilot], Awaitable[S]],
) -> AsyncIterator[tuple[Any, Pilot, S]]:
    """A fresh app from ``open_app()`` running at ``size`` with ``open_screen(app, pilot)``
    done: (app, pilot, the screen it returned) — the opening lines of most screen tests."""
    app = open_app()
    async with app.run_test(size=size) as pilot:
        yield app, pilot, await open_screen(app, pilot)


def row_keys(table: DataTable) -> list[str | None]:
    """Each row's key, top to bottom: the order the table shows its rows in."""
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


@asynccontextmanager
async def in_chunks(
    open_app: Callable[[], App],
    size: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
    module: ModuleType,
    first_and_more: tuple[int, int],
    make: Callable[[Any], S],
) -> AsyncIterator[tuple[Any, Pilot, S]]:
    """A fresh app running at ``size`` with the screen ``make(app)`` pushed and loaded, its
    list added ``first`` rows at once and ``more`` after each paint (``module``'s FIRST_ROWS
    and MORE_ROWS, set for the test): (app, pilot, screen)."""
    first, more = first_and_more
    monkeypatch.setattr(module, "FIRST_ROWS", first)
    monkeypatch.setattr(module, "MORE_ROWS", more)
    app = open_app()
    async with app.run_test(size=size) as pilot:
        screen = make(app)
        await app.push_screen(screen)
        await screen.loaded()  # type: ignore[attr-defined]
        yield app, pilot, screen


@asynccontextmanager
async def started(open_app: Callable[[], App], size: tuple[int, int]) -> AsyncIterator[Any]:
    """A fresh app from ``open_app()`` running at ``size``, past its first paint: (app, pilot)."""
    app = open_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        yield app, pilot
