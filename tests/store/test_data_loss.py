"""Issue 15, data loss: real backups, unique ids, a lock that holds, atomic restore."""

from __future__ import annotations

import json
import shlex
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from store.errors import CorruptFileError
from store.model import Group, Membership, Session

TODAY = date(2026, 11, 25)


def fill(store: Store) -> tuple[str, str]:
    ava = store.add_student("Ava", "Jones", "3")
    g = store.add_group(Group("", "Reading A", memberships=[Membership(ava.id, date(2026, 9, 1))]))
    store.record_score(ava.id, "ORF", 50, TODAY)
    store.record_score(ava.id, "ORF", 45, date(2026, 11, 2))
    store.log_session(Session("", g.id, TODAY, minutes_delivered=30))
    return ava.id, g.id


def damage_in_place(path: Path) -> None:
    """What a disk error, an in-place editor or `truncate` does: same inode, new bytes."""
    ino = path.stat().st_ino
    with open(path, "r+b") as f:
        f.write(b"\x00\x00\x00#")
    assert path.stat().st_ino == ino


# --------------------------------------------------------------------------- 1. backups
def test_in_place_damage_spares_every_backup(data_dir: Path, clock) -> None:
    with Store.open(data_dir, clock=clock) as s:
        ava_id, group_id = fill(s)
        first = s.backup_if_due()
        clock.advance(days=1)
        newest = s.backup_if_due()
    assert first is not None and newest is not None
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
    with Store.open(data_dir, clock=clock) as s:
        ava_id, _ = fill(s)
        first = s.backup_if_due()
        clock.advance(days=1)
        newest = s.backup_if_due()
    assert first is not None and newest is not None
    part = f"scores/2026/{ava_id}.json"
    damage_in_place(newest / part)  # the newest copy rotted on disk
    damage_in_place(data_dir / part)
    with Store.open(data_dir, clock=clock) as s, pytest.raises(CorruptFileError) as info:
        s.scores(ava_id)
    assert info.value.backup == str(first / part)
    assert str(newest) not in str(info.value)
