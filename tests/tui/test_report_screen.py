"""Reports from the app: a family letter for a demo student (Pilot tests)."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.widgets import Input

from store.db import Store
from tests.tui.screen import push, screen_text, settle
from tui.screens.report import ReportScreen

SIZE = (120, 40)


async def test_family_letter_for_a_demo_student(open_app, demo_dir: Path, home: Path) -> None:  # noqa: ANN001
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        student = app.store.students()[0]
        screen = await push(pilot, ReportScreen(student.id))
        assert screen.query_one("#rp-student", Input).value == student.name
        # keyboard: the report list has focus; ↓ Enter picks the family letter
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.kind == "letter"
        path = screen.query_one("#rp-path", Input).value
        assert Path(path).parent == home and Path(path).name.startswith("letter-")
        assert path.endswith("-2026-11-25.html")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"✓ Wrote {path}" in screen_text(app)
    target = Path(path)
    assert target.is_file()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text(encoding="utf-8")
    assert student.given_name in text
    assert "ROI" not in text
    with Store.open(demo_dir, readonly=True) as again:
        (record,) = again.exports()
        assert record.kind == "report-letter" and record.path == str(target)
        assert record.students == 1


async def test_a_student_report_needs_a_known_student(open_app, home: Path) -> None:  # noqa: ANN001
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await push(pilot, ReportScreen(kind="student"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "this report is about one student: name them" in screen_text(app)
        screen.query_one("#rp-student", Input).value = "Zzz"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "no student matches 'Zzz'" in screen_text(app)
        # the packet needs no student: written as Markdown
        screen.choose(kind="packet", fmt="md")
        await pilot.pause()
        assert not screen.form.field("student").display
        await pilot.press("ctrl+s")
        await settle(pilot)
    packet = home / "packet-2026-11-25.md"
    assert packet.is_file() and stat.S_IMODE(packet.stat().st_mode) == 0o600
    assert [p.name for p in home.iterdir()] == [packet.name]


async def test_a_letter_from_the_app_is_signed_and_in_the_settings_language(
    open_app,  # noqa: ANN001
    demo_dir: Path,
    home: Path,
) -> None:
    """The report screen writes the letter as ``intervene report letter`` would with the same
    settings: signed with [you], in [letters] language (issue 19)."""
    from store.settings import Letters, Settings, You
    from tui.config import AppConfig

    settings = Settings(
        you=You(name="Marta Rivera", role="Maestra de lectura", school="Lincoln"),
        letters=Letters(language="es"),
    )
    config = AppConfig.from_settings(settings, demo_dir=demo_dir.parent / "demo-built")
    app = open_app(config=config)
    async with app.run_test(size=SIZE) as pilot:
        student = app.store.students()[0]
        screen = await push(pilot, ReportScreen(student.id))
        await pilot.press("down", "enter")
        await pilot.pause()
        path = Path(screen.query_one("#rp-path", Input).value)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"✓ Wrote {path}" in screen_text(app)
    text = path.read_text(encoding="utf-8")
    assert "Marta Rivera" in text and "Maestra de lectura" in text and "Lincoln" in text
    assert 'lang="es"' in text
    assert "de noviembre de 2026" in text  # the fixed clock's date, written by Babel
