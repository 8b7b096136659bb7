"""Report files: default names (initials, not names), private (0600) atomic writes that
never follow a symbolic link, and the export log (logged before the file appears)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path

from store.db import Store
from store.errors import StoreError
from store.model import Student
from store.output import STDOUT, publish
from tui.config import AppConfig
from tui.documents.build import build_document
from tui.documents.letter import Signature
from tui.documents.model import EXTENSIONS, FORMATS, ReportError
from tui.documents.render import render

FILE_MODE = 0o600


def slug(text: str) -> str:
    """ASCII, lowercase, hyphens: "Zoë O'Neil" → 'zoe-o-neil'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def initials(student: Student) -> str:
    """The student's initials as ASCII capitals ("Ava Smith" → 'AS'), else 'student': what a
    default file name may say about a student on a shared drive."""
    letters = "".join(
        part[0] for part in map(slug, (student.given_name, student.family_name)) if part
    )
    return letters.upper() or "student"


def default_filename(kind: str, fmt: str, today: date, student: Student | None = None) -> str:
    """``<kind>-<initials>-<date>.<ext>``, e.g. ``letter-AS-2025-01-15.html``: never the
    student's name (file listings of shared drives are seen by many); the packet has no
    student part."""
    ext = EXTENSIONS.get(fmt, fmt)
    who = "" if student is None else "-" + initials(student)
    return f"{kind}{who}-{today.isoformat()}.{ext}"


def unused_path(path: Path) -> Path:
    """``path``, or ``<stem>-2<suffix>``, ``-3``… beside it if that exists (two students with
    the same initials never share a default file name)."""
    n = 1
    candidate = path
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def write_private(path: Path | str, text: str, log: Callable[[Path], object] | None = None) -> Path:
    """Write ``text`` to ``path`` readable by the user only (0600) as the exports are
    (:func:`store.output.publish`: a fresh mkstemp file beside it, fsync, rename; a symbolic
    link at ``path`` is refused with StoreError). ``log(path)`` runs before the file appears;
    if it raises, nothing is written."""
    if str(path) == STDOUT:
        raise StoreError("a report file needs a name (- is standard output)")
    written, _ = publish(
        Path(path), text.encode("utf-8"), lambda where: log(Path(where)) if log else None
    )
    return Path(written)


def log_report(store: Store, kind: str, path: str | Path, students: int) -> None:
    """Record the report in the Store's export (privacy) log (read-only stores too: the log
    needs no writer lock)."""
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
    signature: Signature | None = None,
    lang: str = "en",
) -> Path:
    """Build the report, log the export, write it to ``path`` (mode 0600; see
    :func:`write_private`), return the absolute path. ``signature`` and ``lang``: a letter's
    (from the settings' ``[you]`` and ``[letters]``, :func:`letter.settings_signature`)."""
    if fmt not in FORMATS:
        raise ReportError(f"report format {fmt!r} is not one of: {', '.join(FORMATS)}")
    doc = build_document(
        kind,
        store,
        today=today,
        student_id=student_id,
        config=config,
        signature=signature,
        lang=lang,
    )

    def logged(where: Path) -> None:
        if log:
            log_report(store, kind, where, doc.students)

    return write_private(Path(path).expanduser(), render(doc, fmt), logged)
