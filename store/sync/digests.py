"""The shared records as a sync sees them: content digests cached per file (issue 18).

A push sends every record whose digest differs from the one last synced, so every sync —
and the day bar's "changes waiting" — needs the digest of every record (81k at 300
students). Hashing them all each time cost seconds of CPU while the user saved. Here the
digests of each file (``core.json``, ``scores/<year>/<student>.json``,
``sessions/<year>/<group>.json``) are kept with that file's identity (inode, mtime, ctime
and size of the file and of its write journal ``X.json.wal``): a file whose identity has
not changed is not read again, one that changed is read and hashed again. A changed file
always changes its identity: our writes replace the file (a new inode) or append to its
journal (a new size), and an edit by another program that keeps the size and sets the mtime
back still moves the ctime (which no program can set). As in git's index ("racily clean"
entries), an identity is trusted only when the file's times are older than the read by
RACY_NS: a change made within the same clock tick as the read would not move them.

The cache is written to ``sync-digests.json`` (0600, atomic) beside the sync state, so
the first sync of a new process reads only the files changed since the last one. It holds
derived data only: a missing, damaged or foreign cache is ignored and rebuilt.

Files are read from disk by a storage of their own (:meth:`ReplicaMixin.replica_read`),
never under the Store's mutex: a save made while a sync reads or hashes does not wait.
Outside a batch the Store's files are what it holds in memory; inside one (an import in
progress) they are the state before it, which the next sync sees changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store import wal
from store.storage import atomic_write_bytes
from store.sync import mapping
from store.sync.state import DIGESTS_FILE

if TYPE_CHECKING:
    from store.db import Store

CACHE_FILE = DIGESTS_FILE
#: What the digests are (mapping.content_hash): a cache of another kind is not used
KIND = "sha256/sorted-json/32"
FORMAT = 1
#: A file changed less than this before it was read is read again next time (file times
#: move in clock ticks: 1-10 ms on Linux, 2 s on FAT)
RACY_NS = 2_000_000_000
#: Each file's records: couch _id -> (table, digest)
Digests = dict[str, tuple[str, str]]


def file_key(path: Path) -> list[int] | None:
    """The identity of a data file's current version: inode, mtime, ctime and size of the
    file and of its write journal (``X.json.wal``, when there is one); None: no file.

    :func:`store.storage.file_identity` with the ctimes added: it guards a save against a
    change made since the file was read a moment ago; a cache kept for days must also see an
    edit by another program that kept the size and set the mtime back."""
    key: list[int] = []
    for each in (path, wal.path_of(path)):
        try:
            st = os.stat(each)
        except FileNotFoundError:
            if not key:
                return None
            break
        key += [st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size]
    return key


@dataclass
class FileDigests:
    """One file's identity when it was read, and the digests of its shared records."""

    key: list[int] | None  # None: the file changed while it was read (never trusted)
    digests: Digests
    read_at: int = 0  # time.time_ns() when it was read

    def trusted(self, key: list[int] | None) -> bool:
        """Whether the file whose identity is ``key`` now is the one read (see RACY_NS)."""
        if key is None or self.key != key:
            return False
        times = [t for i, t in enumerate(key) if i % 4 in (1, 2)]  # mtimes and ctimes
        return max(times) + RACY_NS <= self.read_at


@dataclass
class Cache:
    """rel path -> the digests of that file (see the module docstring)."""

    files: dict[str, FileDigests] = field(default_factory=dict)
    changed: bool = False  # differs from what is on disk

    def to_json(self) -> dict[str, Any]:
        files = {
            rel: {
                "key": f.key,
                "at": f.read_at,
                "docs": {cid: [t, d] for cid, (t, d) in f.digests.items()},
            }
            for rel, f in self.files.items()
            if f.key is not None
        }
        return {"format": FORMAT, "kind": KIND, "files": files}

    @classmethod
    def from_json(cls, data: Any) -> Cache:
        """The cache read back; anything unexpected makes an empty cache."""
        cache = cls()
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("kind") != KIND:
            return cls(changed=True)
        files = data.get("files")
        if not isinstance(files, dict):
            return cls(changed=True)
        for rel, entry in files.items():
            try:
                key = [int(x) for x in entry["key"]]
                docs = {str(c): (str(t), str(d)) for c, (t, d) in entry["docs"].items()}
                read_at = int(entry["at"])
            except (KeyError, TypeError, ValueError, AttributeError):
                cache.changed = True
                continue
            cache.files[rel] = FileDigests(key, docs, read_at)
        return cache


#: data folder -> (the cache file's key when last read or written here, the cache): the
#: app's syncs reuse the cache they left in memory while the file is the one they wrote
_MEMORY: dict[Path, tuple[list[int] | None, Cache]] = {}
_MEMORY_LOCK = threading.Lock()


def load_cache(data_dir: Path) -> Cache:
    """The folder's digest cache (empty when there is none or it cannot be read)."""
    path = Path(data_dir) / CACHE_FILE
    key = file_key(path)
    with _MEMORY_LOCK:
        known = _MEMORY.get(Path(data_dir))
    if known is not None and key is not None and known[0] == key:
        return Cache(dict(known[1].files))  # a copy: a sync running meanwhile keeps its own
    try:
        cache = Cache.from_json(json.loads(path.read_bytes()))
    except FileNotFoundError:
        cache = Cache(changed=True)
    except (OSError, ValueError, UnicodeDecodeError):
        cache = Cache(changed=True)  # damaged: rebuilt from the files
    return cache


def save_cache(data_dir: Path, cache: Cache) -> None:
    """Write the cache when it changed (0600, atomically); a failure to write it costs only
    the hashing it would have saved."""
    path = Path(data_dir) / CACHE_FILE
    if cache.changed:
        data = json.dumps(cache.to_json(), separators=(",", ":"), ensure_ascii=False)
        try:
            atomic_write_bytes(path, data.encode("utf-8"))
        except OSError:
            return
        cache.changed = False
    with _MEMORY_LOCK:
        _MEMORY[Path(data_dir)] = (file_key(path), Cache(dict(cache.files)))


def forget(data_dir: Path) -> None:
    """Remove the cache (``intervene sync leave``)."""
    with _MEMORY_LOCK:
        _MEMORY.pop(Path(data_dir), None)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(Path(data_dir) / CACHE_FILE)


@dataclass
class Local:
    """One shared record here."""

    table: str
    digest: str
    rel: str  # the file it is in


class LocalView:
    """Every shared record of a data folder, by couch ``_id``, with its digest; the
    documents of the files read in this sync (the others are read when one is needed)."""

    def __init__(self, store: Store, cache: Cache | None = None, *, look: bool = True) -> None:
        """``look=False``: the caller looks with :meth:`scan` (records empty until then)."""
        self.store = store
        self.cache = cache if cache is not None else load_cache(store.data_dir)
        self.records: dict[str, Local] = {}
        self.docs: dict[str, dict[str, Any]] = {}  # couch _id -> document (files read here)
        self.hashed = 0  # records hashed (tests count them)
        self._again: dict[str, FileDigests] = {}  # files read again during a scan
        if look:
            self.refresh()

    def get(self, cid: str) -> Local | None:
        return self.records.get(cid)

    def refresh(self) -> None:
        """Look at every file again: a file whose identity is the cached one keeps its
        digests; the others are read and hashed."""
        for _ in self.scan():
            pass

    def scan(self) -> Iterator[tuple[str, FileDigests]]:
        """:meth:`refresh`, file by file: yields each file's path and digests as it is
        looked at; ``records`` holds every file's once the scan is over."""
        files = self.store.replica_files()
        seen = {rel for rel, _tables in files}
        for rel in [r for r in self.cache.files if r not in seen]:
            del self.cache.files[rel]
            self.cache.changed = True
        records: dict[str, Local] = {}
        for rel, tables in files:
            cached = self.cache.files.get(rel)
            key = file_key(self.store.data_dir / rel)
            if cached is None or not cached.trusted(key):
                cached = self._read_file(rel, tables)
            self._again.pop(rel, None)
            yield rel, cached
            cached = self._again.pop(rel, cached)  # the caller may have had it read again
            for cid, (table, digest) in cached.digests.items():
                records[cid] = Local(table, digest, rel)
        self.records = records

    def read(self, rel: str) -> FileDigests:
        """Read one file now (its documents are wanted) and hash it again."""
        tables = dict(self.store.replica_files()).get(rel, ())
        entry = self._again[rel] = self._read_file(rel, tables)
        return entry

    def _read_file(self, rel: str, tables: tuple[str, ...]) -> FileDigests:
        """Read one file from disk and hash its shared records; cached unless the file
        changed while it was read."""
        path = self.store.data_dir / rel
        read_at = time.time_ns()
        before = file_key(path)
        data = self.store.replica_read(rel) or {}
        after = file_key(path)
        digests: Digests = {}
        for table in tables:
            for doc in (data.get(table) or {}).values():
                cid = mapping.doc_id(table, doc)
                digests[cid] = (table, mapping.content_hash(doc))
                self.docs[cid] = doc
                self.hashed += 1
        entry = FileDigests(before if before == after else None, digests, read_at)
        if after is None:
            self.cache.files.pop(rel, None)
        else:
            self.cache.files[rel] = entry
        self.cache.changed = True
        return entry
