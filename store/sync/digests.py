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

The cache is written to ``sync-digests.json`` (0600) beside the sync state, so the first
sync of a new process reads only the files changed since the last one: JSON lines, a header
then one line per data file, written whole (atomically) now and then and otherwise appended
to — a sync appends the lines of the files it read again, not the digests of every record
(6.8 MB at 300 students, whose one-call encode and decode held the interpreter for ~50 ms
each, stalling a save made meanwhile). It holds derived data only: a missing, damaged or
foreign cache is ignored and rebuilt; a damaged line costs only its file's hashing.

Files are read from disk by a storage of their own (:meth:`ReplicaMixin.replica_read`),
never under the Store's mutex: a save made while a sync reads or hashes does not wait.
Outside a batch the Store's files are what it holds in memory; inside one (an import in
progress) they are the state before it, which the next sync sees changed.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
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
FORMAT = 2  # 1: one JSON object (read as foreign: rebuilt)
#: A file changed less than this before it was read is read again next time (file times
#: move in clock ticks: 1-10 ms on Linux, 2 s on FAT)
RACY_NS = 2_000_000_000
#: How many cache lines (files) are decoded or encoded between two ``pause()`` calls
PAUSE_LINES = 16
#: and how many records are hashed or compared (each call costs ~0.2 µs)
PAUSE_RECORDS = 256
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
    changed: bool = False  # the file must be written whole (missing, damaged, foreign)
    #: files whose entry changed or went since the cache file was read or written: a save
    #: appends their lines (the rest of the cache is not encoded or written again)
    dirty: set[str] = field(default_factory=set)
    #: the cache file's identity when it was read or written (None: not from the file)
    base: list[int] | None = None
    lines: int = 0  # entry lines in that file (superseded ones too)

    def mark(self, rel: str) -> None:
        self.dirty.add(rel)

    def copy(self) -> Cache:
        return Cache(dict(self.files), self.changed, set(self.dirty), self.base, self.lines)


def _header() -> bytes:
    return _dump({"format": FORMAT, "kind": KIND})


def _dump(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _entry_line(rel: str, entry: FileDigests | None) -> bytes:
    """One file's line: its identity, read time and digests; ``{"rel": rel}`` alone says
    the file has no entry (gone, or changed while it was read)."""
    if entry is None or entry.key is None:
        return _dump({"rel": rel})
    docs = {cid: [t, d] for cid, (t, d) in entry.digests.items()}
    return _dump({"rel": rel, "key": entry.key, "at": entry.read_at, "docs": docs})


def parse(raw: bytes, pause: Callable[[], None] | None = None) -> Cache:
    """The cache read back from its file's bytes: a header line, then one line per file, a
    later line for a file replacing the earlier ones. Each line is decoded on its own (a
    few kilobytes: the worker never holds the interpreter for long, so a save made
    meanwhile does not wait for one large decode). A damaged line (a kill mid-append) is
    skipped: every entry carries the identity of the file it describes, so a lost line
    costs only the hashing of that file again. Anything else unexpected gives an empty
    cache, written whole at the next save. ``pause``: called every few lines (the Store's
    :meth:`~store.db.replica.ReplicaMixin.wait_for_saves`)."""
    lines = raw.split(b"\n")
    if len(lines[0]) > 200:  # not our header (format 1 was the whole cache on one line)
        return Cache(changed=True)
    try:
        head = json.loads(lines[0])
    except (ValueError, UnicodeDecodeError):
        return Cache(changed=True)
    if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("kind") != KIND:
        return Cache(changed=True)
    cache = Cache()
    for n, line in enumerate(lines[1:]):
        if pause is not None and n % PAUSE_LINES == 0:
            pause()
        if not line:
            continue
        cache.lines += 1
        try:
            entry = json.loads(line)
            rel = entry["rel"]
            if not isinstance(rel, str):
                raise TypeError
            if "key" not in entry:
                cache.files.pop(rel, None)
                continue
            key = [int(x) for x in entry["key"]]
            docs = {str(c): (str(t), str(d)) for c, (t, d) in entry["docs"].items()}
            read_at = int(entry["at"])
        except (KeyError, TypeError, ValueError, AttributeError, UnicodeDecodeError):
            continue
        cache.files[rel] = FileDigests(key, docs, read_at)
    return cache


#: data folder -> (the cache file's key when last read or written here, the cache): the
#: app's syncs reuse the cache they left in memory while the file is the one they wrote
_MEMORY: dict[Path, tuple[list[int] | None, Cache]] = {}
_MEMORY_LOCK = threading.Lock()


def load_cache(data_dir: Path, pause: Callable[[], None] | None = None) -> Cache:
    """The folder's digest cache (empty when there is none or it cannot be read)."""
    path = Path(data_dir) / CACHE_FILE
    key = file_key(path)
    with _MEMORY_LOCK:
        known = _MEMORY.get(Path(data_dir))
    if known is not None and key is not None and known[0] == key:
        return known[1].copy()  # a copy: a sync running meanwhile keeps its own
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Cache(changed=True)
    except OSError:
        return Cache(changed=True)  # unreadable: rebuilt from the files
    # The collector off while the cache is parsed (once a process: its 81k digests make
    # no reference cycles). Counted as allocated, they set off a full collection of the
    # app's whole heap in this worker (~17 ms measured with the Today screen loaded), a
    # stop of every thread while the user saves; with it off, the next collection is one
    # pass over the young objects, which stops tracking those tuples of strings.
    enabled = gc.isenabled()
    gc.disable()
    try:
        cache = parse(raw, pause)
    finally:
        if enabled:
            gc.enable()
    cache.base = key  # taken before the read: a file replaced meanwhile is written whole
    return cache


def save_cache(data_dir: Path, cache: Cache, pause: Callable[[], None] | None = None) -> None:
    """Make the cache file hold what ``cache`` holds (0600); a failure to write it costs
    only the hashing it would have saved.

    When the file is the one this cache was read from or last wrote, the lines of the files
    whose entry changed are appended (a sync after a few saves writes a few lines, not the
    digests of every record); otherwise, or once superseded lines outnumber the live ones,
    it is written whole, atomically, a line per file encoded one by one."""
    path = Path(data_dir) / CACHE_FILE
    live = sum(1 for f in cache.files.values() if f.key is not None)
    appendable = (
        not cache.changed
        and cache.base is not None
        and file_key(path) == cache.base
        and cache.lines + len(cache.dirty) <= 2 * max(live, 16)
    )
    try:
        if appendable and cache.dirty:
            lines = [_entry_line(rel, cache.files.get(rel)) for rel in sorted(cache.dirty)]
            _append(path, lines)
            cache.lines += len(lines)
        elif not appendable:
            lines = []
            for n, (rel, f) in enumerate(cache.files.items()):
                if pause is not None and n % PAUSE_LINES == 0:
                    pause()
                if f.key is not None:
                    lines.append(_entry_line(rel, f))
            atomic_write_bytes(path, b"\n".join([_header(), *lines]) + b"\n")
            cache.lines = len(lines)
    except OSError:
        return
    cache.changed = False
    cache.dirty.clear()
    cache.base = file_key(path)
    with _MEMORY_LOCK:
        _MEMORY[Path(data_dir)] = (cache.base, cache.copy())


def _append(path: Path, lines: list[bytes]) -> None:
    """Append whole lines in one write (O_APPEND: another process's lines stay whole)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        data = b"".join(line + b"\n" for line in lines)
        if os.write(fd, data) != len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        os.fdatasync(fd)
    finally:
        os.close(fd)


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
        self.pause = store.wait_for_saves  # a save under way goes first (see there)
        self.cache = cache if cache is not None else load_cache(store.data_dir, self.pause)
        #: couch _id -> the file it is in (its digest: ``files[rel].digests``). Only strings,
        #: so the cyclic garbage collector does not track it: an object per record (81k,
        #: made again at every look) set off full collections of the app's heap in the
        #: worker, each a 15 ms or longer stop of every thread (a save's included)
        self.records: dict[str, str] = {}
        #: rel -> the digests of that file used by the last look
        self.files: dict[str, FileDigests] = {}
        self.docs: dict[str, dict[str, Any]] = {}  # couch _id -> document (files read here)
        self.hashed = 0  # records hashed (tests count them)
        self._again: dict[str, FileDigests] = {}  # files read again during a scan
        if look:
            self.refresh()

    def get(self, cid: str) -> Local | None:
        rel = self.records.get(cid)
        if rel is None:
            return None
        table, digest = self.files[rel].digests[cid]
        return Local(table, digest, rel)

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
            self.cache.mark(rel)
        records: dict[str, str] = {}
        used: dict[str, FileDigests] = {}
        for rel, tables in files:
            self.pause()
            cached = self.cache.files.get(rel)
            key = file_key(self.store.data_dir / rel)
            if cached is None or not cached.trusted(key):
                cached = self._read_file(rel, tables)
            self._again.pop(rel, None)
            yield rel, cached
            cached = self._again.pop(rel, cached)  # the caller may have had it read again
            used[rel] = cached
            records.update(dict.fromkeys(cached.digests, rel))
        self.records, self.files = records, used

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
                if self.hashed % PAUSE_RECORDS == 0:
                    self.pause()
                cid = mapping.doc_id(table, doc)
                digests[cid] = (table, mapping.content_hash(doc))
                self.docs[cid] = doc
                self.hashed += 1
        entry = FileDigests(before if before == after else None, digests, read_at)
        if after is None:
            self.cache.files.pop(rel, None)
        else:
            self.cache.files[rel] = entry
        self.cache.mark(rel)
        return entry
