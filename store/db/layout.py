"""The data folder's layout and format version (read at call time: tests patch them)."""

from __future__ import annotations

SCHEMA_VERSION = 3
CORE_FILE = "core.json"
EXPORT_LOG = "exports.log"  # JSON lines, appended without the writer lock (issue 15 item 9)
CORE_TABLES: tuple[str, ...] = (
    "meta",
    "students",
    "groups",
    "measures",
    "goals",
    "phase_changes",
    "calendar",
    "exports",
    "team_decisions",
)
SCORES_DIR = "scores"
SESSIONS_DIR = "sessions"
BACKUPS_KEPT = 14
PARTITION_CACHE = 256  # partitions kept parsed in memory (every write is already on disk)
