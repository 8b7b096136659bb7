"""Where intervene keeps its data: the real folder, the demo folder, the backups."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

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


def backups_dir(data_dir: Path | str) -> Path:
    """The daily backups of a data folder: ``<data_dir>/backups``."""
    return Path(data_dir) / "backups"
