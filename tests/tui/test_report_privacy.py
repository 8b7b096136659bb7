"""The app's report screen suggests a file name with the student's initials, never the name
(issue 15 item 14)."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Input

from tui.documents import initials, slug
from tui.screens.report import ReportScreen


async def test_suggested_report_name_has_initials_only(open_app, home: Path) -> None:  # noqa: ANN001
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        student = app.store.students()[0]
        await app.push_screen(ReportScreen(student.id))
        await pilot.pause()
        name = Path(app.screen.query_one("#rp-path", Input).value).name
    assert re.fullmatch(rf"[a-z]+-{initials(student)}-2026-11-25\.[a-z]+", name), name
    for part in slug(student.name).split("-"):
        assert len(part) < 2 or part not in name.lower()
