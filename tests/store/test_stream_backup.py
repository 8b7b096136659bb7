"""The streamed backup (issue 16): ``export backup`` writes a record at a time, byte for byte
the JSON the in-memory document gives, counts what it wrote, and leaves nothing behind when a
data file fails to read half way."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import store.export.backup as backup_mod
from store.db import Store
from store.demo import build_demo
from store.errors import StoreError
from store.export.backup import (
    BACKUP_SECTIONS,
    _canonical,
    _fingerprint,
    _indented,
    backup_chunks,
    backup_document,
    check_backup,
    export_backup,
    restore_backup,
)

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 0)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "data", clock=lambda: NOW)
    build_demo(store, TODAY)
    store.add_student("Zoë", "Ñúñez", "K", notes='line one\nline "two"')  # escapes, non-ASCII
    yield store
    store.close()


def test_chunks_are_the_documents_json(demo: Store) -> None:
    counts: Counter[str] = Counter()
    streamed = b"".join(backup_chunks(demo, now=NOW, counts=counts))
    doc = backup_document(demo, now=NOW)
    assert streamed == (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    assert len(doc["scores"]) > 1000 and doc["sessions"]  # the demo holds both
    assert counts["records"] == sum(len(doc[k]) for k in BACKUP_SECTIONS[1:])


def test_empty_store_streams_empty_sections(store: Store) -> None:
    streamed = b"".join(backup_chunks(store, now=NOW))
    doc = backup_document(store, now=NOW)
    assert doc["scores"] == [] and doc["sessions"] == []
    assert streamed == (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def test_export_backup_writes_the_stream(demo: Store, tmp_path: Path) -> None:
    result = export_backup(demo, tmp_path / "b.json", now=NOW)
    doc = json.loads((tmp_path / "b.json").read_text())
    assert result.rows == sum(len(doc[k]) for k in BACKUP_SECTIONS[1:])
    assert result.students == len(doc["students"])
    assert (tmp_path / "b.json").stat().st_mode & 0o777 == 0o600
    assert [e.kind for e in demo.exports()][-1] == "backup"


def test_a_file_damaged_half_way_leaves_no_backup(demo: Store, tmp_path: Path) -> None:
    demo.close()
    last = sorted((tmp_path / "data" / "scores").rglob("*.json"))[-1]
    last.write_text("{not json")  # read only when the stream reaches it
    with Store.open(tmp_path / "data", clock=lambda: NOW) as again:
        logged = len(again.exports())
        with pytest.raises(StoreError, match="cannot be read"):
            export_backup(again, tmp_path / "b.json", now=NOW)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no temp, no backup
        assert len(again.exports()) == logged


def test_fingerprint_ignores_order_and_sees_any_change() -> None:
    a, b, c = {"id": "a", "v": 1}, {"id": "b", "v": 2}, {"id": "c", "v": 3}
    fp = _fingerprint([("cal", {"x": 1}), ("scores", [a, b, c])])
    assert fp == _fingerprint([("cal", {"x": 1}), ("scores", [c, a, b])])
    for changed in ([a, b], [a, b, c, c], [a, b, {"id": "c", "v": 3.5}], [a, a, c]):
        assert fp != _fingerprint([("cal", {"x": 1}), ("scores", changed)])
    assert fp != _fingerprint([("cal", {"x": 2}), ("scores", [a, b, c])])


def _lose_one(table: dict[str, Any]) -> None:
    table.pop(next(iter(table)))


def _change_one(table: dict[str, Any]) -> None:
    key = next(iter(table))
    table[key] = {**table[key], "value": table[key]["value"] + 1}


@pytest.mark.parametrize("damage", [_lose_one, _change_one])
def test_restore_refuses_files_that_read_back_differently(
    demo: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Any
) -> None:
    backup = check_backup(backup_document(demo))
    target = tmp_path / "target"
    real = backup_mod._iter_files

    def one_score_damaged(b: object, now: str, seen: object) -> object:
        for rel, tables in real(b, now, seen):  # type: ignore[arg-type]
            if "scores" in tables and len(tables["scores"]) > 1:
                damage(tables["scores"])
            yield rel, tables

    monkeypatch.setattr(backup_mod, "_iter_files", one_score_damaged)
    with pytest.raises(StoreError, match="did not read back identically"):
        restore_backup(target, backup, clock=lambda: NOW)
    assert sorted(p.name for p in target.iterdir()) == [".lock"]  # staging removed
    monkeypatch.setattr(backup_mod, "_iter_files", real)
    restore_backup(target, backup, clock=lambda: NOW)
    with Store.open(target, clock=lambda: NOW, readonly=True) as again:
        assert len(list(again.iter_scores())) == len(backup.scores)


def test_canonical_is_jsons_sorted_dump() -> None:
    for record in (
        {"b": 1, "a": [{"z": None, "y": "é\n"}], "c": 2.5},
        {"n": float("nan"), "i": 10**20, "t": True},
        {},
    ):
        want = json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")
        assert _canonical(record) == want


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": 2.5, "c": None, "d": True, "e": False, "f": 'é\n"x', "g": [], "h": [1.0, 2]},
        {"i": {}, "j": [{"x": 1}], "k": {"l": [1]}},  # nested
        {"attendance": [{"s": "a", "m": None}, {"s": "b", "m": [2, {"x": []}]}], "e": [[]]},
        {"t": (1, "two"), 3: "int key", "f": float("inf"), "n": [float("nan")]},  # to json
        {"n": float("nan"), "m": 10**20, "w": -0.0, "v": 1e-7},
        {},
        [],
    ],
)
def test_indented_is_jsons_indent(value: object) -> None:
    for level in (0, 1, 2):
        want = json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * level)
        assert _indented(value, level) == want
