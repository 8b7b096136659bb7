"""What a data folder knows of its team database (issue 18), kept in the private folder.

``sync.json`` (0600, written atomically like every data file): the database URL (without
credentials), the user name and role, the ``_changes`` sequence pulled so far, the revision
and content digest of every document last synced, the batch being pushed or pulled (so a
sync killed mid-way resumes without losing or duplicating anything), and the open conflicts.
``sync-secret.json`` (0600) holds the password and nothing else; it is never logged, printed,
exported or backed up.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import StoreError
from store.storage import FILE_MODE, atomic_write_bytes

STATE_FILE = "sync.json"
SECRET_FILE = "sync-secret.json"
FORMAT = 1


@dataclass
class SyncState:
    """The sync bookkeeping of one data folder (see the module docstring)."""

    url: str
    user: str
    role: str = "writer"  # "writer" or "viewer" (what the server's roles allow)
    since: Any = 0
    #: couch _id -> [revision, content digest ("" once deleted)]
    docs: dict[str, list[str]] = field(default_factory=dict)
    #: a push batch sent but not yet confirmed: couch _id -> [revision, digest]
    pending_push: dict[str, list[str]] = field(default_factory=dict)
    #: a pull batch received but not yet applied: {"since": seq, "items": [...]}
    pending_pull: dict[str, Any] | None = None
    #: couch _id -> the losing revisions CouchDB keeps
    conflicts: dict[str, list[str]] = field(default_factory=dict)
    #: couch _id -> why the Store refused the received record
    rejected: dict[str, str] = field(default_factory=dict)
    last_sync: str | None = None
    last_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **self.__dict__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SyncState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def state_path(data_dir: Path) -> Path:
    return Path(data_dir) / STATE_FILE


def is_configured(data_dir: Path) -> bool:
    """Whether this data folder syncs (cheap: one stat; nothing is imported)."""
    return state_path(data_dir).is_file()


def load(data_dir: Path) -> SyncState | None:
    """The folder's sync state (None: sync is not set up here)."""
    path = state_path(data_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError
        return SyncState.from_json(data)
    except (ValueError, TypeError):
        raise StoreError(
            f"{path} is damaged; run `intervene sync setup` again to reconnect"
        ) from None


def save(data_dir: Path, state: SyncState) -> None:
    """Write the state atomically (0600): a kill leaves the old or the new one."""
    text = json.dumps(state.to_json(), separators=(",", ":"), ensure_ascii=False)
    atomic_write_bytes(state_path(data_dir), text.encode("utf-8"))


def save_password(data_dir: Path, password: str) -> None:
    atomic_write_bytes(Path(data_dir) / SECRET_FILE, json.dumps({"password": password}).encode())
    os.chmod(Path(data_dir) / SECRET_FILE, FILE_MODE)


def load_password(data_dir: Path) -> str | None:
    """The stored password; ``INTERVENE_SYNC_PASSWORD`` wins when set."""
    env = os.environ.get("INTERVENE_SYNC_PASSWORD")
    if env:
        return env
    try:
        data = json.loads((Path(data_dir) / SECRET_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    value = data.get("password") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def forget(data_dir: Path) -> None:
    """Disconnect the folder: remove the state and the password (the records stay)."""
    for name in (STATE_FILE, SECRET_FILE):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(Path(data_dir) / name)
