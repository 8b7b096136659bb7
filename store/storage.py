"""Crash-safe TinyDB storage and the single-writer lock of a data folder.

Every write goes to a temporary file in the same folder, is flushed and fsynced, then
``os.replace``-d over the old file, and the folder itself is fsynced: after a crash a file is
either the old version or the new one, never a mix. Files are created 0600 and folders 0700
regardless of the umask. A write refuses when the file is no longer the one last read
(another program replaced or edited it), so a cached copy never overwrites it.

A save that changes a few documents of a large one-table file (a partition) appends one line
to the file's journal instead (``X.json.wal``, :mod:`store.wal`: one write and one fdatasync);
a read replays the journal over the file, and the save that would take the journal past its
limits folds it back in (rewrites the file, then removes the journal).

The parsed document is kept in memory, so TinyDB's read-before-every-write costs nothing.
A file that cannot be parsed raises :class:`CorruptFileError` and is never written over.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shlex
import tempfile
import time
import weakref
from collections.abc import Callable, Iterable

# typeshed leaves out the C accelerators (None where the C module is missing)
from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

try:
    import fcntl
except ImportError:  # Windows: WriterLock falls back to filelock
    fcntl = None  # type: ignore[assignment]

from store import wal
from store.errors import (
    CorruptFileError,
    StoreError,
    StoreLockedError,
    disk_error,
    not_writable,
)

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_SUFFIX = ".tmp"


# --------------------------------------------------------------------------- file primitives
def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_private_dir(path: Path, *, stop_at: Path | None = None) -> None:
    """Create ``path`` and every missing parent with mode 0700 whatever the umask (a parent
    made by ``mkdir(parents=True)`` would get 0777 under umask 000); fsync the parent of every
    folder created so the new entry survives a crash. ``stop_at``: kept for callers (every
    missing parent is created the same way)."""
    path = Path(path)
    if path.is_dir():
        return
    if path.parent != path and not path.parent.exists():
        make_private_dir(path.parent, stop_at=stop_at)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    fsync_dir(path.parent)


def write_all(fd: int, chunks: Iterable[bytes]) -> None:
    """Make the open file ``fd`` private (0600), write every chunk whole (``os.write`` may
    write less than it is given), then fsync: the body of every temp-file-then-rename write."""
    os.fchmod(fd, FILE_MODE)
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]
    os.fsync(fd)


def atomic_write_bytes(
    path: Path, data: bytes, *, before_sync: Callable[[], None] | None = None
) -> None:
    """Write ``data`` to ``path`` atomically and durably (temp file, fsync, replace, fsync dir).
    ``before_sync``: run after the replace, before the folder's fsync (which then makes a
    file it creates durable too)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        try:
            write_all(fd, (data,))
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if before_sync is not None:
        before_sync()
    fsync_dir(path.parent)


def append_line(path: Path, line: bytes) -> None:
    """Append one line to ``path`` durably (O_APPEND, fsync; created 0600): a log any
    process may write to without the writer lock (one write() of a line is atomic)."""
    path = Path(path)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        if created:
            os.fchmod(fd, FILE_MODE)
        data = line.rstrip(b"\n") + b"\n"
        if os.write(fd, data) != len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=False
)


#: Text JSON writes as is (no escapes): what AtomicJSONStorage.may_hold can look for in bytes.
_PLAIN = re.compile(r"[A-Za-z0-9_.:+-]+")
#: A JSON escape of an ASCII character (this app writes one only for a control character).
_ESCAPED_ASCII = re.compile(rb"\\u00[0-7][0-9a-fA-F]")


#: _ENCODER's own C encoder, made once (JSONEncoder.encode makes one per call: a save
#: encodes each changed document, a first save every document of the partition).
_C_ENCODE = (
    c_make_encoder(None, _ENCODER.default, c_encode_basestring, None, ":", ",", False, False, False)
    if c_make_encoder is not None and c_encode_basestring is not None
    else None
)


def dumps(data: Any) -> bytes:
    """The on-disk JSON form: compact, UTF-8, keys in insertion order, no NaN/Infinity."""
    if _C_ENCODE is not None and isinstance(data, dict):
        return "".join(_C_ENCODE(data, 0)).encode("utf-8")
    return _ENCODER.encode(data).encode("utf-8")


# --------------------------------------------------------------------------- storage
class AtomicJSONStorage(Storage):
    """A TinyDB storage that writes atomically and durably and caches the parsed file.

    ``root`` is the folder up to which missing parent folders are created (0700) on the first
    write. ``describe_backup(path)`` returns the newest backup of ``path`` (or None), for the
    corrupt-file message. With ``readonly=True`` every write raises :class:`StoreError`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        root: Path | None = None,
        readonly: bool = False,
        describe_backup: Callable[[Path], Path | None] | None = None,
    ) -> None:
        self.path = Path(path)
        self._wal = wal.path_of(self.path)  # its journal (store/wal.py)
        # the journal read last is stale (its header names other bytes) yet holds saves: it
        # is set aside, never overwritten (see _set_aside_stale)
        self._stale_saves = False
        self.root = root
        self.readonly = readonly
        self._describe_backup = describe_backup
        self._data: dict[str, Any] | None = None
        self._loaded = False  # True once the file's current state is known (read or absent)
        # file_identity() of the file and its journal as last read or written (None: absent);
        # a write refuses when the files on disk are no longer those (see _check_unchanged)
        self._seen: Identity = (None, None)
        # id(doc) -> (doc, its JSON): a save re-encodes only the documents that changed.
        # Sound because documents are never mutated in place once written (Store._put
        # replaces a changed document with a new dict); the tuple keeps ``doc`` alive so its
        # id cannot be reused.
        self._fragments: dict[int, tuple[dict[str, Any], bytes]] = {}
        # The file's bytes as last read or written, and its one table's (key, document)
        # pairs then: a save that only appends documents to that table appends their JSON to
        # those bytes instead of encoding the others again (a partition's first save).
        self._raw: bytes | None = None
        self._raw_shape: list[tuple[str, Any]] = []
        # The one table as last read or written (file + journal), key -> document: a save
        # journals the documents that are not these very objects (see _journal_line).
        self._persisted: tuple[str, dict[str, Any]] | None = None
        # The journal: where its next line goes (None: there is none that applies to the
        # file, so the next line starts a new one) and how many saves it holds.
        self._wal_end: int | None = None
        self._wal_lines = 0
        self.deferred = False  # batch mode: keep writes in memory until flush()
        self.dirty = False
        self.writes = 0

    def read(self) -> dict[str, Any] | None:
        if not self._loaded:
            self._load()
        return self._data

    def may_hold(self, key: str, value: str) -> bool:
        """False only when no document in the file can have ``key`` equal to the string
        ``value`` (e.g. "date" and an ISO date): the file is not loaded yet and its bytes hold
        no ``"key": "value"`` pair (any spacing), so it need not be parsed to know. A loaded
        file, a value JSON might escape, or a file with an escaped ASCII character (another
        tool's JSON) always answers True: then the documents (which may hold unsaved changes)
        are the ones to search. A damaged file is answered from its bytes too; it is reported
        when it is first parsed, and every write parses it first, so it is never overwritten."""
        if self._loaded or not _PLAIN.fullmatch(key) or not _PLAIN.fullmatch(value):
            return True
        try:
            raw = stored_bytes(self.path)
        except FileNotFoundError:
            return False
        if b"\\u00" in raw and _ESCAPED_ASCII.search(raw):  # another tool's: \u00xx may hide text
            return True
        if b'"%s"' % value.encode() not in raw:  # a plain search first (most files: no)
            return False
        pair = re.compile(rb'"%s"\s*:\s*"%s"' % (key.encode(), re.escape(value.encode())))
        return pair.search(raw) is not None

    def _load(self) -> None:
        self._wal_end, self._wal_lines, self._persisted = None, 0, None
        self._stale_saves = False
        try:
            with open(self.path, "rb") as f:
                seen = _identity(os.fstat(f.fileno()))
                raw = f.read()
        except FileNotFoundError:
            # a journal without its file is stale: the first save writes the file and sets
            # the journal aside if it holds saves (removes it if not)
            self._data, self._loaded, self._seen = None, True, (None, _stat(self._wal))
            if self._seen[1] is not None:
                with contextlib.suppress(OSError):
                    self._stale_saves = self._wal.read_bytes().count(b"\n") > 1
            return
        except OSError as exc:  # permission denied, a disk error: one line naming the file
            raise disk_error(exc, "read", self.path) from None
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
                raise ValueError("the top level is not a set of tables")
        except (ValueError, UnicodeDecodeError) as exc:
            raise self._corrupt(exc) from None
        except RecursionError:  # e.g. 100,000 nested "[": never ours, so damaged
            raise self._corrupt(ValueError("nested too deeply to read")) from None
        self._remember(raw, data)  # the file's own bytes and shape, before its journal
        self._seen = (seen, self._replay(raw, data))
        self._data, self._loaded = data, True
        if len(data) == 1:
            name, table = next(iter(data.items()))
            self._persisted = (name, dict(table))

    def _replay(self, raw: bytes, data: dict[str, Any]) -> tuple[int, int, int] | None:
        """Apply the file's journal (if it has one that applies to ``raw``) to ``data``;
        its identity (None: no journal). CorruptFileError naming it for a damaged line."""
        try:
            with open(self._wal, "rb") as f:
                seen = _identity(os.fstat(f.fileno()))
                text = f.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise disk_error(exc, "read", self._wal) from None
        try:
            replay = wal.parse(text, raw)
        except wal.JournalDamage as exc:
            raise self._corrupt(exc, self._wal) from None
        if replay.stale or len(data) != 1:  # never journaled: a stale or foreign journal
            self._stale_saves = text[: replay.valid].count(b"\n") > 1
            return seen
        table = next(iter(data.values()))
        for puts, dels in replay.ops:
            wal.apply(table, puts, dels)
        self._wal_end, self._wal_lines = replay.valid, replay.lines
        return seen

    def _remember(self, raw: bytes, data: dict[str, Any]) -> None:
        if len(data) == 1:
            self._raw, self._raw_shape = raw, list(next(iter(data.values())).items())
        else:
            self._raw, self._raw_shape = None, []

    def _appended(self, data: dict[str, Any]) -> bytes | None:
        """The new file when ``data`` is the bytes last read or written plus documents added
        at the end of its only table (the others the very same objects): those bytes with
        the new documents' JSON before the closing braces. Sound for any JSON file whose
        last two bytes close its one table (json.loads keeps the last of duplicate names)
        and the object; None otherwise (the whole file is encoded)."""
        raw, shape = self._raw, self._raw_shape
        if raw is None or len(data) != 1:
            return None
        table = next(iter(data.values()))
        if len(table) <= len(shape) or not raw.endswith(b":{}}" if not shape else b"}}"):
            return None
        items = iter(table.items())
        # not strict: zip stops at the end of shape without taking from items, which then
        # holds just the added documents
        for (key, doc), (now_key, now_doc) in zip(shape, items, strict=False):
            if key != now_key or doc is not now_doc:
                return None
        added = b",".join(_encode_key(key) + b":" + dumps(doc) for key, doc in items)
        return raw[:-2] + (b"," if shape else b"") + added + b"}}"

    def _corrupt(self, exc: Exception, damaged: Path | None = None) -> CorruptFileError:
        """The error for a file that cannot be parsed: ``damaged`` is the file itself
        (default) or its journal (restoring the file from a backup sets the journal aside:
        its header then names other bytes)."""
        damaged = damaged or self.path
        backup = self._describe_backup(self.path) if self._describe_backup else None
        it = "it" if damaged == self.path else self.path.name
        where = (
            f"The newest undamaged backup of {it} is {backup}; to restore that file, close "
            f"intervene and run: cp {shlex.quote(str(backup))} {shlex.quote(str(self.path))}"
            if backup
            else f"No backup holds an undamaged copy of {it}."
        )
        reason = str(exc) if str(exc) else type(exc).__name__
        return CorruptFileError(
            f"{damaged} cannot be read ({reason}). It was left untouched. {where}",
            path=str(damaged),
            backup=str(backup) if backup else None,
        )

    def write(self, data: dict[str, Any]) -> None:
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only; nothing was saved")
        if not self._loaded:
            # Never write a file whose current contents we have not parsed (it may be corrupt).
            self._load()
        if self.deferred:
            self._data, self.dirty = data, True
            return
        self._write_now(data)

    def flush(self) -> None:
        """Write what a batch left in memory (no-op when nothing is pending)."""
        if self.dirty and self._data is not None:
            self._write_now(self._data)

    def _check_unchanged(self) -> None:
        """StoreError if the file is not the one last read or written here: another program
        replaced, edited or removed it (e.g. a second writer let in by a deleted ``.lock``).
        Writing the cached contents over it would undo that program's change."""
        now = (_stat(self.path), _stat(self._wal))
        if now != self._seen:
            changed = self.path if now[0] != self._seen[0] else self._wal
            raise StoreError(
                f"{changed} was changed by another program since intervene read it; "
                "nothing was saved. It will be read again: check it and make the change again."
            )

    def _write_now(self, data: dict[str, Any], *, rewrite: bool = False) -> None:
        """Save ``data``: one journal line when it may (see _journal_line), else the whole
        file, atomically, removing the journal it folds in. ``rewrite``: the whole file."""
        target = self.path
        try:
            self._check_unchanged()
            self._set_aside_stale()
            line = None if rewrite else self._journal_line(data)
            if line is not None:
                target = self._wal
                self._append(line)
            else:
                if not self.path.parent.is_dir():
                    make_private_dir(self.path.parent, stop_at=self.root)
                encoded = self._encode(data)
                header = wal.header(encoded) if self._journals(data, encoded) else None
                if self._seen[1] is not None:
                    # The old journal goes (or starts again) only once the file holding its
                    # lines is durable; a crash before leaves it stale (its base is gone).
                    atomic_write_bytes(self.path, encoded)
                    self._restart_journal(header)
                elif header is not None:  # the new journal's entry made durable with the file's
                    atomic_write_bytes(
                        self.path, encoded, before_sync=lambda: self._restart_journal(header)
                    )
                else:
                    atomic_write_bytes(self.path, encoded)
                    self._wal_end = None
                self._seen = (_identity(os.stat(self.path)), self._seen[1])
                self._wal_lines = 0
        except BaseException as exc:
            # TinyDB mutated our cached dict before calling write: forget it, re-read the file.
            self.forget()
            self.dirty = False
            if isinstance(exc, OSError):  # disk full, read-only disk: the old file stands
                raise disk_error(exc, "save", target, "; nothing was saved") from None
            raise
        self._data, self.dirty = data, False
        if len(data) == 1:
            name, table = next(iter(data.items()))
            self._persisted = (name, dict(table))
        else:
            self._persisted = None
        self.writes += 1

    def _journal_line(self, data: dict[str, Any]) -> bytes | None:
        """The journal line (a new journal's header first) that saves ``data``, or None when
        the whole file must be written: no file yet, more than one table, a small file, a
        save of many documents, or a journal at its limits (see store.wal)."""
        persisted, raw = self._persisted, self._raw
        if persisted is None or raw is None or self._seen[0] is None or len(data) != 1:
            return None
        name, before = persisted
        table = data.get(name)
        if table is None or len(raw) < wal.MIN_BYTES or self._wal_lines >= wal.MAX_LINES:
            return None
        puts = [(k, d) for k, d in table.items() if before.get(k) is not d]
        dels = [k for k in before if k not in table]
        if not (puts or dels) or len(puts) + len(dels) > wal.MAX_OPS:
            return None
        replayed = dict(before)  # a replay must give the table's order too
        wal.apply(replayed, dict(puts), dels)
        if list(replayed) != list(table):
            return None
        encoded = []
        for key, doc in puts:
            hit = self._fragments.get(id(doc))
            fragment = hit[1] if hit is not None and hit[0] is doc else dumps(doc)
            self._fragments[id(doc)] = (doc, fragment)  # a compaction reuses it
            encoded.append((_encode_key(key), fragment))
        line = wal.line(encoded, [dumps(k) for k in dels])
        if self._wal_end is None:
            line = wal.header(raw) + line
        if (self._wal_end or 0) + len(line) > len(raw):  # compaction is due
            return None
        return line

    @staticmethod
    def _journals(data: dict[str, Any], encoded: bytes) -> bool:
        """A file written whole as ``encoded`` gets a journal for its next saves."""
        return len(data) == 1 and len(encoded) >= wal.MIN_BYTES

    def _restart_journal(self, header: bytes | None) -> None:
        """After the whole file was written: its journal holds just ``header`` (None: it has
        none). Not synced: the next line's fdatasync makes it durable, and a journal whose
        header a crash lost reads as none. Best effort (the file is saved): on an OS error
        the next save starts a journal the slow way."""
        self._wal_end = None
        try:
            if header is None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._wal)
            else:
                fd = os.open(self._wal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
                try:
                    os.fchmod(fd, FILE_MODE)
                    if os.write(fd, header) == len(header):
                        self._wal_end = len(header)
                finally:
                    os.close(fd)
        except OSError:
            self._wal_end = None
        self._seen = (self._seen[0], _stat(self._wal))

    def _set_aside_stale(self) -> None:
        """Before a write replaces a stale journal that holds saves, rename it to
        ``X.json.wal.stale-<time>`` beside the file: a compaction stopped by a crash leaves
        one (its saves are in the file already), but so does a file replaced by another
        program (a sync client bringing back an older copy, a file restored by hand): those
        saves are then in no file, and the bytes that hold them are kept, not destroyed."""
        if not self._stale_saves:
            return
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self._wal.with_name(f"{self._wal.name}.stale-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self._wal.with_name(f"{self._wal.name}.stale-{stamp}-{n}")
        with contextlib.suppress(FileNotFoundError):
            os.rename(self._wal, aside)
        fsync_dir(self.path.parent)
        self._stale_saves, self._wal_end = False, None
        self._seen = (self._seen[0], None)

    def _append(self, line: bytes) -> None:
        """Write ``line`` after the journal's last complete line (cutting off a torn write)
        and fdatasync it; a new journal replaces a stale one, and its folder is fsynced."""
        start = self._wal_end
        fd = os.open(self._wal, os.O_WRONLY | (os.O_CREAT if start is None else 0), FILE_MODE)
        try:
            try:
                os.fchmod(fd, FILE_MODE)
                if os.fstat(fd).st_size != (start or 0):
                    os.ftruncate(fd, start or 0)
                os.lseek(fd, start or 0, os.SEEK_SET)
                view = memoryview(line)
                while view:
                    view = view[os.write(fd, view) :]
                _datasync(fd)
                seen = _identity(os.fstat(fd))
                if start is None:
                    fsync_dir(self.path.parent)
            except BaseException:
                with contextlib.suppress(OSError):  # a line cut short is ignored anyway
                    os.ftruncate(fd, start or 0)
                raise
        finally:
            os.close(fd)
        self._seen = (self._seen[0], seen)
        self._wal_end, self._wal_lines = (start or 0) + len(line), self._wal_lines + 1

    def compact(self) -> bool:
        """Fold the journal into the file now (before something reads the file's bytes
        without this class); False when it holds no save."""
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only; nothing was saved")
        if not self._loaded:
            self._load()
        if self._seen[1] is None or (self._wal_end is not None and not self._wal_lines):
            return False  # no journal, or one that holds no save yet
        if self._data is None:  # a journal without its file: stale; saves in it are kept
            try:
                self._stale_saves = self._wal.read_bytes().count(b"\n") > 1
            except FileNotFoundError:
                self._stale_saves = False
            if self._stale_saves:
                self._set_aside_stale()
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._wal)
                fsync_dir(self.path.parent)
            self._seen = (None, None)
            return True
        self._write_now(self._data, rewrite=True)
        return True

    def _encode(self, data: dict[str, Any]) -> bytes:
        """``dumps(data)``, reusing the cached JSON of documents that did not change."""
        appended = self._appended(data)
        if appended is not None:
            self._remember(appended, data)
            return appended
        cache = self._fragments
        fresh: dict[int, tuple[dict[str, Any], bytes]] = {}
        tables = []
        for name, table in data.items():
            items = []
            for key, doc in table.items():
                hit = cache.get(id(doc))
                fragment = hit[1] if hit is not None and hit[0] is doc else dumps(doc)
                fresh[id(doc)] = (doc, fragment)
                items.append(_encode_key(key) + b":" + fragment)
            tables.append(dumps(name) + b":{" + b",".join(items) + b"}")
        self._fragments = fresh
        encoded = b"{" + b",".join(tables) + b"}"
        self._remember(encoded, data)
        return encoded

    def forget(self) -> None:
        """Drop the cached contents; the next read parses the file again."""
        self._data, self._loaded, self._fragments = None, False, {}
        self._raw, self._raw_shape = None, []
        self._seen, self._persisted, self._wal_end, self._wal_lines = (None, None), None, None, 0

    def close(self) -> None:
        """Nothing to flush: every write is already on disk. Never rewrites the file."""


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    """What tells one version of a file from another: inode, mtime (ns) and size."""
    return st.st_ino, st.st_mtime_ns, st.st_size


#: file_identity(): (the file's, its journal's) _identity, None for one that does not exist
Identity = tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        return _identity(os.stat(path))
    except FileNotFoundError:
        return None


def file_identity(path: str | Path) -> Identity:
    """The version of a data file as its contents go: the (inode, mtime ns, size) of the file
    and of its journal, None for one that does not exist. Equal identities, same records."""
    path = Path(path)
    return _stat(path), _stat(wal.path_of(path))


def stored_bytes(path: str | Path) -> bytes:
    """A data file's bytes followed by its journal's (if any): for a search of the bytes
    (is this id or date anywhere in the file?) that need not parse them. FileNotFoundError
    when the file itself does not exist."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        return raw + b"\n" + wal.path_of(path).read_bytes()
    except FileNotFoundError:
        return raw


def _encode_key(key: str) -> bytes:
    """A document id as a JSON object key (TinyDB's are digits: no escaping to do)."""
    return b'"%s"' % key.encode() if key.isdigit() else dumps(key)


#: fdatasync where the OS has it (it skips the mtime update fsync also writes)
_datasync = getattr(os, "fdatasync", os.fsync)


# --------------------------------------------------------------------------- lock
_CONTENDED = frozenset({errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK})


_HELD: weakref.WeakSet[WriterLock] = weakref.WeakSet()  # the locks this process holds


def _forget_inherited_locks() -> None:
    """In a forked child (``os.fork``; not ``subprocess``, which execs): close the child's
    copies of every held lock's descriptors *without* unlocking — flock belongs to the open
    file, shared with the parent, which keeps the lock — and stop holding them, so the child
    can never write as the folder's writer, nor keep the folder locked once the parent has
    closed it (a lock lives while any process has the file open)."""
    for lock in list(_HELD):
        lock._forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_locks)


class WriterLock:
    """One writer per data folder: an exclusive lock on ``<data_dir>/.lock`` holding the pid.

    On POSIX this is ``flock`` on the file itself (held per open file, so a second Store in
    the same process is refused too; released by the kernel if the process dies). Where
    ``fcntl`` is missing (Windows) it is filelock's native lock. filelock is not imported
    otherwise: its import alone costs ~15 ms of the app's start-up.

    With ``fcntl`` the folder's own descriptor is flocked first: ``.lock`` can be deleted
    from under a running app (cleanup tools, sync clients), the folder it is in cannot, so a
    second writer is refused all the same."""

    def __init__(self, data_dir: Path, *, holder: str = "window") -> None:
        self.path = Path(data_dir) / ".lock"
        self.holder = holder  # what the lock file says holds it: "window" (the app), "command"
        self._fd: int | None = None
        self._dir_fd: int | None = None
        self._fallback: Any = None  # filelock.FileLock, without fcntl only

    def _write_pid(self, fd: int) -> None:
        """The lock file says who holds it: "<pid> <holder>" (the lock itself is flock)."""
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {self.holder}".encode())
            os.fsync(fd)
        except OSError as exc:
            raise disk_error(exc, "write", self.path, "; nothing was saved") from None

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock; while another process holds it, keep trying for ``wait`` seconds,
        then raise StoreLockedError naming the holder and its pid."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self._acquire_once()
                return
            except StoreLockedError as exc:
                if time.monotonic() >= deadline:
                    if wait <= 0:
                        raise
                    raise StoreLockedError(
                        f"{exc} (waited {wait:g} seconds)", pid=exc.pid, holder=exc.holder
                    ) from None
                time.sleep(0.1)

    def _acquire_once(self) -> None:
        if fcntl is None:
            self._acquire_fallback()
        elif self._fd is None:
            dir_fd = self._flock(self.path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                # no O_TRUNC: the pid in the file is the holder's until the lock is ours
                fd = self._flock(self.path, os.O_RDWR | os.O_CREAT)
                try:
                    self._write_pid(fd)
                except BaseException:
                    os.close(fd)  # closing the file releases the lock
                    raise
            except BaseException:
                os.close(dir_fd)
                raise
            self._fd, self._dir_fd = fd, dir_fd
            _HELD.add(self)
        with contextlib.suppress(OSError):
            os.chmod(self.path, FILE_MODE)

    def _flock(self, path: Path, flags: int) -> int:
        """Open ``path`` and flock it exclusively; StoreLockedError when another holds it,
        FolderNotWritableError on a read-only disk or folder."""
        try:
            fd = os.open(path, flags, FILE_MODE)
        except OSError as exc:
            raise not_writable(exc, self.path.parent) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in _CONTENDED:
                raise self._locked() from None
            raise
        return fd

    def _acquire_fallback(self) -> None:
        import filelock

        if self._fallback is None:
            self._fallback = filelock.FileLock(
                self.path,
                timeout=0,
                mode=FILE_MODE,
                thread_local=False,
                on_acquired=self._write_pid,
            )
        try:
            self._fallback.acquire(timeout=0)
        except filelock.Timeout:
            raise self._locked() from None

    def _locked(self) -> StoreLockedError:
        """Who holds the lock, from the lock file ("<pid> <holder>"; older files: the pid)."""
        try:
            pid, _, holder = self.path.read_text().strip().partition(" ")
        except OSError:
            pid, holder = "", ""
        holder = holder if holder in ("window", "command") else "window"
        if pid == str(os.getpid()):
            who = "elsewhere in this program"
        else:
            who = f"in another intervene {holder}" + (f" (pid {pid})" if pid else "")
        close = "Close it there first" if holder == "window" else "Try again when it has finished"
        return StoreLockedError(
            f"The data in {self.path.parent} is already open {who}. {close}.",
            pid=pid,
            holder=holder,
        )

    def _forget(self) -> None:
        """Close this process's descriptors of the lock without unlocking (a forked child)."""
        fds, self._fd, self._dir_fd = (self._fd, self._dir_fd), None, None
        _HELD.discard(self)
        for fd in fds:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def release(self) -> None:
        _HELD.discard(self)
        if self._fd is not None:
            fds, self._fd, self._dir_fd = (self._fd, self._dir_fd), None, None
            for fd in fds:
                if fd is None:
                    continue
                try:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                finally:
                    os.close(fd)
        elif self._fallback is not None and self._fallback.is_locked:
            self._fallback.release(force=True)

    @property
    def held(self) -> bool:
        if self._fallback is not None:
            return bool(self._fallback.is_locked)
        return self._fd is not None
