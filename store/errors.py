"""The store's exceptions: one for bad input, a few for the data folder's state."""

from __future__ import annotations


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
    """Another process already has this data folder open for writing."""


class CorruptFileError(StoreError):
    """A data file cannot be parsed. It is left untouched; the message says where a backup is."""

    def __init__(self, message: str, *, path: str = "", backup: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.backup = backup


class NothingToUndoError(StoreError):
    """`undo_last()` was called with no change left to undo."""
