"""A full backup reads every partition once and keeps none of them (issue 16): its memory is
bounded by one partition whatever the number of files, and its record order is defined by
the records alone (sessions: school year, group id, date), so backup → restore → backup
gives the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from store.db import CORE_FILE, Store
from store.demo import build_demo
from store.errors import ValidationError
from store.export.backup import export_backup, load_backup, restore_backup
from store.model import Attendance, Session, school_year_of

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 0)
LAST_YEAR = date(2025, 10, 6)  # a Monday of the school year before TODAY's


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The demo caseload plus a group that met last school year too (two years of files)."""
    data = tmp_path / "data"
    with Store.open(data, clock=lambda: NOW) as store:
        build_demo(store, TODAY)
        group = store.groups()[0]
        member = group.member_ids[0]
        for week in range(3):
            day = LAST_YEAR + timedelta(weeks=week)
            store.log_session(
                Session("", group.id, day, attendance=[Attendance(member, "present")])
            )
    return data


@pytest.fixture
def reopened(folder: Path) -> Iterator[Store]:
    with Store.open(folder, clock=lambda: NOW) as store:
        yield store


def partitions(folder: Path) -> list[Path]:
    return sorted(p for kind in ("scores", "sessions") for p in (folder / kind).rglob("*.json"))


def test_export_leaves_no_partition_cached(folder: Path, reopened: Store, tmp_path: Path) -> None:
    assert len(partitions(folder)) > 20  # the demo's students and groups, two school years
    assert set(reopened._dbs) == {CORE_FILE}
    export_backup(reopened, tmp_path / "b.json", now=NOW)
    assert set(reopened._dbs) == {CORE_FILE}  # read once, none kept


def test_export_keeps_what_was_cached_and_reads_its_cached_documents(
    reopened: Store, tmp_path: Path
) -> None:
    group = reopened.groups()[0]
    reopened.sessions(group.id)  # the app has this group's partitions cached
    cached = set(reopened._dbs)
    assert len(cached) > 2
    day = next(
        d
        for d in (TODAY - timedelta(days=n) for n in range(1, 30))
        if reopened.session_on(group.id, d) is None
    )
    with reopened.batch("pending"):  # a batch keeps its writes in memory until it ends
        saved = reopened.log_session(Session("", group.id, day, "cancelled", "assembly"))
        rel = f"sessions/{school_year_of(day)}/{group.id}.json"
        assert saved.id not in (reopened.data_dir / rel).read_text()  # not on disk yet
        export_backup(reopened, tmp_path / "b.json", now=NOW)
    assert set(reopened._dbs) == cached  # nothing evicted, nothing added
    doc = json.loads((tmp_path / "b.json").read_text())
    [written] = [s for s in doc["sessions"] if s["id"] == saved.id]  # the cached state
    assert (written["status"], written["cancel_reason"]) == ("cancelled", "assembly")


def test_sessions_are_written_by_school_year_group_and_date(
    reopened: Store, tmp_path: Path
) -> None:
    export_backup(reopened, tmp_path / "b.json", now=NOW)
    sessions = json.loads((tmp_path / "b.json").read_text())["sessions"]
    keys = [
        (school_year_of(date.fromisoformat(s["date"])), s["group_id"], s["date"]) for s in sessions
    ]
    assert keys == sorted(keys)
    assert len({k[0] for k in keys}) == 2  # both school years
    assert sorted(s["id"] for s in sessions) == sorted(s.id for s in reopened.sessions())


def test_backup_restore_backup_gives_the_same_bytes(reopened: Store, tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    export_backup(reopened, first, now=NOW)
    restore_backup(tmp_path / "restored", load_backup(first), clock=lambda: NOW)
    with Store.open(tmp_path / "restored", clock=lambda: NOW) as again:
        export_backup(again, second, now=NOW)
    one, two = json.loads(first.read_text()), json.loads(second.read_text())
    # the restored folder's own log gains this backup; every other section is byte-identical
    one["exports"] = two["exports"] = []
    assert json.dumps(one, indent=1) == json.dumps(two, indent=1)


def test_a_journaled_save_is_in_the_backup(folder: Path, tmp_path: Path) -> None:
    with Store.open(folder, clock=lambda: NOW) as store:
        group = store.groups()[0]
        day = next(
            d
            for d in (TODAY - timedelta(days=n) for n in range(1, 30))
            if store.session_on(group.id, d) is None
        )
        saved = store.log_session(Session("", group.id, day, "cancelled", "testing"))
    rel = folder / "sessions" / str(school_year_of(day)) / f"{group.id}.json"
    journal = rel.with_name(rel.name + ".wal")
    assert journal.is_file() and saved.id in journal.read_text()  # not folded in yet
    assert saved.id not in rel.read_text()
    with Store.open(folder, clock=lambda: NOW) as again:
        export_backup(again, tmp_path / "b.json", now=NOW)
    sessions = json.loads((tmp_path / "b.json").read_text())["sessions"]
    assert [s["cancel_reason"] for s in sessions if s["id"] == saved.id] == ["testing"]


def test_reading_a_backup_runs_without_the_cycle_collector_and_restores_it(
    reopened: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import store.export.backup as backup_mod

    export_backup(reopened, tmp_path / "b.json", now=NOW)
    real, during = backup_mod.check_backup, []

    def spy(*args: object, **kwargs: object) -> object:
        during.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backup_mod, "check_backup", spy)
    assert gc.isenabled()
    load_backup(tmp_path / "b.json")
    (tmp_path / "not.json").write_text("[1]")
    with pytest.raises(ValidationError):
        load_backup(tmp_path / "not.json")
    assert during == [False, False] and gc.isenabled()
