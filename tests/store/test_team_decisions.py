"""The team's decision at a data meeting (issue 19): one undoable step, validated."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from store.db import Store
from store.errors import ValidationError

TODAY = date(2026, 12, 1)


def _store(tmp_path: Path) -> tuple[Store, str]:
    store = Store.open(tmp_path / "data", clock=lambda: datetime(2026, 12, 1, 9))
    student = store.add_student("Ana", "Lopez", "2")
    return store, student.id


def test_change_saves_decision_phase_and_note_in_one_undo_step(tmp_path: Path) -> None:
    store, sid = _store(tmp_path)
    saved = store.record_team_decision(
        sid,
        "ORF",
        "change",
        note="Add 10 minutes a day",
        suggested="change",
        phase_label="Phase 2: 40 min/day",
    )
    phases = store.phase_changes(sid, "ORF")
    assert [p.label for p in phases] == ["Phase 2: 40 min/day"]
    assert saved.phase_id == phases[0].id and phases[0].date == TODAY
    latest = store.latest_team_decision(sid)
    assert latest is not None and latest.note == "Add 10 minutes a day"
    assert store.latest_team_decisions() == {sid: latest}
    store.undo_last()  # one step takes back both
    assert store.phase_changes(sid, "ORF") == []
    assert store.team_decisions(sid) == []
    store.close()
    reopened = Store.open(tmp_path / "data", clock=lambda: datetime(2026, 12, 1, 9))
    assert reopened.team_decisions() == []
    reopened.close()


def test_bad_values_change_nothing(tmp_path: Path) -> None:
    store, sid = _store(tmp_path)
    core = (tmp_path / "data" / "core.json").read_bytes()
    with pytest.raises(ValidationError, match="not one of continue, change"):
        store.record_team_decision(sid, "ORF", "pause")
    with pytest.raises(ValidationError, match="new phase is required"):
        store.record_team_decision(sid, "ORF", "change", note="x")
    with pytest.raises(ValidationError, match="meeting date"):
        store.record_team_decision(sid, "ORF", "continue", on="2027-03-01")
    assert (tmp_path / "data" / "core.json").read_bytes() == core
    store.close()


def test_deleting_a_student_removes_their_team_decisions(tmp_path: Path) -> None:
    store, sid = _store(tmp_path)
    store.record_team_decision(sid, "ORF", "continue", note="keep going")
    store.delete_student(sid)
    assert store.team_decisions() == []
    store.close()
