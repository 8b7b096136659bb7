"""The command palette (issue 19): commands by their description, students by name."""

from __future__ import annotations

from datetime import date

from textual.command import CommandPalette
from textual.widgets import OptionList

from tui.palette import CommandsProvider, StudentsProvider
from tui.screens.student import StudentScreen

DAY = date(2026, 11, 25)


async def _hits(provider_cls, app, query: str) -> list[str]:  # noqa: ANN001
    provider = provider_cls(app.screen)
    await provider.startup()
    return [str(hit.text) for hit in [h async for h in provider.search(query)]]


async def test_palette_finds_commands_by_description_and_students_by_name(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.push_screen(StudentScreen("st-demo17", DAY, "ORF"))
        await pilot.pause()
        assert "Report" in await _hits(CommandsProvider, app, "family")
        assert "Report" in await _hits(CommandsProvider, app, "letter")
        assert "Settings" in await _hits(CommandsProvider, app, "spanish")
        hits = await _hits(StudentsProvider, app, "mateo")
        assert hits == ["Open Mateo Ahmed"]
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Mateo Ahm")
        for _ in range(50):  # the palette searches in the background
            await pilot.pause(0.05)
            options = app.screen.query_one(OptionList)
            if options.option_count and "Open Mateo Ahmed" in str(
                options.get_option_at_index(0).prompt
            ):
                break
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudentScreen)
        assert app.store.student(screen.student_id).name == "Mateo Ahmed"
