"""The journal of a partition file: ``X.json.wal`` beside ``X.json`` (issue 16).

A save that changes a few documents of a large partition appends one line to its journal
(one ``write`` + fdatasync, ~0.2 ms) instead of rewriting the file (temp file, fsync,
rename, folder fsync, ~0.4 ms and more). The format, JSON lines:

* line 1, the header: ``{"base":{"size":N,"crc32":C}}``, the size and CRC-32 of the
  ``X.json`` bytes the journal applies to. A journal whose base is not the file beside it
  is *stale*: a compaction replaced the file and was stopped before it removed the journal
  (its changes are in the file already), or the file was replaced by hand (from a backup).
  A stale journal is ignored; the next save sets it aside as ``X.json.wal.stale-<time>``
  when it holds saves (they may be in no file), and starts a new one.
* each further line, one save: ``{"put":{KEY:DOC,...},"del":[KEY,...]}`` (either part may
  be missing), KEY the TinyDB document id of the file's one table. A save is one line, so a
  save of several documents is applied whole or not at all.

A last line without its newline is a write that was cut short (a crash, a full disk): it
was never acknowledged (the save returns after the fsync), so it is ignored and cut off
before the next append. Any other line that is not a journal entry is damage.

This module is the format only; :class:`store.storage.AtomicJSONStorage` does the I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUFFIX = ".wal"

#: A partition smaller than this is rewritten whole on every save: a few weeks of scores,
#: which the size limit below would fold back into the file within a save or two anyway;
#: the file alone then stays the whole record.
MIN_BYTES = 8192
#: A journal is folded into its file (compacted) by the save that would take it past this
#: many lines, or past the size of the file itself (so replaying it on a read never costs
#: more than parsing the file, and the pair is never more than twice the file's size).
MAX_LINES = 64
#: A save that changes more documents than this rewrites the file (an import, a batch).
MAX_OPS = 16


def path_of(path: Path) -> Path:
    """Where the journal of the data file ``path`` is: ``X.json`` → ``X.json.wal``."""
    return path.with_name(path.name + SUFFIX)


def base_of(raw: bytes) -> tuple[int, int]:
    """What the header records of a file's bytes: their size and CRC-32."""
    import zlib  # here, not at start-up: only a partition with a journal needs it

    return len(raw), zlib.crc32(raw)


def header(raw: bytes) -> bytes:
    """The first line of a new journal of the file whose bytes are ``raw``."""
    size, crc = base_of(raw)
    return b'{"base":{"size":%d,"crc32":%d}}\n' % (size, crc)


class JournalDamage(ValueError):
    """A complete line of a journal that is not a journal entry (``line``: 1-based)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line} {reason}")
        self.line = line


@dataclass
class Replay:
    """A journal as read: its saves (``ops``: (puts, dels) each), the length of its complete
    lines (where the next save goes), and whether it applies to the file beside it."""

    ops: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)
    valid: int = 0  # bytes up to the end of the last complete line
    stale: bool = True  # no header, or the header names other bytes: ignore the journal

    @property
    def lines(self) -> int:
        return len(self.ops)


def parse(text: bytes, base: bytes) -> Replay:
    """Read a journal's bytes ``text`` against its file's bytes ``base``.

    Raises :class:`JournalDamage` for a complete line that is not a journal entry (in a
    journal that applies to ``base``: the entries of a stale one are not read)."""
    end = text.rfind(b"\n") + 1  # past it: a torn write, never acknowledged
    lines = text[:end].split(b"\n")[:-1]
    if not lines:
        return Replay(valid=end)
    first = _json(lines[0], 1)
    got = first.get("base") if isinstance(first, dict) else None
    if not isinstance(got, dict) or set(got) != {"size", "crc32"}:
        raise JournalDamage(1, "is not a journal header")
    if [got["size"], got["crc32"]] != list(base_of(base)):
        return Replay(valid=end)
    replay = Replay(valid=end, stale=False)
    for number, line in enumerate(lines[1:], 2):
        replay.ops.append(_entry(_json(line, number), number))
    return replay


def _json(line: bytes, number: int) -> Any:
    try:
        return json.loads(line.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise JournalDamage(number, "is not JSON") from None
    except RecursionError:
        raise JournalDamage(number, "is nested too deeply to read") from None


def _entry(doc: Any, number: int) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(doc, dict) or not doc or not set(doc) <= {"put", "del"}:
        raise JournalDamage(number, "is not a journal entry")
    puts = doc.get("put", {})
    dels = doc.get("del", [])
    if not isinstance(puts, dict) or not all(isinstance(d, dict) for d in puts.values()):
        raise JournalDamage(number, "puts something that is not a document")
    if not isinstance(dels, list) or not all(isinstance(k, str) for k in dels):
        raise JournalDamage(number, "deletes something that is not a document id")
    return puts, dels


def apply(table: dict[str, Any], puts: dict[str, Any], dels: Iterable[str]) -> None:
    """One save on a table: its deletions, then its documents (a replaced document keeps its
    place, a new one goes last), as :meth:`store.db.core.CoreStore._put` changed it."""
    for key in dels:
        table.pop(key, None)
    for key, doc in puts.items():
        table[key] = doc


def line(puts: list[tuple[bytes, bytes]], dels: list[bytes]) -> bytes:
    """One save's line from encoded (key, document) pairs and encoded keys."""
    parts = []
    if dels:
        parts.append(b'"del":[' + b",".join(dels) + b"]")
    if puts:
        parts.append(b'"put":{' + b",".join(k + b":" + d for k, d in puts) + b"}")
    return b"{" + b",".join(parts) + b"}\n"
