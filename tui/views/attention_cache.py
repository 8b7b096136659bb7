"""Today's caseload rows kept between starts of the app (issue 16: the needs-attention pane).

A student's rows depend on the folder's core records (students, groups, goals, phase changes,
measures, calendar), the day, the decision settings, and that student's own partitions: their
scores from the history start and the session logs of the groups they were ever in
(``tui.views.attention._caseload_of``). So the rows computed at one start are the rows the
next start computes when none of those changed: the cache keys the whole file on the code,
the day, the settings, the calendar and ``core.json``'s identity, and each student's entry on
the identity of every partition it was computed from (the file and its write journal:
inode, size, modification and change times; a save replaces the file or appends to its
journal, so it always changes one). Any difference, a file that appeared, or a student the
file does not hold means that student is computed again. Identities are taken before
anything is read, so a save made while computing leaves an older identity: a miss next time,
never a stale row.

The file is ``<data folder>/.attention-cache`` (0600, written whole through a temp file and a
rename; never in backups, exports or sync, which read only the data files). It is a pickle
read back only when it belongs to this user with no group or other access, and only into the
record classes of ``store`` and ``tui.views`` (an allow list); anything unexpected is a miss.
A file damaged on disk without its identity changing is not noticed at start for a student
whose entry is current (it is when the file is next read).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import secrets
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import store
from store import wal
from store.db import SCORES_DIR, SESSIONS_DIR
from store.db.layout import CORE_FILE
from store.model import Group, school_year_of

if TYPE_CHECKING:
    from store.caseload import CaseloadRow
    from tui.views.lines import MeasureLine

CACHE_NAME = ".attention-cache"
FORMAT = 1

Identity = tuple[int, int, int, int] | None  # inode, size, mtime ns, ctime ns; None: no file
Deps = tuple[tuple[str, Identity, Identity], ...]  # (partition, its identity, its journal's)
Entry = tuple[Deps, "list[CaseloadRow]", "list[MeasureLine]"]

_ALLOWED_MODULES = ("store.", "tui.views.")
_ALLOWED = {
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("collections", "Counter"),
    ("collections", "OrderedDict"),
    ("collections", "defaultdict"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
}


class _Unpickler(pickle.Unpickler):
    """Loads only record classes of store/ and tui/views/ and a few standard types."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module.startswith(_ALLOWED_MODULES):  # our own modules (imported if need be)
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not read from the cache")


def _identity(st: os.stat_result) -> Identity:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class Scan:
    """One look at the data folder's partitions (every file's identity), taken before a
    computation reads them."""

    def __init__(self, data_dir: Path) -> None:
        self._files: dict[str, Identity] = {}
        for rel in ("", SCORES_DIR, SESSIONS_DIR):
            self._scan(data_dir, rel, depth=0 if not rel else 1)

    def _scan(self, root: Path, rel: str, depth: int) -> None:
        try:
            with os.scandir(root / rel if rel else root) as entries:
                for entry in entries:
                    name = f"{rel}/{entry.name}" if rel else entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if depth:
                            self._scan(root, name, depth - 1)
                    else:
                        with contextlib.suppress(OSError):
                            self._files[name] = _identity(entry.stat(follow_symlinks=False))
        except OSError:
            return

    def of(self, rel: str) -> tuple[Identity, Identity]:
        """The identity of a file and of its journal (None: not there)."""
        return self._files.get(rel), self._files.get(rel + wal.SUFFIX)

    def deps(self, rels: Iterable[str]) -> Deps:
        return tuple((rel, *self.of(rel)) for rel in rels)

    def current(self, deps: Deps) -> bool:
        """Every partition is as it was when ``deps`` were taken."""
        return all(self.of(rel) == (file, journal) for rel, file, journal in deps)


def partitions(student_id: str, groups: Iterable[Group], since: date, day: date) -> list[str]:
    """Every partition a student's rows can be computed from: their scores from the history
    start to ``day``, and each of their groups' session logs from the school year they first
    joined it (a dosage window never reaches before a membership) to ``day``'s. ``groups``
    may hold any groups; only the student's count."""
    last = school_year_of(day)
    rels = [f"{SCORES_DIR}/{y}/{student_id}.json" for y in range(school_year_of(since), last + 1)]
    for g in groups:
        joined = [m.start for m in g.memberships if m.student_id == student_id]
        if joined:
            first = school_year_of(min(joined))
            rels += [f"{SESSIONS_DIR}/{y}/{g.id}.json" for y in range(first, last + 1)]
    return rels


def _code_version() -> str:
    """The code that computes rows: every source file of store/, tui/views/ and the app's
    config, by size and modification time (an upgrade or an edit makes every entry a miss)."""
    h = hashlib.blake2b(sys.version.encode(), digest_size=16)
    tui = Path(__file__).resolve().parents[1]
    files = [*sorted(Path(store.__file__).resolve().parent.rglob("*.py"))]
    files += [*sorted((tui / "views").glob("*.py")), tui / "config.py"]
    for path in files:
        with contextlib.suppress(OSError):
            st = path.stat()
            h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


def folder_key(scan: Scan, day: date, decision: object, calendar: object) -> tuple[object, ...]:
    """What every entry shares: format, code, day, decision settings, calendar, core.json."""
    return (
        FORMAT,
        _code_version(),
        day.isoformat(),
        repr(decision),
        repr(calendar),
        scan.of(CORE_FILE),
    )


class AttentionCache:
    """The cache file of one data folder."""

    def __init__(self, data_dir: Path, *, writable: bool) -> None:
        self.path = data_dir / CACHE_NAME
        self.writable = writable

    def load(self, key: tuple[object, ...]) -> tuple[tuple[str, ...], dict[str, Entry]]:
        """(the students computed when it was written, their entries) when the file was
        written for ``key``; else nothing."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return (), {}
        try:
            with os.fdopen(fd, "rb") as f:
                st = os.fstat(f.fileno())
                if st.st_mode & 0o077 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                    return (), {}
                doc = _Unpickler(io.BytesIO(f.read())).load()
            if not isinstance(doc, dict) or doc.get("key") != key:
                return (), {}
            students, entries = doc["students"], doc["entries"]
            if not isinstance(students, tuple) or not isinstance(entries, dict):
                return (), {}
            return students, entries
        except Exception:  # a cache never stops the app: anything unexpected is a miss
            return (), {}

    def save(
        self, key: tuple[object, ...], students: Iterable[str], entries: Mapping[str, Entry]
    ) -> None:
        """Write the file for ``key`` (atomically; silently nothing when it cannot be)."""
        if not self.writable:
            return
        kept = {
            sid: (deps, rows, [_bare(line) for line in lines])
            for sid, (deps, rows, lines) in entries.items()
        }
        doc = {"key": key, "students": tuple(students), "entries": kept}
        _sweep(self.path)
        tmp = self.path.with_name(f"{CACHE_NAME}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            data = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, self.path)
        except Exception:  # a full disk, a folder gone: the next start computes again
            with contextlib.suppress(OSError):
                tmp.unlink()


def _sweep(path: Path, older_than: float = 60.0) -> None:
    """Remove temp files a crash left mid-write (not one another thread is writing now)."""
    now = time.time()
    for tmp in path.parent.glob(f"{CACHE_NAME}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > older_than:
                tmp.unlink()


def _bare(line: MeasureLine) -> MeasureLine:
    """A line without what a screen added to it (Today's Rich label)."""
    if "label" not in line.extra:
        return line
    return replace(line, extra={k: v for k, v in line.extra.items() if k != "label"})
