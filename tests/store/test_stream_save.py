"""A save that adds documents to a partition appends their JSON to the file's bytes as read
(issue 16): its cost does not grow with the partition, and the file is what encoding the
whole table gives (or, for another tool's layout, JSON that reads back the same)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

import store.storage as storage
from store import wal
from store.db import Store
from store.model import Score
from store.storage import AtomicJSONStorage, dumps

NOW = datetime(2026, 11, 25, 10, 0)
DAY = date(2026, 11, 24)


def partition(store: Store, student_id: str, n: int) -> Path:
    """A current-year scores file with ``n`` weekly ORF scores, written directly."""
    path = store.data_dir / Store._score_rel(student_id, DAY)
    path.parent.mkdir(parents=True, exist_ok=True)
    docs = {
        str(i + 1): Score(
            f"sc-{i:016x}", student_id, "ORF", date(2026, 9, 1 + i % 28), 40.0 + i, None, None, NOW
        ).to_doc()
        for i in range(n)
    }
    path.write_bytes(dumps({"scores": docs}))
    return path


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every document the storage encodes."""
    seen: list[object] = []
    real = storage.dumps

    def counting(data: object) -> bytes:
        seen.append(data)
        return real(data)

    monkeypatch.setattr(storage, "dumps", counting)
    return seen


@pytest.mark.parametrize("n", [0, 1, 130])
def test_first_save_encodes_only_the_new_score(
    data_dir: Path, clock: object, counted: list[object], n: int
) -> None:
    with Store.open(data_dir, clock=lambda: NOW) as store:
        s = store.add_student("Ava", "Jones", "3")
        path = partition(store, s.id, n)
        before = path.read_bytes()
        counted.clear()
        new = store.record_score(s.id, "NWF", 30, DAY)
        assert [d["id"] for d in counted if isinstance(d, dict)] == [new.id]
        after = path.read_bytes()
        if n >= 130:  # a large partition: the save is one line of its journal (store/wal.py)
            assert after == before
            line = json.loads(wal.path_of(path).read_bytes().splitlines()[-1])
            assert [d["id"] for d in line["put"].values()] == [new.id]
            assert len(AtomicJSONStorage(path).read()["scores"]) == n + 1  # type: ignore[index]
        else:
            assert after == dumps(json.loads(after))  # the one canonical layout
            assert after.startswith(before[:-2]) and len(json.loads(after)["scores"]) == n + 1
        counted.clear()
        second = store.record_score(s.id, "NWF", 31, date(2026, 11, 23))  # the next: the same
        assert [d["id"] for d in counted if isinstance(d, dict)] == [second.id]


def test_replace_and_undo_encode_the_table_and_read_back(data_dir: Path) -> None:
    with Store.open(data_dir, clock=lambda: NOW) as store:
        s = store.add_student("Ava", "Jones", "3")
        path = partition(store, s.id, 5)
        first = store.record_score(s.id, "NWF", 30, DAY)
        store.record_score(s.id, "NWF", 33, DAY, replace=True)
        data = json.loads(path.read_bytes())
        assert path.read_bytes() == dumps(data)
        assert [d["value"] for d in data["scores"].values() if d["id"] == first.id] == [33.0]
        store.undo_last()
        store.undo_last()
        restored = path.read_bytes()
        assert restored == dumps(json.loads(restored))
        assert len(json.loads(restored)["scores"]) == 5


@pytest.mark.parametrize(
    "raw",
    [
        b'{"scores": {"1": {"id": "a"}}}',  # another tool's spacing
        b'{"scores":{"1":{"id":"a"}},"scores":{"1":{"id":"b"}}}',  # a name twice: last wins
        b'{"scores":{"1":{"id":"x"}},"scores":{}}',  # ... and is empty
        b'{"scores":{"1":{}}}',  # a last document that is empty
        b'{"scores":{"1":{"id":"a"}}}\n',  # a trailing newline: encoded whole
        b'{"scores":{"1":{"id":"a"}},"other":{"1":{"id":"o"}}}',  # two tables: encoded whole
    ],
)
def test_any_json_file_reads_back_with_the_added_document(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(raw)
    st = AtomicJSONStorage(path)
    data = st.read()
    assert data is not None
    want = json.loads(raw)
    want["scores"]["7"] = {"id": "new", "note": 'é, "q"'}
    data["scores"]["7"] = {"id": "new", "note": 'é, "q"'}
    st.write(data)
    assert json.loads(path.read_bytes()) == want
    again = AtomicJSONStorage(path).read()
    assert again == want and list(again["scores"]) == list(want["scores"])
