"""Where an export goes: a file written atomically with mode 0600, or standard output.

Shared by every export (CSV tables, the backup, the iCalendar schedule) and the reports.
The order is always: stage the file, log it, then publish it (:func:`publish`).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from store.db import Store
from store.errors import StoreError
from store.model import ExportRecord
from store.records import mutable_record
from store.storage import TEMP_SUFFIX, fsync_dir, write_all

T = TypeVar("T")

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


def output_target(path: str | Path) -> Path:
    """Where a file export or report goes: an absolute path in an existing folder; never a
    folder and never a symbolic link (one planted in a shared folder would be written
    through). StoreError saying which."""
    target = Path(path).expanduser().absolute()
    if target.is_symlink():
        raise StoreError(f"{target} is a symbolic link; give the file itself (nothing was written)")
    if target.is_dir():
        raise StoreError(f"{target} is a folder; give a file name")
    if not target.parent.is_dir():
        raise StoreError(f"the folder {target.parent} does not exist")
    return target


def _cannot_write(target: Path, exc: OSError) -> StoreError:
    return StoreError(f"cannot write {target}: {(exc.strerror or str(exc)).lower()}")


def publish(path: str | Path, data: bytes, log: Callable[[str], T]) -> tuple[str, T]:
    """Write ``data`` to ``path`` (``-`` = standard output), calling ``log(where)`` before
    anything can be read there: a file is written to a fresh temp file beside it (mkstemp:
    0600, never an existing file or link), fsynced, logged, then renamed over the target;
    standard output is logged, then written. If ``log`` raises, nothing is published and the
    temp file is removed. Returns (the absolute path or ``-``, what ``log`` returned)."""
    if str(path) == STDOUT:
        logged = log(STDOUT)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return STDOUT, logged
    return publish_chunks(path, (data,), log)


def publish_chunks(
    path: str | Path, chunks: Iterable[bytes], log: Callable[[str], T]
) -> tuple[str, T]:
    """:func:`publish` to a file, written a chunk at a time (a backup streams its partitions):
    the same fresh temp file, fsync, ``log``, rename. An ``OSError`` that names a file came
    from reading a chunk and passes through unchanged, for the caller to word; on any failure
    the temp file goes and nothing is logged."""
    target = output_target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        try:
            write_all(fd, chunks)
        except OSError as exc:
            if exc.filename is not None:  # reading a chunk failed, not writing
                raise
            raise _cannot_write(target, exc) from None
        finally:
            os.close(fd)
        logged = log(str(target))
        output_target(target)  # still not a link or folder; os.replace never follows one
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
    return str(target), logged


def write_output(path: str | Path, data: bytes) -> str:
    """Write an export atomically with mode 0600 (``-`` = standard output), unlogged; returns
    the absolute path (or ``-``)."""
    return publish(path, data, lambda _where: None)[0]


def write_logged(
    store: Store, kind: str, path: str | Path, data: bytes, students: int, *, deidentified: bool
) -> tuple[str, ExportRecord]:
    """:func:`publish` with :meth:`Store.log_export` as the log: the export is logged before
    its file appears (and never appears if logging fails). Returns where it went and the log
    entry."""

    def log(where: str) -> ExportRecord:
        return store.log_export(
            kind,
            "(standard output)" if where == STDOUT else where,
            students,
            deidentified=deidentified,
        )

    return publish(path, data, log)
