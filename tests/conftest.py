"""Shared fixtures: a Store on a temp folder with a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from store.db import Store
from store.model import Attendance, Session

NOW = datetime(2026, 11, 25, 10, 0)
REPO = Path(__file__).resolve().parents[1]  # the checkout: samples/, the source tree
SAMPLES = REPO / "samples"


class FakeClock:
    """A clock the test moves by hand; ``clock()`` returns the current fake time."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _no_user_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read the developer's own settings file (store.settings): a missing one."""
    folder = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("INTERVENE_SETTINGS", str(folder / "settings.toml"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path, clock: FakeClock) -> Iterator[Store]:
    s = Store.open(data_dir, clock=clock)
    yield s
    s.close()


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (except the lock) as {relative path: bytes}."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def data_files(folder: Path) -> dict[str, bytes]:
    """``read_tree`` without ``backups/``: the data files' bytes, not the daily backup the app
    writes by itself (a worker on a timer) — for "this wrote nothing" checks in the TUI."""
    return {k: v for k, v in read_tree(folder).items() if not k.startswith("backups/")}


def log_delivered(
    store: Store,
    group_id: str,
    day: date,
    attendance: list[Attendance],
    minutes: int = 30,
    **fields: Any,
) -> Session:
    """Log the group's session on ``day`` as delivered for ``minutes`` with ``attendance``;
    ``fields``: the rest of the record (lesson, note, fidelity). The saved session."""
    return store.log_session(
        Session("", group_id, day, minutes_delivered=minutes, attendance=attendance, **fields)
    )


def settings_file(folder: Path, text: str) -> Path:
    """``folder``/settings.toml holding ``text``: a settings file as a user writes it."""
    path = folder / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tree() -> Callable[[Path], dict[str, bytes]]:
    """``tree(folder)`` → {relative path: bytes} of every data file, for byte-identity checks."""
    return read_tree
