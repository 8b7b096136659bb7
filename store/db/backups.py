"""Daily backups of the data folder, and the log of what left the app (exports)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from store.db.core import CoreStore, _locked
from store.db.layout import BACKUPS_KEPT, CORE_FILE, SCORES_DIR, SESSIONS_DIR
from store.errors import StoreError
from store.model import ExportRecord, check_int, check_text
from store.paths import backups_dir
from store.storage import FILE_MODE, TEMP_SUFFIX, fsync_dir, make_private_dir

_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BackupsMixin(CoreStore):
    """Daily backups (hard links, core.json copied) and the export log."""

    def _data_files(self) -> Iterator[Path]:
        """Every data file; stale temp files left by a crash are removed on the way."""
        core = self.data_dir / CORE_FILE
        if core.is_file():
            yield core
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

        Partitions are hard-linked (a true snapshot: the store replaces files, never edits
        them; copied where links are unsupported); core.json, small and holding everything
        but scores and sessions, is copied so a backup survives damage done to it in place.
        Returns the new folder, or None if today's backup exists (or the store is read-only).
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
        for path in self._data_files():
            dest = partial / path.relative_to(self.data_dir)
            make_private_dir(dest.parent, stop_at=partial)
            if path.name == CORE_FILE:
                _copy(path, dest)  # small and precious: a real copy survives in-place damage
            else:
                _snapshot(path, dest)
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
            if candidate.is_file() and not _same_content(candidate, Path(path)):
                return candidate  # skips backups taken after the damage (the same file)
        return None

    # ----------------------------------------------------------------- exports
    @_locked
    def log_export(
        self, kind: str, path: str, students: int, *, deidentified: bool
    ) -> ExportRecord:
        """Record that data left the app (a privacy log). Not undoable: the file exists."""
        if self.readonly:
            raise StoreError(f"{self.data_dir} is open read-only; nothing was saved")
        record = ExportRecord(
            self._unused_core_id("exports", "ex"),
            self._clock().replace(microsecond=0),
            check_text(kind, "export kind", required=True),
            check_text(str(path), "export path", required=True, limit=4096),
            check_int(students, "students exported", lo=0),
            bool(deidentified),
        )
        self._put(CORE_FILE, "exports", record.id, record.to_doc())
        return record

    @_locked
    def exports(self) -> list[ExportRecord]:
        out = [ExportRecord.from_doc(d) for d in self._docs(CORE_FILE, "exports")]
        return sorted(out, key=lambda e: e.at)


def _same_content(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b) or a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _snapshot(src: Path, dest: Path) -> None:
    """Hard-link ``src`` to ``dest`` (a true snapshot: data files are replaced, never edited);
    copy when the file system cannot link."""
    try:
        os.link(src, dest)
    except OSError:
        _copy(src, dest)


def _copy(src: Path, dest: Path) -> None:
    shutil.copy2(src, dest)
    os.chmod(dest, FILE_MODE)
