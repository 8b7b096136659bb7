"""The store's exceptions: one for bad input, a few for the data folder's state."""

from __future__ import annotations

import errno as _errno


class StoreError(Exception):
    """Base class for everything the store raises on purpose."""


class ValidationError(StoreError, ValueError):
    """A value was rejected at the store boundary; nothing was written.

    The message names the field, the value and what is allowed, e.g.
    ``ORF score 412 is outside 0–300``.
    """

    def __init__(self, message: str, *, field: str = "", value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class NotFoundError(StoreError, LookupError):
    """A record asked for by id does not exist."""


class StoreLockedError(StoreError):
    """Another process already has this data folder open for writing: ``pid`` and ``holder``
    ("window" for the app, "command" for a CLI command) as its lock file says."""

    def __init__(self, message: str, *, pid: str = "", holder: str = "") -> None:
        super().__init__(message)
        self.pid = pid
        self.holder = holder


class CorruptFileError(StoreError):
    """A data file cannot be parsed. It is left untouched; the message says where a backup is."""

    def __init__(self, message: str, *, path: str = "", backup: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.backup = backup


class FolderNotWritableError(StoreError):
    """The data folder (or its disk) cannot be written: open it read-only to look."""


class DiskError(StoreError):
    """An OS error (disk full, read-only disk, permission denied) while reading or saving:
    the message names the file and the cause; a failed save changed nothing."""

    def __init__(self, message: str, *, path: str = "", errno: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.errno = errno


_CAUSES = {
    _errno.ENOSPC: "the disk is full",
    _errno.EDQUOT: "the disk quota is used up",
    _errno.EROFS: "the disk is read-only",
    _errno.EACCES: "permission denied",
    _errno.EPERM: "permission denied",
    _errno.EIO: "the disk reported an input/output error",
}


def os_cause(exc: OSError) -> str:
    """The cause of an OS error in a few words ("the disk is full")."""
    return _CAUSES.get(exc.errno or 0) or (exc.strerror or type(exc).__name__).lower()


def disk_error(exc: OSError, doing: str, path: object = None, then: str = "") -> DiskError:
    """A one-line DiskError for ``exc``: "cannot save /x/core.json: the disk is full" (+
    ``then``, e.g. "; nothing was saved")."""
    where = path if path is not None else (exc.filename or "")
    return DiskError(
        f"cannot {doing} {where}: {os_cause(exc)}{then}".replace("  ", " "),
        path=str(where),
        errno=exc.errno,
    )


#: OS errors that mean "this folder or disk cannot be written" (look read-only instead).
NOT_WRITABLE = frozenset({_errno.EROFS, _errno.EACCES, _errno.EPERM})


def not_writable(exc: OSError, folder: object) -> StoreError:
    """FolderNotWritableError for a read-only disk or folder, else a DiskError."""
    if exc.errno in NOT_WRITABLE:
        return FolderNotWritableError(f"cannot write to {folder}: {os_cause(exc)}")
    return disk_error(exc, "write to", folder)


def one_line(exc: BaseException) -> str:
    """Any error as one line without a traceback: a store error's message, an OS error's file
    and cause, else the error's type and message."""
    if isinstance(exc, StoreError):
        text = str(exc)
    elif isinstance(exc, OSError):
        name = exc.filename
        text = f"{name}: {os_cause(exc)}" if name else os_cause(exc)
    elif isinstance(exc, RecursionError):
        text = "the data is nested too deeply to read"
    else:
        text = f"unexpected error ({type(exc).__name__}: {exc})"
    return " ".join(text.split())


class NothingToUndoError(StoreError):
    """`undo_last()` was called with no change left to undo."""
