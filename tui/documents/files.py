"""Report files: default names, private (0600) atomic writes and the export log."""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import date
from pathlib import Path

from store.db import Store
from store.model import Student
from tui.config import AppConfig
from tui.documents.build import build_document
from tui.documents.model import EXTENSIONS, FORMATS, ReportError
from tui.documents.render import render

FILE_MODE = 0o600


def slug(text: str) -> str:
    """ASCII, lowercase, hyphens: "Zoë O'Neil" → 'zoe-o-neil'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def default_filename(kind: str, fmt: str, today: date, student: Student | None = None) -> str:
    """``<kind>-<student>-<date>.<ext>``, e.g. ``letter-ava-smith-2025-01-15.html`` (the
    student's name as ASCII, else the id); the packet has no student part."""
    ext = EXTENSIONS.get(fmt, fmt)
    who = ""
    if student is not None:
        who = "-" + (slug(student.name) or slug(student.id) or "student")
    return f"{kind}{who}-{today.isoformat()}.{ext}"


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` readable by the user only (mode 0600), via a temp file in
    the same folder and an atomic replace."""
    path = Path(path).expanduser()
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def log_report(store: Store, kind: str, path: str | Path, students: int) -> None:
    """Record the report in the Store's export (privacy) log; read-only stores skip it."""
    if not store.readonly:
        store.log_export(f"report-{kind}", str(path), students, deidentified=False)


def write_report(
    kind: str,
    fmt: str,
    path: str | Path,
    store: Store,
    *,
    today: date,
    student_id: str | None = None,
    config: AppConfig | None = None,
    log: bool = True,
) -> Path:
    """Build the report, write it to ``path`` (mode 0600), log the export, return the path."""
    if fmt not in FORMATS:
        raise ReportError(f"report format {fmt!r} is not one of: {', '.join(FORMATS)}")
    doc = build_document(kind, store, today=today, student_id=student_id, config=config)
    out = write_private(Path(path), render(doc, fmt))
    if log:
        log_report(store, kind, out.absolute(), doc.students)
    return out
