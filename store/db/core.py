"""The Store's core: open, lock, files and partitions, one-write changes, batches, undo.

Every public method validates its input completely before the first byte is written, so a
rejected call leaves every file byte-identical; :meth:`CoreStore._commit` applies the
validated changes and keeps their inverse for undo.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import re
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

from tinydb import TinyDB
from tinydb.table import Table

from store.db import journal, layout
from store.db.layout import CORE_FILE
from store.errors import (
    CorruptFileError,
    NotFoundError,
    NothingToUndoError,
    StoreError,
    ValidationError,
    not_writable,
)
from store.model import Group, Measure, Record, Student, parse_date, school_year_of
from store.paths import refuse_shared_parents
from store.records import mutable_record
from store.storage import (
    DIR_MODE,
    TEMP_SUFFIX,
    AtomicJSONStorage,
    WriterLock,
    make_private_dir,
    stored_bytes,
)

_KEY_FIELD = {"measures": "code"}  # every other table is keyed by "id"
#: A temp file of store.storage.atomic_write_bytes (mkstemp: ".<name>.<random><suffix>")
_STALE_TEMP = re.compile(r"^\..+\.json\.[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + "$")

Migration = Callable[[dict[str, Any], "CoreStore"], dict[str, Any]]
S = TypeVar("S", bound="CoreStore")
T = TypeVar("T", Student, Group, Measure)  # the core records that can be switched off
P = ParamSpec("P")
R = TypeVar("R")


class UnknownIdError(ValidationError, NotFoundError):
    """An id that names no record: both a bad input (ValidationError) and a failed lookup
    (NotFoundError), so callers may catch either."""

    def __init__(self, kind: str, value: object) -> None:
        super().__init__(f"no {kind} with id {value!r}", field=f"{kind} id", value=value)


def _new_id(prefix: str, nbytes: int = 4) -> str:
    # = secrets.token_hex(n), without importing secrets (hmac, hashlib: ~2 ms of start-up)
    return f"{prefix}-{os.urandom(nbytes).hex()}"


def _locked(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Run a public method under the Store's RLock (the TUI saves from a worker thread)."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._mutex:
            if self._closed:
                raise StoreError(f"the store at {self.data_dir} is closed")
            return method(self, *args, **kwargs)

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


class _Index:
    """Where each document of one cached table is: field value -> TinyDB doc ids, in the
    table's order (so the first is what a scan from the top finds). Built per field on
    first use and kept up to date by :meth:`CoreStore._put`; it belongs to one table dict
    and is rebuilt when the storage holds another (a file read again, a migration)."""

    __slots__ = ("by", "next_id", "size", "table")

    def __init__(self, table: dict[str, Any], next_id: int = 0) -> None:
        self.table = table
        self.size = len(table)
        self.by: dict[str, dict[str, list[str]]] = {}
        # TinyDB's rule: one more than the largest id, never reusing one given out here
        self.next_id = max(next_id, max((int(k) for k in table), default=0) + 1)

    def field(self, name: str) -> dict[str, list[str]]:
        found = self.by.get(name)
        if found is None:
            found = {}
            for doc_id, doc in self.table.items():
                value = doc.get(name)
                if isinstance(value, str):
                    found.setdefault(value, []).append(doc_id)
            self.by[name] = found
        return found

    def drop(self, doc_id: str, doc: dict[str, Any]) -> None:
        for name, found in self.by.items():
            value = doc.get(name)
            if isinstance(value, str) and doc_id in found.get(value, ()):
                found[value].remove(doc_id)
                if not found[value]:
                    del found[value]

    def add(self, doc_id: str, doc: dict[str, Any], *, at_end: bool) -> None:
        for name, found in self.by.items():
            value = doc.get(name)
            if not isinstance(value, str):
                continue
            ids = found.setdefault(value, [])
            if at_end or not ids:
                ids.append(doc_id)
            else:  # a replaced document keeps its place in the table
                position = {k: i for i, k in enumerate(self.table) if k in ids or k == doc_id}
                ids.append(doc_id)
                ids.sort(key=position.__getitem__)


class CoreStore(ABC):
    """Files, tables, the lock, batches and undo: what every record family is built on.

    The record families are mixins over this class; :class:`store.db.Store` combines them.
    """

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
        self._damaged: dict[str, CorruptFileError] = {}  # rel -> why it cannot be read
        self._indexes: dict[str, dict[str, _Index]] = {}  # rel -> table -> its index
        #: What opening did that the user should hear of (e.g. an interrupted restore finished)
        self.notices: list[str] = []
        #: Make the daily backup (when due) just before the first write; the CLI sets this,
        #: the app makes it at start instead
        self.backup_when_due = False

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def open(
        cls,
        data_dir: Path | str,
        *,
        clock: Callable[[], datetime] = datetime.now,
        readonly: bool = False,
        migrations: Mapping[int, Migration] | None = None,
        lock_wait: float = 0.0,
        holder: str = "window",
    ) -> Self:
        """Open (creating if needed) the data folder. Reads core.json only.

        Raises StoreLockedError when another process (or another Store here) has it open for
        writing (after trying for ``lock_wait`` seconds; ``holder`` is what the lock file
        says holds it: "window" for the app, "command" for a CLI command),
        FolderNotWritableError on a read-only disk or folder, CorruptFileError when core.json cannot be parsed (the file is left as is),
        and StoreError when the data is from a newer version of intervene.
        """
        path = Path(data_dir).expanduser().absolute()
        refuse_shared_parents(path)
        store = cls(path, clock=clock, readonly=readonly)
        if readonly:
            if not (path / CORE_FILE).is_file():
                raise StoreError(f"there is no intervene data in {path}")
            if journal.interrupted(path):
                raise StoreError(
                    f"a restore into {path} was interrupted; open it once for writing "
                    "(without --read-only) to complete it"
                )
        else:
            try:
                make_private_dir(path)
                os.chmod(path, DIR_MODE)
            except OSError as exc:  # a read-only disk, another user's folder
                raise not_writable(exc, path) from None
            assert store._lock is not None
            store._lock.holder = holder
            store._lock.acquire(wait=lock_wait)
        try:
            if not readonly:
                notice = journal.recover(path)
                if notice:
                    store.notices.append(notice)
                store._sweep_temp_files()
            store._load_core(migrations)
        except BaseException:
            store._release()
            raise
        return store

    @abstractmethod
    def _load_core(self, migrations: Mapping[int, Migration] | None) -> None:
        """Read core.json, creating or upgrading it (see :class:`MigrationsMixin`)."""

    @abstractmethod
    def backup_if_due(self) -> Path | None:
        """Make today's backup unless it exists (see :class:`BackupsMixin`)."""

    @abstractmethod
    def _newest_backup_of(self, path: Path) -> Path | None:
        """The newest backup of a data file that differs from it (see :class:`BackupsMixin`)."""

    def _sweep_temp_files(self) -> None:
        """Remove the temp files a crash left mid-save (``.<file>.json.<random>.tmp``)."""
        folders = [self.data_dir]
        for kind in (layout.SCORES_DIR, layout.SESSIONS_DIR):
            folders += [self.data_dir / kind / str(y) for y in self._partition_years(kind)]
        for folder in folders:
            with contextlib.suppress(OSError):
                for name in os.listdir(folder):
                    if _STALE_TEMP.match(name):
                        with contextlib.suppress(OSError):
                            os.unlink(folder / name)

    def _release(self) -> None:
        self._dbs.clear()
        self._indexes.clear()
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_locked
    def damaged_files(self) -> list[CorruptFileError]:
        """The data files found unreadable so far (each error names the file and its backup),
        in the order they were found; a file leaves the list once it reads again."""
        return list(self._damaged.values())

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
        # TinyDB types .storage as its base Storage; every db here is opened with AtomicJSONStorage
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
        # TinyDB types .storage as its base Storage; every db here is opened with AtomicJSONStorage
        db.storage.deferred = self._batch is not None  # type: ignore[attr-defined]
        self._dbs[rel] = db
        if len(self._dbs) > layout.PARTITION_CACHE:
            for old in list(self._dbs):
                if old != CORE_FILE and old != rel and not self._storage_dirty(old):
                    del self._dbs[old]
                    self._indexes.pop(old, None)
                    break
        return db

    def _storage_dirty(self, rel: str) -> bool:
        # TinyDB types .storage as its base Storage; every db here is opened with AtomicJSONStorage
        return self._dbs[rel].storage.dirty  # type: ignore[attr-defined]

    def _table(self, rel: str, name: str) -> Table:
        return self._db(rel).table(name)

    def _data(self, rel: str) -> dict[str, Any] | None:
        """A file's tables (the storage's cache: read only; None: no file yet).

        A file that cannot be parsed raises CorruptFileError and is remembered for
        :meth:`damaged_files` until it reads again."""
        try:
            data = self._storage(rel).read()
        except CorruptFileError as exc:
            self._damaged[rel] = exc
            raise
        self._damaged.pop(rel, None)
        return data

    def _docs(self, rel: str, name: str) -> list[dict[str, Any]]:
        """The documents of a table in insertion order (shared with the cache: read only)."""
        data = self._data(rel)
        if not data:
            return []
        return list(data.get(name, {}).values())

    def _read_once(self, rel: str, name: str) -> list[dict[str, Any]]:
        """:meth:`_docs`, without keeping the file: a partition already cached (it may hold a
        batch's unsaved changes) is read from the cache, any other is parsed by a storage of
        its own that is dropped after. What reads every partition once (a full backup) uses
        it, so its memory is one partition's, whatever the folder holds (issue 16)."""
        if rel in self._dbs:
            return self._docs(rel, name)
        storage = AtomicJSONStorage(
            self.data_dir / rel,
            root=self.data_dir,
            readonly=True,
            describe_backup=self._newest_backup_of,
        )
        try:
            data = storage.read()
        except CorruptFileError as exc:
            self._damaged[rel] = exc
            raise
        self._damaged.pop(rel, None)
        return list(data.get(name, {}).values()) if data else []

    def _stored_documents(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every document of a partition kind (``scores``, ``sessions``: each partition's one
        table is named so) as stored, a partition at a time, none kept cached."""
        with self._mutex:
            rels = self._all_partitions(kind)
        for rel in rels:
            with self._mutex:
                docs = self._read_once(rel, kind)
            yield from docs

    def _index(self, rel: str, name: str) -> _Index | None:
        """The index of a table as the storage holds it now (None: no such table)."""
        data = self._data(rel)
        table = data.get(name) if data else None
        if table is None:
            return None
        tables = self._indexes.setdefault(rel, {})
        index = tables.get(name)
        if index is None or index.table is not table or index.size != len(table):
            index = tables[name] = _Index(table, index.next_id if index else 0)
        return index

    def _find_all(self, rel: str, name: str, field_name: str, value: str) -> list[dict[str, Any]]:
        """The documents whose ``field_name`` is the string ``value``, in table order."""
        index = self._index(rel, name)
        if index is None:
            return []
        if not isinstance(value, str):  # never indexed: documents hold strings
            return [d for d in index.table.values() if d.get(field_name) == value]
        return [index.table[i] for i in index.field(field_name).get(value, ())]

    def _find(self, rel: str, name: str, key: str) -> dict[str, Any] | None:
        """The first document keyed ``key`` (by "id"; measures by "code"), or None."""
        found = self._find_all(rel, name, _KEY_FIELD.get(name, "id"), key)
        return found[0] if found else None

    def _put(self, rel: str, name: str, key: str, new: dict[str, Any] | None) -> _Change:
        """Insert, replace (new doc) or remove (None) one document; one file write."""
        if self.backup_when_due:
            self.backup_when_due = False
            self.backup_if_due()  # of the data as it was before this command's first write
        storage = self._storage(rel)
        key_field = _KEY_FIELD.get(name, "id")
        data = self._data(rel)
        index = self._index(rel, name)
        if index is None:  # no such file or table yet
            if new is None:
                return _Change(rel, name, key, None)
            if data is None:
                data = {}
            earlier = self._indexes.get(rel, {}).get(name)
            table: dict[str, Any] = {}
            data[name] = table
            index = self._indexes.setdefault(rel, {})[name] = _Index(
                table, earlier.next_id if earlier else 0
            )
        assert data is not None
        table = index.table
        ids = index.field(key_field).get(key, []) if isinstance(key, str) else []
        doc_id = ids[0] if ids else None
        old = table[doc_id] if doc_id is not None else None
        if new is None and doc_id is None:
            return _Change(rel, name, key, old)
        # Documents are never edited in place: the storage caches each one's JSON by
        # identity, and the undo stack keeps the old one. This is TinyDB 4's own layout
        # (string doc ids, next id = largest + 1); the write is one storage write.
        if doc_id is not None:
            index.drop(doc_id, table[doc_id])
        if new is None:
            assert doc_id is not None
            del table[doc_id]
        else:
            replacement = copy.deepcopy(new)
            if doc_id is None:
                doc_id = str(index.next_id)
                index.next_id += 1
            at_end = doc_id not in table
            table[doc_id] = replacement
            index.add(doc_id, replacement, at_end=at_end)
        index.size = len(table)
        storage.write(data)
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

    def _save_core(self, description: str, table: str, record: Record) -> None:
        """Commit one core.json record, inserted or replaced (keyed as its table is)."""
        key = getattr(record, _KEY_FIELD.get(table, "id"))
        self._commit(description, [(CORE_FILE, table, key, record.to_doc())])

    @contextlib.contextmanager
    def batch(self, description: str) -> Iterator[Self]:
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
                # TinyDB types .storage as its base Storage; every db here is opened with AtomicJSONStorage
                db.storage.deferred = True  # type: ignore[attr-defined]
            try:
                yield self
            finally:
                entry, self._batch = self._batch, None
                for db in list(self._dbs.values()):
                    # TinyDB types .storage as its base Storage; every db here is opened with AtomicJSONStorage
                    storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
                    storage.deferred = False
                    storage.flush()
                if entry.changes:
                    self._undo.append(entry)

    # ----------------------------------------------------------------- lookups
    def _core_records(self, table: str, cls: type[T], *, include_inactive: bool) -> list[T]:
        """Every record of a core table in stored order; the inactive ones only when asked
        (skipped before parsing: a school's past years' groups are most of the table)."""
        docs = self._docs(CORE_FILE, table)
        if not include_inactive:  # ``active`` is a field defaulting to True (store.model)
            docs = [d for d in docs if d.get("active", True)]
        return [cls.from_doc(d) for d in docs]

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

    def _student_name(self, student_id: str) -> str:
        doc = self._find(CORE_FILE, "students", student_id)
        return Student.from_doc(doc).name if doc else student_id

    def _unused_core_id(self, table: str, prefix: str) -> str:
        return self._unused_id(CORE_FILE, table, prefix)

    def _unused_id(self, rel: str, table: str, prefix: str) -> str:
        """A new random id not used in that file (documents are keyed by id within a file).

        Scores and sessions are spread over many files, so theirs carry 64 random bits:
        unique across the folder at any school's scale without reading every file."""
        nbytes = 4 if rel == CORE_FILE else 8
        while True:
            new = _new_id(prefix, nbytes)
            if self._find(rel, table, new) is None:
                return new

    # ----------------------------------------------------------------- partitions
    def _partition_years(
        self, kind: str, since: date | None = None, until: date | None = None
    ) -> list[int]:
        """The school years that have a ``kind`` folder, within since..until (both optional)."""
        root = self.data_dir / kind
        try:
            names = os.listdir(root)
        except FileNotFoundError:
            return []
        lo = school_year_of(since) if since else None
        hi = school_year_of(until) if until else None
        years = sorted(int(n) for n in names if n.isdigit())
        return [y for y in years if (lo is None or y >= lo) and (hi is None or y <= hi)]

    def _partitions_of(
        self, kind: str, owner: str, since: date | None = None, until: date | None = None
    ) -> list[str]:
        rels = []
        for year in self._partition_years(kind, since, until):
            rel = f"{kind}/{year}/{owner}.json"
            if rel in self._dbs or (self.data_dir / rel).is_file():
                rels.append(rel)
        return rels

    def _all_partitions(
        self, kind: str, since: date | None = None, until: date | None = None
    ) -> list[str]:
        rels = []
        for year in self._partition_years(kind, since, until):
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
                raw = stored_bytes(self.data_dir / rel)  # its journal too
            except FileNotFoundError:
                continue
            if needle in raw:
                doc = self._find(rel, table, record_id)
                if doc is not None:
                    return rel, doc
        raise UnknownIdError(table.rstrip("s"), record_id)

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
