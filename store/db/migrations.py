"""Versioned upgrades of core.json, run on open before anything else reads the data."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from store.db import layout
from store.db.backups import _snapshot
from store.db.core import CoreStore, Migration
from store.db.layout import CORE_FILE, CORE_TABLES
from store.errors import StoreError
from store.model import BUILTIN_MEASURES, default_calendar
from store.paths import backups_dir
from store.storage import make_private_dir


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


#: {from_version: function(core tables dict, store) -> core tables dict}; each step moves the
#: data one version up. Runs on open, before anything else reads the data.
MIGRATIONS: dict[int, Migration] = {0: _migrate_v0, 1: _migrate_v1}


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
