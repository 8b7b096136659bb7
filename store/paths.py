"""Where intervene keeps its data: the real folder, the demo folder, the backups."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from store.errors import StoreError

APP_NAME = "intervene"
DATA_DIR_ENV = "INTERVENE_DATA_DIR"
DEMO_DIR_ENV = "INTERVENE_DEMO_DIR"


def default_data_dir() -> Path:
    """``$INTERVENE_DATA_DIR`` if set, else the platform's user data folder for intervene."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def demo_data_dir() -> Path:
    """A folder for the demo caseload, never the real data folder.

    ``$INTERVENE_DEMO_DIR`` if set, else ``<data dir>-demo`` next to :func:`default_data_dir`
    (a sibling, not a child, so a backup of the real folder never picks up demo students).
    """
    override = os.environ.get(DEMO_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    real = default_data_dir()
    return real.with_name(real.name + "-demo")


def fallback_export_log(data_dir: Path | str) -> Path:
    """Where an export from a read-only data folder is recorded: the user's own state folder
    (``$XDG_STATE_HOME/intervene/exports/<data folder's hash>.log`` on Linux), one log per
    data folder. ``Store.exports`` reads it with the folder's own log."""
    import hashlib

    key = hashlib.sha256(str(Path(data_dir).expanduser().absolute()).encode()).hexdigest()[:16]
    state = Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
    return state / "exports" / f"{key}.log"


def backups_dir(data_dir: Path | str) -> Path:
    """The daily backups of a data folder: ``<data_dir>/backups``."""
    return Path(data_dir) / "backups"


def refuse_shared_parents(data_dir: Path | str) -> None:
    """StoreError when a folder above ``data_dir`` can be changed by anyone on the computer
    (world-writable without the sticky bit, unlike /tmp): another user could rename the data
    folder away and put their own, or a link, in its place. Checks the existing folders
    above it, symbolic links resolved."""
    path = Path(data_dir).expanduser().absolute()
    for folder in path.parents:
        try:
            mode = os.stat(folder).st_mode
        except OSError:
            continue  # not there yet (made 0700), or not ours to look at
        if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
            raise StoreError(
                f"the data folder {path} is inside {folder}, which anyone on this computer can "
                "change (it is world-writable without the sticky bit); choose a private folder, "
                f"or make it private first (chmod o-w {folder})"
            )
