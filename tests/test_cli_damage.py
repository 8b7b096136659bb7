"""Issue 15 items 7-8 through a real process: a damaged score file, OS errors and a deeply
nested JSON file are each one line on stderr (no traceback, nothing from the file's bytes)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from store.demo import build_demo
from tests.cli import demo_today, run


@pytest.fixture
def damaged(tmp_path: Path) -> tuple[Path, Path, str]:
    """A demo folder (built for today) with one student's score file cut in half and a name
    planted in its bytes: (folder, damaged file, the planted name)."""
    folder = tmp_path / "data"
    with Store.open(folder) as s:
        build_demo(s, date.today())
        victim = next(st for st in s.students() if s.scores(st.id))
    path = next((folder / "scores").rglob(f"{victim.id}.json"))
    raw = path.read_bytes()
    planted = "Quentin Plantedname"
    path.write_bytes(raw[: len(raw) // 2] + json.dumps(planted).encode())
    return folder, path, planted


def assert_one_line(stderr: str, *needles: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("intervene: "), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", [["today"], ["caseload"], ["report", "packet"]])
def test_reading_commands_work_around_a_damaged_score_file(
    damaged: tuple[Path, Path, str], command: list[str]
) -> None:
    folder, path, planted = damaged
    out = run(*command, data_dir=folder)
    assert planted not in out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    if command == ["today"]:  # reads no scores: nothing to say
        assert out.returncode == 0, out.stderr
        return
    assert out.returncode == 0, out.stderr
    assert_one_line(out.stderr, str(path), "cannot be read")
    assert out.stdout.strip()  # everyone else's caseload is there


# --------------------------------------------------------------------------- item 8: OS errors
def refuse_writes(monkeypatch: pytest.MonkeyPatch, code: int, under: Path | None = None) -> None:
    """The data folder's disk refuses every open for writing (a read-only disk, EROFS; or a
    folder of another user, EACCES) and every write (tests run as root: injected). With
    ``under``, only paths below that folder are refused (the rest of the machine writes)."""
    import errno as _errno
    import os

    import store.storage as storage

    real_open = os.open
    real_mkstemp = storage.tempfile.mkstemp

    def refused(path: object) -> bool:
        return under is None or str(path).startswith(str(under))

    def refuse(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & (os.O_RDWR | os.O_WRONLY | os.O_CREAT) and refused(path):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    def no_mkstemp(*args: object, **kwargs: object) -> object:
        if refused(kwargs.get("dir", args[2] if len(args) > 2 else "")):
            raise OSError(code, os.strerror(code))
        return real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(storage.os, "open", refuse)
    monkeypatch.setattr(storage.tempfile, "mkstemp", no_mkstemp)
    assert code in (_errno.EROFS, _errno.EACCES)


def in_process(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from tui.cli.main import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return demo_today(tmp_path / "data")


@pytest.mark.parametrize("code", [30, 13])  # EROFS, EACCES
def test_reading_commands_fall_back_to_read_only(
    small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], code: int
) -> None:
    from tests.conftest import read_tree

    before = read_tree(small)
    refuse_writes(monkeypatch, code)
    for command in (["today"], ["caseload"], ["exports"]):
        rc, out, err = in_process(capsys, *command, "--data-dir", str(small))
        assert rc == 0, (command, err)
        assert out.strip(), command
    # a report with every disk refusing: data may leave only once a log records it, so it
    # stops in one line and nothing is written
    rc, out, err = in_process(capsys, "report", "packet", "--data-dir", str(small))
    assert rc == 1 and not out
    assert_one_line(err, "exports.log", "nothing was exported")
    rc, out, err = in_process(
        capsys, "add-score", "--data-dir", str(small), "st-demo01", "ORF", "50"
    )
    assert rc == 1
    line = assert_one_line(err, str(small))
    assert ("read-only" in line) or ("permission denied" in line), line
    assert read_tree(small) == before


@pytest.mark.parametrize("code", [30, 13])  # EROFS, EACCES
def test_a_report_from_a_read_only_data_folder_is_logged_in_the_users_state_folder(
    small: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    code: int,
) -> None:
    # only the data folder's disk is read-only: the report is written where asked and its
    # record goes to $XDG_STATE_HOME/intervene/exports/; `exports` lists it; the data folder
    # is unchanged
    from store.paths import fallback_export_log
    from tests.conftest import read_tree

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    out_file = tmp_path / "out" / "packet.md"
    out_file.parent.mkdir()
    before = read_tree(small)
    refuse_writes(monkeypatch, code, under=small)
    rc, out, err = in_process(
        capsys, "report", "packet", "--data-dir", str(small), "--out", str(out_file)
    )
    assert rc == 0, err
    assert out_file.is_file() and "Meeting packet" in out_file.read_text()
    log = fallback_export_log(small)
    assert str(log).startswith(str(tmp_path / "state")) and str(out_file) in log.read_text()
    rc, out, err = in_process(capsys, "exports", "--data-dir", str(small))
    assert rc == 0 and str(out_file) in out
    assert read_tree(small) == before


def test_a_full_disk_is_one_line(
    small: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno as _errno
    import os

    import store.storage as storage
    from tests.conftest import read_tree

    with Store.open(small, readonly=True) as s:
        student = s.students()[0]
    before = read_tree(small)

    def full(fd: int, data: object) -> int:
        raise OSError(_errno.ENOSPC, os.strerror(_errno.ENOSPC))

    monkeypatch.setattr(storage.os, "write", full)
    rc, _out, err = in_process(
        capsys, "add-score", "--data-dir", str(small), student.id, "ORF", "50"
    )
    assert rc == 1
    assert_one_line(err, "the disk is full", "nothing was saved")
    monkeypatch.undo()
    assert read_tree(small) == before


def test_a_deeply_nested_file_is_one_line(small: Path) -> None:
    core = small / "core.json"
    core.write_text("[" * 200_000)
    for command in (["today"], ["caseload"], ["exports"]):
        out = run(*command, data_dir=small)
        assert out.returncode == 1, (command, out.stderr)
        assert_one_line(out.stderr, str(core), "nested too deeply")
