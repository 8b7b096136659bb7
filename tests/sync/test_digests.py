"""The digest cache a sync keeps per data file (issue 18, store/sync/digests.py).

The pushes a sync computes with the cache must be those it computes from every file read
and hashed again, whatever happened to the files; a save made during a sync does not wait
for it. No server is needed except where a sync runs end to end."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from store.db import Store
from store.export import export_backup, load_backup, restore_backup
from store.storage import AtomicJSONStorage
from store.sync import digests, engine, mapping
from store.sync import state as sync_state
from store.sync.digests import Cache, LocalView
from store.sync.state import SyncState
from tests.sync.test_sync import DAY, _member, _orf

Push = tuple[str, str, dict[str, Any] | None, str]


def _pushes(store: Store, st: SyncState, cache: Cache | None) -> list[Push]:
    """What the next push would send (``cache``: None for the folder's own cache, which is
    saved after; a fresh ``Cache()`` reads and hashes every file)."""
    own = cache is None
    view = LocalView(store, cache)
    changed = sorted(engine._changed(st, view), key=lambda p: p[0])
    if own:
        digests.save_cache(store.data_dir, view.cache)
    return changed


def _check(store: Store, st: SyncState) -> list[Push]:
    """The pushes with the cache, after asserting they equal the ones without it."""
    cached = _pushes(store, st, None)
    assert cached == _pushes(store, st, Cache())
    return cached


def _synced_state(store: Store) -> SyncState:
    """A sync state that has every record here as synced (as after a sync)."""
    st = SyncState(url="http://127.0.0.1:9/team", user="ava")
    view = LocalView(store, Cache())
    for cid in view.records:
        st.mark(cid, ["1-a", view.get(cid).digest])  # type: ignore[union-attr]
    return st


def _caseload(folder: Path) -> tuple[str, str, str]:
    with Store.open(folder) as s:
        mia = s.add_student("Mia", "Lopez", "2").id
        noor = s.add_student("Noor", "Haddad", "3").id
        s.record_score(mia, "ORF", 62, DAY)
        s.record_score(mia, "ORF", 66, date(2026, 11, 27))
        gone = s.record_score(noor, "ORF", 40, DAY).id
    return mia, noor, gone


def test_the_cache_gives_the_pushes_of_no_cache_through_edits_deletes_undo_and_restore(
    tmp_path,
):
    folder = tmp_path / "data"
    mia, noor, gone = _caseload(folder)
    with Store.open(folder) as s:
        st = _synced_state(s)
        assert _check(s, st) == []
        backup = tmp_path / "before.json"
        export_backup(s, backup)
        first = s.scores(mia, "ORF")[0]
        s.update_score(first.id, value=63)
        edited = f"score:{mia}:ORF:{DAY.isoformat()}"
        assert [(p[0], p[2]["value"]) for p in _check(s, st)] == [(edited, 63)]  # type: ignore[index]
        s.delete_score(gone)
        deleted = f"score:{noor}:ORF:{DAY.isoformat()}"
        assert {p[0]: p[2] for p in _check(s, st)} == {
            deleted: None,
            edited: s.scores(mia, "ORF")[0].to_doc(),
        }
        s.undo_last()  # the delete
        assert [p[0] for p in _check(s, st)] == [edited]
        s.undo_last()  # the edit
        assert _check(s, st) == []
        s.update_student(noor, grade="4")  # core.json
        assert [p[0] for p in _check(s, st)] == [f"student:{noor}"]
        s.record_score(noor, "ORF", 45, date(2026, 11, 27))
        assert len(_check(s, st)) == 2
    digests._MEMORY.clear()  # the next look reads the cache from its file
    restore_backup(folder, load_backup(backup))
    with Store.open(folder) as s:
        assert _check(s, st) == []  # the restored files: what was synced, nothing else


def _rewrite_same_size(path: Path, old: bytes, new: bytes) -> None:
    """Change ``path`` in place as another program might: same inode, same size, and its
    mtime set back to what it was."""
    assert len(old) == len(new)
    before = path.stat()
    raw = path.read_bytes()
    assert raw.count(old) == 1
    with open(path, "r+b") as f:
        f.write(raw.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def _age(folder: Path, seconds: float) -> None:
    """Make the saved cache as if it had been computed ``seconds`` later (so its files are
    not 'racily clean' any more; as waiting that long would)."""
    cache = digests.load_cache(folder)
    for entry in cache.files.values():
        entry.read_at += int(seconds * 1e9)
    cache.changed = True
    digests.save_cache(folder, cache)
    digests._MEMORY.clear()


def test_a_file_changed_by_another_program_with_the_same_size_is_read_again(tmp_path):
    folder = tmp_path / "data"
    mia, _noor, _gone = _caseload(folder)
    with Store.open(folder) as s:
        st = _synced_state(s)
        assert _check(s, st) == []
        rel = f"scores/2026/{mia}.json"
    _age(folder, 60)
    path = folder / rel
    key = digests.file_key(path)
    assert digests.load_cache(folder).files[rel].trusted(key)  # unchanged: not read again
    _rewrite_same_size(path, b'"value":62', b'"value":64')
    assert digests.file_key(path) != key  # the ctime moved
    with Store.open(folder) as s:
        view = LocalView(s)
        assert view.hashed == 2  # that file's two scores only
        pushed = _check(s, st)
    assert [(p[0], p[2]["value"]) for p in pushed] == [  # type: ignore[index]
        (f"score:{mia}:ORF:{DAY.isoformat()}", 64)
    ]


def test_a_file_changed_within_the_clock_tick_of_its_read_is_not_trusted(tmp_path):
    """git's 'racily clean' case: a change right after the read may leave every time as it
    was; such an entry is read again (and trusted once its file is older than RACY_NS)."""
    folder = tmp_path / "data"
    mia, _noor, _gone = _caseload(folder)
    rel = f"scores/2026/{mia}.json"
    with Store.open(folder) as s:
        st = _synced_state(s)
        _check(s, st)
        cache = digests.load_cache(folder)
        entry = cache.files[rel]
        key = digests.file_key(folder / rel)
        assert entry.key == key and not entry.trusted(key)  # written just now
        wrong = {cid: (table, "0" * 32) for cid, (table, _d) in entry.digests.items()}
        cache.files[rel] = digests.FileDigests(key, wrong, entry.read_at)
        assert [p[0] for p in engine._changed(st, LocalView(s, cache))] == []  # read again
        cache.files[rel] = digests.FileDigests(key, wrong, entry.read_at + digests.RACY_NS)
        view = LocalView(s, cache)
        here = {view.get(cid).digest for cid in wrong}  # type: ignore[union-attr]
        assert here == {"0" * 32}  # trusted: not read
        assert len(engine._unsynced(st, view)) == 2


def test_a_sync_that_finds_nothing_changed_reads_no_file(tmp_path):
    folder = tmp_path / "data"
    _caseload(folder)
    with Store.open(folder) as s:
        st = _synced_state(s)
        assert engine.waiting(s, st) == 0
        _age(folder, 60)
        view = LocalView(s)  # the cache from its file (a new process)
        assert view.hashed == 0 and len(view.records) == len(st.docs)
        assert engine._changed(st, view) == []
    path = folder / sync_state.DIGESTS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_bytes(b'{"format": 1, "kind": "sha')  # damaged: ignored, rebuilt
    digests._MEMORY.clear()
    with Store.open(folder) as s:
        assert engine.waiting(s, st) == 0
    assert json.loads(path.read_bytes().split(b"\n")[0])["kind"] == digests.KIND
    sync_state.forget(folder)  # `intervene sync leave`
    assert not path.exists()


def test_a_look_after_a_save_appends_that_file_s_line_and_a_torn_line_is_read_again(tmp_path):
    """The cache file is not written whole for a few changed files: their lines are
    appended (the file keeps its inode). A line cut short (a kill mid-append) is skipped and
    its file hashed again; superseded lines are compacted away in time. Through all of it
    the pushes are the ones computed without a cache."""
    folder = tmp_path / "data"
    mia, noor, _gone = _caseload(folder)
    path = folder / sync_state.DIGESTS_FILE
    mia_rel = f"scores/2026/{mia}.json"
    with Store.open(folder) as s:
        st = _synced_state(s)
        assert _check(s, st) == []
    _age(folder, 60)  # written whole; no entry is 'racily clean' any more
    whole = path.stat()
    with Store.open(folder) as s:
        s.record_score(mia, "ORF", 70, date(2026, 11, 30))
        assert [p[0] for p in _check(s, st)] == [f"score:{mia}:ORF:2026-11-30"]
    after = path.stat()
    assert after.st_ino == whole.st_ino  # appended to, not replaced
    lines = path.read_bytes().splitlines()
    assert json.loads(lines[-1])["rel"] == mia_rel
    assert after.st_size - whole.st_size == len(lines[-1]) + 1  # that file's line only
    path.write_bytes(path.read_bytes()[:-10])  # its line cut short
    digests._MEMORY.clear()
    with Store.open(folder) as s:
        view = LocalView(s)
        assert view.hashed == 3  # mia's file only (its three scores): read again
        assert {cid for cid, rel in view.records.items() if rel == mia_rel} == {
            f"score:{mia}:ORF:{d}" for d in (DAY.isoformat(), "2026-11-27", "2026-11-30")
        }
        for n in range(40):  # a look after each save: compacted once superseded lines pile up
            s.update_score(s.scores(mia, "ORF")[0].id, value=100 + n)
            assert [p[0] for p in _check(s, st)] == [
                f"score:{mia}:ORF:{DAY.isoformat()}",
                f"score:{mia}:ORF:2026-11-30",
            ]
    rels = [json.loads(x)["rel"] for x in path.read_bytes().splitlines()[1:]]
    assert len(rels) <= 2 * 16  # never more than twice the live lines (16 at least)
    assert set(rels) == {"core.json", mia_rel, f"scores/2026/{noor}.json"}
    digests._MEMORY.clear()
    with Store.open(folder) as s:  # what a new process reads from the compacted file
        assert set(digests.load_cache(folder).files) == set(rels)
        assert [p[0] for p in _check(s, st)] == [
            f"score:{mia}:ORF:{DAY.isoformat()}",
            f"score:{mia}:ORF:2026-11-30",
        ]


@pytest.mark.parametrize(
    "doc",
    [
        {"id": "st-1", "given_name": "Zoë", "family_name": "Nguyễn", "grade": "2"},
        {"value": 61.5, "errors": None, "flags": [1, "a", {"b": True, "a": False}]},
        {"z": 1, "a": {"y": "\u2028", "x": "tab\there"}, "m": -0.0, "n": 10**20},
    ],
)
def test_digests_are_the_ones_every_existing_sync_state_holds(doc):
    """The cheaper encoder makes the very digests of the json.dumps(sort_keys=True) that
    sync states were written with: they keep working, nothing to upgrade."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert mapping.content_hash(doc) == hashlib.sha256(text.encode()).hexdigest()[:32]


def test_a_save_during_a_sync_returns_before_the_sync_ends(tmp_path, team, capsys, monkeypatch):
    """The sync reads the files without the Store's mutex: a save made while it reads (here
    held at its first file read until the save is done) does not wait for it."""
    a = _member(tmp_path, team, "ava", capsys)
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
        s.record_score(kid, "ORF", 50, date(2026, 11, 13))
    reading, saved = threading.Event(), threading.Event()
    real_load = AtomicJSONStorage._load
    sync_thread: list[threading.Thread] = []
    held: list[bool] = []

    def load(self: AtomicJSONStorage) -> None:
        if threading.current_thread() in sync_thread and not reading.is_set():
            reading.set()
            # False only when the save waited for the sync (the old mutex): a deadlock
            held.append(saved.wait(timeout=10))
        real_load(self)

    monkeypatch.setattr(AtomicJSONStorage, "_load", load)
    order: list[str] = []
    store = a.store()
    try:

        def run_sync() -> None:
            engine.sync(store, password="ava-pw")
            order.append("sync ended")

        worker = threading.Thread(target=run_sync)
        sync_thread.append(worker)
        worker.start()
        assert reading.wait(timeout=30)
        store.record_score(kid, "ORF", 62, DAY)  # the user saves while the sync reads
        order.append("saved")
        saved.set()
        worker.join(timeout=60)
        assert held == [True]  # the save was made while the sync was held mid-read
        assert order == ["saved", "sync ended"]
        # the save is the team's at the next sync, not lost under the one in flight
        engine.sync(store, password="ava-pw")
    finally:
        store.close()
    b = _member(tmp_path, team, "ben", capsys)
    b.sync()
    with b.store() as s:
        assert _orf(s, kid) == [50, 62]


def test_a_save_made_while_a_pull_applies_is_not_overwritten(tmp_path, team, capsys, monkeypatch):
    """Between the pull's look at the records here and its write, the user saves the very
    record the team changed: the save stays, and the next sync makes it a conflict."""
    a, b = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "ben", capsys)
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
        s.record_score(kid, "ORF", 62, DAY)
    a.sync()
    b.sync()
    with b.store() as s:
        s.update_score(s.scores(kid, "ORF")[0].id, value=70)
    b.sync()
    real_apply = engine._apply
    store = a.store()

    def apply_after_a_save(store_: Store, st: SyncState, batch: dict[str, Any]) -> int:
        store.update_score(store.scores(kid, "ORF")[0].id, value=65)  # the user, just now
        return real_apply(store_, st, batch)

    try:
        monkeypatch.setattr(engine, "_apply", apply_after_a_save)
        assert engine.sync(store, password="ava-pw").received == 0
        monkeypatch.setattr(engine, "_apply", real_apply)
        assert [x.value for x in store.scores(kid, "ORF")] == [65]
        assert engine.sync(store, password="ava-pw").conflicts == 1
    finally:
        store.close()
    b.sync()
    code, out, err = b.run("sync", "conflicts", "--json")
    assert code == 0, err
    values = sorted(v["record"]["value"] for v in json.loads(out)[0]["versions"])
    assert values == [65, 70]


def test_a_save_the_partition_journal_took_is_seen(tmp_path):
    """A save into a partition of 8 KiB or more appends to its journal (X.json.wal) and
    leaves X.json as it was: the cache must see it all the same."""
    folder = tmp_path / "data"
    with Store.open(folder) as s:
        kid = s.add_student("Mia", "Lopez", "2").id
        with s.batch("a term of scores"):
            for n in range(60):
                s.record_score(kid, "ORF", 40 + n, date(2026, 9, 1) + timedelta(days=n))
        st = _synced_state(s)
        assert _check(s, st) == []
    _age(folder, 60)
    path = folder / f"scores/2026/{kid}.json"
    before = path.stat()
    with Store.open(folder) as s:
        s.update_score(s.scores(kid, "ORF")[5].id, value=99)
        assert path.with_name(path.name + ".wal").is_file()
        assert path.stat().st_ino == before.st_ino  # X.json itself not rewritten
        pushed = _check(s, st)
    assert [(p[0], p[2]["value"]) for p in pushed] == [  # type: ignore[index]
        (f"score:{kid}:ORF:2026-09-06", 99)
    ]


def _feed_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of rows of each _changes page the syncs read (appended as they go)."""
    from store.sync.couch import Couch

    pages: list[int] = []
    real = Couch.changes

    def changes(self: Couch, since: Any, limit: int) -> dict[str, Any]:
        page = real(self, since, limit)
        pages.append(len(page.get("results", [])))
        return page

    monkeypatch.setattr(Couch, "changes", changes)
    return pages


def test_the_pull_does_not_read_back_what_the_push_just_wrote(tmp_path, team, capsys, monkeypatch):
    a = _member(tmp_path, team, "ava", capsys)
    with a.store() as s, s.batch("roster"):
        for i in range(30):
            s.add_student(f"Kid{i}", "Test", "2")
    pages = _feed_rows(monkeypatch)
    with a.store() as s:
        result = engine.sync(s, password="ava-pw")
    assert result.sent > 30
    assert sum(pages) < 5  # the design document's row, not the 30-odd just written


def test_a_change_another_member_makes_during_the_push_is_received(
    tmp_path, team, capsys, couch_server, monkeypatch
):
    """The push's own writes are skipped only when the database moved by exactly them."""
    a, b = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "ben", capsys)
    with b.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
    b.sync()
    with a.store() as s:
        a_kids = [s.add_student(f"Kid{i}", "Test", "2").id for i in range(12)]
    b_store = b.store()
    done: list[str] = []

    def meanwhile(what: str) -> None:
        if what == "push" and not done:  # Ben saves and syncs while Ava's push runs
            b_store.record_score(kid, "ORF", 62, DAY)
            engine.sync(b_store, password="ben-pw")
            done.append(what)

    monkeypatch.setattr(engine, "BATCH", 5)
    try:
        with a.store() as s:
            result = engine.sync(s, password="ava-pw", after_batch=meanwhile)
            assert done and result.received >= 1
            assert _orf(s, kid) == [62]
            assert len(s.students()) == 13
    finally:
        b_store.close()
    b.sync()
    with b.store() as s:
        assert sorted(st.id for st in s.students()) == sorted([kid, *a_kids])


def test_each_save_reaches_the_team_once_through_appended_caches(tmp_path, team, capsys):
    """Saves between syncs (each sync a new process: the cache read from its file, appended
    to) are each sent once, and the next sync sends nothing."""
    a, b = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "ben", capsys)
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
        s.record_score(kid, "ORF", 50, date(2026, 11, 13))
    assert not a.sync().startswith("sent 0 ")  # the caseload (with measures, calendar)
    for n, day in enumerate((date(2026, 11, 16), date(2026, 11, 17), DAY)):
        with a.store() as s:
            s.record_score(kid, "ORF", 55 + n, day)
        digests._MEMORY.clear()  # the next sync is a new process
        assert a.sync().startswith("sent 1 ")
        digests._MEMORY.clear()
        assert a.sync().startswith("sent 0 ")  # nothing twice
    assert len((a.folder / sync_state.DIGESTS_FILE).read_bytes().splitlines()) > 3  # appended
    b.sync()
    with b.store() as s:
        assert _orf(s, kid) == [50, 55, 56, 57]


def test_a_look_waits_while_a_save_is_under_way(tmp_path):
    """A sync's loops give way to a save (Store.wait_for_saves between files and every few
    records): while another thread is in the Store, the look does not go on."""
    folder = tmp_path / "data"
    _caseload(folder)
    with Store.open(folder) as s:
        calls: list[int] = []
        real = s.wait_for_saves

        def counted() -> None:
            calls.append(1)
            real()

        s.wait_for_saves = counted  # type: ignore[method-assign]
        LocalView(s, Cache())
        assert len(calls) >= len(s.replica_files())  # at least once a file
        s.wait_for_saves = real  # type: ignore[method-assign]
        looked = threading.Event()

        def look() -> None:
            LocalView(s, Cache())
            looked.set()

        with s._mutex:  # a save under way in another thread (this one)
            worker = threading.Thread(target=look)
            worker.start()
            worker.join(timeout=0.5)
            assert worker.is_alive() and not looked.is_set()  # waiting for the save
        worker.join(timeout=30)
        assert looked.is_set()  # and then it goes on
