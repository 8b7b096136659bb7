"""The command palette (issue 19): commands by their description, students by name."""

from __future__ import annotations

from datetime import date

from textual.command import CommandPalette
from textual.widgets import OptionList

from tests.tui.screen import pause_until, press_to, push, started
from tui.palette import CommandsProvider, StudentsProvider
from tui.screens.student import StudentScreen

DAY = date(2026, 11, 25)


async def _hits(provider_cls, app, query: str) -> list[str]:  # noqa: ANN001
    provider = provider_cls(app.screen)
    await provider.startup()
    return [str(hit.text) for hit in [h async for h in provider.search(query)]]


async def test_palette_finds_commands_by_description_and_students_by_name(open_app) -> None:
    async with started(open_app, (120, 36)) as (app, pilot):
        await push(pilot, StudentScreen("st-demo17", DAY, "ORF"))
        assert "Report" in await _hits(CommandsProvider, app, "family")
        assert "Report" in await _hits(CommandsProvider, app, "letter")
        assert "Settings" in await _hits(CommandsProvider, app, "spanish")
        hits = await _hits(StudentsProvider, app, "mateo")
        assert hits == ["Open Mateo Ahmed"]
        palette = await press_to(pilot, CommandPalette, "ctrl+p")
        await pilot.press(*"Mateo Ahm")
        options = palette.query_one(OptionList)
        await pause_until(  # the palette searches in the background
            pilot,
            lambda _app: (
                bool(options.option_count)
                and "Open Mateo Ahmed" in str(options.get_option_at_index(0).prompt)
            ),
            tries=125,
        )
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudentScreen)
        assert app.store.student(screen.student_id).name == "Mateo Ahmed"
