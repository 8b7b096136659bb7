"""Daily backups of the data folder, and the log of what left the app (exports)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from store import wal
from store.db.core import CoreStore, _locked, _new_id
from store.db.layout import BACKUPS_KEPT, CORE_FILE, EXPORT_LOG, SCORES_DIR, SESSIONS_DIR
from store.errors import CorruptFileError, disk_error
from store.model import ExportRecord, check_int, check_text
from store.paths import backups_dir, fallback_export_log
from store.storage import (
    FILE_MODE,
    TEMP_SUFFIX,
    AtomicJSONStorage,
    append_line,
    atomic_write_bytes,
    dumps,
    fsync_dir,
    make_private_dir,
    write_all,
)

try:
    import fcntl
except ImportError:  # Windows: no reflinks, plain copies
    # no fcntl module on Windows: None marks it absent
    fcntl = None  # type: ignore[assignment]

_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BackupsMixin(CoreStore):
    """Daily backups (independent, checksummed copies) and the export log."""

    def _data_files(self) -> Iterator[Path]:
        """Every data file; stale temp files left by a crash are removed on the way."""
        for top in (CORE_FILE, EXPORT_LOG):
            if (self.data_dir / top).is_file():
                yield self.data_dir / top
        for kind in (SCORES_DIR, SESSIONS_DIR):
            root = self.data_dir / kind
            if not root.is_dir():
                continue
            for dirpath, _dirs, files in os.walk(root):
                for name in sorted(files):
                    path = Path(dirpath) / name
                    if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                        if not self.readonly:
                            with contextlib.suppress(OSError):
                                path.unlink()
                        continue
                    if name.endswith(".json"):
                        yield path

    @_locked
    def backup_if_due(self) -> Path | None:
        """Snapshot every data file into backups/<today>/ once a day, keep the newest 14 days.

        Every file is an independent copy (a reflink where the file system offers one, else
        a plain copy: a hard link would share the disk blocks that damage in place reaches),
        and its SHA-256 is recorded in the folder's ``manifest.json``, so a backup that is
        itself damaged is never offered. A partition with a journal is copied with the
        journal folded in (what the app reads), so each backed-up file is whole by itself. Returns the new folder, or None if today's backup
        exists (or the store is read-only).
        """
        if self.readonly:
            return None
        root = backups_dir(self.data_dir)
        target = root / self.today().isoformat()
        if target.exists():
            return None
        make_private_dir(root, stop_at=self.data_dir)
        partial = root / f".{target.name}.partial"
        if partial.exists():
            shutil.rmtree(partial)
        make_private_dir(partial, stop_at=root)
        sums: dict[str, str] = {}
        for path in self._data_files():
            rel = path.relative_to(self.data_dir)
            dest = partial / rel
            make_private_dir(dest.parent, stop_at=partial)
            sums[rel.as_posix()] = _copy_folded(path, dest)
            if not sums[rel.as_posix()]:  # a damaged journal: copy the pair, to mend by hand
                sums[rel.as_posix()] = _copy(path, dest)
                sums[rel.as_posix() + wal.SUFFIX] = _copy(wal.path_of(path), wal.path_of(dest))
        write_manifest(partial, sums)
        os.rename(partial, target)
        fsync_dir(root)
        for old in self._dated_backups()[BACKUPS_KEPT:]:
            shutil.rmtree(old, ignore_errors=True)
        return target

    def _dated_backups(self) -> list[Path]:
        root = backups_dir(self.data_dir)
        try:
            names = os.listdir(root)
        except FileNotFoundError:
            return []
        return [root / n for n in sorted((n for n in names if _DAY_RE.match(n)), reverse=True)]

    @_locked
    def backups(self) -> list[Path]:
        """Daily backup folders, newest first."""
        return self._dated_backups()

    def _newest_backup_of(self, path: Path) -> Path | None:
        try:
            rel = Path(path).relative_to(self.data_dir)
        except ValueError:
            return None
        for folder in self._dated_backups():
            candidate = folder / rel
            if (
                candidate.is_file()
                and not _same_content(candidate, Path(path))  # taken after the damage
                and is_good_copy(folder, rel)
            ):
                return candidate
        return None

    # ----------------------------------------------------------------- exports
    @_locked
    def log_export(
        self, kind: str, path: str, students: int, *, deidentified: bool
    ) -> ExportRecord:
        """Record that data left the app (a privacy log). Not undoable: the file exists.

        Appended to ``exports.log`` (JSON lines), which needs no writer lock: a report or
        export made read-only while the app is open elsewhere is logged too. A failed append
        raises DiskError naming the log (log first: the export is then not published)."""
        record = ExportRecord(
            _new_id("ex", 8),
            self._clock().replace(microsecond=0),
            check_text(kind, "export kind", required=True),
            check_text(str(path), "export path", required=True, limit=4096),
            check_int(students, "students exported", lo=0),
            bool(deidentified),
        )
        log = self.data_dir / EXPORT_LOG
        line = dumps(record.to_doc())
        try:
            append_line(log, line)
        except OSError as exc:
            if exc.errno not in _READ_ONLY:
                raise disk_error(
                    exc, "record the export in", log, "; nothing was exported"
                ) from None
            # a read-only disk or folder: the reading commands work there, and the record goes
            # to the user's own state folder instead (read back by exports())
            fallback = fallback_export_log(self.data_dir)
            try:
                make_private_dir(fallback.parent)
                append_line(fallback, line)
            except OSError:
                raise disk_error(
                    exc, "record the export in", log, "; nothing was exported"
                ) from None
            self.notices.append(
                f"the data folder is read-only: this export is recorded in {fallback}"
            )
        return record

    @_locked
    def exports(self) -> list[ExportRecord]:
        """Every export, oldest first: the export log and the older core.json table."""
        out = {d["id"]: ExportRecord.from_doc(d) for d in self._docs(CORE_FILE, "exports")}
        for doc in self._export_log():
            with contextlib.suppress(KeyError, TypeError, ValueError):  # a hand-edited line
                out.setdefault(str(doc["id"]), ExportRecord.from_doc(doc))
        return sorted(out.values(), key=lambda e: e.at)

    def _export_log(self) -> Iterator[dict[str, object]]:
        """The export logs' entries (the folder's, then the one kept for its read-only days);
        a line cut short by a crash (the last) is skipped."""
        raw = b""
        for log in (self.data_dir / EXPORT_LOG, fallback_export_log(self.data_dir)):
            try:
                raw += log.read_bytes() + b"\n"
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise disk_error(exc, "read", log) from None
        for line in raw.splitlines():
            try:
                doc = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                yield doc


MANIFEST = "manifest.json"
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def _same_content(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b) or a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def write_manifest(folder: Path, sums: dict[str, str]) -> None:
    """Record each backed-up file's SHA-256 (relative path → hex) in ``folder/manifest.json``."""
    doc = {"format": "intervene-backup-manifest", "sha256": sums}
    atomic_write_bytes(folder / MANIFEST, json.dumps(doc, indent=1).encode())


def is_good_copy(folder: Path, rel: Path | str) -> bool:
    """The backed-up file matches the checksum recorded for it and is a JSON object.

    A folder without a manifest (made by an older version) is judged by parsing alone."""
    path = folder / rel
    try:
        raw = path.read_bytes()
        json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return False
    try:
        sums = json.loads((folder / MANIFEST).read_bytes())["sha256"]
    except FileNotFoundError:
        return True
    except (OSError, ValueError, KeyError, TypeError):
        return False
    import hashlib  # here, not at start-up

    return isinstance(sums, dict) and sums.get(Path(rel).as_posix()) == (
        hashlib.sha256(raw).hexdigest()
    )


def _copy_folded(src: Path, dest: Path) -> str:
    """:func:`_copy`, or for a file with a journal the file with its journal applied (as
    the app reads it; its SHA-256); "" (nothing written) when the journal is damaged."""
    try:
        if wal.path_of(src).read_bytes().count(b"\n") <= 1:  # none, or a header alone
            return _copy(src, dest)
    except FileNotFoundError:
        return _copy(src, dest)
    import hashlib  # here, not at start-up

    try:
        data = AtomicJSONStorage(src, readonly=True).read()
    except CorruptFileError:
        return ""
    raw = dumps(data)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        write_all(fd, (raw,))
    finally:
        os.close(fd)
    return hashlib.sha256(raw).hexdigest()


def _snapshot(src: Path, dest: Path) -> None:
    """An independent copy of ``src`` at ``dest`` (see :func:`_copy`)."""
    _copy(src, dest)


def _copy(src: Path, dest: Path) -> str:
    """Copy ``src`` to ``dest`` (0600) as an independent file: a reflink (copy-on-write
    clone) where the file system offers one, else a plain copy. Returns the copy's SHA-256."""
    import hashlib  # here, not at start-up

    src_fd = os.open(src, os.O_RDONLY)
    try:
        dest_fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            if not _reflink(src_fd, dest_fd):
                with (
                    open(src_fd, "rb", closefd=False) as fin,
                    open(dest_fd, "wb", closefd=False) as fout,
                ):
                    shutil.copyfileobj(fin, fout)
            os.fchmod(dest_fd, FILE_MODE)
        finally:
            os.close(dest_fd)
    finally:
        os.close(src_fd)
    with contextlib.suppress(OSError):
        shutil.copystat(src, dest)
        os.chmod(dest, FILE_MODE)
    return hashlib.sha256(dest.read_bytes()).hexdigest()


_FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)


def _reflink(src_fd: int, dest_fd: int) -> bool:
    """Clone ``src_fd``'s blocks into ``dest_fd`` copy-on-write; False where unsupported."""
    if fcntl is None or not sys.platform.startswith("linux"):
        return False
    try:
        fcntl.ioctl(dest_fd, _FICLONE, src_fd)
    except OSError:
        return False
    return True
