"""The restore journal: a restore switches the data folder's files all at once, or not at all.

A restore writes the new files into a staging folder inside the data folder
(``.restore-<hex>/``, same file system, each file fsynced), then writes this journal
(``.restore-journal.json``: which files move in, which go, and each new file's SHA-256),
then moves the files into place, core.json last, and removes the journal. A crash before
the journal leaves the old data (the staging folder is swept); a crash after it is finished
by the next writer to open the folder (:func:`recover`), which checks every file against the
journal before saying the restore is complete, so the folder is never left blended unawares.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from store import wal
from store.db.layout import CORE_FILE
from store.errors import StoreError
from store.storage import atomic_write_bytes, fsync_dir, make_private_dir

JOURNAL = ".restore-journal.json"
STAGING_PREFIX = ".restore-"


def write_journal(
    root: Path, staging: Path, sums: dict[str, str], remove: list[str], *, kept: Path | None
) -> None:
    """Commit to a restore: from here on the folder holds the new data, even after a crash.

    ``sums``: each staged file (relative path → SHA-256); ``remove``: the old files that the
    backup does not have; ``kept``: where the replaced files were copied."""
    doc = {
        "format": "intervene-restore-journal",
        "staging": staging.name,
        "files": sums,
        "remove": remove,
        "kept": str(kept) if kept else None,
    }
    atomic_write_bytes(root / JOURNAL, json.dumps(doc, indent=1).encode())


def _move(src: Path, dest: Path) -> None:
    """One step of the switch-over (a separate function so tests can kill a restore here).
    The folders are fsynced once, after every move (:func:`finish`): a crash before that
    leaves the journal, and the next open moves what is still staged."""
    os.replace(src, dest)


def finish(root: Path) -> dict[str, Any]:
    """Move the journal's staged files into place (core.json last), remove the files it
    lists, check every file against its SHA-256, then drop the journal and staging folder.

    Safe to run again after a crash at any point. StoreError when the files do not match the
    journal (the staging folder was lost): the folder is then left as it is, journal and all.
    """
    path = root / JOURNAL
    try:
        doc = json.loads(path.read_bytes())
        staging = root / str(doc["staging"])
        sums: dict[str, str] = dict(doc["files"])
        remove = [str(r) for r in doc["remove"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(
            f"{path} (an interrupted restore's journal) cannot be read ({exc}); the data "
            "may be part old, part restored: restore the backup again"
        ) from None
    order = sorted(sums, key=lambda rel: rel == CORE_FILE)  # core.json last
    for rel in order:
        src = staging / rel
        if src.is_file():
            make_private_dir((root / rel).parent, stop_at=root)
            _move(src, root / rel)
        # the old file's journal (store/wal.py) is not the restored file's: it would be
        # replayed over it if the restored file had the very bytes it was written against
        with contextlib.suppress(FileNotFoundError):
            wal.path_of(root / rel).unlink()
    for rel in remove:
        with contextlib.suppress(FileNotFoundError):
            (root / rel).unlink()
    for folder in sorted({(root / rel).parent for rel in [*order, *remove]}, reverse=True):
        with contextlib.suppress(FileNotFoundError):  # a folder of removed files only
            fsync_dir(folder)
    fsync_dir(root)
    import hashlib  # here, not at start-up

    for rel in order:
        try:
            digest = hashlib.sha256((root / rel).read_bytes()).hexdigest()
        except OSError:
            digest = ""
        if digest != sums[rel]:
            kept = f"; the data it replaced is in {doc.get('kept')}" if doc.get("kept") else ""
            raise StoreError(
                f"an interrupted restore into {root} cannot be completed: {rel} is not the "
                f"restored file (its staged copy in {staging} is gone){kept}. "
                "Run the restore again."
            )
    path.unlink()
    fsync_dir(root)
    shutil.rmtree(staging, ignore_errors=True)
    return doc


def recover(root: Path) -> str | None:
    """Finish or roll back a restore that was interrupted (call holding the writer lock).

    Returns what happened, for the user, or None when no restore was interrupted."""
    notice = None
    if (root / JOURNAL).exists():
        doc = finish(root)
        kept = f" (the data it replaced is in {doc['kept']})" if doc.get("kept") else ""
        notice = (
            f"A restore into {root} was interrupted; it has now been completed: the folder "
            f"holds the restored backup{kept}."
        )
    stale = [root / n for n in _names(root) if n.startswith(STAGING_PREFIX) and n != JOURNAL]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    if stale and notice is None:
        notice = (
            f"A restore into {root} was interrupted before it replaced anything; the data "
            "is as it was before it."
        )
    return notice


def interrupted(root: Path) -> bool:
    """A restore's journal is waiting to be finished (by the next writer to open the folder)."""
    return (root / JOURNAL).exists()


def _names(root: Path) -> list[str]:
    try:
        return os.listdir(root)
    except FileNotFoundError:
        return []
