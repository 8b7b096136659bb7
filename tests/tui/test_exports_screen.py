"""Exports from the app: CSV (de-identified), backup, and the export log (Pilot tests)."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

from textual.widgets import Input, Switch

from store.db import Store
from tests.tui.screen import screen_text, settle
from tui.screens.confirm import ConfirmScreen
from tui.screens.exports import ExportsScreen

SIZE = (160, 50)


async def open_exports(pilot) -> ExportsScreen:  # noqa: ANN001
    """The exports screen, pushed over Today once the app has started."""
    await pilot.pause()
    await pilot.app.push_screen(ExportsScreen())
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ExportsScreen)
    return screen


async def test_deidentified_scores_export_is_logged_on_screen(
    open_app, demo_dir: Path, home: Path
) -> None:  # noqa: ANN001
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_exports(pilot)
        assert "0 exports so far" in screen_text(app)
        assert screen.query_one("#ex-deidentify", Switch).value is False  # off by default
        path_field = screen.query_one("#ex-path", Input)
        assert path_field.value == str(home / "intervene-scores-2026-11-25.csv")
        await pilot.press("ctrl+d")  # de-identify on: the suggested name says so
        await pilot.pause()
        target = home / "intervene-scores-deidentified-2026-11-25.csv"
        assert path_field.value == str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert "✓ Exported" in text and "de-identified score rows" in text
        assert "1 export so far" in text
        assert "2026-11-25 10:12  scores" in text
        assert "yes" in text  # the de-identified column of the log
        assert "intervene-scores-deidentified-2026-11-25.csv" in text
        students = app.store.students(include_archived=True)
    data = target.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0] == ["student", "grade", "measure", "week", "value", "errors"]
    assert len(rows) > 10
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    for s in students:
        assert s.given_name not in data and s.family_name not in data
        assert not s.sis_id or s.sis_id not in data
        assert s.id not in data
    with Store.open(demo_dir, readonly=True) as again:
        (record,) = again.exports()
        assert record.kind == "scores" and record.deidentified
        assert record.path == str(target)
        assert record.students == len({r[0] for r in rows[1:]})


async def test_backup_export_and_a_bad_filter(open_app, demo_dir: Path, home: Path) -> None:  # noqa: ANN001
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_exports(pilot)
        # a CSV filter that matches nobody: shown under its field, nothing written
        screen.query_one("#ex-student", Input).value = "Nobody Here"
        screen.query_one("#ex-from", Input).value = "2026-13-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "'2026-13-01' is not a date (use YYYY-MM-DD)" in screen_text(app)
        screen.query_one("#ex-from", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "no student matches 'Nobody Here'" in screen_text(app)
        assert list(home.iterdir()) == []
        # the backup: the CSV filters are hidden, the file holds every record
        screen.choose("backup")
        await pilot.pause()
        assert not screen.form.field("student").display
        target = home / "intervene-backup-2026-11-25.json"
        assert screen.query_one("#ex-path", Input).value == str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert "✓ Backed up 30 students" in text
        assert "backup" in text and "intervene-backup-2026-11-25.json" in text
        # exporting again to the same file asks first; "no" writes nothing more
        before = target.read_bytes()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_bytes() == before
        assert len(app.store.exports()) == 1
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["format"] == "intervene-backup"
    assert len(doc["students"]) == 30
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
