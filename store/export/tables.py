"""CSV exports of scores and sessions (long format), optionally de-identified.

See :mod:`store.export` for the format and what de-identification removes.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from store.db import Store
from store.errors import ValidationError
from store.model import Group, Score, Session, Student, fmt_number
from store.output import ExportResult, write_logged
from store.records import mutable_record

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


#: What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A plain number (a score, minutes, a negative value): never a formula, left as it is.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: None → empty; text a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``, tab, CR first) gets a leading ``'``; numbers stay numbers."""
    if value is None:
        return ""
    formula = isinstance(value, str) and value.startswith(_FORMULA_START)
    if formula and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Every CSV the app writes: a BOM, CRLF lines, each cell through :func:`csv_cell`."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


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
    data = _csv_bytes(header, rows)
    written, record = write_logged(store, kind, path, data, len(ids), deidentified=deidentify)
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
