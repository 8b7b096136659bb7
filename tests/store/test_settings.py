"""The settings file (issue 19): round trip keeping comments, refused values, defaults."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

from store.config import DecisionConfig
from store.settings import Letters, SchoolYear, Settings, You, load_settings, save_settings
from tests.conftest import settings_file

COMMENTED = """\
# my settings — keep this comment
[you]
name = "Ms. Rivera"  # how families know me
role = "Reading interventionist"

[decisions]
# the team agreed on 5 points
point_n = 5
"""


def test_missing_file_is_the_defaults(tmp_path: Path) -> None:
    settings, warnings = load_settings(tmp_path / "none.toml")
    assert settings == Settings()
    assert warnings == []


def test_round_trip_keeps_comments(tmp_path: Path) -> None:
    path = settings_file(tmp_path, COMMENTED)
    settings, warnings = load_settings(path)
    assert warnings == []
    assert settings.you.name == "Ms. Rivera"
    assert settings.decisions.point_n == 5
    changed = Settings(
        you=You(name="Ms. Rivera", role="Reading interventionist", email="rivera@school.org"),
        letters=Letters(language="es", closing="Un saludo cordial"),
        decisions=DecisionConfig(point_n=4, dosage_target=0.9),
        school_year=SchoolYear(date(2026, 8, 24), date(2027, 6, 4)),
        keys={"today.log": "ctrl+l"},
    )
    save_settings(path, changed)
    text = path.read_text(encoding="utf-8")
    assert "# my settings — keep this comment" in text
    assert "# how families know me" in text
    assert "# the team agreed on 5 points" in text
    assert "point_n = 4" in text  # the user's key stays, at its new value
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, warnings = load_settings(path)
    assert warnings == []
    assert again == changed


def test_bad_values_are_refused_with_key_value_and_what_is_allowed(tmp_path: Path) -> None:
    path = settings_file(
        tmp_path,
        '[letters]\nlanguage = "fr"\n[decisions]\npoint_n = "four"\ndosage_target = 80\n'
        'point_min = 7\n[you]\nemail = "nobody"\nname = "Ann"\n[colour]\nx = 1\n',
    )
    settings, warnings = load_settings(path)
    assert settings.letters.language == "en"
    assert settings.decisions.point_n == 4 and settings.decisions.dosage_target == 0.8
    assert settings.decisions.point_min == 7  # a good key beside bad ones is kept
    assert settings.you.name == "Ann" and settings.you.email == ""
    joined = "\n".join(warnings)
    assert "letters.language = 'fr': allowed 'en', 'es'" in joined
    assert "decisions.point_n = 'four': must be a whole number" in joined
    assert "decisions.dosage_target = 80" in joined and "0–1" in joined
    assert "you.email = 'nobody'" in joined
    assert "[colour]: unknown section" in joined
    assert len(warnings) == 5


def test_broken_toml_is_the_defaults_and_one_line(tmp_path: Path) -> None:
    settings, warnings = load_settings(settings_file(tmp_path, "[you\nname="))
    assert settings == Settings()
    assert len(warnings) == 1 and "not valid TOML" in warnings[0]
