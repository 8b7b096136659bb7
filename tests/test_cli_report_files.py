"""Report files that are safe on a shared drive (issue 15 items 11, 12, 14 and the small
list): no symlink is followed, the log comes first, names carry initials only, SIS ids name a
student and ``--out -`` means standard output."""

# ruff: noqa: F811  (the ``data`` fixture is imported, then requested by name)
from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from store.errors import StoreError
from tests.conftest import FakeClock
from tests.test_cli_report import data, exports, run  # noqa: F401  (data is a fixture)
from tui.documents import default_filename, write_report

TODAY = date(2026, 11, 25)


def _sis(folder: Path, name: str, sis: str) -> None:
    with Store.open(folder, clock=FakeClock()) as store:
        (student,) = [s for s in store.students() if s.name == name]
        store.update_student(student.id, sis_id=sis)


# --------------------------------------------------------------------------- item 11
def test_a_planted_symlink_is_never_written_through(data: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    target = shared / "ava.md"
    # the temp name the report writer used to pick, for a range of pids, and the target
    for pid in {os.getpid(), *range(os.getpid() - 3, os.getpid() + 4)}:
        (shared / f".ava.md.tmp-{pid}").symlink_to(victim)
    code, out, err = run("report", "letter", "ava", "--out", str(target), "--data-dir", str(data))
    assert code == 0, err
    assert victim.read_text() == "keep me"
    assert target.is_file() and not target.is_symlink()
    assert (target.stat().st_mode & 0o777) == 0o600
    target.unlink()
    target.symlink_to(victim)
    code, out, err = run("report", "letter", "ava", "--out", str(target), "--data-dir", str(data))
    assert code == 1 and "symbolic link" in err and "Traceback" not in err
    assert victim.read_text() == "keep me" and target.is_symlink()
    assert [e.path for e in exports(data)] == [str(target)]  # the refused one is not logged


def test_write_report_refuses_a_symlink_target(data: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "packet.md").symlink_to(victim)
    with Store.open(data, clock=FakeClock()) as store, pytest.raises(StoreError):
        write_report("packet", "md", tmp_path / "packet.md", store, today=TODAY)
    assert victim.read_text() == "keep me"


# --------------------------------------------------------------------------- item 12
def test_a_report_is_not_published_when_logging_fails(
    data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def disk_full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Store, "log_export", disk_full)
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, err = run("report", "packet", "-o", str(out / "p.md"), "--data-dir", str(data))
    assert code == 1 and "Traceback" not in err
    assert list(out.iterdir()) == []
    code, stdout, err = run("report", "packet", "--data-dir", str(data))  # text to stdout
    assert code == 1 and stdout == ""
    with Store.open(data, clock=FakeClock()) as store, pytest.raises(OSError):
        write_report("packet", "md", out / "p.md", store, today=TODAY)
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- item 14
def test_default_names_carry_initials_not_names(
    data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Store.open(data, clock=FakeClock()) as store:
        ava = next(s for s in store.students() if s.given_name == "Ava")
    assert default_filename("student", "md", TODAY, ava) == "student-AS-2026-11-25.md"
    assert default_filename("packet", "text", TODAY) == "packet-2026-11-25.txt"
    monkeypatch.chdir(tmp_path)
    assert run("report", "letter", "ava", "-f", "md", "--data-dir", str(data))[0] == 0
    assert (tmp_path / "letter-AS-2026-11-25.md").is_file()
    # Ben and Bea Ortiz share initials: the second default name does not replace the first
    assert run("report", "student", "ben", "-f", "md", "--data-dir", str(data))[0] == 0
    assert run("report", "student", "bea", "-f", "md", "--data-dir", str(data))[0] == 0
    names = sorted(p.name for p in tmp_path.glob("student-*"))
    assert names == ["student-BO-2026-11-25-2.md", "student-BO-2026-11-25.md"]
    for p in tmp_path.glob("*-20*"):
        assert not {"smith", "ortiz", "ava", "ben", "bea"} & set(p.stem.lower().split("-"))


def test_a_named_file_keeps_its_name(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "Ava Smith letter.md"
    assert run("report", "letter", "ava", "-o", str(target), "--data-dir", str(data))[0] == 0
    assert target.is_file()


# --------------------------------------------------------------------------- small
def test_report_accepts_a_sis_id(data: Path) -> None:
    _sis(data, "Bea Ortiz", "100777")
    code, out, err = run("report", "student", "100777", "--data-dir", str(data))
    assert code == 0, err
    assert out.startswith("Progress report: Bea Ortiz")


def test_out_dash_writes_to_stdout(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(
        "report", "student", "ava", "--out", "-", "-f", "html", "--data-dir", str(data)
    )
    assert code == 0, err
    assert out.startswith("<!DOCTYPE html>") and "Ava Smith" in out
    assert list(tmp_path.iterdir()) == [] or not (tmp_path / "-").exists()
    assert exports(data)[-1].path == "<stdout>"
