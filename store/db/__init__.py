"""The Store: a typed API over TinyDB tables, with validation, durability and undo.

Layout of a data folder (0700, files 0600):
    core.json                         TinyDB: meta, students, groups, measures, goals,
                                      phase_changes, calendar, exports
    scores/<school year>/<student>.json   TinyDB: one partition per student per school year
    sessions/<school year>/<group>.json   TinyDB: one partition per group per school year
    .lock                             the writer's pid (flocked, with the folder itself)
    backups/YYYY-MM-DD/...            daily backups (independent copies + manifest.json
                                      of SHA-256s; last 14 kept)

Partitions keep every save small: the cost of a save and of opening does not grow with
history (issue #2 §4). Opening reads core.json only; partitions are read when first needed
and kept in a small cache. Every public method validates its input completely before the
first byte is written, so a rejected call leaves every file byte-identical.

One module per record family, each a mixin over :class:`~store.db.core.CoreStore`
(open, lock, partitions, batches, undo); :class:`Store` combines them. The folder's layout
and format version are in :mod:`store.db.layout`.
"""

from __future__ import annotations

from store.db.backups import BackupsMixin
from store.db.core import CoreStore, Migration, UnknownIdError
from store.db.goals import GoalsMixin
from store.db.groups import GroupsMixin
from store.db.layout import (
    BACKUPS_KEPT,
    CORE_FILE,
    CORE_TABLES,
    PARTITION_CACHE,
    SCHEMA_VERSION,
    SCORES_DIR,
    SESSIONS_DIR,
)
from store.db.measures import MeasuresMixin
from store.db.migrations import MIGRATIONS, MigrationsMixin
from store.db.replica import ReplicaMixin
from store.db.scores import DuplicateScoreError, ScoresMixin
from store.db.sessions import SessionsMixin
from store.db.students import StudentsMixin
from store.db.team_decisions import TeamDecisionsMixin

__all__ = [
    "BACKUPS_KEPT",
    "CORE_FILE",
    "CORE_TABLES",
    "MIGRATIONS",
    "PARTITION_CACHE",
    "SCHEMA_VERSION",
    "SCORES_DIR",
    "SESSIONS_DIR",
    "DuplicateScoreError",
    "Migration",
    "Store",
    "UnknownIdError",
]


class Store(
    StudentsMixin,
    GroupsMixin,
    MeasuresMixin,
    GoalsMixin,
    TeamDecisionsMixin,
    ScoresMixin,
    SessionsMixin,
    BackupsMixin,
    MigrationsMixin,
    ReplicaMixin,
    CoreStore,
):
    """The interventionist's records in one data folder. Open with :meth:`Store.open`."""
