"""``intervene report ...``: through the argparse harness the CLI uses, and once end to end
in a subprocess."""

from __future__ import annotations

import argparse
import io
import os
import stat
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from store.db import Store
from store.model import Attendance, Group, Membership, Student
from tests.conftest import REPO, FakeClock, log_delivered
from tui.cli.report import ReportUsageError, add_report_command, find_student, run_report

TODAY = date(2026, 11, 25)
START = date(2026, 9, 7)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A closed data folder: Ava Smith, Ben Ortiz and Bea Ortiz in one ORF group."""
    folder = tmp_path / "data"
    with Store.open(folder, clock=FakeClock()) as store:
        ids = [
            store.add_student(g, f, "3").id
            for g, f in (("Ava", "Smith"), ("Ben", "Ortiz"), ("Bea", "Ortiz"))
        ]
        group = store.add_group(
            Group(
                "gr-1",
                "Fluency",
                memberships=[Membership(s, START) for s in ids],
                rrule="FREQ=WEEKLY;BYDAY=MO,WE",
                start_date=START,
                measures=["ORF"],
            )
        )
        for i in range(10):
            day = START + timedelta(weeks=i)
            log_delivered(store, group.id, day, [Attendance(s) for s in ids])
            for n, sid in enumerate(ids):
                store.record_score(sid, "ORF", 30 + n * 10 + i, day)
        for sid in ids:
            store.set_goal(
                sid,
                "ORF",
                baseline_value=30,
                baseline_date=START,
                goal_value=60,
                goal_date=date(2027, 2, 12),
            )
    return folder


def parser() -> argparse.ArgumentParser:
    """The same shape as ``intervene``: global --data-dir/--date, then the subcommand."""
    p = argparse.ArgumentParser(prog="intervene")
    p.add_argument("--data-dir", type=Path)
    p.add_argument("--date", type=date.fromisoformat)
    add_report_command(p.add_subparsers(dest="command"))
    return p


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = parser().parse_args(list(argv))
    code = run_report(args, clock=FakeClock(), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def exports(folder: Path) -> list:
    with Store.open(folder, clock=FakeClock()) as store:
        return store.exports()


def test_text_report_goes_to_stdout(data: Path) -> None:
    code, out, err = run("report", "student", "ava", "--data-dir", str(data))
    assert code == 0, err
    assert out.startswith("Progress report: Ava Smith")
    assert "Last score: 39 on Nov 9, 2026" in out
    log = exports(data)[-1]
    assert (log.kind, log.path, log.students, log.deidentified) == (
        "report-student",
        "<stdout>",
        1,
        False,
    )


def test_md_without_out_writes_a_private_file_in_cwd(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--data-dir", str(data), "report", "letter", "Ava Smith", "-f", "md")
    assert code == 0, err
    path = tmp_path / "letter-AS-2026-11-25.md"
    assert out.strip() == f"wrote {path}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Dear family of Ava Smith," in path.read_text(encoding="utf-8")
    assert exports(data)[-1].kind == "report-letter"
    assert exports(data)[-1].path == str(path)


def test_out_extension_picks_the_format(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "packet.html"
    target.parent.mkdir()
    code, out, _ = run("report", "packet", "--out", str(target), "--data-dir", str(data))
    assert code == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Meeting packet" in page
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    log = exports(data)[-1]
    assert log.kind == "report-packet" and log.students == 3


def test_out_folder_gets_the_default_name(data: Path, tmp_path: Path) -> None:
    code, out, _ = run(
        "report", "student", "ben", "--format", "html", "-o", str(tmp_path), "--data-dir", str(data)
    )
    assert code == 0
    assert (tmp_path / "student-BO-2026-11-25.html").is_file()


@pytest.mark.parametrize(
    "argv",
    [
        ("--date", "2026-10-01", "report", "student", "ava"),
        ("report", "student", "ava", "--date", "2026-10-01"),
        ("report", "--date", "2026-10-01", "student", "ava"),
    ],
)
def test_date_option_anywhere(data: Path, argv: tuple[str, ...]) -> None:
    code, out, err = run(*argv, "--data-dir", str(data))
    assert code == 0, err
    assert "As of Oct 1, 2026" in out
    assert "Last score: 33 on Sep 28, 2026" in out


def test_handler_convention(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``tui.cli.main`` runs ``args.handler(args)``: the report command sets it."""
    args = parser().parse_args(
        ["--data-dir", str(data), "report", "packet", "--date", "2026-11-25"]
    )
    assert args.handler(args) == 0
    assert "Meeting packet" in capsys.readouterr().out


def test_ambiguous_student_is_a_clear_error(data: Path) -> None:
    code, out, err = run("report", "student", "b", "--data-dir", str(data))
    assert code == 1 and out == ""
    assert "matches 2 students" in err and "Ben Ortiz" in err and "Bea Ortiz" in err
    assert err.count("\n") == 1
    code, _, err = run("report", "letter", "ortiz", "--data-dir", str(data))
    assert code == 1 and "be more specific" in err


def test_unknown_student(data: Path) -> None:
    code, _, err = run("report", "student", "zed", "--data-dir", str(data))
    assert code == 1 and "no student matches 'zed'" in err
    assert not [e for e in exports(data) if e.kind.startswith("report")]


def test_unwritable_path_is_a_user_error(data: Path, tmp_path: Path) -> None:
    code, _, err = run(
        "report", "packet", "-o", str(tmp_path / "missing" / "p.md"), "--data-dir", str(data)
    )
    assert code == 1 and err.startswith("intervene: the folder ") and "does not exist" in err


def test_usage_errors_exit_2(data: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(["report", "student"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        parser().parse_args(["report", "packet", "--format", "pdf"])


def test_find_student_rules() -> None:
    people = [
        Student("st-1", "Ann", "Lee", "2"),
        Student("st-2", "Ann", "Leeds", "2"),
        Student("st-3", "Bo", "Ann", "2"),
    ]
    assert find_student(people, "st-2").id == "st-2"
    assert find_student(people, "ann lee").id == "st-1"  # exact full name wins
    assert find_student(people, "bo").id == "st-3"
    assert find_student(people, "leeds").id == "st-2"
    with pytest.raises(ReportUsageError, match="matches 3 students"):
        find_student(people, "ann")
    with pytest.raises(ReportUsageError):
        find_student(people, "  ")


def test_end_to_end_in_a_subprocess(data: Path, tmp_path: Path) -> None:
    """Through ``tui.cli.main`` once it has the report command, else through the harness."""
    from tui import cli

    wired = "report" in cli.build_parser().format_help()
    if wired:
        code = "import sys; from tui.cli import main; sys.exit(main())"
    else:
        code = (
            "import argparse, sys; from pathlib import Path; "
            "from tui.cli.report import add_report_command, run_report; "
            "p = argparse.ArgumentParser(prog='intervene'); "
            "p.add_argument('--data-dir', type=Path); "
            "add_report_command(p.add_subparsers(dest='command')); "
            "sys.exit(run_report(p.parse_args()))"
        )
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code, "--data-dir", str(data), "report", "student", "Ava"]
        + ["--date", "2026-11-25"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Progress report: Ava Smith" in result.stdout
    assert "Last score: 39 on Nov 9, 2026" in result.stdout
    assert "\x1b" not in result.stdout
    result = subprocess.run(
        [sys.executable, "-c", code, "--data-dir", str(data), "report", "student", "nobody"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("intervene: no student matches")
    assert "Traceback" not in result.stderr
