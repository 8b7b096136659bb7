"""Typing file paths from the keyboard: completion of folder and file names, and the checks
made before anything is written."""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester

from store.errors import ValidationError


class PathSuggester(Suggester):
    """Suggest the first file or folder name that completes what was typed (→ accepts it).

    Folders come first and end in ``/``; hidden entries are offered only after a ``.``.
    """

    def __init__(self, *, base: Path | None = None) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.base = base

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value.endswith(os.sep + os.sep):
            return None
        head, sep, prefix = value.rpartition(os.sep)
        folder_text = head + sep if sep else ""
        folder = Path(os.path.expanduser(folder_text or "."))
        if not folder.is_absolute() and self.base is not None:
            folder = self.base / folder
        try:
            entries = sorted(os.scandir(folder), key=lambda e: (not e.is_dir(), e.name.casefold()))
        except OSError:
            return None
        for entry in entries:
            if entry.name.startswith(".") and not prefix.startswith("."):
                continue
            if entry.name.startswith(prefix) and entry.name != prefix:
                tail = os.sep if entry.is_dir() else ""
                return f"{folder_text}{entry.name}{tail}"
        return None


def output_path(text: str, folder: Path) -> Path:
    """The file to write for what was typed: ``~`` expanded, a bare name goes in ``folder``.

    ValidationError (field ``path``) when it is empty, a folder, or in a folder that does not
    exist; nothing is created here.
    """
    raw = text.strip()
    if not raw:
        raise ValidationError("give the name of the file to write", field="path", value=text)
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = folder / path
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; add a file name", field="path", value=text)
    if not path.parent.is_dir():
        raise ValidationError(f"the folder {path.parent} does not exist", field="path", value=text)
    return path


def input_path(text: str) -> Path:
    """A file or folder to read: ``~`` expanded; ValidationError (field ``path``) when it is
    empty or missing."""
    raw = text.strip()
    if not raw:
        raise ValidationError("give a CSV file or a OneRoster folder", field="path", value=text)
    path = Path(raw).expanduser()
    if not path.exists():
        raise ValidationError(f"{path} does not exist", field="path", value=text)
    return path
