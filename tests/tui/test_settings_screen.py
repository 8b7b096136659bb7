"""The settings screen (issue 19, Pilot): a bad value is refused under its field and nothing
is saved; a good save writes the file (comments kept) and changes the app's decisions."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from store.settings import load_settings
from tests.conftest import settings_file
from tests.tui.screen import press_to
from tui.config import AppConfig
from tui.screens.settings import SettingsScreen
from tui.widgets.form import Form


def _config(tmp_path: Path, demo_dir: Path) -> AppConfig:
    path = settings_file(tmp_path, '# mine\n[you]\nname = "Ms. Rivera"\n')
    settings, warnings = load_settings(path)
    assert warnings == []
    return AppConfig.from_settings(settings, settings_path=path, demo_dir=demo_dir.parent / "x")


async def test_comma_opens_settings_bad_value_refused_good_value_saved(
    open_app, tmp_path: Path, demo_dir: Path
) -> None:
    config = _config(tmp_path, demo_dir)
    app = open_app(config=config)
    path = tmp_path / "settings.toml"
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        screen = await press_to(pilot, SettingsScreen, "comma")
        assert screen.query_one("#set-you-name", Input).value == "Ms. Rivera"
        screen.query_one("#set-point_n", Input).value = "four"
        before = path.read_bytes()
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = screen.query_one(Form).errors
        assert "decisions.point_n = 'four': must be a whole number" in errors["decisions.point_n"]
        assert path.read_bytes() == before
        screen.query_one("#set-point_n", Input).value = "5"
        screen.query_one("#set-dosage_target", Input).value = "90%"
        screen.query_one("#set-you-role", Input).value = "Reading specialist"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SettingsScreen)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# mine")
    saved, warnings = load_settings(path)
    assert warnings == []
    assert saved.you.role == "Reading specialist"
    assert saved.decisions.point_n == 5 and saved.decisions.dosage_target == 0.9
    assert app.config.decision.point_n == 5  # the app decides with the new rule at once


async def test_start_applies_keymap_school_year_and_names_refused_keys(
    open_app, tmp_path: Path, demo_dir: Path
) -> None:
    path = settings_file(
        tmp_path,
        '[keys]\n"app.settings" = "f9"\n[school_year]\nfirst = 2026-08-20\nlast = 2027-06-10\n'
        '[letters]\nlanguage = "fr"\n',
    )
    settings, warnings = load_settings(path)
    config = AppConfig.from_settings(settings, settings_path=path, notices=tuple(warnings))
    app = open_app(config=config)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("letters.language = 'fr': allowed 'en', 'es'" in m for m in shown)
        calendar = app.store.calendar()
        assert (calendar.year_start.isoformat(), calendar.year_end.isoformat()) == (
            "2026-08-20",
            "2027-06-10",
        )
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
