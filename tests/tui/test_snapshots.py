"""SVG snapshots of the screens (fixed clock, demo caseload, Textual pinned in pyproject.toml).

Update after an intended change of looks: `.venv/bin/pytest tests/tui/test_snapshots.py
--snapshot-update`, then look at the new SVGs before committing them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from store.db import Store
from tests.conftest import FakeClock
from tests.tui.screen import settle
from tui.app import InterventionApp
from tui.config import AppConfig

SIZE = (120, 36)


def test_today_during_a_group(snap_compare, open_app) -> None:
    app = open_app()

    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_score_entry_with_one_error(snap_compare, open_app) -> None:
    app = open_app()

    async def enter_scores(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("6", "2", "enter")
        await settle(pilot)
        await pilot.press("4", "1", "2", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=enter_scores)


def test_welcome_on_an_empty_folder(snap_compare, tmp_path: Path) -> None:
    # a fixed folder: the welcome screen shows where the data lives
    folder = Path("/tmp/intervene-snapshot/empty")
    shutil.rmtree(folder.parent, ignore_errors=True)
    clock = FakeClock()
    store = Store.open(folder, clock=clock)
    app = InterventionApp(store, clock, AppConfig(demo_dir=tmp_path / "demo"))
    try:
        assert snap_compare(app, terminal_size=SIZE)
    finally:
        store.close()
        shutil.rmtree(folder.parent, ignore_errors=True)
