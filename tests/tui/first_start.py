"""The first start on an empty folder: the welcome screen, then the school year it asks for
before anything else (issue 13, item 11) — shared by the first-run and roster-import tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import FakeClock
from tui.app import InterventionApp
from tui.screens.welcome import SchoolYearScreen, WelcomeScreen

FIRST_DAY, LAST_DAY = "2026-08-24", "2027-06-11"


async def type_into(pilot: Pilot, field: Input, text: str) -> None:
    """Empty ``field``, focus it and type ``text``."""
    field.value = ""
    field.focus()
    await pilot.press(*text)


async def answer_school_year(
    pilot: Pilot, app: InterventionApp, first: str = FIRST_DAY, last: str = LAST_DAY
) -> None:
    """On the school-year screen: type the first and the last day of school, Enter after each."""
    screen = app.screen
    assert isinstance(screen, SchoolYearScreen)
    await type_into(pilot, screen.query_one("#year-start", Input), first)
    await pilot.press("enter")
    await pilot.press(*last, "enter")
    await pilot.pause()


@asynccontextmanager
async def first_start(
    empty_app: tuple[InterventionApp, object, FakeClock],
    size: tuple[int, int],
    key: str,
    first: str = FIRST_DAY,
    last: str = LAST_DAY,
    **run_test: Any,
) -> AsyncIterator[Pilot]:
    """``empty_app`` running at ``size`` (and ``run_test``'s other options): on the welcome
    screen ``key`` (i import, e start empty), then the school year answered; yields the pilot
    on the screen that comes next."""
    app = empty_app[0]
    async with app.run_test(size=size, **run_test) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press(key)
        await pilot.pause()
        await answer_school_year(pilot, app, first, last)
        yield pilot
