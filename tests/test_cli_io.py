"""The data in/out commands through a real process: `intervene import|export|restore|
exports|today|add-score`, with exit codes 0 ok / 1 user error / 2 usage."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from store.db import Store
from store.export import backup_document, records_of
from store.schedule import occurrences
from tests.cli import REPO, SAMPLES, assert_user_error, run, run_refused
from tests.conftest import read_tree
from tests.store.test_export import Caseload, assert_no_identifiers, build_caseload


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def caseload_dir(folder: Path) -> tuple[Path, Caseload]:
    """A data folder with the test caseload, dated relative to the real today (closed)."""
    with Store.open(folder) as store:
        caseload = build_caseload(store)
    return folder, caseload


@pytest.fixture
def backed_up(caseload_dir: tuple[Path, Caseload], tmp_path: Path) -> tuple[Path, Path]:
    """The caseload's folder and a backup of it made by `intervene export backup` (b.json)."""
    folder, _ = caseload_dir
    path = tmp_path / "b.json"
    assert run("export", "backup", path, data_dir=folder).returncode == 0
    return folder, path


# --------------------------------------------------------------------------- import
def test_import_needs_yes_without_a_terminal(folder: Path) -> None:
    Store.open(folder).close()
    out = run_refused(
        "import", "roster", SAMPLES / "roster.csv", data_dir=folder,
        text="nothing was written; run again with --yes",
    )  # fmt: skip
    assert "6 new, 0 updated, 0 unchanged students" in out.stdout  # the preview


def test_import_with_yes_then_again_changes_nothing(folder: Path) -> None:
    out = run("import", "roster", SAMPLES / "roster.csv", "--yes", data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert "Imported: 6 new students, 0 updated, 2 new groups" in out.stdout
    before = read_tree(folder)
    again = run("import", "roster", SAMPLES / "roster.csv", "--yes", data_dir=folder)
    assert again.returncode == 0 and "Nothing to change" in again.stdout
    assert read_tree(folder) == before


def test_import_oneroster_folder_with_groups(folder: Path) -> None:
    out = run("import", "roster", SAMPLES / "oneroster", "--groups", "-y", data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert "8 new" in out.stdout and "2 new groups" in out.stdout
    assert "users.csv line 13" in out.stdout  # the PK student is skipped, with a reason
    with Store.open(folder, readonly=True) as store:
        assert len(store.students()) == 8 and len(store.groups()) == 2  # no homeroom group


def test_import_problems_exit_1_and_write_nothing(folder: Path, tmp_path: Path) -> None:
    Store.open(folder).close()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        b"\xef\xbb\xbfstudent_id,given_name,family_name,grade\r\n1,A,B,3\r\n1,C,D,4\r\n"
    )
    out = run_refused(
        "import", "roster", bad, "--yes", data_dir=folder, text="import stopped: 1 problem"
    )
    assert "bad.csv line 3: duplicate student id '1'" in out.stdout
    broken = tmp_path / "or"
    shutil.copytree(SAMPLES / "oneroster", broken)
    with (broken / "enrollments.csv").open("a") as f:
        f.write("e-999,,,c-001,org-lincoln,u-nobody,student,false,,\n")
    out = run_refused(
        "import", "roster", broken, "--yes", data_dir=folder, text="nothing was written"
    )
    assert "enrollments.csv line 12: userSourcedId 'u-nobody' is not in users.csv" in out.stdout


def test_import_missing_file(folder: Path, tmp_path: Path) -> None:
    out = run("import", "roster", tmp_path / "nope.csv", data_dir=folder)
    assert_user_error(out, "does not exist")


def test_data_dir_from_environment(tmp_path: Path) -> None:
    target = tmp_path / "env-data"
    out = run(
        "import",
        "roster",
        SAMPLES / "roster.csv",
        "--yes",
        env={"INTERVENE_DATA_DIR": str(target)},
    )
    assert out.returncode == 0, out.stderr
    with Store.open(target, readonly=True) as store:
        assert len(store.students()) == 6


def test_data_dir_before_the_command(folder: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--data-dir", str(folder), "exports"],
        cwd=REPO,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert out.returncode == 0 and "No exports yet" in out.stdout
    assert (folder / "core.json").is_file()


# --------------------------------------------------------------------------- today
def test_today_text_and_json(caseload_dir: tuple[Path, Caseload]) -> None:
    folder, caseload = caseload_dir
    logged = caseload.year_start + timedelta(weeks=3)  # reading logged, math not
    out = run("today", "--date", logged.isoformat(), data_dir=folder)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].endswith(": 2 groups")
    assert "8:00–8:10" in lines[1] and "Check-In Daily" in lines[1] and "not logged" in lines[1]
    assert "9:10–9:40" in lines[2] and "Room 12" in lines[2] and "4 students" in lines[2]
    assert lines[2].rstrip().endswith("logged") and "not logged" not in lines[2]
    rows = json.loads(run("today", "--date", logged.isoformat(), "--json", data_dir=folder).stdout)
    assert [(r["group"], r["status"], r["students"]) for r in rows] == [
        ("Check-In Daily", "not logged", 1),
        ("Reading Group A", "logged", 4),
    ]
    cancelled = logged + timedelta(days=2)
    rows = json.loads(
        run("today", "--json", "--date", cancelled.isoformat(), data_dir=folder).stdout
    )
    assert {r["group"]: r["status"] for r in rows}["Reading Group A"] == "cancelled"


def test_today_on_a_day_without_school(caseload_dir: tuple[Path, Caseload]) -> None:
    folder, caseload = caseload_dir
    fall_break = caseload.year_start + timedelta(weeks=5)
    out = run("today", "--date", fall_break.isoformat(), data_dir=folder)
    assert out.returncode == 0 and "no school (Fall break)" in out.stdout
    saturday = fall_break + timedelta(days=(5 - fall_break.weekday()))
    out = run("today", "--json", "--date", saturday.isoformat(), data_dir=folder)
    assert json.loads(out.stdout) == []


def test_today_defaults_to_the_real_date(caseload_dir: tuple[Path, Caseload]) -> None:
    folder, _ = caseload_dir
    out = run("today", "--json", data_dir=folder)
    assert out.returncode == 0
    assert all(r["date"] == date.today().isoformat() for r in json.loads(out.stdout))


def test_today_bad_date_is_usage_error(folder: Path) -> None:
    out = run("today", "--date", "25/11/2026", data_dir=folder)
    assert out.returncode == 2 and "is not a date" in out.stderr


# --------------------------------------------------------------------------- add-score
def test_add_score(caseload_dir: tuple[Path, Caseload]) -> None:
    folder, caseload = caseload_dir
    day = caseload.today - timedelta(days=1)
    out = run("add-score", "quin", "orf", "61", "--errors", "2", "--date", day, data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"Saved ORF 61, 2 errors for Ava Quintero on {day.isoformat()}"
    dup = run("add-score", "Ava", "ORF", "65", "--date", day, data_dir=folder)
    assert_user_error(dup, "already entered for Ava Quintero")
    assert "--replace" in dup.stderr
    ok = run("add-score", "100234", "ORF", "65", "--date", day, "--replace", data_dir=folder)
    assert ok.returncode == 0, ok.stderr
    today = run("add-score", "lily", "ORF", "70", data_dir=folder)
    assert today.returncode == 0 and date.today().isoformat() in today.stdout
    with Store.open(folder, readonly=True) as store:
        assert store.score_on(caseload.students["ava"], "ORF", day).value == 65  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("o", "ORF", "50"), "matches 2 students: Zoë O'Brien, Jr. (st-"),  # and Noah Okafor
        (("nobody", "ORF", "50"), "no student matches 'nobody'"),
        (("ava", "XYZ", "50"), "measure 'XYZ' is not one of"),
        (("ava", "ORF", "412"), "ORF score 412 is outside 0–300"),
        (("ava", "ORF", "lots"), "is not a number"),
        (("ava", "MCOMP", "20", "--errors", "3"), "does not record errors"),
        (("ava", "ORF", "50", "--date", "2099-01-01"), "in the future"),
    ],
)
def test_add_score_errors(
    caseload_dir: tuple[Path, Caseload], args: tuple[str, ...], message: str
) -> None:
    folder, _ = caseload_dir
    run_refused("add-score", *args, data_dir=folder, text=message)


def test_add_score_usage_errors(folder: Path) -> None:
    assert run("add-score", "ava", data_dir=folder).returncode == 2
    assert run("add-score", "ava", "ORF", "5", "--errors", "x", data_dir=folder).returncode == 2


# --------------------------------------------------------------------------- export
def test_export_scores_and_sessions(caseload_dir: tuple[Path, Caseload], tmp_path: Path) -> None:
    folder, caseload = caseload_dir
    scores = tmp_path / "scores.csv"
    cut = caseload.year_start + timedelta(weeks=6)
    out = run("export", "scores", scores, "--from", cut, "--group", "reading", data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert "Exported" in out.stdout and "3 students" in out.stdout
    text = scores.read_text(encoding="utf-8-sig")
    assert text.startswith("student_id,sis_id,given_name,family_name,grade,measure,date")
    assert "Quintero" in text and "Okafor" not in text
    sessions = tmp_path / "sessions.csv"
    out = run("export", "sessions", sessions, "--student", "zoe", data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert sessions.read_text(encoding="utf-8-sig").count("O'Brien") == 2
    log = run("exports", data_dir=folder)
    assert log.returncode == 0
    assert [line.split()[2] for line in log.stdout.splitlines()] == ["scores", "sessions"]
    assert str(scores) in log.stdout and "identified" in log.stdout


def test_export_deidentified_leaks_nothing(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path
) -> None:
    folder, _ = caseload_dir
    for kind in ("scores", "sessions"):
        path = tmp_path / f"{kind}.csv"
        out = run("export", kind, path, "--deidentify", data_dir=folder)
        assert out.returncode == 0, out.stderr
        with Store.open(folder, readonly=True) as store:
            assert_no_identifiers(path.read_bytes(), store)
    assert run("exports", data_dir=folder).stdout.count("de-identified") == 2


def test_export_to_stdout(caseload_dir: tuple[Path, Caseload]) -> None:
    folder, _ = caseload_dir
    out = run("export", "scores", "-", "--student", "lily", data_dir=folder)
    assert out.returncode == 0
    assert out.stdout.lstrip("\ufeff").startswith("student_id,")
    assert "Hartwell" in out.stdout and "Exported" in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--student", "xyz"), "no student matches 'xyz'"),
        (("--group", "science"), "no group matches 'science'"),
        (("--from", "2026-12-01", "--to", "2026-11-01"), "before --from"),
    ],
)
def test_export_filter_errors(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    folder, _ = caseload_dir
    assert_user_error(run("export", "scores", tmp_path / "x.csv", *args, data_dir=folder), message)
    assert not (tmp_path / "x.csv").exists()


def test_export_into_missing_folder(caseload_dir: tuple[Path, Caseload], tmp_path: Path) -> None:
    folder, _ = caseload_dir
    out = run("export", "sessions", tmp_path / "nope" / "x.csv", data_dir=folder)
    assert_user_error(out, "does not exist")


def test_export_calendar(caseload_dir: tuple[Path, Caseload], tmp_path: Path) -> None:
    folder, _ = caseload_dir
    path = tmp_path / "schedule.ics"
    out = run("export", "calendar", path, data_dir=folder)
    assert out.returncode == 0 and "3 groups" in out.stdout
    events = list(Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
    assert len(events) == 3
    text = path.read_text()
    assert "Quintero" not in text and "100234" not in text


# --------------------------------------------------------------------------- backup/restore
def test_backup_restore_into_a_fresh_folder(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path
) -> None:
    folder, _ = caseload_dir
    with Store.open(folder, readonly=True) as store:
        original = records_of(backup_document(store))
    path = tmp_path / "backup.json"
    out = run("export", "backup", path, data_dir=folder)
    assert out.returncode == 0 and "Backed up 6 students" in out.stdout
    fresh = tmp_path / "fresh"
    out = run("restore", path, data_dir=fresh)
    assert out.returncode == 0, out.stderr
    assert "Restored 6 students, 4 groups" in out.stdout
    with Store.open(fresh, readonly=True) as store:
        assert records_of(backup_document(store)) == original


def test_restore_into_existing_data_needs_yes(
    caseload_dir: tuple[Path, Caseload], backed_up: tuple[Path, Path]
) -> None:
    _, caseload = caseload_dir
    folder, path = backed_up
    assert run("add-score", "lily", "ORF", "88", data_dir=folder).returncode == 0
    run_refused(
        "restore", path, data_dir=folder,
        text="already holds data (6 students, 4 groups); nothing was changed",
    )  # fmt: skip
    out = run("restore", path, "--yes", data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert "kept in" in out.stdout
    with Store.open(folder, readonly=True) as store:
        assert store.score_on(caseload.students["lily"], "ORF", date.today()) is None
        assert records_of(backup_document(store)) == records_of(json.loads(path.read_text()))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["scores"][0].update(value=-5), "b.json: scores[0]"),
        (lambda d: d["sessions"][0].update(group_id="gr-gone"), "refers to group 'gr-gone'"),
        (lambda d: d.update(format="something"), "not an intervene backup"),
        (lambda d: d["students"][2].update(grade="PK"), "students[2]"),
    ],
)
def test_restore_bad_backup_changes_nothing(
    backed_up: tuple[Path, Path], edit, message: str
) -> None:
    folder, path = backed_up
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))
    run_refused("restore", path, "--yes", data_dir=folder, text=message)


def test_restore_truncated_file(backed_up: tuple[Path, Path]) -> None:
    folder, path = backed_up
    path.write_bytes(path.read_bytes()[:-200])
    run_refused("restore", path, "--yes", data_dir=folder, text="not valid JSON")


def test_commands_refuse_when_the_app_has_the_folder(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path
) -> None:
    folder, caseload = caseload_dir
    with Store.open(folder):
        out = run("add-score", "lily", "ORF", "70", data_dir=folder)
        assert_user_error(out, "already open")
        # reading the schedule still works, read-only
        day = caseload.year_start + timedelta(weeks=3)
        assert run("today", "--date", day, data_dir=folder).returncode == 0
        assert run("exports", data_dir=folder).returncode == 0


def test_calendar_round_trip_through_the_cli(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path
) -> None:
    folder, _ = caseload_dir
    path = tmp_path / "s.ics"
    assert run("export", "calendar", path, data_dir=folder).returncode == 0
    from store.ical import event_dates

    with Store.open(folder, readonly=True) as store:
        cal = store.calendar()
        groups = {f"{g.id}@intervene": g for g in store.groups()}
    for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
        g = groups[str(event["UID"])]
        assert event_dates(event) == occurrences(g, cal, cal.year_start, cal.year_end)


def test_read_only_flag(caseload_dir: tuple[Path, Caseload], tmp_path: Path) -> None:
    folder, caseload = caseload_dir
    day = caseload.year_start + timedelta(weeks=3)
    argv = [sys.executable, "-m", "tui.cli", "--read-only", "--data-dir", str(folder)]
    ok = subprocess.run(
        [*argv, "today", "--date", day.isoformat()],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and "Reading Group A" in ok.stdout
    before = read_tree(folder)
    refused = subprocess.run(
        [*argv, "add-score", "lily", "ORF", "70"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_user_error(refused, "drop --read-only")
    assert read_tree(folder) == before


def test_usage_errors_exit_2(folder: Path) -> None:
    assert run("export", data_dir=folder).returncode == 2
    assert run("export", "bogus", "x", data_dir=folder).returncode == 2
    assert run("import", data_dir=folder).returncode == 2
    assert run("restore", data_dir=folder).returncode == 2
    assert run("export", "scores", "x.csv", "--from", "nope", data_dir=folder).returncode == 2


def test_import_oneroster_maps_a_class_to_an_existing_group(tmp_path: Path) -> None:
    """`--map-group CLASS=GROUP` (issue 19): the class's students join a group already there;
    the preview offers it when classes would become new groups."""
    from store.model import Group

    data = tmp_path / "data"
    with Store.open(data) as store:
        store.add_group(Group("", "Fluency 3", rrule="FREQ=WEEKLY;BYDAY=MO"))
    folder = str(SAMPLES / "oneroster")
    offered = run("import", "roster", folder, "--groups", "--data-dir", str(data))
    assert "--map-group 'CLASS=GROUP' (groups: Fluency 3)" in offered.stdout
    assert "homeroom class 'Homeroom 2B' is not made a group" in offered.stdout
    bad = run("import", "roster", folder, "--groups", "--map-group", "Reading", "--yes",
              "--data-dir", str(data))  # fmt: skip
    assert bad.returncode == 1 and "give CLASS=GROUP" in bad.stderr
    done = run("import", "roster", folder, "--groups", "--yes", "--data-dir", str(data),
               "--map-group", "Reading Intervention Gr 3=Fluency 3")  # fmt: skip
    assert done.returncode == 0, done.stderr
    with Store.open(data) as store:
        names = {g.name: g for g in store.groups()}
        assert set(names) == {"Fluency 3", "Math Facts, Grade 4"}
        assert names["Fluency 3"].member_ids
