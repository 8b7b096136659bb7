"""The full backup: one JSON document holding every record, checked whole before a restore.

:func:`load_backup` checks the whole file (each record through the model's validators, ids
unique, every reference resolvable) before :func:`restore_backup` replaces anything; the
files it replaces are kept in ``backups/before-restore-<time>/``; the switch-over is
atomic (see :mod:`store.db.journal`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import field
from datetime import date, datetime

# typeshed leaves out the C accelerators (None where the C module is missing)
from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, Literal

from store.db import CORE_FILE, SCHEMA_VERSION, SCORES_DIR, SESSIONS_DIR, Store
from store.db.layout import EXPORT_LOG
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
)
from store.output import STDOUT, ExportResult, publish_chunks, write_logged
from store.paths import backups_dir, refuse_shared_parents
from store.records import mutable_record
from store.schedule import parse_rrule
from store.storage import (
    FILE_MODE,
    WriterLock,
    dumps,
    fsync_dir,
    make_private_dir,
    write_all,
)

BACKUP_FORMAT = "intervene-backup"
NOT_A_BACKUP = "is not an intervene backup (make one with `intervene export backup`)"
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


def _backup_parts(store: Store, now: datetime | None) -> tuple[dict[str, Any], int]:
    """The backup's header and small sections (everything but scores and sessions), and
    how many students it holds."""
    students = store.students(include_archived=True)
    phases: list[dict[str, Any]] = []
    for s in students:
        phases.extend(p.to_doc() for p in store.phase_changes(s.id))
    head = {
        "format": BACKUP_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": (now or datetime.now()).isoformat(timespec="seconds"),
        "calendar": store.calendar().to_doc(),
        "measures": [m.to_doc() for m in store.measures(include_inactive=True)],
        "students": [s.to_doc() for s in students],
        "groups": [g.to_doc() for g in store.groups(include_inactive=True)],
        "goals": [g.to_doc() for g in store.goals()],
        "phase_changes": phases,
    }
    return head, len(students)


def _streamed(store: Store, section: str) -> Iterator[dict[str, Any]]:
    """The documents of a large section, read a partition (scores) or a school year
    (sessions) at a time, in :func:`backup_document`'s order."""
    if section == "scores":
        return (s.to_doc() for s in store.iter_scores())
    if section == "sessions":
        return (s.to_doc() for s in store.iter_sessions())
    return iter(e.to_doc() for e in store.exports())


def backup_document(store: Store, *, now: datetime | None = None) -> dict[str, Any]:
    """Every record in the Store as one JSON-safe document (in memory: for checks and
    tests; :func:`export_backup` writes the same JSON a record at a time)."""
    head, _ = _backup_parts(store, now)
    return {**head, **{k: list(_streamed(store, k)) for k in ("scores", "sessions", "exports")}}


_JSON_STR = json.encoder.encode_basestring  # ensure_ascii=False's string encoder (C)


def _scalar(value: Any) -> str | None:
    """``json.dumps(value)`` for a string, number, bool or None; None for anything else
    (and for NaN or infinity, which :func:`_indented` leaves to json)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return _JSON_STR(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and value - value == 0:  # finite
        return float.__repr__(value)
    return None


def _indented(value: Any, level: int) -> str:
    """``value`` as it appears at depth ``level`` of ``json.dumps(doc, indent=1)``.

    Dicts with string keys, lists and plain values (every record: a score, a session with
    its attendance) are written here directly, 3-5x faster than json's pure-Python
    indenting encoder; anything else (a tuple, a non-string key, NaN) goes to json."""
    text = _scalar(value)
    if text is not None:
        return text
    kind = type(value)
    if kind is list or (kind is dict and all(type(k) is str for k in value)):
        if not value:
            return "[]" if kind is list else "{}"
        pad = "\n" + " " * (level + 1)
        if kind is list:
            parts = [_indented(item, level + 1) for item in value]
            return "[" + pad + ("," + pad).join(parts) + "\n" + " " * level + "]"
        parts = [_JSON_STR(k) + ": " + _indented(item, level + 1) for k, item in value.items()]
        return "{" + pad + ("," + pad).join(parts) + "\n" + " " * level + "}"
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return text.replace("\n", "\n" + " " * level) if level else text


def backup_chunks(
    store: Store, *, now: datetime | None = None, counts: Counter[str] | None = None
) -> Iterator[bytes]:
    """The bytes of ``json.dumps(backup_document(store), ensure_ascii=False, indent=1)``
    plus a newline, a record at a time: memory stays bounded by one partition, whatever
    the number of scores. Each chunk is about 64 KiB. ``counts["records"]`` becomes the
    number of records written (every section but the calendar)."""
    head, _ = _backup_parts(store, now)
    if counts is None:
        counts = Counter()
    counts["records"] = sum(len(v) for k, v in head.items() if k in BACKUP_SECTIONS[1:])
    pending: list[str] = ["{"]
    size = 0
    for n, (key, value) in enumerate(
        [*head.items(), *((k, None) for k in ("scores", "sessions", "exports"))]
    ):
        pending.append(("\n " if n == 0 else ",\n ") + json.dumps(key) + ": ")
        if value is not None:
            pending.append(_indented(value, 1))
            continue
        first = True
        for doc in _streamed(store, key):
            piece = ("[\n  " if first else ",\n  ") + _indented(doc, 2)
            first = False
            counts["records"] += 1
            pending.append(piece)
            size += len(piece)
            if size >= 65536:
                yield "".join(pending).encode("utf-8")
                pending, size = [], 0
        pending.append("[]" if first else "\n ]")
    pending.append("\n}\n")
    yield "".join(pending).encode("utf-8")


def records_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A backup document without its header (what must survive a round trip)."""
    return {k: doc[k] for k in BACKUP_SECTIONS}


def same_records(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The same sections holding the same records, in any order within a section (the Store
    reads scores and sessions back partition by partition, not in the backup's order)."""

    def canonical(value: Any) -> Any:
        if isinstance(value, list):
            return Counter(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in value)
        return value

    return a.keys() == b.keys() and all(canonical(a[k]) == canonical(b[k]) for k in a)


def export_backup(store: Store, path: str | Path, *, now: datetime | None = None) -> ExportResult:
    """Write a full JSON backup; logged as kind ``backup``.

    Every data file must be read: one that cannot be (damaged, not a file, an OS error)
    raises StoreError naming it, and nothing is written."""
    _check_every_file_readable(store.data_dir)
    counts: Counter[str] = Counter()
    try:
        n = len(store.students(include_archived=True))
        chunks = backup_chunks(store, now=now, counts=counts)
        if str(path) == STDOUT:  # nothing reaches the terminal unless all was read
            written, record = write_logged(
                store, "backup", path, b"".join(chunks), n, deidentified=False
            )
        else:
            written, record = publish_chunks(
                path,
                chunks,
                lambda where: store.log_export("backup", where, n, deidentified=False),
            )
    except OSError as exc:
        where = exc.filename or store.data_dir
        raise StoreError(
            f"{where} cannot be read ({exc.strerror or exc}); the backup was not written"
        ) from None
    rows = counts["records"]
    return ExportResult(written, rows, n, False, record)


def _check_every_file_readable(root: Path) -> None:
    """StoreError naming the first partition that a backup would have to skip: an entry that
    is not a regular file, or a file that cannot be opened."""
    for kind in (SCORES_DIR, SESSIONS_DIR):
        base = root / kind
        if not base.is_dir():
            continue
        for year in sorted(base.iterdir()):
            if not year.name.isdigit() or not year.is_dir():
                continue
            for entry in sorted(year.iterdir()):
                if entry.name.startswith(".") or not entry.name.endswith(".json"):
                    continue
                try:
                    if not entry.is_file():
                        raise IsADirectoryError(21, "not a regular file")
                    os.close(os.open(entry, os.O_RDONLY))
                except OSError as exc:
                    raise StoreError(
                        f"{entry} cannot be read ({exc.strerror or exc}); "
                        "the backup was not written"
                    ) from None


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

    def __exit__(self, typ: type | None, exc: BaseException | None, _tb: object) -> Literal[False]:
        if exc is None:
            return False
        if isinstance(exc, ValidationError | KeyError | TypeError | ValueError | AttributeError):
            text = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            if isinstance(exc, TypeError) and "argument" in text:
                text = "missing or unknown fields: " + text.split("(", 1)[-1].split(")")[-1]
                text = text.strip() or str(exc)
            raise ValidationError(f"{self.where}: {text}", field="backup") from None
        return False


def _unique(key: str, seen: Container[str], what: str) -> None:
    """ValidationError if a record with this id was already read from the backup."""
    if key in seen:
        raise ValidationError(f"{what} {key!r} is listed twice")


def check_backup(doc: Any, source: str = "backup", *, consume: bool = False) -> Backup:
    """Check a parsed backup completely; ValidationError naming the first problem.

    ``consume=True``: each record's entry in ``doc`` is set to None once it is checked, so
    the parsed document shrinks as the Backup grows (:func:`load_backup` owns its doc)."""
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT:
        raise ValidationError(f"{source} {NOT_A_BACKUP}", field="backup")
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
        items = doc[section]
        for i, item in enumerate(items):
            where = _Where(source, section, i, item)
            if not isinstance(item, dict):
                raise ValidationError(f"{where.where}: not a record")
            yield where, item
            if consume:
                items[i] = None

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
            _unique(s.id, students, "student id")
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
            _unique(g.id, groups, "group id")
            parse_rrule(g.rrule, g.start_date or calendar.year_start)
            for code in g.measures:
                measure_ref(code)
            open_members: set[str] = set()
            for member in g.memberships:
                student_ref(member.student_id)
                if member.end is not None and member.end < member.start:
                    raise ValidationError(
                        f"membership of {member.student_id} ends before it starts"
                    )
                if member.end is None:
                    if member.student_id in open_members:
                        raise ValidationError(
                            f"student {member.student_id} is a current member twice"
                        )
                    open_members.add(member.student_id)
            groups[g.id] = g
            backup.groups.append(g)

    ids: set[str] = set()
    for where, item in each("goals"):
        with where:
            student_ref(item.get("student_id"))
            goal = Goal.from_doc(item)
            goal = goal.validated(measure_ref(goal.measure))
            check_id(goal.id, "goal id")
            _unique(goal.id, ids, "goal id")
            ids.add(goal.id)
            backup.goals.append(goal)

    for where, item in each("phase_changes"):
        with where:
            p = PhaseChange.from_doc(item)
            student_ref(p.student_id)
            measure_ref(p.measure)
            check_id(p.id, "phase change id")
            p = p.with_(label=check_text(p.label, "phase label", required=True))
            _unique(p.id, ids, "phase change id")
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
            _unique(sc.id, ids, "score id")
            score_key = (sc.student_id, m.code, sc.date)
            if score_key in seen_scores:
                raise ValidationError(
                    f"a second {m.code} score for {sc.student_id} on {sc.date.isoformat()}"
                )
            seen_scores.add(score_key)
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
            _unique(se.id, ids, "session id")
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
            _unique(e.id, ids, "export id")
            ids.add(e.id)
            backup.exports.append(e)
    return backup


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """The cyclic garbage collector off for the duration: a backup read or restored makes
    millions of objects and no reference cycles, and the collector's full passes over them
    (20 while reading 3,000 students' backup, collecting nothing) were a third of reading it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_without_gc()
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
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{p.name} is not a text file; it {NOT_A_BACKUP}") from None
    del raw  # memory: the file is held once, as text, while it is parsed
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if not text.lstrip().startswith("{"):  # a CSV file, a document
            raise ValidationError(f"{p.name} {NOT_A_BACKUP}", field="backup") from None
        raise ValidationError(
            f"{p.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it may be truncated"
        ) from None
    del text
    return check_backup(doc, p.name, consume=True)


# --------------------------------------------------------------------------- restore
Sections = Iterator[tuple[str, Iterable[dict[str, Any]] | dict[str, Any]]]


def _store_sections(store: Store) -> Sections:
    """What :func:`records_of` of :func:`backup_document` holds, a section at a time: the
    core sections as the Store reads them, scores and sessions as the documents stored in
    the partitions the Store lists (a record at a time). The restore compares these with
    the documents it wrote, so the half million scores are not parsed into records and
    encoded again only to be compared (each one's model round trip is every save's)."""
    head, _ = _backup_parts(store, None)
    for key in BACKUP_SECTIONS:
        if key in head:
            yield key, head[key]
        elif key in (SCORES_DIR, SESSIONS_DIR):
            yield key, store._stored_documents(key)
        else:
            yield key, _streamed(store, key)


#: json.dumps(record, sort_keys=True, ensure_ascii=False)'s C encoder, made once (json.dumps
#: makes an encoder per call: a third of what fingerprinting a record cost)
_C_CANONICAL = (
    c_make_encoder(
        None, json.JSONEncoder().default, c_encode_basestring, None, ": ", ", ", True, False, True
    )
    if c_make_encoder is not None and c_encode_basestring is not None
    else None
)


def _canonical(record: dict[str, Any]) -> bytes:
    """``json.dumps(record, sort_keys=True, ensure_ascii=False)`` as UTF-8."""
    if _C_CANONICAL is not None:
        return "".join(_C_CANONICAL(record, 0)).encode("utf-8")
    return json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")


class _Multiset:
    """Records as :func:`same_records` compares them (in any order), in constant memory:
    how many, and the sum of their canonical JSON's SHA-256 (a multiset hash)."""

    __slots__ = ("n", "sha256", "total")

    def __init__(self) -> None:
        import hashlib  # here, not at start-up

        self.sha256 = hashlib.sha256
        self.n = self.total = 0

    def add(self, record: dict[str, Any]) -> None:
        self.total += int.from_bytes(self.sha256(_canonical(record)).digest(), "big")
        self.n += 1

    def value(self) -> tuple[int, int]:
        return self.n, self.total % (1 << 256)


def _fingerprint(sections: Sections) -> dict[str, Any]:
    """Each section as :func:`same_records` compares it, in constant memory: a dict section
    as it is, a list section as its :class:`_Multiset` value."""
    out: dict[str, Any] = {}
    for key, value in sections:
        if isinstance(value, dict):
            out[key] = value
            continue
        records = _Multiset()
        for record in value:
            records.add(record)
        out[key] = records.value()
    return out


@mutable_record
class RestoreResult:
    backup: Backup
    safety_copy: Path | None  # where the replaced files were kept (None: folder was empty)


def _table(docs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {str(i): d for i, d in enumerate(docs, 1)}


def _iter_files(
    backup: Backup, now: str, seen: dict[str, _Multiset]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The data folder's files (relative path, TinyDB tables) holding ``backup``, one at a
    time: only one partition's documents exist at once. Each record's document is made
    once and added to ``seen[section]`` as it is made: what the files must read back as.

    Mirrors the layout documented in store/db/__init__.py; :func:`restore_backup` reads the
    result back through the Store before using it, so a layout change cannot go unnoticed.
    """

    def docs(section: str, records: Iterable[Any]) -> Iterator[dict[str, Any]]:
        for record in records:
            doc = record.to_doc()
            seen[section].add(doc)
            yield doc

    yield CORE_FILE, _core_of(backup, now, docs)
    scores: dict[str, list[Score]] = {}
    for sc in backup.scores:
        scores.setdefault(Store._score_rel(sc.student_id, sc.date), []).append(sc)
    for rel, of_file in scores.items():
        yield rel, {"scores": _table(docs("scores", of_file))}
    sessions: dict[str, list[Session]] = {}
    for se in backup.sessions:
        sessions.setdefault(Store._session_rel(se.group_id, se.date), []).append(se)
    for rel, in_file in sessions.items():
        yield rel, {"sessions": _table(docs("sessions", in_file))}


def _write_staged(path: Path, data: bytes) -> None:
    """A new file in the staging folder (0600, fsynced; its folder is fsynced once all are
    written): no temp file and rename, since nothing reads the staging folder until the
    restore journal names it, and a restore that stops before that removes it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        write_all(fd, (data,))
    finally:
        os.close(fd)


def _core_of(
    backup: Backup, now: str, docs: Callable[[str, Iterable[Any]], Iterator[dict[str, Any]]]
) -> dict[str, Any]:
    """core.json's tables; ``docs(section, records)`` makes each record's document."""
    return {
        "meta": {"1": {"id": "schema", "version": SCHEMA_VERSION, "created": now}},
        **{
            k: _table(docs(k, getattr(backup, k)))
            for k in ("students", "groups", "measures", "goals", "phase_changes")
        },
        "calendar": {"1": {"id": "calendar", **backup.calendar.to_doc()}},
        "exports": _table(docs("exports", backup.exports)),
    }


def _data_files(root: Path) -> list[str]:
    out = [CORE_FILE] if (root / CORE_FILE).is_file() else []
    if (root / EXPORT_LOG).is_file():  # kept aside with the data it logged; the backup's
        out.append(EXPORT_LOG)  # own exports go to core.json
    for kind in (SCORES_DIR, SESSIONS_DIR):
        base = root / kind
        if base.is_dir():
            out.extend(
                str(p.relative_to(root))
                for p in sorted([*base.rglob("*.json"), *base.rglob("*.json.wal")])  # journals
                if p.is_file() and not p.name.startswith(".")
            )
    return out


@_without_gc()
def restore_backup(
    data_dir: str | Path,
    backup: Backup,
    *,
    clock: Callable[[], datetime] = datetime.now,
    damaged: bool = False,
) -> RestoreResult:
    """Replace every record in ``data_dir`` with ``backup`` (already checked), all at once.

    Holding the folder's writer lock (StoreLockedError if the app has it open), the new files
    are written to a staging folder beside the data and read back through the Store; the
    current files are copied into ``backups/before-restore-<time>/`` (``damaged-<time>/``
    with ``damaged=True``: the current data could not be read); then the restore journal
    (:mod:`store.db.journal`) commits to the switch-over, which a crash cannot leave half
    done: the next open finishes it.
    """
    from store.db import journal

    root = Path(data_dir).expanduser().absolute()
    refuse_shared_parents(root)
    make_private_dir(root)
    lock = WriterLock(root)
    lock.acquire()
    committed = False
    staging = root / f"{journal.STAGING_PREFIX}{secrets.token_hex(4)}"
    try:
        journal.recover(root)  # an earlier restore killed half way: finish it first
        now = clock().replace(microsecond=0)
        make_private_dir(staging, stop_at=root)
        sums: dict[str, str] = {}
        import hashlib

        # what the files must hold, section by section (each document is made once)
        written = {key: _Multiset() for key in BACKUP_SECTIONS[1:]}
        for rel, tables in _iter_files(backup, now.isoformat(timespec="seconds"), written):
            target = staging / rel
            make_private_dir(target.parent, stop_at=staging)
            data = dumps(tables)
            _write_staged(target, data)
            sums[rel] = hashlib.sha256(data).hexdigest()
            del tables, data  # one file's documents at a time
        for folder in {(staging / rel).parent for rel in sums}:  # the new names, once a folder
            fsync_dir(folder)
        files = sums  # the files written (their checksums)
        check = Store.open(staging, readonly=True, clock=clock)
        try:
            again = _fingerprint(_store_sections(check))
        finally:
            check.close()
        expected: dict[str, Any] = {"calendar": backup.calendar.to_doc()}
        expected.update((key, records.value()) for key, records in written.items())
        every_record = all(m.n == len(getattr(backup, key)) for key, m in written.items())
        if again != expected or not every_record:
            raise StoreError("the restored data did not read back identically; nothing was changed")
        old = _data_files(root)
        safety: Path | None = None
        if old:
            label = "damaged" if damaged else "before-restore"
            safety = backups_dir(root) / f"{label}-{now:%Y%m%d-%H%M%S}"
            make_private_dir(safety, stop_at=root)
            for rel in old:
                dest = safety / rel
                make_private_dir(dest.parent, stop_at=safety)
                shutil.copy2(root / rel, dest)  # a copy: the old file may be damaged in place
                os.chmod(dest, 0o600)
            fsync_dir(safety)
        journal.write_journal(
            root, staging, sums, [rel for rel in old if rel not in files], kept=safety
        )
        committed = True
        journal.finish(root)
    except OSError as exc:
        if not committed:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        raise StoreError(
            f"the restore into {root} stopped half way ({exc.strerror or exc}); it will be "
            "completed the next time the folder is opened"
        ) from None
    except BaseException:
        if not committed:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        lock.release()
    return RestoreResult(backup, safety)
