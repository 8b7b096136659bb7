"""Replication support for team sync (issue 18): every shared record, and applying records
that arrive from the team database through the same checks as the Store's own methods.

The sync engine (:mod:`store.sync`) maps each record to one CouchDB document; this mixin only
knows the Store's tables. Records received are validated here, at the store boundary: a
document that does not pass is returned as rejected and nothing of it is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from store.db.core import CoreStore, _locked, _Op
from store.db.layout import CORE_FILE, SCORES_DIR, SESSIONS_DIR
from store.errors import StoreError, ValidationError
from store.model import (
    Goal,
    Group,
    Measure,
    PhaseChange,
    SchoolCalendar,
    Score,
    Session,
    Student,
    parse_date,
    school_year_of,
)
from store.storage import AtomicJSONStorage

#: The core tables a team shares, in the order a new replica needs them (students and
#: measures before the goals and scores that name them). ``meta`` (the folder's own format)
#: and ``exports`` (this machine's privacy log) stay local.
SHARED_CORE: tuple[str, ...] = (
    "calendar",
    "measures",
    "students",
    "groups",
    "goals",
    "phase_changes",
)
SHARED_TABLES: tuple[str, ...] = (*SHARED_CORE, "sessions", "scores")
_KEY = {"measures": "code"}
#: = store.sync.state.STATE_FILE (read here without importing the sync package)
SYNC_STATE_FILE = "sync.json"
#: Marks the undo entry of a received batch, which is dropped: undo is for your own changes
_RECEIVED = "\x00received from the team database"


class Kept:
    """What :meth:`ReplicaMixin.replica_apply` gives for a received record not applied
    because the record here changed since it was last synced."""

    def __repr__(self) -> str:
        return "KEPT"


KEPT = Kept()
#: ``keep(i, here, new)``: whether to keep the record here instead of item ``i``
Keep = Callable[[int, dict[str, Any], dict[str, Any] | None], bool]


class RejectedRecord(ValidationError):
    """A received record that fails the Store's checks (nothing of it was written)."""


class ReplicaMixin(CoreStore):
    """Every shared record, and applying replicated ones."""

    #: How many changes were made through this Store (saves and undos, not received ones):
    #: the app syncs shortly after it moves. A plain counter, so it costs a save nothing.
    changes_made: int = 0

    _viewer_of: str | None = None  # the team database this folder is a viewer's replica of

    def _commit(self, description: str, ops: list[_Op]) -> None:
        if description != _RECEIVED:
            team = self._viewer_replica()
            if team:
                raise StoreError(
                    f"this data folder is a read-only replica of {team} (you are a viewer); "
                    "nothing was saved"
                )
        super()._commit(description, ops)
        if description != _RECEIVED:
            self.changes_made += 1

    def _viewer_replica(self) -> str:
        """The team database's URL when this folder is a viewer's replica, else "" (read
        once per Store from sync.json: setup is another command)."""
        if self._viewer_of is None:
            try:
                state = json.loads((self.data_dir / SYNC_STATE_FILE).read_bytes())
                viewer = isinstance(state, dict) and state.get("role") == "viewer"
                self._viewer_of = str(state.get("url", "the team database")) if viewer else ""
            except (OSError, ValueError):
                self._viewer_of = ""
        return self._viewer_of

    @property
    def view_only(self) -> bool:
        """True when the user cannot save here: the folder is open read-only, or it is a
        team viewer's replica (open for writing so sync can apply what arrives, issue 18)."""
        return self.readonly or bool(self._viewer_replica())

    def wait_for_saves(self) -> None:
        """Return once no other thread is in the Store (a save under way), waiting without
        the interpreter lock. A sync's long loops call it now and then: a save gives up the
        interpreter at each write and fsync, and taking it back from a thread that computes
        costs up to a switch interval (5 ms) each time; the sync waits instead."""
        with self._mutex:
            pass

    def undo_last(self) -> str:
        said = super().undo_last()
        self.changes_made += 1
        return said

    @_locked
    def replica_docs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every shared record as ``(table, stored document)``, core tables first.

        The documents are the store's cached ones: read only."""
        return iter(list(self._replica_docs()))

    def replica_files(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every file holding shared records, with its shared tables, ``core.json`` first.

        Only lists folders: not under the Store's mutex (a sync calls it while the user
        saves)."""
        out: list[tuple[str, tuple[str, ...]]] = [(CORE_FILE, SHARED_CORE)]
        for kind, table in ((SESSIONS_DIR, "sessions"), (SCORES_DIR, "scores")):
            out.extend((rel, (table,)) for rel in self._all_partitions(kind))
        return out

    def replica_read(self, rel: str) -> dict[str, Any] | None:
        """One file's tables as they are on disk now (None: no such file), read by a
        storage of its own: not under the Store's mutex, so a save made meanwhile does not
        wait, and not through the Store's partition cache, so a sync reading every file
        evicts nothing the app uses. Writes replace a file whole or append to its journal,
        which the storage replays, so what is read is one saved version. A damaged file
        raises CorruptFileError (naming its newest good backup), as the Store's reads do."""
        if self._closed:
            raise StoreError(f"the store at {self.data_dir} is closed")
        storage = AtomicJSONStorage(
            self.data_dir / rel, readonly=True, describe_backup=self._newest_backup_of
        )
        return storage.read()

    def _replica_docs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for table in SHARED_CORE:
            for doc in self._docs(CORE_FILE, table):
                yield table, doc
        for kind, table in ((SESSIONS_DIR, "sessions"), (SCORES_DIR, "scores")):
            for rel in self._all_partitions(kind):
                for doc in self._docs(rel, table):
                    yield table, doc

    @_locked
    def replica_apply(
        self,
        items: list[tuple[str, dict[str, Any], bool]],
        keep: Keep | None = None,
    ) -> list[dict[str, Any] | str | None | Kept]:
        """Apply received records: ``(table, document, deleted)`` each; for a deletion the
        document needs only the fields that identify it (id; code; student, measure and
        date of a score; group and date of a session).

        Core tables are applied first, so a score may arrive with its student. Written in
        one batch (each touched file once) that is not on the undo stack. Returns, for each
        item in order, the document as stored now (None: deleted) or, for a record the
        Store's checks refuse, the reason (a str; nothing of it was written).

        ``keep(i, here, new)`` is asked, under the Store's mutex, for each item whose record
        is here (``here``; ``new``: the item as it would be stored, None for a deletion):
        True leaves the record here as it is and gives KEPT for it — a save made since the
        sync last looked is never overwritten (the sync's next push makes it a conflict)."""
        if self.readonly:
            raise StoreError(f"{self.data_dir} is open read-only; nothing was received")
        order = {t: i for i, t in enumerate(SHARED_TABLES)}
        indexed = sorted(enumerate(items), key=lambda it: order.get(it[1][0], len(order)))
        results: list[dict[str, Any] | str | None | Kept] = [None] * len(items)
        with self.batch(_RECEIVED):
            for i, (table, doc, deleted) in indexed:
                try:
                    ops, here = self._replica_op(table, doc, deleted)
                except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as exc:
                    results[i] = str(exc) or type(exc).__name__
                    continue
                new = None if deleted or not ops else ops[-1][3]
                if keep is not None and here is not None and keep(i, here, new):
                    results[i] = KEPT
                    continue
                if ops:
                    self._commit(_RECEIVED, ops)
                results[i] = None if deleted else ops[-1][3]
        if self._undo and self._undo[-1].description == _RECEIVED:
            self._undo.pop()
        return results

    def _replica_op(
        self, table: str, doc: dict[str, Any], deleted: bool
    ) -> tuple[list[_Op], dict[str, Any] | None]:
        """The writes that put one received record in place (validated first), and the
        record here now (None: there is none)."""
        if not isinstance(doc, dict):
            raise RejectedRecord("a received record is not a document", field=table, value=doc)
        if table in SHARED_CORE:
            key_field = _KEY.get(table, "id")
            key = doc[key_field]
            if not isinstance(key, str) or not key:
                raise RejectedRecord(f"a {table} record without {key_field}", field=table)
            now = self._find(CORE_FILE, table, key)
            if deleted:
                return [(CORE_FILE, table, key, None)], now
            return [(CORE_FILE, table, key, self._checked_core(table, doc))], now
        if table == "scores":
            day = parse_date(doc["date"])
            rel = f"{SCORES_DIR}/{school_year_of(day)}/{doc['student_id']}.json"
            self._check_owner_id(doc["student_id"])
            here = self._find_all(rel, "scores", "date", day.isoformat())
            at = next((d for d in here if d["measure"] == doc["measure"]), None)
            if deleted:
                return ([(rel, "scores", at["id"], None)] if at else []), at
            score = Score.from_doc(doc)
            self._student(score.student_id)
            m = self._measure(score.measure)
            if m.check_value(score.value) != score.value:
                raise RejectedRecord(f"score {score.value!r} is not on the measure's scale")
            new = score.to_doc()
            ops: list[_Op] = []
            if at is not None and at["id"] != score.id and self._find(rel, "scores", score.id):
                ops.append((rel, "scores", score.id, None))  # moved here from another day
            ops.append((rel, "scores", at["id"] if at else score.id, new))  # the team's id wins
            return ops, at
        if table == "sessions":
            day = parse_date(doc["date"])
            rel = f"{SESSIONS_DIR}/{school_year_of(day)}/{doc['group_id']}.json"
            self._check_owner_id(doc["group_id"])
            here = self._find_all(rel, "sessions", "date", day.isoformat())
            at = here[0] if here else None
            if deleted:
                return ([(rel, "sessions", at["id"], None)] if at else []), at
            group = self._group(doc["group_id"])
            session = Session.from_doc(doc).validated(group)
            return [(rel, "sessions", at["id"] if at else session.id, session.to_doc())], at
        raise RejectedRecord(f"records of kind {table!r} are not shared", field="kind")

    @staticmethod
    def _check_owner_id(value: object) -> None:
        # the id names a file: no separators, no dots at the start
        if not isinstance(value, str) or not value or "/" in value or value.startswith("."):
            raise RejectedRecord("a received record names no valid owner", value=value)

    def _checked_core(self, table: str, doc: dict[str, Any]) -> dict[str, Any]:
        """The stored form of a received core record, through its record's own checks."""
        if table == "students":
            return Student.from_doc(doc).validated().to_doc()
        if table == "measures":
            return Measure.from_doc(doc).validated().to_doc()
        if table == "groups":
            return Group.from_doc(doc).validated().to_doc()
        if table == "goals":
            goal = Goal.from_doc(doc)
            self._student(goal.student_id)
            return goal.validated(self._measure(goal.measure)).to_doc()
        if table == "phase_changes":
            phase = PhaseChange.from_doc(doc)
            self._student(phase.student_id)
            self._measure(phase.measure)
            return phase.to_doc()
        if table == "calendar":
            cal = SchoolCalendar.from_doc(doc).validated()
            return {"id": "calendar", **cal.to_doc()}
        raise RejectedRecord(f"records of kind {table!r} are not shared", field="kind")
