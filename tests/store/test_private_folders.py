"""Issue 15 item 13: the data folder's missing parents are made 0700 under any umask, and a
data folder inside a folder anyone can change is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from store.db import Store
from store.errors import StoreError
from store.storage import make_private_dir
from tests.conftest import FakeClock


def _mode(p: Path) -> int:
    return p.stat().st_mode & 0o7777


def test_missing_parents_of_the_data_folder_are_private_under_umask_0(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b" / "data"
    old = os.umask(0)
    try:
        Store.open(folder, clock=FakeClock()).close()
    finally:
        os.umask(old)
    assert [_mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", folder)] == [0o700] * 3
    assert {_mode(p) for p in folder.rglob("*") if p.is_dir()} <= {0o700}


def test_private_dir_parents_under_umask_0(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        make_private_dir(tmp_path / "x" / "y" / "z", stop_at=tmp_path / "x" / "y")
        make_private_dir(tmp_path / "p" / "q")
    finally:
        os.umask(old)
    for rel in ("x", "x/y", "x/y/z", "p", "p/q"):
        assert _mode(tmp_path / rel) == 0o700, rel


def test_a_data_folder_in_a_world_writable_folder_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(StoreError, match=r"anyone on this computer can change") as err:
        Store.open(shared / "data", clock=FakeClock())
    assert str(shared) in str(err.value) and "chmod o-w" in str(err.value)
    assert not (shared / "data").exists()
    deeper = shared / "mine"
    deeper.mkdir(mode=0o700)
    with pytest.raises(StoreError, match=r"anyone on this computer can change"):
        Store.open(deeper / "data", clock=FakeClock())
    os.chmod(shared, 0o1777)  # sticky, like /tmp: others cannot rename or delete our folder
    Store.open(shared / "data", clock=FakeClock()).close()
    os.chmod(shared, 0o777)
    with pytest.raises(StoreError, match=r"anyone on this computer can change"):
        Store.open(shared / "data", clock=FakeClock(), readonly=True)


def test_a_restore_into_a_world_writable_folder_is_refused(store: Store, tmp_path: Path) -> None:
    from store.export import export_backup, load_backup, restore_backup

    store.add_student("Ava", "Smith", "3")
    export_backup(store, tmp_path / "b.json")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(StoreError, match=r"anyone on this computer can change"):
        restore_backup(shared / "data", load_backup(tmp_path / "b.json"), clock=FakeClock())
    assert list(shared.iterdir()) == []
