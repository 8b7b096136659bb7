"""The app's report screen suggests a file name with the student's initials, never the name
(issue 15 item 14)."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Input

from tests.tui.screen import push, started
from tui.documents import initials, slug
from tui.screens.report import ReportScreen


async def test_suggested_report_name_has_initials_only(open_app, home: Path) -> None:  # noqa: ANN001
    async with started(open_app, (120, 40)) as (app, pilot):
        student = app.store.students()[0]
        screen = await push(pilot, ReportScreen(student.id))
        name = Path(screen.query_one("#rp-path", Input).value).name
    assert re.fullmatch(rf"[a-z]+-{initials(student)}-2026-11-25\.[a-z]+", name), name
    for part in slug(student.name).split("-"):
        assert len(part) < 2 or part not in name.lower()
