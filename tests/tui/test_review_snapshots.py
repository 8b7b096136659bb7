"""SVG snapshots of the review screens (demo caseload, fixed clock, 120×36).

Update after an intended change of looks: `.venv/bin/pytest tests/tui/test_review_snapshots.py
--snapshot-update`, then look at the new SVGs before committing them.
"""

from __future__ import annotations

from datetime import date

from tests.tui.screen import pause_until
from tui.screens.caseload import CaseloadScreen
from tui.screens.student import StudentScreen

SIZE = (120, 36)
DAY = date(2026, 11, 25)


def test_student_screen(snap_compare, open_app) -> None:
    app = open_app()

    async def open_student(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        app.push_screen(StudentScreen("st-demo17", DAY, "ORF"))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_student)


def test_caseload_review(snap_compare, open_app) -> None:
    app = open_app()

    async def open_caseload(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        screen = CaseloadScreen(DAY)
        app.push_screen(screen)
        await pause_until(pilot, lambda _app: screen.entries is not None, tries=300)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_caseload)
