"""Issue 15, data loss: real backups, unique ids, a lock that holds, atomic restore."""

from __future__ import annotations

import json
import os
import shlex
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from store.errors import CorruptFileError
from store.model import Attendance, Group, Membership, Session
from tests.store import common

TODAY = date(2026, 11, 25)


def fill(store: Store) -> tuple[str, str]:
    """:func:`tests.store.common.fill` with both scores in this school year."""
    return common.fill(store, date(2026, 11, 2))


def two_backups(data_dir: Path, clock) -> tuple[str, Path, Path]:
    """A filled folder backed up on two days: the student's id, the first and newest backup."""
    with Store.open(data_dir, clock=clock) as s:
        ava_id, _ = fill(s)
        first = s.backup_if_due()
        clock.advance(days=1)
        newest = s.backup_if_due()
    assert first is not None and newest is not None
    return ava_id, first, newest


def damage_in_place(path: Path) -> None:
    """What a disk error, an in-place editor or `truncate` does: same inode, new bytes."""
    ino = path.stat().st_ino
    with open(path, "r+b") as f:
        f.write(b"\x00\x00\x00#")
    assert path.stat().st_ino == ino


# --------------------------------------------------------------------------- 1. backups
def test_in_place_damage_spares_every_backup(data_dir: Path, clock) -> None:
    ava_id, first, newest = two_backups(data_dir, clock)
    part = f"scores/2026/{ava_id}.json"
    good = (data_dir / part).read_bytes()
    damage_in_place(data_dir / part)
    for folder in (first, newest):
        assert (folder / part).read_bytes() == good  # independent copies
        manifest = json.loads((folder / "manifest.json").read_text())
        assert part in manifest["sha256"] and "core.json" in manifest["sha256"]
    with Store.open(data_dir, clock=clock) as s, pytest.raises(CorruptFileError) as info:
        s.scores(ava_id)
    assert info.value.backup == str(newest / part)
    command = f"cp {shlex.quote(str(newest / part))} {shlex.quote(str(data_dir / part))}"
    assert command in str(info.value)


def test_a_damaged_backup_is_never_offered(data_dir: Path, clock) -> None:
    ava_id, first, newest = two_backups(data_dir, clock)
    part = f"scores/2026/{ava_id}.json"
    damage_in_place(newest / part)  # the newest copy rotted on disk
    damage_in_place(data_dir / part)
    with Store.open(data_dir, clock=clock) as s, pytest.raises(CorruptFileError) as info:
        s.scores(ava_id)
    assert info.value.backup == str(first / part)
    assert str(newest) not in str(info.value)


# --------------------------------------------------------------------------- 2. unique ids
def _retag(path: Path, table: str, old: str, new: str) -> None:
    data = json.loads(path.read_text())
    for doc in data[table].values():
        if doc["id"] == old:
            doc["id"] = new
    path.write_text(json.dumps(data))


def test_duplicate_ids_across_the_folder_are_renamed_on_open(data_dir: Path, clock) -> None:
    from store.export import backup_document, check_backup, records_of, restore_backup

    with Store.open(data_dir, clock=clock) as s:
        ava_id, group_id = fill(s)
        ben = s.add_student("Ben", "Lee", "3")
        other = s.add_group(Group("", "Reading B", memberships=[Membership(ben.id, TODAY)]))
        ava_score = s.scores(ava_id)[-1]
        ava_session = s.session_on(group_id, TODAY)
        ben_session = s.log_session(
            Session("", other.id, TODAY, minutes_delivered=20, attendance=[Attendance(ben.id)])
        )
        ben_score = s.record_score(ben.id, "ORF", 70, TODAY, session_id=ben_session.id)
    assert ava_session is not None
    # The 32-bit ids of older versions, checked per file, collided across files:
    ben_part = data_dir / f"scores/2026/{ben.id}.json"
    _retag(ben_part, "scores", ben_score.id, ava_score.id)
    raw = ben_part.read_text().replace(ben_session.id, ava_session.id)  # its session_id too
    ben_part.write_text(raw)
    _retag(data_dir / f"sessions/2026/{other.id}.json", "sessions", ben_session.id, ava_session.id)
    core = json.loads((data_dir / "core.json").read_text())
    for doc in core["meta"].values():
        if doc["id"] == "schema":
            doc["version"] = 2
    (data_dir / "core.json").write_text(json.dumps(core))

    with Store.open(data_dir, clock=clock) as s:
        scores = [sc for sid in (ava_id, ben.id) for sc in s.scores(sid)]
        assert len(scores) == 3 and len({sc.id for sc in scores}) == 3
        assert sorted(sc.value for sc in scores) == [45, 50, 70]
        sessions = s.sessions()
        assert len(sessions) == 2 and len({se.id for se in sessions}) == 2
        assert {se.group_id for se in sessions} == {group_id, other.id}
        bens = next(se for se in sessions if se.group_id == other.id)
        assert s.score_on(ben.id, "ORF", TODAY).session_id == bens.id  # type: ignore[union-attr]
        kept = next(sc for sc in scores if sc.id == ava_score.id)  # the first one seen
        s.update_score(kept.id, value=99)  # an edit by id changes only that score
        after = {sc.id: sc.value for sid in (ava_id, ben.id) for sc in s.scores(sid)}
        assert after == {sc.id: 99 if sc is kept else sc.value for sc in scores}
        doc = backup_document(s)
    assert (data_dir / "backups/before-v3-upgrade/core.json").is_file()
    fresh = data_dir.parent / "fresh"
    restore_backup(fresh, check_backup(json.loads(json.dumps(doc))))
    with Store.open(fresh, readonly=True) as s:
        assert records_of(backup_document(s)) == records_of(doc)


def test_new_score_and_session_ids_have_64_random_bits(store: Store) -> None:
    ava_id, group_id = fill(store)
    assert all(len(sc.id) == len("sc-") + 16 for sc in store.scores(ava_id))
    assert all(len(se.id) == len("se-") + 16 for se in store.sessions())


# --------------------------------------------------------------------------- 3. the lock
def test_removing_the_lock_file_lets_no_second_writer_in(data_dir: Path, clock) -> None:
    from store.errors import StoreLockedError

    with Store.open(data_dir, clock=clock):
        (data_dir / ".lock").unlink()  # a cleanup tool or a sync client
        with pytest.raises(StoreLockedError, match="already open"):
            Store.open(data_dir, clock=clock)
    with Store.open(data_dir, clock=clock):  # released on close
        pass


def test_a_file_replaced_behind_the_store_is_not_overwritten(data_dir: Path, clock) -> None:
    from store.errors import StoreError
    from store.storage import atomic_write_bytes

    with Store.open(data_dir, clock=clock) as s:
        ava_id, _ = fill(s)
        part = data_dir / f"scores/2026/{ava_id}.json"
        theirs = json.loads(part.read_bytes())
        for doc in theirs["scores"].values():
            doc["value"] = 77.0  # another program saved a change
        atomic_write_bytes(part, json.dumps(theirs).encode())
        saved = part.read_bytes()
        with pytest.raises(StoreError, match="changed by another program"):
            s.record_score(ava_id, "ORF", 60, date(2026, 11, 20))
        assert part.read_bytes() == saved
        assert {sc.value for sc in s.scores(ava_id)} == {77.0}  # reloaded, not the cache
        s.record_score(ava_id, "ORF", 60, date(2026, 11, 20))  # now it knows the file
        assert {sc.value for sc in s.scores(ava_id)} == {77.0, 60.0}
    core = data_dir / "core.json"
    with Store.open(data_dir, clock=clock) as s:
        s.students()
        with open(core, "r+b") as f:  # edited in place: same inode, new mtime and bytes
            raw = f.read()
            f.seek(0)
            f.write(raw.replace(b'"Ava"', b'"Eva"'))
        os.utime(core, ns=(core.stat().st_atime_ns, core.stat().st_mtime_ns + 10**9))
        with pytest.raises(StoreError, match="changed by another program"):
            s.add_student("Cy", "Ng", "2")
        assert [st.given_name for st in s.students()] == ["Eva"]


# --------------------------------------------------------------------------- 4. atomic restore
_KILL_RESTORE = """
import os, sys
from store.db import journal
from store.export import load_backup, restore_backup

folder, backup, where, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
calls = [0]
real = getattr(journal, where)

def killed(*args, **kwargs):
    calls[0] += 1
    if calls[0] == n:
        os._exit(9)  # kill -9: no cleanup, no finally
    return real(*args, **kwargs)

setattr(journal, where, killed)
restore_backup(folder, load_backup(backup))
"""


def _records(folder: Path) -> dict:
    from store.export import backup_document, records_of

    with Store.open(folder) as s:
        return records_of(backup_document(s)) | {"notices": s.notices}


@pytest.mark.parametrize(
    ("where", "n", "outcome"),
    [
        ("write_journal", 1, "old"),  # staged, not yet committed
        ("_move", 1, "new"),  # the first file moved in
        ("_move", 2, "new"),  # half way
        ("_move", 4, "new"),  # core.json, the last of the four files
    ],
)
def test_a_kill_during_restore_leaves_old_or_new_data_never_both(
    data_dir: Path, tmp_path: Path, clock, where: str, n: int, outcome: str
) -> None:
    import subprocess
    import sys

    from store.export import backup_document, export_backup, records_of

    with Store.open(data_dir, clock=clock) as s:
        ava_id, group_id = fill(s)
        ben = s.add_student("Ben", "Lee", "3")
        s.record_score(ben.id, "ORF", 70, TODAY)
        backup = tmp_path / "backup.json"
        export_backup(s, backup)
        new = records_of(json.loads(backup.read_text()))
        # after the backup: changes the restore must undo, in four files
        s.record_score(ava_id, "ORF", 61, date(2026, 11, 18))
        s.record_score(ben.id, "ORF", 71, date(2026, 11, 18))
        s.log_session(Session("", group_id, date(2026, 11, 18), minutes_delivered=30))
        s.add_student("Cy", "Ng", "2")
        old = records_of(backup_document(s))
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _KILL_RESTORE, str(data_dir), str(backup), where, str(n)],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 9, out.stderr
    after = _records(data_dir)
    notices = after.pop("notices")
    assert after == (new if outcome == "new" else old)
    assert len(notices) == 1 and "interrupted" in notices[0]
    assert ("completed" in notices[0]) == (outcome == "new")
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".restore")]
    assert _records(data_dir)["notices"] == []  # said once


def test_the_daily_backup_holds_the_export_log(store: Store) -> None:
    fill(store)
    store.log_export("scores", "/tmp/scores.csv", 1, deidentified=False)
    folder = store.backup_if_due()
    assert folder is not None
    log = store.data_dir / "exports.log"
    assert (folder / "exports.log").read_bytes() == log.read_bytes()
    assert "exports.log" in json.loads((folder / "manifest.json").read_text())["sha256"]
