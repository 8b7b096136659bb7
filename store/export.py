"""Data out (and back in): CSV exports of scores and sessions, de-identified exports, and a
full JSON backup that can be restored.

CSV files are long format (one row per score, one row per attendance record), UTF-8 with a
byte-order mark so spreadsheet programs read accented names correctly, written atomically
with mode 0600. Every export is logged with :meth:`Store.log_export` (a privacy log).

De-identified exports (``deidentify=True``) replace students by codes ``S01, S02, …`` and
groups by ``G1, G2, …`` assigned in a random order for each export (so a code says nothing
about the student and is not stable across exports), drop names, SIS ids, internal ids and
free text (lessons, notes, attendance notes), and replace dates by week numbers counted from
the week of the first day of school (week 1 = the Monday–Sunday week of
``calendar.year_start``). Grade and measure are kept.

A backup is one JSON document (``"format": "intervene-backup"``, ``schema_version``) holding
every record. :func:`load_backup` checks the whole file (each record through the model's
validators, ids unique, every reference resolvable) before :func:`restore_backup` replaces
anything; the files it replaces are kept in ``backups/before-restore-<time>/``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import secrets
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from store.db import CORE_FILE, SCHEMA_VERSION, SCORES_DIR, SESSIONS_DIR, Store
from store.errors import StoreError, ValidationError
from store.model import (
    ExportRecord,
    Goal,
    Group,
    Measure,
    PhaseChange,
    SchoolCalendar,
    Score,
    Session,
    Student,
    check_id,
    check_int,
    check_text,
    fmt_number,
)
from store.paths import backups_dir
from store.records import mutable_record
from store.schedule import parse_rrule
from store.storage import WriterLock, atomic_write_bytes, dumps, fsync_dir, make_private_dir

BACKUP_FORMAT = "intervene-backup"
BACKUP_SECTIONS = (
    "calendar",
    "measures",
    "students",
    "groups",
    "goals",
    "phase_changes",
    "scores",
    "sessions",
    "exports",
)
STDOUT = "-"

SCORE_COLUMNS = (
    "student_id",
    "sis_id",
    "given_name",
    "family_name",
    "grade",
    "measure",
    "date",
    "value",
    "errors",
)
SCORE_COLUMNS_DEID = ("student", "grade", "measure", "week", "value", "errors")
SESSION_COLUMNS = (
    "group_id",
    "group",
    "date",
    "status",
    "cancel_reason",
    "minutes_delivered",
    "lesson",
    "fidelity_pct",
    "note",
    "student_id",
    "sis_id",
    "given_name",
    "family_name",
    "attendance",
    "reason",
    "minutes_attended",
)
SESSION_COLUMNS_DEID = (
    "group",
    "week",
    "status",
    "cancel_reason",
    "minutes_delivered",
    "fidelity_pct",
    "student",
    "attendance",
    "reason",
    "minutes_attended",
)


# --------------------------------------------------------------------------- lookups
def _ambiguous(what: str, text: str, names: Sequence[str]) -> ValidationError:
    shown = ", ".join(names[:8]) + (f", … ({len(names) - 8} more)" if len(names) > 8 else "")
    return ValidationError(
        f"{text!r} matches {len(names)} {what}s: {shown}; type more of the name or use the id",
        field=what,
        value=text,
    )


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching what people type (``zoe`` = ``Zoë``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find_student(store: Store, text: str) -> Student:
    """A student by id, SIS id, full name or unique name prefix (case- and accent-insensitive;
    "Given Family", "Family" or "Family, Given"). Current students are preferred over archived ones. ValidationError when
    nothing or more than one student matches (the message lists the candidates)."""
    key = (text or "").strip()
    if not key:
        raise ValidationError("give a student (id or name)", field="student", value=text)
    everyone = store.students(include_archived=True)
    for s in everyone:
        if s.id == key or (s.sis_id and s.sis_id == key):
            return s
    cf = fold(key)
    for pool in ([s for s in everyone if s.active], [s for s in everyone if not s.active]):
        exact = [s for s in pool if fold(s.name) == cf]
        if len(exact) == 1:
            return exact[0]
        matches = exact or [
            s
            for s in pool
            if fold(s.name).startswith(cf)
            or fold(s.family_name).startswith(cf)
            or fold(f"{s.family_name}, {s.given_name}").startswith(cf)
        ]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise _ambiguous("student", key, [f"{s.name} ({s.id})" for s in matches])
    raise ValidationError(f"no student matches {key!r}", field="student", value=text)


def find_group(store: Store, text: str) -> Group:
    """A group by id, name or unique name prefix (case-insensitive)."""
    key = (text or "").strip()
    if not key:
        raise ValidationError("give a group (id or name)", field="group", value=text)
    groups = store.groups(include_inactive=True)
    for g in groups:
        if g.id == key:
            return g
    cf = fold(key)
    exact = [g for g in groups if fold(g.name) == cf]
    if len(exact) == 1:
        return exact[0]
    matches = exact or [g for g in groups if fold(g.name).startswith(cf)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise _ambiguous("group", key, [f"{g.name} ({g.id})" for g in matches])
    raise ValidationError(f"no group matches {key!r}", field="group", value=text)


# --------------------------------------------------------------------------- pseudonyms
def week_number(d: date, year_start: date) -> int:
    """Week 1 is the Monday–Sunday week holding the first day of school."""
    monday = year_start - timedelta(days=year_start.weekday())
    return (d - monday).days // 7 + 1


class Pseudonyms:
    """Codes for one export: ``S01…`` for students, ``G1…`` for groups, in random order."""

    def __init__(
        self,
        student_ids: Iterable[str],
        group_ids: Iterable[str] = (),
        rng: random.Random | None = None,
    ) -> None:
        rng = rng or random.SystemRandom()
        students = sorted(set(student_ids))
        groups = sorted(set(group_ids))
        rng.shuffle(students)
        rng.shuffle(groups)
        width = max(2, len(str(len(students))))
        self.students = {sid: f"S{i:0{width}d}" for i, sid in enumerate(students, 1)}
        self.groups = {gid: f"G{i}" for i, gid in enumerate(groups, 1)}


# --------------------------------------------------------------------------- CSV exports
@mutable_record
class ExportFilter:
    """Which records go out: a date range, one group, one student (all optional)."""

    since: date | None = None
    until: date | None = None
    group: Group | None = None
    student: Student | None = None

    def check(self) -> None:
        if self.since and self.until and self.until < self.since:
            raise ValidationError(
                f"--to {self.until} is before --from {self.since}", field="until", value=self.until
            )


@mutable_record
class ExportResult:
    path: str
    rows: int
    students: int
    deidentified: bool
    record: ExportRecord | None = None

    def summary(self, kind: str) -> str:
        """One sentence saying what went where (``kind`` as in :data:`EXPORT_KINDS`)."""
        how = "de-identified " if self.deidentified else ""
        where = "standard output" if self.path == STDOUT else self.path
        if kind == "backup":
            return f"Backed up {self.students} students ({self.rows} records) to {where}"
        if kind == "calendar":
            return (
                f"Exported the schedule of {self.rows} group{'s' if self.rows != 1 else ''} "
                f"to {where} (no student names)"
            )
        return (
            f"Exported {self.rows} {how}{kind.rstrip('s')} row{'s' if self.rows != 1 else ''} "
            f"({self.students} student{'s' if self.students != 1 else ''}) to {where}"
        )


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_output(path: str | Path, data: bytes) -> str:
    """Write an export atomically with mode 0600 (``-`` = standard output); returns the
    absolute path as logged."""
    if str(path) == STDOUT:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return STDOUT
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise StoreError(f"{target} is a folder; give a file name")
    if not target.parent.is_dir():
        raise StoreError(f"the folder {target.parent} does not exist")
    try:
        atomic_write_bytes(target, data)
    except PermissionError:
        raise StoreError(f"cannot write {target}: permission denied") from None
    return str(target)


def _student_ids_of(group: Group) -> set[str]:
    return {m.student_id for m in group.memberships}


def score_table(
    store: Store,
    flt: ExportFilter | None = None,
    *,
    deidentify: bool = False,
    rng: random.Random | None = None,
) -> tuple[tuple[str, ...], list[list[Any]], set[str]]:
    """(header, rows, student ids) of a scores export."""
    flt = flt or ExportFilter()
    flt.check()
    if flt.student is not None:
        scores = store.scores(flt.student.id, since=flt.since, until=flt.until)
    else:
        scores = list(store.iter_scores(since=flt.since, until=flt.until))
    if flt.group is not None:
        members = _student_ids_of(flt.group)
        scores = [s for s in scores if s.student_id in members]
    students = {s.id: s for s in store.students(include_archived=True)}
    measures = {m.code: m for m in store.measures(include_inactive=True)}
    scores.sort(key=lambda s: (students[s.student_id].sort_key, s.student_id, s.measure, s.date))
    ids = {s.student_id for s in scores}

    def value(s: Score) -> str:
        m = measures.get(s.measure)
        return m.format(s.value) if m else fmt_number(s.value)

    if not deidentify:
        rows = [
            [
                s.student_id,
                students[s.student_id].sis_id,
                students[s.student_id].given_name,
                students[s.student_id].family_name,
                students[s.student_id].grade,
                s.measure,
                s.date.isoformat(),
                value(s),
                s.errors,
            ]
            for s in scores
        ]
        return SCORE_COLUMNS, rows, ids
    codes = Pseudonyms(ids, rng=rng)
    year_start = store.calendar().year_start
    rows = [
        [
            codes.students[s.student_id],
            students[s.student_id].grade,
            s.measure,
            week_number(s.date, year_start),
            value(s),
            s.errors,
        ]
        for s in scores
    ]
    rows.sort(key=lambda r: (r[0], r[2], r[3]))
    return SCORE_COLUMNS_DEID, rows, ids


def session_table(
    store: Store,
    flt: ExportFilter | None = None,
    *,
    deidentify: bool = False,
    rng: random.Random | None = None,
) -> tuple[tuple[str, ...], list[list[Any]], set[str]]:
    """(header, rows, student ids) of a sessions export: one row per attendance record; a
    session without attendance (e.g. cancelled) gives one row with empty student columns."""
    flt = flt or ExportFilter()
    flt.check()
    sessions = store.sessions(flt.group.id if flt.group else None, since=flt.since, until=flt.until)
    groups = {g.id: g for g in store.groups(include_inactive=True)}
    students = {s.id: s for s in store.students(include_archived=True)}
    pairs: list[tuple[Session, Any]] = []
    for session in sessions:
        entries = list(session.attendance)
        if flt.student is not None:
            entries = [a for a in entries if a.student_id == flt.student.id]
            if not entries:
                continue
        entries.sort(key=lambda a: (*students[a.student_id].sort_key, a.student_id))
        if entries:
            pairs.extend((session, a) for a in entries)
        else:
            pairs.append((session, None))
    ids = {a.student_id for _s, a in pairs if a is not None}
    if not deidentify:
        rows = []
        for s, a in pairs:
            st = students.get(a.student_id) if a is not None else None
            g = groups.get(s.group_id)
            rows.append(
                [
                    s.group_id,
                    g.name if g else "",
                    s.date.isoformat(),
                    s.status,
                    s.cancel_reason,
                    s.minutes_delivered,
                    s.lesson,
                    fmt_number(s.fidelity_pct, 1) if s.fidelity_pct is not None else None,
                    s.note,
                    a.student_id if a else None,
                    st.sis_id if st else None,
                    st.given_name if st else None,
                    st.family_name if st else None,
                    a.status if a else None,
                    a.reason if a else None,
                    a.minutes if a else None,
                ]
            )
        return SESSION_COLUMNS, rows, ids
    codes = Pseudonyms(ids, {s.group_id for s, _a in pairs}, rng=rng)
    year_start = store.calendar().year_start
    rows = [
        [
            codes.groups[s.group_id],
            week_number(s.date, year_start),
            s.status,
            s.cancel_reason,
            s.minutes_delivered,
            fmt_number(s.fidelity_pct, 1) if s.fidelity_pct is not None else None,
            codes.students[a.student_id] if a else None,
            a.status if a else None,
            a.reason if a and a.status == "absent" else None,  # a code; other notes are free text
            a.minutes if a else None,
        ]
        for s, a in pairs
    ]
    rows.sort(key=lambda r: (r[0], r[1], r[6] or ""))
    return SESSION_COLUMNS_DEID, rows, ids


def _export_table(
    store: Store,
    kind: str,
    table: Callable[..., tuple[tuple[str, ...], list[list[Any]], set[str]]],
    path: str | Path,
    flt: ExportFilter | None,
    deidentify: bool,
    rng: random.Random | None,
) -> ExportResult:
    header, rows, ids = table(store, flt, deidentify=deidentify, rng=rng)
    written = write_output(path, _csv_bytes(header, rows))
    record = store.log_export(
        kind,
        "(standard output)" if written == STDOUT else written,
        len(ids),
        deidentified=deidentify,
    )
    return ExportResult(written, len(rows), len(ids), deidentify, record)


def export_scores(
    store: Store,
    path: str | Path,
    flt: ExportFilter | None = None,
    *,
    deidentify: bool = False,
    rng: random.Random | None = None,
) -> ExportResult:
    """Scores as long-format CSV (see the module docstring); logged as kind ``scores``."""
    return _export_table(store, "scores", score_table, path, flt, deidentify, rng)


def export_sessions(
    store: Store,
    path: str | Path,
    flt: ExportFilter | None = None,
    *,
    deidentify: bool = False,
    rng: random.Random | None = None,
) -> ExportResult:
    """Sessions and attendance as long-format CSV; logged as kind ``sessions``."""
    return _export_table(store, "sessions", session_table, path, flt, deidentify, rng)


# --------------------------------------------------------------------------- backup
def backup_document(store: Store, *, now: datetime | None = None) -> dict[str, Any]:
    """Every record in the Store as one JSON-safe document."""
    students = store.students(include_archived=True)
    phases: list[dict[str, Any]] = []
    for s in students:
        phases.extend(p.to_doc() for p in store.phase_changes(s.id))
    return {
        "format": BACKUP_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": (now or datetime.now()).isoformat(timespec="seconds"),
        "calendar": store.calendar().to_doc(),
        "measures": [m.to_doc() for m in store.measures(include_inactive=True)],
        "students": [s.to_doc() for s in students],
        "groups": [g.to_doc() for g in store.groups(include_inactive=True)],
        "goals": [g.to_doc() for g in store.goals()],
        "phase_changes": phases,
        "scores": [s.to_doc() for s in store.iter_scores()],
        "sessions": [s.to_doc() for s in store.sessions()],
        "exports": [e.to_doc() for e in store.exports()],
    }


def records_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A backup document without its header (what must survive a round trip)."""
    return {k: doc[k] for k in BACKUP_SECTIONS}


def export_backup(store: Store, path: str | Path, *, now: datetime | None = None) -> ExportResult:
    """Write a full JSON backup; logged as kind ``backup``."""
    doc = backup_document(store, now=now)
    data = (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    written = write_output(path, data)
    n = len(doc["students"])
    record = store.log_export(
        "backup", "(standard output)" if written == STDOUT else written, n, deidentified=False
    )
    return ExportResult(written, sum(len(doc[k]) for k in BACKUP_SECTIONS[1:]), n, False, record)


# --------------------------------------------------------------------------- one entry point
#: What can be exported, with the words the app and the command line use for it.
EXPORT_KINDS: dict[str, str] = {
    "scores": "Scores (CSV)",
    "sessions": "Sessions and attendance (CSV)",
    "backup": "Full backup (JSON)",
    "calendar": "Group schedule (iCalendar .ics)",
}
EXPORT_SUFFIXES: dict[str, str] = {
    "scores": "csv",
    "sessions": "csv",
    "backup": "json",
    "calendar": "ics",
}
#: The kinds that take an :class:`ExportFilter` and can be de-identified.
TABLE_KINDS = ("scores", "sessions")


def export_filter(
    store: Store,
    *,
    since: date | None = None,
    until: date | None = None,
    group: str = "",
    student: str = "",
) -> ExportFilter:
    """An :class:`ExportFilter` from what the user typed (group/student: id or name prefix;
    empty = all). ValidationError naming the field when something does not match."""
    flt = ExportFilter(
        since=since,
        until=until,
        group=find_group(store, group) if group.strip() else None,
        student=find_student(store, student) if student.strip() else None,
    )
    flt.check()
    return flt


def default_export_name(kind: str, day: date, *, deidentify: bool = False) -> str:
    """``intervene-<kind>[-deidentified]-<date>.<ext>``, e.g. ``intervene-scores-2026-11-25.csv``."""
    tag = "-deidentified" if deidentify and kind in TABLE_KINDS else ""
    return f"intervene-{kind}{tag}-{day.isoformat()}.{EXPORT_SUFFIXES[kind]}"


def run_export(
    store: Store,
    kind: str,
    path: str | Path,
    flt: ExportFilter | None = None,
    *,
    deidentify: bool = False,
    now: datetime | None = None,
) -> ExportResult:
    """Export ``kind`` (a key of :data:`EXPORT_KINDS`) to ``path``; logged like every export.
    ``flt`` and ``deidentify`` apply to the CSV kinds only."""
    if kind == "scores":
        return export_scores(store, path, flt, deidentify=deidentify)
    if kind == "sessions":
        return export_sessions(store, path, flt, deidentify=deidentify)
    if kind == "backup":
        return export_backup(store, path, now=now)
    if kind == "calendar":
        from store.ical import export_calendar  # store.ical imports this module

        return export_calendar(store, path, now=now)
    raise ValidationError(
        f"export {kind!r} is not one of: {', '.join(EXPORT_KINDS)}", field="kind", value=kind
    )


def export_log_row(record: ExportRecord) -> tuple[str, str, str, str, str]:
    """(when, what, students, identified or not, path) of one export-log entry."""
    who = f"{record.students} student{'s' if record.students != 1 else ''}"
    how = "de-identified" if record.deidentified else "identified"
    return (f"{record.at:%Y-%m-%d %H:%M}", record.kind, who, how, record.path)


@mutable_record
class Backup:
    """A checked backup: model records, ready to restore."""

    schema_version: int
    exported_at: str
    calendar: SchoolCalendar
    measures: list[Measure] = field(default_factory=list)
    students: list[Student] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    phase_changes: list[PhaseChange] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    exports: list[ExportRecord] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return {
            "calendar": self.calendar.to_doc(),
            **{k: [r.to_doc() for r in getattr(self, k)] for k in BACKUP_SECTIONS[1:]},
        }

    def summary(self) -> str:
        return (
            f"{len(self.students)} students, {len(self.groups)} groups, {len(self.scores)} "
            f"scores, {len(self.sessions)} sessions, {len(self.goals)} goals"
        )


class _Where:
    """Turns any failure while checking one record into a ValidationError naming it."""

    def __init__(self, source: str, section: str, index: int, doc: Any) -> None:
        label = ""
        if isinstance(doc, dict):
            key = doc.get("id") or doc.get("code")
            label = f" ({key})" if isinstance(key, str) else ""
        self.where = f"{source}: {section}[{index}]{label}"

    def __enter__(self) -> _Where:
        return self

    def __exit__(self, typ: type | None, exc: BaseException | None, _tb: object) -> bool:
        if exc is None:
            return False
        if isinstance(exc, ValidationError | KeyError | TypeError | ValueError | AttributeError):
            text = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            if isinstance(exc, TypeError) and "argument" in text:
                text = "missing or unknown fields: " + text.split("(", 1)[-1].split(")")[-1]
                text = text.strip() or str(exc)
            raise ValidationError(f"{self.where}: {text}", field="backup") from None
        return False


def check_backup(doc: Any, source: str = "backup") -> Backup:
    """Check a parsed backup completely; ValidationError naming the first problem."""
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT:
        raise ValidationError(
            f'{source} is not an intervene backup (no "format": "{BACKUP_FORMAT}")',
            field="backup",
        )
    version = doc.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationError(f"{source}: schema_version is missing or not a number")
    if version > SCHEMA_VERSION:
        raise ValidationError(
            f"{source} was made by a newer version of intervene (data format v{version}; "
            f"this version reads up to v{SCHEMA_VERSION})"
        )
    if version < 1:
        raise ValidationError(f"{source}: schema_version {version} is not supported")
    for key in BACKUP_SECTIONS:
        if key not in doc:
            raise ValidationError(f"{source}: the {key!r} section is missing")
        want = dict if key == "calendar" else list
        if not isinstance(doc[key], want):
            raise ValidationError(f"{source}: {key!r} is not a {want.__name__}")

    def each(section: str) -> Iterable[tuple[_Where, dict[str, Any]]]:
        for i, item in enumerate(doc[section]):
            where = _Where(source, section, i, item)
            if not isinstance(item, dict):
                raise ValidationError(f"{where.where}: not a record")
            yield where, item

    with _Where(source, "calendar", 0, doc["calendar"]):
        calendar = SchoolCalendar.from_doc(doc["calendar"]).validated()
    backup = Backup(version, str(doc.get("exported_at", "")), calendar)

    measures: dict[str, Measure] = {}
    for where, item in each("measures"):
        with where:
            m = Measure.from_doc(item).validated()
            m = m.with_(builtin=bool(item.get("builtin", False)), active=bool(m.active))
            if m.code.casefold() in {c.casefold() for c in measures}:
                raise ValidationError(f"measure code {m.code!r} is listed twice")
            measures[m.code] = m
            backup.measures.append(m)

    students: dict[str, Student] = {}
    sis: dict[str, str] = {}
    for where, item in each("students"):
        with where:
            s = Student.from_doc(item).validated()
            if s.id in students:
                raise ValidationError(f"student id {s.id!r} is listed twice")
            if s.sis_id and s.sis_id in sis:
                raise ValidationError(
                    f"SIS identifier {s.sis_id!r} also belongs to {sis[s.sis_id]}"
                )
            if s.sis_id:
                sis[s.sis_id] = s.id
            students[s.id] = s
            backup.students.append(s)

    def student_ref(sid: Any) -> None:
        if sid not in students:
            raise ValidationError(f"refers to student {sid!r}, which is not in the backup")

    def measure_ref(code: Any) -> Measure:
        if code not in measures:
            raise ValidationError(f"refers to measure {code!r}, which is not in the backup")
        return measures[code]

    groups: dict[str, Group] = {}
    for where, item in each("groups"):
        with where:
            g = Group.from_doc(item).validated()
            if g.id in groups:
                raise ValidationError(f"group id {g.id!r} is listed twice")
            parse_rrule(g.rrule, g.start_date or calendar.year_start)
            for code in g.measures:
                measure_ref(code)
            open_members: set[str] = set()
            for m in g.memberships:
                student_ref(m.student_id)
                if m.end is not None and m.end < m.start:
                    raise ValidationError(f"membership of {m.student_id} ends before it starts")
                if m.end is None:
                    if m.student_id in open_members:
                        raise ValidationError(f"student {m.student_id} is a current member twice")
                    open_members.add(m.student_id)
            groups[g.id] = g
            backup.groups.append(g)

    ids: set[str] = set()
    for where, item in each("goals"):
        with where:
            student_ref(item.get("student_id"))
            goal = Goal.from_doc(item)
            goal = goal.validated(measure_ref(goal.measure))
            check_id(goal.id, "goal id")
            if goal.id in ids:
                raise ValidationError(f"goal id {goal.id!r} is listed twice")
            ids.add(goal.id)
            backup.goals.append(goal)

    for where, item in each("phase_changes"):
        with where:
            p = PhaseChange.from_doc(item)
            student_ref(p.student_id)
            measure_ref(p.measure)
            check_id(p.id, "phase change id")
            p = p.with_(label=check_text(p.label, "phase label", required=True))
            if p.id in ids:
                raise ValidationError(f"phase change id {p.id!r} is listed twice")
            ids.add(p.id)
            backup.phase_changes.append(p)

    seen_scores: set[tuple[str, str, date]] = set()
    for where, item in each("scores"):
        with where:
            sc = Score.from_doc(item)
            check_id(sc.id, "score id")
            student_ref(sc.student_id)
            m = measure_ref(sc.measure)
            value = m.check_value(sc.value)
            errors = None
            if sc.errors is not None:
                if not m.records_errors:
                    raise ValidationError(f"{m.code} does not record errors")
                errors = check_int(sc.errors, "errors", lo=0, hi=999)
            if sc.session_id is not None:
                check_id(sc.session_id, "session id")
            if sc.id in ids:
                raise ValidationError(f"score id {sc.id!r} is listed twice")
            key = (sc.student_id, m.code, sc.date)
            if key in seen_scores:
                raise ValidationError(
                    f"a second {m.code} score for {sc.student_id} on {sc.date.isoformat()}"
                )
            seen_scores.add(key)
            ids.add(sc.id)
            backup.scores.append(sc.with_(measure=m.code, value=value, errors=errors))

    seen_sessions: set[tuple[str, date]] = set()
    for where, item in each("sessions"):
        with where:
            se = Session.from_doc(item)
            check_id(se.id, "session id")
            if se.group_id not in groups:
                raise ValidationError(
                    f"refers to group {se.group_id!r}, which is not in the backup"
                )
            # The group's checklist may have changed since: check the session on its own.
            se = se.validated(None)
            for a in se.attendance:
                student_ref(a.student_id)
            if se.id in ids:
                raise ValidationError(f"session id {se.id!r} is listed twice")
            if (se.group_id, se.date) in seen_sessions:
                raise ValidationError(f"a second session of {se.group_id} on {se.date.isoformat()}")
            seen_sessions.add((se.group_id, se.date))
            ids.add(se.id)
            backup.sessions.append(se)

    for where, item in each("exports"):
        with where:
            e = ExportRecord.from_doc(item)
            e = e.with_(
                id=check_id(e.id, "export id"),
                kind=check_text(e.kind, "export kind", required=True),
                path=check_text(e.path, "export path", required=True, limit=4096),
                students=check_int(e.students, "students exported", lo=0),
                deidentified=bool(e.deidentified),
            )
            if e.id in ids:
                raise ValidationError(f"export id {e.id!r} is listed twice")
            ids.add(e.id)
            backup.exports.append(e)
    return backup


def load_backup(path: str | Path) -> Backup:
    """Read and check a backup file; StoreError/ValidationError naming the problem."""
    p = Path(path).expanduser()
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise StoreError(f"{p} does not exist") from None
    except IsADirectoryError:
        raise StoreError(f"{p} is a folder, not a backup file") from None
    except OSError as exc:
        raise StoreError(f"{p} cannot be read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError(f"{p.name} is not a text file (not an intervene backup)") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{p.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it may be truncated"
        ) from None
    return check_backup(doc, p.name)


# --------------------------------------------------------------------------- restore
@mutable_record
class RestoreResult:
    backup: Backup
    safety_copy: Path | None  # where the replaced files were kept (None: folder was empty)


def _files_of(backup: Backup, now: str) -> dict[str, dict[str, Any]]:
    """The data folder's files (relative path → TinyDB tables) holding ``backup``.

    Mirrors the layout documented in store/db.py; :func:`restore_backup` reads the result
    back through the Store before using it, so a layout change cannot go unnoticed.
    """

    def table(docs: Iterable[dict[str, Any]]) -> dict[str, Any]:
        return {str(i): d for i, d in enumerate(docs, 1)}

    core = {
        "meta": {"1": {"id": "schema", "version": SCHEMA_VERSION, "created": now}},
        "students": table(s.to_doc() for s in backup.students),
        "groups": table(g.to_doc() for g in backup.groups),
        "measures": table(m.to_doc() for m in backup.measures),
        "goals": table(g.to_doc() for g in backup.goals),
        "phase_changes": table(p.to_doc() for p in backup.phase_changes),
        "calendar": {"1": {"id": "calendar", **backup.calendar.to_doc()}},
        "exports": table(e.to_doc() for e in backup.exports),
    }
    files: dict[str, dict[str, Any]] = {CORE_FILE: core}
    parts: dict[str, list[dict[str, Any]]] = {}
    for sc in backup.scores:
        parts.setdefault(Store._score_rel(sc.student_id, sc.date), []).append(sc.to_doc())
    for rel, docs in parts.items():
        files[rel] = {"scores": table(docs)}
    parts = {}
    for se in backup.sessions:
        parts.setdefault(Store._session_rel(se.group_id, se.date), []).append(se.to_doc())
    for rel, docs in parts.items():
        files[rel] = {"sessions": table(docs)}
    return files


def _data_files(root: Path) -> list[str]:
    out = [CORE_FILE] if (root / CORE_FILE).is_file() else []
    for kind in (SCORES_DIR, SESSIONS_DIR):
        base = root / kind
        if base.is_dir():
            out.extend(
                str(p.relative_to(root))
                for p in sorted(base.rglob("*.json"))
                if p.is_file() and not p.name.startswith(".")
            )
    return out


def restore_backup(
    data_dir: str | Path, backup: Backup, *, clock: Callable[[], datetime] = datetime.now
) -> RestoreResult:
    """Replace every record in ``data_dir`` with ``backup`` (already checked).

    The new files are written to a staging folder and read back through the Store first;
    then, holding the folder's writer lock (StoreLockedError if the app has it open), the
    current files are hard-linked into ``backups/before-restore-<time>/`` and the new ones
    moved into place.
    """
    root = Path(data_dir).expanduser().absolute()
    make_private_dir(root)
    for stale in root.glob(".restore-*"):
        shutil.rmtree(stale, ignore_errors=True)
    now = clock().replace(microsecond=0)
    staging = root / f".restore-{secrets.token_hex(4)}"
    make_private_dir(staging, stop_at=root)
    try:
        files = _files_of(backup, now.isoformat(timespec="seconds"))
        for rel, tables in files.items():
            target = staging / rel
            make_private_dir(target.parent, stop_at=staging)
            atomic_write_bytes(target, dumps(tables))
        check = Store.open(staging, readonly=True, clock=clock)
        try:
            again = records_of(backup_document(check))
        finally:
            check.close()
        if again != backup.document():
            raise StoreError("the restored data did not read back identically; nothing was changed")
        lock = WriterLock(root)
        lock.acquire()
        try:
            old = _data_files(root)
            safety: Path | None = None
            if old:
                safety = backups_dir(root) / f"before-restore-{now:%Y-%m-%dT%H%M%S}"
                make_private_dir(safety, stop_at=root)
                for rel in old:
                    dest = safety / rel
                    make_private_dir(dest.parent, stop_at=safety)
                    try:
                        os.link(root / rel, dest)
                    except OSError:
                        shutil.copy2(root / rel, dest)
            for rel in files:
                if rel == CORE_FILE:
                    continue
                make_private_dir((root / rel).parent, stop_at=root)
                os.replace(staging / rel, root / rel)
                fsync_dir((root / rel).parent)
            for rel in old:
                if rel not in files:
                    with contextlib.suppress(FileNotFoundError):
                        (root / rel).unlink()
            os.replace(staging / CORE_FILE, root / CORE_FILE)  # last: the switch-over
            fsync_dir(root)
        finally:
            lock.release()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(backup, safety)
