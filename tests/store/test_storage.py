"""The data folder on disk: atomic private files, the lock, corrupt files, backups, paths."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import store.storage as storage_mod
from store import paths
from store.db import Store
from store.errors import CorruptFileError, DiskError, StoreError, StoreLockedError
from store.model import Session
from store.storage import AtomicJSONStorage, atomic_write_bytes
from tests.store import common

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 25)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def fill(store: Store) -> tuple[str, str]:
    """:func:`tests.store.common.fill` with a score of the last school year (2026-03-02)."""
    return common.fill(store, date(2026, 3, 2))


# --------------------------------------------------------------------------- storage
def test_storage_round_trip_and_no_temp_files_left(tmp_path: Path) -> None:
    s = AtomicJSONStorage(tmp_path / "sub" / "x.json", root=tmp_path)
    assert s.read() is None
    assert not (tmp_path / "sub").exists()  # reading creates nothing
    s.write({"t": {"1": {"a": "é"}}})
    assert json.loads((tmp_path / "sub/x.json").read_text("utf-8")) == {"t": {"1": {"a": "é"}}}
    assert os.listdir(tmp_path / "sub") == ["x.json"]
    assert mode(tmp_path / "sub") == 0o700 and mode(tmp_path / "sub/x.json") == 0o600
    assert AtomicJSONStorage(tmp_path / "sub" / "x.json").read() == {"t": {"1": {"a": "é"}}}


def test_write_replaces_the_file_instead_of_editing_it(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    s = AtomicJSONStorage(path)
    s.write({"t": {}})
    link = tmp_path / "snapshot.json"
    os.link(path, link)
    s.write({"t": {"1": {"v": 2}}})
    assert json.loads(link.read_text()) == {"t": {}}  # the old inode is untouched
    assert path.stat().st_ino != link.stat().st_ino


def test_permissions_ignore_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        with Store.open(tmp_path / "d") as s:
            fill(s)
            s.backup_if_due()
    finally:
        os.umask(old)
    root = tmp_path / "d"
    entries = [root, *root.rglob("*")]
    assert len([p for p in entries if p.is_file()]) >= 8
    for p in entries:
        assert mode(p) == (0o700 if p.is_dir() else 0o600), p


def test_existing_loose_folder_is_tightened(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir(mode=0o755)
    os.chmod(tmp_path / "d", 0o755)
    Store.open(tmp_path / "d").close()
    assert mode(tmp_path / "d") == 0o700


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files parsed from now on, in order."""
    loads: list[str] = []
    real = AtomicJSONStorage._load

    def spy(self: AtomicJSONStorage) -> None:
        loads.append(self.path.name)
        real(self)

    monkeypatch.setattr(AtomicJSONStorage, "_load", spy)
    return loads


def test_read_is_cached(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    loads = count_loads(monkeypatch)
    monkeypatch.setattr(Path, "read_bytes", _forbid_core_read(Path.read_bytes))
    for d in range(1, 21):
        store.record_score(ava.id, "ORF", d, date(2026, 11, d))
    store.scores(ava.id)
    assert loads == [f"{ava.id}.json"]  # core never re-read; the partition read once


def _forbid_core_read(real):  # type: ignore[no-untyped-def]
    def read_bytes(self: Path) -> bytes:
        assert self.name != "core.json", "core.json was read again"
        return real(self)

    return read_bytes


def test_may_hold_answers_from_the_bytes_until_the_file_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    doc = {"date": "2026-11-24", "logged_at": "2026-11-25T10:12:00"}
    for text in (json.dumps({"sessions": {"1": doc}}), storage_mod.dumps({"s": {"1": doc}})):
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        s = AtomicJSONStorage(path)
        assert s.may_hold("date", "2026-11-24")
        assert not s.may_hold("date", "2026-11-25")  # only in another field
        assert not s.may_hold("date", "2026-11-2")
        assert s.may_hold("date", 'with "quotes"')  # can't tell from bytes: parse
        s.read()
        assert s.may_hold("date", "2026-11-25")  # loaded: the documents (maybe unsaved) decide
    assert not AtomicJSONStorage(tmp_path / "missing.json").may_hold("date", "2026-11-24")
    # another tool's JSON may spell plain text with escapes: then the file must be parsed
    path.write_text('{"sessions": {"1": {"\\u0064ate": "2026-11-25"}}}')
    escaped = AtomicJSONStorage(path)
    assert escaped.read()["sessions"]["1"]["date"] == "2026-11-25"  # type: ignore[index]
    assert AtomicJSONStorage(path).may_hold("date", "2026-11-25")


def test_a_day_without_a_session_is_known_without_parsing_the_file(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ava_id, group_id = fill(store)
    store.log_session(Session("", group_id, date(2026, 11, 24), minutes_delivered=30))
    store.close()
    store = Store.open(store.data_dir, clock=store._clock)
    loads = count_loads(monkeypatch)
    assert store.session_on(group_id, date(2026, 11, 23)) is None
    assert loads == []  # "2026-11-23" is nowhere in the group's sessions file
    found = store.session_on(group_id, date(2026, 11, 24))
    assert found is not None and found.minutes_delivered == 30
    assert loads == [f"{group_id}.json"]
    # unsaved sessions (a batch keeps writes in memory) are found too, and replaced, not doubled
    with store.batch("two logs"):
        first = store.log_session(Session("", group_id, date(2026, 11, 23), lesson="L1"))
        again = store.log_session(Session("", group_id, date(2026, 11, 23), lesson="L2"))
        assert again.id == first.id
    assert [x.lesson for x in store.sessions(group_id) if x.date == date(2026, 11, 23)] == ["L2"]
    store.close()


def test_a_save_touches_one_partition_only(store: Store) -> None:
    ava_id, group_id = fill(store)
    files = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in store.data_dir.rglob("*.json")}
    store.record_score(ava_id, "NWF", 30, TODAY)
    changed = [
        p
        for p in store.data_dir.rglob("*.json")
        if files.get(p) != (p.stat().st_ino, p.stat().st_mtime_ns)
    ]
    assert changed == [store.data_dir / f"scores/2026/{ava_id}.json"]


def test_open_reads_core_only(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ava_id, _ = fill(store)
    store.close()
    loads: list[str] = []
    real = AtomicJSONStorage._load

    def spy(self: AtomicJSONStorage) -> None:
        loads.append(str(self.path.relative_to(store.data_dir)))
        real(self)

    monkeypatch.setattr(AtomicJSONStorage, "_load", spy)
    with Store.open(store.data_dir, clock=store._clock) as again:
        assert loads == ["core.json"]
        again.students()
        assert loads == ["core.json"]
        again.scores(ava_id)
        assert sorted(loads) == [
            "core.json",
            f"scores/2025/{ava_id}.json",
            f"scores/2026/{ava_id}.json",
        ]


def test_failed_write_keeps_old_file_and_memory_consistent(
    store: Store, monkeypatch: pytest.MonkeyPatch, tree
) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    before = tree(store.data_dir)

    def boom(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage_mod.os, "fsync", boom)
    with pytest.raises(DiskError, match="the disk is full; nothing was saved"):
        store.add_student("Ben", "Lee", "3")
    with pytest.raises(DiskError):
        store.record_score(ava.id, "ORF", 50, TODAY)
    monkeypatch.undo()
    assert tree(store.data_dir) == before  # no temp files, no half files
    assert [s.name for s in store.students()] == ["Ava Jones"]  # memory matches the disk
    assert store.undo_last() == "Undid: added student Ava Jones"  # failed calls pushed nothing
    assert not store.can_undo()


# --------------------------------------------------------------------------- lock
def test_second_open_in_same_process_is_locked(store: Store) -> None:
    with pytest.raises(StoreLockedError, match="already open"):
        Store.open(store.data_dir)
    store.close()
    Store.open(store.data_dir).close()


def test_second_open_in_another_process_is_locked(store: Store) -> None:
    code = (
        "import sys\n"
        "from store.db import Store\n"
        "from store.errors import StoreLockedError\n"
        "try:\n"
        "    Store.open(sys.argv[1])\n"
        "except StoreLockedError as e:\n"
        "    print('LOCKED', e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(store.data_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert out.stdout.startswith("LOCKED"), out.stderr
    assert f"(pid {os.getpid()})" in out.stdout
    assert "another intervene window" in out.stdout
    store.close()
    out = subprocess.run(
        [sys.executable, "-c", code + "else:\n    print('OPENED')\n", str(store.data_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert out.stdout.strip() == "OPENED", out.stderr


# --------------------------------------------------------------------------- corrupt files
def test_corrupt_core_is_reported_and_left_alone(data_dir: Path, clock, tree) -> None:
    with Store.open(data_dir, clock=clock) as s:
        fill(s)
    (data_dir / "core.json").write_bytes(b'{"students": {"1": {"id": "st-')  # a torn write
    before = tree(data_dir)
    with pytest.raises(CorruptFileError) as info:
        Store.open(data_dir, clock=clock)
    err = info.value
    assert err.path == str(data_dir / "core.json")
    assert str(data_dir / "core.json") in str(err) and "left untouched" in str(err)
    assert "No backup holds an undamaged copy of it" in str(err) and err.backup is None
    assert tree(data_dir) == before
    with pytest.raises(CorruptFileError):  # the lock was released; still refused
        Store.open(data_dir, clock=clock)
    assert tree(data_dir) == before


def test_corrupt_core_message_points_at_newest_backup(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        fill(s)
        s.backup_if_due()
        clock.advance(days=1)
        s.backup_if_due()
    (data_dir / "core.json").write_bytes(b"\x00\x00garbage")
    with pytest.raises(CorruptFileError) as info:
        Store.open(data_dir, clock=clock)
    newest = data_dir / "backups/2026-11-26/core.json"
    assert info.value.backup == str(newest)
    assert f"The newest undamaged backup of it is {newest}" in str(info.value)


def test_corrupt_partition_is_reported_and_never_rewritten(data_dir: Path, clock, tree) -> None:
    with Store.open(data_dir, clock=clock) as s:
        ava_id, group_id = fill(s)
    part = data_dir / f"scores/2026/{ava_id}.json"
    part.write_bytes(b'{"scores": [1, 2')
    before = tree(data_dir)
    with Store.open(data_dir, clock=clock) as s:  # opening reads core only: fine
        assert s.student(ava_id).name == "Ava Jones"
        with pytest.raises(CorruptFileError, match=str(part)):
            s.scores(ava_id)
        with pytest.raises(CorruptFileError, match=str(part)):
            s.record_score(ava_id, "ORF", 60, date(2026, 11, 24))
        with pytest.raises(CorruptFileError):
            list(s.iter_scores())
        # other partitions still work
        assert [x.value for x in s.scores(ava_id, until=date(2026, 6, 30))] == [45]
        s.log_session(Session("", group_id, date(2026, 11, 24), minutes_delivered=30))
    after = tree(data_dir)
    assert after[f"scores/2026/{ava_id}.json"] == before[f"scores/2026/{ava_id}.json"]
    assert {k: v for k, v in after.items() if not k.startswith("sessions")} == {
        k: v for k, v in before.items() if not k.startswith("sessions")
    }


def test_non_table_json_is_corrupt(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[1, 2, 3]")
    with pytest.raises(CorruptFileError, match="not a set of tables"):
        AtomicJSONStorage(tmp_path / "x.json").read()
    s = AtomicJSONStorage(tmp_path / "x.json")
    with pytest.raises(CorruptFileError):
        s.write({"t": {}})  # refuses to write over a file it could not read
    assert (tmp_path / "x.json").read_text() == "[1, 2, 3]"


def test_readonly_storage_refuses_writes(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="read-only"):
        AtomicJSONStorage(tmp_path / "x.json", readonly=True).write({})
    assert not (tmp_path / "x.json").exists()


# --------------------------------------------------------------------------- backups
def test_backup_once_a_day_is_a_snapshot(store: Store, clock) -> None:
    ava_id, _ = fill(store)
    folder = store.backup_if_due()
    assert folder == store.data_dir / "backups/2026-11-25"
    assert store.backup_if_due() is None
    data_files = sorted(
        str(p.relative_to(store.data_dir))
        for p in store.data_dir.rglob("*.json")
        if "backups" not in p.parts
    )
    backed_up = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))
    assert backed_up == sorted([*data_files, "manifest.json"])
    part = f"scores/2026/{ava_id}.json"
    saved = (folder / part).read_bytes()
    assert (folder / part).stat().st_ino != (store.data_dir / part).stat().st_ino  # a copy
    assert (folder / "core.json").stat().st_ino != (store.data_dir / "core.json").stat().st_ino
    assert (folder / "core.json").read_bytes() == (store.data_dir / "core.json").read_bytes()
    store.record_score(ava_id, "ORF", 52, date(2026, 11, 24))
    assert (folder / part).read_bytes() == saved  # a true snapshot
    assert store.backups() == [folder]


def test_backups_keep_the_newest_14_days(store: Store, clock) -> None:
    fill(store)
    made = []
    for _ in range(15):
        made.append(store.backup_if_due())
        clock.advance(days=1)
    assert all(made)
    kept = store.backups()
    assert len(kept) == 14
    assert kept[0].name == "2026-12-09" and kept[-1].name == "2026-11-26"
    assert not (store.data_dir / "backups/2026-11-25").exists()
    for p in (store.data_dir / "backups").rglob("*"):
        assert mode(p) == (0o700 if p.is_dir() else 0o600)


def test_backup_cleans_stale_temp_files(store: Store) -> None:
    ava_id, _ = fill(store)
    stale = store.data_dir / f"scores/2026/.{ava_id}.json.abc123.tmp"
    stale.write_bytes(b"half")
    folder = store.backup_if_due()
    assert folder is not None
    assert not stale.exists()
    assert not list(folder.rglob("*.tmp"))


def test_backup_falls_back_to_copy(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(store)

    def no_links(src: object, dst: object) -> None:
        raise OSError(1, "links not supported")

    monkeypatch.setattr(os, "link", no_links)
    folder = store.backup_if_due()
    assert folder is not None
    for copy in folder.rglob("*.json"):
        if copy.name == "manifest.json":
            continue
        original = store.data_dir / copy.relative_to(folder)
        assert copy.read_bytes() == original.read_bytes()
        assert copy.stat().st_ino != original.stat().st_ino
        assert mode(copy) == 0o600


# --------------------------------------------------------------------------- paths
def test_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INTERVENE_DATA_DIR", str(tmp_path / "real"))
    monkeypatch.delenv("INTERVENE_DEMO_DIR", raising=False)
    assert paths.default_data_dir() == tmp_path / "real"
    assert paths.demo_data_dir() == tmp_path / "real-demo"
    monkeypatch.setenv("INTERVENE_DEMO_DIR", str(tmp_path / "demo"))
    assert paths.demo_data_dir() == tmp_path / "demo"
    monkeypatch.delenv("INTERVENE_DATA_DIR")
    monkeypatch.delenv("INTERVENE_DEMO_DIR")
    real, demo = paths.default_data_dir(), paths.demo_data_dir()
    assert real.name == "intervene" and demo != real
    assert not str(demo).startswith(str(real) + os.sep)
    assert paths.backups_dir(tmp_path) == tmp_path / "backups"


def test_atomic_write_bytes_is_durable_and_private(tmp_path: Path, monkeypatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(storage_mod.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    atomic_write_bytes(tmp_path / "f.json", b"{}")
    assert len(synced) == 2  # the file, then the folder
    assert mode(tmp_path / "f.json") == 0o600
    assert (tmp_path / "f.json").read_bytes() == b"{}"


def test_incremental_encoding_matches_a_full_dump(store: Store) -> None:
    """Saves re-encode only changed documents; the file must equal a full re-encode."""
    from store.storage import dumps

    ava_id, group_id = fill(store)
    s = store.record_score(ava_id, "NWF", 20, date(2026, 11, 20))
    store.record_score(ava_id, "NWF", 25, date(2026, 11, 20), replace=True)
    store.update_score(s.id, value=27)
    store.record_score(ava_id, "LNF", 40, date(2026, 11, 21))
    store.delete_score(s.id)
    store.undo_last()
    store.update_student(ava_id, notes="changed")
    store.undo_last()
    for path in store.data_dir.rglob("*.json"):
        if "backups" in path.parts:
            continue
        raw = path.read_bytes()
        rel = str(path.relative_to(store.data_dir))
        assert raw == dumps(json.loads(raw)), rel
        assert json.loads(raw) == store._storage(rel).read(), rel


def test_in_place_damage_to_core_spares_its_backup(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        fill(s)
        folder = s.backup_if_due()
    assert folder is not None
    good = (folder / "core.json").read_bytes()
    with open(data_dir / "core.json", "r+b") as f:  # an editor writing in place
        f.write(b"#")
    assert (folder / "core.json").read_bytes() == good
    with pytest.raises(CorruptFileError) as info:
        Store.open(data_dir, clock=clock)
    assert info.value.backup == str(folder / "core.json")


def test_corrupt_message_skips_backups_of_the_damaged_file(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        ava_id, _ = fill(s)
        s.backup_if_due()  # 2026-11-25: a good copy
    part = data_dir / f"scores/2026/{ava_id}.json"
    (data_dir / "damaged").write_bytes(b"{oops")
    os.replace(data_dir / "damaged", part)  # replaced by some other tool
    clock.advance(days=1)
    with Store.open(data_dir, clock=clock) as s:
        s.backup_if_due()  # 2026-11-26 links the damaged file too
        with pytest.raises(CorruptFileError) as info:
            s.scores(ava_id)
    good = data_dir / f"backups/2026-11-25/scores/2026/{ava_id}.json"
    assert info.value.backup == str(good)
    assert json.loads(good.read_bytes())["scores"]
