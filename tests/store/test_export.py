"""CSV exports, de-identification, backup → restore round trips."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from store.db import Store
from store.errors import StoreError, StoreLockedError, ValidationError
from store.export import (
    ExportFilter,
    backup_document,
    check_backup,
    export_backup,
    export_scores,
    export_sessions,
    find_group,
    find_student,
    load_backup,
    records_of,
    restore_backup,
    week_number,
)
from store.model import Attendance, Group, Membership, NoSchool, SchoolCalendar, Session
from tests.conftest import FakeClock, read_tree


# --------------------------------------------------------------------------- a caseload
@dataclass
class Caseload:
    today: date
    year_start: date
    students: dict[str, str]  # short key -> student id
    groups: dict[str, str]  # short key -> group id


NAMES = [
    # key, given, family, grade, SIS id
    ("ava", "Ava", "Quintero", "3", "100234"),
    ("mateo", "Mateo", "Zabriskie", "3", "100235"),
    ("lily", "Lily", "Hartwell", "3", "100236"),
    ("noah", "Noah", "Okafor", "4", "100301"),
    ("zoe", "Zoë", "O'Brien, Jr.", "4", "100302"),
    ("ethan", "Ethan", "Kowalczyk", "2", "100303"),
]


def build_caseload(store: Store) -> Caseload:
    """A small, realistic caseload dated relative to the store's today: students, groups
    (weekly, every other week, daily, unscheduled), no-school days, scores, sessions with
    attendance and free text that names students, goals and a phase change."""
    today = store.today()
    year_start = today - timedelta(days=today.weekday()) - timedelta(weeks=12) + timedelta(days=1)
    year_end = year_start + timedelta(weeks=41)
    break_start = year_start + timedelta(weeks=5)  # a Tuesday
    store.set_calendar(
        SchoolCalendar(
            year_start,
            year_end,
            [
                NoSchool(break_start, break_start + timedelta(days=2), "Fall break"),
                NoSchool(today + timedelta(days=8), today + timedelta(days=8), "PD day"),
                NoSchool(year_start + timedelta(weeks=17), year_start + timedelta(weeks=19)),
            ],
        )
    )
    ids: dict[str, str] = {}
    for key, given, family, grade, sis in NAMES:
        ids[key] = store.add_student(given, family, grade, sis_id=sis).id
    start = year_start + timedelta(weeks=1)
    reading = store.add_group(
        Group(
            "",
            "Reading Group A",
            program="Phonics Boost",
            skill_focus="decoding",
            location="Room 12",
            start_time="09:10",
            duration_minutes=30,
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,TH",
            measures=["ORF"],
            fidelity_items=["warm-up", "new sound", "connected text"],
            memberships=[Membership(ids[k], start) for k in ("ava", "mateo", "lily", "zoe")],
        )
    )
    math = store.add_group(
        Group(
            "",
            "Math Facts 4",
            program="Fact Fluency",
            location="Room 14",
            start_time="10:05",
            duration_minutes=25,
            rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,FR",
            start_date=start + timedelta(days=2),
            measures=["MCOMP"],
            memberships=[Membership(ids["noah"], start), Membership(ids["zoe"], start)],
        )
    )
    cico = store.add_group(
        Group(
            "",
            "Check-In Daily",
            program="CICO",
            tier=3,
            start_time="08:00",
            duration_minutes=10,
            rrule="FREQ=DAILY",
            memberships=[Membership(ids["ethan"], start)],
        )
    )
    store.add_group(Group("", "Spring Fluency", rrule="FREQ=WEEKLY;BYDAY=SU"))
    # weekly ORF probes for the reading group, MCOMP for math
    for week in range(2, 12):
        d = year_start + timedelta(weeks=week, days=2)
        if d >= today:
            break
        for i, key in enumerate(("ava", "mateo", "lily")):
            store.record_score(ids[key], "ORF", 40 + week * 2 + i, d, errors=i)
        store.record_score(ids["noah"], "MCOMP", 10 + week, d)
    store.record_score(ids["ethan"], "CICO", 75, today - timedelta(days=1))
    # sessions: delivered with attendance and notes naming students, and a cancelled one
    day = year_start + timedelta(weeks=3)  # a Tuesday
    store.log_session(
        Session(
            "",
            reading.id,
            day,
            minutes_delivered=30,
            lesson="Lesson 12 with Ava Quintero reading aloud",
            attendance=[
                Attendance(ids["ava"], "present", minutes=30),
                Attendance(ids["mateo"], "absent", "school-activity"),
                Attendance(ids["lily"], "late", "Lily Hartwell came from speech", minutes=20),
                Attendance(ids["zoe"], "present", minutes=30),
            ],
            fidelity_done=["warm-up", "new sound"],
            note="Mateo Zabriskie at the book fair; 100235 to make up",
        )
    )
    store.log_session(Session("", reading.id, day + timedelta(days=2), "cancelled", "assembly"))
    store.log_session(
        Session(
            "",
            math.id,
            year_start + timedelta(weeks=3, days=1),
            minutes_delivered=25,
            attendance=[
                Attendance(ids["noah"], "present", minutes=25),
                Attendance(ids["zoe"], "absent", "absent"),
            ],
        )
    )
    store.set_goal(
        ids["ava"],
        "ORF",
        baseline_value=44,
        baseline_date=year_start + timedelta(weeks=2),
        goal_value=70,
        goal_date=year_start + timedelta(weeks=30),
        method="norms-ambitious",
    )
    store.add_phase_change(ids["ava"], "ORF", year_start + timedelta(weeks=6), "added 10 min")
    return Caseload(
        today,
        year_start,
        ids,
        {"reading": reading.id, "math": math.id, "cico": cico.id},
    )


@pytest.fixture
def caseload(store: Store) -> Caseload:
    return build_caseload(store)


def read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff"), "CSV exports start with a BOM for spreadsheets"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def secrets_of(store: Store) -> list[str]:
    """Every string that identifies a student or a group."""
    out: list[str] = []
    for s in store.students(include_archived=True):
        out += [s.given_name, s.family_name, s.id]
        if s.sis_id:
            out.append(s.sis_id)
    for g in store.groups(include_inactive=True):
        out += [g.name, g.id]
    return out


def assert_no_identifiers(data: bytes, store: Store) -> None:
    text = data.decode("utf-8").casefold()
    for secret in secrets_of(store):
        assert secret.casefold() not in text, f"{secret!r} leaked into a de-identified export"
    for word in ("quintero", "zabriskie", "book fair", "speech", "lesson 12"):
        assert word not in text


# --------------------------------------------------------------------------- lookups
def test_find_student_by_id_sis_name_and_prefix(store: Store, caseload: Caseload) -> None:
    ava = caseload.students["ava"]
    assert find_student(store, ava).id == ava
    assert find_student(store, "100234").id == ava
    assert find_student(store, "ava quintero").id == ava
    assert find_student(store, "QUIN").id == ava
    assert find_student(store, "quintero, a").id == ava


def test_find_student_ambiguous_lists_candidates(store: Store, caseload: Caseload) -> None:
    store.add_student("Avery", "Stone", "3")
    with pytest.raises(ValidationError) as err:
        find_student(store, "av")
    assert "matches 2 students" in str(err.value)
    assert "Ava Quintero" in str(err.value) and "Avery Stone" in str(err.value)
    with pytest.raises(ValidationError, match="no student matches 'xyz'"):
        find_student(store, "xyz")


def test_exact_full_name_beats_prefix(store: Store, caseload: Caseload) -> None:
    store.add_student("Ava", "Quintero-Ruiz", "2")
    assert find_student(store, "Ava Quintero").id == caseload.students["ava"]


def test_find_group(store: Store, caseload: Caseload) -> None:
    assert find_group(store, "math").id == caseload.groups["math"]
    assert find_group(store, caseload.groups["reading"]).name == "Reading Group A"
    with pytest.raises(ValidationError, match="no group matches"):
        find_group(store, "science")


# --------------------------------------------------------------------------- scores CSV
def test_scores_export_long_format(store: Store, caseload: Caseload, tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    result = export_scores(store, out)
    rows = read_csv(out)
    assert (
        len(rows)
        == result.rows
        == sum(len(store.scores(s.id)) for s in store.students(include_archived=True))
    )
    assert list(rows[0]) == [
        "student_id",
        "sis_id",
        "given_name",
        "family_name",
        "grade",
        "measure",
        "date",
        "value",
        "errors",
    ]
    ava = [r for r in rows if r["sis_id"] == "100234"]
    assert {r["given_name"] for r in ava} == {"Ava"}
    assert ava[0]["measure"] == "ORF" and ava[0]["errors"] == "0"
    assert out.stat().st_mode & 0o777 == 0o600
    log = store.exports()
    assert [(e.kind, e.students, e.deidentified) for e in log] == [("scores", 5, False)]
    assert log[0].path == str(out)


def test_scores_export_filters(store: Store, caseload: Caseload, tmp_path: Path) -> None:
    cut = caseload.year_start + timedelta(weeks=6)
    out = tmp_path / "s.csv"
    export_scores(store, out, ExportFilter(since=cut))
    assert all(r["date"] >= cut.isoformat() for r in read_csv(out))
    export_scores(store, out, ExportFilter(until=cut))
    assert read_csv(out) and all(r["date"] <= cut.isoformat() for r in read_csv(out))
    export_scores(store, out, ExportFilter(group=find_group(store, "math")))
    assert {r["given_name"] for r in read_csv(out)} == {"Noah"}
    export_scores(store, out, ExportFilter(student=find_student(store, "lily")))
    assert {r["family_name"] for r in read_csv(out)} == {"Hartwell"}
    with pytest.raises(ValidationError, match="before"):
        export_scores(store, out, ExportFilter(since=cut, until=cut - timedelta(days=1)))


def test_quoted_names_survive(store: Store, caseload: Caseload, tmp_path: Path) -> None:
    store.record_score(caseload.students["zoe"], "ORF", 55, caseload.today)
    out = tmp_path / "s.csv"
    export_scores(store, out, ExportFilter(student=find_student(store, "zoë")))
    assert read_csv(out)[0]["family_name"] == "O'Brien, Jr."


# --------------------------------------------------------------------------- sessions CSV
def test_sessions_export_one_row_per_attendance(
    store: Store, caseload: Caseload, tmp_path: Path
) -> None:
    out = tmp_path / "sessions.csv"
    result = export_sessions(store, out)
    rows = read_csv(out)
    assert len(rows) == 4 + 1 + 2  # 4 attendance rows, 1 cancelled session, 2 attendance rows
    assert result.students == 5
    mateo = next(r for r in rows if r["given_name"] == "Mateo")
    assert (mateo["attendance"], mateo["reason"], mateo["group"]) == (
        "absent",
        "school-activity",
        "Reading Group A",
    )
    assert mateo["fidelity_pct"] == "66.7" and mateo["minutes_delivered"] == "30"
    assert "book fair" in mateo["note"] and mateo["lesson"].startswith("Lesson 12")
    cancelled = next(r for r in rows if r["status"] == "cancelled")
    assert cancelled["cancel_reason"] == "assembly" and cancelled["student_id"] == ""
    export_sessions(store, out, ExportFilter(student=find_student(store, "zoe")))
    assert {r["group"] for r in read_csv(out)} == {"Reading Group A", "Math Facts 4"}
    export_sessions(store, out, ExportFilter(group=find_group(store, "math")))
    assert {r["group"] for r in read_csv(out)} == {"Math Facts 4"}


# --------------------------------------------------------------------------- de-identified
def test_deidentified_exports_leak_nothing(
    store: Store, caseload: Caseload, tmp_path: Path
) -> None:
    for export in (export_scores, export_sessions):
        out = tmp_path / f"{export.__name__}.csv"
        result = export(store, out, deidentify=True)
        assert result.rows > 0 and result.deidentified
        data = out.read_bytes()
        assert_no_identifiers(data, store)
        rows = read_csv(out)
        assert all("date" not in r for r in rows) and all(r["week"].isdigit() for r in rows)
        codes = {r["student"] for r in rows if r["student"]}
        assert codes and all(c[0] == "S" and c[1:].isdigit() for c in codes)
    assert [e.deidentified for e in store.exports()] == [True, True]


def test_deidentified_sessions_drop_free_text(
    store: Store, caseload: Caseload, tmp_path: Path
) -> None:
    out = tmp_path / "d.csv"
    export_sessions(store, out, deidentify=True, rng=random.Random(1))
    rows = read_csv(out)
    assert "lesson" not in rows[0] and "note" not in rows[0]
    assert {r["group"] for r in rows} == {"G1", "G2"}
    late = [r for r in rows if r["attendance"] == "late"]
    assert late and late[0]["reason"] == ""  # free-text note dropped
    assert {r["reason"] for r in rows if r["attendance"] == "absent"} == {
        "school-activity",
        "absent",
    }


def test_codes_consistent_within_export_not_derived_from_ids(
    store: Store, caseload: Caseload, tmp_path: Path
) -> None:
    out = tmp_path / "d.csv"
    seen: set[tuple[str, ...]] = set()
    for seed in range(6):
        export_scores(store, out, deidentify=True, rng=random.Random(seed))
        rows = read_csv(out)
        by_code: dict[str, set[str]] = {}
        for r in rows:
            by_code.setdefault(r["student"], set()).add(r["measure"] + r["grade"])
        # one code = one student: a code never mixes grades/measures of two students
        assert all(len({v[-1] for v in vals}) == 1 for vals in by_code.values())
        seen.add(tuple(r["student"] for r in rows if r["measure"] == "MCOMP"))
    assert len(seen) > 1, "codes are assigned in a random order"


def test_week_numbers() -> None:
    start = date(2026, 8, 26)  # a Wednesday
    assert week_number(start, start) == 1
    assert week_number(date(2026, 8, 24), start) == 1  # the Monday of that week
    assert week_number(date(2026, 8, 31), start) == 2
    assert week_number(date(2026, 11, 25), start) == 14


# --------------------------------------------------------------------------- backup/restore
def test_backup_restore_round_trip(
    store: Store, caseload: Caseload, tmp_path: Path, clock: FakeClock
) -> None:
    archived = store.archive_student(caseload.students["ethan"])
    assert not archived.active
    original = records_of(backup_document(store))  # before the backup logs itself
    path = tmp_path / "backup.json"
    export_backup(store, path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "intervene-backup" and doc["schema_version"] >= 1
    assert records_of(doc) == original
    fresh = tmp_path / "fresh"
    restore_backup(fresh, load_backup(path), clock=clock)
    with Store.open(fresh, clock=clock) as again:
        assert records_of(backup_document(again)) == original
        assert again.student(caseload.students["ethan"]).active is False
        assert again.scores(caseload.students["ava"]) == store.scores(caseload.students["ava"])
        assert again.sessions() == store.sessions()
        assert again.groups(include_inactive=True) == store.groups(include_inactive=True)
        # the restored folder is a working store
        again.record_score(caseload.students["lily"], "ORF", 77, caseload.today)


def test_restore_replaces_existing_data_and_keeps_a_copy(
    store: Store, caseload: Caseload, tmp_path: Path, clock: FakeClock, data_dir: Path
) -> None:
    path = tmp_path / "backup.json"
    export_backup(store, path)
    backup = load_backup(path)
    store.add_student("Extra", "Pupil", "5")
    store.record_score(caseload.students["lily"], "ORF", 90, caseload.today)
    store.close()
    result = restore_backup(data_dir, backup, clock=clock)
    assert result.safety_copy is not None and (result.safety_copy / "core.json").is_file()
    with Store.open(data_dir, clock=clock) as again:
        assert "Extra" not in {s.given_name for s in again.students()}
        assert again.score_on(caseload.students["lily"], "ORF", caseload.today) is None
        assert records_of(backup_document(again)) == records_of(json.loads(path.read_text()))


def test_restore_refuses_while_store_is_open(
    store: Store, caseload: Caseload, tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "b.json"
    export_backup(store, path)
    before = read_tree(data_dir)
    with pytest.raises(StoreLockedError):
        restore_backup(data_dir, load_backup(path))
    assert read_tree(data_dir) == before


def _corrupt(doc: dict, how: str) -> dict:
    doc = json.loads(json.dumps(doc))
    if how == "score-range":
        doc["scores"][0]["value"] = 9999
    elif how == "unknown-student":
        doc["scores"][0]["student_id"] = "st-nobody"
    elif how == "unknown-group":
        doc["sessions"][0]["group_id"] = "gr-gone"
    elif how == "bad-grade":
        doc["students"][1]["grade"] = "14"
    elif how == "dup-student":
        doc["students"].append(doc["students"][0])
    elif how == "bad-rrule":
        doc["groups"][0]["rrule"] = "FREQ=SOMETIMES"
    elif how == "missing-section":
        del doc["goals"]
    elif how == "newer":
        doc["schema_version"] = 99
    elif how == "member-unknown":
        doc["groups"][0]["memberships"][0]["student_id"] = "st-ghost"
    elif how == "missing-field":
        del doc["students"][0]["given_name"]
    elif how == "not-backup":
        doc = {"hello": "world"}
    return doc


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("score-range", "scores[0]"),
        ("unknown-student", "st-nobody"),
        ("unknown-group", "gr-gone"),
        ("bad-grade", "students[1]"),
        ("dup-student", "listed twice"),
        ("bad-rrule", "not a valid RRULE"),
        ("missing-section", "'goals' section is missing"),
        ("newer", "newer version"),
        ("member-unknown", "st-ghost"),
        ("missing-field", "students[0]"),
        ("not-backup", "not an intervene backup"),
    ],
)
def test_bad_backups_are_rejected_naming_the_problem(
    store: Store, caseload: Caseload, how: str, message: str
) -> None:
    doc = backup_document(store)
    with pytest.raises(ValidationError) as err:
        check_backup(_corrupt(doc, how), "b.json")
    assert message in str(err.value)


def test_truncated_backup_file(store: Store, caseload: Caseload, tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    export_backup(store, path)
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(ValidationError, match="not valid JSON"):
        load_backup(path)
    with pytest.raises(StoreError, match="does not exist"):
        load_backup(tmp_path / "nope.json")


def test_export_to_missing_folder_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        export_scores(store, tmp_path / "no" / "such" / "x.csv")
    assert store.exports() == []


def test_backup_document_is_json_and_has_every_record(store: Store, caseload: Caseload) -> None:
    doc = backup_document(store, now=datetime(2026, 11, 25, 12))
    assert doc["exported_at"] == "2026-11-25T12:00:00"
    assert len(doc["students"]) == len(NAMES)
    assert len(doc["groups"]) == 4 and len(doc["goals"]) == 1 and len(doc["phase_changes"]) == 1
    assert len(doc["sessions"]) == 3
    json.dumps(doc)
