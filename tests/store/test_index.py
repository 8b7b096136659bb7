"""The Store's id and SIS-id indexes (issue 16): every indexed lookup answers what a scan of
the file's documents answers, through add, update, delete, undo, restore, migration, a file
read again and a reopen; and the files keep TinyDB's layout (doc ids = largest + 1)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from store.db import CORE_FILE, Store, UnknownIdError
from store.errors import ValidationError
from store.export.backup import backup_document, check_backup, restore_backup

DAY = date(2026, 11, 20)


def scan(store: Store, rel: str, table: str, field: str, value: str) -> list[dict]:
    """What a linear scan of the file's documents finds (the pre-index behaviour)."""
    return [d for d in store._docs(rel, table) if d.get(field) == value]


def assert_index_matches(store: Store) -> None:
    """Every id, SIS id and score date lookup equals the scan, for present and absent keys."""
    docs = store._docs(CORE_FILE, "students")
    keys = {d["id"] for d in docs} | {"st-absent"}
    for key in keys:
        want = scan(store, CORE_FILE, "students", "id", key)
        assert store._find(CORE_FILE, "students", key) == (want[0] if want else None)
    for sis in {d.get("sis_id") for d in docs if d.get("sis_id")} | {"S-absent"}:
        assert store._find_all(CORE_FILE, "students", "sis_id", sis) == scan(
            store, CORE_FILE, "students", "sis_id", sis
        )
    for rel in store._all_partitions("scores"):
        for d in store._docs(rel, "scores"):
            assert store._find(rel, "scores", d["id"]) == d
            assert store._find_all(rel, "scores", "date", d["date"]) == scan(
                store, rel, "scores", "date", d["date"]
            )


def sis_owner(store: Store, sis: str) -> list[str]:
    return [d["id"] for d in store._find_all(CORE_FILE, "students", "sis_id", sis)]


def test_lookups_follow_add_update_delete_and_undo(store: Store) -> None:
    a = store.add_student("Ava", "Jones", "3", sis_id="S1")
    b = store.add_student("Ben", "Lee", "3", sis_id="S2")
    assert_index_matches(store)
    assert sis_owner(store, "S1") == [a.id]

    store.update_student(a.id, sis_id="S9")  # S1 is free again, S9 taken
    assert sis_owner(store, "S1") == [] and sis_owner(store, "S9") == [a.id]
    store.add_student("Cal", "Ng", "4", sis_id="S1")
    with pytest.raises(ValidationError, match="S9.*Ava Jones"):
        store.add_student("Dee", "Ox", "4", sis_id="S9")
    assert_index_matches(store)

    store.undo_last()  # Cal goes: S1 free
    store.undo_last()  # Ava's S1 comes back
    assert sis_owner(store, "S1") == [a.id] and sis_owner(store, "S9") == []
    with pytest.raises(ValidationError, match="S1.*Ava Jones"):
        store.update_student(b.id, sis_id="S1")
    assert_index_matches(store)

    store.delete_student(b.id)
    assert sis_owner(store, "S2") == []
    with pytest.raises(UnknownIdError):
        store.student(b.id)
    store.undo_last()
    assert store.student(b.id).name == "Ben Lee" and sis_owner(store, "S2") == [b.id]
    assert_index_matches(store)


def test_score_lookups_follow_save_replace_delete_and_undo(store: Store) -> None:
    s = store.add_student("Ava", "Jones", "3")
    first = store.record_score(s.id, "ORF", 40, DAY)
    second = store.record_score(s.id, "NWF", 20, DAY)
    store.record_score(s.id, "ORF", 44, DAY, replace=True)  # keeps the id
    assert store.scores(s.id, "ORF")[0].value == 44
    assert_index_matches(store)
    store.delete_score(first.id)
    assert store.scores(s.id, "ORF") == []
    store.record_score(s.id, "ORF", 50, DAY)  # the day is free again
    store.undo_last()
    store.undo_last()  # the deleted score is back with its id
    assert [x.id for x in store.scores(s.id, "ORF")] == [first.id]
    assert store.update_score(second.id, value=25).value == 25
    assert_index_matches(store)


def test_doc_ids_are_tinydbs_and_never_reused_in_a_session(store: Store, data_dir: Path) -> None:
    ids = [store.add_student(f"K{i}", "Kid", "3").id for i in range(3)]
    stored = json.loads((data_dir / CORE_FILE).read_text())["students"]
    assert list(stored) == ["1", "2", "3"]
    store.undo_last()  # the third goes
    new = store.add_student("K9", "Kid", "3")
    stored = json.loads((data_dir / CORE_FILE).read_text())["students"]
    assert list(stored) == ["1", "2", "4"]  # as TinyDB: an id given out is not given again
    assert [d["id"] for d in stored.values()] == [*ids[:2], new.id]
    store.update_student(ids[0], notes="moved")  # a replaced document keeps its place
    stored = json.loads((data_dir / CORE_FILE).read_text())["students"]
    assert list(stored) == ["1", "2", "4"] and stored["1"]["notes"] == "moved"


def test_batch_import_then_reopen(store: Store, clock: object) -> None:
    with store.batch("import"):
        made = [store.add_student(f"K{i}", "Kid", "3", sis_id=f"S{i:04d}") for i in range(300)]
        with pytest.raises(ValidationError, match="S0150"):
            store.add_student("Dup", "Kid", "3", sis_id="S0150")
    assert_index_matches(store)
    again = Store.open(store.data_dir, clock=store._clock, readonly=True)
    try:
        assert again.student(made[299].id).name == "K299 Kid"
        assert sis_owner(again, "S0007") == [made[7].id]
    finally:
        again.close()


def test_file_changed_on_disk_is_indexed_again(store: Store, data_dir: Path) -> None:
    a = store.add_student("Ava", "Jones", "3", sis_id="S1")
    assert sis_owner(store, "S1") == [a.id]
    store.close()
    path = data_dir / CORE_FILE
    core = json.loads(path.read_text())
    core["students"]["1"]["sis_id"] = "S7"  # another tool edits the file while closed
    path.write_text(json.dumps(core))
    with Store.open(data_dir, clock=store._clock) as again:
        assert sis_owner(again, "S1") == [] and sis_owner(again, "S7") == [a.id]
        again._storage(CORE_FILE).forget()  # read again: the index follows the new dict
        assert_index_matches(again)
        b = again.add_student("Ben", "Lee", "3", sis_id="S1")
        assert sis_owner(again, "S1") == [b.id]


def test_duplicate_keys_from_another_tool_answer_as_a_scan(store: Store, data_dir: Path) -> None:
    a = store.add_student("Ava", "Jones", "3", sis_id="S1")
    store.close()
    path = data_dir / CORE_FILE
    core = json.loads(path.read_text())
    twin = {**core["students"]["1"], "given_name": "Twin", "sis_id": "S2"}
    core["students"]["9"] = twin  # the same id twice: the first is the one found
    path.write_text(json.dumps(core))
    with Store.open(data_dir, clock=store._clock) as again:
        assert again.student(a.id).given_name == "Ava"
        again.update_student(a.id, notes="x")
        assert again._find(CORE_FILE, "students", a.id)["notes"] == "x"
        assert_index_matches(again)
        again.delete_student(a.id)  # removes the first; the twin is then found
        assert again.student(a.id).given_name == "Twin"
        assert_index_matches(again)
        again.undo_last()
        # undo puts the old document back over the first one keyed so (the twin), as a scan
        assert again.student(a.id).given_name == "Ava"
        assert len(scan(again, CORE_FILE, "students", "id", a.id)) == 1
        assert_index_matches(again)


def test_restore_then_lookups(store: Store, data_dir: Path, tmp_path: Path) -> None:
    a = store.add_student("Ava", "Jones", "3", sis_id="S1")
    for k in range(5):
        store.record_score(a.id, "ORF", 40 + k, DAY - timedelta(days=7 * k))
    backup = check_backup(backup_document(store))
    store.update_student(a.id, sis_id="S2")
    store.add_student("Ben", "Lee", "3", sis_id="S1")
    clock = store._clock
    store.close()
    restore_backup(data_dir, backup, clock=clock)
    with Store.open(data_dir, clock=clock) as again:
        assert sis_owner(again, "S1") == [a.id] and sis_owner(again, "S2") == []
        assert len(again.scores(a.id, "ORF")) == 5
        assert_index_matches(again)
        with pytest.raises(ValidationError, match="S1"):
            again.add_student("Ben", "Lee", "3", sis_id="S1")
