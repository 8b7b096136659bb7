"""`intervene student NAME` (issue 19): the student's facts, decision and recent scores as
plain text, decided as the app decides, with the team's last decision."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from tui.cli import main
from tui.config import AppConfig
from tui.views.student import load_view

DAY = date(2026, 11, 25)


def test_student_text_matches_the_app(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open(demo_dir, readonly=True) as store:
        student = next(s for s in store.students() if s.name == "Mateo Ahmed")
        view = load_view(store, student.id, DAY, AppConfig())
        row = view.rows["ORF"]
        last = view.scores["ORF"][-1]
    code = main(["student", "mateo", "--data-dir", str(demo_dir), "--date", "2026-11-25",
                 "--scores", "2"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Mateo Ahmed · grade 3")
    assert f"  Decision: ! change the intervention — {row.decision.reason}" in lines
    assert "  Recent scores (2 of 16):" in lines
    assert f"    {last.date}  {last.value:g}, {last.errors} errors" in lines
    assert "\x1b[" not in out  # no colour codes


def test_team_decision_is_shown_and_unknown_name_is_one_line(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(demo_dir) as store:
        sid = next(s.id for s in store.students() if s.name == "Mateo Ahmed")
        store.record_team_decision(sid, "ORF", "continue", note="check again in 3 weeks")
    assert main(["student", "Mateo Ahmed", "--data-dir", str(demo_dir)]) == 0
    assert "continue the intervention (ORF) — check again in 3 weeks" in capsys.readouterr().out
    assert main(["student", "Nobody", "--data-dir", str(demo_dir)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("intervene: no student matches 'Nobody'") and "Traceback" not in err
