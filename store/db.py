"""The Store: a typed API over TinyDB tables, with validation, durability and undo.

Layout of a data folder (0700, files 0600):
    core.json                         TinyDB: meta, students, groups, measures, goals,
                                      phase_changes, calendar, exports
    scores/<school year>/<student>.json   TinyDB: one partition per student per school year
    sessions/<school year>/<group>.json   TinyDB: one partition per group per school year
    .lock                             flock: one writer per folder (holds the pid)
    backups/YYYY-MM-DD/...            daily backups (hard links; last 14 kept)

Partitions keep every save small: the cost of a save and of opening does not grow with
history (issue #2 §4). Opening reads core.json only; partitions are read when first needed
and kept in a small cache. Every public method validates its input completely before the
first byte is written, so a rejected call leaves every file byte-identical.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import re
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from tinydb import TinyDB
from tinydb.table import Table

from store.errors import NotFoundError, NothingToUndoError, StoreError, ValidationError
from store.model import (
    BUILTIN_MEASURES,
    Attendance,
    ExportRecord,
    Goal,
    Group,
    Measure,
    Membership,
    PhaseChange,
    SchoolCalendar,
    Score,
    Session,
    Student,
    check_id,
    check_int,
    check_text,
    default_calendar,
    fmt_number,
    parse_date,
    school_year_of,
)
from store.paths import backups_dir
from store.records import mutable_record
from store.storage import (
    DIR_MODE,
    FILE_MODE,
    TEMP_SUFFIX,
    AtomicJSONStorage,
    WriterLock,
    fsync_dir,
    make_private_dir,
)

SCHEMA_VERSION = 2
CORE_FILE = "core.json"
CORE_TABLES: tuple[str, ...] = (
    "meta",
    "students",
    "groups",
    "measures",
    "goals",
    "phase_changes",
    "calendar",
    "exports",
)
SCORES_DIR = "scores"
SESSIONS_DIR = "sessions"
BACKUPS_KEPT = 14
PARTITION_CACHE = 256  # partitions kept parsed in memory (every write is already on disk)
_KEY_FIELD = {"measures": "code"}  # every other table is keyed by "id"
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Migration = Callable[[dict[str, Any], "Store"], dict[str, Any]]
P = ParamSpec("P")
R = TypeVar("R")


class DuplicateScoreError(ValidationError):
    """A score already exists for this student, measure and date; pass replace=True."""

    def __init__(self, message: str, existing: Score) -> None:
        super().__init__(message, field="date", value=existing.date)
        self.existing = existing


class UnknownIdError(ValidationError, NotFoundError):
    """An id that names no record: both a bad input (ValidationError) and a failed lookup
    (NotFoundError), so callers may catch either."""

    def __init__(self, kind: str, value: object) -> None:
        super().__init__(f"no {kind} with id {value!r}", field=f"{kind} id", value=value)


# --------------------------------------------------------------------------- migrations
def _migrate_v0(core: dict[str, Any], store: Store) -> dict[str, Any]:
    """v0 = files from before the schema version was stored: add the tables that were
    missing, the built-in measures and a calendar, and give students an ``active`` flag."""
    for name in CORE_TABLES:
        core.setdefault(name, {})
    if not core["measures"]:
        core["measures"] = {str(i): m.to_doc() for i, m in enumerate(BUILTIN_MEASURES, 1)}
    if not core["calendar"]:
        core["calendar"] = {"1": {"id": "calendar", **default_calendar(store.today()).to_doc()}}
    for doc in core["students"].values():
        doc.setdefault("active", True)
    return core


def _migrate_v1(core: dict[str, Any], store: Store) -> dict[str, Any]:
    """v1 → v2: built-in measures learn which are behaviour measures (CICO, DBR) and ORF's
    trend tolerance; the DBR-SIS items (academic engagement, respectful, disruptive) are added.
    A user's own measures are left as they are."""
    builtin = {m.code: m for m in BUILTIN_MEASURES}
    measures = core.setdefault("measures", {})
    have = set()
    for doc in measures.values():
        have.add(doc.get("code"))
        m = builtin.get(doc.get("code"))
        if m is not None and doc.get("builtin"):
            doc["behaviour"] = m.behaviour
            doc["trend_tolerance"] = m.trend_tolerance
    next_id = max((int(k) for k in measures if k.isdigit()), default=0) + 1
    for m in BUILTIN_MEASURES:
        if m.code not in have:
            measures[str(next_id)] = m.to_doc()
            next_id += 1
    return core


#: {from_version: function(core tables dict, store) -> core tables dict}; each step moves the
#: data one version up. Runs on open, before anything else reads the data.
MIGRATIONS: dict[int, Migration] = {0: _migrate_v0, 1: _migrate_v1}


# --------------------------------------------------------------------------- helpers
def _new_id(prefix: str) -> str:
    # = secrets.token_hex(4), without importing secrets (hmac, hashlib: ~2 ms of start-up)
    return f"{prefix}-{os.urandom(4).hex()}"


def _locked(method: Callable[P, R]) -> Callable[P, R]:
    """Run a public method under the Store's RLock (the TUI saves from a worker thread)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        with self._mutex:  # type: ignore[attr-defined]
            if self._closed:  # type: ignore[attr-defined]
                raise StoreError(f"the store at {self.data_dir} is closed")  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def _reject_unknown(changes: Mapping[str, object], allowed: tuple[str, ...], what: str) -> None:
    for name in changes:
        if name not in allowed:
            raise ValidationError(
                f"cannot change {name!r} of a {what} (allowed: {', '.join(allowed)})",
                field=name,
                value=changes[name],
            )


@mutable_record
class _Change:
    """One document as it was before a change: enough to put it back."""

    rel: str
    table: str
    key: str
    old: dict[str, Any] | None


@mutable_record
class _UndoEntry:
    description: str
    changes: list[_Change] = field(default_factory=list)


_Op = tuple[str, str, str, "dict[str, Any] | None"]  # (file, table, key, new doc or None)


class Store:
    """The interventionist's records in one data folder. Open with :meth:`Store.open`."""

    data_dir: Path
    readonly: bool

    def __init__(
        self, data_dir: Path, *, clock: Callable[[], datetime], readonly: bool = False
    ) -> None:
        self.data_dir = data_dir
        self.readonly = readonly
        self._clock = clock
        self._mutex = threading.RLock()
        self._closed = False
        self._lock = WriterLock(data_dir) if not readonly else None
        self._dbs: OrderedDict[str, TinyDB] = OrderedDict()
        self._undo: list[_UndoEntry] = []
        self._batch: _UndoEntry | None = None

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def open(
        cls,
        data_dir: Path | str,
        *,
        clock: Callable[[], datetime] = datetime.now,
        readonly: bool = False,
        migrations: Mapping[int, Migration] | None = None,
    ) -> Store:
        """Open (creating if needed) the data folder. Reads core.json only.

        Raises StoreLockedError when another process (or another Store here) has it open for
        writing, CorruptFileError when core.json cannot be parsed (the file is left as is),
        and StoreError when the data is from a newer version of intervene.
        """
        path = Path(data_dir).expanduser().absolute()
        store = cls(path, clock=clock, readonly=readonly)
        if readonly:
            if not (path / CORE_FILE).is_file():
                raise StoreError(f"there is no intervene data in {path}")
        else:
            make_private_dir(path)
            os.chmod(path, DIR_MODE)
            assert store._lock is not None
            store._lock.acquire()
        try:
            store._load_core(MIGRATIONS if migrations is None else migrations)
        except BaseException:
            store._release()
            raise
        return store

    def _load_core(self, migrations: Mapping[int, Migration]) -> None:
        storage = self._storage(CORE_FILE)
        data = storage.read()
        if data is None:
            if self.readonly:
                raise StoreError(f"there is no intervene data in {self.data_dir}")
            storage.write(self._fresh_core())
            return
        version = self._schema_version(data)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The data in {self.data_dir} was saved by a newer version of intervene "
                f"(data format v{version}; this version reads up to v{SCHEMA_VERSION}). "
                "Upgrade intervene to open it; nothing was changed."
            )
        if version < SCHEMA_VERSION:
            if self.readonly:
                raise StoreError(
                    f"The data in {self.data_dir} needs an upgrade from format v{version}; "
                    "open it once for writing first."
                )
            self._keep_pre_migration_copy(version)
            upgraded = copy.deepcopy(data)
            for step in range(version, SCHEMA_VERSION):
                migrate = migrations.get(step)
                if migrate is None:
                    raise StoreError(f"no migration from data format v{step} to v{step + 1}")
                upgraded = migrate(upgraded, self)
            meta = upgraded.setdefault("meta", {})
            for doc_id, doc in list(meta.items()):
                if doc.get("id") == "schema":
                    del meta[doc_id]
            meta[str(max((int(k) for k in meta), default=0) + 1)] = {
                "id": "schema",
                "version": SCHEMA_VERSION,
            }
            storage.write(upgraded)

    def _fresh_core(self) -> dict[str, Any]:
        core: dict[str, Any] = {name: {} for name in CORE_TABLES}
        core["meta"] = {"1": {"id": "schema", "version": SCHEMA_VERSION, "created": self._now()}}
        core["measures"] = {str(i): m.to_doc() for i, m in enumerate(BUILTIN_MEASURES, 1)}
        core["calendar"] = {"1": {"id": "calendar", **default_calendar(self.today()).to_doc()}}
        return core

    @staticmethod
    def _schema_version(data: dict[str, Any]) -> int:
        for doc in data.get("meta", {}).values():
            if doc.get("id") == "schema":
                return int(doc.get("version", 0))
        return 0

    def _keep_pre_migration_copy(self, version: int) -> None:
        """Keep core.json as it was before an upgrade: backups/before-v<N>-upgrade/core.json."""
        target = backups_dir(self.data_dir) / f"before-v{version + 1}-upgrade"
        if (target / CORE_FILE).exists():
            return
        make_private_dir(target, stop_at=self.data_dir)
        _snapshot(self.data_dir / CORE_FILE, target / CORE_FILE)

    def _release(self) -> None:
        self._dbs.clear()
        if self._lock is not None:
            self._lock.release()

    def close(self) -> None:
        """Release the lock. Nothing is written: every change is already on disk."""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            for db in self._dbs.values():
                db.close()
            self._release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_locked
    def is_empty(self) -> bool:
        """No students and no groups yet (a fresh folder)."""
        return not self._table(CORE_FILE, "students") and not self._table(CORE_FILE, "groups")

    def today(self) -> date:
        return self._clock().date()

    def _now(self) -> str:
        return self._clock().isoformat(timespec="seconds")

    # ----------------------------------------------------------------- files & tables
    def _storage(self, rel: str) -> AtomicJSONStorage:
        return self._db(rel).storage  # type: ignore[return-value]

    def _db(self, rel: str) -> TinyDB:
        db = self._dbs.get(rel)
        if db is not None:
            self._dbs.move_to_end(rel)
            return db
        db = TinyDB(
            self.data_dir / rel,
            storage=AtomicJSONStorage,
            root=self.data_dir,
            readonly=self.readonly,
            describe_backup=self._newest_backup_of,
        )
        db.storage.deferred = self._batch is not None  # type: ignore[attr-defined]
        self._dbs[rel] = db
        if len(self._dbs) > PARTITION_CACHE:
            for old in list(self._dbs):
                if old != CORE_FILE and old != rel and not self._storage_dirty(old):
                    del self._dbs[old]
                    break
        return db

    def _storage_dirty(self, rel: str) -> bool:
        return self._dbs[rel].storage.dirty  # type: ignore[attr-defined]

    def _table(self, rel: str, name: str) -> Table:
        return self._db(rel).table(name)

    def _docs(self, rel: str, name: str) -> list[dict[str, Any]]:
        """The documents of a table in insertion order (shared with the cache: read only)."""
        data = self._storage(rel).read()
        if not data:
            return []
        return list(data.get(name, {}).values())

    def _find(self, rel: str, name: str, key: str) -> dict[str, Any] | None:
        key_field = _KEY_FIELD.get(name, "id")
        for doc in self._docs(rel, name):
            if doc.get(key_field) == key:
                return doc
        return None

    def _put(self, rel: str, name: str, key: str, new: dict[str, Any] | None) -> _Change:
        """Insert, replace (new doc) or remove (None) one document; one file write."""
        table = self._table(rel, name)
        key_field = _KEY_FIELD.get(name, "id")
        data = self._storage(rel).read() or {}
        doc_id = next(
            (int(i) for i, d in data.get(name, {}).items() if d.get(key_field) == key), None
        )
        old = copy.deepcopy(data[name][str(doc_id)]) if doc_id is not None else None
        if new is None:
            if doc_id is not None:
                table.remove(doc_ids=[doc_id])
        elif doc_id is None:
            table.insert(copy.deepcopy(new))
        else:
            replacement = copy.deepcopy(new)

            def replace(docs: dict[int, Any]) -> None:
                # A new dict, not an in-place edit: the storage caches each document's JSON
                # by identity. (Table._update_table is TinyDB 4.x's one-write primitive.)
                docs[doc_id] = replacement

            table._update_table(replace)
        return _Change(rel, name, key, old)

    def _commit(self, description: str, ops: list[_Op]) -> None:
        """Apply validated changes and push their inverse on the undo stack."""
        if self.readonly:
            raise StoreError(f"{self.data_dir} is open read-only; nothing was saved")
        done: list[_Change] = []
        try:
            for rel, name, key, new in ops:
                done.append(self._put(rel, name, key, new))
        except BaseException:
            for change in reversed(done):  # best effort: leave no half-applied change
                with contextlib.suppress(Exception):
                    self._put(change.rel, change.table, change.key, change.old)
            raise
        if self._batch is not None:
            self._batch.changes.extend(done)
        else:
            self._undo.append(_UndoEntry(description, done))

    @contextlib.contextmanager
    def batch(self, description: str) -> Iterator[Store]:
        """Group many changes (an import, a demo caseload) into one undo step, writing each
        touched file once at the end instead of once per change.

        A crash inside the block loses the whole batch; use it for bulk loads only.
        """
        with self._mutex:
            if self._batch is not None:
                yield self
                return
            if self.readonly:
                raise StoreError(f"{self.data_dir} is open read-only; nothing was saved")
            self._batch = _UndoEntry(description)
            for db in list(self._dbs.values()):
                db.storage.deferred = True  # type: ignore[attr-defined]
            try:
                yield self
            finally:
                entry, self._batch = self._batch, None
                for db in list(self._dbs.values()):
                    storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
                    storage.deferred = False
                    storage.flush()
                if entry.changes:
                    self._undo.append(entry)

    # ----------------------------------------------------------------- lookups
    def _student(self, student_id: str) -> Student:
        doc = self._find(CORE_FILE, "students", student_id) if isinstance(student_id, str) else None
        if doc is None:
            raise UnknownIdError("student", student_id)
        return Student.from_doc(doc)

    def _group(self, group_id: str) -> Group:
        doc = self._find(CORE_FILE, "groups", group_id) if isinstance(group_id, str) else None
        if doc is None:
            raise UnknownIdError("group", group_id)
        return Group.from_doc(doc)

    def _measure(self, code: str, *, active: bool = False) -> Measure:
        docs = self._docs(CORE_FILE, "measures")
        match = next((d for d in docs if d["code"] == code), None)
        if match is None and isinstance(code, str):
            match = next((d for d in docs if d["code"].casefold() == code.casefold()), None)
        known = ", ".join(d["code"] for d in docs if d.get("active", True))
        if match is None:
            raise ValidationError(
                f"measure {code!r} is not one of: {known}", field="measure", value=code
            )
        measure = Measure.from_doc(match)
        if active and not measure.active:
            raise ValidationError(
                f"measure {measure.code} is switched off (active measures: {known})",
                field="measure",
                value=code,
            )
        return measure

    def _past_date(self, value: object, field_name: str = "date") -> date:
        day = parse_date(value, field_name)
        if day > self.today():
            raise ValidationError(
                f"{field_name} {day} is in the future", field=field_name, value=day
            )
        return day

    # ----------------------------------------------------------------- calendar & measures
    @_locked
    def calendar(self) -> SchoolCalendar:
        doc = self._find(CORE_FILE, "calendar", "calendar")
        if doc is None:
            return default_calendar(self.today())
        return SchoolCalendar.from_doc(doc)

    @_locked
    def set_calendar(self, calendar: SchoolCalendar) -> SchoolCalendar:
        if not isinstance(calendar, SchoolCalendar):
            raise ValidationError(
                "calendar must be a SchoolCalendar", field="calendar", value=calendar
            )
        cal = calendar.validated()
        doc = {"id": "calendar", **cal.to_doc()}
        self._commit(
            f"school calendar change ({cal.year_start} to {cal.year_end})",
            [(CORE_FILE, "calendar", "calendar", doc)],
        )
        return cal

    @_locked
    def measures(self, *, include_inactive: bool = False) -> list[Measure]:
        out = [Measure.from_doc(d) for d in self._docs(CORE_FILE, "measures")]
        return out if include_inactive else [m for m in out if m.active]

    @_locked
    def measure(self, code: str) -> Measure:
        try:
            return self._measure(code)
        except ValidationError:
            raise UnknownIdError("measure", code) from None

    @_locked
    def add_measure(self, measure: Measure) -> Measure:
        if not isinstance(measure, Measure):
            raise ValidationError("measure must be a Measure", field="measure", value=measure)
        m = measure.validated().with_(builtin=False, active=bool(measure.active))
        for doc in self._docs(CORE_FILE, "measures"):
            if doc["code"].casefold() == m.code.casefold():
                raise ValidationError(
                    f"measure code {m.code!r} is already used by {doc['name']}",
                    field="code",
                    value=m.code,
                )
        self._commit(f"added measure {m.code}", [(CORE_FILE, "measures", m.code, m.to_doc())])
        return m

    @_locked
    def update_measure(self, code: str, **changes: object) -> Measure:
        current = self.measure(code)
        allowed = (
            ("active",)
            if current.builtin
            else (
                "name",
                "unit",
                "min",
                "max",
                "higher_is_better",
                "decimals",
                "records_errors",
                "active",
            )
        )
        if current.builtin and set(changes) - {"active"}:
            bad = sorted(set(changes) - {"active"})[0]
            raise ValidationError(
                f"{current.code} is a built-in measure; only 'active' can change, not {bad!r}",
                field=bad,
                value=changes[bad],
            )
        _reject_unknown(changes, allowed, "measure")
        updated = current.with_(**changes).validated()
        updated = updated.with_(active=bool(updated.active))
        self._commit(
            f"change to measure {current.code}",
            [(CORE_FILE, "measures", current.code, updated.to_doc())],
        )
        return updated

    # ----------------------------------------------------------------- students
    def _check_sis_unique(self, sis_id: str | None, exclude: str | None = None) -> None:
        if not sis_id:
            return
        for doc in self._docs(CORE_FILE, "students"):
            if doc.get("sis_id") == sis_id and doc["id"] != exclude:
                other = Student.from_doc(doc)
                raise ValidationError(
                    f"SIS identifier {sis_id!r} already belongs to {other.name}",
                    field="sis_id",
                    value=sis_id,
                )

    @_locked
    def add_student(
        self,
        given_name: str,
        family_name: str,
        grade: str,
        *,
        sis_id: str | None = None,
        notes: str = "",
        id: str | None = None,
    ) -> Student:
        new_id = id if id is not None else self._unused_core_id("students", "st")
        student = Student(new_id, given_name, family_name, grade, sis_id, True, notes).validated()
        if self._find(CORE_FILE, "students", student.id) is not None:
            raise ValidationError(
                f"student id {student.id!r} is already used", field="id", value=student.id
            )
        self._check_sis_unique(student.sis_id)
        self._commit(
            f"added student {student.name}",
            [(CORE_FILE, "students", student.id, student.to_doc())],
        )
        return student

    def _unused_core_id(self, table: str, prefix: str) -> str:
        return self._unused_id(CORE_FILE, table, prefix)

    def _unused_id(self, rel: str, table: str, prefix: str) -> str:
        """A new random id not used in that file (documents are keyed by id within a file)."""
        while True:
            new = _new_id(prefix)
            if self._find(rel, table, new) is None:
                return new

    @_locked
    def update_student(self, student_id: str, **changes: object) -> Student:
        current = self._student(student_id)
        _reject_unknown(
            changes, ("given_name", "family_name", "grade", "sis_id", "notes", "active"), "student"
        )
        updated = current.with_(**changes).validated()
        self._check_sis_unique(updated.sis_id, exclude=current.id)
        self._commit(
            f"change to student {current.name}",
            [(CORE_FILE, "students", current.id, updated.to_doc())],
        )
        return updated

    @_locked
    def archive_student(self, student_id: str) -> Student:
        current = self._student(student_id)
        updated = current.with_(active=False)
        self._commit(
            f"archived {current.name}", [(CORE_FILE, "students", current.id, updated.to_doc())]
        )
        return updated

    @_locked
    def restore_student(self, student_id: str) -> Student:
        current = self._student(student_id)
        updated = current.with_(active=True)
        self._commit(
            f"restored {current.name}", [(CORE_FILE, "students", current.id, updated.to_doc())]
        )
        return updated

    @_locked
    def student(self, student_id: str) -> Student:
        return self._student(student_id)

    @_locked
    def students(self, *, include_archived: bool = False) -> list[Student]:
        out = [Student.from_doc(d) for d in self._docs(CORE_FILE, "students")]
        if not include_archived:
            out = [s for s in out if s.active]
        return sorted(out, key=lambda s: (*s.sort_key, s.id))

    # ----------------------------------------------------------------- groups
    def _check_rrule(self, group: Group) -> None:
        anchor = group.start_date or self.calendar().year_start
        dtstart = datetime.combine(anchor, group.start)
        try:
            from store.schedule import parse_rrule
        except ImportError:
            parse_rrule = None
        try:
            if parse_rrule is not None:
                parse_rrule(group.rrule, dtstart)
            else:
                from dateutil.rrule import rrulestr

                rrulestr(group.rrule, dtstart=dtstart)
        except ValidationError:
            raise
        except Exception as exc:
            raise ValidationError(
                f"recurrence {group.rrule!r} is not a valid RRULE: {exc}",
                field="rrule",
                value=group.rrule,
            ) from None

    def _validated_group(self, group: Group) -> Group:
        if not isinstance(group, Group):
            raise ValidationError("group must be a Group", field="group", value=group)
        g = group.validated()
        self._check_rrule(g)
        codes = {d["code"] for d in self._docs(CORE_FILE, "measures")}
        for code in g.measures:
            if code not in codes:
                raise ValidationError(
                    f"measure {code!r} is not one of: {', '.join(sorted(codes))}",
                    field="measures",
                    value=code,
                )
        memberships: list[Membership] = []
        open_ids: set[str] = set()
        for m in g.memberships:
            if not isinstance(m, Membership):
                raise ValidationError(
                    "memberships must be Membership records", field="memberships", value=m
                )
            start = parse_date(m.start, "joined")
            end = parse_date(m.end, "left") if m.end is not None else None
            self._student(m.student_id)
            if end is not None and end < start:
                raise ValidationError(
                    f"left {end} is before joined {start}", field="memberships", value=end
                )
            if end is None:
                if m.student_id in open_ids:
                    raise ValidationError(
                        f"student {m.student_id} is listed twice as a current member",
                        field="memberships",
                        value=m.student_id,
                    )
                open_ids.add(m.student_id)
            memberships.append(Membership(m.student_id, start, end))
        return g.with_(memberships=memberships)

    @_locked
    def add_group(self, group: Group) -> Group:
        if isinstance(group, Group) and not group.id:
            group = group.with_(id=self._unused_core_id("groups", "gr"))
        g = self._validated_group(group)
        if self._find(CORE_FILE, "groups", g.id) is not None:
            raise ValidationError(f"group id {g.id!r} is already used", field="id", value=g.id)
        self._commit(f"added group {g.name}", [(CORE_FILE, "groups", g.id, g.to_doc())])
        return g

    @_locked
    def update_group(self, group_id: str, **changes: object) -> Group:
        current = self._group(group_id)
        allowed = (
            "name",
            "program",
            "skill_focus",
            "tier",
            "location",
            "start_time",
            "duration_minutes",
            "rrule",
            "start_date",
            "end_date",
            "measures",
            "probe_every_weeks",
            "fidelity_items",
            "active",
        )
        _reject_unknown(changes, allowed, "group")
        updated = self._validated_group(current.with_(**changes))
        self._commit(
            f"change to group {current.name}",
            [(CORE_FILE, "groups", current.id, updated.to_doc())],
        )
        return updated

    @_locked
    def end_group(self, group_id: str, end_date: date) -> Group:
        current = self._group(group_id)
        end = parse_date(end_date, "end date")
        memberships = [
            m if m.end is not None else m.with_(end=max(m.start, end)) for m in current.memberships
        ]
        updated = self._validated_group(
            current.with_(end_date=end, active=False, memberships=memberships)
        )
        self._commit(
            f"ended group {current.name} on {end}",
            [(CORE_FILE, "groups", current.id, updated.to_doc())],
        )
        return updated

    @_locked
    def add_member(self, group_id: str, student_id: str, on: date) -> Group:
        current = self._group(group_id)
        student = self._student(student_id)
        day = parse_date(on, "joined")
        for m in current.memberships:
            if m.student_id == student.id and (m.end is None or m.end > day):
                raise ValidationError(
                    f"{student.name} is already in {current.name} on {day}",
                    field="student_id",
                    value=student.id,
                )
        updated = current.with_(memberships=[*current.memberships, Membership(student.id, day)])
        self._commit(
            f"added {student.name} to {current.name}",
            [(CORE_FILE, "groups", current.id, updated.to_doc())],
        )
        return updated

    @_locked
    def remove_member(self, group_id: str, student_id: str, on: date) -> Group:
        current = self._group(group_id)
        student = self._student(student_id)
        day = parse_date(on, "left")
        index = next(
            (
                i
                for i, m in enumerate(current.memberships)
                if m.student_id == student.id and m.end is None
            ),
            None,
        )
        if index is None:
            raise ValidationError(
                f"{student.name} is not in {current.name}", field="student_id", value=student.id
            )
        membership = current.memberships[index]
        if day < membership.start:
            raise ValidationError(
                f"left {day} is before {student.name} joined {current.name} on {membership.start}",
                field="on",
                value=day,
            )
        memberships = list(current.memberships)
        memberships[index] = membership.with_(end=day)
        updated = current.with_(memberships=memberships)
        self._commit(
            f"removed {student.name} from {current.name}",
            [(CORE_FILE, "groups", current.id, updated.to_doc())],
        )
        return updated

    @_locked
    def group(self, group_id: str) -> Group:
        return self._group(group_id)

    @_locked
    def groups(self, *, include_inactive: bool = False) -> list[Group]:
        out = [Group.from_doc(d) for d in self._docs(CORE_FILE, "groups")]
        if not include_inactive:
            out = [g for g in out if g.active]
        return sorted(out, key=lambda g: (g.start_time, g.name.casefold(), g.id))

    @_locked
    def groups_of(self, student_id: str, on: date | None = None) -> list[Group]:
        """Groups the student is in now (open membership, active group) or on a date."""
        if on is None:
            return [g for g in self.groups() if student_id in g.member_ids]
        day = parse_date(on)
        return [g for g in self.groups(include_inactive=True) if student_id in g.members_on(day)]

    # ----------------------------------------------------------------- goals & phases
    @_locked
    def set_goal(
        self,
        student_id: str,
        measure: str,
        *,
        baseline_value: float,
        baseline_date: date,
        goal_value: float,
        goal_date: date,
        method: str = "custom",
        note: str = "",
    ) -> Goal:
        student = self._student(student_id)
        m = self._measure(measure)
        goal = Goal(
            self._unused_core_id("goals", "go"),
            student.id,
            m.code,
            baseline_value,
            baseline_date,
            goal_value,
            goal_date,
            method,
            self.today(),
            note,
        ).validated(m)
        self._commit(
            f"{m.code} goal {m.format(goal.goal_value)} by {goal.goal_date} for {student.name}",
            [(CORE_FILE, "goals", goal.id, goal.to_doc())],
        )
        return goal

    @_locked
    def goal(self, student_id: str, measure: str) -> Goal | None:
        """The goal in force: the one set last (by set_on, then by order of entry)."""
        matching = [g for g in self.goals(student_id) if g.measure == measure]
        return matching[-1] if matching else None

    @_locked
    def goals(self, student_id: str | None = None) -> list[Goal]:
        """Every goal ever set (history), oldest first."""
        docs = self._docs(CORE_FILE, "goals")
        out = [
            Goal.from_doc(d) for d in docs if student_id is None or d["student_id"] == student_id
        ]
        order = {g.id: i for i, g in enumerate(out)}
        return sorted(out, key=lambda g: (g.set_on or date.min, order[g.id]))

    @_locked
    def add_phase_change(self, student_id: str, measure: str, on: date, label: str) -> PhaseChange:
        student = self._student(student_id)
        m = self._measure(measure)
        phase = PhaseChange(
            self._unused_core_id("phase_changes", "ph"),
            student.id,
            m.code,
            self._past_date(on, "phase change date"),  # a trend can't start in the future
            check_text(label, "phase label", required=True),
        )
        self._commit(
            f"phase change {phase.label!r} for {student.name} ({m.code}) on {phase.date}",
            [(CORE_FILE, "phase_changes", phase.id, phase.to_doc())],
        )
        return phase

    @_locked
    def delete_phase_change(self, phase_id: str) -> PhaseChange:
        doc = self._find(CORE_FILE, "phase_changes", phase_id)
        if doc is None:
            raise UnknownIdError("phase change", phase_id)
        phase = PhaseChange.from_doc(doc)
        self._commit(
            f"deleted phase change {phase.label!r} on {phase.date}",
            [(CORE_FILE, "phase_changes", phase.id, None)],
        )
        return phase

    @_locked
    def phase_changes(self, student_id: str, measure: str | None = None) -> list[PhaseChange]:
        out = [
            PhaseChange.from_doc(d)
            for d in self._docs(CORE_FILE, "phase_changes")
            if d["student_id"] == student_id and (measure is None or d["measure"] == measure)
        ]
        return sorted(out, key=lambda p: (p.date, p.id))

    # ----------------------------------------------------------------- partitions
    def _partition_years(self, kind: str) -> list[int]:
        root = self.data_dir / kind
        try:
            names = os.listdir(root)
        except FileNotFoundError:
            return []
        return sorted(int(n) for n in names if n.isdigit())

    def _partitions_of(
        self, kind: str, owner: str, since: date | None = None, until: date | None = None
    ) -> list[str]:
        lo = school_year_of(since) if since else None
        hi = school_year_of(until) if until else None
        rels = []
        for year in self._partition_years(kind):
            if (lo is not None and year < lo) or (hi is not None and year > hi):
                continue
            rel = f"{kind}/{year}/{owner}.json"
            if rel in self._dbs or (self.data_dir / rel).is_file():
                rels.append(rel)
        return rels

    def _all_partitions(
        self, kind: str, since: date | None = None, until: date | None = None
    ) -> list[str]:
        lo = school_year_of(since) if since else None
        hi = school_year_of(until) if until else None
        rels = []
        for year in self._partition_years(kind):
            if (lo is not None and year < lo) or (hi is not None and year > hi):
                continue
            for name in sorted(os.listdir(self.data_dir / kind / str(year))):
                if name.endswith(".json") and not name.startswith("."):
                    rels.append(f"{kind}/{year}/{name}")
        return rels

    def _locate(self, kind: str, table: str, record_id: str) -> tuple[str, dict[str, Any]]:
        """Find a score or session by id: partitions in memory first, then the files."""
        if not isinstance(record_id, str):
            raise UnknownIdError(table.rstrip("s"), record_id)
        prefix = kind + "/"
        for rel in [r for r in self._dbs if r.startswith(prefix)]:
            doc = self._find(rel, table, record_id)
            if doc is not None:
                return rel, doc
        needle = f'"{record_id}"'.encode()
        for rel in self._all_partitions(kind):
            if rel in self._dbs:
                continue
            try:
                raw = (self.data_dir / rel).read_bytes()
            except FileNotFoundError:
                continue
            if needle in raw:
                doc = self._find(rel, table, record_id)
                if doc is not None:
                    return rel, doc
        raise UnknownIdError(table.rstrip("s"), record_id)

    # ----------------------------------------------------------------- scores
    @staticmethod
    def _score_rel(student_id: str, day: date) -> str:
        return f"{SCORES_DIR}/{school_year_of(day)}/{student_id}.json"

    def _score_at(self, student_id: str, measure: str, day: date) -> dict[str, Any] | None:
        iso_day = day.isoformat()
        for doc in self._docs(self._score_rel(student_id, day), "scores"):
            if doc["measure"] == measure and doc["date"] == iso_day:
                return doc
        return None

    def _check_errors(self, m: Measure, errors: object) -> int | None:
        if errors is None or errors == "":
            return None
        if not m.records_errors:
            raise ValidationError(
                f"{m.code} does not record errors (only the score)", field="errors", value=errors
            )
        return check_int(errors, "errors", lo=0, hi=999)

    @_locked
    def record_score(
        self,
        student_id: str,
        measure: str,
        value: float | str | None,
        on: date,
        *,
        errors: int | None = None,
        session_id: str | None = None,
        replace: bool = False,
        passages: Sequence[float | str] | None = None,
    ) -> Score:
        """Save one probe score. A second score for the same student, measure and date raises
        DuplicateScoreError unless ``replace=True`` (which keeps the existing score's id).

        ``passages``: several readings in one sitting (e.g. 61, 58, 64): each is checked by the
        measure, the day's value is their median (``value`` may then be None; if given it must
        be that median) and the passages are kept on the score."""
        student, m, number, day, n_errors, existing, kept = self._score_inputs(
            student_id, measure, value, on, errors, replace, passages
        )
        sid = check_id(session_id, "session id") if session_id else None
        score = Score(
            existing.id
            if existing
            else self._unused_id(self._score_rel(student.id, day), "scores", "sc"),
            student.id,
            m.code,
            day,
            number,
            n_errors,
            sid,
            self._clock().replace(microsecond=0),
            kept,
        )
        what = f"{m.code} {m.format(number)} for {student.name} on {day}"
        if kept:
            what += f" (median of {', '.join(m.format(p) for p in kept)})"
        if existing is not None:
            what += f" (was {m.format(existing.value)})"
        self._commit(what, [(self._score_rel(student.id, day), "scores", score.id, score.to_doc())])
        return score

    def _score_inputs(
        self,
        student_id: str,
        measure: str,
        value: float | str | None,
        on: date,
        errors: int | None,
        replace: bool,
        passages: Sequence[float | str] | None = None,
    ) -> tuple[Student, Measure, float, date, int | None, Score | None, list[float]]:
        """Every check record_score makes, in its order; raises what record_score raises."""
        student = self._student(student_id)
        m = self._measure(measure, active=True)
        readings = self._check_passages(m, passages)
        kept = readings if len(readings) > 1 else []  # one reading is just the score
        if readings:
            number = Score.median(readings, m.decimals)
            if value is not None and value != "" and m.check_value(value) != number:
                raise ValidationError(
                    f"{m.code} score {value} is not the median of the passages "
                    f"({', '.join(m.format(p) for p in readings)} → {m.format(number)})",
                    field="value",
                    value=value,
                )
        else:
            number = m.check_value(value)
        day = self._past_date(on)
        n_errors = self._check_errors(m, errors)
        existing_doc = self._score_at(student.id, m.code, day)
        existing = Score.from_doc(existing_doc) if existing_doc else None
        if existing is not None and not replace:
            raise DuplicateScoreError(
                f"{m.code} {m.format(existing.value)} already entered for {student.name} on {day}",
                existing,
            )
        return student, m, number, day, n_errors, existing, kept

    @staticmethod
    def _check_passages(m: Measure, passages: Sequence[float | str] | None) -> list[float]:
        """Each passage on the measure's scale (an empty list without passages)."""
        if passages is None or isinstance(passages, str | bytes):
            if passages:
                raise ValidationError(
                    f"passages {passages!r} must be a list of scores",
                    field="passages",
                    value=passages,
                )
            return []
        values, limit = list(passages), 9
        if len(values) > limit:
            raise ValidationError(
                f"{len(values)} passages: at most {limit} readings in one sitting",
                field="passages",
                value=values,
            )
        return [m.check_value(v) for v in values]

    @_locked
    def check_score(
        self,
        student_id: str,
        measure: str,
        value: float | str | None,
        on: date,
        *,
        errors: int | None = None,
        replace: bool = False,
        passages: Sequence[float | str] | None = None,
    ) -> float:
        """Validate a score exactly as :meth:`record_score` would, without writing anything.

        Returns the value as it would be stored (the median, with passages). The TUI checks on
        the UI thread (cheap, in memory) and then saves on its writer thread, so the next row
        takes keys at once."""
        return self._score_inputs(student_id, measure, value, on, errors, replace, passages)[2]

    @_locked
    def update_score(self, score_id: str, **changes: object) -> Score:
        """Change a score's value, errors, date, measure or session."""
        _reject_unknown(changes, ("value", "errors", "date", "measure", "session_id"), "score")
        rel, doc = self._locate(SCORES_DIR, "scores", score_id)
        current = Score.from_doc(doc)
        student = self._student(current.student_id)
        m = self._measure(changes.get("measure", current.measure))  # type: ignore[arg-type]
        number = m.check_value(changes.get("value", current.value))
        day = self._past_date(changes["date"]) if "date" in changes else current.date
        n_errors = self._check_errors(
            m, changes.get("errors", current.errors if m.records_errors else None)
        )
        # a score moved to another day no longer belongs to the session it was entered in
        moved = day != current.date
        sid = changes.get("session_id", None if moved else current.session_id)
        sid = check_id(sid, "session id") if sid else None
        clash = self._score_at(student.id, m.code, day)
        if clash is not None and clash["id"] != current.id:
            raise DuplicateScoreError(
                f"{m.code} {m.format(clash['value'])} already entered for {student.name} on {day}",
                Score.from_doc(clash),
            )
        updated = current.with_(
            measure=m.code, value=number, date=day, errors=n_errors, session_id=sid
        )
        new_rel = self._score_rel(student.id, day)
        ops: list[_Op] = [(new_rel, "scores", current.id, updated.to_doc())]
        if new_rel != rel:
            ops.append((rel, "scores", current.id, None))
        old_m = self._measure(current.measure)
        self._commit(
            f"change to {old_m.code} {old_m.format(current.value)} for {student.name} "
            f"on {current.date}",
            ops,
        )
        return updated

    @_locked
    def delete_score(self, score_id: str) -> Score:
        rel, doc = self._locate(SCORES_DIR, "scores", score_id)
        score = Score.from_doc(doc)
        name = self._student_name(score.student_id)
        self._commit(
            f"deleted {score.measure} {fmt_number(score.value)} for {name} on {score.date}",
            [(rel, "scores", score.id, None)],
        )
        return score

    def _student_name(self, student_id: str) -> str:
        doc = self._find(CORE_FILE, "students", student_id)
        return Student.from_doc(doc).name if doc else student_id

    @_locked
    def score_on(self, student_id: str, measure: str, on: date) -> Score | None:
        day = parse_date(on)
        doc = self._score_at(student_id, measure, day)
        return Score.from_doc(doc) if doc else None

    @_locked
    def scores(
        self,
        student_id: str,
        measure: str | None = None,
        *,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Score]:
        """One student's scores (optionally one measure, a date range), sorted by date."""
        lo = since.isoformat() if since else None
        hi = until.isoformat() if until else None
        out = []
        for rel in self._partitions_of(SCORES_DIR, student_id, since, until):
            for doc in self._docs(rel, "scores"):
                if measure is not None and doc["measure"] != measure:
                    continue
                if (lo and doc["date"] < lo) or (hi and doc["date"] > hi):
                    continue
                out.append(Score.from_doc(doc))
        return sorted(out, key=lambda s: (s.date, s.measure, s.entered_at or datetime.min))

    def iter_scores(
        self, *, since: date | None = None, until: date | None = None
    ) -> Iterator[Score]:
        """Every score in the folder, sorted by (student id, date); reads partition by partition."""
        with self._mutex:
            by_student: dict[str, list[str]] = {}
            for rel in self._all_partitions(SCORES_DIR, since, until):
                by_student.setdefault(Path(rel).stem, []).append(rel)
        for student_id in sorted(by_student):
            yield from self.scores(student_id, since=since, until=until)

    # ----------------------------------------------------------------- sessions
    @staticmethod
    def _session_rel(group_id: str, day: date) -> str:
        return f"{SESSIONS_DIR}/{school_year_of(day)}/{group_id}.json"

    def _session_at(self, group_id: str, day: date) -> dict[str, Any] | None:
        iso_day = day.isoformat()
        rel = self._session_rel(group_id, day)
        if not self._storage(rel).may_hold("date", iso_day):  # Today asks every group
            return None
        for doc in self._docs(rel, "sessions"):
            if doc["date"] == iso_day:
                return doc
        return None

    def _check_attendance_ids(self, group: Group, session: Session) -> None:
        members = set(group.members_on(session.date)) | set(group.member_ids)
        for a in session.attendance:
            if a.student_id not in members:
                self._student(a.student_id)

    @_locked
    def log_session(self, session: Session) -> Session:
        """Save a session; one per group per date (a second one for that date replaces it)."""
        if not isinstance(session, Session):
            raise ValidationError("session must be a Session", field="session", value=session)
        group = self._group(session.group_id)
        s = session.validated(group)
        if s.delivered:
            self._past_date(s.date)
        self._check_attendance_ids(group, s)
        if s.id:
            check_id(s.id, "session id")
        existing = self._session_at(group.id, s.date)
        ops: list[_Op] = []
        if existing is not None:
            new_id = existing["id"]
        elif s.id:
            new_id = s.id
            target = self._session_rel(group.id, s.date)
            for rel in self._partitions_of(SESSIONS_DIR, group.id):
                moved = self._find(rel, "sessions", s.id)
                if moved is not None and rel != target:  # moved to another school year
                    ops.append((rel, "sessions", s.id, None))
        else:
            new_id = self._unused_id(self._session_rel(group.id, s.date), "sessions", "se")
        saved = s.with_(
            id=new_id, group_id=group.id, logged_at=self._clock().replace(microsecond=0)
        )
        ops.insert(0, (self._session_rel(group.id, s.date), "sessions", new_id, saved.to_doc()))
        self._commit(f"{group.name} session on {s.date}", ops)
        return saved

    @_locked
    def mark_attendance(self, group_id: str, on: date, attendance: Attendance) -> Session:
        """Set one student's attendance in the group's session on a date (creating a delivered
        session of the group's usual length if there is none yet)."""
        group = self._group(group_id)
        day = self._past_date(on)
        if not isinstance(attendance, Attendance):
            raise ValidationError(
                "attendance must be an Attendance", field="attendance", value=attendance
            )
        student = self._student(attendance.student_id)
        doc = self._session_at(group.id, day)
        if doc is None:
            current = Session(
                self._unused_id(self._session_rel(group.id, day), "sessions", "se"),
                group.id,
                day,
                minutes_delivered=group.duration_minutes,
            )
        else:
            current = Session.from_doc(doc)
            if not current.delivered:
                raise ValidationError(
                    f"the {group.name} session on {day} was cancelled; log it as delivered first",
                    field="status",
                    value=current.status,
                )
        entries = [a for a in current.attendance if a.student_id != student.id]
        entries.append(attendance)
        updated = current.with_(
            attendance=entries, logged_at=self._clock().replace(microsecond=0)
        ).validated(group)
        self._check_attendance_ids(group, updated)
        self._commit(
            f"attendance of {student.name} at {group.name} on {day}",
            [(self._session_rel(group.id, day), "sessions", updated.id, updated.to_doc())],
        )
        return updated

    @_locked
    def session_on(self, group_id: str, on: date) -> Session | None:
        doc = self._session_at(group_id, parse_date(on))
        return Session.from_doc(doc) if doc else None

    @_locked
    def sessions(
        self,
        group_id: str | None = None,
        *,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Session]:
        """Logged sessions (of one group or all), sorted by date then group."""
        rels = (
            self._partitions_of(SESSIONS_DIR, group_id, since, until)
            if group_id is not None
            else self._all_partitions(SESSIONS_DIR, since, until)
        )
        lo = since.isoformat() if since else None
        hi = until.isoformat() if until else None
        out = []
        for rel in rels:
            for doc in self._docs(rel, "sessions"):
                if (lo and doc["date"] < lo) or (hi and doc["date"] > hi):
                    continue
                out.append(Session.from_doc(doc))
        return sorted(out, key=lambda s: (s.date, s.group_id))

    @_locked
    def delete_session(self, session_id: str) -> Session:
        rel, doc = self._locate(SESSIONS_DIR, "sessions", session_id)
        session = Session.from_doc(doc)
        doc_group = self._find(CORE_FILE, "groups", session.group_id)
        name = doc_group["name"] if doc_group else session.group_id
        self._commit(
            f"deleted {name} session on {session.date}", [(rel, "sessions", session.id, None)]
        )
        return session

    # ----------------------------------------------------------------- undo
    @_locked
    def can_undo(self) -> bool:
        return bool(self._undo)

    @_locked
    def undo_last(self) -> str:
        """Revert the last change made through this Store; returns e.g.
        ``Undid: ORF 62 for Ava Jones on 2026-11-25``."""
        if not self._undo:
            raise NothingToUndoError("nothing to undo")
        if self.readonly:
            raise StoreError(f"{self.data_dir} is open read-only; nothing was saved")
        entry = self._undo.pop()
        done: list[_Change] = []
        try:
            for change in reversed(entry.changes):
                done.append(self._put(change.rel, change.table, change.key, change.old))
        except BaseException:
            for redo in reversed(done):
                with contextlib.suppress(Exception):
                    self._put(redo.rel, redo.table, redo.key, redo.old)
            self._undo.append(entry)
            raise
        return f"Undid: {entry.description}"

    # ----------------------------------------------------------------- backups
    def _data_files(self) -> Iterator[Path]:
        """Every data file; stale temp files left by a crash are removed on the way."""
        core = self.data_dir / CORE_FILE
        if core.is_file():
            yield core
        for kind in (SCORES_DIR, SESSIONS_DIR):
            root = self.data_dir / kind
            if not root.is_dir():
                continue
            for dirpath, _dirs, files in os.walk(root):
                for name in sorted(files):
                    path = Path(dirpath) / name
                    if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                        if not self.readonly:
                            with contextlib.suppress(OSError):
                                path.unlink()
                        continue
                    if name.endswith(".json"):
                        yield path

    @_locked
    def backup_if_due(self) -> Path | None:
        """Snapshot every data file into backups/<today>/ once a day, keep the newest 14 days.

        Partitions are hard-linked (a true snapshot: the store replaces files, never edits
        them; copied where links are unsupported); core.json, small and holding everything
        but scores and sessions, is copied so a backup survives damage done to it in place.
        Returns the new folder, or None if today's backup exists (or the store is read-only).
        """
        if self.readonly:
            return None
        root = backups_dir(self.data_dir)
        target = root / self.today().isoformat()
        if target.exists():
            return None
        make_private_dir(root, stop_at=self.data_dir)
        partial = root / f".{target.name}.partial"
        if partial.exists():
            shutil.rmtree(partial)
        make_private_dir(partial, stop_at=root)
        for path in self._data_files():
            dest = partial / path.relative_to(self.data_dir)
            make_private_dir(dest.parent, stop_at=partial)
            if path.name == CORE_FILE:
                _copy(path, dest)  # small and precious: a real copy survives in-place damage
            else:
                _snapshot(path, dest)
        os.rename(partial, target)
        fsync_dir(root)
        for old in self._dated_backups()[BACKUPS_KEPT:]:
            shutil.rmtree(old, ignore_errors=True)
        return target

    def _dated_backups(self) -> list[Path]:
        root = backups_dir(self.data_dir)
        try:
            names = os.listdir(root)
        except FileNotFoundError:
            return []
        return [root / n for n in sorted((n for n in names if _DAY_RE.match(n)), reverse=True)]

    @_locked
    def backups(self) -> list[Path]:
        """Daily backup folders, newest first."""
        return self._dated_backups()

    def _newest_backup_of(self, path: Path) -> Path | None:
        try:
            rel = Path(path).relative_to(self.data_dir)
        except ValueError:
            return None
        for folder in self._dated_backups():
            candidate = folder / rel
            if candidate.is_file() and not _same_content(candidate, Path(path)):
                return candidate  # skips backups taken after the damage (the same file)
        return None

    # ----------------------------------------------------------------- exports
    @_locked
    def log_export(
        self, kind: str, path: str, students: int, *, deidentified: bool
    ) -> ExportRecord:
        """Record that data left the app (a privacy log). Not undoable: the file exists."""
        if self.readonly:
            raise StoreError(f"{self.data_dir} is open read-only; nothing was saved")
        record = ExportRecord(
            self._unused_core_id("exports", "ex"),
            self._clock().replace(microsecond=0),
            check_text(kind, "export kind", required=True),
            check_text(str(path), "export path", required=True, limit=4096),
            check_int(students, "students exported", lo=0),
            bool(deidentified),
        )
        self._put(CORE_FILE, "exports", record.id, record.to_doc())
        return record

    @_locked
    def exports(self) -> list[ExportRecord]:
        out = [ExportRecord.from_doc(d) for d in self._docs(CORE_FILE, "exports")]
        return sorted(out, key=lambda e: e.at)

    # ---- caseload management (issue 6)
    def _student_records(self, student_id: str) -> list[_Op]:
        """Every change that removes a student and what belongs to them: scores, goals, phase
        changes, group memberships, attendance entries (partition files first, core last)."""
        student = self._student(student_id)
        ops: list[_Op] = []
        for rel in self._partitions_of(SCORES_DIR, student.id):
            ops.extend((rel, "scores", d["id"], None) for d in self._docs(rel, "scores"))
        for rel in self._all_partitions(SESSIONS_DIR):
            for doc in self._docs(rel, "sessions"):
                entries = doc.get("attendance", [])
                if any(a.get("student_id") == student.id for a in entries):
                    kept = [a for a in entries if a.get("student_id") != student.id]
                    ops.append((rel, "sessions", doc["id"], {**doc, "attendance": kept}))
        for table in ("goals", "phase_changes"):
            ops.extend(
                (CORE_FILE, table, d["id"], None)
                for d in self._docs(CORE_FILE, table)
                if d.get("student_id") == student.id
            )
        for doc in self._docs(CORE_FILE, "groups"):
            members = doc.get("memberships", [])
            if any(m.get("student_id") == student.id for m in members):
                kept = [m for m in members if m.get("student_id") != student.id]
                ops.append((CORE_FILE, "groups", doc["id"], {**doc, "memberships": kept}))
        ops.append((CORE_FILE, "students", student.id, None))
        return ops

    @_locked
    def student_footprint(self, student_id: str) -> dict[str, int]:
        """What :meth:`delete_student` would remove: counts of scores, goals, phase changes,
        group memberships and session attendance entries."""
        counts = {"scores": 0, "goals": 0, "phase_changes": 0, "groups": 0, "sessions": 0}
        for _rel, table, _key, _new in self._student_records(student_id):
            if table in counts:
                counts[table] += 1
        return counts

    @_locked
    def delete_student(self, student_id: str) -> dict[str, int]:
        """Delete a student entered by mistake and everything recorded about them (see
        :meth:`student_footprint`, whose counts are returned). One undo step: ``undo_last``
        puts it all back. Archive (``archive_student``) is the normal way to retire a student."""
        student = self._student(student_id)
        counts = self.student_footprint(student.id)
        ops = self._student_records(student.id)
        self._commit(f"deleted {student.name} permanently", ops)
        return counts

    def _membership_changes(
        self, current: Group, student_ids: list[str], day: date
    ) -> list[Membership]:
        """``current``'s memberships after making ``student_ids`` the members from ``day`` on:
        leavers' open memberships end on ``day``, newcomers join on ``day``."""
        wanted = list(dict.fromkeys(student_ids))
        for sid in wanted:
            self._student(sid)
        memberships = list(current.memberships)
        for i, m in enumerate(memberships):
            if m.end is None and m.student_id not in wanted:
                if day < m.start:
                    name = self._student_name(m.student_id)
                    raise ValidationError(
                        f"left {day} is before {name} joined {current.name} on {m.start}",
                        field="on",
                        value=day,
                    )
                memberships[i] = m.with_(end=day)
        open_ids = {m.student_id for m in memberships if m.end is None}
        for sid in wanted:
            if sid in open_ids:
                continue
            if any(m.student_id == sid and m.end is not None and m.end > day for m in memberships):
                raise ValidationError(
                    f"{self._student_name(sid)} was in {current.name} after {day}; "
                    "choose a later date",
                    field="on",
                    value=day,
                )
            memberships.append(Membership(sid, day))
        return memberships

    @_locked
    def save_group(
        self, group_id: str, student_ids: list[str], on: date, **changes: object
    ) -> Group:
        """Change a group's fields and make ``student_ids`` its members from ``on`` (leavers'
        memberships end that day, newcomers join that day): validated whole, one write, one
        undo step."""
        current = self._group(group_id)
        day = parse_date(on, "changes take effect")
        _reject_unknown(
            changes,
            (
                "name",
                "program",
                "skill_focus",
                "tier",
                "location",
                "start_time",
                "duration_minutes",
                "rrule",
                "start_date",
                "end_date",
                "measures",
                "probe_every_weeks",
                "fidelity_items",
            ),
            "group",
        )
        memberships = self._membership_changes(current, list(student_ids), day)
        updated = self._validated_group(current.with_(**changes, memberships=memberships))
        self._commit(
            f"change to group {current.name}",
            [(CORE_FILE, "groups", current.id, updated.to_doc())],
        )
        return updated

    @_locked
    def move_member(
        self, student_id: str, from_group: str, to_group: str, on: date
    ) -> tuple[Group, Group]:
        """Move a student between groups on a date (leaves one, joins the other that day, so
        dosage and history stay right). One undo step."""
        source = self._group(from_group)
        target = self._group(to_group)
        student = self._student(student_id)
        day = parse_date(on, "moved on")
        if source.id == target.id:
            raise ValidationError(
                f"{student.name} is already in {source.name}", field="to_group", value=to_group
            )
        if student.id not in source.member_ids:
            raise ValidationError(
                f"{student.name} is not in {source.name}", field="from_group", value=from_group
            )
        left = source.with_(
            memberships=self._membership_changes(
                source, [s for s in source.member_ids if s != student.id], day
            )
        )
        joined = target.with_(
            memberships=self._membership_changes(target, [*target.member_ids, student.id], day)
        )
        left = self._validated_group(left)
        joined = self._validated_group(joined)
        self._commit(
            f"moved {student.name} from {source.name} to {target.name} on {day}",
            [
                (CORE_FILE, "groups", left.id, left.to_doc()),
                (CORE_FILE, "groups", joined.id, joined.to_doc()),
            ],
        )
        return left, joined

    @_locked
    def archive_and_unenroll(self, student_id: str, on: date) -> tuple[Student, list[Group]]:
        """Archive a student (records kept, hidden from Today and the caseload) and end their
        open group memberships on ``on``, so planned dosage stops there. One undo step;
        ``restore_student`` brings the student back (without rejoining the groups)."""
        student = self._student(student_id)
        day = parse_date(on, "archived on")
        groups: list[Group] = []
        for doc in self._docs(CORE_FILE, "groups"):
            group = Group.from_doc(doc)
            if student.id not in group.member_ids:
                continue
            memberships = [
                m.with_(end=max(m.start, day))
                if m.student_id == student.id and m.end is None
                else m
                for m in group.memberships
            ]
            groups.append(self._validated_group(group.with_(memberships=memberships)))
        archived = student.with_(active=False)
        ops: list[_Op] = [(CORE_FILE, "groups", g.id, g.to_doc()) for g in groups]
        ops.append((CORE_FILE, "students", student.id, archived.to_doc()))
        self._commit(f"archived {student.name}", ops)
        return archived, groups


def _same_content(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b) or a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _snapshot(src: Path, dest: Path) -> None:
    """Hard-link ``src`` to ``dest`` (a true snapshot: data files are replaced, never edited);
    copy when the file system cannot link."""
    try:
        os.link(src, dest)
    except OSError:
        _copy(src, dest)


def _copy(src: Path, dest: Path) -> None:
    shutil.copy2(src, dest)
    os.chmod(dest, FILE_MODE)
