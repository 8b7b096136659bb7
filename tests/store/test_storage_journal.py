"""A partition's journal (store/wal.py, issue 16): a save of a large partition is one line
appended to ``X.json.wal``; reads replay it, compaction folds it back, and everything that
reads the files without the storage class (backups, restore, migrations, the id search)
sees what it holds."""

from __future__ import annotations

import json
import random
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from store import wal
from store.db import Store
from store.errors import CorruptFileError, StoreError
from store.model import Group, Membership, Session
from store.storage import AtomicJSONStorage, dumps, file_identity
from tests.store import common

TODAY = date(2026, 11, 25)
SEPT = date(2026, 9, 1)


def big_partition(store: Store, n: int = 60) -> tuple[str, Path]:
    """A student whose current-year scores file holds ``n`` ORF and Maze scores (one batch:
    one write of the whole file, over wal.MIN_BYTES), and that file."""
    ava = store.add_student("Ava", "Jones", "3")
    with store.batch("history"):
        for i in range(n):
            store.record_score(
                ava.id, ("ORF", "Maze")[i % 2], 10 + i % 50, SEPT + timedelta(i // 2)
            )
    path = store.data_dir / Store._score_rel(ava.id, TODAY)
    assert path.stat().st_size >= wal.MIN_BYTES and restarted(path)
    return ava.id, path


def restarted(path: Path) -> bool:
    """The file was just written whole: its journal holds the header naming it, no save."""
    return wal.path_of(path).read_bytes() == wal.header(path.read_bytes())


def lines(path: Path) -> list[dict]:
    """The journal of ``path``, parsed (header first)."""
    return [json.loads(x) for x in wal.path_of(path).read_bytes().splitlines()]


def values(store: Store, student_id: str) -> dict[str, float]:
    return {s.id: s.value for s in store.scores(student_id)}


def reopened(data_dir: Path, clock, student_id: str) -> dict[str, float]:
    with Store.open(data_dir, clock=clock, readonly=True) as again:
        return values(again, student_id)


# --------------------------------------------------------------------------- the format
def test_a_save_is_one_journal_line_and_reads_back(store: Store, clock) -> None:
    ava_id, path = big_partition(store)
    before = path.read_bytes()
    new = store.record_score(ava_id, "NWF", 31, TODAY)
    assert path.read_bytes() == before  # the file is not rewritten
    raw = wal.path_of(path).read_bytes()
    doc_id = str(61)  # TinyDB's next id in the file
    assert raw == wal.header(before) + b'{"put":{"%s":%s}}\n' % (
        doc_id.encode(),
        dumps(new.to_doc()),
    )
    assert oct(wal.path_of(path).stat().st_mode & 0o777) == "0o600"
    assert lines(path)[0] == {"base": {"size": len(before), "crc32": wal.base_of(before)[1]}}
    want = values(store, ava_id)
    assert len(want) == 61 and want[new.id] == 31
    assert reopened(store.data_dir, clock, ava_id) == want  # a fresh reader replays it


def test_a_small_partition_is_rewritten_whole(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    store.record_score(ava.id, "ORF", 40, SEPT)
    path = store.data_dir / Store._score_rel(ava.id, TODAY)
    ino = path.stat().st_ino
    store.record_score(ava.id, "ORF", 41, SEPT + timedelta(days=1))
    assert path.stat().st_ino != ino  # replaced, as before the journal
    assert not wal.path_of(path).exists()
    assert len(json.loads(path.read_bytes())["scores"]) == 2


def test_a_torn_last_line_is_ignored_and_cut_off_by_the_next_save(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        ava_id, path = big_partition(s)
        kept = s.record_score(ava_id, "NWF", 31, TODAY)
        want = values(s, ava_id)
    journal = wal.path_of(path)
    good = journal.read_bytes()
    journal.write_bytes(good + b'{"put":{"99":{"id":"sc-torn","val')  # a crash mid-write
    assert reopened(data_dir, clock, ava_id) == want
    with Store.open(data_dir, clock=clock) as s:
        later = s.record_score(ava_id, "NWF", 33, TODAY - timedelta(days=1))
        want = values(s, ava_id)
    raw = journal.read_bytes()
    assert raw.startswith(good) and b"sc-torn" not in raw and raw.endswith(b"}}\n")
    assert len(raw.splitlines()) == 3  # header, kept, later
    assert reopened(data_dir, clock, ava_id) == want
    assert want[kept.id] == 31 and want[later.id] == 33 and len(want) == 62


def test_a_damaged_line_is_reported_and_nothing_is_written(data_dir: Path, clock, tree) -> None:
    with Store.open(data_dir, clock=clock) as s:
        ava_id, path = big_partition(s)
        s.record_score(ava_id, "NWF", 31, TODAY)
        s.record_score(ava_id, "NWF", 32, TODAY - timedelta(days=1))
    journal = wal.path_of(path)
    header, first, second = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(header + b"{oops\n" + second)
    before = tree(data_dir)
    with Store.open(data_dir, clock=clock) as s:
        with pytest.raises(CorruptFileError) as info:
            s.scores(ava_id)
        assert info.value.path == str(journal)
        assert f"{journal} cannot be read (line 2 is not JSON)" in str(info.value)
        assert "It was left untouched" in str(info.value)
        with pytest.raises(CorruptFileError):
            s.record_score(ava_id, "NWF", 35, TODAY - timedelta(days=2))
    assert tree(data_dir) == before


def test_the_journal_is_folded_into_the_file_at_its_limit(store: Store, clock) -> None:
    ava_id, path = big_partition(store, 100)  # 64 lines fit: the line limit comes first
    saves = []
    for i in range(wal.MAX_LINES):
        saves.append(store.record_score(ava_id, "NWF", i, SEPT + timedelta(days=i)))
    assert wal.path_of(path).exists() and len(lines(path)) == 1 + wal.MAX_LINES
    ino = path.stat().st_ino
    last = store.record_score(ava_id, "LNF", 50, TODAY)  # the save past the limit
    assert restarted(path)  # folded in; the next save appends again
    assert path.stat().st_ino != ino
    on_disk = json.loads(path.read_bytes())["scores"]
    assert path.read_bytes() == dumps({"scores": on_disk})
    assert {d["id"] for d in on_disk.values()} >= {s.id for s in [*saves, last]}
    assert len(on_disk) == 100 + wal.MAX_LINES + 1
    assert reopened(store.data_dir, clock, ava_id) == values(store, ava_id)
    store.record_score(ava_id, "LNF", 51, TODAY - timedelta(days=1))  # a new journal
    assert lines(path)[0]["base"]["size"] == path.stat().st_size


def test_a_journal_no_larger_than_its_file(store: Store) -> None:
    ava_id, path = big_partition(store, 50)
    size, ino = path.stat().st_size, path.stat().st_ino
    for i in range(wal.MAX_LINES):
        store.record_score(ava_id, "NWF", 1, TODAY - timedelta(days=i))
        if path.stat().st_ino != ino:
            break
        assert wal.path_of(path).stat().st_size <= size
    assert path.stat().st_ino != ino and restarted(path)
    assert i < wal.MAX_LINES - 1  # folded in by its size, before the line limit


def test_a_crash_between_compaction_and_removing_the_journal(data_dir: Path, clock) -> None:
    """Compaction writes the file whole, then starts its journal again; a crash between
    the two leaves the old journal, whose saves the file already has. Replaying it would
    undo the compacting save's own change to a document it names, so its header (the size
    and CRC-32 of the file it applies to) marks it stale and it is ignored."""
    with Store.open(data_dir, clock=clock) as s:
        ava_id, path = big_partition(s, 100)
        first = s.scores(ava_id)[0]
        for i in range(wal.MAX_LINES - 1):
            s.record_score(ava_id, "NWF", i, SEPT + timedelta(days=i))
        s.update_score(first.id, value=1)  # in the journal
        left = wal.path_of(path).read_bytes()
        s.update_score(first.id, value=2)  # compacts: the file gets value 2
        assert restarted(path)
        want = values(s, ava_id)
    wal.path_of(path).write_bytes(left)  # as if the restart of the journal never happened
    got = reopened(data_dir, clock, ava_id)
    assert got == want and got[first.id] == 2 and len(got) == 100 + wal.MAX_LINES - 1
    with Store.open(data_dir, clock=clock) as s:  # the next save replaces the stale journal
        s.record_score(ava_id, "LNF", 9, TODAY)
        assert len(lines(path)) == 2 and lines(path)[0]["base"]["size"] == path.stat().st_size
        want = values(s, ava_id)
    assert reopened(data_dir, clock, ava_id) == want


def test_delete_and_undo_through_the_journal(store: Store, clock) -> None:
    ava_id, path = big_partition(store)
    victim = store.scores(ava_id)[5]
    store.delete_score(victim.id)
    (doc_id,) = lines(path)[-1]["del"]
    assert lines(path)[-1] == {"del": [doc_id]} and doc_id.isdigit()
    assert victim.id not in reopened(store.data_dir, clock, ava_id)
    store.undo_last()
    assert lines(path)[-1]["put"].popitem()[1]["id"] == victim.id
    assert reopened(store.data_dir, clock, ava_id) == values(store, ava_id)
    assert values(store, ava_id)[victim.id] == victim.value and len(values(store, ava_id)) == 60


def test_a_fresh_store_finds_a_journaled_score_by_id(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        ava_id, _ = big_partition(s)
        new = s.record_score(ava_id, "NWF", 31, TODAY)
    with Store.open(data_dir, clock=clock) as s:  # _locate searches the bytes
        s.update_score(new.id, value=44)
        assert values(s, ava_id)[new.id] == 44


def test_a_journaled_session_day_is_found(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        ava = s.add_student("Ava", "Jones", "3")
        g = s.add_group(Group("", "Reading A", memberships=[Membership(ava.id, SEPT)]))
        with s.batch("sessions"):
            for i in range(60):
                s.log_session(Session("", g.id, SEPT + timedelta(days=i), minutes_delivered=30))
        s.log_session(Session("", g.id, TODAY, minutes_delivered=25, lesson="L9"))
        path = data_dir / Store._session_rel(g.id, TODAY)
        assert b"L9" in wal.path_of(path).read_bytes() and b"L9" not in path.read_bytes()
    with Store.open(data_dir, clock=clock) as s:  # may_hold reads the journal's bytes too
        found = s.session_on(g.id, TODAY)
        assert found is not None and found.lesson == "L9"


# --------------------------------------------------------------------------- other programs
def test_another_program_changing_the_file_or_its_journal_refuses_the_save(
    store: Store,
) -> None:
    ava_id, path = big_partition(store)
    store.record_score(ava_id, "NWF", 31, TODAY)
    journal = wal.path_of(path)
    for victim in (journal, path):
        before = file_identity(path)
        raw = victim.read_bytes()
        victim.write_bytes(raw + b"\n" if victim == path else raw + b'{"del":["1"]}\n')
        edited = {p: p.read_bytes() for p in (path, journal)}
        with pytest.raises(StoreError, match=f"{re.escape(str(victim))} was changed"):
            store.record_score(ava_id, "NWF", 40, TODAY - timedelta(days=1))
        assert {p: p.read_bytes() for p in (path, journal)} == edited
        assert file_identity(path) != before
        store.scores(ava_id)  # read again: the next save goes through
        store.record_score(ava_id, "NWF", 41, TODAY - timedelta(days=2), replace=True)
        store.delete_score(store.scores(ava_id, "NWF")[0].id)


# --------------------------------------------------------------------------- raw readers
def test_a_daily_backup_holds_the_journaled_saves(data_dir: Path, clock, tmp_path) -> None:
    with Store.open(data_dir, clock=clock) as s:
        ava_id, path = big_partition(s)
        s.record_score(ava_id, "NWF", 31, TODAY)
        s.delete_score(s.scores(ava_id)[0].id)
        want = values(s, ava_id)
        folder = s.backup_if_due()
    assert folder is not None and wal.path_of(path).exists()
    rel = path.relative_to(data_dir)
    copied = json.loads((folder / rel).read_bytes())["scores"]
    assert {d["id"]: d["value"] for d in copied.values()} == want
    assert not wal.path_of(folder / rel).exists()  # whole by itself
    manifest = json.loads((folder / "manifest.json").read_bytes())["sha256"]
    assert set(manifest) == {str(p.relative_to(folder)) for p in folder.rglob("*.json")} - {
        "manifest.json"
    }
    elsewhere = tmp_path / "from-backup"
    shutil.copytree(folder, elsewhere)
    assert reopened(elsewhere, clock, ava_id) == want


def test_an_exported_backup_restores_the_journaled_saves(data_dir: Path, clock, tmp_path) -> None:
    from store.export import export_backup, load_backup, restore_backup

    with Store.open(data_dir, clock=clock) as s:
        ava_id, path = big_partition(s)
        new = s.record_score(ava_id, "NWF", 31, TODAY)
        want = values(s, ava_id)
        export_backup(s, tmp_path / "backup.json")
    assert wal.path_of(path).exists()
    target = tmp_path / "restored"
    restore_backup(target, load_backup(tmp_path / "backup.json"), clock=clock)
    assert reopened(target, clock, ava_id) == want and want[new.id] == 31


def test_a_restore_leaves_no_journal_of_the_old_data(data_dir: Path, clock, tmp_path) -> None:
    """A restore of the very same data gives the file the bytes its old journal was written
    against: left in place, that journal would be replayed over the restored records."""
    from store.export import export_backup, load_backup, restore_backup

    with Store.open(data_dir, clock=clock) as s:
        ava_id, path = big_partition(s)
        export_backup(s, tmp_path / "backup.json")
        s.delete_score(s.scores(ava_id)[0].id)  # after the backup: in the journal only
    assert wal.path_of(path).exists()
    result = restore_backup(data_dir, load_backup(tmp_path / "backup.json"), clock=clock)
    assert not list(data_dir.glob("scores/*/*.wal"))
    got = reopened(data_dir, clock, ava_id)
    assert len(got) == 60  # the deleted score is back: the backup's data
    assert result.safety_copy is not None  # the replaced pair kept aside, journal and all
    kept = result.safety_copy / path.relative_to(data_dir)
    assert re.search(rb'\n\{"del":\["\d+"\]\}\n$', wal.path_of(kept).read_bytes())


def test_an_upgrade_folds_the_journals_first(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        ava_id, path = big_partition(s)
        new = s.record_score(ava_id, "NWF", 31, TODAY)
        want = values(s, ava_id)
    core = json.loads((data_dir / "core.json").read_text())
    for doc in core["meta"].values():
        if doc["id"] == "schema":
            doc["version"] = 2  # the v2 → v3 step reads every partition's bytes
    (data_dir / "core.json").write_text(json.dumps(core))
    with Store.open(data_dir, clock=clock) as s:
        assert values(s, ava_id) == want and want[new.id] == 31
    assert restarted(path)
    assert len(json.loads(path.read_bytes())["scores"]) == 61


def test_the_storage_alone_replays_and_compacts(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    table = {str(i): {"id": f"d{i}", "pad": "x" * 200} for i in range(1, 50)}
    st = AtomicJSONStorage(path)
    st.write({"t": dict(table)})
    data = st.read()
    assert data is not None
    data["t"]["50"] = {"id": "d50"}
    st.write(data)
    assert len(lines(path)) == 2
    assert AtomicJSONStorage(path).read() == {"t": {**table, "50": {"id": "d50"}}}
    assert st.compact() and restarted(path)
    assert json.loads(path.read_bytes()) == {"t": {**table, "50": {"id": "d50"}}}
    assert not st.compact()


# --------------------------------------------------------------------------- kill -9
WRITER = r"""
import itertools, sys
from datetime import date, datetime, timedelta
from store.db import Store

store = Store.open(sys.argv[1], clock=lambda: datetime(2026, 11, 25, 10, 0))
kids = [s.id for s in store.students()]
print("ready", flush=True)
for i in itertools.count(int(sys.argv[2])):  # 2 kids x 80 days x 3 measures, then again
    day = date(2026, 11, 25) - timedelta(days=(i // 2) % 80)
    measure = ("NWF", "LNF", "MCOMP")[(i // 160) % 3]
    score = store.record_score(kids[i % 2], measure, i % 100, day, replace=True)
    print(f"{i} {score.id} {score.value:g}", flush=True)
"""


@pytest.mark.slow
def test_kill_9_mid_save_loses_no_acknowledged_journal_line(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        kids = [s.add_student(name, "Kill", "3").id for name in ("Ava", "Ben")]
        with s.batch("history"):
            for kid in kids:
                for i in range(60):
                    s.record_score(kid, "ORF", 40 + i, SEPT + timedelta(days=i))
    rng = random.Random(20261202)
    promised: dict[str, tuple[int, float]] = {}  # score id -> (call, value) acknowledged
    in_flight: list[int] = []  # the calls killed before they were acknowledged
    start, kills, journaled = 0, 0, 0
    while kills < 25:
        out = common.killed_writer(WRITER, [str(data_dir), str(start)], rng.uniform(0.01, 0.12))
        kills += 1
        printed = re.findall(rb"^(\d+) (sc-[0-9a-f]{16}) (\d+)\n", out, flags=re.M)
        promised.update((sid.decode(), (int(i), float(v))) for i, sid, v in printed)
        start += len(printed)
        in_flight.append(start)  # may or may not have landed
        start += 1
        journaled += len(list(data_dir.glob("scores/*/*.json.wal")))
        with Store.open(data_dir, clock=clock) as s:  # always opens, every line readable
            saved = {x.id: x.value for kid in kids for x in s.scores(kid)}
        lost = {
            k: v
            for k, (i, v) in promised.items()
            if saved.get(k) != v  # unless a killed later call on the same day and measure
            and not any(j > i and (j - i) % 480 == 0 and saved.get(k) == j % 100 for j in in_flight)
        }
        assert not lost, f"after kill {kills}: {len(lost)} acknowledged saves lost"
    assert len(promised) > 100 and journaled > 0  # the writer really went through journals


def set_aside(path: Path) -> list[Path]:
    """The stale journals of ``path`` kept beside it."""
    return sorted(path.parent.glob(wal.path_of(path).name + ".stale-*"))


def test_a_file_replaced_by_an_older_copy_keeps_its_journal_aside(data_dir: Path, clock) -> None:
    """Another program (a sync client, a restore by hand) puts back an older copy of the file
    while intervene is closed: the journal no longer applies to it and is not read, but the
    saves it holds are in no file, so the next save renames it aside instead of overwriting."""
    with Store.open(data_dir, clock=clock) as s:
        ava_id, path = big_partition(s)
        older = path.read_bytes()
        s.record_score(ava_id, "NWF", 31, TODAY)
        s.record_score(ava_id, "NWF", 33, TODAY - timedelta(days=1))
    journal = wal.path_of(path).read_bytes()
    assert journal.count(b"\n") == 3  # the header and two saves
    path.write_bytes(older + b" ")  # an older copy, byte for byte other than the journal's base
    assert len(reopened(data_dir, clock, ava_id)) == 60  # the file as it now is
    with Store.open(data_dir, clock=clock) as s:
        s.record_score(ava_id, "LNF", 9, TODAY)
        want = values(s, ava_id)
    (kept,) = set_aside(path)
    assert kept.read_bytes() == journal  # the two saves, untouched
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    assert lines(path)[0]["base"]["size"] == path.stat().st_size and len(lines(path)) == 2
    assert reopened(data_dir, clock, ava_id) == want and len(want) == 61


def test_a_journal_without_its_file_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    storage = AtomicJSONStorage(path)
    table = {str(i): {"id": f"d{i}", "pad": "x" * 200} for i in range(60)}
    storage.write({"scores": table})
    storage.write({"scores": {**table, "61": {"id": "d61"}}})  # a journal line
    journal = wal.path_of(path).read_bytes()
    assert journal.count(b"\n") == 2
    path.unlink()  # removed by another program while closed
    again = AtomicJSONStorage(path)
    assert again.read() is None
    again.write({"scores": {"1": {"id": "new"}}})
    (kept,) = set_aside(path)
    assert kept.read_bytes() == journal
    assert json.loads(path.read_bytes()) == {"scores": {"1": {"id": "new"}}}
