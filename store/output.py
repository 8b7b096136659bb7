"""Where an export goes: a file written atomically with mode 0600, or standard output.

Shared by every export (CSV tables, the backup, the iCalendar schedule).
"""

from __future__ import annotations

import sys
from pathlib import Path

from store.db import Store
from store.errors import StoreError
from store.model import ExportRecord
from store.records import mutable_record
from store.storage import atomic_write_bytes

STDOUT = "-"


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


def write_logged(
    store: Store, kind: str, path: str | Path, data: bytes, students: int, *, deidentified: bool
) -> tuple[str, ExportRecord]:
    """:func:`write_output`, then log the export with :meth:`Store.log_export`; returns where
    it went and the log entry."""
    written = write_output(path, data)
    record = store.log_export(
        kind,
        "(standard output)" if written == STDOUT else written,
        students,
        deidentified=deidentified,
    )
    return written, record
