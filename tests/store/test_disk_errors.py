"""Issue 15 item 8: OS errors are one line naming the file and the cause, and change nothing.

Tests run as root (permission bits are ignored), so ENOSPC, EROFS and EACCES are injected
into the storage's own calls: the code paths are the ones a full, read-only or foreign disk
takes."""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path

import pytest

import store.storage as storage
from store.db import Store
from store.errors import DiskError, FolderNotWritableError, StoreError
from tests.conftest import FakeClock, read_tree


def oserror(code: int, path: object = None) -> OSError:
    return OSError(code, os.strerror(code), str(path) if path else None)


@pytest.fixture
def filled(data_dir: Path, clock: FakeClock) -> Path:
    with Store.open(data_dir, clock=clock) as s:
        ava = s.add_student(given_name="Ava", family_name="Jones", grade="3")
        s.record_score(ava.id, "ORF", 40, date(2026, 11, 20))
    return data_dir


@pytest.mark.parametrize(
    ("code", "cause"),
    [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "the disk is read-only")],
)
def test_a_failed_save_is_one_line_and_changes_nothing(
    filled: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, code: int, cause: str
) -> None:
    with Store.open(filled, clock=clock) as s:
        ava = s.students()[0]
        before = read_tree(filled)

        def full(fd: int, data: object) -> int:
            raise oserror(code)

        monkeypatch.setattr(storage.os, "write", full)
        with pytest.raises(DiskError) as caught:
            s.record_score(ava.id, "ORF", 45, date(2026, 11, 23))
        monkeypatch.undo()
        message = str(caught.value)
        assert cause in message and "scores" in message and "\n" not in message
        assert "nothing was saved" in message
        assert read_tree(filled) == before
        assert not [p for p in filled.rglob("*.tmp")]
        # the disk has room again: the same save works, nothing was left half-done
        s.record_score(ava.id, "ORF", 45, date(2026, 11, 23))
        assert [x.value for x in s.scores(ava.id)] == [40, 45]


def test_a_file_that_cannot_be_opened_names_it(
    filled: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = open

    def denied(path: object, *args: object, **kwargs: object) -> object:
        if str(path).endswith(".json") and "scores" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    with Store.open(filled, clock=clock, readonly=True) as s:
        ava = s.students()[0]
        monkeypatch.setattr("builtins.open", denied)
        with pytest.raises(DiskError) as caught:
            s.scores(ava.id)
    assert "permission denied" in str(caught.value)
    assert "cannot read" in str(caught.value) and ".json" in str(caught.value)


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_a_folder_that_cannot_be_written_is_refused_for_writing(
    filled: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    real = os.open

    def refuse(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & (os.O_RDWR | os.O_WRONLY | os.O_CREAT):
            raise oserror(code, path)
        return real(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(storage.os, "open", refuse)
    with pytest.raises(FolderNotWritableError) as caught:
        Store.open(filled, clock=clock)
    assert str(filled) in str(caught.value)
    assert "--read-only" not in str(caught.value)  # true only for some commands: they add it
    with Store.open(filled, clock=clock, readonly=True) as s:  # looking still works
        assert len(s.students()) == 1


def test_a_deeply_nested_file_is_a_damaged_file(data_dir: Path, clock: FakeClock) -> None:
    Store.open(data_dir, clock=clock).close()
    core = data_dir / "core.json"
    core.write_text("[" * 200_000)
    with pytest.raises(StoreError) as caught:
        Store.open(data_dir, clock=clock, readonly=True)
    assert "nested too deeply" in str(caught.value) and str(core) in str(caught.value)
    assert core.read_text() == "[" * 200_000
