"""Issue 15, security and privacy: CSV formula injection, the export log's order, private
folders under any umask, and dates and backups refused at the store boundary."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from pathlib import Path

import pytest

from store.db import Store
from store.export import ExportFilter, export_scores, export_sessions
from store.model import Attendance, Group, Membership, Session
from tests.conftest import log_delivered

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]


def _rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


# --------------------------------------------------------------------------- item 10
@pytest.fixture
def formula_caseload(store: Store) -> dict[str, str]:
    """Students, a group and a session whose text starts like a spreadsheet formula."""
    today = store.today()
    ids = {}
    for i, name in enumerate(FORMULAS):
        ids[name] = store.add_student(name, name, "3", sis_id=f"=9{i}").id
    group = store.add_group(
        Group(
            "",
            "=cmd|'/C notepad'!A1",
            duration_minutes=30,
            memberships=[Membership(sid, today - timedelta(days=20)) for sid in ids.values()],
        )
    )
    day = today - timedelta(days=3)
    for sid in ids.values():
        store.record_score(sid, "ORF", 42, day)
    everyone = [Attendance(sid, "present", minutes=30) for sid in ids.values()]
    log_delivered(store, group.id, day, everyone, lesson="@lesson", note="+note")
    store.log_session(Session("", group.id, day - timedelta(days=1), "cancelled", "assembly"))
    return ids


def _dangerous(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_formula_names_are_neutralised_in_every_csv(
    store: Store, formula_caseload: dict[str, str], tmp_path: Path
) -> None:
    rng = random.Random(1)
    outputs = []
    for name, export in (("scores", export_scores), ("sessions", export_sessions)):
        for deid in (False, True):
            out = tmp_path / f"{name}-{deid}.csv"
            export(store, out, ExportFilter(), deidentify=deid, rng=rng)
            outputs.append(out)
    for out in outputs:
        for row in _rows(out):
            for column, cell in row.items():
                assert not _dangerous(cell), f"{out.name}: {column} = {cell!r}"
    scores = _rows(outputs[0])
    assert {r["given_name"] for r in scores} == {"'" + f for f in FORMULAS}
    assert {r["sis_id"] for r in scores} == {f"'=9{i}" for i in range(4)}
    assert {r["value"] for r in scores} == {"42"}  # numbers stay numbers
    sessions = _rows(outputs[2])
    assert {r["group"] for r in sessions} == {"'=cmd|'/C notepad'!A1"}
    assert {r["lesson"] for r in sessions} == {"'@lesson", ""}
    assert {r["minutes_delivered"] for r in sessions} <= {"30", "0", ""}


def test_plain_numbers_stay_numbers_negative_too() -> None:
    from store.export.tables import _csv_bytes

    data = _csv_bytes(("a", "b", "c", "d"), [["-2", -3, "-1.5", "-2+3"], ["\tx", "\rx", 4.5, None]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"))))
    assert rows[1] == ["-2", "-3", "-1.5", "'-2+3"]
    assert rows[2] == ["'\tx", "'\rx", "4.5", ""]


# --------------------------------------------------------------------------- item 11
def test_export_refuses_a_symlink_target(
    store: Store, formula_caseload: dict[str, str], tmp_path: Path
) -> None:
    from store.errors import StoreError

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "scores.csv").symlink_to(victim)
    with pytest.raises(StoreError, match="symbolic link"):
        export_scores(store, shared / "scores.csv")
    assert victim.read_text() == "keep me"
    assert (shared / "scores.csv").is_symlink()
    assert sorted(p.name for p in shared.iterdir()) == ["scores.csv"]
    assert store.exports() == []


# --------------------------------------------------------------------------- item 12
def _disk_full(*_a: object, **_k: object) -> None:
    import errno

    raise OSError(errno.ENOSPC, "No space left on device")


def test_export_is_not_published_when_logging_fails(
    store: Store, formula_caseload: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_bytes(b"an older export")
    monkeypatch.setattr(store, "log_export", _disk_full)
    for name in ("new.csv", "old.csv"):
        with pytest.raises(OSError):
            export_scores(store, out / name)
    assert sorted(p.name for p in out.iterdir()) == ["old.csv"]  # no file, no temp file
    assert (out / "old.csv").read_bytes() == b"an older export"


def test_stdout_export_is_not_written_when_logging_fails(
    store: Store,
    formula_caseload: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    monkeypatch.setattr(store, "log_export", _disk_full)
    with pytest.raises(OSError):
        export_scores(store, "-")
    assert capfdbinary.readouterr().out == b""


def test_export_logs_before_the_file_appears(
    store: Store, formula_caseload: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "scores.csv"
    seen: list[bool] = []
    real = store.log_export

    def log(*args: object, **kwargs: object) -> object:
        seen.append(out.exists())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "log_export", log)
    export_scores(store, out)
    assert seen == [False] and out.exists()
    assert [e.path for e in store.exports()] == [str(out)]


# --------------------------------------------------------------------------- small: dates
def test_dates_outside_1990_to_a_year_ahead_are_refused(
    store: Store, data_dir: Path, tree: object
) -> None:
    from datetime import date

    from store.errors import ValidationError
    from store.model import NoSchool, SchoolCalendar

    today = store.today()  # 2026-11-25 from the injected clock
    sid = store.add_student("Ava", "Smith", "3").id
    group = store.add_group(Group("", "Fluency", memberships=[Membership(sid, date(1990, 1, 1))]))
    store.record_score(sid, "ORF", 40, date(1990, 1, 1))  # the first day allowed
    store.set_goal(
        sid,
        "ORF",
        baseline_value=40,
        baseline_date=date(1990, 1, 1),
        goal_value=90,
        goal_date=date(2027, 11, 25),  # a year ahead: the last day allowed
    )
    before = tree(data_dir)  # type: ignore[operator]
    too_old, too_late = date(1989, 12, 31), date(2027, 11, 26)
    attempts = [
        lambda: store.record_score(sid, "ORF", 41, too_old),
        lambda: store.log_session(Session("", group.id, too_old, minutes_delivered=20)),
        lambda: store.log_session(Session("", group.id, too_late, "cancelled", "assembly")),
        lambda: store.set_goal(
            sid,
            "ORF",
            baseline_value=40,
            baseline_date=too_old,
            goal_value=90,
            goal_date=date(2027, 6, 1),
        ),
        lambda: store.set_goal(
            sid,
            "ORF",
            baseline_value=40,
            baseline_date=today,
            goal_value=90,
            goal_date=too_late,
        ),
        lambda: store.set_calendar(SchoolCalendar(date(1989, 8, 20), date(1990, 6, 1))),
        lambda: store.set_calendar(SchoolCalendar(date(2026, 8, 20), date(2031, 6, 1))),
        lambda: store.set_calendar(
            SchoolCalendar(
                date(2026, 8, 20),
                date(2027, 6, 1),
                [NoSchool(date(1066, 10, 14), date(1066, 10, 14))],
            )
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match=r"1990-01-01.*2027-11-25"):
            attempt()
    assert tree(data_dir) == before  # type: ignore[operator]
