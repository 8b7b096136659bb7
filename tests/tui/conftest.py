"""Fixtures for the TUI: a demo caseload on a temp folder, a fixed clock, an app factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from store.db import Store
from store.demo import build_demo
from tests.conftest import FakeClock
from tui.app import InterventionApp
from tui.config import AppConfig

# Wednesday 25 Nov 2026, 10:12 — during the demo's "Fluency 3" group (10:05–10:35).
MID_GROUP = datetime(2026, 11, 25, 10, 12)


@pytest.fixture
def demo_clock() -> FakeClock:
    return FakeClock(MID_GROUP)


@pytest.fixture
def demo_dir(tmp_path: Path, demo_clock: FakeClock) -> Path:
    """A data folder holding the demo caseload built for MID_GROUP's date (store closed)."""
    folder = tmp_path / "demo"
    with Store.open(folder, clock=demo_clock) as s:
        build_demo(s, demo_clock().date())
    return folder


@pytest.fixture
def open_app(demo_dir: Path, demo_clock: FakeClock) -> Iterator[Callable[..., InterventionApp]]:
    """``open_app(**kw)`` → an InterventionApp on the demo folder with the fixed clock."""
    opened: list[Store] = []

    def make(**kw: object) -> InterventionApp:
        store = Store.open(demo_dir, clock=demo_clock)
        opened.append(store)
        config = kw.pop("config", AppConfig(demo_dir=demo_dir.parent / "demo-built"))
        return InterventionApp(store, demo_clock, config, **kw)  # type: ignore[arg-type]

    yield make
    for s in opened:
        s.close()


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[tuple[InterventionApp, Path, FakeClock]]:
    """An app on an empty data folder (so it opens on the welcome screen), 25 Nov 2026 10:00:
    (app, data folder, clock)."""
    clock = FakeClock()
    folder = tmp_path / "data"
    app = InterventionApp(
        Store.open(folder, clock=clock), clock, AppConfig(demo_dir=tmp_path / "demo")
    )
    yield app, folder, clock
    app.store.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary home folder (the export and report screens' default place for files)."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder
