"""Versioned upgrades of core.json, run on open before anything else reads the data."""

from __future__ import annotations

import copy
import itertools
import json
import os
from collections.abc import Mapping
from typing import Any

from store import wal
from store.db import layout
from store.db.backups import _snapshot
from store.db.core import CoreStore, Migration
from store.db.layout import CORE_FILE, CORE_TABLES, SCORES_DIR, SESSIONS_DIR
from store.errors import StoreError
from store.model import BUILTIN_MEASURES, default_calendar
from store.paths import backups_dir
from store.storage import AtomicJSONStorage, atomic_write_bytes, dumps, make_private_dir


def _migrate_v0(core: dict[str, Any], store: CoreStore) -> dict[str, Any]:
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


def _migrate_v1(core: dict[str, Any], store: CoreStore) -> dict[str, Any]:
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


def _migrate_v2(core: dict[str, Any], store: CoreStore) -> dict[str, Any]:
    """v2 → v3: score and session ids unique across the whole folder (older versions drew 32
    random bits and checked one file only, so ids collided at school scale).

    Walks every partition: the first record with an id keeps it, a later one gets a new id
    (derived from its file and old id, so a rerun after a crash picks the same one), and a
    score's ``session_id`` follows its session when the student attended it. Every record is
    kept; each partition rewritten is copied to ``backups/before-v3-upgrade/`` first. A
    partition that cannot be parsed is left as it is (it is reported when it is read).
    Scores are rewritten before sessions, so a rerun finds the sessions still to rename."""
    seen: set[str] = set()
    changed: dict[str, dict[str, Any]] = {}
    # (old id, date) → [(new id, attended student ids)]; a record's date may be missing
    moved: dict[tuple[str, str | None], list[tuple[str, set[str]]]] = {}
    for kind, table in ((SESSIONS_DIR, "sessions"), (SCORES_DIR, "scores")):
        for rel in store._all_partitions(kind):
            try:
                data = json.loads((store.data_dir / rel).read_bytes())
                docs = data[table]
                items = list(docs.values())
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue
            dirty = False
            for doc in items:
                if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                    continue
                old = doc["id"]
                if table == "scores" and doc.get("session_id") is not None:
                    for new_sid, students in moved.get((doc["session_id"], doc.get("date")), []):
                        if doc.get("student_id") in students:
                            doc["session_id"], dirty = new_sid, True
                if old in seen:
                    doc["id"], dirty = _renamed_id(rel, old, seen), True
                    if table == "sessions":
                        attended = {a.get("student_id") for a in doc.get("attendance") or []}
                        moved.setdefault((old, doc.get("date")), []).append((doc["id"], attended))
                seen.add(doc["id"])
            if dirty:
                changed[rel] = data
    keep = backups_dir(store.data_dir) / "before-v3-upgrade"
    for rel in sorted(changed, key=lambda r: not r.startswith(SCORES_DIR)):
        copy_to = keep / rel
        if not copy_to.exists():
            make_private_dir(copy_to.parent, stop_at=store.data_dir)
            _snapshot(store.data_dir / rel, copy_to)
        atomic_write_bytes(store.data_dir / rel, dumps(changed[rel]))
    return core


def _renamed_id(rel: str, old: str, taken: set[str]) -> str:
    """A new 64-bit id for a duplicate ``old`` in partition ``rel``, the same on every run."""
    import hashlib  # here, not at start-up

    prefix = old.split("-", 1)[0] if "-" in old else "id"
    for n in itertools.count():
        digest = hashlib.sha256(f"{rel}\0{old}\0{n}".encode()).hexdigest()[:16]
        new = f"{prefix}-{digest}"
        if new not in taken:
            return new
    raise AssertionError("unreachable")


#: {from_version: function(core tables dict, store) -> core tables dict}; each step moves the
#: data one version up. Runs on open, before anything else reads the data; a step may also
#: rewrite partitions (durably, before core.json records the new version).
MIGRATIONS: dict[int, Migration] = {0: _migrate_v0, 1: _migrate_v1, 2: _migrate_v2}


class MigrationsMixin(CoreStore):
    """Creates core.json in a fresh folder and upgrades an older one (keeping a copy)."""

    def _load_core(self, migrations: Mapping[int, Migration] | None) -> None:
        if migrations is None:
            migrations = MIGRATIONS
        storage = self._storage(CORE_FILE)
        data = storage.read()
        if data is None:
            if self.readonly:
                raise StoreError(f"there is no intervene data in {self.data_dir}")
            storage.write(self._fresh_core())
            return
        version = self._schema_version(data)
        if version > layout.SCHEMA_VERSION:
            raise StoreError(
                f"The data in {self.data_dir} was saved by a newer version of intervene "
                f"(data format v{version}; this version reads up to v{layout.SCHEMA_VERSION}). "
                "Upgrade intervene to open it; nothing was changed."
            )
        if version < layout.SCHEMA_VERSION:
            if self.readonly:
                raise StoreError(
                    f"The data in {self.data_dir} needs an upgrade from format v{version}; "
                    "open it once for writing first."
                )
            self._fold_journals()
            self._keep_pre_migration_copy(version)
            upgraded = copy.deepcopy(data)
            for step in range(version, layout.SCHEMA_VERSION):
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
                "version": layout.SCHEMA_VERSION,
            }
            storage.write(upgraded)

    def _fold_journals(self) -> None:
        """Fold every partition's journal into its file (:mod:`store.wal`), so that a step
        reading the partitions' bytes reads every saved record. A damaged journal raises
        CorruptFileError naming it, before anything is changed."""
        for kind in (SCORES_DIR, SESSIONS_DIR):
            for year in self._partition_years(kind):
                folder = self.data_dir / kind / str(year)
                for name in sorted(os.listdir(folder)):
                    if name.endswith(".json" + wal.SUFFIX) and not name.startswith("."):
                        path = folder / name.removesuffix(wal.SUFFIX)
                        AtomicJSONStorage(path, root=self.data_dir).compact()

    def _fresh_core(self) -> dict[str, Any]:
        core: dict[str, Any] = {name: {} for name in CORE_TABLES}
        core["meta"] = {
            "1": {"id": "schema", "version": layout.SCHEMA_VERSION, "created": self._now()}
        }
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
