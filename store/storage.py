"""Crash-safe TinyDB storage and the single-writer lock of a data folder.

Every write goes to a temporary file in the same folder, is flushed and fsynced, then
``os.replace``-d over the old file, and the folder itself is fsynced: after a crash a file is
either the old version or the new one, never a mix. Files are created 0600 and folders 0700
regardless of the umask. A write refuses when the file is no longer the one last read
(another program replaced or edited it), so a cached copy never overwrites it.

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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably (temp file, fsync, replace, fsync dir)."""
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
        self.root = root
        self.readonly = readonly
        self._describe_backup = describe_backup
        self._data: dict[str, Any] | None = None
        self._loaded = False  # True once the file's current state is known (read or absent)
        # (inode, mtime, size) of the file as last read or written (None: it did not exist);
        # a write refuses when the file on disk is no longer that one (see _check_unchanged)
        self._seen: tuple[int, int, int] | None = None
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
        pair = re.compile(rb'"%s"\s*:\s*"%s"' % (key.encode(), re.escape(value.encode())))
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return False
        if _ESCAPED_ASCII.search(raw):  # written by another tool: text may hide behind \u00xx
            return True
        return pair.search(raw) is not None

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as f:
                self._seen = _identity(os.fstat(f.fileno()))
                raw = f.read()
        except FileNotFoundError:
            self._data, self._loaded, self._seen = None, True, None
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
        self._data, self._loaded = data, True
        self._remember(raw, data)

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
        added = b",".join(
            (b'"%s"' % key.encode() if key.isdigit() else dumps(key)) + b":" + dumps(doc)
            for key, doc in items
        )
        return raw[:-2] + (b"," if shape else b"") + added + b"}}"

    def _corrupt(self, exc: Exception) -> CorruptFileError:
        backup = self._describe_backup(self.path) if self._describe_backup else None
        where = (
            f"The newest undamaged backup of it is {backup}; to restore that file, close "
            f"intervene and run: cp {shlex.quote(str(backup))} {shlex.quote(str(self.path))}"
            if backup
            else "No backup holds an undamaged copy of it."
        )
        reason = str(exc) if str(exc) else type(exc).__name__
        return CorruptFileError(
            f"{self.path} cannot be read ({reason}). It was left untouched. {where}",
            path=str(self.path),
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
        try:
            now: tuple[int, int, int] | None = _identity(os.stat(self.path))
        except FileNotFoundError:
            now = None
        if now != self._seen:
            raise StoreError(
                f"{self.path} was changed by another program since intervene read it; "
                "nothing was saved. It will be read again: check it and make the change again."
            )

    def _write_now(self, data: dict[str, Any]) -> None:
        try:
            self._check_unchanged()
            if not self.path.parent.is_dir():
                make_private_dir(self.path.parent, stop_at=self.root)
            atomic_write_bytes(self.path, self._encode(data))
            self._seen = _identity(os.stat(self.path))
        except BaseException as exc:
            # TinyDB mutated our cached dict before calling write: forget it, re-read the file.
            self._data, self._loaded, self.dirty = None, False, False
            self._fragments, self._raw, self._raw_shape = {}, None, []
            if isinstance(exc, OSError):  # disk full, read-only disk: the old file stands
                raise disk_error(exc, "save", self.path, "; nothing was saved") from None
            raise
        self._data, self.dirty = data, False
        self.writes += 1

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
                encoded_key = b'"%s"' % key.encode() if key.isdigit() else dumps(key)
                items.append(encoded_key + b":" + fragment)
            tables.append(dumps(name) + b":{" + b",".join(items) + b"}")
        self._fragments = fresh
        encoded = b"{" + b",".join(tables) + b"}"
        self._remember(encoded, data)
        return encoded

    def forget(self) -> None:
        """Drop the cached contents; the next read parses the file again."""
        self._data, self._loaded, self._fragments = None, False, {}
        self._raw, self._raw_shape = None, []
        self._seen = None

    def close(self) -> None:
        """Nothing to flush: every write is already on disk. Never rewrites the file."""


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    """What tells one version of a file from another: inode, mtime (ns) and size."""
    return st.st_ino, st.st_mtime_ns, st.st_size


# --------------------------------------------------------------------------- lock
_CONTENDED = frozenset({errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK})


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

    def release(self) -> None:
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
