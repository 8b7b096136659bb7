"""Restore, the small list of issue 15: a backup whose records come in another order restores
(the read-back check compares data, not order), and a CSV file is named for what it is."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from store.db import Store
from store.errors import ValidationError
from store.export import backup_document, export_scores, load_backup, records_of, restore_backup
from tests.conftest import FakeClock
from tests.store.test_export import build_caseload


def test_restore_takes_records_in_any_order(store: Store, tmp_path: Path, clock: FakeClock) -> None:
    build_caseload(store)
    doc = backup_document(store)
    rng = random.Random(15)
    for section in ("students", "groups", "goals", "scores", "sessions", "measures"):
        rng.shuffle(doc[section])
    path = tmp_path / "shuffled.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    fresh = tmp_path / "fresh"
    restore_backup(fresh, load_backup(path), clock=clock)
    with Store.open(fresh, clock=clock) as again:
        got = records_of(backup_document(again))
    want = records_of(backup_document(store))
    for section, records in want.items():
        if isinstance(records, list):
            key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
            assert sorted(got[section], key=key) == sorted(records, key=key), section
    assert got["calendar"] == want["calendar"]


def test_a_reordered_backup_that_differs_is_still_refused() -> None:
    from store.export.backup import same_records

    a = {"calendar": {"x": 1}, "scores": [{"id": "1", "v": 1}, {"id": "2", "v": 2}]}
    b = {"calendar": {"x": 1}, "scores": [{"id": "2", "v": 2}, {"id": "1", "v": 1}]}
    assert same_records(a, b)
    assert not same_records(a, {**b, "scores": [{"id": "2", "v": 2}, {"id": "1", "v": 3}]})
    assert not same_records(a, {**b, "scores": [{"id": "2", "v": 2}]})
    assert not same_records(a, {**b, "scores": b["scores"] * 2})
    assert not same_records(a, {**b, "calendar": {"x": 2}})


def test_a_csv_file_is_not_a_backup(store: Store, tmp_path: Path) -> None:
    build_caseload(store)
    csv_file = tmp_path / "scores.csv"
    export_scores(store, csv_file)
    hint = r"is not an intervene backup \(make one with `intervene export backup`\)"
    with pytest.raises(ValidationError, match=r"scores\.csv " + hint):
        load_backup(csv_file)
    plain = tmp_path / "roster.csv"
    plain.write_text("student_id,given_name\n1,Ava\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=hint):
        load_backup(plain)
    other_json = tmp_path / "other.json"
    other_json.write_text('{"students": []}', encoding="utf-8")
    with pytest.raises(ValidationError, match=hint):
        load_backup(other_json)
    truncated = tmp_path / "cut.json"
    truncated.write_text('{"format": "intervene-backup", "sch', encoding="utf-8")
    with pytest.raises(ValidationError, match="not valid JSON"):  # a damaged backup says so
        load_backup(truncated)
