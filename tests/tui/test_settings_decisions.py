"""Settings reach the decisions (issue 19): the thresholds in settings.toml change the
verdicts the caseload shows, in the app's views and in `intervene caseload`."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from store.settings import load_settings
from tests.conftest import settings_file
from tui.cli import main
from tui.config import AppConfig
from tui.views.attention import caseload_rows

DAY = date(2026, 11, 25)


def test_minimum_weeks_from_settings_change_the_verdicts(demo_dir: Path, tmp_path: Path) -> None:
    settings, warnings = load_settings(settings_file(tmp_path, "[decisions]\nmin_weeks = 30\n"))
    assert warnings == []
    with Store.open(demo_dir, readonly=True) as store:
        default = Counter(r.decision.kind for r in caseload_rows(store, DAY, AppConfig()))
        patient = Counter(
            r.decision.kind for r in caseload_rows(store, DAY, AppConfig.from_settings(settings))
        )
    assert default["change"] > 0
    assert patient["change"] == 0  # nobody has had 30 weeks in a phase yet


def without_and_with(
    args: list[str],
    toml: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[str, str, str]:
    """`intervene ARGS` without a settings file, then with one holding ``toml``; both runs
    succeed: the first run's output, the second's output and its messages (stderr)."""
    monkeypatch.setenv("INTERVENE_SETTINGS", str(tmp_path / "none.toml"))
    assert main(args) == 0
    before = capsys.readouterr().out
    monkeypatch.setenv("INTERVENE_SETTINGS", str(settings_file(tmp_path, toml)))
    assert main(args) == 0
    after = capsys.readouterr()
    return before, after.out, after.err


def test_intervene_caseload_uses_the_settings_file(
    demo_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["caseload", "--data-dir", str(demo_dir), "--date", DAY.isoformat(), "--json"]
    toml = "[decisions]\nmin_weeks = 30\npoint_n = 'x'\n"
    before, after, err = without_and_with(args, toml, tmp_path, monkeypatch, capsys)
    assert '"decision": "change"' in before
    assert '"decision": "change"' not in after
    assert "decisions.point_n = 'x': must be a whole number" in err


def test_intervene_report_packet_uses_the_settings_file(
    demo_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The packet the team reads says what the app and `intervene caseload` say."""
    args = ["report", "--data-dir", str(demo_dir), "packet", "--date", DAY.isoformat()]
    args += ["--format", "text", "--out", "-"]
    toml = "[decisions]\nmin_weeks = 30\n"
    before, after, _err = without_and_with(args, toml, tmp_path, monkeypatch, capsys)
    # the counts line under the heading: "4 to change · 14 questionable response · …"
    counts_before = before.split("\n\n")[2]
    counts_after = after.split("\n\n")[2]
    assert "to change" in counts_before
    assert "to change" not in counts_after and counts_after != counts_before
