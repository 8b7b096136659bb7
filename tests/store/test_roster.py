"""Roster import: the CSV template and OneRoster folders, with real-world mess."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from store.errors import StoreError, ValidationError
from store.model import Group, Membership
from store.roster import (
    UNSCHEDULED_RRULE,
    apply_import,
    is_unscheduled,
    parse_roster,
    plan_import,
)
from store.schedule import occurrences
from tests.conftest import SAMPLES, FakeClock, read_tree

#: The SIS ids of samples/roster.csv, all of them also students of samples/oneroster.
SAMPLE_SIS_IDS = {"100234", "100235", "100236", "100301", "100302", "100303"}
TODAY = date(2026, 11, 25)


def write(path: Path, text: str, *, bom: bool = False, crlf: bool = False) -> Path:
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def import_file(store: Store, path: Path, **kw: object):
    plan = plan_import(parse_roster(path, **kw), store)  # type: ignore[arg-type]
    return plan, apply_import(plan, store)


# --------------------------------------------------------------------------- simple CSV
def test_sample_roster_imports(store: Store) -> None:
    plan, result = import_file(store, SAMPLES / "roster.csv")
    assert plan.ok and result.added == 6 and result.groups == 2
    assert {s.sis_id for s in store.students()} == SAMPLE_SIS_IDS
    groups = {g.name: g for g in store.groups()}
    assert set(groups) == {"Reading Group A", "Math Facts 4"}
    assert len(groups["Reading Group A"].member_ids) == 4
    zoe = next(s for s in store.students() if s.sis_id == "100302")
    assert zoe.family_name == "O'Brien, Jr."
    assert {g.name for g in store.groups_of(zoe.id)} == {"Reading Group A", "Math Facts 4"}


def test_messy_csv_bom_crlf_quotes_extra_columns_aliases(store: Store, tmp_path: Path) -> None:
    text = (
        "Homeroom,First_Name,LAST NAME,Student_ID,Grade,Notes,Group\n"
        '2B,"Ana María","García, López",A-1,02,"likes ""dinosaurs""",Reading A\n'
        "3C,Bo,Li,A-2,KG,,\n"
        '4D,Cy,"Multi\nLine",A-3,3,,reading a\n'
        "\n"
        "5E,Di,Ng,A-4,12,extra,\n"
    )
    path = write(tmp_path / "roster.csv", text, bom=True, crlf=True)
    plan, result = import_file(store, path)
    assert plan.ok, plan.problems
    assert result.added == 4 and result.groups == 1
    by_sis = {s.sis_id: s for s in store.students()}
    assert (by_sis["A-1"].given_name, by_sis["A-1"].family_name) == ("Ana María", "García, López")
    assert by_sis["A-1"].grade == "2" and by_sis["A-2"].grade == "K"
    assert by_sis["A-3"].family_name == "Multi Line"
    (group,) = store.groups()
    assert group.name == "Reading A" and len(group.member_ids) == 2  # same name, any case
    assert by_sis["A-4"].grade == "12"


def test_line_numbers_count_physical_lines(store: Store, tmp_path: Path) -> None:
    text = 'student_id,given_name,family_name,grade\n1,A,"two\nlines",3\n2,B,C,3\n1,D,E,3\n'
    plan = plan_import(parse_roster(write(tmp_path / "r.csv", text)), store)
    assert [(p.line, p.message) for p in plan.problems] == [
        (5, "duplicate student id '1' (first on line 2)")
    ]


def test_semicolon_separated_and_cp1252(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("student_id;first_name;last_name;grade\n7;Zoë;Brontë;4\n".encode("cp1252"))
    plan, result = import_file(store, path)
    assert plan.ok and result.added == 1
    assert store.students()[0].name == "Zoë Brontë"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("student_id,given_name,grade\n1,A,3\n", 1, "missing required column family_name"),
        ("id,name\n1,A\n", 1, "missing required columns"),
        ("student_id,given_name,family_name,grade\n1,A,B,3\n1,C,D,4\n", 3, "duplicate student id"),
        ("student_id,given_name,family_name,grade\n1,A,B,14\n", 2, "grade '14'"),
        ("student_id,given_name,family_name,grade\n1,,B,3\n", 2, "given name is required"),
        ("student_id,given_name,family_name,grade\n,A,B,3\n", 2, "student id is empty"),
    ],
)
def test_problems_block_the_import_and_write_nothing(
    store: Store, data_dir: Path, tmp_path: Path, text: str, line: int, message: str
) -> None:
    store.add_student("Existing", "Kid", "3", sis_id="999")
    before = read_tree(data_dir)
    plan = plan_import(parse_roster(write(tmp_path / "r.csv", text, crlf=True)), store)
    assert not plan.ok
    assert plan.problems[0].line == line and message in plan.problems[0].message
    assert any("Problems" in line_ for line_ in plan.preview())
    with pytest.raises(ValidationError, match="nothing was written"):
        apply_import(plan, store)
    assert read_tree(data_dir) == before


def test_header_only_file_is_a_problem(store: Store, tmp_path: Path) -> None:
    plan = plan_import(
        parse_roster(write(tmp_path / "r.csv", "student_id,given_name,family_name,grade\n")), store
    )
    assert not plan.ok and "no student rows" in plan.problems[0].message


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        parse_roster(tmp_path / "missing.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match="no users.csv"):
        parse_roster(tmp_path / "empty")


def test_reimport_changes_nothing(store: Store, data_dir: Path) -> None:
    import_file(store, SAMPLES / "roster.csv")
    before = read_tree(data_dir)
    plan, result = import_file(store, SAMPLES / "roster.csv")
    assert plan.changes == 0 and len(plan.unchanged_students) == 6
    assert (result.added, result.updated, result.groups, result.memberships) == (0, 0, 0, 0)
    assert read_tree(data_dir) == before


def test_changed_names_and_grades_are_updates(store: Store, tmp_path: Path) -> None:
    import_file(store, SAMPLES / "roster.csv")
    text = (
        (SAMPLES / "roster.csv")
        .read_text()
        .replace("100303,Ethan,Kowalski,2", "100303,Ethan,Kowalski-Reyes,3")
    )
    plan, result = import_file(store, write(tmp_path / "r.csv", text))
    assert result.updated == 1 and result.added == 0
    (update,) = plan.updated_students
    assert update.changes == {"family_name": ("Kowalski", "Kowalski-Reyes"), "grade": ("2", "3")}
    ethan = next(s for s in store.students() if s.sis_id == "100303")
    assert (ethan.family_name, ethan.grade) == ("Kowalski-Reyes", "3")


def test_existing_group_gets_members_from_import_date(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    old = store.add_student("Old", "Member", "3", sis_id="5")
    group = store.add_group(
        Group(
            "",
            "reading group a",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            memberships=[Membership(old.id, date(2026, 9, 1))],
        )
    )
    plan, result = import_file(store, SAMPLES / "roster.csv")
    assert result.groups == 1  # only Math Facts 4 is new
    assert {m.group_id for m in plan.memberships if m.group_name == "reading group a"} == {group.id}
    updated = store.group(group.id)
    new = [m for m in updated.memberships if m.student_id != old.id]
    assert len(new) == 4 and {m.start for m in new} == {TODAY}
    assert updated.rrule == "FREQ=WEEKLY;BYDAY=MO"  # schedule untouched


def test_new_groups_are_unscheduled(store: Store) -> None:
    import_file(store, SAMPLES / "roster.csv")
    cal = store.calendar()
    for g in store.groups():
        assert g.rrule == UNSCHEDULED_RRULE and is_unscheduled(g)
        assert occurrences(g, cal, cal.year_start, cal.year_end) == []
        assert {m.start for m in g.memberships} == {TODAY}


def test_progress_is_reported(store: Store) -> None:
    plan = plan_import(parse_roster(SAMPLES / "roster.csv"), store)
    calls: list[tuple[int, int]] = []
    apply_import(plan, store, progress=lambda done, total: calls.append((done, total)))
    total = 6 + 2 + 6  # students, groups, memberships
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [d for d, _ in calls] == list(range(total + 1))


def test_import_is_one_undo_step(store: Store) -> None:
    import_file(store, SAMPLES / "roster.csv")
    assert "roster import" in store.undo_last()
    assert store.students() == [] and store.groups() == []


def test_failure_while_writing_leaves_files_unchanged(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_student("Existing", "Kid", "3", sis_id="999")
    before = read_tree(data_dir)
    plan = plan_import(parse_roster(SAMPLES / "roster.csv"), store)

    def boom(*_a: object, **_k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store, "add_group", boom)
    with pytest.raises(OSError, match="disk full"):
        apply_import(plan, store)
    assert read_tree(data_dir) == before
    assert [s.given_name for s in store.students()] == ["Existing"]


def test_preview_lists_what_will_happen(store: Store) -> None:
    plan = plan_import(parse_roster(SAMPLES / "roster.csv"), store)
    text = "\n".join(plan.preview())
    assert "6 new, 0 updated, 0 unchanged students; 2 new groups" in text
    assert "Ava Jones (grade 3, SIS 100234)" in text
    assert "Math Facts 4 (2 students)" in text


# --------------------------------------------------------------------------- OneRoster
def test_oneroster_sample_students_only(store: Store) -> None:
    parsed = parse_roster(SAMPLES / "oneroster")
    assert parsed.kind == "oneroster" and not parsed.problems
    # teachers, the parent, the disabled student and the PK student are not imported
    # 100304 is only in the OneRoster sample; u-s-009 has no identifier: the sourcedId stands in
    assert {s.sis_id for s in parsed.students} == SAMPLE_SIS_IDS | {"100304", "u-s-009"}
    assert [w.line for w in parsed.warnings] == [13]
    assert "PK" in parsed.warnings[0].message
    assert parsed.groups == []
    plan, result = import_file(store, SAMPLES / "oneroster")
    assert result.added == 8 and result.groups == 0
    grades = {s.sis_id: s.grade for s in store.students()}
    assert grades["100234"] == "3" and grades["100304"] == "K"


def test_oneroster_sample_with_groups(store: Store, data_dir: Path) -> None:
    plan, result = import_file(store, SAMPLES / "oneroster", groups=True)
    assert result.groups == 2  # the homeroom class is not an intervention group (issue 19)
    groups = {g.name: g for g in store.groups()}
    assert set(groups) == {"Reading Intervention Gr 3", "Math Facts, Grade 4"}
    assert "classes.csv line 4: homeroom class 'Homeroom 2B' is not made a group" in [
        str(w) for w in plan.warnings
    ]
    # the disabled student's enrollment is ignored
    assert len(groups["Math Facts, Grade 4"].member_ids) == 2
    before = read_tree(data_dir)
    plan, _ = import_file(store, SAMPLES / "oneroster", groups=True)
    assert plan.changes == 0 and read_tree(data_dir) == before


def test_oneroster_class_mapped_to_an_existing_group(store: Store) -> None:
    import_file(store, SAMPLES / "oneroster")  # the students first, no groups
    fluency = store.add_group(Group("", "Fluency 3", rrule="FREQ=WEEKLY;BYDAY=MO"))
    parsed = parse_roster(SAMPLES / "oneroster", groups=True)
    bad = plan_import(parsed, store, on=TODAY, group_map={"Reading Intervention Gr 3": "Nope"})
    assert not bad.ok
    assert any("maps to 'Nope', which is not a current group" in str(p) for p in bad.problems)
    plan = plan_import(
        parsed, store, on=TODAY, group_map={"reading intervention gr 3": "fluency 3"}
    )
    assert plan.ok, plan.problems
    assert [g.name for g in plan.new_groups] == ["Math Facts, Grade 4"]
    apply_import(plan, store)
    names = {g.name for g in store.groups()}
    assert "Reading Intervention Gr 3" not in names
    members = store.group(fluency.id).members_on(TODAY)
    assert len(members) >= 2


def test_oneroster_users_csv_path_means_the_folder(store: Store) -> None:
    assert parse_roster(SAMPLES / "oneroster" / "users.csv").kind == "oneroster"


def copy_sample(tmp_path: Path) -> Path:
    folder = tmp_path / "oneroster"
    shutil.copytree(SAMPLES / "oneroster", folder)
    return folder


def append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + line + "\n")


@pytest.mark.parametrize(
    ("file", "line_text", "message"),
    [
        (
            "enrollments.csv",
            "e-099,,,c-404,org-lincoln,u-s-001,student,false,,",
            "classSourcedId 'c-404'",
        ),
        (
            "enrollments.csv",
            "e-099,,,c-001,org-lincoln,u-s-404,student,false,,",
            "userSourcedId 'u-s-404'",
        ),
        (
            "users.csv",
            "u-s-001,,,true,org-lincoln,student,x,,X,Y,,999,,,,,03,",
            "duplicate sourcedId",
        ),
        (
            "users.csv",
            "u-s-099,,,true,org-lincoln,student,x,,X,Y,,100234,,,,,03,",
            "duplicate identifier '100234'",
        ),
        (
            "users.csv",
            "u-s-099,,,true,org-nowhere,student,x,,X,Y,,777,,,,,03,",
            "unknown org 'org-nowhere'",
        ),
        ("classes.csv", "c-009,,,Art,03,,,,,org-mars,,,,", "unknown org 'org-mars'"),
    ],
)
def test_oneroster_broken_references(
    store: Store, data_dir: Path, tmp_path: Path, file: str, line_text: str, message: str
) -> None:
    folder = copy_sample(tmp_path)
    append(folder / file, line_text)
    n_lines = len((folder / file).read_text().splitlines())
    before = read_tree(data_dir)
    plan = plan_import(parse_roster(folder, groups=True), store)
    assert not plan.ok
    (problem,) = plan.problems
    assert problem.file == file and problem.line == n_lines and message in problem.message
    with pytest.raises(ValidationError):
        apply_import(plan, store)
    assert read_tree(data_dir) == before


def test_oneroster_missing_column_and_files(store: Store, tmp_path: Path) -> None:
    folder = copy_sample(tmp_path)
    users = folder / "users.csv"
    users.write_text(users.read_text().replace("givenName", "firstName"))
    plan = plan_import(parse_roster(folder), store)
    assert "missing required column givenName" in str(plan.problems[0])
    folder = copy_sample(tmp_path / "b")
    (folder / "enrollments.csv").unlink()
    plan = plan_import(parse_roster(folder), store)
    assert "enrollments.csv is missing" in str(plan.problems[0])


def test_oneroster_bom_crlf_and_column_order(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "or"
    folder.mkdir()
    write(
        folder / "users.csv",
        "grades,familyName,givenName,role,sourcedId,enabledUser,identifier,extra\n"
        '"03,04",Rivera,Sam,student,u1,TRUE,S-1,x\n'
        "KG,Kim,Jo,Student,u2,,,\n",
        bom=True,
        crlf=True,
    )
    plan, result = import_file(store, folder)
    assert plan.ok and result.added == 2
    assert {(s.name, s.grade, s.sis_id) for s in store.students()} == {
        ("Sam Rivera", "3", "S-1"),
        ("Jo Kim", "K", "u2"),
    }
