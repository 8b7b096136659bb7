"""What a data folder knows of its team database (issue 18), kept in the private folder.

``sync.json`` (0600, written atomically like every data file): the database URL (without
credentials), the user name and role, the ``_changes`` sequence pulled so far, the open
conflicts — small, read at start-up. ``sync-docs.json``: the revision and content digest of
every document last synced and the batch being pushed or pulled (so a sync killed mid-way
resumes without losing or duplicating anything).
``sync-secret.json`` (0600) holds the password and nothing else; it is never logged, printed,
exported or backed up.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import StoreError
from store.storage import FILE_MODE, append_line, atomic_write_bytes

STATE_FILE = "sync.json"
SECRET_FILE = "sync-secret.json"
#: The records' digests per file (store/sync/digests.py): derived, rebuilt when missing
DIGESTS_FILE = "sync-digests.json"
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

    #: False when read by :func:`load_meta` (then saving writes the small file only)
    docs_loaded: bool = True
    #: the ledger's generation: journal lines of another generation are stale
    gen: int = 0
    #: ids whose ``docs`` entry changed since the last write (for :func:`checkpoint`)
    dirty: set[str] = field(default_factory=set)

    def mark(self, doc_id: str, entry: list[str]) -> None:
        """Record a document's synced revision and digest."""
        self.docs[doc_id] = entry
        self.dirty.add(doc_id)

    def to_json(self) -> dict[str, Any]:
        """The small file's part (what the app and the store read at start)."""
        skip = (*LEDGER_FIELDS, "docs_loaded", "gen", "dirty")
        return {"format": FORMAT, **{k: v for k, v in self.__dict__.items() if k not in skip}}

    def ledger_json(self) -> dict[str, Any]:
        """The per-document part (large: one entry per record)."""
        return {"format": FORMAT, "gen": self.gen, **{k: getattr(self, k) for k in LEDGER_FIELDS}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SyncState:
        skip = ("docs_loaded", "dirty")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k not in skip}
        return cls(**known)


#: Kept in sync-docs.json: written before sync.json, so a kill between the two only
#: repeats work (a batch pulled again is applied again, idempotently)
LEDGER_FIELDS = ("docs", "pending_push", "pending_pull")
LEDGER_FILE = "sync-docs.json"
#: The ledger's layout since format 2: a header line (format, gen, the pending batches),
#: then the documents' entries LEDGER_CHUNK to a line. Each line is encoded and decoded on
#: its own: as one JSON value (format 1, still read) its 81k entries (8.8 MB at 300
#: students) took ~60 ms to decode and as long to encode in one call each, the interpreter
#: held all along, and a save made meanwhile on the app's thread waited for it.
LEDGER_FORMAT = 2
LEDGER_CHUNK = 512
#: The journal is folded into a new ledger at the end of a sync once it is this fraction
#: of the ledger's size (before, a sync's end appends one line: a sync after a few saves
#: writes those entries, not all 81k again)
FOLD_AT = 0.25
#: Checkpoints between two full writes: one JSON line per batch (what changed), replayed
#: over the ledger of the same generation; so a checkpoint costs its batch, not the ledger
JOURNAL_FILE = "sync-docs.log"


def state_path(data_dir: Path) -> Path:
    return Path(data_dir) / STATE_FILE


def is_configured(data_dir: Path) -> bool:
    """Whether this data folder syncs (cheap: one stat; nothing is imported)."""
    return state_path(data_dir).is_file()


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes; None when there is none (StoreError when it cannot be read)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None


def _damaged(path: Path) -> StoreError:
    return StoreError(
        f"{path} is damaged; run `intervene sync leave`, then `intervene sync setup` again"
    )


def _read_json(path: Path) -> dict[str, Any] | None:
    raw = _read_bytes(path)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError
        return data
    except (ValueError, TypeError):
        raise _damaged(path) from None


def load_meta(data_dir: Path) -> SyncState | None:
    """The small part only (URL, user, role, last sync, conflicts): cheap at start-up."""
    data = _read_json(state_path(data_dir))
    if data is None:
        return None
    st = SyncState.from_json(data)
    st.docs_loaded = False
    return st


def load(data_dir: Path, pause: Callable[[], None] | None = None) -> SyncState | None:
    """The folder's whole sync state (None: sync is not set up here). ``pause``: called
    between the ledger's lines (the Store's ``wait_for_saves``: a save under way first)."""
    data = _read_json(state_path(data_dir))
    if data is None:
        return None
    enabled = gc.isenabled()
    gc.disable()  # 81k entries and no reference cycles: no full collection set off by them
    try:
        ledger = _read_ledger(Path(data_dir) / LEDGER_FILE, pause) or {}
    finally:
        if enabled:
            gc.enable()
    st = SyncState.from_json({**ledger, **data})
    _replay(Path(data_dir) / JOURNAL_FILE, st, pause)
    return st


def _read_ledger(path: Path, pause: Callable[[], None] | None) -> dict[str, Any] | None:
    """The ledger as one dict (format 1: one JSON value; 2: a header, then the entries a
    chunk to a line); StoreError when it is damaged, as :func:`_read_json`."""
    raw = _read_bytes(path)
    if raw is None:
        return None
    lines = raw.split(b"\n")
    try:
        data = json.loads(lines[0])
        if not isinstance(data, dict):
            raise ValueError
        if data.get("format") == FORMAT:  # written before format 2: the whole ledger
            return data
        if data.get("format") != LEDGER_FORMAT:
            raise ValueError
        docs: dict[str, Any] = {}
        for n, line in enumerate(lines[1:]):
            if pause is not None:
                pause()
            if line:
                docs.update(json.loads(line)["docs"])
            elif n != len(lines) - 2:  # only the file's last line ends empty
                raise ValueError
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise _damaged(path) from None
    data["docs"] = docs
    return data


def _ledger_bytes(state: SyncState, pause: Callable[[], None] | None) -> bytes:
    head: dict[str, Any] = {"format": LEDGER_FORMAT, "gen": state.gen}
    head.update(pending_push=state.pending_push, pending_pull=state.pending_pull)
    out = [_dump(head)]
    entries = iter(state.docs.items())
    while chunk := dict(itertools.islice(entries, LEDGER_CHUNK)):
        if pause is not None:
            pause()
        out.append(_dump({"docs": chunk}))
    return b"\n".join(out) + b"\n"


def _replay(path: Path, st: SyncState, pause: Callable[[], None] | None = None) -> None:
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    for line in lines:
        if pause is not None:
            pause()
        try:
            entry = json.loads(line)
        except ValueError:  # the last line of a kill mid-append
            break
        if not isinstance(entry, dict) or entry.get("gen") != st.gen:
            continue
        st.docs.update(entry.get("docs", {}))
        st.pending_push = entry.get("pending_push", {})
        st.pending_pull = entry.get("pending_pull")
        if "since" in entry:
            st.since = entry["since"]


def _dump(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def save(
    data_dir: Path,
    state: SyncState,
    pause: Callable[[], None] | None = None,
    *,
    whole: bool = False,
) -> None:
    """Write the state atomically (0600): the per-document ledger first, then the small
    file; a kill leaves each old or new. ``whole``: the ledger even if nothing changed."""
    folder = Path(data_dir)
    stale = state.dirty or (folder / JOURNAL_FILE).exists() or not (folder / LEDGER_FILE).exists()
    stale = stale or whole
    if state.docs_loaded and stale:  # a sync that changed nothing rewrites only the small file
        state.gen += 1
        atomic_write_bytes(Path(data_dir) / LEDGER_FILE, _ledger_bytes(state, pause))
        state.dirty.clear()
        with contextlib.suppress(FileNotFoundError):  # its lines are of the last generation
            os.unlink(Path(data_dir) / JOURNAL_FILE)
    atomic_write_bytes(state_path(data_dir), _dump(state.to_json()))


def checkpoint(data_dir: Path, state: SyncState, *, small: bool = True) -> None:
    """Make what changed since the last write durable: one journal line (the changed
    entries, the pending batches, the sequence), then the small file (``small=False``: a
    push's batch, which changes nothing the small file holds — the line has the rest)."""
    if not state.docs_loaded:
        raise StoreError("internal: a checkpoint needs the whole sync state")
    line = {
        "gen": state.gen,
        "docs": {k: state.docs[k] for k in state.dirty if k in state.docs},
        "pending_push": state.pending_push,
        "pending_pull": state.pending_pull,
        "since": state.since,
    }
    append_line(Path(data_dir) / JOURNAL_FILE, _dump(line))
    state.dirty.clear()
    if small:
        atomic_write_bytes(state_path(data_dir), _dump(state.to_json()))


def finish(data_dir: Path, state: SyncState, pause: Callable[[], None] | None = None) -> None:
    """The end of a sync: the small file, after one journal line with what changed since
    the last checkpoint (and the sequence, the pending batches: a load replays the
    journal over the small file), while the journal is small next to the ledger;
    else :func:`save` (a new ledger with the journal folded in, also to upgrade a ledger of
    format 1). As durable as a save: what a kill leaves is replayed the same."""
    folder = Path(data_dir)
    if state.docs_loaded:
        try:
            with open(folder / LEDGER_FILE, "rb") as f:
                head = f.read(16)
            ledger = os.stat(folder / LEDGER_FILE).st_size
        except FileNotFoundError:
            head, ledger = b"", -1
        try:
            journal: int | None = os.stat(folder / JOURNAL_FILE).st_size
        except FileNotFoundError:
            journal = None
        current = head.startswith(b'{"format":%d,' % LEDGER_FORMAT)
        if current and (journal or 0) < ledger * FOLD_AT:
            if state.dirty or journal is not None:  # the journal's line wins at a load
                checkpoint(data_dir, state)  # the line, then the small file
            else:
                atomic_write_bytes(state_path(data_dir), _dump(state.to_json()))
            return
        save(data_dir, state, pause, whole=not current)
        return
    save(data_dir, state, pause)


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
    for name in (JOURNAL_FILE, LEDGER_FILE, STATE_FILE, SECRET_FILE, DIGESTS_FILE):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(Path(data_dir) / name)
