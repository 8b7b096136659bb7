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

Here: the one entry point (:func:`run_export`, the kinds and their file names); the CSV tables
are in :mod:`store.export.tables`, the backup document in :mod:`store.export.backup`, finding a
student or group by name in :mod:`store.export.lookups`, and writing a file or standard output
in :mod:`store.output` (shared with :mod:`store.ical`). Every name stays importable from here.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from store.db import Store
from store.errors import ValidationError
from store.export.backup import (
    BACKUP_FORMAT,
    BACKUP_SECTIONS,
    Backup,
    RestoreResult,
    backup_document,
    check_backup,
    export_backup,
    load_backup,
    records_of,
    restore_backup,
)
from store.export.lookups import find_group, find_student, fold
from store.export.tables import (
    SCORE_COLUMNS,
    SCORE_COLUMNS_DEID,
    SESSION_COLUMNS,
    SESSION_COLUMNS_DEID,
    ExportFilter,
    Pseudonyms,
    export_scores,
    export_sessions,
    score_table,
    session_table,
    week_number,
)
from store.ical import export_calendar
from store.model import ExportRecord
from store.output import STDOUT, ExportResult, write_output

__all__ = [
    "BACKUP_FORMAT",
    "BACKUP_SECTIONS",
    "EXPORT_KINDS",
    "EXPORT_SUFFIXES",
    "SCORE_COLUMNS",
    "SCORE_COLUMNS_DEID",
    "SESSION_COLUMNS",
    "SESSION_COLUMNS_DEID",
    "STDOUT",
    "TABLE_KINDS",
    "Backup",
    "ExportFilter",
    "ExportResult",
    "Pseudonyms",
    "RestoreResult",
    "backup_document",
    "check_backup",
    "default_export_name",
    "export_backup",
    "export_filter",
    "export_log_row",
    "export_scores",
    "export_sessions",
    "find_group",
    "find_student",
    "fold",
    "load_backup",
    "records_of",
    "restore_backup",
    "run_export",
    "score_table",
    "session_table",
    "week_number",
    "write_output",
]

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
        return export_calendar(store, path, now=now)
    raise ValidationError(
        f"export {kind!r} is not one of: {', '.join(EXPORT_KINDS)}", field="kind", value=kind
    )


def export_log_row(record: ExportRecord) -> tuple[str, str, str, str, str]:
    """(when, what, students, identified or not, path) of one export-log entry."""
    who = f"{record.students} student{'s' if record.students != 1 else ''}"
    how = "de-identified" if record.deidentified else "identified"
    return (f"{record.at:%Y-%m-%d %H:%M}", record.kind, who, how, record.path)
