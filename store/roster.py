"""Roster import: a simple CSV template or a OneRoster 1.1 CSV folder → students and groups.

Three steps, so the user sees what will happen before anything is written:

1. :func:`parse_roster` reads a file or folder into a :class:`ParsedRoster` (no Store needed);
2. :func:`plan_import` compares it with the Store and returns an :class:`ImportPlan`
   (new / updated / unchanged students, new groups, new memberships, problems by line);
3. :func:`apply_import` writes the plan in one undoable batch, reporting progress.

Students are matched by their SIS identifier, so importing the same file twice changes
nothing. A plan with problems (missing column, duplicate id, broken reference, bad value)
cannot be applied: nothing is written. Students missing from the file are left alone.

Simple CSV template (header names case-insensitive, any column order, extra columns ignored)::

    student_id,given_name,family_name,grade,group
    100234,Ava,Jones,3,Reading Group A

``first_name``/``last_name`` are accepted for the names. ``group`` is optional; several groups
are separated by ``;``. A group name not in the Store creates an *unscheduled* group (rule
:data:`UNSCHEDULED_RRULE`, which never meets on a school day); a group that exists (same
name, any case) gets the student as a member from the import date.

OneRoster 1.1 folder: ``users.csv`` (required), ``classes.csv`` and ``enrollments.csv``
(required together, for references and groups), ``orgs.csv`` (optional; checked when
present). Students are users with role ``student`` and ``enabledUser`` not false; the SIS id
is ``identifier`` (or ``sourcedId`` when empty); the first K–12 entry of ``grades`` is the
grade (students with only PK/TK/other grades are skipped with a warning). With
``groups=True`` each class with student enrollments becomes a group named by its title.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import StoreError, ValidationError
from store.model import Group, Membership, Student, check_grade, check_text
from store.records import frozen_record, mutable_record
from store.schedule import UNSCHEDULED_RRULE, is_unscheduled  # noqa: F401 - re-exported
from store.tabular import (  # noqa: F401 - MAX_BYTES re-exported
    MAX_BYTES,
    add_section,
    all_or_nothing,
    norm,
    problems_verdict,
    read_limited,
    refuse_problems,
)

if TYPE_CHECKING:
    from store.db import Store

#: The rule of a group created by an import: weekly on Sunday, which is never a school day,
#: so the group shows in lists but meets nowhere until someone sets its schedule.

SIMPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "student_id": ("student_id", "studentid", "sis_id", "sis id", "student id", "id"),
    "given_name": ("given_name", "givenname", "first_name", "firstname", "first name"),
    "family_name": ("family_name", "familyname", "last_name", "lastname", "last name", "surname"),
    "grade": ("grade", "grade_level", "grades"),
    "group": ("group", "groups", "group_name"),
}
SIMPLE_REQUIRED = ("student_id", "given_name", "family_name", "grade")
ONEROSTER_REQUIRED: dict[str, tuple[str, ...]] = {
    "users.csv": ("sourcedId", "role", "givenName", "familyName"),
    "classes.csv": ("sourcedId", "title"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
    "orgs.csv": ("sourcedId",),
}
NOTHING_TO_CHANGE = "Nothing to change: your data already matches this roster."
_ONEROSTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "users.csv": (
        "sourcedId",
        "status",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "givenName",
        "familyName",
        "identifier",
        "grades",
    ),
    "classes.csv": ("sourcedId", "status", "title", "classType", "schoolSourcedId"),
    "enrollments.csv": ("sourcedId", "status", "classSourcedId", "userSourcedId", "role"),
    "orgs.csv": ("sourcedId",),
}


# --------------------------------------------------------------------------- records
@frozen_record
class Problem:
    """Something wrong in the input, located by file and (physical, 1-based) line."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@mutable_record
class RosterStudent:
    """One student row as read from the file (already validated)."""

    file: str
    line: int
    sis_id: str
    given_name: str
    family_name: str
    grade: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


@mutable_record
class RosterGroup:
    """A group named in the file and the SIS ids of its students."""

    name: str
    members: list[str] = field(default_factory=list)
    file: str = ""
    line: int | None = None


@mutable_record
class ParsedRoster:
    """What a roster file or folder says, before it is compared with the Store."""

    source: str
    kind: str  # "csv" or "oneroster"
    students: list[RosterStudent] = field(default_factory=list)
    groups: list[RosterGroup] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@mutable_record
class StudentUpdate:
    student: Student  # as it is in the Store now
    row: RosterStudent
    changes: dict[str, tuple[str, str]]  # field -> (old, new)


@mutable_record
class MembershipAdd:
    group_name: str
    group_id: str | None  # None: a group this import creates
    sis_id: str
    name: str


@mutable_record
class ImportPlan:
    """What :func:`apply_import` would do; nothing has been written yet."""

    source: str
    kind: str
    on: date
    new_students: list[RosterStudent] = field(default_factory=list)
    updated_students: list[StudentUpdate] = field(default_factory=list)
    unchanged_students: list[tuple[Student, RosterStudent]] = field(default_factory=list)
    new_groups: list[RosterGroup] = field(default_factory=list)
    memberships: list[MembershipAdd] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        """How many writes applying the plan takes (0: importing changes nothing)."""
        return (
            len(self.new_students)
            + len(self.updated_students)
            + len(self.new_groups)
            + len(self.memberships)
        )

    def verdict(self) -> str:
        """What happens next, in one sentence (problems / nothing to change / ready)."""
        if self.problems:
            return problems_verdict(self.problems, self.source)
        if self.changes == 0:
            return NOTHING_TO_CHANGE
        n = self.changes
        return f"Ready to import: {n} change{'s' if n != 1 else ''}."

    def summary(self) -> str:
        """One line: ``3 new, 1 updated, 20 unchanged students; 2 new groups; 5 memberships``."""
        return (
            f"{len(self.new_students)} new, {len(self.updated_students)} updated, "
            f"{len(self.unchanged_students)} unchanged students; "
            f"{len(self.new_groups)} new group{'s' if len(self.new_groups) != 1 else ''}; "
            f"{len(self.memberships)} new group membership"
            f"{'s' if len(self.memberships) != 1 else ''}"
        )

    def preview(self, limit: int = 20) -> list[str]:
        """Human-readable lines describing the plan (at most ``limit`` per section)."""
        out = [f"Import from {self.source} ({self.kind}): {self.summary()}"]

        def section(title: str, items: Sequence[str]) -> None:
            add_section(out, title, items, limit)

        section(
            "New students",
            [f"{r.name} (grade {r.grade}, SIS {r.sis_id})" for r in self.new_students],
        )
        section(
            "Updated students",
            [
                f"{u.student.name} (SIS {u.row.sis_id}): "
                + ", ".join(f"{k} {old!r} → {new!r}" for k, (old, new) in u.changes.items())
                for u in self.updated_students
            ],
        )
        section(
            "New groups (unscheduled)",
            [f"{g.name} ({len(g.members)} students)" for g in self.new_groups],
        )
        section(
            f"Group memberships from {self.on.isoformat()}",
            [f"{m.name} → {m.group_name}" for m in self.memberships],
        )
        section("Skipped", [str(w) for w in self.warnings])
        section("Problems (nothing will be written)", [str(p) for p in self.problems])
        return out


@mutable_record
class ImportResult:
    added: int
    updated: int
    groups: int
    memberships: int

    def summary(self) -> str:
        return (
            f"Imported: {self.added} new students, {self.updated} updated, "
            f"{self.groups} new groups, {self.memberships} group memberships"
        )


# --------------------------------------------------------------------------- CSV reading
def _decode(raw: bytes) -> str:
    """UTF-8 (a BOM is dropped); files saved by old Excel in cp1252 are read too."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _dialect(text: str) -> str:
    first = text.split("\n", 1)[0]
    if "," not in first:
        for sep in (";", "\t"):
            if sep in first:
                return sep
    return ","


@mutable_record
class _Table:
    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line, {header: value})


def _read_table(path: Path, name: str | None = None) -> _Table:
    """Rows of a CSV file keyed by header; tolerant of BOM, CRLF, quotes, ragged rows."""
    label = name or path.name
    text = _decode(read_limited(path, label))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text))
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    next_line = 1
    try:
        for record in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if not header:
                header = [h.strip() for h in record]
                continue
            values = {
                h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)
            }
            rows.append((line, values))
    except csv.Error as exc:
        raise StoreError(f"{label} line {reader.line_num}: not valid CSV ({exc})") from None
    return _Table(label, header, rows)


def _columns(
    table: _Table, wanted: dict[str, tuple[str, ...]], required: Iterable[str]
) -> tuple[dict[str, str], list[Problem]]:
    """Map our field names to the file's header names (case- and separator-insensitive)."""
    by_norm: dict[str, str] = {}
    for h in table.header:
        by_norm.setdefault(norm(h), h)
    found: dict[str, str] = {}
    for key, aliases in wanted.items():
        for alias in aliases:
            if norm(alias) in by_norm:
                found[key] = by_norm[norm(alias)]
                break
    missing = [k for k in required if k not in found]
    problems = []
    if missing:
        have = ", ".join(table.header) if table.header else "no header"
        problems.append(
            Problem(
                table.file,
                1,
                f"missing required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (the header has: {have})",
            )
        )
    return found, problems


def _student_row(
    file: str, line: int, sis_id: str, given: str, family: str, grade: str
) -> RosterStudent | Problem:
    given, family = " ".join(given.split()), " ".join(family.split())  # no line breaks in names
    try:
        s = Student("import", given, family, grade, sis_id).validated()
    except ValidationError as exc:
        return Problem(file, line, str(exc))
    if not s.sis_id:
        return Problem(file, line, "student id is empty")
    return RosterStudent(file, line, s.sis_id, s.given_name, s.family_name, s.grade)


def _new_student(
    row: RosterStudent | Problem, seen: dict[str, int], what: str, problems: list[Problem]
) -> RosterStudent | None:
    """``row`` when it is a student whose SIS id is new in the file (its line is remembered
    in ``seen``, SIS id → line); else None, with the row's problem or "duplicate ``what``"
    added to ``problems``."""
    if isinstance(row, Problem):
        problems.append(row)
        return None
    first = seen.setdefault(row.sis_id, row.line)
    if first == row.line:
        return row
    problems.append(
        Problem(row.file, row.line, f"duplicate {what} {row.sis_id!r} (first on line {first})")
    )
    return None


# --------------------------------------------------------------------------- simple CSV
def parse_simple_csv(path: Path) -> ParsedRoster:
    """The one-sheet template: ``student_id,given_name,family_name,grade[,group]``."""
    table = _read_table(path)
    parsed = ParsedRoster(str(path), "csv")
    cols, problems = _columns(table, SIMPLE_COLUMNS, SIMPLE_REQUIRED)
    parsed.problems.extend(problems)
    if problems:
        return parsed
    if not table.rows:
        parsed.problems.append(Problem(table.file, None, "no student rows under the header"))
        return parsed
    seen: dict[str, int] = {}
    groups: dict[str, RosterGroup] = {}
    for line, row in table.rows:
        result = _student_row(
            table.file,
            line,
            row[cols["student_id"]],
            row[cols["given_name"]],
            row[cols["family_name"]],
            row[cols["grade"]],
        )
        student = _new_student(result, seen, "student id", parsed.problems)
        if student is None:
            continue
        parsed.students.append(student)
        cell = row.get(cols["group"], "") if "group" in cols else ""
        for raw_name in cell.split(";"):
            try:
                name = check_text(raw_name, "group name")
            except ValidationError as exc:
                parsed.problems.append(Problem(table.file, line, str(exc)))
                continue
            if not name:
                continue
            key = name.casefold()
            group = groups.setdefault(key, RosterGroup(name, [], table.file, line))
            if student.sis_id not in group.members:
                group.members.append(student.sis_id)
    parsed.groups = list(groups.values())
    return parsed


# --------------------------------------------------------------------------- OneRoster
_FALSE = {"false", "0", "no", "n"}
_DELETED = {"tobedeleted", "inactive", "deleted"}


def _first_grade(cell: str) -> str | None:
    """The first K–12 grade in a OneRoster ``grades`` cell (``"03"``, ``"KG,01"``)."""
    for part in cell.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            return check_grade(part)
        except ValidationError:
            continue
    return None


def parse_oneroster(folder: Path, *, groups: bool = False) -> ParsedRoster:
    """A OneRoster 1.1 CSV folder (see the module docstring)."""
    parsed = ParsedRoster(str(folder), "oneroster")
    files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    if "users.csv" not in files:
        raise StoreError(
            f"{folder} has no users.csv: a OneRoster folder needs users.csv "
            "(with classes.csv and enrollments.csv for groups)"
        )
    have_classes = "classes.csv" in files
    have_enrollments = "enrollments.csv" in files
    if have_classes != have_enrollments:
        missing = "enrollments.csv" if have_classes else "classes.csv"
        parsed.problems.append(
            Problem(missing, None, f"{missing} is missing (classes and enrollments go together)")
        )
    if groups and not (have_classes and have_enrollments):
        parsed.problems.append(
            Problem("classes.csv", None, "groups from classes need classes.csv and enrollments.csv")
        )
    tables: dict[str, _Table] = {}
    cols: dict[str, dict[str, str]] = {}
    for name in ("orgs.csv", "users.csv", "classes.csv", "enrollments.csv"):
        if name not in files:
            continue
        table = _read_table(files[name], name)
        wanted: dict[str, tuple[str, ...]] = {c: (c,) for c in _ONEROSTER_COLUMNS[name]}
        found, problems = _columns(table, wanted, ONEROSTER_REQUIRED[name])
        parsed.problems.extend(problems)
        tables[name], cols[name] = table, found
    if parsed.problems:
        return parsed

    def col(name: str, row: dict[str, str], key: str) -> str:
        header = cols[name].get(key)
        return row.get(header, "").strip() if header else ""

    def unique_ids(name: str) -> dict[str, int]:
        ids: dict[str, int] = {}
        for line, row in tables[name].rows:
            sid = col(name, row, "sourcedId")
            if not sid:
                parsed.problems.append(Problem(name, line, "sourcedId is empty"))
            elif sid in ids:
                parsed.problems.append(
                    Problem(name, line, f"duplicate sourcedId {sid!r} (first on line {ids[sid]})")
                )
            else:
                ids[sid] = line
        return ids

    org_ids = unique_ids("orgs.csv") if "orgs.csv" in tables else None
    user_ids = unique_ids("users.csv")
    class_ids = unique_ids("classes.csv") if "classes.csv" in tables else {}

    # students
    students: dict[str, RosterStudent] = {}  # user sourcedId -> row
    sis_seen: dict[str, int] = {}
    for line, row in tables["users.csv"].rows:
        if org_ids is not None:
            for org in filter(
                None, (o.strip() for o in col("users.csv", row, "orgSourcedIds").split(","))
            ):
                if org not in org_ids:
                    parsed.problems.append(
                        Problem("users.csv", line, f"orgSourcedIds names unknown org {org!r}")
                    )
        if col("users.csv", row, "role").lower() != "student":
            continue
        if col("users.csv", row, "enabledUser").lower() in _FALSE:
            continue
        if col("users.csv", row, "status").lower() in _DELETED:
            continue
        source_id = col("users.csv", row, "sourcedId")
        sis_id = col("users.csv", row, "identifier") or source_id
        grade = _first_grade(col("users.csv", row, "grades"))
        given, family = col("users.csv", row, "givenName"), col("users.csv", row, "familyName")
        if grade is None:
            grades = col("users.csv", row, "grades") or "none"
            parsed.warnings.append(
                Problem("users.csv", line, f"{given} {family}: grade {grades!r} is not K–12")
            )
            continue
        result = _student_row("users.csv", line, sis_id, given, family, grade)
        student = _new_student(result, sis_seen, "identifier", parsed.problems)
        if student is not None:
            students[source_id] = student
    parsed.students = list(students.values())

    if "classes.csv" not in tables:
        return parsed
    titles: dict[str, tuple[str, int]] = {}
    homerooms: dict[str, tuple[str, int]] = {}  # OneRoster classType "homeroom": no group
    for line, row in tables["classes.csv"].rows:
        school = col("classes.csv", row, "schoolSourcedId")
        if org_ids is not None and school and school not in org_ids:
            parsed.problems.append(
                Problem("classes.csv", line, f"schoolSourcedId names unknown org {school!r}")
            )
        if col("classes.csv", row, "status").lower() in _DELETED:
            continue
        entry = (col("classes.csv", row, "title"), line)
        if col("classes.csv", row, "classType").strip().lower() == "homeroom":
            homerooms[col("classes.csv", row, "sourcedId")] = entry
            continue
        titles[col("classes.csv", row, "sourcedId")] = entry
    members: dict[str, list[str]] = {}
    for line, row in tables["enrollments.csv"].rows:
        class_id = col("enrollments.csv", row, "classSourcedId")
        user_id = col("enrollments.csv", row, "userSourcedId")
        if class_id not in class_ids:
            parsed.problems.append(
                Problem(
                    "enrollments.csv", line, f"classSourcedId {class_id!r} is not in classes.csv"
                )
            )
            continue
        if user_id not in user_ids:
            parsed.problems.append(
                Problem("enrollments.csv", line, f"userSourcedId {user_id!r} is not in users.csv")
            )
            continue
        if col("enrollments.csv", row, "status").lower() in _DELETED:
            continue
        if col("enrollments.csv", row, "role").lower() != "student" or user_id not in students:
            continue
        if class_id in titles:
            sis = students[user_id].sis_id
            bucket = members.setdefault(class_id, [])
            if sis not in bucket:
                bucket.append(sis)
    if groups:
        for title, line in homerooms.values():  # a homeroom is the whole class, not a group
            parsed.warnings.append(
                Problem("classes.csv", line, f"homeroom class {title!r} is not made a group")
            )
        by_name: dict[str, RosterGroup] = {}
        for class_id, sis_ids in members.items():
            title, line = titles[class_id]
            try:
                name = check_text(title, "class title", required=True)
            except ValidationError as exc:
                parsed.problems.append(Problem("classes.csv", line, str(exc)))
                continue
            group = by_name.setdefault(name.casefold(), RosterGroup(name, [], "classes.csv", line))
            group.members.extend(s for s in sis_ids if s not in group.members)
        parsed.groups = list(by_name.values())
    return parsed


def parse_roster(path: Path | str, *, groups: bool = False) -> ParsedRoster:
    """A simple CSV file, or a OneRoster folder (or its ``users.csv``); StoreError when the
    path cannot be read at all."""
    p = Path(path).expanduser()
    if p.is_dir():
        return parse_oneroster(p, groups=groups)
    if not p.exists():
        raise StoreError(f"{p} does not exist")
    if p.name.lower() == "users.csv" and (p.parent / "enrollments.csv").exists():
        return parse_oneroster(p.parent, groups=groups)
    return parse_simple_csv(p)


# --------------------------------------------------------------------------- plan & apply
def _mapped_groups(
    parsed: ParsedRoster, store: Store, group_map: Mapping[str, str], plan: ImportPlan
) -> dict[str, Group]:
    """class title (casefolded) → the existing group it maps to; unknown names are problems."""
    classes = {g.name.casefold() for g in parsed.groups}
    groups = [g for g in store.groups(include_inactive=True) if g.active]
    out: dict[str, Group] = {}
    for title, target in group_map.items():
        if title.casefold() not in classes:
            known = ", ".join(sorted(g.name for g in parsed.groups)) or "none"
            plan.problems.append(
                Problem(parsed.source, None, f"no class {title!r} to map (classes: {known})")
            )
            continue
        found = [g for g in groups if g.id == target] or [
            g for g in groups if g.name.casefold() == target.strip().casefold()
        ]
        if len(found) != 1:
            names = ", ".join(sorted(g.name for g in groups)) or "none yet"
            plan.problems.append(
                Problem(
                    parsed.source,
                    None,
                    f"class {title!r} maps to {target!r}, which is not a current group "
                    f"(groups: {names})",
                )
            )
            continue
        out[title.casefold()] = found[0]
    return out


def plan_import(
    parsed: ParsedRoster,
    store: Store,
    *,
    on: date | None = None,
    group_map: Mapping[str, str] | None = None,
) -> ImportPlan:
    """Compare a parsed roster with the Store. Reads only; ``on`` is the membership date.

    ``group_map``: a class (its title) → an existing group (id or name) whose members its
    students become, instead of a new group named by the class (issue 19). A class or a
    group not found is a problem (nothing is written)."""
    day = on or store.today()
    plan = ImportPlan(
        parsed.source,
        parsed.kind,
        day,
        problems=list(parsed.problems),
        warnings=list(parsed.warnings),
    )
    existing = {s.sis_id: s for s in store.students(include_archived=True) if s.sis_id}
    rows = {r.sis_id: r for r in parsed.students}
    for row in parsed.students:
        current = existing.get(row.sis_id)
        if current is None:
            plan.new_students.append(row)
            continue
        changes = {
            k: (getattr(current, k), getattr(row, k))
            for k in ("given_name", "family_name", "grade")
            if getattr(current, k) != getattr(row, k)
        }
        if changes:
            plan.updated_students.append(StudentUpdate(current, row, changes))
        else:
            plan.unchanged_students.append((current, row))
    active_groups: dict[str, Group] = {}
    for g in store.groups(include_inactive=True):
        if g.active:
            active_groups.setdefault(g.name.casefold(), g)
    mapped = _mapped_groups(parsed, store, group_map or {}, plan)
    for rg in parsed.groups:
        group = mapped.get(rg.name.casefold()) or active_groups.get(rg.name.casefold())
        if group is None:
            plan.new_groups.append(rg)
        current_members = set(group.members_on(day)) if group else set()
        for sis in rg.members:
            member = rows.get(sis)
            if member is None:
                continue
            student = existing.get(sis)
            if student is not None and student.id in current_members:
                continue
            plan.memberships.append(
                MembershipAdd(
                    rg.name if group is None else group.name,
                    group.id if group else None,
                    sis,
                    member.name,
                )
            )
    return plan


def apply_import(
    plan: ImportPlan,
    store: Store,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write a plan in one undoable batch. A plan with problems raises ValidationError and
    writes nothing. ``progress(done, total)`` is called after each step."""
    refuse_problems(plan.problems)
    total = plan.changes
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    if total == 0:
        return ImportResult(0, 0, 0, 0)
    ids = {s.sis_id: s.id for s in store.students(include_archived=True) if s.sis_id}
    with all_or_nothing(store, f"roster import from {Path(plan.source).name}", lambda: done):
        _write_plan(plan, store, ids, step)
    return ImportResult(
        len(plan.new_students),
        len(plan.updated_students),
        len(plan.new_groups),
        len(plan.memberships),
    )


def _write_plan(
    plan: ImportPlan, store: Store, ids: dict[str, str], step: Callable[[], None]
) -> None:
    for row in plan.new_students:
        student = store.add_student(row.given_name, row.family_name, row.grade, sis_id=row.sis_id)
        ids[row.sis_id] = student.id
        step()
    for update in plan.updated_students:
        store.update_student(
            update.student.id, **{k: new for k, (_old, new) in update.changes.items()}
        )
        step()
    for rg in plan.new_groups:
        members = [
            Membership(ids[m.sis_id], plan.on)
            for m in plan.memberships
            if m.group_id is None and m.group_name == rg.name
        ]
        store.add_group(Group("", rg.name, rrule=UNSCHEDULED_RRULE, memberships=members))
        step()
        for _ in members:
            step()
    for m in plan.memberships:
        if m.group_id is not None:
            store.add_member(m.group_id, ids[m.sis_id], plan.on)
            step()
