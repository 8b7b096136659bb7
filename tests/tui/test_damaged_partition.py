"""Issue 15 item 7: one damaged score file never stops the app (Pilot), and no error the app
cannot handle is shown as a traceback with locals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from store.db import Store
from tests.conftest import FakeClock
from tests.tui.screen import screen_text
from tests.tui.test_today import wait_for_attention
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.screens.today import TodayScreen


def cut_in_half(path: Path) -> None:
    """Keep the first half of a data file: what a crash or a full disk can leave."""
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def damage_one(folder: Path, clock: FakeClock) -> tuple[Path, str, str]:
    """Cut a student's score partition in half; returns (file, the student's name, another
    student's name)."""
    with Store.open(folder, clock=clock, readonly=True) as s:
        students = s.students()
        victim = next(st for st in students if s.scores(st.id))
        other = next(st for st in students if st.id != victim.id)
    path = next((folder / "scores").rglob(f"{victim.id}.json"))
    cut_in_half(path)
    return path, victim.name, other.name


@pytest.fixture
def damaged(
    open_app: Callable[..., InterventionApp], demo_dir: Path, demo_clock: FakeClock
) -> tuple[InterventionApp, Path, str]:
    """The demo with one student's score file cut in half: (the app, the file, their name)."""
    path, victim, _other = damage_one(demo_dir, demo_clock)
    return open_app(config=AppConfig()), path, victim


async def test_a_damaged_score_file_is_named_and_the_rest_works(
    damaged: tuple[InterventionApp, Path, str],
) -> None:
    app, path, victim = damaged
    async with app.run_test(size=(140, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        await wait_for_attention(pilot, screen)
        await pilot.pause(0.1)
        text = screen_text(app)
        flat = " ".join(text.split())
        assert path.name in flat, text
        assert victim in flat, text  # the student shows the problem…
        assert "cannot be read" in flat, text
        # …and everyone else's attention rows are still there
        assert any(line.student.name != victim for line in screen.attention)
        assert all(line.student.name != victim for line in screen.attention)
        assert app.is_running


async def test_an_unexpected_error_exits_without_locals(open_app) -> None:  # noqa: ANN001
    app: InterventionApp = open_app()
    secret = "Zelda Secretname"
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()

        def boom() -> None:
            student_name = secret  # noqa: F841 - a local the traceback must not print
            raise RuntimeError("boom")

        try:
            boom()
        except RuntimeError as exc:
            app._handle_exception(exc)
        shown = "".join(seg.text for r in app._exit_renderables for seg in r.segments)
        app._exit_renderables.clear()
        app._exception = None  # handled: run_test need not re-raise it
    assert "boom" in shown
    assert secret not in shown
    assert "─ locals ─" not in shown


async def test_opening_the_damaged_student_says_why_and_goes_back(
    damaged: tuple[InterventionApp, Path, str],
) -> None:
    from tui.screens.student import StudentScreen

    app, path, victim = damaged
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        sid = next(s.id for s in app.store.students() if s.name == victim)
        app.push_screen(StudentScreen(sid, app.clock().date()))
        for _ in range(10):
            await pilot.pause(0.05)
        assert isinstance(app.screen, TodayScreen)
        flat = " ".join(screen_text(app).split())
        assert path.name in flat and "cannot be read" in flat, flat
        assert app.is_running


async def test_a_damaged_session_log_names_its_group_and_the_rest_works(
    open_app,  # noqa: ANN001
    demo_dir: Path,
    demo_clock: FakeClock,
) -> None:
    # Fluency 3's session log cut in half: Today opens, names the group's log; its members
    # show "session log damaged" and get no decision (no dosage from half a log); the other
    # groups' students keep theirs
    with Store.open(demo_dir, clock=demo_clock, readonly=True) as s:
        group = next(g for g in s.groups() if g.name == "Fluency 3")
        members = {s.student(sid).name for sid in group.member_ids}
    path = next((demo_dir / "sessions").rglob(f"{group.id}.json"))
    cut_in_half(path)
    app = open_app(config=AppConfig())
    async with app.run_test(size=(140, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        await wait_for_attention(pilot, screen)
        await pilot.pause(0.1)
        flat = " ".join(screen_text(app).split())
        assert "Fluency 3's session log" in flat and path.name in flat
        assert screen.attention  # the rest of the caseload is there…
        assert all(line.student.name not in members for line in screen.attention)
        assert "session log damaged" in flat  # Fluency 3 is the group running at 10:12
        assert app.is_running
